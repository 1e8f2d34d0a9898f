"""Closing the books through a date, and reopening them (posting rule 15.2).

Closing only records the date: from then on every re-post folds its
subject against the stored entries of the closed period (see
``service/posting/period_lock.py``), so the closed period's statements
never change and later changes post their difference on the first open
date. Reopening moves the date back and re-posts the books in full, so the
reopened days show what the inputs say today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.jobs import JobRecord
from service.ledger.reposting import request_full_repost


class ClosingRefused(ValueError):
    """Why the books cannot be closed or reopened as asked (``field`` names
    the input at fault, ``code`` the userError code)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class Closing:
    closed_through: dt.date | None
    repost_job: JobRecord | None = None


async def _books(conn: asyncpg.Connection, company_id: UUID) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        "SELECT closed_through, building_version FROM books WHERE company_id = $1 FOR UPDATE",
        company_id,
    )
    return row


async def close_books(
    conn: asyncpg.Connection, company_id: UUID, through: dt.date, today: dt.date
) -> Closing:
    """Lock every entry on or before ``through`` (in the caller's transaction)."""
    books = await _books(conn, company_id)
    if through >= today:
        raise ClosingRefused(
            "input.through", "INVALID", f"only past days can be closed (today is {today})"
        )
    current = books["closed_through"]
    if current is not None and through <= current:
        raise ClosingRefused(
            "input.through",
            "NOT_APPLICABLE",
            f"the books are already closed through {current}; reopen them to move it back",
        )
    if books["building_version"] is not None:
        # Batches already built were not folded against the new date.
        raise ClosingRefused(
            "input.through", "CONFLICT", "the books are being re-posted; close them once it ends"
        )
    await conn.execute(
        "UPDATE books SET closed_through = $2 WHERE company_id = $1", company_id, through
    )
    return Closing(through)


async def reopen_books(conn: asyncpg.Connection, company_id: UUID, start: dt.date) -> Closing:
    """Open every day from ``start`` on again and re-post the books."""
    books = await _books(conn, company_id)
    current = books["closed_through"]
    if current is None or start > current:
        raise ClosingRefused("input.from", "NOT_APPLICABLE", f"the books are not closed on {start}")
    through = start - dt.timedelta(days=1)
    await conn.execute(
        "UPDATE books SET closed_through = $2 WHERE company_id = $1", company_id, through
    )
    version = await conn.fetchval(
        "UPDATE bookkeeping_settings SET version = version + 1 WHERE company_id = $1 "
        "RETURNING version",
        company_id,
    )
    job = await request_full_repost(conn, company_id, version, f"books reopened from {start}")
    return Closing(through, job)
