"""Jobs run once per piece of work, however often they are enqueued or delivered."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from arq.connections import ArqRedis

from service.db.queue import enqueue
from service.ledger.jobs import get_job
from service.ledger.reposting import REPOST_FUNCTION, request_full_repost, run_full_repost
from tests.conftest import Tenant


async def test_same_job_id_is_enqueued_once(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant, run_worker: Callable[[], Awaitable[None]]
) -> None:
    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="test")
    args = (str(tenant.company_id), job.job_id)
    assert await enqueue(queue, REPOST_FUNCTION, job.job_id, *args) is True
    assert await enqueue(queue, REPOST_FUNCTION, job.job_id, *args) is False
    await run_worker()
    done = await get_job(pool, tenant.company_id, job.job_id)
    assert done is not None and (done.status, done.attempts) == ("SUCCEEDED", 1)


async def test_a_repeated_delivery_does_nothing(pool: asyncpg.Pool, tenant: Tenant) -> None:
    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="test")
    assert await run_full_repost(pool, tenant.company_id, job.job_id) == "DONE"
    assert await run_full_repost(pool, tenant.company_id, job.job_id) == "SKIPPED"
    done = await get_job(pool, tenant.company_id, job.job_id)
    assert done is not None and done.attempts == 1


async def test_recording_the_same_job_twice_keeps_one_row(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    async with pool.acquire() as conn:
        a = await request_full_repost(conn, tenant.company_id, 3, reason="first")
        b = await request_full_repost(conn, tenant.company_id, 3, reason="second")
    assert a.job_id == b.job_id and b.payload["reason"] == "first"


async def test_lost_queue_message_is_requeued_by_the_sweep(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant, run_worker: Callable[[], Awaitable[None]]
) -> None:
    from worker.jobs import requeue_stale_jobs

    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="never enqueued")
        await conn.execute(
            "UPDATE jobs SET enqueued_at = now() - interval '5 minutes' "
            "WHERE company_id = $1 AND job_id = $2",
            tenant.company_id,
            job.job_id,
        )
    assert await requeue_stale_jobs({"pool": pool, "redis": queue}) >= 1
    await run_worker()
    done = await get_job(pool, tenant.company_id, job.job_id)
    assert done is not None and done.status == "SUCCEEDED"


async def test_a_company_holds_at_most_its_share_of_slots(queue: ArqRedis) -> None:
    from worker.fairness import company_slot

    company = str(uuid.uuid4())
    name = queue.default_queue_name
    async with (
        company_slot(queue, name, company, 2, 60) as first,
        company_slot(queue, name, company, 2, 60) as second,
        company_slot(queue, name, company, 2, 60) as third,
        company_slot(queue, name, str(uuid.uuid4()), 2, 60) as other,
    ):
        assert (first, second, third, other) == (True, True, False, True)
    async with company_slot(queue, name, company, 2, 60) as again:
        assert again  # slots are given back when jobs end


async def _turns(
    queue: ArqRedis, fail: int | None = None
) -> tuple[list[int], str, str, Callable[..., Awaitable[Any]]]:
    """A job that, while it runs, sees two more jobs of its company arrive
    over a cap of one; returns what ran, the queue, the company, the job."""
    from worker.fairness import CompanyTurn
    from worker.running import _in_turn

    company = str(uuid.uuid4())
    name = f"{queue.default_queue_name}:events"
    done: list[int] = []

    async def job(ctx: dict[str, Any], company_id: str, n: int) -> int:
        if n == 1:
            for later in (2, 3):
                turn = CompanyTurn(queue, name, "job", company_id, 1, 60)
                assert await _in_turn(turn, job, ctx, company_id, (later,)) == "HANDED_OVER"
        if n == fail:
            raise RuntimeError("lost")
        done.append(n)
        return n

    async def first() -> Any:
        ctx = {"redis": queue, "queue_name": name}
        turn = CompanyTurn(queue, name, "job", company, 1, 60)
        return await _in_turn(turn, job, ctx, company, (1,))

    return done, name, company, first


async def test_jobs_over_a_companys_cap_are_handed_to_its_running_job(queue: ArqRedis) -> None:
    done, name, company, first = await _turns(queue)
    assert await first() == 1
    assert done == [1, 2, 3]
    assert int(await queue.get(f"{name}:running:{company}")) == 0
    assert await queue.zcard(name) == 0  # nothing put back


async def test_a_handed_over_job_that_fails_is_enqueued_on_its_own(queue: ArqRedis) -> None:
    done, name, company, first = await _turns(queue, fail=2)
    assert await first() == 1
    assert done == [1, 3]
    assert await queue.zcard(name) == 1
    assert int(await queue.get(f"{name}:running:{company}")) == 0


async def test_a_turn_out_of_time_enqueues_what_it_was_handed(
    queue: ArqRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("worker.running.TURN_SECONDS", 0.0)
    done, name, company, first = await _turns(queue)
    assert await first() == 1
    assert done == [1]
    assert await queue.zcard(name) == 2
    assert int(await queue.get(f"{name}:running:{company}")) == 0


async def test_a_job_over_the_cap_is_put_back_not_failed(
    pool: asyncpg.Pool, queue: ArqRedis, tenant: Tenant, settings: Any
) -> None:
    from worker.fairness import company_slot
    from worker.jobs import repost_company

    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, 1, reason="capped")
    ctx = {
        "pool": pool,
        "redis": queue,
        "settings": settings.model_copy(update={"company_jobs": 1}),
        "queue_name": queue.default_queue_name,
        "job_id": job.job_id,
    }
    async with company_slot(queue, queue.default_queue_name, str(tenant.company_id), 1, 60):
        status = await repost_company(ctx, str(tenant.company_id), job.job_id)
    assert status == "DEFERRED"
    assert await queue.zcard(queue.default_queue_name) == 1
    waiting = await get_job(pool, tenant.company_id, job.job_id)
    assert waiting is not None and waiting.status == "QUEUED"


async def test_retired_books_are_deleted_in_steps_that_resume(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    """A step out of time leaves the retired version listed, to be finished by
    the next step; a step with time deletes it and its rows."""
    from service.ledger.reposting import cleanup_retired_versions

    for version in (1, 2):
        async with pool.acquire() as conn:
            job = await request_full_repost(conn, tenant.company_id, version, reason="test")
        assert await run_full_repost(pool, tenant.company_id, job.job_id) == "DONE"
    retired = "SELECT count(*) FROM books_retired WHERE company_id = $1"
    waiting = await pool.fetchval(retired, tenant.company_id)
    assert waiting > 0
    assert await cleanup_retired_versions(pool, tenant.company_id, seconds=0) == (0, False)
    assert await pool.fetchval(retired, tenant.company_id) == waiting
    _, finished = await cleanup_retired_versions(pool, tenant.company_id, seconds=60)
    assert finished and await pool.fetchval(retired, tenant.company_id) == 0


async def test_an_order_has_one_waiting_job_at_a_time(queue: ArqRedis) -> None:
    """Webhooks of an order whose job has not started yet get no job of their
    own; once the job clears the order's marker, the next webhook gets one."""
    from service.db.queue import enqueue_new_events, events_queue, order_marker

    company = str(uuid.uuid4())
    marker = order_marker(queue, company, "store", "1001")
    name = events_queue(queue.default_queue_name)
    jobs = [
        (f"e:{company}:1", (company, 1, marker), marker),
        (f"e:{company}:2", (company, 2, marker), marker),
        (f"e:{company}:3", (company, 3, ""), ""),  # no order named: always a job
    ]
    assert await enqueue_new_events(queue, "process_shopify_event", jobs) == 2
    assert await queue.zrange(name, 0, -1) == [f"e:{company}:1".encode(), f"e:{company}:3".encode()]
    later = [(f"e:{company}:4", (company, 4, marker), marker)]
    assert await enqueue_new_events(queue, "process_shopify_event", later) == 0
    await queue.delete(marker)  # what the job does before it looks for the order's webhooks
    assert await enqueue_new_events(queue, "process_shopify_event", later) == 1
