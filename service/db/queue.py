"""The job queue (arq over Valkey or Redis).

Job ids name the work they do (the company and the settings version for a
full re-post), so the same work enqueued twice runs once, while a newer
change still gets a job of its own.
"""

from __future__ import annotations

from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import job_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms


def redis_settings(url: str) -> RedisSettings:
    settings: RedisSettings = RedisSettings.from_dsn(url)
    return settings


async def open_queue(redis_url: str, queue_name: str) -> ArqRedis:
    queue: ArqRedis = await create_pool(redis_settings(redis_url), default_queue_name=queue_name)
    return queue


def events_queue(queue_name: str) -> str:
    """The queue of stored webhook events, beside the main one: a company's long
    syncs and re-posts never stand between another company's webhook and its
    worker, and event jobs keep a short timeout (a killed worker's event is
    picked up again within half a minute)."""
    return f"{queue_name}:events"


async def enqueue(
    queue: ArqRedis, function: str, job_id: str, *args: Any, queue_name: str | None = None
) -> bool:
    """Enqueue under a fixed id; False when that job is already queued or kept."""
    job = await queue.enqueue_job(function, *args, _job_id=job_id, _queue_name=queue_name)
    return job is not None


async def enqueue_event(queue: ArqRedis, function: str, job_id: str, *args: Any) -> bool:
    """Enqueue on the events queue of the queue's deployment."""
    return await enqueue(
        queue, function, job_id, *args, queue_name=events_queue(queue.default_queue_name)
    )


async def enqueue_new_events(
    queue: ArqRedis, function: str, jobs: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """Enqueue just-stored events' jobs (job id, arguments) on the events
    queue in one round trip.

    arq's own enqueue checks in a WATCH transaction (several round trips
    per job) that no job of that id exists. Event ids an INSERT has just
    returned have no job yet, so the webhook endpoint writes arq's two keys
    directly: the job (SET ... NX, so a job already queued by the sweep is
    kept) and its place in the queue, all in one MULTI/EXEC. Same job
    format as arq's."""
    now = timestamp_ms()
    name = events_queue(queue.default_queue_name)
    async with queue.pipeline(transaction=True) as pipe:
        for job_id, args in jobs:
            job = serialize_job(function, args, {}, None, now, serializer=queue.job_serializer)
            pipe.set(job_key_prefix + job_id, job, px=queue.expires_extra_ms, nx=True)
        pipe.zadd(name, {job_id: now for job_id, _ in jobs}, nx=True)
        await pipe.execute()
