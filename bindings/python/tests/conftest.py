"""Runs each async test body on a fresh event loop; the generated module is on PYTHONPATH
(bindings/scripts/test-bindings.sh puts it and the host library in target/bindings/python)."""

import asyncio

import pytest

from city_support import City


@pytest.fixture
def city():
    c = City()
    yield c
    c.close()


@pytest.fixture
def puyang_city():
    c = City("puyang")
    yield c
    c.close()


@pytest.fixture
def linshu_city():
    c = City("linshu")
    yield c
    c.close()


@pytest.fixture
def run():
    return asyncio.run
