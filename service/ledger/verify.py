"""`storebooks verify`: the books checked against their own definition.

Three checks, each reported with what differs:
1. every entry balances;
2. the daily balances equal the sums of the journal lines, and the monthly
   balances the sums of the daily ones; the per-day missing-cost counters
   equal the missing-cost rows;
3. the journal equals a from-scratch re-post of every order and processor
   record under the current settings (entry by entry, by stable key);
4. no order waits for data or fails to post (NEEDS_DATA, ERROR): such an
   order keeps its last good entries, so checks 1-3 pass, and is listed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry
from service.ledger.codec import decode_record
from service.ledger.journal import Posting, fold_postings, order_subject
from service.ledger.journal_reads import StoredEntry, entries_of_subjects
from service.ledger.kept_subjects import kept_subject_postings
from service.ledger.order_posting import GOOD_HISTORY, good_history, post_batch
from service.ledger.posting_inputs import load_inputs
from service.ledger.processor_posting import processor_posting

MAX_REPORTED = 50


@dataclass
class VerifyReport:
    company_id: UUID
    version: int
    problems: list[str] = field(default_factory=list)
    checked_subjects: int = 0
    # Failed and stuck work: not a fault in the books, but what they still wait on.
    work: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(problem)
        elif len(self.problems) == MAX_REPORTED:
            self.problems.append("... more differences not shown")

    @property
    def clean(self) -> bool:
        return not self.problems


STUCK_WORK = (
    (
        "SELECT count(*) FROM raw_events WHERE company_id = $1 AND status = 'FAILED'",
        "event(s) FAILED (see ingestErrors; retryIngestEvent after a fix)",
    ),
    (
        "SELECT count(*) FROM raw_events WHERE company_id = $1 AND status = 'PENDING' "
        "AND received_at < now() - interval '5 minutes'",
        "event(s) PENDING for over 5 minutes (is a worker running?)",
    ),
    (
        "SELECT count(*) FROM jobs WHERE company_id = $1 AND status = 'FAILED'",
        "job(s) FAILED (see booksStatus.recentJobs; retryJob after a fix)",
    ),
    (
        "SELECT count(*) FROM jobs WHERE company_id = $1 AND ((status = 'RUNNING' "
        "AND started_at < now() - interval '15 minutes') OR (status = 'QUEUED' "
        "AND enqueued_at < now() - interval '15 minutes'))",
        "job(s) QUEUED or RUNNING for over 15 minutes",
    ),
    (
        "SELECT count(*) FROM sync_runs WHERE company_id = $1 AND status = 'FAILED' "
        "AND finished_at > now() - interval '1 day'",
        "sync run(s) FAILED in the last day",
    ),
)


async def stuck_work(pool: asyncpg.Pool, company_id: UUID) -> list[str]:
    """What failed or has waited too long, one line a kind."""
    found = []
    for query, what in STUCK_WORK:
        count = await pool.fetchval(query, company_id)
        if count:
            found.append(f"{count} {what}")
    return found


async def verify_company(pool: asyncpg.Pool, company_id: UUID) -> VerifyReport:
    version = await pool.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    report = VerifyReport(company_id, version)
    for r in await pool.fetch(
        "SELECT entry_id, sum(amount) AS total FROM journal_lines WHERE company_id = $1 "
        "AND journal_version = $2 GROUP BY entry_id HAVING sum(amount) <> 0",
        company_id,
        version,
    ):
        report.add(f"entry {r['entry_id']} does not balance: lines sum to {r['total']}")
    for r in await pool.fetch(
        """
        WITH l AS (
            SELECT entry_date AS d, account_key AS a, store_id AS s, coalesce(channel, '') AS c,
                   sum(amount) AS x
            FROM journal_lines WHERE company_id = $1 AND journal_version = $2
            GROUP BY 1, 2, 3, 4),
        b AS (
            SELECT day AS d, account_key AS a, store_id AS s, channel AS c, amount AS x
            FROM daily_balances WHERE company_id = $1 AND journal_version = $2)
        SELECT d, a, s, c, l.x AS lines, b.x AS balance FROM l FULL JOIN b USING (d, a, s, c)
        WHERE coalesce(l.x, 0) <> coalesce(b.x, 0) ORDER BY d, a LIMIT 100
        """,
        company_id,
        version,
    ):
        report.add(
            f"daily balance {r['d']} {r['a']} store {r['s']} channel {r['c']!r}: "
            f"balance {r['balance'] or 0}, lines sum to {r['lines'] or 0}"
        )
    for coarse, period, finer, finer_period in (
        ("monthly_balances", "month", "daily_balances", "day"),
        ("yearly_balances", "year", "monthly_balances", "month"),
    ):
        for r in await pool.fetch(
            f"""
            WITH f AS (
                SELECT date_trunc('{period}', {finer_period})::date AS p, account_key AS a,
                       store_id AS s, channel AS c, sum(amount) AS x
                FROM {finer} WHERE company_id = $1 AND journal_version = $2
                GROUP BY 1, 2, 3, 4),
            k AS (
                SELECT {period} AS p, account_key AS a, store_id AS s, channel AS c, amount AS x
                FROM {coarse} WHERE company_id = $1 AND journal_version = $2)
            SELECT p, a, s, c, f.x AS parts, k.x AS total FROM f FULL JOIN k USING (p, a, s, c)
            WHERE coalesce(f.x, 0) <> coalesce(k.x, 0) ORDER BY p, a LIMIT 100
            """,
            company_id,
            version,
        ):
            report.add(
                f"{period}ly balance {r['p']} {r['a']} store {r['s']} channel {r['c']!r}: "
                f"balance {r['total'] or 0}, {finer_period}s sum to {r['parts'] or 0}"
            )
    await _compare_missing_counters(pool, report)
    await _compare_with_fresh_posting(pool, report)
    await _report_waiting_orders(pool, report)
    report.work = await stuck_work(pool, company_id)
    return report


async def _compare_missing_counters(pool: asyncpg.Pool, report: VerifyReport) -> None:
    for r in await pool.fetch(
        """
        WITH m AS (
            SELECT day AS d, store_id AS s, count(*) AS n FROM missing_costs
            WHERE company_id = $1 AND journal_version = $2 GROUP BY 1, 2),
        c AS (
            SELECT day AS d, store_id AS s, lines AS n FROM missing_cost_days
            WHERE company_id = $1 AND journal_version = $2)
        SELECT d, s, m.n AS rows, c.n AS counter FROM m FULL JOIN c USING (d, s)
        WHERE coalesce(m.n, 0) <> coalesce(c.n, 0) ORDER BY d LIMIT 100
        """,
        report.company_id,
        report.version,
    ):
        report.add(
            f"missing-cost counter {r['d']} store {r['s']}: {r['counter'] or 0}, "
            f"rows {r['rows'] or 0}"
        )


async def _report_waiting_orders(pool: asyncpg.Pool, report: VerifyReport) -> None:
    """Orders whose books are not up to date (posting rule 13.5): they keep
    their last good entries, which the checks above accept, but a person
    should know they wait for data or cannot post."""
    for r in await pool.fetch(
        "SELECT store_id, order_id, name, books_status, posting_error FROM order_summaries "
        "WHERE company_id = $1 AND journal_version = $2 "
        "AND books_status IN ('NEEDS_DATA', 'ERROR') ORDER BY store_id, order_id LIMIT 100",
        report.company_id,
        report.version,
    ):
        report.add(
            f"order {r['name'] or r['order_id']} (store {r['store_id']}) is {r['books_status']}:"
            f" {r['posting_error']}"
        )


async def _expected(
    pool: asyncpg.Pool, company_id: UUID, version: int
) -> AsyncIterator[dict[str, set[tuple[object, ...]]]]:
    """The entries a from-scratch re-post gives, per subject, in batches."""
    async with pool.acquire() as conn:
        inputs = await load_inputs(conn, company_id)
        async with conn.transaction():
            batch: dict[str, set[tuple[object, ...]]] = {}
            pending: list[asyncpg.Record] = []

            async def post_pending() -> None:
                keys = [(r["store_id"], r["order_id"]) for r in pending]
                histories: list[OrderHistory] = [decode_record(r["history"]) for r in pending]
                goods = [good_history(r["good_history"]) for r in pending]
                async with pool.acquire() as reader:
                    items = await post_batch(reader, company_id, inputs, keys, histories, goods)
                    postings = [
                        Posting(order_subject(*item.key), item.key[0], "", item.entries)
                        for item in items
                    ]
                    await _add_folded(reader, company_id, version, postings, batch)
                pending.clear()

            async for r in conn.cursor(
                f"SELECT store_id, order_id, history, {GOOD_HISTORY} FROM order_sources "
                "WHERE company_id = $1 AND history IS NOT NULL",
                company_id,
            ):
                pending.append(r)
                if len(pending) >= 1000:
                    await post_pending()
                    yield batch
                    batch = {}
            if pending:
                await post_pending()
            others: list[Posting] = []
            async for r in conn.cursor(
                "SELECT p.store_id, p.record_type, p.record_id, p.record, s.timezone, "
                "s.currency_code FROM processor_records p JOIN stores s "
                "USING (company_id, store_id) WHERE p.company_id = $1",
                company_id,
            ):
                others.append(
                    processor_posting(
                        r["store_id"],
                        r["timezone"],
                        r["currency_code"],
                        r["record_type"],
                        r["record_id"],
                        r["record"],
                    )
                )
            others += await kept_subject_postings(conn, company_id)
            async with pool.acquire() as reader:
                await _add_folded(reader, company_id, version, others, batch)
            if batch:
                yield batch


async def _add_folded(
    conn: asyncpg.Connection,
    company_id: UUID,
    version: int,
    postings: list[Posting],
    batch: dict[str, set[tuple[object, ...]]],
) -> None:
    """Fresh postings, with the closed period kept as stored, as fingerprints."""
    for posting in await fold_postings(conn, company_id, version, postings):
        batch[posting.subject] = {_fingerprint(e) for e in posting.entries}


def _fingerprint(e: JournalEntry) -> tuple[object, ...]:
    return (e.key, e.date, e.rule, e.memo, tuple((ln.account, ln.amount) for ln in e.lines))


def _stored_fingerprint(e: StoredEntry) -> tuple[object, ...]:
    lines = tuple((ln.account_key, ln.amount) for ln in e.lines)
    return (e.entry_key, e.date, e.rule, e.memo, lines)


async def _compare_with_fresh_posting(pool: asyncpg.Pool, report: VerifyReport) -> None:
    seen: set[str] = set()
    async for expected in _expected(pool, report.company_id, report.version):
        stored = await entries_of_subjects(pool, report.company_id, report.version, list(expected))
        for subject, want in expected.items():
            seen.add(subject)
            have = {_stored_fingerprint(e) for e in stored[subject]}
            report.checked_subjects += 1
            if have != want:
                missing = sorted(str(k[0]) for k in want - have)
                extra = sorted(str(k[0]) for k in have - want)
                report.add(
                    f"{subject}: journal differs from a fresh re-post "
                    f"(missing or changed: {missing[:5]}, unexpected: {extra[:5]})"
                )
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("CREATE TEMP TABLE verified (subject text PRIMARY KEY) ON COMMIT DROP")
        await conn.copy_records_to_table("verified", records=[(s,) for s in seen])
        orphans = await conn.fetch(
            "SELECT DISTINCT e.subject FROM journal_entries e WHERE e.company_id = $1 "
            "AND e.journal_version = $2 "
            "AND NOT EXISTS (SELECT 1 FROM verified v WHERE v.subject = e.subject) LIMIT 20",
            report.company_id,
            report.version,
        )
    for r in orphans:
        report.add(f"{r['subject']}: has entries but nothing to post them from")
