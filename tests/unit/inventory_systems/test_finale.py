"""The Finale connector against a local Finale that speaks its GraphQL API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from service.connectors.finale import FinaleClient
from service.connectors.finale.client import windows
from service.connectors.inventory import (
    InventoryAuthError,
    InventoryDataError,
    InventorySystemError,
)
from tests.fakes.finale import FakeFinale, FinaleAccount
from tests.unit.inventory_systems.conftest import RecordingSleep

D = dt.date
MARCH = (D(2025, 3, 1), D(2025, 3, 31))


def _account() -> FinaleAccount:
    acct = FinaleAccount()
    acct.ship("#1001", D(2025, 3, 2), [("MUG", 2, Decimal("4.10")), ("CAP", 1, None)])
    acct.ship("#1002", D(2025, 3, 20), [("MUG", 1, Decimal("4.3333"))], packed_first=True)
    acct.ship("#1003", D(2025, 4, 25), [("TEE", 3, Decimal("1204.5"))])
    acct.ship("#1004", D(2025, 3, 3), [("MUG", 1, Decimal("4.1"))], status="Packed")
    return acct


def _client(fake: FakeFinale, sleep: RecordingSleep, **kw: Any) -> FinaleClient:
    return FinaleClient("demo", "KEY", "SECRET", fake.base_url, sleep=sleep, **kw)


def test_windows_are_closed_ranges_of_at_most_30_days() -> None:
    got = windows(D(2025, 1, 1), D(2025, 3, 5))
    assert got == [
        (D(2025, 1, 1), D(2025, 1, 30)),
        (D(2025, 1, 31), D(2025, 3, 1)),
        (D(2025, 3, 2), D(2025, 3, 5)),
    ]
    assert all((hi - lo).days < 30 for lo, hi in got)


async def test_costs_come_from_the_stock_history_of_sale_shipments(sleep: RecordingSleep) -> None:
    async with FakeFinale(_account()) as fake, _client(fake, sleep) as client:
        got = await client.shipped_units(*MARCH)
    rows = sorted((u.order_ref, u.product_id, u.units, u.unit_cost, u.shipped_on) for u in got)
    assert rows == [
        ("#1001", "CAP", 1, None, D(2025, 3, 2)),  # blank cost: missing, not 0
        ("#1001", "MUG", 2, Decimal("4.10"), D(2025, 3, 2)),
        # packed, then shipped: counted once, when the stock left
        ("#1002", "MUG", 1, Decimal("4.3333"), D(2025, 3, 20)),
    ]
    assert all(u.source == "finale" for u in got)


async def test_thousands_separators_and_us_dates_are_read_exactly(sleep: RecordingSleep) -> None:
    acct = FinaleAccount()
    acct.ship("#9", D(2025, 4, 5), [("PALLET", 1200, Decimal("1204.5"))])
    for style in ("us", "iso"):
        async with FakeFinale(acct, date_style=style) as fake, _client(fake, sleep) as client:
            (row,) = await client.shipped_units(D(2025, 4, 1), D(2025, 4, 30))
        assert (row.units, row.unit_cost, row.shipped_on) == (
            1200,
            Decimal("1204.5"),
            D(2025, 4, 5),
        )


async def test_a_long_span_is_walked_in_30_day_windows_and_pages(sleep: RecordingSleep) -> None:
    acct = FinaleAccount()
    for n in range(7):
        acct.ship(f"#{2000 + n}", D(2025, 3, 1 + n), [("MUG", 1, Decimal("4"))])
    async with FakeFinale(acct) as fake, _client(fake, sleep, page_size=3) as client:
        got = await client.shipped_units(D(2025, 1, 15), D(2025, 3, 20))
        spans = [(r["variables"]["begin"], r["variables"]["end"]) for r in fake.requests if r]
    assert len(got) == 7
    assert {s for s in spans} == {
        ("2025-01-15", "2025-02-13"),
        ("2025-02-14", "2025-03-15"),
        ("2025-03-16", "2025-03-20"),
    }


async def test_the_fake_refuses_a_field_finale_does_not_have(sleep: RecordingSleep) -> None:
    """The old guess (a cost on sales-order items) cannot even be asked for."""
    query = (
        '{ shipmentViewConnection(first: 1, shipDate: {begin: "2025-03-01", end: "2025-03-02"})'
        " { edges { node { unitCost } } } }"
    )
    async with FakeFinale(_account()) as fake, _client(fake, sleep) as client:
        with pytest.raises(InventorySystemError, match="Cannot query field 'unitCost'"):
            await client.graphql(query, {})


async def test_the_fake_refuses_a_range_over_30_days(sleep: RecordingSleep) -> None:
    query = (
        '{ shipmentViewConnection(first: 1, shipDate: {begin: "2025-01-01", end: "2025-03-01"})'
        " { edges { node { shipmentId } } } }"
    )
    async with FakeFinale(_account()) as fake, _client(fake, sleep) as client:
        with pytest.raises(InventorySystemError, match="over 30 days"):
            await client.graphql(query, {})


async def test_sample_cost_shows_the_latest_shipped_sale(sleep: RecordingSleep) -> None:
    today = lambda: D(2025, 3, 25)  # noqa: E731
    async with FakeFinale(_account()) as fake, _client(fake, sleep, today=today) as client:
        sample = await client.sample_cost()
    assert sample is not None
    assert (sample.order_ref, sample.product_id, sample.unit_cost) == (
        "#1002",
        "MUG",
        Decimal("4.3333"),
    )
    assert "transactionCostPerUnit" in sample.where


async def test_rate_limit_and_server_errors_are_waited_out(sleep: RecordingSleep) -> None:
    async with FakeFinale(_account()) as fake, _client(fake, sleep) as client:
        fake.fail_next = [(429, "7"), 503, 500]
        got = await client.shipped_units(*MARCH)
    assert len(got) == 3
    assert sleep.waits == [7.0, 1.0, 2.0]


async def test_retries_run_out_with_a_named_error(sleep: RecordingSleep) -> None:
    async with FakeFinale(_account()) as fake, _client(fake, sleep, max_retries=2) as client:
        fake.fail_next = [502, 502, 502]
        with pytest.raises(InventorySystemError, match="gave up after 3 attempts, last: HTTP 502"):
            await client.shipped_units(*MARCH)


async def test_bad_credentials_raise_auth_error(sleep: RecordingSleep) -> None:
    async with (
        FakeFinale(_account()) as fake,
        FinaleClient("demo", "KEY", "WRONG", fake.base_url, sleep=sleep) as client,
    ):
        with pytest.raises(InventoryAuthError, match="HTTP 401"):
            await client.shipped_units(*MARCH)
    assert sleep.waits == []


async def test_a_bad_value_names_the_field(sleep: RecordingSleep) -> None:
    acct = FinaleAccount()
    sid = acct.ship("#9", D(2025, 3, 2), [("MUG", 1, Decimal("4"))])
    acct.history[0].cost = Decimal("-4")
    async with FakeFinale(acct) as fake, _client(fake, sleep) as client:
        with pytest.raises(InventoryDataError) as err:
            await client.shipped_units(*MARCH)
    assert err.value.path == f"stock history of shipment {sid}.transactionCostPerUnit"
