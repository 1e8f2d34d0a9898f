"""A cap on one company's concurrent jobs, so that no company fills every slot.

A worker runs up to max_jobs jobs at once. Without a cap, one company with
many stores to sync, or a flood of webhooks, could hold them all while other
companies' work waits. Each company may hold `cap` slots of a queue; a job
over the cap is put back with a short delay (a new queue message; arq's
Retry would spend one of the job's tries) and its slot is free for others.
The counter lives in Valkey with an expiry, so a killed worker's slots come
back on their own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from arq.connections import ArqRedis

DEFER_SECONDS = 1.0


@asynccontextmanager
async def company_slot(
    redis: ArqRedis, queue_name: str, company_id: str, cap: int, ttl: int
) -> AsyncIterator[bool]:
    """Yields whether the company may run one more job on the queue now."""
    key = f"{queue_name}:running:{company_id}"
    count = await redis.incr(key)
    await redis.expire(key, ttl)
    try:
        yield count <= cap
    finally:
        await redis.decr(key)


async def put_back(
    ctx: dict[str, Any], function: str, *args: Any, defer: float = DEFER_SECONDS
) -> str:
    """Enqueue the job again shortly, under a new message id; its work is the same."""
    redis: ArqRedis = ctx["redis"]
    message_id = f"{ctx.get('job_id', function)}:later:{uuid.uuid4().hex[:8]}"
    await redis.enqueue_job(
        function,
        *args,
        _job_id=message_id,
        _defer_by=defer,
        _queue_name=ctx.get("queue_name"),
    )
    return "DEFERRED"
