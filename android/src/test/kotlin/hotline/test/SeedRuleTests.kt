// The corrected seed rules across the boundary: a Puyang emergency goes out with its report to
// the duty office (puyang-2020 §(四)) and a Turpan one is never extended (turpan-2021 art. 17);
// a 110 diversion not accepted on "other" grounds tells the citizen why (turpan-2021 art. 13);
// a unit fixed by coordination may not return the order (turpan-2021 art. 16).
package hotline.test

import hotline.ClosureApplication
import hotline.ClosureDecision
import hotline.ClosureGround
import hotline.ContactMethod
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
import hotline.StatutoryLimit
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
    test("a Linshu order is signed off, approved by the deputy, replied in the leader's name, and closed as non-compliant after a reopen") {
        // linshu-2020 二(二): 主要负责人签批 → 分管负责人审核 → 回复注明牵头负责人; 考核 2(1), 6(2).
        City("linshu").use { city ->
            val (_, staff, desk, order) = city.atTheDesk(complaint())
            val head = city.member("head-a", Role.UNIT_HEAD, UNIT_A)
            val deputy = city.member("deputy-a", Role.DEPUTY_HEAD, UNIT_A)
            city.introduce(head, deputy, staff, desk)
            desk.device.act(order, dispatchTo(UNIT_A), T0, ME)
            carry(desk, staff, order, T0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T09:10:00+08:00"))
            val call = WorkflowAction.Contact(ContactMethod.PHONE, true, "已联系")
            val early = assertFailsWith<HotlineException.Refused> { staff.device.act(order, call, at("2026-03-02T09:20:00+08:00")) }
            assertEquals("sign_off_first", early.code)

            carry(staff, head, order, at("2026-03-02T09:30:00+08:00"))
            val signed = head.device.act(order, WorkflowAction.LeaderSignOff("请城管科办理"), at("2026-03-02T09:40:00+08:00"))
            assertEquals("head-a", signed.signOff?.by?.person)
            carry(head, staff, order, at("2026-03-02T09:50:00+08:00"))
            staff.device.act(order, call, at("2026-03-02T10:00:00+08:00"))

            carry(staff, deputy, order, at("2026-03-03T09:00:00+08:00"))
            assertEquals("deputy-a", deputy.device.act(order, WorkflowAction.ApproveResult("同意答复"), at("2026-03-03T09:10:00+08:00")).resultApproval?.by?.person)
            carry(deputy, staff, order, at("2026-03-03T09:20:00+08:00"))
            val unnamed = assertFailsWith<HotlineException.Refused> { staff.device.act(order, replyOf(UNIT_A), at("2026-03-03T10:00:00+08:00")) }
            assertEquals("missing_field", unnamed.code)
            val named = WorkflowAction.Reply(replyOf(UNIT_A).reply.copy(responsibleLeader = "deputy-a"))
            val replied = staff.device.act(order, named, at("2026-03-03T10:00:00+08:00"))
            assertEquals(Status.UNDER_REVIEW, replied.status)
            assertEquals("deputy-a", replied.replies.single().reply.responsibleLeader)

            carry(staff, desk, order, at("2026-03-03T11:00:00+08:00"))
            desk.device.act(order, WorkflowAction.Review(true, ""), at("2026-03-03T11:10:00+08:00"), ME)
            val unreached = desk.device.act(order, WorkflowAction.CallbackUnreached("无人接听"), at("2026-03-04T09:00:00+08:00"), "callback-1")
            assertEquals(Status.AWAITING_CALLBACK, unreached.status)
            assertEquals(listOf("无人接听"), unreached.unreachedCallbacks.map { it.text })
            val asked = assertFailsWith<HotlineException.Refused> {
                desk.device.act(order, WorkflowAction.Callback(Satisfaction.DISSATISFIED, "未联系我"), at("2026-03-04T10:00:00+08:00"), "callback-1")
            }
            assertEquals("missing_field", asked.code)
            val rated = desk.device.act(order, WorkflowAction.Callback(Satisfaction.DISSATISFIED, "未联系我", unitContacted = false), at("2026-03-04T10:00:00+08:00"), "callback-1")
            assertEquals(false, rated.ratings.single().unitContacted)
            desk.device.act(order, WorkflowAction.Reopen("诉求人不满意"), at("2026-03-04T11:00:00+08:00"), ME)

            carry(desk, staff, order, at("2026-03-04T12:00:00+08:00"))
            val application = ClosureApplication(ClosureGround.NON_COMPLIANT, "诉求超出政策规定，已多次解释", "走访记录、政策文件")
            staff.device.act(order, WorkflowAction.ApplyClosure(application), at("2026-03-05T09:00:00+08:00"))
            carry(staff, desk, order, at("2026-03-05T09:30:00+08:00"))
            val closed = desk.device.act(order, WorkflowAction.DecideClosure(true, "同意按不合规诉求办结"), at("2026-03-05T10:00:00+08:00"), ME)
            assertEquals(Status.CLOSED, closed.status)
            assertEquals(ClosureDecision.APPROVED, closed.closureApplications.single().decision)
        }
    }
    test("a Puyang delay notice and an approved extension reach the citizen's status") {
        // puyang-2020 §(四): 确不能按时办结的 … 说明理由; 考核 1; turpan-2021 art. 18.
        City("puyang").use { city ->
            val (_, staff, desk, order) = city.atTheDesk(complaint())
            desk.device.act(order, dispatchTo(UNIT_A), T0, ME)
            carry(desk, staff, order, T0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T09:10:00+08:00"))
            staff.device.act(order, WorkflowAction.DelayNotice("需办理占道审批"), at("2026-03-03T09:00:00+08:00"))
            val ask = ExtensionRequest(5u, "占道审批需十个工作日")
            val noBasis = assertFailsWith<HotlineException.Refused> {
                staff.device.act(order, WorkflowAction.RequestExtension(ask), at("2026-03-03T09:10:00+08:00"))
            }
            assertEquals("missing_field", noBasis.code)
            staff.device.act(order, WorkflowAction.RequestExtension(ask.copy(statutoryLimit = StatutoryLimit(20u, "《城市道路管理条例》第三十条"))), at("2026-03-03T09:10:00+08:00"))
            carry(staff, desk, order, at("2026-03-03T09:30:00+08:00"))
            desk.device.act(order, WorkflowAction.DecideExtension(true, ""), at("2026-03-03T10:00:00+08:00"), ME)
            val receipt = desk.device.show(order).details!!.receipt
            val status = desk.device.status(receipt)
            assertEquals(5u, status.extension?.workingDays)
            assertEquals(at("2026-03-03T10:00:00+08:00"), status.extension?.approvedAt)
            assertEquals("需办理占道审批", status.delayNotice?.reason)
            assertEquals(at("2026-03-16T23:59:59+08:00"), status.handlingDue)
        }
    }
    test("a Turpan unit passes an order on to its registered sub-unit, which calls the citizen; the unit replies") {
        // DOMAIN.md corrections (Turpan): sub-units registered with the center's approval.
        City().use { city ->
            val (_, staff, desk, order) = city.atTheDesk(complaint())
            val sub = "$UNIT_A/village-1"
            val early = assertFailsWith<HotlineException.Refused> { city.member("staff-v1", Role.STAFF, sub) }
            assertEquals("sub_unit_not_registered", early.code)
            assertTrue(city.authority.registerSubUnit(sub, "市政务服务中心批复〔2026〕3号", T0).contains(UNIT_A))
            val village = city.member("staff-v1", Role.STAFF, sub)
            city.introduce(village, staff, desk)
            desk.device.act(order, dispatchTo(UNIT_A), T0, ME)
            carry(desk, staff, order, T0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T09:10:00+08:00"))
            val passed = staff.device.act(order, WorkflowAction.PassOn(sub, "请一村核实"), at("2026-03-02T09:20:00+08:00"))
            assertEquals(listOf(sub), passed.subUnits)
            carry(staff, village, order, at("2026-03-02T09:30:00+08:00"))
            assertTrue(village.device.contact(order, "回访 callback").phone != null)
            village.device.act(order, WorkflowAction.Contact(ContactMethod.VISIT, true, "已上门"), at("2026-03-02T10:00:00+08:00"))
            carry(village, staff, order, at("2026-03-02T10:30:00+08:00"))
            val replied = staff.device.act(order, replyOf(UNIT_A), at("2026-03-03T10:00:00+08:00"))
            assertEquals(Status.UNDER_REVIEW, replied.status)
            assertEquals(listOf(sub), replied.callLog.map { it.by.unit })
        }
    }
    test("a Turpan order dispatched separately waits for every unit's reply") {
        // turpan-2021 art. 12: 按照职责规定分别转派至承办单位办理.
        City().use { city ->
            val (_, staff, desk, order) = city.atTheDesk(complaint())
            val other = city.member("staff-b", Role.STAFF, "unit-shengli")
            city.introduce(other, staff, desk)
            val separately = WorkflowAction.Dispatch(UNIT_A, emptyList(), false, "", separateUnits = listOf("unit-shengli"))
            assertEquals(listOf("unit-shengli"), desk.device.act(order, separately, T0, ME).separate.map { it.unit })
            carry(desk, staff, order, T0)
            carry(desk, other, order, T0)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T09:10:00+08:00"))
            other.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T09:10:00+08:00"))
            assertEquals(Status.IN_HANDLING, staff.device.act(order, replyOf(UNIT_A), at("2026-03-03T10:00:00+08:00")).status)
            carry(staff, other, order, at("2026-03-03T10:30:00+08:00"))
            val all = other.device.act(order, WorkflowAction.Reply(replyOf(UNIT_A).reply.copy(unit = "unit-shengli")), at("2026-03-03T11:00:00+08:00"))
            assertEquals(Status.UNDER_REVIEW, all.status)
        }
    }
}
