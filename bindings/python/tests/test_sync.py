"""Sync through a city hub running in this process (the bindings' TestHub): the life of an order
with every device syncing instead of carrying changes by hand, progress, cancel, the kiosk's
live receipt lookup, typed errors, and offline bundle files from a village to its township."""

import socket
import threading
from pathlib import Path

import pytest

import hotline
from city_support import CENTER, UNIT_A, Tracked, at, center_desk, complaint, construct, dispatch_to, gps, photo
from test_custody_listeners_cancel import Recording
from test_flow import reply_of

A = hotline.WorkflowAction
P = hotline.SyncPhase


class RecordingProgress(hotline.SyncProgressListener):
    """Records what a sync reports and on which thread; may cancel once the sync exchanges."""

    def __init__(self, cancel_when_exchanging=None):
        self.heard = []
        self.threads = []
        self.cancel = cancel_when_exchanging

    def on_sync_progress(self, phase, so_far):
        self.heard.append((phase, so_far))
        self.threads.append(threading.get_ident())
        if phase == P.EXCHANGING and self.cancel is not None:
            self.cancel.cancel()


def test_kiosk_to_center_to_township_to_supervisor_through_the_hub(city, run):
    async def main():
        hub = await city.start_hub()
        url = hub.url()
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
        center = await center_desk(city)
        supervisor = await city.member("supervisor-1", hotline.Role.SUPERVISOR, CENTER)
        # No `introduce`: certificates and unit keys arrive with the first sync.

        submitted = await kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00"))
        order = submitted.order
        up = await kiosk.device.sync(url)
        assert (up.pushed, up.photos_up, up.hub) == (1, 1, hub.node_id())
        assert up.bytes_sent > 0 and up.rounds >= 1

        told = Recording()
        center.device.set_change_listener(told)
        pulled = await center.device.sync(url, "dispatcher-1")
        assert (pulled.pulled, pulled.photos_down) == (1, 1)
        assert told.batches == [[order]], "the change listener hears the pulled order"
        assert (await center.device.contact(order, "回访 callback", "dispatcher-1")).phone == "13912345678"
        t1 = at("2026-03-02T10:00:00+08:00")
        await center.device.act(order, A.REGISTER(note="受理"), t1, "dispatcher-1")
        await center.device.act(order, dispatch_to(UNIT_A), t1, "dispatcher-1")
        assert (await center.device.sync(url, "dispatcher-1")).pushed == 2

        assert (await staff.device.sync(url)).pulled == 3
        [row] = await staff.device.inbox(hotline.InboxFilter(unit=UNIT_A))
        assert (row.order, row.next_due_kind) == (order, hotline.DeadlineKind.SIGN_FOR)
        assert (await staff.device.contact(order, "回访 callback")).name == "王秀英"
        await staff.device.act(order, A.SIGN_FOR(note="已签收"), at("2026-03-02T11:00:00+08:00"))
        await staff.device.act(
            order, A.CONTACT(method=hotline.ContactMethod.PHONE, reached=True, note="已电话联系诉求人"),
            at("2026-03-02T11:30:00+08:00"),
        )
        await staff.device.add_evidence(
            order, [photo(bytes(range(256)) * 1200, "2026-03-03T15:00:00+08:00", 35.7601, 115.0302)],
            at("2026-03-03T15:05:00+08:00"), gps(35.7601, 115.0302), "现场核实：施工单位已停止夜间作业",
        )
        staff_up = await staff.device.sync(url)
        assert (staff_up.pushed, staff_up.photos_up) == (3, 1)

        seen = await supervisor.device.sync(url)
        assert seen.pulled == 6 and seen.photos_down >= 2, seen
        await supervisor.device.act(
            order,
            A.SUPERVISE(trigger=hotline.SupervisionTrigger.HOT_ISSUE, form=hotline.SupervisionForm.ON_SITE, note="群众反映集中"),
            at("2026-03-03T16:00:00+08:00"),
        )
        form = hotline.SiteSupervisionInput(
            place="古城路施工现场", held_at=at("2026-03-03T16:30:00+08:00"), people_present=["张三"],
            findings="夜间已停工", action_taken="要求书面承诺",
            photos=[photo(b"site form photo", "2026-03-03T16:40:00+08:00")], gps=gps(35.76, 115.03),
        )
        await supervisor.device.site_supervision(order, form, at("2026-03-03T17:00:00+08:00"))
        assert (await supervisor.device.sync(url)).pushed == 2

        await staff.device.sync(url)
        await staff.device.act(order, reply_of(UNIT_A), at("2026-03-04T10:00:00+08:00"))
        await staff.device.sync(url)
        await center.device.sync(url, "dispatcher-1")
        await center.device.act(order, A.REVIEW(approve=True, note=""), at("2026-03-04T11:00:00+08:00"), "dispatcher-1")
        closed = await center.device.act(
            order, A.CALLBACK(rating=hotline.Satisfaction.SATISFIED, note="回访满意", service_rating=hotline.Satisfaction.VERY_SATISFIED),
            at("2026-03-05T10:00:00+08:00"), "callback-1",
        )
        assert closed.status == hotline.Status.CLOSED

        # Everyone syncs (twice: what one pushes, the others pull next time): all in step. The
        # desk syncs as one person throughout (sync cursors are kept per person).
        for _ in range(2):
            await center.device.sync(url, "dispatcher-1")
            for m in (staff, supervisor, kiosk):
                await m.device.sync(url)
        views = [await m.device.show(order) for m in (center, staff, supervisor)]
        assert {v.status for v in views} == {hotline.Status.CLOSED}
        assert len({v.state_json for v in views}) == 1, "identical state on every device"
        assert {len(v.history) for v in views} == {len(closed.history)}
        for m, who in ((center, "dispatcher-1"), (staff, None), (supervisor, None)):
            settled = await m.device.sync(url, who)
            assert (settled.pushed, settled.pulled, settled.photos_waiting) == (0, 0, 0)
            assert (await m.device.verify()).ok

        # The kiosk received nothing (a public device) but looks the receipt up live.
        assert (await kiosk.device.status(submitted.receipt)).status == hotline.Status.SUBMITTED
        live = await kiosk.device.receipt_status(url, submitted.receipt.lower())
        assert live.status == hotline.Status.CLOSED and live.next_due is None
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await kiosk.device.receipt_status(url, "ABC")
        assert e.value.code.startswith("receipt_")
        await hub.stop()

    run(main())


