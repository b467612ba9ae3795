"""Errors cross into Python as HotlineError subclasses with the core's stable code and its
Chinese and English messages."""

import pytest

import hotline
from city_support import CALLED, CENTER, SUITE, UNIT_A, at, carry, complaint, dispatch_to


def has_chinese(text):
    return any(ord(ch) > 0x2E80 for ch in text)


def test_refusal_is_typed_with_code_and_both_messages(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        order = (await kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00"))).order
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await kiosk.device.act(order, dispatch_to(UNIT_A), at("2026-03-02T09:05:00+08:00"))
        assert e.value.code == "wrong_role"
        assert has_chinese(e.value.message_zh) and e.value.message_en
        assert isinstance(e.value, hotline.HotlineError)
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await kiosk.device.contact(order, "回访 callback")
        assert e.value.code == "contact_not_visible"
        # No stated purpose, no contact: every opening is entered in the access log.
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await kiosk.device.contact(order, "  ")
        assert e.value.code == "access_purpose_required"

    run(main())


def test_invalid_input_not_found_and_bad_json(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        now = at("2026-03-02T09:00:00+08:00")
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await kiosk.device.submit(complaint("   "), now)
        assert e.value.code == "bad_input" and has_chinese(e.value.message_zh)
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await kiosk.device.status("ABC")
        assert e.value.code.startswith("receipt_")
        with pytest.raises(hotline.HotlineError.NotFound) as e:
            await kiosk.device.show("wo-missing")
        assert e.value.code == "unknown_order"
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            await kiosk.device.set_revocations("{not json")
        assert e.value.code == "bad_input"
        with pytest.raises(hotline.HotlineError.InvalidInput) as e:
            hotline.CityAuthority.create(city.dir("hub2"), "atlantis", SUITE)
        assert e.value.code == "policy_unknown_preset"
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await hotline.HotlineDevice.open(city.dir("empty"))
        CALLED.add("HotlineDevice.open")
        assert e.value.code == "device_not_initialised"

    run(main())


def test_revoked_certificate_is_refused_on_import(city, run):
    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
        desk = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
        await city.introduce(kiosk, staff, desk)
        t0 = at("2026-03-02T09:00:00+08:00")
        order = (await kiosk.device.submit(complaint(), t0)).order
        await carry(kiosk, desk, order, t0)
        await desk.device.act(order, hotline.WorkflowAction.REGISTER(note=""), t0)
        await desk.device.act(order, dispatch_to(UNIT_A), t0)
        await carry(desk, staff, order, t0)
        await staff.device.act(order, hotline.WorkflowAction.SIGN_FOR(note="已签收"), at("2026-03-02T11:00:00+08:00"))
        cert = (await staff.device.identities())[0].certificate_id
        await desk.device.set_revocations(city.authority.revoke([cert], at("2026-03-02T10:30:00+08:00")))
        summary = await carry(staff, desk, order, at("2026-03-02T12:00:00+08:00"))
        assert summary.applied == 0
        assert [r.code for r in summary.refused] == ["certificate_revoked"]
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await desk.device.import_change((await staff.device.export_changes(order))[-1], at("2026-03-02T12:00:00+08:00"))
        assert e.value.code == "certificate_revoked"
        assert (await desk.device.show(order)).status == hotline.Status.DISPATCHED

    run(main())
