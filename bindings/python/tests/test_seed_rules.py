"""The corrected seed rules through the Python bindings: a Puyang emergency goes out with its
report to the duty office (puyang-2020 §(四)) and a Turpan one is never extended (turpan-2021
art. 17); a 110 diversion not accepted on "other" grounds tells the citizen why (turpan-2021
art. 13); a unit fixed by coordination may not return the order (turpan-2021 art. 16)."""

import pytest

import hotline
from city_support import CENTER, UNIT_A, at, carry, center_desk, complaint, dispatch_to

A = hotline.WorkflowAction


def emergency(text="小区燃气管道泄漏"):
    request = complaint(text)
    request.kind = hotline.RequestKind.HELP
    request.emergency = True
    request.emergency_category = hotline.EmergencyCategory.UTILITY_OUTAGE
    return request


ME = "dispatcher-1"
T0 = at("2026-03-02T09:00:00+08:00")


async def at_the_desk(city, request):
    """A kiosk, unit A's staff and the center's desk; `request` submitted at the kiosk at T0
    and registered at the desk. Returns (kiosk, staff, desk, order)."""
    kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
    staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
    desk = await center_desk(city)
    await city.introduce(kiosk, staff, desk)
    order = (await kiosk.device.submit(request, T0)).order
    await carry(kiosk, desk, order, T0)
    await desk.device.act(order, A.REGISTER(note=""), T0, ME)
    return kiosk, staff, desk, order


def test_puyang_emergency_dispatch_needs_its_duty_office_report(puyang_city, run):
    city = puyang_city

    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, emergency())
        t0, me = T0, ME
        view = await desk.device.show(order)
        # puyang-2020 §(四): 立即转办 — due within the hour of registration.
        assert view.deadlines.dispatch_due == at("2026-03-02T10:00:00+08:00")
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await desk.device.act(order, dispatch_to(UNIT_A), t0, me)
        assert e.value.code == "missing_field"
        reported = A.DISPATCH(
            lead=UNIT_A,
            co_units=[],
            leader_approval=False,
            note="立即处置",
            duty_report=hotline.DutyOfficeReport(reported_at=t0, how="电话报告市政府值班室值班员王某"),
        )
        view = await desk.device.act(order, reported, t0, me)
        assert view.status == hotline.Status.DISPATCHED

    run(main())


def test_puyang_center_closes_a_dissatisfied_order_whose_reply_is_lawful(puyang_city, run):
    from test_flow import reply_of

    city = puyang_city

    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, complaint())
        t0, me = T0, ME
        await desk.device.act(order, dispatch_to(UNIT_A), t0, me)
        await carry(desk, staff, order, t0)
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T10:00:00+08:00"))
        await staff.device.act(order, reply_of(UNIT_A), at("2026-03-04T10:00:00+08:00"))
        await carry(staff, desk, order, at("2026-03-04T10:30:00+08:00"))
        await desk.device.act(order, A.REVIEW(approve=True, note=""), at("2026-03-04T11:00:00+08:00"), me)
        rated = await desk.device.act(
            order, A.CALLBACK(rating=hotline.Satisfaction.DISSATISFIED, note="仍不满意"), at("2026-03-05T10:00:00+08:00"), "callback-1"
        )
        assert rated.status == hotline.Status.DISSATISFIED
        # puyang-2020 §(六): 答复内容符合法律法规、政策规定.
        closed = await desk.device.act(
            order, A.CLOSE_AS_LAWFUL(basis="答复符合《噪声污染防治法》，施工许可合法有效"), at("2026-03-05T11:00:00+08:00"), me
        )
        assert closed.status == hotline.Status.CLOSED
        assert closed.lawful_closure == "答复符合《噪声污染防治法》，施工许可合法有效"

    run(main())


