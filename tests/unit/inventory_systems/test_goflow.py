"""The Goflow connector against a local Goflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from service.connectors.goflow import GoflowClient
from service.connectors.inventory import InventoryAuthError, InventorySystemError
from tests.fakes.goflow import FakeGoflow, GoflowAccount
from tests.unit.inventory_systems.conftest import RecordingSleep

UTC = dt.UTC
D = dt.date


def at(day: int, hour: int = 12, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=UTC)


def _account() -> GoflowAccount:
    acct = GoflowAccount()
    acct.adjust(at(1, 8), [("MUG", 40, Decimal("4.25")), ("CAP", 10, None)])
    acct.ship("1001", at(2), [("MUG", 2, Decimal("15")), ("CAP", 1, Decimal("9"))])
    acct.adjust(at(10, 8), [("MUG", 50, Decimal("4.5"))])
    acct.ship("1002", at(12), [("MUG", 1, Decimal("15"))])
    acct.ship("1003", at(13), [("TEE", 3, Decimal("20"))])  # never costed in Goflow
    acct.ship("1004", at(14), [("MUG", 5, Decimal("15"))], status="canceled")
    acct.ship("1005", at(5, month=4), [("MUG", 1, Decimal("15"))])  # outside March
    return acct


def _client(fake: FakeGoflow, sleep: RecordingSleep, **kw: Any) -> GoflowClient:
    return GoflowClient("acme", "gf_token", fake.base_url, sleep=sleep, **kw)


async def test_units_are_costed_at_the_product_cost_of_their_ship_date(
    sleep: RecordingSleep,
) -> None:
    async with FakeGoflow(_account(), page_size=2) as fake, _client(fake, sleep) as client:
        got = await client.shipped_units(D(2025, 3, 1), D(2025, 3, 31))
    rows = sorted((u.order_ref, u.product_id, u.units, u.unit_cost, u.shipped_on) for u in got)
    assert rows == [
        ("1001", "CAP", 1, None, D(2025, 3, 2)),  # adjustment without a cost: missing
        ("1001", "MUG", 2, Decimal("4.25"), D(2025, 3, 2)),
        ("1002", "MUG", 1, Decimal("4.5"), D(2025, 3, 12)),  # the later adjustment applies
        ("1003", "TEE", 3, None, D(2025, 3, 13)),
    ]
    assert all(u.source == "goflow" for u in got)


async def test_orders_are_asked_for_as_shipped_in_the_window(sleep: RecordingSleep) -> None:
    async with FakeGoflow(_account()) as fake:
        async with _client(fake, sleep, beta_contact="ops@example.com") as client:
            await client.shipped_units(D(2025, 3, 1), D(2025, 3, 31))
        first = fake.requests[0]
        assert "filters%5Bstatus%5D=shipped" in first
        assert "filters%5Bstatus_updated_at%3Agte%5D=2025-03-01T00%3A00%3A00Z" in first
        assert "filters%5Bstatus_updated_at%3Alt%5D=2025-04-01T00%3A00%3A00Z" in first
        assert fake.headers[0]["x-beta-contact"] == "ops@example.com"


async def test_the_fake_refuses_a_filter_goflow_does_not_offer(sleep: RecordingSleep) -> None:
    async with FakeGoflow(_account()) as fake, _client(fake, sleep) as client:
        with pytest.raises(InventorySystemError, match="HTTP 400"):
            async for _ in client._list("orders", {"filters[cost:gte]": "0"}):
                pass


async def test_sample_cost_shows_the_latest_shipped_order(sleep: RecordingSleep) -> None:
    now = lambda: at(20)  # noqa: E731
    async with FakeGoflow(_account()) as fake, _client(fake, sleep, now=now) as client:
        sample = await client.sample_cost()
    assert sample is not None
    assert (sample.order_ref, sample.product_id, sample.unit_cost) == ("1003", "TEE", None)
    assert "no cost per order" in sample.where


async def test_rate_limit_and_server_errors_are_waited_out(sleep: RecordingSleep) -> None:
    async with FakeGoflow(_account()) as fake, _client(fake, sleep) as client:
        fake.fail_next = [(429, "3"), (429, "nonsense"), 500]
        got = await client.shipped_units(D(2025, 3, 1), D(2025, 3, 31))
    assert len(got) == 4
    assert sleep.waits == [3.0, 1.0, 2.0]


async def test_bad_token_raises_auth_error(sleep: RecordingSleep) -> None:
    async with (
        FakeGoflow(_account()) as fake,
        GoflowClient("acme", "stale", fake.base_url, sleep=sleep) as client,
    ):
        with pytest.raises(InventoryAuthError, match="Goflow refused the credentials"):
            await client.shipped_units(D(2025, 3, 1), D(2025, 3, 31))


async def test_retries_run_out_with_a_named_error(sleep: RecordingSleep) -> None:
    async with FakeGoflow(_account()) as fake, _client(fake, sleep, max_retries=1) as client:
        fake.fail_next = [503, 503]
        with pytest.raises(InventorySystemError, match="Goflow: gave up after 2 attempts"):
            await client.shipped_units(D(2025, 3, 1), D(2025, 3, 31))
