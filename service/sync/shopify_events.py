"""Processing a stored Shopify webhook into the order it concerns.

Runs in the worker, each event in one transaction: the event's status
and the order's new state commit together or not at all. An event
whose body is malformed or lacks what posting needs is marked FAILED with
the reason (visible through `ingestErrors`) and leaves the order exactly
as it was; the next events go on.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.shopify.topics import BAD_PAYLOAD, EDIT_TOPIC, ORDER_TOPICS, PIECE_TOPICS
from service.ledger.companies import get_store
from service.ledger.ingest import lock_pending_event, mark_event, pending_for_order
from service.ledger.order_posting import repost_order
from service.ledger.order_sources import OrderUpdate
from service.ledger.refetches import request_refetch
from service.sync.shopify_orders import apply_rest_order, apply_rest_piece

log = logging.getLogger("storebooks.events")


@dataclass(frozen=True, slots=True)
class EventOutcome:
    status: str
    order_id: str | None = None
    changed: bool = False
    error: str | None = None


# How many of an order's waiting webhooks one job processes after its own.
DRAIN_LIMIT = 50
_ORDER_LOCK_SALT = 23


async def process_event(pool: asyncpg.Pool, company_id: UUID, event_id: int) -> EventOutcome:
    """Process the event, then the other webhooks waiting for the same order.

    In a flash sale an order's webhooks (created, paid, its transactions)
    arrive milliseconds apart. Processed by several jobs at once, each would
    hold a worker slot and a connection while waiting for the previous one's
    transaction to release the order. So one job at a time works on an
    order (a session lock on the order the intake's hint names) and takes
    the order's waiting webhooks one after the other, each in its own
    transaction as before; a job that finds the order taken answers BUSY and
    is put back for a moment, by when its event is usually done.
    """
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT store_id, order_id FROM raw_events "
            "WHERE company_id = $1 AND event_id = $2 AND status = 'PENDING'",
            company_id,
            event_id,
        )
        if row is None:
            return EventOutcome("SKIPPED")
        if row["order_id"] is None:
            return await _process_one(conn, company_id, event_id)
        key = f"{company_id}:{row['store_id']}:{row['order_id']}"
        if not await conn.fetchval(
            "SELECT pg_try_advisory_lock(hashtextextended($1, $2))", key, _ORDER_LOCK_SALT
        ):
            return EventOutcome("BUSY")
        try:
            outcome = await _process_one(conn, company_id, event_id)
            await _drain(conn, company_id, row["store_id"], row["order_id"])
        finally:
            await conn.execute(
                "SELECT pg_advisory_unlock(hashtextextended($1, $2))", key, _ORDER_LOCK_SALT
            )
    return outcome


async def _process_one(conn: asyncpg.Connection, company_id: UUID, event_id: int) -> EventOutcome:
    async with conn.transaction():
        event = await lock_pending_event(conn, company_id, event_id)
        if event is None:
            return EventOutcome("SKIPPED")
        outcome = await _apply(conn, company_id, event.store_id, event.topic, event.body)
        await mark_event(
            conn,
            company_id,
            event_id,
            outcome.status,
            order_id=outcome.order_id,
            error=outcome.error,
        )
    return outcome


async def _drain(conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order: str) -> None:
    """The order's other waiting webhooks, oldest first. One that fails
    unexpectedly stops the draining and is left PENDING for its own job,
    which retries and reports it alone: it never fails the job that took
    the order."""
    for event_id in await pending_for_order(conn, company_id, store_id, order, DRAIN_LIMIT):
        try:
            await _process_one(conn, company_id, event_id)
        except Exception:
            log.warning("event %s left for its own job", event_id, exc_info=True)
            return


async def _apply(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, topic: str, body: bytes
) -> EventOutcome:
    if topic not in ORDER_TOPICS and topic not in PIECE_TOPICS and topic != EDIT_TOPIC:
        return EventOutcome("IGNORED")
    try:
        payload: Any = json.loads(body)
    except ValueError as exc:
        return EventOutcome("FAILED", error=f"malformed JSON: {exc}")
    if not isinstance(payload, dict):
        return EventOutcome("FAILED", error="body: expected a JSON object")
    store = await get_store(conn, company_id, store_id)
    if store is None:
        return EventOutcome("FAILED", error="store: no longer connected")
    if topic == EDIT_TOPIC:
        return await _order_edited(conn, company_id, store_id, payload)
    try:
        async with conn.transaction():  # a savepoint: a failure leaves the order untouched
            update: OrderUpdate
            if topic in ORDER_TOPICS:
                update = await apply_rest_order(conn, company_id, store, payload)
            else:
                update = await apply_rest_piece(
                    conn, company_id, store, PIECE_TOPICS[topic], payload
                )
            if update.changed:
                await repost_order(conn, company_id, store.store_id, update.order_id)
    except BAD_PAYLOAD as exc:
        reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        order_id = payload.get("order_id") or payload.get("id")
        return EventOutcome(
            "FAILED", order_id=None if order_id is None else str(order_id), error=reason
        )
    return EventOutcome("PROCESSED", order_id=update.order_id, changed=update.changed)


async def _order_edited(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, payload: dict[str, Any]
) -> EventOutcome:
    """An orders/edited body is the edit (``order_edit``: what was added
    and removed), not the order: the edited order itself is read again
    from Shopify, and its orders/updated webhook, whichever comes first,
    changes the books (line quantities follow ``current_quantity``)."""
    edit = payload.get("order_edit")
    order_id = edit.get("order_id") if isinstance(edit, dict) else None
    if order_id is None or isinstance(order_id, bool) or str(order_id) == "":
        return EventOutcome("FAILED", error="order_edit.order_id: missing")
    committed = edit.get("committed_at") if isinstance(edit, dict) else None
    await request_refetch(
        conn,
        company_id,
        store_id,
        str(order_id),
        f"order edited at {committed or 'an unknown time'}",
    )
    return EventOutcome("PROCESSED", order_id=str(order_id), changed=False)


PROCESS_EVENT_FUNCTION = "process_shopify_event"


def event_job_id(company_id: UUID, event_id: int) -> str:
    return f"event:{company_id}:{event_id}"
