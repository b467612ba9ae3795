"""The center desk through the Python bindings: the dispatcher's queues (to dispatch, then
nothing once dispatched) and the warnings of the moment, each naming its seed clause
(turpan-2021 art. 28/29; puyang-2020 考核办法四(三)1: overdue)."""

import hotline
from city_support import CENTER, UNIT_A, at, carry, center_desk, complaint, dispatch_to

ME = "dispatcher-1"


def test_the_desk_lists_what_waits_and_warns_when_overdue(puyang_city, run):
    city = puyang_city

    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        desk = await center_desk(city)
        await city.introduce(kiosk, desk)
        t0 = at("2026-03-02T09:00:00+08:00")
        order = (await kiosk.device.submit(complaint("幸福路口红绿灯坏了三天"), t0)).order
        await carry(kiosk, desk, order, t0)
        await desk.device.act(order, hotline.WorkflowAction.REGISTER(note=""), t0, ME)
        waiting = await desk.device.desk_queues(t0, ME, False)
        assert [e.queue for e in waiting.entries] == [hotline.Queue.TO_DISPATCH]
        assert waiting.entries[0].order == order
        # The callback agent's desk has nothing of the dispatcher's.
        assert (await desk.device.desk_queues(t0, "callback-1", False)).entries == []
        await desk.device.act(order, dispatch_to(UNIT_A), t0, ME)
        # Puyang: 5 working days, due Mon 9 Mar 23:59:59; on the 10th it is overdue.
        late = await desk.device.desk_queues(at("2026-03-10T10:00:00+08:00"), ME, False)
        assert all(e.queue != hotline.Queue.TO_DISPATCH for e in late.entries)
        overdue = [w for w in late.warnings if w.rule == hotline.WarningRule.OVERDUE]
        assert len(overdue) == 1
        assert overdue[0].grade == hotline.Grade.WARNING
        assert overdue[0].order == order
        assert "第二十八条" in overdue[0].clause

    run(main())
