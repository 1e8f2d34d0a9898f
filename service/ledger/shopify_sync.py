"""Running a Shopify sync: shop details, then orders, then payouts.

A run works in steps of bounded time. Each batch is applied and its cursor
saved in one transaction; when the step's time is up, the run asks to be
continued by a new job. Short jobs keep the worker's timeouts short (a
killed worker's job is retried only after the longest timeout), and a
killed or restarted sync picks up from its last saved batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.connectors.shopify.client import AccessDenied, ShopifyClient
from service.connectors.shopify.errors import ShopifyError
from service.connectors.shopify.products import VariantCost, sync_variants
from service.connectors.shopify.sync import (
    NoShopifyPayments,
    OrderBatch,
    backfill_orders,
    fetch_order,
    incremental_orders,
    order_count,
    sync_payouts,
)
from service.ledger.bank_match import match_payouts
from service.ledger.codec import encode
from service.ledger.companies import Store, get_store
from service.ledger.ingest import SYNC, mark_event, store_event
from service.ledger.order_posting import repost_order
from service.ledger.order_sources import apply_graphql_order, graphql_order_id, utc_iso
from service.ledger.processor_posting import repost_processor_record
from service.ledger.refetches import Refetch, due_refetches, record_attempt
from service.ledger.shopify_events import BAD_PAYLOAD
from service.ledger.shopify_stores import connection_for_store, update_shop_details
from service.ledger.sync_runs import (
    BACKFILL,
    Spent,
    SyncRun,
    finish_run,
    save_progress,
    start_run,
)

STEP_SECONDS = 60.0
# A sync step sleeps at most this long for Shopify; a longer wait defers the
# job (RetryLater), so an unreachable shop does not hold a worker slot.
INLINE_WAIT_SECONDS = 5.0
# Incremental sync looks back a little past the last synced updated_at:
# orders updated in the same second as the last one seen are read again.
OVERLAP = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class StepResult:
    """DONE, CONTINUE (enqueue the next step), FAILED or SKIPPED (run already ended)."""

    status: str
    run_id: UUID


async def run_sync_step(
    pool: asyncpg.Pool,
    secret_key: str,
    company_id: UUID,
    run_id: UUID,
    *,
    http: httpx.AsyncClient | None = None,
    step_seconds: float = STEP_SECONDS,
    poll_seconds: float = 2.0,
) -> StepResult:
    async with pool.acquire() as conn:
        run = await start_run(conn, company_id, run_id)
        if run is None:
            return StepResult("SKIPPED", run_id)
        connection = await connection_for_store(conn, secret_key, company_id, run.store_id)
    if connection is None:
        await finish_run(pool, company_id, run_id, "FAILED", progress="store is not connected")
        return StepResult("FAILED", run_id)
    client = ShopifyClient(
        connection.shop_domain,
        connection.access_token,
        connection.api_base_url,
        http=http,
        sleep_budget=INLINE_WAIT_SECONDS,
    )
    deadline = time.monotonic() + step_seconds
    try:
        return await _step(pool, client, run, deadline, poll_seconds)
    except ShopifyError as exc:
        await finish_run(pool, company_id, run_id, "FAILED", progress="failed", error=str(exc))
        return StepResult("FAILED", run_id)
    finally:
        await client.aclose()


class _Tally:
    """What the client spent since the last saved batch (sync run totals)."""

    def __init__(self, client: ShopifyClient) -> None:
        self.client = client
        self.queries = client.queries
        self.cost = client.cost_spent

    def take(self, orders_seen: int = 0) -> Spent:
        spent = Spent(
            orders_seen,
            self.client.queries - self.queries,
            self.client.cost_spent - self.cost,
        )
        self.queries, self.cost = self.client.queries, self.client.cost_spent
        return spent


async def _step(
    pool: asyncpg.Pool, client: ShopifyClient, run: SyncRun, deadline: float, poll_seconds: float
) -> StepResult:
    cursor: dict[str, Any] = dict(run.cursor or {"phase": "shop"})
    tally = _Tally(client)
    if cursor["phase"] == "shop":
        cursor = await _shop(pool, client, run, tally)
    if cursor["phase"] == "products":
        cursor = await _products(pool, client, run, cursor, tally)
    if cursor["phase"] == "orders":
        cursor = await _orders(pool, client, run, cursor, tally, deadline, poll_seconds)
        if cursor["phase"] == "orders":
            return StepResult("CONTINUE", run.run_id)
    if cursor["phase"] == "payouts":
        cursor = await _payouts(pool, client, run, cursor, tally, deadline)
        if cursor["phase"] == "payouts":
            return StepResult("CONTINUE", run.run_id)
    await finish_run(pool, run.company_id, run.run_id, "SUCCEEDED", progress="done")
    return StepResult("DONE", run.run_id)


async def _save(
    db: asyncpg.Pool | asyncpg.Connection,
    run: SyncRun,
    cursor: dict[str, Any],
    progress: str,
    tally: _Tally,
    **counts: Any,
) -> None:
    """Save the run's cursor and progress, with what was spent since the
    last save; in the caller's transaction when given a connection."""
    orders_seen = counts.pop("orders_seen", 0)
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            await _save(conn, run, cursor, progress, tally, orders_seen=orders_seen, **counts)
        return
    await save_progress(
        db,
        run.company_id,
        run.run_id,
        cursor=cursor,
        progress=progress,
        spent=tally.take(orders_seen),
        **counts,
    )


