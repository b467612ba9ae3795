"""Every workflow action through the Python bindings: instant answer, not accepted, a return
asked for and denied, an extension granted, a dissatisfied callback, a reopen, a duty
statement (the rest are in test_flow.py)."""

import hotline
from city_support import CENTER, UNIT_A, at, carry, center_desk, complaint, dispatch_to
from test_flow import reply_of

A = hotline.WorkflowAction


def test_every_workflow_action(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        # The unit's deputy leader handles it: the duty statement is a leader's (turpan-2021 附则).
        staff = await city.member("deputy-a", hotline.Role.DEPUTY_HEAD, UNIT_A)
        desk = await center_desk(city)
        await city.introduce(kiosk, staff, desk)
        t0 = at("2026-03-02T09:00:00+08:00")
        question = complaint("营业执照办理需要哪些材料")
        question.kind = hotline.RequestKind.INQUIRY
        inquiry = (await kiosk.device.submit(question, t0)).order
        off_topic = (await kiosk.device.submit(complaint("邻居家装修纠纷请法院判决"), t0)).order
        order = (await kiosk.device.submit(complaint(), t0)).order
        for o in (inquiry, off_topic, order):
            await carry(kiosk, desk, o, t0)
        me = "dispatcher-1"

        view = await desk.device.act(inquiry, A.INSTANT_ANSWER(kb_item="kb-12", answer="携带身份证到政务服务中心办理"), t0, me)
        assert view.status == hotline.Status.ANSWERED_INSTANTLY
        view = await desk.device.act(
            off_topic,
            A.NOT_ACCEPT(reason=hotline.NotAcceptedReason.LITIGATION_ARBITRATION_RECONSIDERATION, basis="应通过诉讼途径解决", earlier_order=None),
            t0, me,
        )
        assert view.status == hotline.Status.NOT_ACCEPTED

        await desk.device.act(order, A.REGISTER(note=""), t0, me)
        await desk.device.act(order, dispatch_to(UNIT_A), at("2026-03-02T10:00:00+08:00"), me)
        await carry(desk, staff, order, at("2026-03-02T10:30:00+08:00"))
        request = hotline.ReturnRequest(
            reason="施工噪音属生态环境局职责", basis="《环境噪声污染防治法》第十条", leader_opinion="同意退回",
            suggestion="市生态环境局", phone="0995-1234567", called_center=True,
        )
        view = await staff.device.act(order, A.REQUEST_RETURN(request=request), at("2026-03-02T11:00:00+08:00"))
        assert view.status == hotline.Status.RETURN_REQUESTED
        await carry(staff, desk, order, at("2026-03-02T11:30:00+08:00"))
        view = await desk.device.act(order, A.DECIDE_RETURN(approve=False, note="属于乡镇综合执法职责"), at("2026-03-02T12:00:00+08:00"), me)
        assert view.status == hotline.Status.DISPATCHED

        await carry(desk, staff, order, at("2026-03-02T12:30:00+08:00"))
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T13:00:00+08:00"))
        view = await staff.device.act(
            order, A.REQUEST_EXTENSION(request=hotline.ExtensionRequest(working_days=5, explanation="需协调施工单位调整工期")),
            at("2026-03-03T09:00:00+08:00"),
        )
        assert view.status == hotline.Status.EXTENSION_REQUESTED
        await carry(staff, desk, order, at("2026-03-03T09:30:00+08:00"))
        view = await desk.device.act(order, A.DECIDE_EXTENSION(approve=True, note=""), at("2026-03-03T10:00:00+08:00"), me)
        assert [e.decision for e in view.extensions] == [hotline.ExtensionDecision.APPROVED]

        await carry(desk, staff, order, at("2026-03-03T10:30:00+08:00"))
        await staff.device.act(order, reply_of(UNIT_A), at("2026-03-04T10:00:00+08:00"))
        await carry(staff, desk, order, at("2026-03-04T10:30:00+08:00"))
        await desk.device.act(order, A.REVIEW(approve=True, note=""), at("2026-03-04T11:00:00+08:00"), me)
        view = await desk.device.act(
            order, A.CALLBACK(rating=hotline.Satisfaction.DISSATISFIED, note="仍有噪音", service_rating=hotline.Satisfaction.SATISFIED), at("2026-03-05T10:00:00+08:00"), "callback-1"
        )
        assert view.status == hotline.Status.DISSATISFIED
        view = await desk.device.act(order, A.REOPEN(reason="诉求人不满意"), at("2026-03-05T11:00:00+08:00"), me)
        assert (view.status, view.reopen_count) == (hotline.Status.IN_HANDLING, 1)

        await carry(desk, staff, order, at("2026-03-05T11:30:00+08:00"))
        view = await staff.device.act(order, A.DUTY_STATEMENT(text="已依法履责，持续跟进", non_compliant=False), at("2026-03-05T12:00:00+08:00"))
        assert [d.text for d in view.duty_statements] == ["已依法履责，持续跟进"]
        assert {
            "register", "dispatch", "request_return", "decide_return", "sign_for", "request_extension",
            "decide_extension", "reply", "review", "callback", "reopen", "duty_statement",
        } <= {h.action for h in view.history}

    run(main())
