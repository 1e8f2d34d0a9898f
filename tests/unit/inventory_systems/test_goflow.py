"""The Goflow connector against a local Goflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from service.connectors.goflow import GoflowClient
from service.connectors.inventory import InventoryAuthError, InventorySystemError
from tests.fakes.goflow import FakeGoflow
from tests.unit.inventory_systems.conftest import RecordingSleep


def _order(
    oid: int, ref: str, updated: str, *lines: tuple[str, Any, Any], status: str = "shipped"
) -> dict[str, Any]:
    return {
        "id": oid,
        "order_number": ref,
        "status": status,
        "status_updated_at": updated,
        "lines": [
            {
                "id": oid * 10 + i,
                "product": {"id": 1, "item_number": sku},
                "quantity": {"amount": qty},
                "cost": {"amount": cost} if cost is not ... else None,
            }
            for i, (sku, qty, cost) in enumerate(lines)
        ],
    }


ORDERS = [
    _order(1, "1001", "2025-03-01T00:00:00Z", ("MUG", 2, 4.25), ("CAP", 1, 0)),
    _order(2, "1002", "2025-03-02T00:00:00Z", ("TEE", 1, None)),
    _order(3, "1003", "2025-03-03T00:00:00Z", ("MUG", 1, ...)),
    _order(4, "1004", "2025-03-04T00:00:00Z", ("MUG", 5, 4.25), status="canceled"),
    _order(5, "1001", "2025-03-05T00:00:00Z", ("MUG", 1, 4.5)),  # split shipment
]


def _client(fake: FakeGoflow, sleep: RecordingSleep, **kw: Any) -> GoflowClient:
    return GoflowClient("acme", "gf_token", fake.base_url, sleep=sleep, **kw)


async def test_costs_flow_in_across_pages(sleep: RecordingSleep) -> None:
    async with FakeGoflow(ORDERS, page_size=2) as fake, _client(fake, sleep) as client:
        got = await client.order_line_costs(["1001", "1002", "1003", "1004", "9999"])
        pages = len(fake.requests)
    assert pages == 3
    assert [(c.sku, c.quantity, c.unit_cost, c.missing) for c in got["1001"]] == [
        ("MUG", 2, 425, False),
        ("CAP", 1, 0, True),
        ("MUG", 1, 450, False),
    ]
    assert [(c.unit_cost, c.missing) for c in got["1002"] + got["1003"]] == [(0, True), (0, True)]
    assert got["1004"] == () and got["9999"] == ()
    assert all(c.source == "goflow" for c in got["1001"])


async def test_refs_are_asked_for_in_batches(sleep: RecordingSleep) -> None:
    async with FakeGoflow(ORDERS, page_size=10) as fake:
        async with _client(fake, sleep, batch_size=2, beta_contact="ops@example.com") as client:
            got = await client.order_line_costs(["1001", "1002", "1003"])
        assert len(fake.requests) == 2
        assert fake.headers[0]["x-beta-contact"] == "ops@example.com"
    assert set(got) == {"1001", "1002", "1003"}


async def test_costs_updated_since(sleep: RecordingSleep) -> None:
    async with FakeGoflow(ORDERS) as fake, _client(fake, sleep) as client:
        got = await client.costs_updated_since(dt.datetime(2025, 3, 3, tzinfo=dt.UTC))
    assert sorted(got) == ["1001", "1003", "1004"]
    assert [c.unit_cost for c in got["1001"]] == [450]


async def test_rate_limit_and_server_errors_are_waited_out(sleep: RecordingSleep) -> None:
    async with FakeGoflow(ORDERS) as fake, _client(fake, sleep) as client:
        fake.fail_next = [(429, "3"), (429, "nonsense"), 500]
        got = await client.order_line_costs(["1002"])
    assert got["1002"][0].sku == "TEE"
    assert sleep.waits == [3.0, 1.0, 2.0]


async def test_bad_token_raises_auth_error(sleep: RecordingSleep) -> None:
    async with (
        FakeGoflow(ORDERS) as fake,
        GoflowClient("acme", "stale", fake.base_url, sleep=sleep) as client,
    ):
        with pytest.raises(InventoryAuthError, match="Goflow refused the credentials"):
            await client.order_line_costs(["1001"])


async def test_retries_run_out_with_a_named_error(sleep: RecordingSleep) -> None:
    async with FakeGoflow(ORDERS) as fake, _client(fake, sleep, max_retries=1) as client:
        fake.fail_next = [503, 503]
        with pytest.raises(InventorySystemError, match="Goflow: gave up after 2 attempts"):
            await client.order_line_costs(["1001"])