async def _shop(
    pool: asyncpg.Pool, client: ShopifyClient, run: SyncRun, tally: _Tally
) -> dict[str, Any]:
    shop = await client.shop()
    await update_shop_details(
        pool,
        run.company_id,
        run.store_id,
        name=None,
        timezone=shop.iana_timezone,
        currency_code=shop.currency_code,
    )
    cursor = {"phase": "products"}
    await _save(pool, run, cursor, "shop details", tally)
    return cursor


async def _products(
    pool: asyncpg.Pool, client: ShopifyClient, run: SyncRun, cursor: dict[str, Any], tally: _Tally
) -> dict[str, Any]:
    """Products and their costs. Without the scopes for them (read_products,
    read_inventory) the run goes on to orders and says what it skipped."""
    currency = await pool.fetchval(
        "SELECT currency_code FROM stores WHERE company_id = $1 AND store_id = $2",
        run.company_id,
        run.store_id,
    )
    skipped: list[dict[str, Any]] = []
    try:
        async for vbatch in sync_variants(client, cursor.get("products"), currency=currency):
            async with pool.acquire() as conn, conn.transaction():
                await _apply_variants(conn, run.company_id, vbatch.variants)
                cursor["products"] = vbatch.cursor
                await _save(conn, run, cursor, "product costs", tally)
    except AccessDenied as exc:
        skipped.append({"phase": "products", "message": f"products not read: {exc}"})
    cursor = {"phase": "orders"}
    await _save(pool, run, cursor, "products done", tally, errors=skipped)
    return cursor


async def _orders(
    pool: asyncpg.Pool,
    client: ShopifyClient,
    run: SyncRun,
    cursor: dict[str, Any],
    tally: _Tally,
    deadline: float,
    poll_seconds: float,
) -> dict[str, Any]:
    """Orders batch by batch; the cursor comes back still in this phase
    when the step's time ran out."""
    if run.kind == BACKFILL and "orders" not in cursor:
        total = await order_count(client)
        await _save(pool, run, cursor, "counting orders", tally, orders_total=total)
    store = await get_store(pool, run.company_id, run.store_id)
    assert store is not None
    async for batch in await _order_batches(pool, client, run, cursor, poll_seconds):
        async with pool.acquire() as conn, conn.transaction():
            applied, errors, newest = await _apply_orders(conn, run.company_id, store, batch.orders)
            if newest and newest > cursor.get("newest", ""):
                cursor["newest"] = newest
            cursor["orders"] = batch.cursor
            await _save(
                conn,
                run,
                cursor,
                f"orders: {applied} more",
                tally,
                orders=applied,
                errors=errors,
                orders_seen=len(batch.orders),
            )
        if time.monotonic() > deadline and not batch.done:
            return cursor
    async with pool.acquire() as conn, conn.transaction():
        await _orders_synced(conn, run, cursor.get("newest"))
        cursor = {"phase": "payouts", "newest": cursor.get("newest")}
        await _save(conn, run, cursor, "orders done", tally)
    return cursor


