"""The app's key custody, the change listener, progress and cancel, and concurrent async calls."""

import asyncio

import pytest

import hotline
from city_support import CALLED, CENTER, KEY_BYTES, SUITE, Tracked, at, carry, complaint, construct


def test_app_key_signs_and_the_device_reopens_with_it(city, run):
    async def main():
        # The app generates a key of the city's kind (SM2 in a city of the national suite).
        assert city.authority.crypto_suite() == SUITE
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        assert len(kiosk.custody.public_key()) == KEY_BYTES
        before = kiosk.custody.signatures
        order = (await kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00"))).order
        assert kiosk.custody.signatures == before + 1
        reopened = await hotline.HotlineDevice.open(city.dir("kiosk-1"), kiosk.custody)
        assert (await reopened.show(order)).status == hotline.Status.SUBMITTED

    run(main())


def test_key_custody_failures_are_typed(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        now = at("2026-03-02T09:00:00+08:00")
        kiosk.custody.locked = True
        with pytest.raises(hotline.HotlineError.KeyCustody) as e:
            await kiosk.device.submit(complaint(), now)
        assert e.value.code == "signing_failed" and "key_locked" in e.value.message_en
        kiosk.custody.locked = False
        assert await kiosk.device.inbox() == []

        class Crashing(hotline.DeviceKeyCustody):
            def public_key(self):
                return kiosk.custody.public_key()

            def sign(self, message):
                raise RuntimeError("keystore service died")

        broken = await hotline.HotlineDevice.open(city.dir("kiosk-1"), Crashing())
        with pytest.raises(hotline.HotlineError.KeyCustody) as e:
            await broken.submit(complaint(), now)
        assert e.value.code == "signing_failed"

        class Short(hotline.DeviceKeyCustody):
            def public_key(self):
                return bytes(31)

            def sign(self, message):
                return bytes(64)

        with pytest.raises(hotline.HotlineError.KeyCustody) as e:
            await hotline.HotlineDevice.open(city.dir("kiosk-1"), Short())
        assert e.value.code == "invalid_public_key"

    run(main())


class Recording(hotline.OrderChangeListener):
    def __init__(self):
        self.batches = []

    def on_orders_changed(self, orders):
        self.batches.append(list(orders))


def test_change_listener_fires_after_actions_and_imports(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        desk = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
        await city.introduce(kiosk, desk)
        on_kiosk, on_desk = Recording(), Recording()
        kiosk.device.set_change_listener(on_kiosk)
        desk.device.set_change_listener(on_desk)
        t0 = at("2026-03-02T09:00:00+08:00")
        order = (await kiosk.device.submit(complaint(), t0)).order
        assert on_kiosk.batches == [[order]]
        await carry(kiosk, desk, order, t0)
        await carry(kiosk, desk, order, t0)
        assert on_desk.batches == [[order]], "a replay changes nothing and tells nothing"
        await desk.device.act(order, hotline.WorkflowAction.REGISTER(note=""), t0)
        assert len(on_desk.batches) == 2
        desk.device.set_change_listener(None)
        await desk.device.act(order, hotline.WorkflowAction.DISPATCH(lead="unit-gucheng", co_units=[], leader_approval=False, note=""), t0)
        assert len(on_desk.batches) == 2

    run(main())


async def three_orders(city):
    kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
    changes = []
    for i in range(1, 4):
        order = (await kiosk.device.submit(complaint(f"第{i}件诉求"), at(f"2026-03-02T09:0{i}:00+08:00"))).order
        changes += await kiosk.device.export_changes(order)
    return kiosk, changes


def test_cancel_stops_a_bulk_import_and_progress_is_reported(city, run):
    async def main():
        kiosk, changes = await three_orders(city)
        desk = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
        await city.introduce(kiosk, desk)
        cancel = Tracked(construct("CancelHandle.new", hotline.CancelHandle()), "CancelHandle")
        seen = []

        class Progress(hotline.ProgressListener):
            def on_progress(self, done, total):
                seen.append((done, total))
                if done == 1:
                    cancel.cancel()

        with pytest.raises(hotline.HotlineError.Cancelled) as e:
            await desk.device.import_changes(changes, at("2026-03-02T10:00:00+08:00"), Progress(), cancel._inner)
        assert e.value.code == "cancelled"
        assert cancel.is_cancelled()
        assert seen == [(1, 3)]
        assert len(await desk.device.inbox()) == 1
        rest = await desk.device.import_changes(changes, at("2026-03-02T10:05:00+08:00"))
        assert (rest.applied, rest.already_had) == (2, 1)
        assert (await desk.device.import_change(changes[0], at("2026-03-02T10:06:00+08:00"))) == hotline.ImportOutcome.ALREADY_HAD

        stop = hotline.CancelHandle()
        stop.cancel()
        with pytest.raises(hotline.HotlineError.Cancelled):
            await desk.device.verify(stop)
        assert (await desk.device.verify(hotline.CancelHandle())).ok

    run(main())


def test_async_calls_run_concurrently(city, run):
    async def main():
        one = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        two = await city.member("kiosk-2", hotline.Role.KIOSK, CENTER)
        calls = [
            (one if i % 2 else two).device.submit(complaint(f"并发提交第{i}件"), at("2026-03-02T09:00:00+08:00"))
            for i in range(8)
        ]
        submitted = await asyncio.wait_for(asyncio.gather(*calls), timeout=60)
        assert len({s.order for s in submitted}) == 8
        assert len(await one.device.inbox()) == 4 and len(await two.device.inbox()) == 4

    run(main())
