"""The Finale connector against a local Finale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from service.connectors.finale import FinaleClient
from service.connectors.inventory import (
    InventoryAuthError,
    InventoryDataError,
    InventoryLineCost,
    InventorySystemError,
)
from service.domain.costs import CostSource
from tests.fakes.finale import FakeFinale
from tests.unit.inventory_systems.conftest import RecordingSleep


def _order(ref: str, updated: str, *items: tuple[str, Any, Any], **extra: Any) -> dict[str, Any]:
    return {
        "orderId": ref,
        "orderTypeId": "SALES_ORDER",
        "statusId": "ORDER_COMPLETED",
        "lastUpdatedDate": updated,
        "orderItemList": [
            {"productId": sku, "quantity": qty, "unitPrice": 20.0, "unitCost": cost}
            for sku, qty, cost in items
        ],
        **extra,
    }


ORDERS = [
    _order("#1001", "2025-03-02T10:00:00Z", ("MUG", 2, 4.1), ("CAP", 1, 0)),
    _order("#1002", "2025-03-20T10:00:00Z", ("MUG", 1, 4.3333)),
    _order("#1003", "2025-04-25T10:00:00Z", ("TEE", 3, None)),
    _order("#1004", "2025-03-03T10:00:00Z", ("MUG", 1, 4.1), statusId="ORDER_CANCELLED"),
    _order("PO-7", "2025-03-03T10:00:00Z", ("MUG", 100, 3.9), orderTypeId="PURCHASE_ORDER"),
]


def _client(fake: FakeFinale, sleep: RecordingSleep, **kw: Any) -> FinaleClient:
    return FinaleClient("demo", "KEY", "SECRET", fake.base_url, sleep=sleep, **kw)


async def test_costs_flow_in_and_zero_or_absent_is_missing(sleep: RecordingSleep) -> None:
    async with FakeFinale(ORDERS) as fake, _client(fake, sleep) as client:
        got = await client.order_line_costs(["#1001", "#1002", "#1003", "#1001"])
    assert got["#1001"] == (
        InventoryLineCost("#1001", "MUG", 2, 410, False, "finale", Decimal("4.1")),
        InventoryLineCost("#1001", "CAP", 1, 0, True, "finale", Decimal(0)),
    )
    # Finale's averages carry more decimals than cents: rounded half up, exact kept.
    (mug,) = got["#1002"]
    assert (mug.unit_cost, mug.exact_unit_cost, mug.missing) == (433, Decimal("4.3333"), False)
    (tee,) = got["#1003"]
    assert (tee.unit_cost, tee.missing, tee.quantity) == (0, True, 3)
    lc = mug.line_cost("line-9")
    assert (lc.line_id, lc.unit_cost, lc.source, lc.missing) == (
        "line-9",
        433,
        CostSource.INVENTORY_SYSTEM,
        False,
    )
    assert sleep.waits == []


async def test_unknown_cancelled_and_purchase_orders_give_no_costs(sleep: RecordingSleep) -> None:
    async with FakeFinale(ORDERS) as fake, _client(fake, sleep) as client:
        got = await client.order_line_costs(["#404", "#1004", "PO-7"])
    assert got == {"#404": (), "#1004": (), "PO-7": ()}


async def test_costs_updated_since_walks_30_day_windows(sleep: RecordingSleep) -> None:
    now = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    async with FakeFinale(ORDERS) as fake, _client(fake, sleep, now=lambda: now) as client:
        got = await client.costs_updated_since(dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
        windows = len(fake.requests)
    assert windows == 3  # Mar 1-31, Mar 31-Apr 30, Apr 30-May 1
    assert sorted(got) == ["#1001", "#1002", "#1003", "#1004"]
    assert got["#1004"] == ()
    assert got["#1001"][0].unit_cost == 410


async def test_rate_limit_and_server_errors_are_waited_out(sleep: RecordingSleep) -> None:
    async with FakeFinale(ORDERS) as fake, _client(fake, sleep) as client:
        fake.fail_next = [(429, "7"), 503, 500]
        got = await client.order_line_costs(["#1002"])
    assert got["#1002"][0].unit_cost == 433
    assert sleep.waits == [7.0, 1.0, 2.0]


async def test_retries_run_out_with_a_named_error(sleep: RecordingSleep) -> None:
    async with FakeFinale(ORDERS) as fake, _client(fake, sleep, max_retries=2) as client:
        fake.fail_next = [502, 502, 502]
        with pytest.raises(InventorySystemError, match="gave up after 3 attempts, last: HTTP 502"):
            await client.order_line_costs(["#1002"])


async def test_bad_credentials_raise_auth_error(sleep: RecordingSleep) -> None:
    async with (
        FakeFinale(ORDERS) as fake,
        FinaleClient("demo", "KEY", "WRONG", fake.base_url, sleep=sleep) as client,
    ):
        with pytest.raises(InventoryAuthError, match="HTTP 401"):
            await client.order_line_costs(["#1001"])
    assert sleep.waits == []


async def test_other_client_errors_are_not_retried(sleep: RecordingSleep) -> None:
    async with FakeFinale(ORDERS) as fake, _client(fake, sleep) as client:
        fake.fail_next = [400]
        with pytest.raises(InventorySystemError, match="HTTP 400"):
            await client.order_line_costs(["#1001"])
    assert sleep.waits == []


async def test_a_bad_payload_names_the_field(sleep: RecordingSleep) -> None:
    bad = [_order("#9", "2025-03-02T10:00:00Z", ("MUG", 1.5, 4))]
    async with FakeFinale(bad) as fake, _client(fake, sleep) as client:
        with pytest.raises(InventoryDataError) as err:
            await client.order_line_costs(["#9"])
    assert err.value.path == "order #9.orderItemList[0].quantity"
