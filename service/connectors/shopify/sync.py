"""Resumable readers of a shop's orders and payouts.

Each reader yields batches with a JSON-serialisable cursor: the position
*after* that batch. The caller stores the cursor once the batch is safely
processed; calling again with it continues where it stopped, so a crash or
a deploy mid-backfill costs one batch of repeated work at most, and
nothing is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service.connectors.shopify.assemble import BulkOrders
from service.connectors.shopify.client import BulkUrlExpired, QueryTooCostly, ShopifyClient
from service.connectors.shopify.complete import add_details, complete_order
from service.connectors.shopify.errors import ShopifyError
from service.connectors.shopify.normalize_graphql import (
    balance_transaction_from_graphql,
    payout_from_graphql,
)
from service.connectors.shopify.payload import legacy_id
from service.connectors.shopify.queries import (
    BALANCE_TRANSACTIONS_PAGE,
    BULK_ORDERS,
    BULK_POLL,
    BULK_RUN,
    MAX_QUERY_COST,
    ORDER_BY_ID,
    ORDER_PAGE_NODE_COST,
    ORDERS_COUNT,
    ORDERS_PAGE,
    PAYOUTS_PAGE,
)
from service.domain.processor import BalanceTransaction, Payout

BATCH_SIZE = 250
POLL_INTERVAL = 2.0
_BULK_FAILED = frozenset({"FAILED", "CANCELED", "CANCELING", "EXPIRED"})


@dataclass(frozen=True)
class OrderBatch:
    """Assembled GraphQL Order nodes (connections as plain lists)."""

    orders: tuple[dict[str, Any], ...]
    cursor: dict[str, Any]
    done: bool


@dataclass(frozen=True)
class PayoutBatch:
    payouts: tuple[Payout, ...]
    balance_transactions: tuple[BalanceTransaction, ...]
    cursor: dict[str, Any]
    done: bool


async def fetch_order(client: ShopifyClient, order_id: str) -> dict[str, Any]:
    """One order read again whole (its transactions, refunds and
    fulfilments), by its legacy id: the targeted re-fetch of an order whose
    history waits for a part that never came by webhook."""
    data = await client.graphql(ORDER_BY_ID, {"id": f"gid://shopify/Order/{order_id}"})
    node = data.get("node")
    if not isinstance(node, Mapping):
        raise ShopifyError(f"order {order_id} not found")
    order = await complete_order(client, node)
    await add_details(client, [order])
    return order


async def order_count(client: ShopifyClient) -> int | None:
    """The shop's order count as the app sees it (None if not said)."""
    data = await client.graphql(ORDERS_COUNT)
    count = data.get("ordersCount")
    if isinstance(count, Mapping) and isinstance(count.get("count"), int):
        return int(count["count"])
    return None


# Bulk backfill -----------------------------------------------------------


async def _start_bulk(client: ShopifyClient) -> str:
    data = await client.graphql(BULK_RUN, {"query": BULK_ORDERS})
    payload = data.get("bulkOperationRunQuery") or {}
    errors = payload.get("userErrors") or []
    if errors:
        raise ShopifyError(
            "bulk operation refused: " + "; ".join(str(e.get("message")) for e in errors)
        )
    op = payload.get("bulkOperation") or {}
    if not op.get("id"):
        raise ShopifyError("bulk operation started without an id")
    return str(op["id"])


async def _wait_bulk(client: ShopifyClient, op_id: str, poll_interval: float) -> str | None:
    """The result URL once the operation completes (None: no results)."""
    while True:
        data = await client.graphql(BULK_POLL, {"id": op_id})
        op = data.get("node")
        if not isinstance(op, Mapping):
            raise ShopifyError(f"bulk operation {op_id} not found")
        status = str(op.get("status"))
        if status == "COMPLETED":
            url = op.get("url")
            return str(url) if url else None
        if status in _BULK_FAILED:
            raise ShopifyError(
                f"bulk operation {op_id} ended {status} (error code {op.get('errorCode')})"
            )
        await client.sleep(poll_interval)


async def _with_details(
    client: ShopifyClient, orders: list[dict[str, Any]]
) -> tuple[dict[str, Any], ...]:
    """Fill in refunds and fulfillments, which the bulk lines carry by id
    only (complete.add_details)."""
    await add_details(client, orders)
    return tuple(orders)


def _int_id(gid: str) -> int:
    return int(legacy_id(gid, "id"))