def test_turpan_emergency_is_never_extended(city, run):
    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, emergency("自来水主管道爆裂"))
        t0, me = T0, ME
        await desk.device.act(order, dispatch_to(UNIT_A), t0, me)
        await carry(desk, staff, order, t0)
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T09:10:00+08:00"))
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await staff.device.act(
                order,
                A.REQUEST_EXTENSION(request=hotline.ExtensionRequest(working_days=5, explanation="抢修")),
                at("2026-03-02T09:20:00+08:00"),
            )
        assert e.value.code == "extension_not_for_emergency"
        # turpan-2021 art. 26: the first response within 2 hours, then the center's force majeure.
        assert (await staff.device.show(order)).deadlines.response_due == at("2026-03-02T11:00:00+08:00")
        responded = await staff.device.act(order, A.FIRST_RESPONSE(note="已关闭阀门，抢修队到场"), at("2026-03-02T09:30:00+08:00"))
        assert responded.first_response == "已关闭阀门，抢修队到场"
        assert responded.deadlines.response_due is None
        await carry(staff, desk, order, at("2026-03-02T09:40:00+08:00"))
        excused = await desk.device.act(order, A.FORCE_MAJEURE(basis="特大沙尘暴，道路封闭"), at("2026-03-02T09:50:00+08:00"), me)
        assert excused.force_majeure == "特大沙尘暴，道路封闭"
        assert excused.deadlines.handling_due == at("2026-03-09T23:59:59+08:00")

    run(main())


def test_a_110_diversion_not_accepted_tells_the_citizen_why(city, run):
    async def main():
        intake = await city.member("intake-1", hotline.Role.INTAKE, CENTER)
        t0 = at("2026-03-02T09:00:00+08:00")
        request = complaint("要求查询邻居的住址")
        request.origin = hotline.Origin.DIVERTED110
        submitted = await intake.device.submit(request, t0)
        diverted = await intake.device.inbox(hotline.InboxFilter(origin=hotline.Origin.DIVERTED110))
        assert [r.order for r in diverted] == [submitted.order]
        assert await intake.device.inbox(hotline.InboxFilter(origin=hotline.Origin.PROVINCIAL_HOTLINE)) == []
        await intake.device.act(
            submitted.order,
            A.NOT_ACCEPT(
                reason=hotline.NotAcceptedReason.OTHER,
                basis="《吐鲁番市12345政务服务便民热线管理办法》第二章",
                earlier_order=None,
                stated_reason="涉及他人个人信息，热线不提供查询",
            ),
            t0,
        )
        status = await intake.device.status(submitted.receipt)
        assert status.not_accepted.reason == hotline.NotAcceptedReason.OTHER
        assert status.not_accepted.reason_zh == "其他不予受理的事项"
        assert status.not_accepted.stated_reason == "涉及他人个人信息，热线不提供查询"
        assert "第二章" in status.not_accepted.basis

    run(main())


def test_a_unit_fixed_by_coordination_may_not_return_it(city, run):
    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, complaint())
        t0, me = T0, ME
        fixed = A.DISPATCH(
            lead=UNIT_A,
            co_units=[],
            leader_approval=False,
            note="",
            coordination=hotline.Coordination(
                method=hotline.CoordinationMethod.MEETING, record="3月2日协调会纪要：由古城路街道主办"
            ),
        )
        await desk.device.act(order, fixed, t0, me)
        await carry(desk, staff, order, t0)
        request = hotline.ReturnRequest(
            reason="不属本单位职责", basis="三定方案", leader_opinion="同意退回",
            suggestion="住建局", phone="0995-1234567", called_center=True,
        )
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await staff.device.act(order, A.REQUEST_RETURN(request=request), at("2026-03-02T10:00:00+08:00"))
        assert e.value.code == "return_after_coordination"

    run(main())


