"""Closing the books, manual entries, opening balances and the chart:
the accountant's own changes to the books, each a command.

Refusals from the ledger (a locked period, an unbalanced entry, a reserved
account) come back as the command's refusals, naming the field, and
change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, Wake, run_command
from service.domain.manual import ManualEntry, OpeningBalances
from service.ledger.accounts import AccountRefused, NewAccount, create_account, update_account
from service.ledger.closing import ClosingRefused, close_books, reopen_books
from service.ledger.manual_entries import (
    PeriodLocked,
    create_manual_entry,
    reverse_manual_entry,
    set_opening_balances,
)
from service.ledger.reposting import REPOST_FUNCTION
from service.posting.manual import ManualEntryError

Body = Callable[[asyncpg.Connection], Awaitable[Outcome]]


def _refusing(body: Body) -> Body:
    """The ledger's refusals as the command's, naming the field."""

    async def run(conn: asyncpg.Connection) -> Outcome:
        try:
            return await body(conn)
        except (ClosingRefused, AccountRefused) as exc:
            return Outcome(refusals=[(exc.field, exc.code, str(exc))])
        except PeriodLocked as exc:
            return Outcome(refusals=[(exc.field, "PERIOD_LOCKED", str(exc))])
        except ManualEntryError as exc:
            return Outcome(refusals=[(exc.field, "INVALID", exc.problem)])

    return run


async def close(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    through: dt.date,
    today: dt.date,
    key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        closing = await close_books(conn, company_id, through, today)
        return Outcome(result={"closedThrough": str(closing.closed_through)})

    return await run_command(pool, queue, company_id, "closeBooks", key, _refusing(body))


async def reopen(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, start: dt.date, key: str | None
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        closing = await reopen_books(conn, company_id, start)
        job = closing.repost_job
        assert job is not None
        return Outcome(
            result={"closedThrough": str(closing.closed_through), "jobId": job.job_id},
            wake=[Wake(REPOST_FUNCTION, job.job_id, (str(company_id), job.job_id))],
        )

    return await run_command(pool, queue, company_id, "reopenBooks", key, _refusing(body))


async def create_entry(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    entry: ManualEntry,
    key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        stored = await create_manual_entry(conn, company_id, entry)
        return Outcome(result={"entryId": stored.id})

    return await run_command(pool, queue, company_id, "createJournalEntry", key, _refusing(body))


async def reverse_entry(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    entry_id: UUID,
    day: dt.date,
    key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        stored = await reverse_manual_entry(conn, company_id, entry_id, day)
        return Outcome(result={"entryId": stored.id})

    return await run_command(pool, queue, company_id, "reverseJournalEntry", key, _refusing(body))


async def set_opening(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    opening: OpeningBalances,
    key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        await set_opening_balances(conn, company_id, opening)
        return Outcome(result={"date": opening.date.isoformat()})

    return await run_command(pool, queue, company_id, "setOpeningBalances", key, _refusing(body))


async def add_account(
    pool: asyncpg.Pool, queue: ArqRedis | None, company_id: UUID, new: NewAccount, key: str | None
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        account = await create_account(conn, company_id, new)
        return Outcome(result={"key": account.key})

    return await run_command(pool, queue, company_id, "createAccount", key, _refusing(body))


@dataclass(frozen=True, slots=True)
class AccountChange:
    name: str | None = None
    parent: str | None = None
    clear_parent: bool = False
    active: bool | None = None


async def change_account(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    account_key: str,
    change: AccountChange,
    key: str | None,
) -> Outcome:
    async def body(conn: asyncpg.Connection) -> Outcome:
        account = await update_account(
            conn,
            company_id,
            account_key,
            name=change.name,
            parent=change.parent,
            clear_parent=change.clear_parent,
            active=change.active,
        )
        return Outcome(result={"key": account.key})

    return await run_command(pool, queue, company_id, "updateAccount", key, _refusing(body))
