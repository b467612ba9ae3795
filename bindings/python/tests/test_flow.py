"""The life of a work order through the Python bindings: kiosk → center → township phone →
field supervisor → center, every step signed on its own device and carried to the next."""

import hotline
from city_support import CENTER, JPEG_START, UNIT_A, at, carry, center_desk, complaint, content_name, dispatch_to, gps, photo


class ListKnowledgeBase(hotline.KnowledgeBase):
    def __init__(self, items):
        self.items = items

    def search(self, query, limit):
        return [i for i in self.items if query in i.title or query in i.answer][:limit]


def reply_of(unit):
    return hotline.WorkflowAction.REPLY(
        reply=hotline.ReplyContent(
            handled_at=at("2026-03-04T09:00:00+08:00"), unit=unit, handler="张三",
            result="施工单位已调整作业时间", legal_basis="《环境噪声污染防治法》",
            citizen_informed_how="电话告知", case=hotline.CaseInfo.NOT_FILED(reason="不涉及违法行为"),
        )
    )


def test_kiosk_to_center_to_township_to_supervisor(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
        center = await center_desk(city)
        supervisor = await city.member("supervisor-1", hotline.Role.SUPERVISOR, CENTER)
        await city.introduce(kiosk, staff, center, supervisor)
        assert {p.person for p in await center.device.identities()} == {"dispatcher-1", "callback-1"}

        kiosk.device.set_knowledge_base(ListKnowledgeBase([
            hotline.KnowledgeItem(id="kb-7", title="夜间施工", answer="夜间22时至次日6时禁止产生噪声的建筑施工作业"),
        ]))
        assert [i.id for i in await kiosk.device.search_knowledge("施工", 5)] == ["kb-7"]
        submitted = await kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00"))
        order = submitted.order
        status = await kiosk.device.status(submitted.receipt.lower())
        assert (status.status, status.status_zh) == (hotline.Status.SUBMITTED, "已提交")
        assert kiosk.custody.signatures >= 1

        assert (await carry(kiosk, center, order, at("2026-03-02T09:30:00+08:00"))).applied == 1
        assert (await center.device.contact(order, "回访 callback", "dispatcher-1")).phone == "13912345678"
        t1 = at("2026-03-02T10:00:00+08:00")
        await center.device.act(order, hotline.WorkflowAction.REGISTER(note="受理"), t1, "dispatcher-1")
        view = await center.device.act(order, dispatch_to(UNIT_A), t1, "dispatcher-1")
        assert (view.status, view.lead_unit) == (hotline.Status.DISPATCHED, UNIT_A)

        await carry(center, staff, order, at("2026-03-02T10:30:00+08:00"))
        inbox = await staff.device.inbox(hotline.InboxFilter(unit=UNIT_A))
        assert [r.order for r in inbox] == [order]
        assert inbox[0].next_due_kind == hotline.DeadlineKind.SIGN_FOR
        assert inbox[0].next_due == at("2026-03-02T22:00:00+08:00")
        assert (await staff.device.contact(order, "回访 callback")).name == "王秀英"
        signed = await staff.device.act(order, hotline.WorkflowAction.SIGN_FOR(note="已签收"), at("2026-03-02T11:00:00+08:00"))
        assert signed.status == hotline.Status.IN_HANDLING
        await staff.device.act(
            order, hotline.WorkflowAction.CONTACT(method=hotline.ContactMethod.PHONE, reached=True, note="已电话联系诉求人"),
            at("2026-03-02T11:30:00+08:00"),
        )
        view = await staff.device.add_evidence(
            order, [photo(bytes([7]) * 299_996, "2026-03-03T15:00:00+08:00", 35.7601, 115.0302)],
            at("2026-03-03T15:05:00+08:00"), gps(35.7601, 115.0302), "现场核实：施工单位已停止夜间作业",
        )
        shot = view.site_evidence[0].evidence.photos[0]
        assert (shot.size, shot.gps.lat) == (300_000, 35.7601)
        # Named by the digest of its bytes, the city's: SHA-256, or SM3 in a city of the national suite.
        assert shot.sha256 == content_name(JPEG_START + bytes([7]) * 299_996)
        assert shot.device
        assert view.call_log[0].method == hotline.ContactMethod.PHONE

        await carry(staff, supervisor, order, at("2026-03-03T15:30:00+08:00"))
        await supervisor.device.act(
            order,
            hotline.WorkflowAction.SUPERVISE(
                trigger=hotline.SupervisionTrigger.HOT_ISSUE, form=hotline.SupervisionForm.ON_SITE, note="群众反映集中"
            ),
            at("2026-03-03T16:00:00+08:00"),
        )
        form = hotline.SiteSupervisionInput(
            place="古城路施工现场", held_at=at("2026-03-03T16:30:00+08:00"), people_present=["张三", "施工单位负责人"],
            findings="夜间已停工", action_taken="要求书面承诺",
            photos=[photo(b"site form photo", "2026-03-03T16:40:00+08:00")], gps=gps(35.76, 115.03),
        )
        view = await supervisor.device.site_supervision(order, form, at("2026-03-03T17:00:00+08:00"))
        assert view.site_supervisions[0].form.place == "古城路施工现场"

        view = await staff.device.act(order, reply_of(UNIT_A), at("2026-03-04T10:00:00+08:00"))
        assert view.status == hotline.Status.UNDER_REVIEW
        await carry(staff, center, order, at("2026-03-04T10:30:00+08:00"))
        await carry(supervisor, center, order, at("2026-03-04T10:30:00+08:00"))
        await center.device.act(order, hotline.WorkflowAction.REVIEW(approve=True, note=""), at("2026-03-04T11:00:00+08:00"), "dispatcher-1")
        closed = await center.device.act(
            order, hotline.WorkflowAction.CALLBACK(rating=hotline.Satisfaction.SATISFIED, note="回访满意", service_rating=hotline.Satisfaction.VERY_SATISFIED),
            at("2026-03-05T10:00:00+08:00"), "callback-1",
        )
        assert closed.status == hotline.Status.CLOSED
        assert (len(closed.supervisions), len(closed.site_supervisions), len(closed.site_evidence)) == (1, 1, 1)
        assert closed.ratings[0].rating == hotline.Satisfaction.SATISFIED
        assert all(h.outcome == "applied" for h in closed.history)
        assert '"status":"closed"' in closed.state_json

        await carry(center, kiosk, order, at("2026-03-05T11:00:00+08:00"))
        final = await kiosk.device.status(submitted.receipt)
        assert final.status == hotline.Status.CLOSED and final.next_due is None
        assert len((await kiosk.device.show(order)).history) == len(closed.history)
        for m in (kiosk, staff, center, supervisor):
            report = await m.device.verify()
            assert report.ok, (m.person, report.problems)
            assert report.changes_checked > 0

    run(main())


def test_overdue_and_inbox_filters(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
        desk = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
        await city.introduce(kiosk, staff, desk)
        t0 = at("2026-03-02T09:00:00+08:00")
        order = (await kiosk.device.submit(complaint("小区路灯不亮"), t0)).order
        await carry(kiosk, desk, order, t0)
        await desk.device.act(order, hotline.WorkflowAction.REGISTER(note=""), t0)
        await desk.device.act(order, dispatch_to(UNIT_A), t0)
        await carry(desk, staff, order, t0)
        assert await staff.device.overdue(at("2026-03-09T09:00:00+08:00")) == []
        late = await staff.device.overdue(at("2026-04-20T09:00:00+08:00"), hotline.InboxFilter(unit=UNIT_A))
        assert [r.order for r in late] == [order] and late[0].handling_due is not None
        assert await staff.device.inbox(hotline.InboxFilter(statuses=[hotline.Status.CLOSED])) == []
        assert len(await staff.device.inbox(hotline.InboxFilter(due_before=at("2026-03-02T23:00:00+08:00")))) == 1
        assert not (await staff.device.inbox())[0].terminal

    run(main())
