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

import json
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, cast

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


# A company's turn on the events queue, in Valkey so that every worker sees
# it. KEYS: the company's running count, its list of handed-over jobs.
# Admit: count this job in, or, over the cap, hand its arguments to the
# company's running jobs and count it out again, all in one step.
_ADMIT = """
local running = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if running <= tonumber(ARGV[1]) then return 1 end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('DECR', KEYS[1])
return 0
"""
# Next: the oldest handed-over job, or, when none is left, the end of the turn.
_NEXT = """
local item = redis.call('LPOP', KEYS[2])
if item then return item end
redis.call('DECR', KEYS[1])
return false
"""
# Leave early: end the turn and take every handed-over job to enqueue again.
_LEAVE = """
local items = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
redis.call('DECR', KEYS[1])
return items
"""


class CompanyTurn:
    """One company's share of the events queue, without putting jobs back.

    Putting a job back over the cap costs a new queue message and another
    pass through a worker; in a flash sale of one company most passes would
    be that. Instead a job over the cap hands its arguments to the company's
    running jobs and ends at once, and each running job, when done, takes
    the next handed-over job before giving up its slot. The company never
    holds more than `cap` slots, and no handed-over job is left behind: each
    step is one atomic script, so a job is handed over only while another
    job of the company is still running and has yet to look for more.
    """

    def __init__(
        self, redis: ArqRedis, queue_name: str, function: str, company_id: str, cap: int, ttl: int
    ) -> None:
        self._redis = redis
        self._keys = [
            f"{queue_name}:running:{company_id}",
            f"{queue_name}:handed:{function}:{company_id}",
        ]
        self._cap = cap
        self._ttl = ttl
        self.holding = False

    async def admit(self, args: tuple[Any, ...]) -> bool:
        """Whether this job runs now; False means it was handed over."""
        ok = await self._eval(_ADMIT, self._cap, self._ttl, json.dumps(args))
        self.holding = bool(ok)
        return self.holding

    async def next(self) -> tuple[Any, ...] | None:
        """The next handed-over job's arguments; None ends the turn."""
        item = await self._eval(_NEXT)
        if item is None:
            self.holding = False
            return None
        return tuple(json.loads(item))

    async def leave(self) -> list[tuple[Any, ...]]:
        """End the turn now; the jobs still handed over, to enqueue again."""
        if not self.holding:
            return []
        self.holding = False
        items = await self._eval(_LEAVE)
        return [tuple(json.loads(i)) for i in items]

    async def _eval(self, script: str, *args: Any) -> Any:
        return await cast(Awaitable[Any], self._redis.eval(script, 2, *self._keys, *args))
