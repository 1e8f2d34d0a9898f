"""Work that keeps failing ends FAILED with its reason, is shown, and can be retried."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from arq import Retry
from arq.connections import ArqRedis

from service.ledger.ingest import store_event
from service.ledger.jobs import get_job
from service.ledger.reposting import request_full_repost
from tests.conftest import GraphQL, Tenant
from worker.jobs import EVENT_MAX_ATTEMPTS, guarded, process_shopify_event

# Nested deeper than Python's JSON decoder can go: it raises RecursionError,
# which no payload check expected, inside the transaction that rolls back.
POISON = b'{"id": 1, "line_items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


async def _poison_event(pool: asyncpg.Pool, tenant: Tenant) -> int:
    event_id = await store_event(
        pool,
        tenant.company_id,
        tenant.store_id,
        source="shopify.webhook",
        topic="orders/create",
        external_id="poison-1",
        body=POISON,
    )
    assert event_id is not None
    return event_id


async def test_a_poison_event_fails_after_its_attempts_and_can_be_retried(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant, gql: GraphQL
) -> None:
    event_id = await _poison_event(pool, tenant)
    ctx: dict[str, Any] = {"pool": pool, "job_try": 1}
    for _ in range(EVENT_MAX_ATTEMPTS - 1):
        with pytest.raises(Retry):
            await process_shopify_event(ctx, str(tenant.company_id), event_id)
    assert await process_shopify_event(ctx, str(tenant.company_id), event_id) == "FAILED"
    errors = await gql("{ ingestErrors(first: 5) { nodes { id reason } } }")
    [shown] = errors["data"]["ingestErrors"]["nodes"]
    assert "RecursionError" in shown["reason"]
    retried = await gql(
        "mutation($id: ID!) { retryIngestEvent(input: { id: $id }) "
        "{ retried userErrors { code } } }",
        {"id": shown["id"]},
    )
    assert retried["data"]["retryIngestEvent"] == {"retried": True, "userErrors": []}
    status = await pool.fetchval(
        "SELECT status FROM raw_events WHERE company_id = $1 AND event_id = $2",
        tenant.company_id,
        event_id,
    )
    assert status == "PENDING"


async def test_a_job_that_raises_is_failed_with_its_reason(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant, gql: GraphQL
) -> None:
    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="test")

    async def broken() -> str:
        raise RuntimeError("a bug, not a lost connection")

    with pytest.raises(RuntimeError):
        await guarded({"pool": pool, "job_try": 1}, str(tenant.company_id), job.job_id, broken)
    failed = await get_job(pool, tenant.company_id, job.job_id)
    assert failed is not None and failed.status == "FAILED"
    assert failed.error == "RuntimeError: a bug, not a lost connection"
    status = await gql("{ booksStatus { upToDate recentJobs(first: 5) { id status error } } }")
    [shown] = status["data"]["booksStatus"]["recentJobs"]
    assert shown["status"] == "FAILED" and shown["error"]
    retried = await gql(
        "mutation($id: ID!) { retryJob(input: { id: $id }) "
        "{ job { status } userErrors { code } } }",
        {"id": shown["id"]},
    )
    assert retried["data"]["retryJob"]["job"]["status"] == "QUEUED"


async def test_verify_reports_failed_work(pool: asyncpg.Pool, tenant: Tenant) -> None:
    from service.ledger.verify import stuck_work

    event_id = await _poison_event(pool, tenant)
    await pool.execute(
        "UPDATE raw_events SET status = 'FAILED' WHERE company_id = $1 AND event_id = $2",
        tenant.company_id,
        event_id,
    )
    assert any("FAILED" in line for line in await stuck_work(pool, tenant.company_id))


def test_a_killed_workers_event_comes_back_within_half_a_minute() -> None:
    """arq gives a killed worker's job to another once its in-progress key
    expires: the longest timeout of the worker's functions plus 10 s."""
    from worker.settings import EVENT_FUNCTIONS

    assert max(f.timeout_s or 0 for f in EVENT_FUNCTIONS) + 10 < 30


async def test_webhook_events_have_a_queue_of_their_own(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant
) -> None:
    from service.db.queue import enqueue_event, events_queue

    job_id = f"event:{tenant.company_id}:test"  # arq job ids are global: one of this test's own
    await enqueue_event(queue, "process_shopify_event", job_id, str(tenant.company_id), 1)
    assert await queue.zcard(events_queue(queue.default_queue_name)) == 1
    assert await queue.zcard(queue.default_queue_name) == 0


