"""The job queue (arq over Valkey or Redis).

Job ids name the work they do (the company and the settings version for a
full re-post), so the same work enqueued twice runs once, while a newer
change still gets a job of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

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


# Per job: its marker ('' for none), job key, serialised job, job id. A job
# whose order already has one waiting (its marker is set) is not written.
_ENQUEUE_NEW = """
local queue, now, expires, ttl = KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3]
local written = 0
for i = 4, #ARGV, 4 do
    local marker = ARGV[i]
    if marker == '' or redis.call('SET', marker, '1', 'NX', 'PX', ttl) then
        redis.call('SET', ARGV[i + 1], ARGV[i + 2], 'NX', 'PX', expires)
        redis.call('ZADD', queue, 'NX', now, ARGV[i + 3])
        written = written + 1
    end
end
return written
"""
# How long an order's marker outlives a job that never ran (a lost worker):
# after it, the order's next webhook enqueues a job again.
ORDER_MARKER_MS = 60_000


def order_marker(queue: ArqRedis, company_id: str, store_id: str, order_id: str) -> str:
    """The key that says a job for this order is waiting to start."""
    queue_name = events_queue(queue.default_queue_name)
    return f"{queue_name}:order-waiting:{company_id}:{store_id}:{order_id}"


async def enqueue_new_events(
    queue: ArqRedis, function: str, jobs: list[tuple[str, tuple[Any, ...], str]]
) -> int:
    """Enqueue just-stored events' jobs (job id, arguments, order marker) on
    the events queue in one round trip; returns the jobs written.

    arq's own enqueue checks in a WATCH transaction (several round trips
    per job) that no job of that id exists. Event ids an INSERT has just
    returned have no job yet, so the webhook endpoint writes arq's two keys
    directly: the job (SET ... NX, so a job already queued by the sweep is
    kept) and its place in the queue, in one script. Same job format as
    arq's.

    One job per order is enough while it waits: that job takes all the
    order's waiting webhooks. So a job with an order marker is written only
    if it can set the marker; the job clears the marker before it looks for
    the order's webhooks, so a webhook stored after that point sets it again
    and gets a job of its own."""
    now = timestamp_ms()
    args: list[Any] = [now, queue.expires_extra_ms, ORDER_MARKER_MS]
    for job_id, job_args, marker in jobs:
        job = serialize_job(function, job_args, {}, None, now, serializer=queue.job_serializer)
        args += [marker, job_key_prefix + job_id, job, job_id]
    written = await cast(
        Awaitable[int],
        queue.eval(_ENQUEUE_NEW, 1, events_queue(queue.default_queue_name), *args),
    )
    return written
