"""A full re-post survives `kill -9` of its worker.

The books of a company with a few thousand orders are re-posted after a
settings change by a real `storebooks worker` process, which is killed
with SIGKILL in the middle of building the new journal version. The live
books must be exactly as before; a new worker must finish the job; the
result must verify clean (it equals a from-scratch re-post).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import asyncpg

from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.ledger.codec import encode
from service.ledger.reposting import request_full_repost, run_full_repost
from service.ledger.statements import period_sums
from service.ledger.verify import verify_company
from tests.conftest import Servers, Settings, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.graphql import graphql_order

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 3000


async def _load_orders(pool: asyncpg.Pool, tenant: Tenant) -> None:
    shop = generate_shop(ORDERS, seed=99)
    rows = []
    for o in shop.orders:
        history = history_from_graphql(
            flatten(graphql_order(o)), store_id=str(tenant.store_id), timezone="America/New_York"
        )
        rows.append((tenant.company_id, tenant.store_id, str(o.id), encode(history)))
    await pool.executemany(
        "INSERT INTO order_sources (company_id, store_id, order_id, history) "
        "VALUES ($1, $2, $3, $4)",
        rows,
    )


async def _books(pool: asyncpg.Pool, company_id: UUID) -> tuple[int, dict[tuple[str, str], int]]:
    version = await pool.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    import datetime as dt

    sums = await period_sums(pool, company_id, version, None, dt.date(2030, 1, 1), group="MONTH")
    return version, sums


def _worker(servers: Servers, settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = servers.env()
    env.update(
        STOREBOOKS_QUEUE=settings.queue_name,
        STOREBOOKS_JOB_TIMEOUT="3",
        STOREBOOKS_REPOST_BATCH="50",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


async def _wait(pool: asyncpg.Pool, query: str, *args: object, within: float, log: Path) -> object:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await pool.fetchval(query, *args)
        if value:
            return value
        await asyncio.sleep(0.02)
    tail = _tail(log)
    raise AssertionError(f"timed out waiting for: {query}\nthe worker's log ends:\n{tail}")


async def test_killed_full_repost_leaves_old_books_and_resumes(
    pool: asyncpg.Pool,
    tenant: Tenant,
    servers: Servers,
    settings: Settings,
    queue: object,
    tmp_path: Path,
) -> None:
    log = tmp_path / "worker.log"
    await _load_orders(pool, tenant)
    async with pool.acquire() as conn:
        first = await request_full_repost(conn, tenant.company_id, 1, reason="initial books")
    assert await run_full_repost(pool, tenant.company_id, first.job_id) == "DONE"
    before = await _books(pool, tenant.company_id)

    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE bookkeeping_settings SET accounting_basis = 'ACCRUAL', version = 2 "
            "WHERE company_id = $1",
            tenant.company_id,
        )
        job = await request_full_repost(conn, tenant.company_id, 2, reason="settings changed")
    from service.db.queue import enqueue
    from service.ledger.reposting import REPOST_FUNCTION

    await enqueue(queue, REPOST_FUNCTION, job.job_id, str(tenant.company_id), job.job_id)  # type: ignore[arg-type]

    worker = _worker(servers, settings, log)
    try:
        await _wait(
            pool,
            "SELECT build_cursor LIKE 'order:%' FROM books WHERE company_id = $1",
            tenant.company_id,
            within=60,
            log=log,
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    # The live books are untouched by the half-built version.
    assert await _books(pool, tenant.company_id) == before
    building = await pool.fetchval(
        "SELECT count(*) FROM journal_entries WHERE company_id = $1 AND journal_version <> $2",
        tenant.company_id,
        before[0],
    )
    assert building > 0, "the kill came before the new version had any entries"

    worker = _worker(servers, settings, log)
    try:
        await _wait(
            pool,
            "SELECT status = 'SUCCEEDED' FROM jobs WHERE company_id = $1 AND job_id = $2",
            tenant.company_id,
            job.job_id,
            within=90,
            log=log,
        )
        version, sums = await _books(pool, tenant.company_id)
        assert version != before[0] and sums != before[1]
        await _wait(  # the old version and the killed build are deleted in the background
            pool,
            "SELECT count(*) = 0 FROM journal_entries WHERE company_id = $1 "
            "AND journal_version <> $2",
            tenant.company_id,
            version,
            within=60,
            log=log,
        )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    report = await verify_company(pool, tenant.company_id)
    assert report.problems == []
    assert report.checked_subjects >= ORDERS