async def test_a_crashed_sync_ends_failed_and_the_next_sync_starts_afresh(
    gql: GraphQL, settings: Any, pool: asyncpg.Pool
) -> None:
    from tests.integration.shopify_helpers import connect
    from worker.jobs import sync_shopify_store

    made = await connect(gql, "crash-shop.myshopify.com", "http://127.0.0.1:9")
    run_id = made["syncRun"]["id"]
    store_id = made["store"]["id"]
    from service.api.ids import decode_id

    # The stored credentials no longer decrypt (the secret key was changed):
    # not a Shopify error, a crash in the middle of the sync.
    other_key = settings.model_copy(update={"secret_key": "another-key"})
    ctx = {"pool": pool, "settings": other_key, "job_try": 1}
    local_run = decode_id(run_id, "SyncRun")
    assert local_run is not None
    company_id = await pool.fetchval(
        "SELECT company_id FROM sync_runs WHERE run_id = $1::uuid", local_run
    )
    assert await sync_shopify_store(ctx, str(company_id), local_run) == "FAILED"
    status, errors = await pool.fetchrow(
        "SELECT status, errors::text FROM sync_runs WHERE run_id = $1::uuid", local_run
    )
    assert status == "FAILED" and "internal error" in errors
    again = await gql(
        "mutation($s: ID!) { syncStore(storeId: $s) "
        "{ syncRun { id status } userErrors { code } } }",
        {"s": store_id},
    )
    assert again["data"]["syncStore"]["syncRun"]["id"] != run_id


async def test_a_stored_address_outside_the_allow_list_is_not_called(
    gql: GraphQL, settings: Any, pool: asyncpg.Pool
) -> None:
    """Connected while any host was allowed; the production worker refuses to call it."""
    from service.api.ids import decode_id
    from tests.integration.shopify_helpers import connect
    from worker.jobs import sync_shopify_store

    made = await connect(gql, "internal-shop.myshopify.com", "http://169.254.169.254")
    run_id = decode_id(made["syncRun"]["id"], "SyncRun")
    assert run_id is not None
    company_id = await pool.fetchval(
        "SELECT company_id FROM sync_runs WHERE run_id = $1::uuid", run_id
    )
    closed = settings.model_copy(update={"allow_any_api_host": False})
    ctx = {"pool": pool, "settings": closed, "job_try": 1}
    assert await sync_shopify_store(ctx, str(company_id), run_id) == "FAILED"
    errors = await pool.fetchval(
        "SELECT errors::text FROM sync_runs WHERE run_id = $1::uuid", run_id
    )
    assert "not allowed" in errors and "169.254" not in errors


async def test_a_job_over_its_deadline_is_failed_not_left_running(
    pool: asyncpg.Pool, tenant: Tenant, settings: Any
) -> None:
    """arq would cancel it silently at its timeout; the job's own deadline comes first."""
    import asyncio

    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="slow")
    short = settings.model_copy(update={"job_timeout_seconds": 6})

    async def slow() -> str:
        await asyncio.sleep(5)
        return "DONE"

    with pytest.raises(RuntimeError):
        await guarded(
            {"pool": pool, "job_try": 1, "settings": short},
            str(tenant.company_id),
            job.job_id,
            slow,
        )
    failed = await get_job(pool, tenant.company_id, job.job_id)
    assert (
        failed is not None and failed.status == "FAILED" and "longer than" in (failed.error or "")
    )


async def test_a_running_job_whose_worker_is_gone_is_run_again(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant, settings: Any
) -> None:
    from service.ledger.order_actions import request_store_repost
    from worker.jobs import requeue_stale_jobs

    async with pool.acquire() as conn:
        job = await request_store_repost(conn, tenant.company_id, tenant.store_id, "test")
        await conn.execute(
            "UPDATE jobs SET status = 'RUNNING', started_at = now() - interval '1 hour' "
            "WHERE company_id = $1 AND job_id = $2",
            tenant.company_id,
            job.job_id,
        )
    ctx = {"pool": pool, "redis": queue, "settings": settings}
    assert await requeue_stale_jobs(ctx) >= 1
    assert await queue.zcard(queue.default_queue_name) >= 1
