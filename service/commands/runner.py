"""The frame every command runs in: one transaction, idempotency first, jobs after.

A command's body runs inside the transaction and says what it changed
(a JSON result, kept for replays) and which jobs to wake once committed.
Enqueueing after the commit means a worker never looks for a row that is
not there yet; a lost wake-up is harmless because the job row is durable
and the worker's sweep enqueues it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.idempotency import remember, replay_or_none
from service.db.queue import enqueue, enqueue_event


@dataclass(frozen=True, slots=True)
class Wake:
    """A job to enqueue once the command has committed."""

    function: str
    job_id: str
    args: tuple[Any, ...]
    events: bool = False  # on the events queue


@dataclass(slots=True)
class Outcome:
    """What a command did: its result (replayed as is), the jobs to wake, or
    the refusals that left everything unchanged."""

    result: dict[str, Any] = field(default_factory=dict)
    wake: list[Wake] = field(default_factory=list)
    refusals: list[tuple[str | None, str, str]] = field(default_factory=list)
    replayed: bool = False


Body = Callable[[asyncpg.Connection], Awaitable[Outcome]]


async def run_command(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    operation: str,
    key: str | None,
    body: Body,
) -> Outcome:
    """Replay the key's result, or run the body and keep its result under the key."""
    async with pool.acquire() as conn, conn.transaction():
        replayed = await replay_or_none(conn, company_id, key, operation)
        if replayed is not None:
            return Outcome(result=replayed, replayed=True)
        outcome = await body(conn)
        if outcome.refusals:
            return outcome  # nothing changed, nothing kept: a corrected retry may reuse the key
        await remember(conn, company_id, key, operation, outcome.result)
    if queue is not None:
        for job in outcome.wake:
            put = enqueue_event if job.events else enqueue
            await put(queue, job.function, job.job_id, *job.args)
    return outcome