async def backfill_orders(
    client: ShopifyClient,
    cursor: Mapping[str, Any] | None,
    *,
    batch_size: int = BATCH_SIZE,
    poll_interval: float = POLL_INTERVAL,
) -> AsyncIterator[OrderBatch]:
    """Every order of the shop through one bulk operation, in id order.

    The cursor names the bulk operation, its result URL, how many orders of
    that file were yielded and the last order id. Right after starting an
    operation an empty batch is yielded as a checkpoint. Resuming with the same URL
    skips that many orders of the file; when the URL has expired a new bulk
    operation is started and orders up to the last id are skipped instead.
    """
    state = dict(cursor or {})
    if state.get("done"):
        return
    op_id: str | None = state.get("bulkOperationId")
    url: str | None = state.get("url")
    skip = int(state.get("yielded", 0))
    last_id: int | None = int(state["lastOrderId"]) if state.get("lastOrderId") else None
    restarted = False
    while True:
        if op_id is None:
            op_id, url, skip = await _start_bulk(client), None, 0
            # A checkpoint before the long wait: a worker restarted now
            # resumes this operation instead of being refused a second one.
            checkpoint = {
                "bulkOperationId": op_id,
                "url": None,
                "yielded": 0,
                "lastOrderId": str(last_id) if last_id is not None else None,
                "done": False,
            }
            yield OrderBatch((), checkpoint, False)
        if url is None:
            url = await _wait_bulk(client, op_id, poll_interval)
        try:
            async for batch in _stream_bulk(client, op_id, url, skip, last_id, batch_size):
                last_id = int(batch.cursor["lastOrderId"]) if batch.cursor["lastOrderId"] else None
                yield batch
            return
        except BulkUrlExpired:
            if restarted:
                raise
            restarted = True
            op_id = url = None


async def _stream_bulk(
    client: ShopifyClient,
    op_id: str,
    url: str | None,
    skip: int,
    last_id: int | None,
    batch_size: int,
) -> AsyncIterator[OrderBatch]:
    seen = skip
    pending: list[dict[str, Any]] = []
    newest = last_id

    def cursor(count: int, done: bool) -> dict[str, Any]:
        return {
            "bulkOperationId": op_id,
            "url": url,
            "yielded": count,
            "lastOrderId": str(newest) if newest is not None else None,
            "done": done,
        }

    async def emit(order: dict[str, Any]) -> AsyncIterator[OrderBatch]:
        nonlocal seen, newest
        seen += 1
        oid = _int_id(order["id"])
        if last_id is not None and oid <= last_id:
            return
        pending.append(order)
        newest = oid
        if len(pending) >= batch_size:
            orders = await _with_details(client, pending)
            pending.clear()
            yield OrderBatch(orders, cursor(seen, False), False)

    if url is not None:
        acc = BulkOrders()
        count = 0
        async for line in client.download_lines(url):
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise ShopifyError(f"bulk result line is not JSON: {line[:80]!r}") from exc
            finished = acc.feed(obj)
            if finished is None:
                continue
            count += 1
            if count <= skip:
                continue
            async for batch in emit(finished):
                yield batch
        last = acc.finish()
        if last is not None:
            count += 1
            if count > skip:
                async for batch in emit(last):
                    yield batch
    orders = await _with_details(client, pending)
    yield OrderBatch(orders, cursor(seen, True), True)


# Incremental sync --------------------------------------------------------


PAGE_SIZE = (MAX_QUERY_COST - 2) // ORDER_PAGE_NODE_COST


