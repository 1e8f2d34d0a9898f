"""What every push to an accounting system does, whatever the system.

Summarize the period and store it; refuse, listing them all, when an
account with activity has no counterpart (then nothing is stored or sent);
send only the summaries that are new, changed or failed before (a pushed
one is updated in place by its remote id, never created twice); record
each answer as it comes, so a refusal leaves that summary FAILED with the
system's reason, to be sent again by the next push, and never loses what
the system already holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar
from uuid import UUID

import asyncpg

from service.ledger.exports import pushes
from service.ledger.exports.reading import Books, read_books
from service.ledger.exports.summary import Summary, SummaryKind
from service.ledger.journal import closed_through


class Answer(Protocol):
    @property
    def remote_id(self) -> str | None: ...

    @property
    def error(self) -> str | None: ...


@dataclass
class PushReport:
    sent: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


J = TypeVar("J")
AccountMap = dict[str, tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Target(Generic[J]):
    name: str  # QBO / XERO
    batch: int
    remote: Callable[[Books, Summary, AccountMap, pushes.PushState | None], J]
    send: Callable[[Sequence[J]], Awaitable[Sequence[Answer]]]
    version: Callable[[Answer], str]


async def push(
    pool: asyncpg.Pool,
    company_id: UUID,
    target: Target[J],
    *,
    kind: SummaryKind,
    start: dt.date,
    end: dt.date,
    locked_through: dt.date | None = None,
) -> PushReport:
    """``locked_through``: the accounting system's own closing date; with
    storebooks' closing date, a pushed summary on or before the later of
    the two is never rewritten: its change goes as an adjustment entry on
    the first open day."""
    books = await read_books(pool, company_id)
    async with pool.acquire() as conn, conn.transaction():
        mapping = await pushes.account_map(conn, company_id, target.name)
        summaries = await pushes.build_summaries(conn, books, kind, start, end)
        pushes.check_mapped(target.name, summaries, mapping)  # raises: rolled back
    lock = max(
        (d for d in (locked_through, await closed_through(pool, company_id)) if d), default=None
    )
    states = await pushes.push_states(pool, company_id, target.name, [s.key for s in summaries])
    report = PushReport()
    todo = []
    for s in summaries:
        state = states.get(s.key)
        if state is not None and state.status == "PUSHED" and state.fingerprint == s.fingerprint:
            report.unchanged += 1
            continue
        if lock is not None and state is not None and state.remote_id and s.date <= lock:
            adjusted = await _adjust(pool, books, target, s, state, lock)
            if adjusted is None:
                report.unchanged += 1
                continue
            s, state = adjusted, None
        todo.append((s, target.remote(books, s, mapping, state)))
    keys = {s.key for s, _ in todo} | {s.key for s in summaries}
    for s in await pushes.failed_elsewhere(pool, company_id, target.name, kind, keys):
        todo.append((s, target.remote(books, s, mapping, None)))
    for i in range(0, len(todo), target.batch):
        await _send(pool, company_id, target, todo[i : i + target.batch], report)
    return report


async def _send(
    pool: asyncpg.Pool,
    company_id: UUID,
    target: Target[J],
    chunk: list[tuple[Summary, J]],
    report: PushReport,
) -> None:
    try:
        answers: Sequence[Answer | None] = await target.send([j for _, j in chunk])
    except Exception as exc:  # the system refused the request as a whole
        reason = f"{type(exc).__name__}: {exc}"
        answers = [None] * len(chunk)
    else:
        reason = "refused"
    for (s, _), answer in zip(chunk, answers, strict=True):
        if answer is not None and answer.error is None and answer.remote_id:
            await pushes.record_pushed(
                pool, company_id, target.name, s, answer.remote_id, target.version(answer)
            )
            report.sent += 1
        else:
            why = (answer.error if answer is not None else None) or reason
            await pushes.record_failed(pool, company_id, target.name, s.key, why)
            report.failed.append((s.key, why))


async def _adjust(
    pool: asyncpg.Pool,
    books: Books,
    target: Target[J],
    s: Summary,
    state: pushes.PushState,
    lock: dt.date,
) -> Summary | None:
    """The change of a pushed summary in a locked period, as an entry of
    its own on the first open day; the pushed copy stays as it is."""
    adjusted = pushes.adjustment(s, state.pushed, lock + dt.timedelta(days=1))
    if adjusted is not None:
        await pushes.save_summary(pool, books, adjusted)
    await pushes.mark_covered(pool, books.company_id, target.name, s)
    return adjusted
