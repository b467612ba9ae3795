"""Every exported method and constructor was called by the tests above (runs last: pytest
collects files in name order)."""

import inspect

import hotline
from city_support import CALLED, City, construct


def exported(prefix, cls):
    return {f"{prefix}.{name}" for name, _ in inspect.getmembers(cls) if not name.startswith("_")}


def test_every_exported_method_was_called():
    city = City()
    try:
        construct("CityAuthority.open", hotline.CityAuthority.open(city.dir("hub")))
    finally:
        city.close()
    expected = (
        exported("HotlineDevice", hotline.HotlineDevice)
        | exported("CityAuthority", hotline.CityAuthority)
        | exported("CancelHandle", hotline.CancelHandle)
        | exported("TestHub", hotline.TestHub)
    )
    missing = expected - CALLED
    assert not missing, f"never called: {sorted(missing)}"
    assert len(expected) >= 37, expected