async def _payouts(
    pool: asyncpg.Pool,
    client: ShopifyClient,
    run: SyncRun,
    cursor: dict[str, Any],
    tally: _Tally,
    deadline: float,
) -> dict[str, Any]:
    """Payouts and balance transactions from where the last run left them
    (``sync_state.payouts_cursor``). A shop without Shopify Payments, or
    an app without the payouts scope, has its orders synced and the run
    says why there are no payouts."""
    start = cursor.get("payouts") or await pool.fetchval(
        "SELECT payouts_cursor FROM sync_state WHERE company_id = $1 AND store_id = $2",
        run.company_id,
        run.store_id,
    )
    try:
        async for pbatch in sync_payouts(client, start):
            async with pool.acquire() as conn, conn.transaction():
                count_p, count_b = await _apply_processor_records(
                    conn, run.company_id, run.store_id, pbatch.payouts, pbatch.balance_transactions
                )
                cursor["payouts"] = pbatch.cursor
                if pbatch.done:
                    await _payouts_synced(conn, run, pbatch.cursor)
                await _save(
                    conn,
                    run,
                    cursor,
                    "payouts",
                    tally,
                    payouts=count_p,
                    balance_transactions=count_b,
                )
            if time.monotonic() > deadline and not pbatch.done:
                return cursor
    except (NoShopifyPayments, AccessDenied) as exc:
        note = {"phase": "payouts", "message": f"payouts not read: {exc}"}
        await _save(pool, run, cursor, "payouts skipped", tally, errors=[note])
    return {"phase": "done"}


async def _payouts_synced(
    conn: asyncpg.Connection, run: SyncRun, payouts_cursor: dict[str, Any]
) -> None:
    await conn.execute(
        """
        INSERT INTO sync_state (company_id, store_id, payouts_cursor) VALUES ($1, $2, $3)
        ON CONFLICT (company_id, store_id) DO UPDATE SET payouts_cursor = excluded.payouts_cursor
        """,
        run.company_id,
        run.store_id,
        payouts_cursor,
    )


async def _order_batches(
    pool: asyncpg.Pool,
    client: ShopifyClient,
    run: SyncRun,
    cursor: dict[str, Any],
    poll_seconds: float,
) -> AsyncIterator[OrderBatch]:
    if run.kind == BACKFILL:
        return backfill_orders(client, cursor.get("orders"), poll_interval=poll_seconds)
    since = await pool.fetchval(
        "SELECT orders_synced_through FROM sync_state WHERE company_id = $1 AND store_id = $2",
        run.company_id,
        run.store_id,
    )
    return incremental_orders(client, since - OVERLAP if since else None, cursor.get("orders"))


async def _apply_orders(
    conn: asyncpg.Connection, company_id: UUID, store: Store, nodes: tuple[dict[str, Any], ...]
) -> tuple[int, list[dict[str, Any]], str | None]:
    """Store each synced order as a raw event and fold it into its order."""
    applied = 0
    errors: list[dict[str, Any]] = []
    newest: str | None = None
    for node in nodes:
        try:
            order_id = graphql_order_id(node)
            version = utc_iso(node.get("updatedAt"), "updatedAt")
        except BAD_PAYLOAD as exc:
            errors.append({"message": str(exc)})
            continue
        newest = max(newest or version, version)
        event_id = await store_event(
            conn,
            company_id,
            store.store_id,
            source=SYNC,
            topic="orders/sync",
            external_id=f"order:{order_id}:{version}",
            body=json.dumps(node, sort_keys=True).encode(),
        )
        if event_id is None:
            continue  # this very version was synced before
        try:
            async with conn.transaction():
                update = await apply_graphql_order(conn, company_id, store, node)
                if update.changed:
                    await repost_order(conn, company_id, store.store_id, order_id)
        except BAD_PAYLOAD as exc:
            await mark_event(
                conn, company_id, event_id, "FAILED", order_id=order_id, error=str(exc)
            )
            errors.append({"orderId": order_id, "message": str(exc)})
            continue
        await mark_event(conn, company_id, event_id, "PROCESSED", order_id=order_id)
        applied += 1
    return applied, errors, newest


