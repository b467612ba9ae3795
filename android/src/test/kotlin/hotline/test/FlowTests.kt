// The whole life of a work order through the bindings: a kiosk takes a complaint, the center
// registers and dispatches it, a township phone signs for it, logs a call and photographs the
// site, a field supervisor supervises on site, the unit replies, the center reviews and calls
// the citizen back — every step signed on its own device and carried to the next.
package hotline.test

import hotline.DeadlineKind
import hotline.Status
import hotline.CaseInfo
import hotline.ContactDetails
import hotline.ContactMethod
import hotline.GpsFix
import hotline.GpsSource
import hotline.InboxFilter
import hotline.KnowledgeBase
import hotline.KnowledgeItem
import hotline.Location
import hotline.PhotoInput
import hotline.PhotoSource
import hotline.ReplyContent
import hotline.RequestKind
import hotline.Role
import hotline.Satisfaction
import hotline.SiteSupervisionInput
import hotline.SubmitRequest
import hotline.SupervisionForm
import hotline.SupervisionTrigger
import hotline.WorkflowAction
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

fun gps(lat: Double, lon: Double) = GpsFix(lat, lon, 8.5, GpsSource.GNSS, false)

fun complaint(text: String = "古城路夜间施工噪音扰民已持续两周") = SubmitRequest(
    kind = RequestKind.COMPLAINT,
    text = text,
    location = Location("濮阳市华龙区古城路1号", "410902001", gps(35.76, 115.03)),
    contact = ContactDetails("王秀英", "13912345678", null),
    photos = listOf(PhotoInput(PhotoSource.Bytes(jpeg("jpeg bytes of the site".toByteArray())), "image/jpeg", at("2026-03-02T08:55:00+08:00"), gps(35.76, 115.03))),
)

fun dispatchTo(unit: String) = WorkflowAction.Dispatch(unit, emptyList(), false, "请核实处理")

fun replyOf(unit: String) = WorkflowAction.Reply(
    ReplyContent(at("2026-03-04T09:00:00+08:00"), unit, "张三", "施工单位已调整作业时间", "《环境噪声污染防治法》", "电话告知", CaseInfo.NotFiled("不涉及违法行为")),
)

/** The kiosk's knowledge base, as an app would plug in its own. */
class ListKnowledgeBase(private val items: List<KnowledgeItem>) : KnowledgeBase {
    override fun search(query: String, limit: UInt): List<KnowledgeItem> =
        items.filter { it.title.contains(query) || it.answer.contains(query) }.take(limit.toInt())
}