def test_a_linshu_order_with_leader_sign_off_and_a_non_compliant_closure(linshu_city, run):
    """linshu-2020 二(二): 主要负责人签批 → 分管负责人审核 → 回复注明牵头负责人; 考核 2(1): the
    callback asks whether the unit made contact; 考核 6(2): after a reopen the unit applies to
    close a non-compliant request and the center decides."""
    from test_flow import reply_of

    city = linshu_city

    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, complaint())
        head = await city.member("head-a", hotline.Role.UNIT_HEAD, UNIT_A)
        deputy = await city.member("deputy-a", hotline.Role.DEPUTY_HEAD, UNIT_A)
        await city.introduce(head, deputy, staff, desk)
        me = ME
        await desk.device.act(order, dispatch_to(UNIT_A), T0, me)
        await carry(desk, staff, order, T0)
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T09:10:00+08:00"))
        call = A.CONTACT(method=hotline.ContactMethod.PHONE, reached=True, note="已联系")
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await staff.device.act(order, call, at("2026-03-02T09:20:00+08:00"))
        assert e.value.code == "sign_off_first"

        await carry(staff, head, order, at("2026-03-02T09:30:00+08:00"))
        signed = await head.device.act(order, A.LEADER_SIGN_OFF(note="请城管科办理"), at("2026-03-02T09:40:00+08:00"))
        assert signed.sign_off.by.person == "head-a"
        await carry(head, staff, order, at("2026-03-02T09:50:00+08:00"))
        await staff.device.act(order, call, at("2026-03-02T10:00:00+08:00"))

        await carry(staff, deputy, order, at("2026-03-03T09:00:00+08:00"))
        approved = await deputy.device.act(order, A.APPROVE_RESULT(note="同意答复"), at("2026-03-03T09:10:00+08:00"))
        assert approved.result_approval.by.person == "deputy-a"
        await carry(deputy, staff, order, at("2026-03-03T09:20:00+08:00"))
        unnamed = reply_of(UNIT_A)
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await staff.device.act(order, unnamed, at("2026-03-03T10:00:00+08:00"))
        assert e.value.code == "missing_field"
        named = reply_of(UNIT_A)
        named.reply.responsible_leader = "deputy-a"
        replied = await staff.device.act(order, named, at("2026-03-03T10:00:00+08:00"))
        assert replied.status == hotline.Status.UNDER_REVIEW
        assert replied.replies[0].reply.responsible_leader == "deputy-a"

        await carry(staff, desk, order, at("2026-03-03T11:00:00+08:00"))
        await desk.device.act(order, A.REVIEW(approve=True, note=""), at("2026-03-03T11:10:00+08:00"), me)
        cb = "callback-1"
        unreached = await desk.device.act(order, A.CALLBACK_UNREACHED(note="无人接听"), at("2026-03-04T09:00:00+08:00"), cb)
        assert unreached.status == hotline.Status.AWAITING_CALLBACK
        assert [u.text for u in unreached.unreached_callbacks] == ["无人接听"]
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await desk.device.act(
                order, A.CALLBACK(rating=hotline.Satisfaction.DISSATISFIED, note="未联系我"), at("2026-03-04T10:00:00+08:00"), cb
            )
        assert e.value.code == "missing_field"
        rated = await desk.device.act(
            order,
            A.CALLBACK(rating=hotline.Satisfaction.DISSATISFIED, note="未联系我", unit_contacted=False),
            at("2026-03-04T10:00:00+08:00"),
            cb,
        )
        assert rated.ratings[0].unit_contacted is False
        await desk.device.act(order, A.REOPEN(reason="诉求人不满意"), at("2026-03-04T11:00:00+08:00"), me)

        await carry(desk, staff, order, at("2026-03-04T12:00:00+08:00"))
        application = hotline.ClosureApplication(
            ground=hotline.ClosureGround.NON_COMPLIANT, statement="诉求超出政策规定，已多次解释", evidence="走访记录、政策文件"
        )
        await staff.device.act(order, A.APPLY_CLOSURE(application=application), at("2026-03-05T09:00:00+08:00"))
        await carry(staff, desk, order, at("2026-03-05T09:30:00+08:00"))
        closed = await desk.device.act(order, A.DECIDE_CLOSURE(approve=True, note="同意按不合规诉求办结"), at("2026-03-05T10:00:00+08:00"), me)
        assert closed.status == hotline.Status.CLOSED
        assert closed.closure_applications[0].decision == hotline.ClosureDecision.APPROVED

    run(main())


