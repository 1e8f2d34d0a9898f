"""The frame every command runs in: one transaction, idempotency first, jobs after.

A command's body runs inside the transaction and says what it changed
(a JSON result, kept for replays) and which jobs to wake once committed.
Enqueueing after the commit means a worker never looks for a row that is
not there yet; a lost wake-up is harmless because the job row is durable
and the worker's sweep enqueues it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
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


@dataclass(slots=True)
class AuditEntry:
    """Who asked for the change and what they sent, written with the change."""

    token_id: UUID | None
    kind: str
    summary: dict[str, Any]
    written: bool = False


# Set by whoever authenticated the request (the API, for every mutation).
current_audit: ContextVar[AuditEntry | None] = ContextVar("current_audit", default=None)


async def write_audit(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> None:
    """Record the current request's audit entry once, in the caller's transaction."""
    entry = current_audit.get()
    if entry is None or entry.written:
        return
    await conn.execute(
        "INSERT INTO audit_log (company_id, token_id, kind, summary) VALUES ($1, $2, $3, $4)",
        company_id,
        entry.token_id,
        entry.kind,
        entry.summary,
    )
    entry.written = True


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
        await write_audit(conn, company_id)
    if queue is not None:
        for job in outcome.wake:
            put = enqueue_event if job.events else enqueue
            await put(queue, job.function, job.job_id, *job.args)
    return outcome
