"""Raw events: what the sources sent, stored before anything is done with it.

A webhook is acknowledged only once its body is durably stored here, so a
crash after the 200 loses nothing; processing happens later, in the
worker, and may be repeated safely. Bodies are kept as the exact bytes
received: a body that is not even JSON is still evidence of what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

WEBHOOK = "shopify.webhook"
SYNC = "shopify.sync"

EVENT_COLUMNS = (
    "company_id, event_id, store_id, source, topic, external_id, body, received_at, "
    "status, error, order_id, attempts, processed_at"
)


@dataclass(frozen=True, slots=True)
class RawEvent:
    company_id: UUID
    event_id: int
    store_id: UUID
    source: str
    topic: str
    external_id: str
    body: bytes
    received_at: datetime
    status: str
    error: str | None
    order_id: str | None
    attempts: int
    processed_at: datetime | None


async def store_event(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    store_id: UUID,
    *,
    source: str,
    topic: str,
    external_id: str,
    body: bytes,
) -> int | None:
    """Store an event; None when the same event (by its external id) is already stored."""
    event_id: int | None = await conn.fetchval(
        """
        INSERT INTO raw_events (company_id, store_id, source, topic, external_id, body)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (company_id, store_id, source, external_id) DO NOTHING
        RETURNING event_id
        """,
        company_id,
        store_id,
        source,
        topic,
        external_id,
        body,
    )
    return event_id


@dataclass(frozen=True, slots=True)
class NewEvent:
    company_id: UUID
    store_id: UUID
    source: str
    topic: str
    external_id: str
    body: bytes
    order_hint: str | None = None  # the order it probably concerns, until processed


async def store_events(pool: asyncpg.Pool, events: list[NewEvent]) -> list[int | None]:
    """Store a batch of events in one statement and one commit; each event's
    id, or None when that event (by its external id) is already stored or
    appears earlier in the batch."""
    rows = await pool.fetch(
        """
        INSERT INTO raw_events (company_id, store_id, source, topic, external_id, body, order_id)
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                             $6::bytea[], $7::text[])
        ON CONFLICT (company_id, store_id, source, external_id) DO NOTHING
        RETURNING company_id, store_id, source, external_id, event_id
        """,
        [e.company_id for e in events],
        [e.store_id for e in events],
        [e.source for e in events],
        [e.topic for e in events],
        [e.external_id for e in events],
        [e.body for e in events],
        [e.order_hint for e in events],
    )
    stored = {
        (r["company_id"], r["store_id"], r["source"], r["external_id"]): r["event_id"] for r in rows
    }
    out: list[int | None] = []
    for e in events:  # a key twice in the batch: the first one is the stored one
        out.append(stored.pop((e.company_id, e.store_id, e.source, e.external_id), None))
    return out


async def lock_pending_event(
    conn: asyncpg.Connection, company_id: UUID, event_id: int
) -> RawEvent | None:
    """The event, locked for processing; None when another delivery already handled it."""
    row = await conn.fetchrow(
        f"SELECT {EVENT_COLUMNS} FROM raw_events WHERE company_id = $1 AND event_id = $2 "
        "AND status = 'PENDING' FOR UPDATE SKIP LOCKED",
        company_id,
        event_id,
    )
    return RawEvent(**dict(row)) if row else None


async def lock_order_events(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    order_id: str,
    event_id: int,
    limit: int,
) -> list[RawEvent]:
    """The order's pending events (by the intake's hint), oldest first and
    locked for processing: the given one and up to `limit` in all. Events
    another transaction holds are skipped; their own jobs take them."""
    rows = await conn.fetch(
        f"SELECT {EVENT_COLUMNS} FROM raw_events WHERE company_id = $1 AND store_id = $2 "
        "AND order_id = $3 AND status = 'PENDING' ORDER BY event_id = $4 DESC, event_id "
        "LIMIT $5 FOR UPDATE SKIP LOCKED",
        company_id,
        store_id,
        order_id,
        event_id,
        limit,
    )
    return sorted((RawEvent(**dict(r)) for r in rows), key=lambda e: e.event_id)


async def pending_for_order(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, order_id: str, limit: int
) -> list[int]:
    """The pending events stored for an order (by the intake's hint), oldest first."""
    rows = await conn.fetch(
        "SELECT event_id FROM raw_events WHERE company_id = $1 AND store_id = $2 "
        "AND order_id = $3 AND status = 'PENDING' ORDER BY event_id LIMIT $4",
        company_id,
        store_id,
        order_id,
        limit,
    )
    return [r["event_id"] for r in rows]


async def mark_event(
    conn: asyncpg.Connection,
    company_id: UUID,
    event_id: int,
    status: str,
    *,
    order_id: str | None = None,
    error: str | None = None,
) -> None:
    await conn.execute(
        "UPDATE raw_events SET status = $3, order_id = $4, error = $5, processed_at = now(), "
        "attempts = attempts + 1 WHERE company_id = $1 AND event_id = $2",
        company_id,
        event_id,
        status,
        order_id,
        None if error is None else error[:2000],
    )


async def mark_events(
    conn: asyncpg.Connection,
    company_id: UUID,
    marks: list[tuple[int, str, str | None, str | None]],
) -> None:
    """Several events' outcomes (event, status, order, error) in one statement.
    The ids are named to the table too (`any`): the events are found through
    their key even when the statistics take the company for empty, instead
    of by joining every event of the company."""
    if not marks:
        return
    ids, statuses, orders, errors = zip(*marks, strict=True)
    await conn.execute(
        "UPDATE raw_events r SET status = m.status, order_id = m.order_id, error = m.error, "
        "processed_at = now(), attempts = r.attempts + 1 "
        "FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) "
        "AS m(event_id, status, order_id, error) "
        "WHERE r.company_id = $1 AND r.event_id = m.event_id AND r.event_id = any($2::bigint[])",
        company_id,
        list(ids),
        list(statuses),
        list(orders),
        [None if e is None else e[:2000] for e in errors],
    )


async def record_failed_attempt(
    pool: asyncpg.Pool, company_id: UUID, event_id: int, reason: str, max_attempts: int
) -> str:
    """Count a failed attempt outside the transaction that rolled back, so that a
    payload that always fails is not retried forever: after max_attempts the
    event is FAILED with its reason, shown in ingestErrors. Returns its status."""
    status: str | None = await pool.fetchval(
        """
        UPDATE raw_events SET attempts = attempts + 1, error = $3,
            status = CASE WHEN attempts + 1 >= $4 THEN 'FAILED' ELSE status END,
            processed_at = CASE WHEN attempts + 1 >= $4 THEN now() ELSE processed_at END
        WHERE company_id = $1 AND event_id = $2 AND status = 'PENDING'
        RETURNING status
        """,
        company_id,
        event_id,
        reason[:2000],
        max_attempts,
    )
    return status or "GONE"


async def retry_event(conn: asyncpg.Connection, company_id: UUID, event_id: int) -> bool:
    """Put a FAILED event back to be processed again (after a fix); False if it is not FAILED."""
    done: int | None = await conn.fetchval(
        "UPDATE raw_events SET status = 'PENDING', attempts = 0, error = NULL, "
        "processed_at = NULL WHERE company_id = $1 AND event_id = $2 AND status = 'FAILED' "
        "RETURNING event_id",
        company_id,
        event_id,
    )
    return done is not None


async def failed_events(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    limit: int,
    before_event_id: int | None = None,
) -> list[RawEvent]:
    rows = await conn.fetch(
        f"SELECT {EVENT_COLUMNS} FROM raw_events WHERE company_id = $1 AND status = 'FAILED' "
        "AND ($3::bigint IS NULL OR event_id < $3) ORDER BY event_id DESC LIMIT $2",
        company_id,
        limit,
        before_event_id,
    )
    return [RawEvent(**dict(r)) for r in rows]


async def stale_pending_events(
    conn: asyncpg.Connection | asyncpg.Pool, older_than_seconds: int, limit: int = 5000
) -> list[tuple[UUID, int]]:
    rows = await conn.fetch(
        "SELECT company_id, event_id FROM raw_events WHERE status = 'PENDING' "
        "AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2",
        float(older_than_seconds),
        limit,
    )
    return [(r["company_id"], r["event_id"]) for r in rows]


async def pending_event_count(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM raw_events WHERE company_id = $1 AND status = 'PENDING'",
        company_id,
    )
    return count