def test_progress_listener_hears_every_phase_in_order(city, run):
    async def main():
        hub = await city.start_hub()
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        for i in range(1, 4):
            await kiosk.device.submit(complaint(f"第{i}件诉求"), at(f"2026-03-02T09:0{i}:00+08:00"))
        progress = RecordingProgress()
        summary = await kiosk.device.sync(hub.url(), progress=progress)
        # Photos are stored by content: the same photo with three orders goes up once.
        assert (summary.pushed, summary.photos_up) == (3, 1)
        phases = [p for p, _ in progress.heard]
        order = [P.CONNECTING, P.EXCHANGING, P.SENDING_PHOTOS, P.FETCHING_PHOTOS, P.DONE]
        assert phases[0] == P.CONNECTING and set(order) <= set(phases)
        assert phases == sorted(phases, key=order.index), phases
        assert progress.heard[-1] == (P.DONE, summary)
        assert threading.get_ident() not in progress.threads, "told on a worker thread"
        await hub.stop()

    run(main())


def test_cancel_before_and_during_a_sync_then_it_resumes(city, run):
    async def main():
        hub = await city.start_hub()
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        order = (await kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00"))).order

        early = hotline.CancelHandle()
        early.cancel()
        with pytest.raises(hotline.HotlineError.Cancelled) as e:
            await kiosk.device.sync(hub.url(), cancel=early)
        assert e.value.code == "sync_cancelled" and e.value.message_zh

        cancel = Tracked(construct("CancelHandle.new", hotline.CancelHandle()), "CancelHandle")
        progress = RecordingProgress(cancel_when_exchanging=cancel)
        with pytest.raises(hotline.HotlineError.Cancelled) as e:
            await kiosk.device.sync(hub.url(), None, progress, cancel._inner)
        assert e.value.code == "sync_cancelled"
        assert cancel.is_cancelled()
        assert [p for p, _ in progress.heard] == [P.CONNECTING, P.EXCHANGING]

        resumed = await kiosk.device.sync(hub.url())
        assert (resumed.pushed, resumed.photos_up) == (1, 1)
        desk = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
        assert (await desk.device.sync(hub.url())).pulled == 1
        assert (await desk.device.show(order)).status == hotline.Status.SUBMITTED
        await hub.stop()

    run(main())


def test_sync_errors_are_typed_with_their_codes(city, run):
    async def main():
        hub = await city.start_hub()
        staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            nowhere = f"http://127.0.0.1:{s.getsockname()[1]}"
        with pytest.raises(hotline.HotlineError.Network) as e:
            await staff.device.sync(nowhere, options=hotline.SyncOptions(max_attempts=1))
        assert e.value.code == "sync_transport" and e.value.message_zh and e.value.message_en
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await staff.device.sync("hub.example")
        assert e.value.code == "bad_input"

        await staff.device.sync(hub.url())
        [me] = await staff.device.identities()
        city.authority.revoke([me.certificate_id], at("2026-03-02T10:30:00+08:00"))
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await staff.device.sync(hub.url())
        assert e.value.code == "certificate_revoked" and e.value.message_zh
        await hub.stop()
        await hub.stop()  # harmless

    run(main())


def test_bundle_from_village_to_township_applies_once(city, run):
    async def main():
        village = await city.member("kiosk-village", hotline.Role.KIOSK, CENTER)
        township = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
        now = at("2026-03-02T09:00:00+08:00")
        orders = []
        for i in (1, 2):
            request = complaint(f"村里第{i}件诉求")
            request.photos = [photo(f"village photo {i}".encode(), "2026-03-02T08:55:00+08:00")]
            orders.append((await village.device.submit(request, now)).order)
        stick = Path(city.dir("usb-stick"))
        stick.mkdir()
        file = str(stick / "village.hlb")

        made = await village.device.export_bundle(await township.device.node_id(), file, now)
        assert (made.made_by, made.made_for) == (await village.device.node_id(), await township.device.node_id())
        assert (made.changes, made.photos) == (2, 2) and made.file_size > 0

        told = Recording()
        township.device.set_change_listener(told)
        first = await township.device.import_bundle(file, at("2026-03-02T18:00:00+08:00"))
        assert (first.applied, first.photos, first.refused) == (2, 2, [])
        assert {o for batch in told.batches for o in batch} == set(orders)
        second = await township.device.import_bundle(file, at("2026-03-02T18:05:00+08:00"))
        assert (second.applied, second.already_had) == (0, 2)
        assert len(told.batches) == 1, "nothing new, nothing told"
        assert {r.order for r in await township.device.inbox()} == set(orders)

        damaged = stick / "damaged.hlb"
        damaged.write_bytes(Path(file).read_bytes()[:-10])
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await township.device.import_bundle(str(damaged), now)
        assert e.value.code == "bundle_damaged"
        assert (await township.device.verify()).ok

    run(main())