async def _apply_variants(
    conn: asyncpg.Connection, company_id: UUID, variants: tuple[VariantCost, ...]
) -> None:
    """Products and Shopify's unit costs; orders costed by a changed one are re-posted."""
    changed: list[str] = []
    for v in variants:
        moved = await conn.fetchval(
            """
            INSERT INTO products (company_id, sku, title, channel_unit_cost)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (company_id, sku) DO UPDATE
                SET title = excluded.title, channel_unit_cost = excluded.channel_unit_cost
                WHERE products.channel_unit_cost IS DISTINCT FROM excluded.channel_unit_cost
                   OR products.title <> excluded.title
            RETURNING channel_unit_cost IS NOT NULL
            """,
            company_id,
            v.sku,
            v.title,
            v.unit_cost,
        )
        if moved is not None:
            changed.append(v.sku)
    rows = await conn.fetch(
        "SELECT DISTINCT store_id, order_id FROM order_skus WHERE company_id = $1 "
        "AND sku = any($2::text[]) ORDER BY 1, 2",
        company_id,
        changed,
    )
    for r in rows:
        await repost_order(conn, company_id, r["store_id"], r["order_id"])


async def _orders_synced(conn: asyncpg.Connection, run: SyncRun, newest: str | None) -> None:
    through = dt.datetime.fromisoformat(newest) if newest else None
    await conn.execute(
        """
        INSERT INTO sync_state (company_id, store_id, orders_synced_through, backfill_completed_at)
        VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)
        ON CONFLICT (company_id, store_id) DO UPDATE SET
            orders_synced_through = greatest(sync_state.orders_synced_through,
                                             excluded.orders_synced_through),
            backfill_completed_at = coalesce(excluded.backfill_completed_at,
                                             sync_state.backfill_completed_at)
        """,
        run.company_id,
        run.store_id,
        through,
        run.kind == BACKFILL,
    )


async def _apply_processor_records(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    payouts: tuple[Any, ...],
    balance_transactions: tuple[Any, ...],
) -> tuple[int, int]:
    rows = [(company_id, store_id, "payout", p.id, encode(p)) for p in payouts] + [
        (company_id, store_id, "balance_transaction", b.id, encode(b)) for b in balance_transactions
    ]
    for row in rows:
        changed = await conn.fetchval(
            """
            INSERT INTO processor_records (company_id, store_id, record_type, record_id, record)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (company_id, store_id, record_type, record_id) DO UPDATE
                SET record = excluded.record, changed_at = now()
                WHERE processor_records.record <> excluded.record
            RETURNING true
            """,
            *row,
        )
        if changed:
            await repost_processor_record(conn, company_id, store_id, row[2], row[3])
    if payouts:
        # Bank lines imported before their payout was synced are matched now.
        await match_payouts(conn, company_id)
    return len(payouts), len(balance_transactions)


async def refetch_waiting_orders(
    pool: asyncpg.Pool,
    secret_key: str,
    *,
    http: httpx.AsyncClient | None = None,
    budget_seconds: float = 30.0,
    company_id: UUID | None = None,
    per_order_seconds: float = 15.0,
) -> int:
    """Read again from Shopify the orders that wait for part of their
    history (posting rule 13.5) or were edited, within a time budget; each
    attempt is counted, so an order whose missing part never comes stops
    being retried and stays listed with the reason. Returns attempts made."""
    deadline = time.monotonic() + budget_seconds
    made = 0
    for r in await due_refetches(pool, company_id=company_id):
        if time.monotonic() > deadline:
            break
        try:
            # One unreachable store must not use up every other's turn.
            error = await asyncio.wait_for(_refetch(pool, secret_key, r, http), per_order_seconds)
        except TimeoutError:
            error = "Shopify did not answer in time"
        await record_attempt(pool, r, error)
        made += 1
    return made


async def _refetch(
    pool: asyncpg.Pool, secret_key: str, r: Refetch, http: httpx.AsyncClient | None
) -> str | None:
    """One order fetched and folded in; the error in words, or None."""
    async with pool.acquire() as conn:
        connection = await connection_for_store(conn, secret_key, r.company_id, r.store_id)
        store = await get_store(conn, r.company_id, r.store_id)
    if connection is None or store is None:
        return "the store is not connected"
    client = ShopifyClient(
        connection.shop_domain, connection.access_token, connection.api_base_url, http=http
    )
    try:
        node = await fetch_order(client, r.order_id)
    except (ShopifyError, httpx.HTTPError) as exc:
        return f"fetching the order from Shopify failed: {type(exc).__name__}"
    finally:
        await client.aclose()
    async with pool.acquire() as conn, conn.transaction():
        _, errors, _ = await _apply_orders(conn, r.company_id, store, (node,))
    return errors[0]["message"] if errors else None
