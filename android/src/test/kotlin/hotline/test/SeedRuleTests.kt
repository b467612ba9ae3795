// The corrected seed rules across the boundary: a Puyang emergency goes out with its report to
// the duty office (puyang-2020 §(四)) and a Turpan one is never extended (turpan-2021 art. 17);
// a 110 diversion not accepted on "other" grounds tells the citizen why (turpan-2021 art. 13);
// a unit fixed by coordination may not return the order (turpan-2021 art. 16).
package hotline.test

import hotline.Coordination
import hotline.CoordinationMethod
import hotline.DutyOfficeReport
import hotline.EmergencyCategory
import hotline.ExtensionRequest
import hotline.HotlineException
import hotline.InboxFilter
import hotline.NotAcceptedReason
import hotline.OrderId
import hotline.Origin
import hotline.RequestKind
import hotline.ReturnRequest
import hotline.Role
import hotline.Satisfaction
import hotline.Status
import hotline.SubmitRequest
import hotline.WorkflowAction
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

private fun emergency(text: String) =
    complaint(text).copy(kind = RequestKind.HELP, emergency = true, emergencyCategory = EmergencyCategory.UTILITY_OUTAGE)

private const val ME = "dispatcher-1"
private val T0 = at("2026-03-02T09:00:00+08:00")

/** A kiosk, unit A's staff and the center's desk, with `request` submitted at the kiosk at T0
 *  and registered at the desk. */
private data class AtTheDesk(val kiosk: Member, val staff: Member, val desk: Member, val order: OrderId)

private suspend fun City.atTheDesk(request: SubmitRequest): AtTheDesk {
    val kiosk = member("kiosk-1", Role.KIOSK, CENTER)
    val staff = member("staff-a", Role.STAFF, UNIT_A)
    val desk = centerDesk()
    introduce(kiosk, staff, desk)
    val order = kiosk.device.submit(request, T0).order
    carry(kiosk, desk, order, T0)
    desk.device.act(order, WorkflowAction.Register(""), T0, ME)
    return AtTheDesk(kiosk, staff, desk, order)
}

