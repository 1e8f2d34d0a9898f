"""Full re-posts: a new journal version built beside the live one, then switched to.

A settings change affects every entry, so the whole journal is posted
again. It is built as a new version in steps of bounded time (COPY in
batches), invisible to readers, with its progress saved in the `books` row
in the same transaction as each batch. Orders that change meanwhile are
re-posted as usual into the live version and noted as dirty. The switch
is one transaction: the dirty subjects are re-posted into the new version,
the new version becomes current, the settings version is marked posted.
Readers see the old books or the new, never a mix; a worker killed at any
point leaves the live books as they were, and the retried job continues
the build from its last saved batch.

One full re-post per company at a time: a session advisory lock on a
connection held for the whole step (dropped with the connection if the
worker dies).

Batches are posted in posting processes (service/ledger/posting_pool.py)
while the previous batch is written, so that the database and Python
work at the same time; what is read and written per batch is in
service/ledger/repost_batches.py.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from uuid import UUID

import asyncpg

from service.ledger.batch_posting import BatchRows
from service.ledger.costs import rebuild_missing_days
from service.ledger.jobs import JobRecord, finish_job, record_job
from service.ledger.journal import (
    build_balances,
    carry_closed_subjects,
    copy_postings,
    fold_postings,
)
from service.ledger.kept_subjects import (
    is_kept_subject,
    kept_subject_postings,
    repost_kept_subject,
)
from service.ledger.order_posting import repost_order
from service.ledger.posting_pool import drop, start_posting, warm_up
from service.ledger.processor_posting import processor_posting, repost_processor_record
from service.ledger.repost_batches import ReadBatch, read_batch, remember_facts, write_batch

FULL_REPOST = "full_repost"
REPOST_FUNCTION = "repost_company"
STEP_SECONDS = 60.0
BATCH_ORDERS = 2000
# Entries deleted per transaction: small enough that a step overruns its time
# by a fraction of a second at most, so it never meets the job timeout.
CLEANUP_BATCH = 1000
CLEANUP_FUNCTION = "cleanup_journal_versions"
_LOCK_SALT = 11


def full_repost_job_id(company_id: UUID, settings_version: int) -> str:
    return f"repost:{company_id}:v{settings_version}"


async def request_full_repost(
    conn: asyncpg.Connection, company_id: UUID, settings_version: int, reason: str
) -> JobRecord:
    """Record the job in the caller's transaction; the caller enqueues after commit."""
    return await record_job(
        conn,
        company_id,
        full_repost_job_id(company_id, settings_version),
        FULL_REPOST,
        {"settingsVersion": settings_version, "reason": reason},
    )


@dataclass(frozen=True, slots=True)
class BuildState:
    version: int
    settings_version: int
    cursor: str


async def run_full_repost(
    pool: asyncpg.Pool,
    company_id: UUID,
    job_id: str,
    *,
    step_seconds: float = STEP_SECONDS,
    batch_orders: int = BATCH_ORDERS,
) -> str:
    """One step of a full re-post: DONE, CONTINUE, BUSY (another runs) or SKIPPED."""
    async with pool.acquire() as lock_conn:
        got = await lock_conn.fetchval(
            "SELECT pg_try_advisory_lock(hashtextextended($1, $2))",
            f"repost:{company_id}",
            _LOCK_SALT,
        )
        if not got:
            return "BUSY"
        try:
            return await _step(pool, company_id, job_id, step_seconds, batch_orders)
        finally:
            await lock_conn.execute(
                "SELECT pg_advisory_unlock(hashtextextended($1, $2))",
                f"repost:{company_id}",
                _LOCK_SALT,
            )


async def _step(
    pool: asyncpg.Pool, company_id: UUID, job_id: str, step_seconds: float, batch_orders: int
) -> str:
    deadline = time.monotonic() + step_seconds
    state = await _begin(pool, company_id, job_id)
    if state is None:
        return "SKIPPED"
    if state.cursor == "" or state.cursor.startswith("order:"):
        async with pool.acquire() as conn, pool.acquire() as side:
            with rare_collections():
                outcome, state = await _build_orders(
                    conn, side, company_id, job_id, state, deadline, batch_orders
                )
        if outcome is not None:
            return outcome
    if state.cursor == "processor":
        if time.monotonic() > deadline:
            return "CONTINUE"
        async with pool.acquire() as conn, conn.transaction():
            if await _superseded(conn, company_id, state):
                await _abandon(conn, company_id, job_id)
                return "DONE"
            await _build_processor_records(conn, company_id, state.version)
            await _save_cursor(conn, company_id, "done")
        state = replace(state, cursor="done")
    if state.cursor == "done":
        async with pool.acquire() as conn, conn.transaction():
            await build_balances(conn, company_id, state.version)
            await rebuild_missing_days(conn, company_id, state.version)
            await _save_cursor(conn, company_id, "balanced")
    # "balanced": built; a step that stopped before the switch resumes here.
    await _switch(pool, company_id, job_id, state)
    return "DONE"


