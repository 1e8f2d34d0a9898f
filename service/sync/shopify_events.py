"""Processing a stored Shopify webhook into the order it concerns.

Runs in the worker, an order's waiting events in one transaction: their
statuses and the order's new state commit together or not at all. An event
whose body is malformed or lacks what posting needs is marked FAILED with
the reason (visible through `ingestErrors`) and leaves the order exactly
as the other events make it; the next events go on.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.shopify.merge import (
    Views,
    fold_rest_order,
    fold_rest_piece,
    piece_order_id,
    rest_order_id,
)
from service.connectors.shopify.topics import BAD_PAYLOAD, EDIT_TOPIC, ORDER_TOPICS, PIECE_TOPICS
from service.ledger.companies import Store, get_store
from service.ledger.held_moves import HeldMoves
from service.ledger.ingest import (
    lock_order_events,
    lock_pending_event,
    mark_event,
    mark_events,
    pending_for_order,
)
from service.ledger.order_posting import Unpostable, make_held_moves, repost_order
from service.ledger.order_sources import OrderUpdate, lock_views
from service.ledger.refetches import request_refetch
from service.sync.shopify_orders import apply_rest_order, apply_rest_piece, save_order_views

log = logging.getLogger("storebooks.events")


@dataclass(frozen=True, slots=True)
class EventOutcome:
    status: str
    order_id: str | None = None
    changed: bool = False
    error: str | None = None


SKIPPED = EventOutcome("SKIPPED")

# How many of an order's waiting webhooks one job takes at once.
DRAIN_LIMIT = 50
_ORDER_LOCK_SALT = 23
# The same lock's key read from a raw event's row.
_ORDER_LOCK = (
    f"hashtextextended(company_id || ':' || store_id || ':' || order_id, {_ORDER_LOCK_SALT})"
)


async def process_event(pool: asyncpg.Pool, company_id: UUID, event_id: int) -> EventOutcome:
    """Process the event together with the other webhooks waiting for the same order.

    In a flash sale an order's webhooks (created, paid, its transactions)
    arrive milliseconds apart. Processed by several jobs at once, each would
    hold a worker slot and a connection while waiting for the previous one's
    transaction to release the order, and each would post the order again.
    So one job at a time works on an order (a session lock on the order the
    intake's hint names): it folds every waiting webhook of the order into
    the order's views and posts the order once, in one transaction.

    A job whose event another job has processed still takes the order's
    waiting webhooks: the intake gives an order one waiting job at a time
    (service.db.queue.enqueue_new_events), and this job may be it.

    A job that finds the order taken answers BUSY and leaves its event to
    the job holding the order: that job looks for the order's waiting
    webhooks again after letting the order go, so one stored while it worked
    is not left behind. (If a worker dies meanwhile, the sweep of old
    pending events enqueues it again.)
    """
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT store_id, order_id, status = 'PENDING' AS pending, order_id IS NOT NULL "
            f"AND pg_try_advisory_lock({_ORDER_LOCK}) AS taken FROM raw_events "
            "WHERE company_id = $1 AND event_id = $2",
            company_id,
            event_id,
        )
        if row is None:
            return SKIPPED
        store_id, order = row["store_id"], row["order_id"]
        if order is None:
            return await _process_one(conn, company_id, event_id) if row["pending"] else SKIPPED
        if not row["taken"]:
            return EventOutcome("BUSY")
        outcome = await _process_holding(conn, company_id, store_id, order, event_id)
        await _take_late_webhooks(conn, company_id, store_id, order)
    return outcome


# How often a job takes an order again for webhooks stored while it worked.
_LATE_ROUNDS = 5


async def _take_late_webhooks(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order: str
) -> None:
    """Webhooks of the order stored while this job held it (their own jobs
    found it taken). Stops when none wait, when another job holds the order
    (it will look again after letting it go), or when a round took nothing."""
    seen: int | None = None
    for _ in range(_LATE_ROUNDS):
        waiting = await pending_for_order(conn, company_id, store_id, order, 1)
        if not waiting or waiting[0] == seen:
            return
        seen = waiting[0]
        if await _take_order(conn, company_id, store_id, order, seen) is None:
            return


async def _take_order(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order: str, event_id: int
) -> EventOutcome | None:
    """The order's waiting webhooks processed under the order's lock; None
    when another job holds it."""
    key = f"{company_id}:{store_id}:{order}"
    if not await conn.fetchval(
        "SELECT pg_try_advisory_lock(hashtextextended($1, $2))", key, _ORDER_LOCK_SALT
    ):
        return None
    return await _process_holding(conn, company_id, store_id, order, event_id)


async def _process_holding(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order: str, event_id: int
) -> EventOutcome:
    """The order's waiting webhooks, this job holding the order's lock,
    which it lets go of whatever happens."""
    try:
        return await _process_order(conn, company_id, store_id, order, event_id)
    finally:
        await conn.execute(
            "SELECT pg_advisory_unlock(hashtextextended($1, $2))",
            f"{company_id}:{store_id}:{order}",
            _ORDER_LOCK_SALT,
        )


async def _process_order(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order: str, event_id: int
) -> EventOutcome:
    """The order's waiting webhooks together. When any of them cannot be
    folded (a payload refused, a hint that named the wrong order), when
    their sum cannot post (a refund before its sale: one by one, the sale
    alone posts and its entries stay while the order waits), or when
    anything else goes wrong, nothing of the attempt is kept and each is
    processed on its own as before: only the bad one is FAILED, the others
    post as they would alone, and an unexpected error is retried by the job
    of the event that raised it, never charged to this one."""
    try:
        async with conn.transaction():
            outcomes = await _apply_together(conn, company_id, store_id, order, event_id)
    except Exception as exc:
        expected = isinstance(exc, (*BAD_PAYLOAD, _NotTogether, Unpostable))
        log.log(
            logging.INFO if expected else logging.WARNING,
            "order %s: its webhooks processed one by one (%s)",
            order,
            exc,
            exc_info=not expected,
        )
        outcome = await _process_one(conn, company_id, event_id)
        await _drain(conn, company_id, store_id, order)
        return outcome
    return outcomes.get(event_id, SKIPPED)


class _NotTogether(Exception):
    """A webhook the intake filed under an order turned out to be another order's."""


async def _apply_together(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order: str, event_id: int
) -> dict[int, EventOutcome]:
    events = await lock_order_events(conn, company_id, store_id, order, event_id, DRAIN_LIMIT)
    store = await get_store(conn, company_id, store_id) if events else None
    outcomes: dict[int, EventOutcome] = {}
    views: Views | None = None
    changed = 0
    edits: dict[int, dict[str, Any]] = {}
    for event in events:
        read = _read(event.topic, event.body, store)
        if isinstance(read, EventOutcome):
            outcomes[event.event_id] = read
        elif event.topic == EDIT_TOPIC:
            edits[event.event_id] = read
        else:
            if views is None:
                views = await lock_views(conn, company_id, store_id, order)
            folded = _fold(views, order, event.topic, read)
            changed += folded
            outcomes[event.event_id] = EventOutcome("PROCESSED", order_id=order, changed=folded)
    held = HeldMoves()
    if changed and views is not None and store is not None:
        await save_order_views(conn, company_id, store, order, views)
        await repost_order(
            conn, company_id, store_id, order, refuse_unpostable=changed > 1, held=held
        )
    # After the posting, which would take back a read-again asked for before it.
    for edit_event, payload in edits.items():
        outcomes[edit_event] = await _order_edited(conn, company_id, store_id, payload)
    await mark_events(
        conn, company_id, [(e, o.status, o.order_id, o.error) for e, o in outcomes.items()]
    )
    await make_held_moves(conn, company_id, held)  # last: see HeldMoves
    return outcomes


def _fold(views: Views, order: str, topic: str, payload: dict[str, Any]) -> bool:
    if topic in ORDER_TOPICS:
        named = rest_order_id(payload)
        if named != order:
            raise _NotTogether(f"{topic} names order {named}")
        return fold_rest_order(views, payload)
    kind = PIECE_TOPICS[topic]
    named = piece_order_id(kind, payload)
    if named != order:
        raise _NotTogether(f"{topic} names order {named}")
    return fold_rest_piece(views, kind, payload)


def _read(topic: str, body: bytes, store: Store | None) -> EventOutcome | dict[str, Any]:
    """The webhook's body as an object, or the outcome of a webhook that
    needs nothing more (a topic storebooks does not book, a malformed body,
    a store no longer connected)."""
    if topic not in ORDER_TOPICS and topic not in PIECE_TOPICS and topic != EDIT_TOPIC:
        return EventOutcome("IGNORED")
    try:
        payload: Any = json.loads(body)
    except ValueError as exc:
        return EventOutcome("FAILED", error=f"malformed JSON: {exc}")
    if not isinstance(payload, dict):
        return EventOutcome("FAILED", error="body: expected a JSON object")
    if store is None:
        return EventOutcome("FAILED", error="store: no longer connected")
    return payload


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
    """The order's other waiting webhooks, oldest first, each on its own.
    One that fails unexpectedly stops the draining and is left PENDING for
    its own job, which retries and reports it alone: it never fails the job
    that took the order."""
    for event_id in await pending_for_order(conn, company_id, store_id, order, DRAIN_LIMIT):
        try:
            await _process_one(conn, company_id, event_id)
        except Exception:
            log.warning("event %s left for its own job", event_id, exc_info=True)
            return


async def _apply(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, topic: str, body: bytes
) -> EventOutcome:
    store = await get_store(conn, company_id, store_id)
    read = _read(topic, body, store)
    if isinstance(read, EventOutcome):
        return read
    assert store is not None
    payload = read
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