def test_a_puyang_delay_notice_and_extension_reach_the_citizens_status(puyang_city, run):
    """puyang-2020 §(四) 确不能按时办结的 … 说明理由; 考核 1: extension on a statutory basis;
    turpan-2021 art. 18: the citizen is told of an approved extension."""
    city = puyang_city

    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, complaint())
        me = ME
        await desk.device.act(order, dispatch_to(UNIT_A), T0, me)
        await carry(desk, staff, order, T0)
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T09:10:00+08:00"))
        await staff.device.act(order, A.DELAY_NOTICE(reason="需办理占道审批"), at("2026-03-03T09:00:00+08:00"))
        ask = hotline.ExtensionRequest(working_days=5, explanation="占道审批需十个工作日")
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await staff.device.act(order, A.REQUEST_EXTENSION(request=ask), at("2026-03-03T09:10:00+08:00"))
        assert e.value.code == "missing_field"
        ask.statutory_limit = hotline.StatutoryLimit(working_days=20, basis="《城市道路管理条例》第三十条")
        await staff.device.act(order, A.REQUEST_EXTENSION(request=ask), at("2026-03-03T09:10:00+08:00"))
        await carry(staff, desk, order, at("2026-03-03T09:30:00+08:00"))
        await desk.device.act(order, A.DECIDE_EXTENSION(approve=True, note=""), at("2026-03-03T10:00:00+08:00"), me)
        receipt = (await desk.device.show(order)).details.receipt
        status = await desk.device.status(receipt)
        assert status.extension.working_days == 5
        assert status.extension.approved_at == at("2026-03-03T10:00:00+08:00")
        assert status.delay_notice.reason == "需办理占道审批"
        assert status.handling_due == at("2026-03-16T23:59:59+08:00")

    run(main())


def test_a_turpan_unit_passes_an_order_on_to_its_registered_sub_unit(city, run):
    """DOMAIN.md corrections (Turpan): sub-units registered with the center's approval; the unit
    passes an order on and stays responsible (it replies)."""
    from test_flow import reply_of

    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, complaint())
        sub = f"{UNIT_A}/village-1"
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await city.member("staff-v1", hotline.Role.STAFF, sub)
        assert e.value.code == "sub_unit_not_registered"
        assert UNIT_A in city.authority.register_sub_unit(sub, "市政务服务中心批复〔2026〕3号", T0)
        village = await city.member("staff-v1", hotline.Role.STAFF, sub)
        await city.introduce(village, staff, desk)
        await desk.device.act(order, dispatch_to(UNIT_A), T0, ME)
        await carry(desk, staff, order, T0)
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T09:10:00+08:00"))
        passed = await staff.device.act(order, A.PASS_ON(sub_unit=sub, note="请一村核实"), at("2026-03-02T09:20:00+08:00"))
        assert passed.sub_units == [sub]
        await carry(staff, village, order, at("2026-03-02T09:30:00+08:00"))
        assert (await village.device.contact(order, "回访 callback")).phone is not None
        visit = A.CONTACT(method=hotline.ContactMethod.VISIT, reached=True, note="已上门")
        await village.device.act(order, visit, at("2026-03-02T10:00:00+08:00"))
        await carry(village, staff, order, at("2026-03-02T10:30:00+08:00"))
        replied = await staff.device.act(order, reply_of(UNIT_A), at("2026-03-03T10:00:00+08:00"))
        assert replied.status == hotline.Status.UNDER_REVIEW
        assert [c.by.unit for c in replied.call_log] == [sub]

    run(main())


def test_a_turpan_order_dispatched_separately_waits_for_every_units_reply(city, run):
    """turpan-2021 art. 12: 按照职责规定分别转派至承办单位办理."""
    from test_flow import reply_of

    async def main():
        kiosk, staff, desk, order = await at_the_desk(city, complaint())
        other = await city.member("staff-b", hotline.Role.STAFF, "unit-shengli")
        await city.introduce(other, staff, desk)
        separately = A.DISPATCH(lead=UNIT_A, co_units=[], leader_approval=False, note="", separate_units=["unit-shengli"])
        view = await desk.device.act(order, separately, T0, ME)
        assert [t.unit for t in view.separate] == ["unit-shengli"]
        await carry(desk, staff, order, T0)
        await carry(desk, other, order, T0)
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T09:10:00+08:00"))
        await other.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T09:10:00+08:00"))
        first = await staff.device.act(order, reply_of(UNIT_A), at("2026-03-03T10:00:00+08:00"))
        assert first.status == hotline.Status.IN_HANDLING
        await carry(staff, other, order, at("2026-03-03T10:30:00+08:00"))
        theirs = reply_of("unit-shengli")
        done = await other.device.act(order, theirs, at("2026-03-03T11:00:00+08:00"))
        assert done.status == hotline.Status.UNDER_REVIEW

    run(main())
