// Errors cross the boundary as HotlineException subclasses carrying the core's stable code and
// its Chinese and English messages.
package hotline.test

import hotline.Status
import hotline.HotlineDevice
import hotline.HotlineException
import hotline.Role
import hotline.WorkflowAction
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

fun assertMessages(e: HotlineException, code: String, zh: String, en: String) {
    assertTrue(e.message!!.contains(code), e.message)
    assertTrue(zh.isNotBlank() && en.isNotBlank(), "both messages are filled in")
    assertTrue(zh.any { it.code > 0x2E80 }, "the Chinese message is Chinese: $zh")
}

fun Suite.errorTests() {
    test("a rule's refusal is HotlineException.Refused with its code") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val order = kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00")).order
            val e = assertFailsWith<HotlineException.Refused> {
                kiosk.device.act(order, dispatchTo(UNIT_A), at("2026-03-02T09:05:00+08:00"))
            }
            assertEquals("wrong_role", e.code)
            assertMessages(e, e.code, e.messageZh, e.messageEn)
            // The kiosk keeps no readable personal data.
            assertEquals("contact_not_visible", assertFailsWith<HotlineException.Refused> { kiosk.device.contact(order, "回访 callback") }.code)
            // No stated purpose, no contact: every opening is entered in the access log.
            assertEquals("access_purpose_required", assertFailsWith<HotlineException.InvalidInput> { kiosk.device.contact(order, "  ") }.code)
        }
    }

    test("bad input, unknown ids and unreadable JSON have their own variants") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val now = at("2026-03-02T09:00:00+08:00")
            val empty = assertFailsWith<HotlineException.InvalidInput> { kiosk.device.submit(complaint("   "), now) }
            assertEquals("bad_input", empty.code)
            assertMessages(empty, empty.code, empty.messageZh, empty.messageEn)
            val mistyped = assertFailsWith<HotlineException.InvalidInput> { kiosk.device.status("ABC") }
            assertTrue(mistyped.code.startsWith("receipt_"), mistyped.code)
            assertEquals("unknown_order", assertFailsWith<HotlineException.NotFound> { kiosk.device.show("wo-missing") }.code)
            assertEquals("device_no_such_identity", assertFailsWith<HotlineException.NotFound> { kiosk.device.submit(complaint(), now, "nobody") }.code)
            assertEquals("bad_input", assertFailsWith<HotlineException.InvalidInput> { kiosk.device.setRevocations("{not json") }.code)
            assertEquals("bad_input", assertFailsWith<HotlineException.InvalidInput> { HotlineDevice.setUp(city.dir("x"), "[]", now) }.code)
            assertEquals("policy_unknown_preset", assertFailsWith<HotlineException.InvalidInput> { hotline.CityAuthority.create(city.dir("hub2"), "atlantis", SUITE) }.code)
            // A store never set up is refused, not created half-way.
            assertEquals("device_not_initialised", assertFailsWith<HotlineException.Refused> {
                Coverage.construct("HotlineDevice.open") { HotlineDevice.open(city.dir("empty")) }
            }.code)
        }
    }

    test("a revoked certificate's later changes are refused on import") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val staff = city.member("staff-a", Role.STAFF, UNIT_A)
            val desk = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            city.introduce(kiosk, staff, desk)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val order = kiosk.device.submit(complaint(), t0).order
            carry(kiosk, desk, order, t0)
            desk.device.act(order, WorkflowAction.Register(""), t0)
            desk.device.act(order, dispatchTo(UNIT_A), t0)
            carry(desk, staff, order, t0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T11:00:00+08:00"))
            val staffCert = staff.device.identities().single().certificateId
            desk.device.setRevocations(city.authority.revoke(listOf(staffCert), at("2026-03-02T10:30:00+08:00")))
            val summary = carry(staff, desk, order, at("2026-03-02T12:00:00+08:00"))
            assertEquals(0uL, summary.applied)
            val refusal = summary.refused.single()
            assertEquals("certificate_revoked", refusal.code)
            assertTrue(refusal.messageZh.isNotBlank() && refusal.messageEn.isNotBlank())
            // One change alone: the same refusal, as an exception.
            val e = assertFailsWith<HotlineException.Refused> {
                desk.device.importChange(staff.device.exportChanges(order).last(), at("2026-03-02T12:00:00+08:00"))
            }
            assertEquals("certificate_revoked", e.code)
            assertEquals(Status.DISPATCHED, desk.device.show(order).status)
        }
    }
}
