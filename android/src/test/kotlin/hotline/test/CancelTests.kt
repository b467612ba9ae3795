// Cancel handles: a long import stops between two changes (what was stored stays stored) and a
// verify returns at once. The sync with the hub will take the same handle.
package hotline.test

import hotline.HotlineException
import hotline.ProgressListener
import hotline.Role
import hotline.SignedChange
import hotline.WorkflowAction
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Three orders' changes from a kiosk, to import somewhere else. */
suspend fun threeOrders(city: City): Pair<Member, List<SignedChange>> {
    val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
    val changes = (1..3).flatMap { i ->
        val order = kiosk.device.submit(complaint("第${i}件诉求"), at("2026-03-02T09:0$i:00+08:00")).order
        kiosk.device.exportChanges(order)
    }
    return kiosk to changes
}

fun Suite.cancelTests() {
    test("cancel stops a bulk import between changes; progress is reported; the rest resumes") {
        City().use { city ->
            val (kiosk, changes) = threeOrders(city)
            val desk = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            city.introduce(kiosk, desk)
            val cancel = trackedCancel()
            val seen = CopyOnWriteArrayList<Pair<ULong, ULong>>()
            val progress = object : ProgressListener {
                override fun onProgress(done: ULong, total: ULong) {
                    seen += done to total
                    if (done == 1uL) cancel.trackedCancel()
                }
            }
            val e = assertFailsWith<HotlineException.Cancelled> {
                desk.device.importChanges(changes, at("2026-03-02T10:00:00+08:00"), progress, cancel)
            }
            assertEquals("cancelled", e.code)
            assertTrue(cancel.trackedIsCancelled())
            assertEquals(listOf(1uL to 3uL), seen)
            assertEquals(1, desk.device.inbox().size, "the change stored before the cancel stays")

            val rest = desk.device.importChanges(changes, at("2026-03-02T10:05:00+08:00"))
            assertEquals(2uL, rest.applied)
            assertEquals(1uL, rest.alreadyHad)
            assertEquals(3, desk.device.inbox().size)
        }
    }

    test("a cancelled verify fails with Cancelled; an uncancelled handle changes nothing") {
        City().use { city ->
            val (kiosk, _) = threeOrders(city)
            val idle = trackedCancel()
            assertFalse(idle.trackedIsCancelled())
            assertTrue(kiosk.device.verify(idle).ok)
            val cancel = trackedCancel()
            cancel.trackedCancel()
            assertEquals("cancelled", assertFailsWith<HotlineException.Cancelled> { kiosk.device.verify(cancel) }.code)
            assertEquals("cancelled", assertFailsWith<HotlineException.Cancelled> {
                kiosk.device.importChanges(emptyList(), at("2026-03-02T10:00:00+08:00"), null, cancel)
            }.code)
        }
    }

    test("a single-change import reports applied, then already had") {
        City().use { city ->
            val (kiosk, changes) = threeOrders(city)
            val desk = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            city.introduce(kiosk, desk)
            val now = at("2026-03-02T10:00:00+08:00")
            assertEquals(hotline.ImportOutcome.APPLIED, desk.device.importChange(changes.first(), now))
            assertEquals(hotline.ImportOutcome.ALREADY_HAD, desk.device.importChange(changes.first(), now))
            desk.device.act(changes.first().order, WorkflowAction.Register(""), now)
        }
    }
}
