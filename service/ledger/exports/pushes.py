"""Summaries kept for pushing, the account mapping, and what was pushed.

A summary is stored under its stable key with a fingerprint of its lines
and the entries each line sums; a push records the remote id and version
with the fingerprint it sent, so pushing again sends only what changed
(an update of the same remote entry, never a second one) and a failed
push stays FAILED with its reason until the next push retries it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.ledger.codec import from_jsonb
from service.ledger.exports.reading import Books, iter_entries
from service.ledger.exports.summary import Summary, SummaryKind, SummaryLine, summarize
from service.ledger.journal_reads import EntryFilter

TARGETS = ("QBO", "XERO")


class UnmappedAccounts(ValueError):
    """Accounts with activity and no counterpart in the accounting system."""

    def __init__(self, target: str, keys: list[str]) -> None:
        super().__init__(f"{target}: no account mapped for {', '.join(keys)}; nothing exported")
        self.keys = keys


def _lines_json(s: Summary) -> str:
    return json.dumps(
        [
            {"account": ln.account_key, "amount": ln.amount, "entryIds": list(ln.entry_ids)}
            for ln in s.lines
        ]
    )


def _from_row(r: asyncpg.Record) -> Summary:
    lines = from_jsonb(r["lines"])
    return Summary(
        SummaryKind(r["kind"]),
        r["period"],
        r["entry_date"],
        r["store_id"],
        r["channel"],
        r["currency_code"].strip(),
        tuple(SummaryLine(x["account"], x["amount"], tuple(x["entryIds"])) for x in lines),
    )


async def build_summaries(
    conn: asyncpg.Connection,
    books: Books,
    kind: SummaryKind,
    start: dt.date,
    end: dt.date,
    payouts: dict[str, tuple[str, dt.date]] | None = None,
) -> list[Summary]:
    """Summarize the period and store the result (replacing what changed)."""
    entries = [e async for e in iter_entries(conn, books, EntryFilter(start=start, end=end))]
    summaries = summarize(kind, entries, payouts=payouts, last_day=end)
    await conn.executemany(
        """
        INSERT INTO summary_journals (company_id, summary_key, kind, period, entry_date,
            store_id, channel, currency_code, journal_version, fingerprint, lines)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb)
        ON CONFLICT (company_id, summary_key) DO UPDATE SET entry_date = excluded.entry_date,
            journal_version = excluded.journal_version, fingerprint = excluded.fingerprint,
            lines = excluded.lines, updated_at = now()
        WHERE summary_journals.fingerprint <> excluded.fingerprint
        """,
        [
            (
                books.company_id,
                s.key,
                s.kind.value,
                s.period,
                s.date,
                s.store_id,
                s.channel,
                s.currency,
                books.version,
                s.fingerprint,
                _lines_json(s),
            )
            for s in summaries
        ],
    )
    return summaries


async def stored_summary(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, key: str
) -> Summary | None:
    row = await conn.fetchrow(
        "SELECT * FROM summary_journals WHERE company_id = $1 AND summary_key = $2",
        company_id,
        key,
    )
    return _from_row(row) if row else None


async def account_map(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, target: str
) -> dict[str, tuple[str, str]]:
    """storebooks key -> (remote account id or code, remote name)."""
    rows = await conn.fetch(
        "SELECT account_key, remote_account, remote_name FROM export_account_maps "
        "WHERE company_id = $1 AND target = $2",
        company_id,
        target,
    )
    return {r["account_key"]: (r["remote_account"], r["remote_name"]) for r in rows}


async def set_account_map(
    conn: asyncpg.Connection, company_id: UUID, target: str, mapping: dict[str, tuple[str, str]]
) -> None:
    if target not in TARGETS:
        raise ValueError(f"target: {target!r} is not one of {', '.join(TARGETS)}")
    await conn.executemany(
        "INSERT INTO export_account_maps (company_id, target, account_key, remote_account, "
        "remote_name) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id, target, account_key) "
        "DO UPDATE SET remote_account = excluded.remote_account, "
        "remote_name = excluded.remote_name",
        [(company_id, target, k, acct, name) for k, (acct, name) in mapping.items()],
    )


def check_mapped(target: str, summaries: list[Summary], mapping: dict[str, Any]) -> None:
    """Every account with activity must be mapped; else list them all."""
    missing = sorted({ln.account_key for s in summaries for ln in s.lines} - set(mapping))
    if missing:
        raise UnmappedAccounts(target, missing)


@dataclass(frozen=True, slots=True)
class PushState:
    status: str
    remote_id: str | None
    remote_version: str | None
    fingerprint: str | None
    attempts: int
    error: str | None
    pushed: dict[str, int]  # account -> amount as last sent


def _pushed(raw: Any) -> dict[str, int]:
    if raw is None:
        return {}
    lines = from_jsonb(raw)
    out: dict[str, int] = {}
    for x in lines:
        out[x["account"]] = out.get(x["account"], 0) + int(x["amount"])
    return out


async def push_states(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, target: str, keys: list[str]
) -> dict[str, PushState]:
    rows = await conn.fetch(
        "SELECT summary_key, status, remote_id, remote_version, pushed_fingerprint, attempts, "
        "error, pushed_lines FROM summary_pushes WHERE company_id = $1 AND target = $2 "
        "AND summary_key = any($3::text[])",
        company_id,
        target,
        keys,
    )
    return {
        r["summary_key"]: PushState(
            r["status"],
            r["remote_id"],
            r["remote_version"],
            r["pushed_fingerprint"],
            r["attempts"],
            r["error"],
            _pushed(r["pushed_lines"]),
        )
        for r in rows
    }


async def record_pushed(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    target: str,
    s: Summary,
    remote_id: str,
    remote_version: str,
) -> None:
    await conn.execute(
        """
        INSERT INTO summary_pushes (company_id, target, summary_key, status, remote_id,
            remote_version, pushed_fingerprint, pushed_lines, attempts, error, pushed_at)
        VALUES ($1, $2, $3, 'PUSHED', $4, $5, $6, $7::text::jsonb, 1, NULL, now())
        ON CONFLICT (company_id, target, summary_key) DO UPDATE SET status = 'PUSHED',
            remote_id = excluded.remote_id, remote_version = excluded.remote_version,
            pushed_fingerprint = excluded.pushed_fingerprint, pushed_lines = excluded.pushed_lines,
            attempts = summary_pushes.attempts + 1, error = NULL, pushed_at = now(),
            updated_at = now()
        """,
        company_id,
        target,
        s.key,
        remote_id,
        remote_version,
        s.fingerprint,
        _lines_json(s),
    )


async def record_failed(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, target: str, key: str, error: str
) -> None:
    await conn.execute(
        """
        INSERT INTO summary_pushes (company_id, target, summary_key, status, attempts, error)
        VALUES ($1, $2, $3, 'FAILED', 1, $4)
        ON CONFLICT (company_id, target, summary_key) DO UPDATE SET status = 'FAILED',
            attempts = summary_pushes.attempts + 1, error = excluded.error, updated_at = now()
        """,
        company_id,
        target,
        key,
        error[:2000],
    )


def adjustment(s: Summary, pushed: dict[str, int], day: dt.date) -> Summary | None:
    """What a summary changed by since it was sent into a period the
    accounting system keeps locked: the difference, dated ``day`` (the
    first open one), as an entry of its own; None when nothing changed."""
    now = {ln.account_key: ln for ln in s.lines}
    lines = []
    for account in sorted(set(now) | set(pushed)):
        diff = (now[account].amount if account in now else 0) - pushed.get(account, 0)
        if diff:
            ids = now[account].entry_ids if account in now else ()
            lines.append(SummaryLine(account, diff, ids))
    if not lines:
        return None
    return Summary(
        s.kind,
        f"{s.period}/adjusted-{s.fingerprint[:12]}",
        day,
        s.store_id,
        s.channel,
        s.currency,
        tuple(lines),
    )


async def save_summary(conn: asyncpg.Connection | asyncpg.Pool, books: Books, s: Summary) -> None:
    await conn.execute(
        """
        INSERT INTO summary_journals (company_id, summary_key, kind, period, entry_date,
            store_id, channel, currency_code, journal_version, fingerprint, lines)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb)
        ON CONFLICT (company_id, summary_key) DO NOTHING
        """,
        books.company_id,
        s.key,
        s.kind.value,
        s.period,
        s.date,
        s.store_id,
        s.channel,
        s.currency,
        books.version,
        s.fingerprint,
        _lines_json(s),
    )


async def mark_covered(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, target: str, s: Summary
) -> None:
    """The summary's change went as an adjustment: its pushed copy stands."""
    await conn.execute(
        "UPDATE summary_pushes SET pushed_fingerprint = $4, pushed_lines = $5::text::jsonb, "
        "updated_at = now() WHERE company_id = $1 AND target = $2 AND summary_key = $3",
        company_id,
        target,
        s.key,
        s.fingerprint,
        _lines_json(s),
    )


async def failed_elsewhere(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    target: str,
    kind: SummaryKind,
    keys: set[str],
) -> list[Summary]:
    """Stored summaries whose last push failed and that this push does not
    rebuild (adjustments, other periods): they are sent again too."""
    rows = await conn.fetch(
        "SELECT j.* FROM summary_pushes p JOIN summary_journals j USING (company_id, summary_key) "
        "WHERE p.company_id = $1 AND p.target = $2 AND p.status = 'FAILED' "
        "AND p.remote_id IS NULL AND NOT (p.summary_key = any($3::text[])) AND j.kind = $4 "
        "ORDER BY j.entry_date, j.summary_key",
        company_id,
        target,
        sorted(keys),
        kind.value,
    )
    return [_from_row(r) for r in rows]