fun Suite.flowTests() {
    test("kiosk → dispatcher → staff → supervisor → center, carried between devices") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val staff = city.member("staff-a", Role.STAFF, UNIT_A)
            val center = city.centerDesk()
            val supervisor = city.member("supervisor-1", Role.SUPERVISOR, CENTER)
            city.introduce(kiosk, staff, center, supervisor)
            assertEquals(setOf("dispatcher-1", "callback-1"), center.device.identities().map { it.person }.toSet())

            // Kiosk: the citizen first searches the knowledge base, then files a complaint.
            kiosk.device.setKnowledgeBase(ListKnowledgeBase(listOf(KnowledgeItem("kb-7", "夜间施工", "夜间22时至次日6时禁止产生噪声的建筑施工作业"))))
            assertEquals("kb-7", kiosk.device.searchKnowledge("施工", 5u).single().id)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val submitted = kiosk.device.submit(complaint(), t0)
            val order = submitted.order
            val shown = kiosk.device.status(submitted.receipt.lowercase())
            assertEquals(Status.SUBMITTED, shown.status)
            assertEquals("已提交", shown.statusZh)
            assertTrue(kiosk.custody!!.signatures.get() >= 1, "the kiosk signed through the app's key")

            // Center: register and dispatch; the citizen's contact is readable here only.
            assertEquals(1uL, carry(kiosk, center, order, at("2026-03-02T09:30:00+08:00")).applied)
            assertEquals("13912345678", center.device.contact(order, "回访 callback", "dispatcher-1").phone)
            val t1 = at("2026-03-02T10:00:00+08:00")
            center.device.act(order, WorkflowAction.Register("受理"), t1, "dispatcher-1")
            val dispatched = center.device.act(order, dispatchTo(UNIT_A), t1, "dispatcher-1")
            assertEquals(Status.DISPATCHED, dispatched.status)
            assertEquals(UNIT_A, dispatched.leadUnit)

            // Township phone: the inbox shows the Turpan 12 h sign-for deadline first.
            carry(center, staff, order, at("2026-03-02T10:30:00+08:00"))
            val inbox = staff.device.inbox(InboxFilter(unit = UNIT_A))
            assertEquals(order, inbox.single().order)
            assertEquals(DeadlineKind.SIGN_FOR, inbox.single().nextDueKind)
            assertEquals(at("2026-03-02T22:00:00+08:00"), inbox.single().nextDue)
            assertEquals("王秀英", staff.device.contact(order, "回访 callback").name)
            assertEquals(Status.IN_HANDLING, staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T11:00:00+08:00")).status)
            staff.device.act(order, WorkflowAction.Contact(ContactMethod.PHONE, true, "已电话联系诉求人"), at("2026-03-02T11:30:00+08:00"))
            val photo = PhotoInput(PhotoSource.Bytes(jpeg(ByteArray(299_996) { 7 })), "image/jpeg", at("2026-03-03T15:00:00+08:00"), gps(35.7601, 115.0302))
            val withEvidence = staff.device.addEvidence(order, listOf(photo), at("2026-03-03T15:05:00+08:00"), gps(35.7601, 115.0302), "现场核实：施工单位已停止夜间作业")
            val evidence = withEvidence.siteEvidence.single().evidence
            assertEquals(300_000uL, evidence.photos.single().size)
            // Named by the digest of its bytes, the city's: SHA-256, or SM3 in a city of the national suite.
            assertEquals(contentName(jpeg(ByteArray(299_996) { 7 })), evidence.photos.single().sha256)
            assertEquals(35.7601, evidence.photos.single().gps!!.lat)
            assertNotNull(evidence.photos.single().device)
            assertEquals(ContactMethod.PHONE, withEvidence.callLog.single().method)

            // Field supervisor: supervision and the on-site form, while the unit still handles it.
            carry(staff, supervisor, order, at("2026-03-03T15:30:00+08:00"))
            supervisor.device.act(order, WorkflowAction.Supervise(SupervisionTrigger.HOT_ISSUE, SupervisionForm.ON_SITE, "群众反映集中"), at("2026-03-03T16:00:00+08:00"))
            val form = SiteSupervisionInput(
                place = "古城路施工现场",
                heldAt = at("2026-03-03T16:30:00+08:00"),
                peoplePresent = listOf("张三", "施工单位负责人"),
                findings = "夜间已停工",
                actionTaken = "要求书面承诺",
                photos = listOf(PhotoInput(PhotoSource.Bytes(jpeg("site form photo".toByteArray())), "image/jpeg", at("2026-03-03T16:40:00+08:00"), gps(35.76, 115.03))),
                gps = gps(35.76, 115.03),
            )
            val supervised = supervisor.device.siteSupervision(order, form, at("2026-03-03T17:00:00+08:00"))
            assertEquals("古城路施工现场", supervised.siteSupervisions.single().form.place)

            // The unit replies; everything reaches the center, which reviews and calls back.
            assertEquals(Status.UNDER_REVIEW, staff.device.act(order, replyOf(UNIT_A), at("2026-03-04T10:00:00+08:00")).status)
            carry(staff, center, order, at("2026-03-04T10:30:00+08:00"))
            carry(supervisor, center, order, at("2026-03-04T10:30:00+08:00"))
            center.device.act(order, WorkflowAction.Review(true, ""), at("2026-03-04T11:00:00+08:00"), "dispatcher-1")
            val closed = center.device.act(order, WorkflowAction.Callback(Satisfaction.SATISFIED, "回访满意", Satisfaction.VERY_SATISFIED), at("2026-03-05T10:00:00+08:00"), "callback-1")
            assertEquals(Status.CLOSED, closed.status)
            assertEquals(1, closed.supervisions.size)
            assertEquals(1, closed.siteSupervisions.size)
            assertEquals(1, closed.siteEvidence.size)
            assertEquals(Satisfaction.SATISFIED, closed.ratings.single().rating)
            assertTrue(closed.history.all { it.outcome == "applied" }, "every event applied")
            assertTrue(closed.stateJson.contains("\"status\":\"closed\""))

            // Back at the kiosk the citizen sees it closed, and nothing personal.
            carry(center, kiosk, order, at("2026-03-05T11:00:00+08:00"))
            val final = kiosk.device.status(submitted.receipt)
            assertEquals(Status.CLOSED, final.status)
            assertNull(final.nextDue)
            assertEquals(closed.history.size, kiosk.device.show(order).history.size)
            for (m in listOf(kiosk, staff, center, supervisor)) {
                val report = m.device.verify()
                assertTrue(report.ok, "${m.person}: ${report.problems}")
                assertTrue(report.changesChecked > 0uL)
            }
        }
    }

    test("overdue list and inbox filters") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val staff = city.member("staff-a", Role.STAFF, UNIT_A)
            val desk = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            city.introduce(kiosk, staff, desk)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val order = kiosk.device.submit(complaint("小区路灯不亮"), t0).order
            carry(kiosk, desk, order, t0)
            desk.device.act(order, WorkflowAction.Register(""), t0)
            desk.device.act(order, dispatchTo(UNIT_A), t0)
            carry(desk, staff, order, t0)
            // Turpan gives complaints 15 working days: not overdue a week later, overdue in April.
            assertTrue(staff.device.overdue(at("2026-03-09T09:00:00+08:00")).isEmpty())
            val late = staff.device.overdue(at("2026-04-20T09:00:00+08:00"), InboxFilter(unit = UNIT_A))
            assertEquals(order, late.single().order)
            assertNotNull(late.single().handlingDue)
            assertTrue(staff.device.inbox(InboxFilter(statuses = listOf(Status.CLOSED))).isEmpty())
            assertEquals(1, staff.device.inbox(InboxFilter(dueBefore = at("2026-03-02T23:00:00+08:00"))).size)
            assertFalse(staff.device.inbox().single().terminal)
        }
    }
}
