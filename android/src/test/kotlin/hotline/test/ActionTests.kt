// Every workflow action crosses the boundary and does what the core says it does: instant
// answer, not accepted, a return asked for and denied, an extension asked for and granted, a
// dissatisfied callback, a reopen and a duty statement (dispatch, sign-for, call log, reply,
// review, callback and supervision are in FlowTests).
package hotline.test

import hotline.ExtensionDecision
import hotline.Status
import hotline.ExtensionRequest
import hotline.NotAcceptedReason
import hotline.RequestKind
import hotline.ReturnRequest
import hotline.Role
import hotline.Satisfaction
import hotline.WorkflowAction
import kotlin.test.assertEquals

fun Suite.actionTests() {
    test("every workflow action: answer, not accept, return, extension, reopen, duty statement") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            // The unit's deputy leader handles it: the duty statement is a leader's (turpan-2021 附则).
            val staff = city.member("deputy-a", Role.DEPUTY_HEAD, UNIT_A)
            val desk = city.centerDesk()
            city.introduce(kiosk, staff, desk)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val inquiry = kiosk.device.submit(complaint("营业执照办理需要哪些材料").copy(kind = RequestKind.INQUIRY), t0).order
            val offTopic = kiosk.device.submit(complaint("邻居家装修纠纷请法院判决"), t0).order
            val order = kiosk.device.submit(complaint(), t0).order
            for (o in listOf(inquiry, offTopic, order)) carry(kiosk, desk, o, t0)
            val me = "dispatcher-1"

            val answered = desk.device.act(inquiry, WorkflowAction.InstantAnswer("kb-12", "携带身份证和经营场所证明到政务服务中心办理"), t0, me)
            assertEquals(Status.ANSWERED_INSTANTLY, answered.status)
            val refused = desk.device.act(offTopic, WorkflowAction.NotAccept(NotAcceptedReason.LITIGATION_ARBITRATION_RECONSIDERATION, "应通过诉讼途径解决", null), t0, me)
            assertEquals(Status.NOT_ACCEPTED, refused.status)

            desk.device.act(order, WorkflowAction.Register(""), t0, me)
            desk.device.act(order, dispatchTo(UNIT_A), at("2026-03-02T10:00:00+08:00"), me)
            carry(desk, staff, order, at("2026-03-02T10:30:00+08:00"))
            val returnRequest = ReturnRequest("施工噪音属生态环境局职责", "《环境噪声污染防治法》第十条", "同意退回", "市生态环境局", "0995-1234567", true)
            assertEquals(Status.RETURN_REQUESTED, staff.device.act(order, WorkflowAction.RequestReturn(returnRequest), at("2026-03-02T11:00:00+08:00")).status)
            carry(staff, desk, order, at("2026-03-02T11:30:00+08:00"))
            assertEquals(Status.DISPATCHED, desk.device.act(order, WorkflowAction.DecideReturn(false, "属于乡镇综合执法职责"), at("2026-03-02T12:00:00+08:00"), me).status)

            carry(desk, staff, order, at("2026-03-02T12:30:00+08:00"))
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T13:00:00+08:00"))
            assertEquals(Status.EXTENSION_REQUESTED, staff.device.act(order, WorkflowAction.RequestExtension(ExtensionRequest(5u, "需协调施工单位调整工期")), at("2026-03-03T09:00:00+08:00")).status)
            carry(staff, desk, order, at("2026-03-03T09:30:00+08:00"))
            val granted = desk.device.act(order, WorkflowAction.DecideExtension(true, ""), at("2026-03-03T10:00:00+08:00"), me)
            assertEquals(ExtensionDecision.APPROVED, granted.extensions.single().decision)

            carry(desk, staff, order, at("2026-03-03T10:30:00+08:00"))
            staff.device.act(order, replyOf(UNIT_A), at("2026-03-04T10:00:00+08:00"))
            carry(staff, desk, order, at("2026-03-04T10:30:00+08:00"))
            desk.device.act(order, WorkflowAction.Review(true, ""), at("2026-03-04T11:00:00+08:00"), me)
            assertEquals(Status.DISSATISFIED, desk.device.act(order, WorkflowAction.Callback(Satisfaction.DISSATISFIED, "仍有噪音", Satisfaction.SATISFIED), at("2026-03-05T10:00:00+08:00"), "callback-1").status)
            val reopened = desk.device.act(order, WorkflowAction.Reopen("诉求人不满意"), at("2026-03-05T11:00:00+08:00"), me)
            assertEquals(Status.IN_HANDLING, reopened.status)
            assertEquals(1u, reopened.reopenCount)

            carry(desk, staff, order, at("2026-03-05T11:30:00+08:00"))
            val stated = staff.device.act(order, WorkflowAction.DutyStatement("已依法履责，持续跟进", false), at("2026-03-05T12:00:00+08:00"))
            assertEquals("已依法履责，持续跟进", stated.dutyStatements.single().text)
            val actions = stated.history.map { it.action }.toSet()
            for (name in listOf("submit", "register", "dispatch", "request_return", "decide_return", "sign_for", "request_extension", "decide_extension", "reply", "review", "callback", "reopen", "duty_statement")) {
                assertEquals(true, name in actions, "history has $name: $actions")
            }
        }
    }
}
