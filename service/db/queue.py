"""The job queue (arq over Valkey or Redis).

Job ids name the work they do (the company and the settings version for a
full re-post), so the same work enqueued twice runs once, while a newer
change still gets a job of its own.
"""

from __future__ import annotations

from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings


def redis_settings(url: str) -> RedisSettings:
    settings: RedisSettings = RedisSettings.from_dsn(url)
    return settings


async def open_queue(redis_url: str, queue_name: str) -> ArqRedis:
    queue: ArqRedis = await create_pool(redis_settings(redis_url), default_queue_name=queue_name)
    return queue


async def enqueue(queue: ArqRedis, function: str, job_id: str, *args: Any) -> bool:
    """Enqueue under a fixed id; False when that job is already queued or kept."""
    job = await queue.enqueue_job(function, *args, _job_id=job_id)
    return job is not None
