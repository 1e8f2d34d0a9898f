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


async def enqueue_new_event(queue: ArqRedis, function: str, job_id: str, *args: Any) -> None:
    """Enqueue a just-stored event's job on the events queue in one round trip.

    arq's own enqueue checks in a WATCH transaction (several round trips)
    that no job of that id exists. An event id the INSERT has just returned
    has no job yet, so the webhook endpoint writes arq's two keys directly:
    the job (SET ... NX, so a job already queued by the sweep is kept) and
    its place in the queue, in one MULTI/EXEC. Same job format as arq's."""
    now = timestamp_ms()
    job = serialize_job(function, args, {}, None, now, serializer=queue.job_serializer)
    async with queue.pipeline(transaction=True) as pipe:
        pipe.set(job_key_prefix + job_id, job, px=queue.expires_extra_ms, nx=True)
        pipe.zadd(events_queue(queue.default_queue_name), {job_id: now}, nx=True)
        await pipe.execute()
