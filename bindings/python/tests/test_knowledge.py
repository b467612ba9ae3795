"""The knowledge base and the duplicate check through the Python bindings: a unit publishes an
item, the kiosk receives it through the hub, finds it offline and answers an inquiry from it
naming the version (Puyang: 知识库; 直接答复率); the same matter at the same place is offered
before a new order is opened (DOMAIN.md not-accepted reason 7; Linshu 二(五))."""

import pytest

import hotline
from city_support import CENTER, UNIT_A, at, complaint


def test_a_units_item_reaches_the_kiosk_which_answers_from_it(puyang_city, run):
    city = puyang_city

    async def main():
        hub = await city.start_hub()
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        staff = await city.member("staff-a", hotline.Role.STAFF, UNIT_A)
        t0 = at("2026-03-02T09:00:00+08:00")
        fields = hotline.KbFields(
            legal_basis="《居住证暂行条例》", conditions="居住满半年", materials="身份证、居住登记凭证",
            process="", fees="免费", place="派出所户籍窗口", time_limit="15个工作日", notes="")
        draft = hotline.KbDraftInput(
            id="kb-residence", title="居住证办理", answer="在本市居住满半年的，可以申领居住证。", fields=fields)
        item = await staff.device.kb_publish(draft, t0)
        assert item.version == 1
        await staff.device.sync(hub.url())
        await kiosk.device.sync(hub.url())
        hits = await kiosk.device.kb_search("怎么办居住证", 3, t0)
        assert hits[0].item.id == "kb-residence"
        assert hits[0].item.fields.place == "派出所户籍窗口"
        assert (await kiosk.device.kb_item("kb-residence")).title == "居住证办理"
        assert [i.id for i in await kiosk.device.kb_items()] == ["kb-residence"]
        inquiry = hotline.SubmitRequest(
            kind=hotline.RequestKind.INQUIRY,
            text="请问居住证怎么办理",
            location=hotline.Location(address="古城街道便民服务中心", division_code="410902001", gps=None),
        )
        answered = await kiosk.device.answer_from_kb(inquiry, "kb-residence", 1, t0)
        assert (await kiosk.device.status(answered.receipt)).status == hotline.Status.ANSWERED_INSTANTLY
        # A version nobody published is a typed refusal.
        with pytest.raises(hotline.HotlineError.NotFound) as e:
            await kiosk.device.answer_from_kb(inquiry, "kb-residence", 7, t0)
        assert e.value.code == "kb_item_unknown"
        await staff.device.kb_policy_changed("kb-residence", "2026-03-01", t0, "新条例")
        owed = await staff.device.kb_duties(at("2026-03-12T09:00:00+08:00"))
        assert [(d.due, d.days_late) for d in owed] == [("2026-03-08", 4)]

    run(main())


def test_the_same_matter_is_offered_before_a_new_order_is_opened(puyang_city, run):
    city = puyang_city

    async def main():
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        t0 = at("2026-03-02T09:00:00+08:00")
        first = (await kiosk.device.submit(complaint("路灯全都不亮，晚上一片漆黑"), t0)).order
        again = complaint("路灯坏了好几天，晚上一片漆黑看不见路")
        offered = await kiosk.device.intake_candidates(again, t0)
        assert [(c.order, c.relation) for c in offered] == [(first, hotline.MatchRelation.JOINS)]
        joined = await kiosk.device.submit_matched(again, first, hotline.MatchRelation.JOINS, t0)
        assert joined.order != first
        assert await kiosk.device.intake_candidates(complaint("有人占道摆摊卖菜，堵住了路"), t0) == []

    run(main())
