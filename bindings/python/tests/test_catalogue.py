"""Categories and the dispatch catalogue through the bindings, with the city hub in this
process: the city issues its catalogue, a kiosk that never saw it gets it by sync and fills a
category's form at intake (typed answers; a typed refusal for a bad one), the center's desk
sees the answers, gets the catalogue's proposal, merges a repeated request (并单) and splits one
about two matters (拆单); the hub shows the citizens their receipts' status."""

from pathlib import Path

import pytest

import hotline
from city_support import CENTER, UNIT_A, at, carry, center_desk, complaint

A = hotline.WorkflowAction

# The street catalogue both SDK suites issue.
STREET_CATALOGUE = (Path(__file__).parents[2] / "tests" / "data" / "street-catalogue.toml").read_text()


def streetlight(seen_at="2026-03-01T20:00:00+08:00"):
    return hotline.CategoryInput(
        code="0102",
        answers=[
            hotline.AttributeAnswer(code="facility", value="streetlight"),
            hotline.AttributeAnswer(code="seen_at", value=seen_at),
        ],
    )


def with_category(request, category):
    request.category = category
    return request


def test_a_kiosk_fills_a_category_form_and_the_desk_dispatches_merges_and_splits(city, run):
    async def main():
        # The kiosk is enrolled before the catalogue is issued: it gets it by sync.
        kiosk = await city.member("kiosk-1", hotline.Role.KIOSK, CENTER)
        assert city.authority.issue_catalogue(STREET_CATALOGUE, at("2026-02-01T00:00:00+08:00")) == 2
        desk = await center_desk(city)
        hub = await city.start_hub()
        assert await kiosk.device.catalogue_version() == 1
        await kiosk.device.sync(hub.url())
        assert await kiosk.device.catalogue_version() == 2
        [top] = await kiosk.device.categories(None)
        assert (top.code, top.name_zh, top.has_children) == ("0102", "市政设施", False)
        form = await kiosk.device.category("0102")
        assert [(a.code, a.datatype, a.required) for a in form.attributes] == [
            ("facility", "singlevaluelist", True),
            ("count", "number", False),
            ("seen_at", "datetime", False),
        ]
        assert [c.key for c in form.attributes[0].choices] == ["streetlight", "road"]

        t0 = at("2026-03-02T09:00:00+08:00")
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await kiosk.device.submit(with_category(complaint(), streetlight("yesterday")), t0)
        assert e.value.code == "attribute_bad_value"
        with pytest.raises(hotline.HotlineError.Refused) as e:
            await kiosk.device.category("9999")
        assert e.value.code == "category_unknown"

        first = await kiosk.device.submit(with_category(complaint("古城路路灯不亮"), streetlight()), t0)
        repeat = await kiosk.device.submit(with_category(complaint("古城路路灯坏了"), streetlight()), t0)
        mixed = await kiosk.device.submit(complaint("路灯不亮，路面也有坑"), t0)
        for o in (first.order, repeat.order, mixed.order):
            await carry(kiosk, desk, o, t0)

        details = (await desk.device.show(first.order)).details
        assert (details.category.code, details.category.version) == ("0102", 2)
        answers = {a.code: a.value for a in details.attributes}
        assert answers["facility"] == "streetlight"
        assert answers["seen_at"].startswith("2026-03-01T12:00:00")

        await desk.device.act(first.order, A.REGISTER(note="受理"), t0, "dispatcher-1")
        proposal = await desk.device.dispatch_proposal(first.order)
        assert (proposal.lead, proposal.division, proposal.amended) == (UNIT_A, "410902", False)
        assert await desk.device.dispatch_proposal(mixed.order) is None

        view = await desk.device.merge(repeat.order, first.order, t0, "同一路灯", "dispatcher-1")
        assert [a.order for a in view.absorbed] == [repeat.order]
        assert (await desk.device.show(repeat.order)).merged_into == first.order

        parts = await desk.device.split(
            mixed.order,
            [hotline.SplitPartInput(text="路灯不亮", category=streetlight()), hotline.SplitPartInput(text="路面有坑")],
            t0,
            "一单多事",
            "dispatcher-1",
        )
        assert len(parts) == 2
        assert (await desk.device.show(parts[1].order)).details.split_from == mixed.order
        await desk.device.sync(hub.url(), "dispatcher-1")

        # What the citizens see at the kiosk, live from the hub.
        merged = await kiosk.device.receipt_status(hub.url(), repeat.receipt)
        assert (merged.merged, merged.status) == (True, hotline.Status.REGISTERED)
        split = await kiosk.device.receipt_status(hub.url(), mixed.receipt)
        assert split.status == hotline.Status.SPLIT
        assert sorted(p.category or "" for p in split.parts) == ["", "0102"]
        await hub.stop()

    run(main())