fun Suite.seedRuleTests() {
    test("a Puyang emergency is due for dispatch within the hour and goes out with its duty-office report") {
        City("puyang").use { city ->
            val (_, staff, desk, order) = city.atTheDesk(emergency("小区燃气管道泄漏"))
            val t0 = T0
            val me = ME
            assertEquals(at("2026-03-02T10:00:00+08:00"), desk.device.show(order).deadlines?.dispatchDue)
            val e = assertFailsWith<HotlineException.Refused> { desk.device.act(order, dispatchTo(UNIT_A), t0, me) }
            assertEquals("missing_field", e.code)
            val reported = WorkflowAction.Dispatch(UNIT_A, emptyList(), false, "立即处置", DutyOfficeReport(t0, "电话报告市政府值班室值班员王某"))
            assertEquals(Status.DISPATCHED, desk.device.act(order, reported, t0, me).status)
        }
    }
    test("the Puyang center closes a dissatisfied order whose reply is lawful") {
        City("puyang").use { city ->
            val (_, staff, desk, order) = city.atTheDesk(complaint())
            val t0 = T0
            val me = ME
            desk.device.act(order, dispatchTo(UNIT_A), t0, "dispatcher-1")
            carry(desk, staff, order, t0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T10:00:00+08:00"))
            staff.device.act(order, replyOf(UNIT_A), at("2026-03-04T10:00:00+08:00"))
            carry(staff, desk, order, at("2026-03-04T10:30:00+08:00"))
            desk.device.act(order, WorkflowAction.Review(true, ""), at("2026-03-04T11:00:00+08:00"), "dispatcher-1")
            val rated = desk.device.act(order, WorkflowAction.Callback(Satisfaction.DISSATISFIED, "仍不满意"), at("2026-03-05T10:00:00+08:00"), "callback-1")
            assertEquals(Status.DISSATISFIED, rated.status)
            // puyang-2020 §(六): 答复内容符合法律法规、政策规定.
            val closed = desk.device.act(order, WorkflowAction.CloseAsLawful("答复符合《噪声污染防治法》，施工许可合法有效"), at("2026-03-05T11:00:00+08:00"), "dispatcher-1")
            assertEquals(Status.CLOSED, closed.status)
            assertEquals("答复符合《噪声污染防治法》，施工许可合法有效", closed.lawfulClosure)
        }
    }
    test("a Turpan emergency is never extended, gets its first response, and force majeure lifts its limits") {
        City().use { city ->
            val (_, staff, desk, order) = city.atTheDesk(emergency("自来水主管道爆裂"))
            val t0 = T0
            val me = ME
            desk.device.act(order, dispatchTo(UNIT_A), t0, "dispatcher-1")
            carry(desk, staff, order, t0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T09:10:00+08:00"))
            val e = assertFailsWith<HotlineException.Refused> {
                staff.device.act(order, WorkflowAction.RequestExtension(ExtensionRequest(5u, "抢修")), at("2026-03-02T09:20:00+08:00"))
            }
            assertEquals("extension_not_for_emergency", e.code)
            // Art. 26: the first response within 2 hours, then the center's force majeure.
            assertEquals(at("2026-03-02T11:00:00+08:00"), staff.device.show(order).deadlines?.responseDue)
            val responded = staff.device.act(order, WorkflowAction.FirstResponse("已关闭阀门，抢修队到场"), at("2026-03-02T09:30:00+08:00"))
            assertEquals("已关闭阀门，抢修队到场", responded.firstResponse)
            assertEquals(null, responded.deadlines?.responseDue)
            carry(staff, desk, order, at("2026-03-02T09:40:00+08:00"))
            val excused = desk.device.act(order, WorkflowAction.ForceMajeure("特大沙尘暴，道路封闭"), at("2026-03-02T09:50:00+08:00"), "dispatcher-1")
            assertEquals("特大沙尘暴，道路封闭", excused.forceMajeure)
            assertEquals(at("2026-03-09T23:59:59+08:00"), excused.deadlines?.handlingDue)
        }
    }
    test("a 110 diversion not accepted on other grounds tells the citizen why, and the inbox filters by origin") {
        City().use { city ->
            val intake = city.member("intake-1", Role.INTAKE, CENTER)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val submitted = intake.device.submit(complaint("要求查询邻居的住址").copy(origin = Origin.DIVERTED110), t0)
            assertEquals(listOf(submitted.order), intake.device.inbox(InboxFilter(origin = Origin.DIVERTED110)).map { it.order })
            assertTrue(intake.device.inbox(InboxFilter(origin = Origin.PROVINCIAL_HOTLINE)).isEmpty())
            val view = intake.device.act(
                submitted.order,
                WorkflowAction.NotAccept(NotAcceptedReason.OTHER, "《吐鲁番市12345政务服务便民热线管理办法》第二章", null, "涉及他人个人信息，热线不提供查询"),
                t0,
            )
            assertEquals("其他不予受理的事项", view.notAccepted?.reasonZh)
            val status = intake.device.status(submitted.receipt)
            assertEquals(NotAcceptedReason.OTHER, status.notAccepted?.reason)
            assertEquals("涉及他人个人信息，热线不提供查询", status.notAccepted?.statedReason)
        }
    }
    test("a unit fixed by the center's coordination may not return the order") {
        City().use { city ->
            val (_, staff, desk, order) = city.atTheDesk(complaint())
            val t0 = T0
            val me = ME
            val fixed = WorkflowAction.Dispatch(UNIT_A, emptyList(), false, "", null, Coordination(CoordinationMethod.MEETING, "3月2日协调会纪要：由古城路街道主办"))
            assertEquals(CoordinationMethod.MEETING, desk.device.act(order, fixed, t0, "dispatcher-1").coordination?.method)
            carry(desk, staff, order, t0)
            val request = ReturnRequest("不属本单位职责", "三定方案", "同意退回", "住建局", "0995-1234567", true)
            val e = assertFailsWith<HotlineException.Refused> {
                staff.device.act(order, WorkflowAction.RequestReturn(request), at("2026-03-02T10:00:00+08:00"))
            }
            assertEquals("return_after_coordination", e.code)
        }
    }
}