async def _save_cursor(conn: asyncpg.Connection, company_id: UUID, cursor: str) -> None:
    await conn.execute(
        "UPDATE books SET build_cursor = $2 WHERE company_id = $1", company_id, cursor
    )


async def _begin(pool: asyncpg.Pool, company_id: UUID, job_id: str) -> BuildState | None:
    async with pool.acquire() as conn, conn.transaction():
        job = await conn.fetchrow(
            "UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, "
            "started_at = coalesce(started_at, now()) "
            "WHERE company_id = $1 AND job_id = $2 AND status <> 'SUCCEEDED' RETURNING job_id",
            company_id,
            job_id,
        )
        if job is None:
            return None
        books = await conn.fetchrow(
            "SELECT * FROM books WHERE company_id = $1 FOR UPDATE", company_id
        )
        if books["build_job_id"] == job_id and books["building_version"] is not None:
            cursor = books["build_cursor"] or ""
            return BuildState(books["building_version"], books["build_settings_version"], cursor)
        await _retire(conn, company_id, books["building_version"])  # another job's build
        settings_version = await conn.fetchval(
            "SELECT version FROM bookkeeping_settings WHERE company_id = $1", company_id
        )
        version = books["next_version"]
        await conn.execute(
            """
            UPDATE books SET building_version = $2, next_version = $2 + 1,
                build_settings_version = $3, build_started_at = now(), build_cursor = '',
                build_job_id = $4
            WHERE company_id = $1
            """,
            company_id,
            version,
            settings_version,
            job_id,
        )
        await conn.execute("DELETE FROM books_dirty WHERE company_id = $1", company_id)
        return BuildState(version, settings_version, "")


async def _superseded(conn: asyncpg.Connection, company_id: UUID, state: BuildState) -> bool:
    """A newer settings change makes this build pointless: the newer job builds again."""
    version = await conn.fetchval(
        "SELECT version FROM bookkeeping_settings WHERE company_id = $1", company_id
    )
    return bool(version != state.settings_version)


async def _abandon(conn: asyncpg.Connection, company_id: UUID, job_id: str) -> None:
    building = await conn.fetchval(
        "SELECT building_version FROM books WHERE company_id = $1", company_id
    )
    await _retire(conn, company_id, building)
    await conn.execute(
        "UPDATE books SET building_version = NULL, build_cursor = NULL, build_job_id = NULL, "
        "build_settings_version = NULL, build_started_at = NULL WHERE company_id = $1",
        company_id,
    )
    await finish_job(conn, company_id, job_id)


POSTING_AHEAD = 2
"""Batches being posted while one is written."""


