// The knowledge base and the duplicate check across the boundary: a unit publishes an item, the
// kiosk receives it through the hub, finds it offline and answers an inquiry from it naming the
// version (Puyang: 知识库; 直接答复率); a repeat of the same matter is offered before a new order
// is opened (DOMAIN.md not-accepted reason 7; Linshu 二(五)).
package hotline.test

import hotline.KbDraftInput
import hotline.KbFields
import hotline.MatchRelation
import hotline.RequestKind
import hotline.Role
import hotline.Status
import kotlin.test.assertEquals
import kotlin.test.assertTrue

fun Suite.knowledgeTests() {
    test("a unit's item reaches the kiosk through the hub; the kiosk answers an inquiry from it") {
        City("puyang").use { city ->
            val hub = city.startHub()
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val staff = city.member("staff-a", Role.STAFF, UNIT_A)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val fields = KbFields("《居住证暂行条例》", "居住满半年", "身份证、居住登记凭证", "", "免费", "派出所户籍窗口", "15个工作日", "")
            val item = staff.device.kbPublish(
                KbDraftInput("kb-residence", "居住证办理", "在本市居住满半年的，可以申领居住证。", null, fields, null, null, null, null), t0)
            assertEquals(1u, item.version)
            staff.device.sync(hub.url())
            kiosk.device.sync(hub.url())
            val hit = kiosk.device.kbSearch("怎么办居住证", 3u, t0).first()
            assertEquals("kb-residence", hit.item.id)
            assertEquals("派出所户籍窗口", hit.item.fields.place)
            assertEquals("居住证办理", kiosk.device.kbItem("kb-residence")!!.title)
            assertEquals(1, kiosk.device.kbItems(null).size)
            assertEquals("kb-residence", kiosk.device.searchKnowledge("居住证", 3u).first().id)
            val inquiry = complaint("请问居住证怎么办理").copy(kind = RequestKind.INQUIRY, contact = null, photos = emptyList())
            val answered = kiosk.device.answerFromKb(inquiry, hit.item.id, hit.item.version, t0)
            assertEquals(Status.ANSWERED_INSTANTLY, kiosk.device.status(answered.receipt).status)
            // A policy change owed: the center's flag, then days late once the week is past.
            staff.device.kbPolicyChanged("kb-residence", "2026-03-01", t0, "新条例", null)
            val owed = staff.device.kbDuties(at("2026-03-12T09:00:00+08:00")).single()
            assertEquals("2026-03-08" to 4u, owed.due to owed.daysLate)
        }
    }

    test("the same matter at the same place is offered before a new order is opened") {
        City("puyang").use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val first = kiosk.device.submit(complaint("路灯全都不亮，晚上一片漆黑"), t0).order
            val again = complaint("路灯坏了好几天，晚上一片漆黑看不见路")
            val offered = kiosk.device.intakeCandidates(again, t0).single()
            assertEquals(first to MatchRelation.JOINS, offered.order to offered.relation)
            val joined = kiosk.device.submitMatched(again, first, MatchRelation.JOINS, t0)
            assertTrue(joined.order != first)
            // Something else at the same place is not the same matter.
            assertTrue(kiosk.device.intakeCandidates(complaint("有人占道摆摊卖菜，堵住了路"), t0).isEmpty())
        }
    }
}