def fitting_page_size(cost: Mapping[str, Any] | None, page_size: int) -> int:
    """The page size whose requested cost fits the single-query limit,
    from what Shopify said the last page of ``page_size`` orders cost
    (``requestedQueryCost``); unchanged when it said nothing."""
    try:
        requested = int((cost or {})["requestedQueryCost"])
    except (KeyError, TypeError, ValueError):
        return page_size
    per_order = max(requested - 2, 1) / page_size
    return max(1, min(page_size, int((MAX_QUERY_COST - 2) // per_order)))


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("updated_at_min must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def incremental_orders(
    client: ShopifyClient,
    updated_at_min: dt.datetime | None,
    cursor: Mapping[str, Any] | None,
    page_size: int = PAGE_SIZE,
) -> AsyncIterator[OrderBatch]:
    """Orders changed since ``updated_at_min`` (inclusive), oldest change
    first, one page a batch. The cursor keeps the page position and the
    filter; ``maxUpdatedAt`` in it is where the next sync can start.

    Each order is read whole (complete.py). The page size is what fits
    Shopify's single-query cost limit by its rules, and shrinks when
    Shopify reports a higher requested cost than expected
    (``extensions.cost``) or refuses a page (MAX_COST_EXCEEDED: it is
    asked again at half the size, down to one order).
    """
    state = dict(cursor or {})
    since: str | None = state.get("updatedAtMin") or (
        _iso(updated_at_min) if updated_at_min is not None else None
    )
    after: str | None = state.get("after")
    newest: str | None = state.get("maxUpdatedAt")
    search = f"updated_at:>='{since}'" if since else None
    while True:
        try:
            data = await client.graphql(
                ORDERS_PAGE, {"first": page_size, "after": after, "query": search}
            )
        except QueryTooCostly:
            if page_size == 1:
                raise
            page_size = max(1, page_size // 2)
            continue
        conn = data.get("orders")
        if not isinstance(conn, Mapping):
            raise ShopifyError("orders query returned no orders")
        page_size = fitting_page_size(client.last_cost, page_size)
        orders: list[dict[str, Any]] = []
        for edge in conn.get("edges") or []:
            node = edge["node"]
            orders.append(await complete_order(client, node))
            stamp = node.get("updatedAt")
            if isinstance(stamp, str) and (newest is None or stamp > newest):
                newest = stamp
        await add_details(client, orders)
        page = conn.get("pageInfo") or {}
        after = page.get("endCursor") or after
        done = not page.get("hasNextPage")
        next_cursor = {"after": after, "updatedAtMin": since, "maxUpdatedAt": newest}
        yield OrderBatch(tuple(orders), next_cursor, done)
        if done:
            return


# Payouts -------------------------------------------------------------------

_FINAL_PAYOUT = frozenset({"PAID", "FAILED", "CANCELED"})


class NoShopifyPayments(ShopifyError):
    """The shop does not use Shopify Payments: it has no payouts to read."""


def _account(data: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    account = data.get("shopifyPaymentsAccount")
    if not isinstance(account, Mapping):
        raise NoShopifyPayments("this shop has no Shopify Payments account")
    conn = account.get(field)
    if not isinstance(conn, Mapping):
        raise ShopifyError(f"shopifyPaymentsAccount.{field} missing")
    return conn


async def sync_payouts(
    client: ShopifyClient,
    cursor: Mapping[str, Any] | None,
    page_size: int = 100,
) -> AsyncIterator[PayoutBatch]:
    """Shopify Payments payouts, then balance transactions, as domain
    records, from where the cursor left off.

    The payout cursor only moves past payouts in a final status: one still
    SCHEDULED or IN_TRANSIT is read again next time, so its settlement is
    not missed (records are keyed by id, re-reading is harmless).
    """
    state: dict[str, Any] = {"payoutsAfter": None, "balanceAfter": None, **dict(cursor or {})}
    settled: str | None = state["payoutsAfter"]
    after: str | None = settled
    moving = False
    while True:
        data = await client.graphql(PAYOUTS_PAGE, {"first": page_size, "after": after})
        conn = _account(data, "payouts")
        payouts: list[Payout] = []
        for edge in conn.get("edges") or []:
            node = edge["node"]
            p = payout_from_graphql(node, f"payouts[{node.get('id')}]")
            if p is not None:
                payouts.append(p)
            if str(node.get("status")).upper() not in _FINAL_PAYOUT:
                moving = True
            if not moving:
                settled = edge.get("cursor") or settled
        page = conn.get("pageInfo") or {}
        after = page.get("endCursor") or after
        state["payoutsAfter"] = settled
        if not page.get("hasNextPage"):
            break
        yield PayoutBatch(tuple(payouts), (), dict(state), False)
    balance_after: str | None = state["balanceAfter"]
    yield PayoutBatch(tuple(payouts), (), dict(state), False)
    while True:
        data = await client.graphql(
            BALANCE_TRANSACTIONS_PAGE, {"first": page_size, "after": balance_after}
        )
        conn = _account(data, "balanceTransactions")
        records = _balance_records(conn.get("edges") or [])
        page = conn.get("pageInfo") or {}
        balance_after = page.get("endCursor") or balance_after
        state["balanceAfter"] = balance_after
        done = not page.get("hasNextPage")
        yield PayoutBatch((), records, dict(state), done)
        if done:
            return


def _balance_records(edges: Sequence[Mapping[str, Any]]) -> tuple[BalanceTransaction, ...]:
    out = []
    for edge in edges:
        node = edge["node"]
        record = balance_transaction_from_graphql(node, f"balanceTransactions[{node.get('id')}]")
        if record is not None:
            out.append(record)
    return tuple(out)