async def _build_orders(
    conn: asyncpg.Connection,
    side: asyncpg.Connection,
    company_id: UUID,
    job_id: str,
    state: BuildState,
    deadline: float,
    batch_orders: int,
) -> tuple[str | None, BuildState]:
    """Post the orders into the version being built, a batch per transaction
    with the cursor saved in it. While one batch is written on ``conn``, the
    next two are being posted (in the posting processes), the one after
    them is read on ``side``, and the facts of the one being written are
    remembered on ``side``: the posting processes always have a batch
    queued, rather than waiting for the next read. Returns CONTINUE at the
    deadline, DONE if a newer settings change made the build pointless,
    else None with the cursor at "processor".

    The first batches are smaller (an eighth, a quarter, a half): the
    writer has nothing to do until the first batch is posted, so a small
    one gets it going sooner, and each posts while the one before is
    written."""
    warm_up()
    size = max(1, batch_orders // 8)
    queued: deque[tuple[ReadBatch, asyncio.Future[list[BatchRows]] | None]] = deque()
    try:
        cursor = state.cursor
        for _ in range(POSTING_AHEAD):
            read, posting = await _read_and_post(side, company_id, state, cursor, size)
            queued.append((read, posting))
            if posting is None:
                break
            cursor, size = read.cursor, min(batch_orders, 2 * size)
        while True:
            ahead, posting = queued.popleft()
            if posting is None:  # no orders left
                async with conn.transaction():
                    if await _superseded(conn, company_id, state):
                        await _abandon(conn, company_id, job_id)
                        return "DONE", state
                    await _save_cursor(conn, company_id, ahead.cursor)
                return None, replace(state, cursor=ahead.cursor)
            rows = await _posted(posting)
            more = time.monotonic() <= deadline
            last = queued[-1][0] if queued else ahead
            read_more = more and bool(last.parts)
            side_work = asyncio.ensure_future(
                _read_ahead(side, company_id, state, last.cursor, size, rows, read_more)
            )
            try:
                async with conn.transaction():
                    if await _superseded(conn, company_id, state):
                        await _abandon(conn, company_id, job_id)
                        return "DONE", state
                    await write_batch(conn, company_id, state.version, rows)
                    await _save_cursor(conn, company_id, ahead.cursor)
            finally:
                following, following_posting = await side_work
                if following is not None:
                    queued.append((following, following_posting))
            state = replace(state, cursor=ahead.cursor)
            if not more:
                return "CONTINUE", state
            size = min(batch_orders, 2 * size)
    finally:
        for _, posting in queued:
            drop(posting)


COLLECT_AFTER = 100_000


@contextmanager
def rare_collections() -> Iterator[None]:
    """The cycle collector runs rarely while batches are written: each
    batch brings tens of thousands of rows back from the posting processes,
    none in a cycle, and collecting as they arrive walked every row held
    again and again. It still runs, every COLLECT_AFTER new objects."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], COLLECT_AFTER), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


async def _posted(posting: asyncio.Future[list[BatchRows]]) -> list[BatchRows]:
    """The rows of a batch being posted: what the writer waits for when
    posting is slower than writing."""
    return await posting


async def _read_ahead(
    side: asyncpg.Connection,
    company_id: UUID,
    state: BuildState,
    cursor: str,
    batch_orders: int,
    rows: list[BatchRows],
    more: bool,
) -> tuple[ReadBatch | None, asyncio.Future[list[BatchRows]] | None]:
    """The batch after ``cursor`` read and sent to be posted (unless
    ``more`` is false: the step's time is up), then the facts of the
    batch being written remembered."""
    following, posting = None, None
    if more:
        following, posting = await _read_and_post(side, company_id, state, cursor, batch_orders)
    try:
        async with side.transaction():
            await remember_facts(side, company_id, rows)
    except BaseException:
        drop(posting)
        raise
    return following, posting


async def _read_and_post(
    side: asyncpg.Connection, company_id: UUID, state: BuildState, cursor: str, size: int
) -> tuple[ReadBatch, asyncio.Future[list[BatchRows]] | None]:
    """The batch after ``cursor``, read and sent to be posted (no posting
    when no orders are left)."""
    read = await read_batch(side, company_id, state.version, cursor, size)
    return read, start_posting(read.parts) if read.parts else None


async def _build_processor_records(
    conn: asyncpg.Connection, company_id: UUID, version: int
) -> None:
    rows = await conn.fetch(
        "SELECT p.store_id, p.record_type, p.record_id, p.record, s.timezone, s.currency_code "
        "FROM processor_records p JOIN stores s USING (company_id, store_id) "
        "WHERE p.company_id = $1",
        company_id,
    )
    postings = [
        processor_posting(
            r["store_id"],
            r["timezone"],
            r["currency_code"],
            r["record_type"],
            r["record_id"],
            r["record"],
        )
        for r in rows
    ]
    postings += await kept_subject_postings(conn, company_id)
    current = await _current_version(conn, company_id)
    postings = await fold_postings(conn, company_id, current, postings)
    await copy_postings(conn, company_id, version, postings)
    await carry_closed_subjects(conn, company_id, current, version)


async def _current_version(conn: asyncpg.Connection, company_id: UUID) -> int:
    """The live version: where a rebuild finds the closed period's entries."""
    version: int = await conn.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    return version


async def _switch(pool: asyncpg.Pool, company_id: UUID, job_id: str, state: BuildState) -> None:
    async with pool.acquire() as conn, conn.transaction():
        live = await conn.fetchval(
            "SELECT current_version FROM books WHERE company_id = $1 FOR UPDATE", company_id
        )
        dirty = await conn.fetch(
            "SELECT subject FROM books_dirty WHERE company_id = $1 ORDER BY subject", company_id
        )
        for row in dirty:
            await _repost_subject(conn, company_id, row["subject"], state.version)
        await conn.execute(
            """
            UPDATE books SET current_version = building_version, building_version = NULL,
                build_cursor = NULL, build_job_id = NULL, build_settings_version = NULL,
                build_started_at = NULL
            WHERE company_id = $1
            """,
            company_id,
        )
        await conn.execute("DELETE FROM books_dirty WHERE company_id = $1", company_id)
        await _retire(conn, company_id, live)
        await conn.execute(
            "UPDATE bookkeeping_settings SET posted_version = greatest(posted_version, $2) "
            "WHERE company_id = $1",
            company_id,
            state.settings_version,
        )
        await finish_job(conn, company_id, job_id)


async def _repost_subject(
    conn: asyncpg.Connection, company_id: UUID, subject: str, version: int
) -> None:
    if is_kept_subject(subject):
        store = await conn.fetchval(
            "SELECT store_id FROM journal_entries WHERE company_id = $1 AND subject = $2 LIMIT 1",
            company_id,
            subject,
        )
        await repost_kept_subject(conn, company_id, subject, store, version)
        return
    kind, store, rest = subject.split(":", 2)
    if kind == "order":
        await repost_order(conn, company_id, UUID(store), rest, version=version)
    elif kind == "processor":
        record_type, record_id = rest.split(":", 1)
        await repost_processor_record(
            conn, company_id, UUID(store), record_type, record_id, version=version
        )


async def _retire(conn: asyncpg.Connection, company_id: UUID, version: int | None) -> None:
    if version is not None:
        await conn.execute(
            "INSERT INTO books_retired (company_id, journal_version) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            company_id,
            version,
        )


async def cleanup_retired_versions(
    pool: asyncpg.Pool, company_id: UUID, *, seconds: float | None = None
) -> tuple[int, bool]:
    """Delete retired versions in batches, each its own short transaction;
    returns how many entries went and whether every retired version is gone.

    Readers never see these versions, so deleting them can take its time;
    a version leaves the retired list only when its last row is gone. With
    ``seconds``, it stops after the batch that passes that time, so that a
    worker's job ends well inside its timeout and the rest is another job.
    """
    deleted = 0
    until = None if seconds is None else time.monotonic() + seconds
    versions = await pool.fetch(
        "SELECT journal_version FROM books_retired WHERE company_id = $1", company_id
    )
    for row in versions:
        version = row["journal_version"]
        while True:
            if until is not None and time.monotonic() > until:
                return deleted, False
            async with pool.acquire() as conn, conn.transaction():
                ids = await conn.fetch(
                    "SELECT entry_id FROM journal_entries WHERE company_id = $1 "
                    "AND journal_version = $2 LIMIT $3",
                    company_id,
                    version,
                    CLEANUP_BATCH,
                )
                entry_ids = [r["entry_id"] for r in ids]
                if entry_ids:
                    await conn.execute(
                        "DELETE FROM journal_lines WHERE company_id = $1 "
                        "AND entry_id = any($2::bigint[])",
                        company_id,
                        entry_ids,
                    )
                    await conn.execute(
                        "DELETE FROM journal_entries WHERE company_id = $1 "
                        "AND entry_id = any($2::bigint[])",
                        company_id,
                        entry_ids,
                    )
                    deleted += len(entry_ids)
                    continue
                for table in (
                    "daily_balances",
                    "monthly_balances",
                    "yearly_balances",
                    "order_summaries",
                    "missing_costs",
                    "missing_cost_days",
                    "cogs_details",
                ):
                    await conn.execute(
                        f"DELETE FROM {table} WHERE company_id = $1 AND journal_version = $2",
                        company_id,
                        version,
                    )
                await conn.execute(
                    "DELETE FROM books_retired WHERE company_id = $1 AND journal_version = $2",
                    company_id,
                    version,
                )
                break
    return deleted, True
