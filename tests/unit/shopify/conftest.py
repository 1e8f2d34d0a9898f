"""Fixtures for the Shopify connector tests: a fake Shopify and a sleep that
records waits instead of waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.connectors.shopify.client import ShopifyClient
from tests.fakes.shopify import FakeShopData, FakeShopify, generate_shop

TOKEN = "shpat_unit_test"


class Sleeps:
    """Stands in for asyncio.sleep: the client's waits, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def small_shop() -> FakeShopData:
    return generate_shop(120, 5)


@pytest.fixture
async def fake(small_shop: FakeShopData) -> AsyncIterator[FakeShopify]:
    async with FakeShopify(small_shop, access_token=TOKEN) as server:
        yield server


@pytest.fixture
async def client(fake: FakeShopify, sleeps: Sleeps) -> AsyncIterator[ShopifyClient]:
    c = ShopifyClient(fake.data.domain, TOKEN, fake.base_url, sleep=sleeps)
    yield c
    await c.aclose()
