"""Writing the journal: a subject's entries replaced, balances moved by the difference.

Every entry belongs to a subject (an order, a processor record). A re-post
computes the subject's entries again and compares them by their stable
keys with what is stored: unchanged entries stay, changed or vanished ones
go, new ones come, and the daily and monthly balances move by exactly the
difference, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast
from uuid import UUID

import asyncpg

from service.domain.journal import JournalEntry, JournalLine
from service.ledger.held_moves import BalanceKey, HeldMoves
from service.posting.period_lock import fold_into_closed_period

ID_BLOCK = 1024
ENTRY_COLUMNS = (
    "company_id",
    "entry_id",
    "journal_version",
    "entry_key",
    "entry_date",
    "store_id",
    "order_id",
    "event_id",
    "rule",
    "memo",
    "currency_code",
    "subject",
)
LINE_COLUMNS = (
    "company_id",
    "entry_id",
    "line_no",
    "account_key",
    "amount",
    "entry_date",
    "store_id",
    "channel",
    "order_id",
    "sku",
    "processor",
    "journal_version",
)


def order_subject(store_id: UUID | str, order_id: str) -> str:
    return f"order:{store_id}:{order_id}"


def processor_subject(store_id: UUID | str, record_type: str, record_id: str) -> str:
    return f"processor:{store_id}:{record_type}:{record_id}"


async def reserve_entry_ids(conn: asyncpg.Connection, count: int) -> list[int]:
    if count == 0:
        return []
    blocks = await conn.fetch(
        "SELECT nextval('journal_entry_blocks') AS b FROM generate_series(1, $1)",
        -(-count // ID_BLOCK),
    )
    ids = [r["b"] * ID_BLOCK + i for r in blocks for i in range(ID_BLOCK)]
    return ids[:count]


@dataclass(frozen=True, slots=True)
class Posting:
    """Entries of one subject, with what the journal rows need besides them."""

    subject: str
    store_id: UUID
    currency: str
    entries: tuple[JournalEntry, ...]


def _entry_fingerprint(entry: JournalEntry) -> tuple[object, ...]:
    return (
        entry.date,
        entry.order_id,
        entry.event,
        entry.rule,
        entry.memo,
        tuple(
            (ln.account, ln.amount, ln.store_id, ln.channel, ln.order_id, ln.sku, ln.processor)
            for ln in entry.lines
        ),
    )


def rows_for(
    company_id: UUID, version: int, postings: Iterable[Posting], ids: Iterable[int]
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """COPY rows for entries and their lines, entry ids taken in order from `ids`."""
    entry_rows: list[tuple[object, ...]] = []
    line_rows: list[tuple[object, ...]] = []
    it = iter(ids)
    stores: dict[str, UUID] = {}  # a line's store, read once per batch rather than per line
    for posting in postings:
        for entry in posting.entries:
            entry_id = next(it)
            entry_rows.append(
                (
                    company_id,
                    entry_id,
                    version,
                    entry.key,
                    entry.date,
                    posting.store_id,
                    entry.order_id,
                    entry.event,
                    entry.rule,
                    entry.memo,
                    posting.currency,
                    posting.subject,
                )
            )
            for n, ln in enumerate(entry.lines, start=1):
                line_rows.append(
                    (
                        company_id,
                        entry_id,
                        n,
                        ln.account,
                        ln.amount,
                        entry.date,
                        _store(stores, ln.store_id) if ln.store_id else posting.store_id,
                        ln.channel,
                        ln.order_id,
                        ln.sku,
                        ln.processor,
                        version,
                    )
                )
    return entry_rows, line_rows


def _store(known: dict[str, UUID], store_id: str) -> UUID:
    found = known.get(store_id)
    if found is None:
        found = known[store_id] = UUID(store_id)
    return found


async def copy_postings(
    conn: asyncpg.Connection, company_id: UUID, version: int, postings: Sequence[Posting]
) -> int:
    """Bulk-write entries (no diff, no balances): for building a new version."""
    count = sum(len(p.entries) for p in postings)
    if count == 0:
        return 0
    ids = await reserve_entry_ids(conn, count)
    entry_rows, line_rows = rows_for(company_id, version, postings, ids)
    await conn.copy_records_to_table("journal_entries", records=entry_rows, columns=ENTRY_COLUMNS)
    await conn.copy_records_to_table("journal_lines", records=line_rows, columns=LINE_COLUMNS)
    return len(line_rows)


async def copy_numbered_rows(
    conn: asyncpg.Connection,
    batches: Sequence[tuple[Sequence[tuple[object, ...]], Sequence[tuple[object, ...]]]],
) -> int:
    """COPY entry and line rows made elsewhere (a posting process), whose
    entry ids are the entries' positions in their own batch: each gets a
    reserved id here, where ids are handed out. Returns lines written."""
    ids = await reserve_entry_ids(conn, sum(len(entries) for entries, _ in batches))
    entry_rows: list[tuple[object, ...]] = []
    line_rows: list[tuple[object, ...]] = []
    offset = 0
    for entries, lines in batches:
        entry_rows += _numbered(entries, ids, offset)
        line_rows += _numbered(lines, ids, offset)
        offset += len(entries)
    if entry_rows:
        await conn.copy_records_to_table(
            "journal_entries", records=entry_rows, columns=ENTRY_COLUMNS
        )
    if line_rows:
        await conn.copy_records_to_table("journal_lines", records=line_rows, columns=LINE_COLUMNS)
    return len(line_rows)


def _numbered(
    rows: Sequence[tuple[object, ...]], ids: Sequence[int], offset: int
) -> list[tuple[object, ...]]:
    """The rows with their batch position (second column) turned into an id."""
    return [(r[0], ids[offset + cast(int, r[1])], *r[2:]) for r in rows]


def _add_line_deltas(
    deltas: dict[BalanceKey, int],
    day: dt.date,
    lines: Iterable[JournalLine],
    sign: int,
    default_store: UUID,
) -> None:
    for ln in lines:
        key = (day, ln.account, ln.store_id or str(default_store), ln.channel)
        deltas[key] += sign * ln.amount


async def stored_entries(
    conn: asyncpg.Connection,
    company_id: UUID,
    version: int,
    subjects: list[str],
    *,
    through: dt.date | None = None,
) -> dict[str, dict[str, tuple[int, JournalEntry]]]:
    """The stored entries of some subjects (those dated on or before
    ``through`` when it is given): subject -> entry key -> (id, entry).

    Each subject is looked up on its own (a lateral join), through the
    subject index, and each entry's lines through the entry's key. As an
    ``= any(array)`` filter the planner walked every closed entry and
    compared it with the whole batch (a re-post into closed books grew with
    the square of the company); as a plain join it trusted statistics taken
    before a new company's first entries and walked all of its lines for
    every webhook."""
    rows = await conn.fetch(
        """
        SELECT s.subject, e.entry_id, e.entry_key, e.entry_date, e.order_id, e.event_id, e.rule,
               e.memo,
               (SELECT array_agg(ROW(l.account_key, l.amount, l.store_id::text, l.channel,
                                     l.order_id, l.sku, l.processor) ORDER BY l.line_no)
                FROM journal_lines l
                WHERE l.company_id = e.company_id AND l.entry_id = e.entry_id) AS lines
        FROM unnest($3::text[]) AS s(subject)
        CROSS JOIN LATERAL (
            SELECT * FROM journal_entries e
            WHERE e.company_id = $1 AND e.journal_version = $2 AND e.subject = s.subject
              AND ($4::date IS NULL OR e.entry_date <= $4)
        ) e
        """,
        company_id,
        version,
        subjects,
        through,
    )
    out: dict[str, dict[str, tuple[int, JournalEntry]]] = {}
    for r in rows:
        lines = tuple(
            JournalLine(
                account=a, amount=amt, store_id=s, channel=c, order_id=o, sku=sku, processor=p
            )
            for a, amt, s, c, o, sku, p in r["lines"]
        )
        entry = JournalEntry(
            key=r["entry_key"],
            date=r["entry_date"],
            order_id=r["order_id"],
            event=r["event_id"],
            rule=r["rule"],
            memo=r["memo"],
            lines=lines,
        )
        out.setdefault(r["subject"], {})[r["entry_key"]] = (r["entry_id"], entry)
    return out


async def closed_through(conn: asyncpg.Connection, company_id: UUID) -> dt.date | None:
    """The date the company's books are closed through, if they are."""
    through: dt.date | None = await conn.fetchval(
        "SELECT closed_through FROM books WHERE company_id = $1", company_id
    )
    return through


def fold_posting(
    posting: Posting, locked: Iterable[JournalEntry], through: dt.date | None
) -> Posting:
    """The posting with the closed period kept as stored (posting rule 15.2)."""
    if through is None:
        return posting
    folded = fold_into_closed_period(posting.subject, locked, posting.entries, through)
    return Posting(posting.subject, posting.store_id, posting.currency, folded)


async def fold_postings(
    conn: asyncpg.Connection, company_id: UUID, locked_in: int, postings: Sequence[Posting]
) -> list[Posting]:
    """Postings built afresh (a full re-post, ``verify``) with each
    subject's closed period kept as version ``locked_in`` stores it."""
    through = await closed_through(conn, company_id)
    if through is None or not postings:
        return list(postings)
    locked = await stored_entries(
        conn, company_id, locked_in, [p.subject for p in postings], through=through
    )
    return [
        fold_posting(p, [e for _, e in locked.get(p.subject, {}).values()], through)
        for p in postings
    ]


async def carry_closed_subjects(
    conn: asyncpg.Connection, company_id: UUID, from_version: int, to_version: int
) -> None:
    """Subjects with entries in the closed period that a rebuild did not
    post at all keep those entries in the new version (a closed period
    never changes, whatever happened to its subjects since)."""
    through = await closed_through(conn, company_id)
    if through is None:
        return
    # A set difference by hash: one pass over each version, however many
    # subjects (an anti-join probing per closed entry is far slower).
    rows = await conn.fetch(
        """
        WITH missing AS (
            SELECT subject FROM journal_entries
            WHERE company_id = $1 AND journal_version = $2 AND entry_date <= $4
            EXCEPT
            SELECT subject FROM journal_entries WHERE company_id = $1 AND journal_version = $3
        )
        SELECT DISTINCT ON (e.subject) e.subject, e.store_id, e.currency_code
        FROM journal_entries e JOIN missing m USING (subject)
        WHERE e.company_id = $1 AND e.journal_version = $2
        ORDER BY e.subject
        """,
        company_id,
        from_version,
        to_version,
        through,
    )
    if not rows:
        return
    subjects = [r["subject"] for r in rows]
    locked = await stored_entries(conn, company_id, from_version, subjects, through=through)
    postings = [
        fold_posting(
            Posting(r["subject"], r["store_id"], r["currency_code"], ()),
            [e for _, e in locked.get(r["subject"], {}).values()],
            through,
        )
        for r in rows
    ]
    await copy_postings(conn, company_id, to_version, postings)


class Unread:
    """The closing date, not read by the caller."""


UNREAD = Unread()


async def replace_subject(
    conn: asyncpg.Connection,
    company_id: UUID,
    version: int,
    posting: Posting,
    *,
    through: dt.date | Unread | None = UNREAD,
    held: HeldMoves | None = None,
) -> int:
    """Make the stored entries of a subject equal to `posting` (its closed
    period kept as it is); returns entries changed. `through`: the closing
    date when the caller read it with the books row already; `held`: where
    the balance moves wait for the end of the caller's transaction."""
    old = (await stored_entries(conn, company_id, version, [posting.subject])).get(
        posting.subject, {}
    )
    if isinstance(through, Unread):
        through = await closed_through(conn, company_id)
    if through is not None:
        locked = [e for _, e in old.values() if e.date <= through]
        posting = fold_posting(posting, locked, through)
    new = {e.key: e for e in posting.entries}
    gone = [
        (entry_id, entry)
        for key, (entry_id, entry) in old.items()
        if key not in new or _entry_fingerprint(new[key]) != _entry_fingerprint(entry)
    ]
    added = [
        e
        for e in posting.entries
        if e.key not in old or _entry_fingerprint(old[e.key][1]) != _entry_fingerprint(e)
    ]
    if not gone and not added:
        return 0
    deltas: dict[BalanceKey, int] = defaultdict(int)
    for _, entry in gone:
        _add_line_deltas(deltas, entry.date, entry.lines, -1, posting.store_id)
    for entry in added:
        _add_line_deltas(deltas, entry.date, entry.lines, 1, posting.store_id)
    if gone:
        await conn.execute(
            "DELETE FROM journal_entries WHERE company_id = $1 AND entry_id = any($2::bigint[])",
            company_id,
            [entry_id for entry_id, _ in gone],
        )
    if added:
        only_added = Posting(posting.subject, posting.store_id, posting.currency, tuple(added))
        await copy_postings(conn, company_id, version, [only_added])
    if held is not None:
        held.hold_balances(version, deltas)
    else:
        await apply_balance_deltas(conn, company_id, version, deltas)
    return len(gone) + len(added)


async def apply_balance_deltas(
    conn: asyncpg.Connection, company_id: UUID, version: int, deltas: dict[BalanceKey, int]
) -> None:
    """Move daily and monthly balances; rows are touched in key order so that
    concurrent re-posts lock them in the same order and never deadlock."""
    items = sorted((k, v) for k, v in deltas.items() if v != 0)
    if not items:
        return
    await conn.execute(
        _MOVE_BALANCES,
        company_id,
        version,
        [k[0] for k, _ in items],
        [k[1] for k, _ in items],
        [UUID(k[2]) for k, _ in items],
        [k[3] for k, _ in items],
        [v for _, v in items],
    )


def _move_balances(table: str, period: str, bucket: str) -> str:
    return f"""
        INSERT INTO {table} AS b (company_id, journal_version, {period}, account_key,
                                  store_id, channel, amount)
        SELECT $1, $2, {bucket}, a, s, c, sum(x) FROM t
        GROUP BY 3, a, s, c
        ORDER BY 3, a, s, c
        ON CONFLICT (company_id, journal_version, {period}, account_key, store_id, channel)
        DO UPDATE SET amount = b.amount + excluded.amount
    """


# Days, months and years in one round trip. Every transaction runs this same
# statement, so all of them lock the three tables' rows in the same order.
_MOVE_BALANCES = f"""
    WITH t AS MATERIALIZED (
        SELECT * FROM unnest($3::date[], $4::text[], $5::uuid[], $6::text[], $7::bigint[])
            AS t(d, a, s, c, x)
    ), days AS ({_move_balances("daily_balances", "day", "d")}
    ), months AS ({_move_balances("monthly_balances", "month", "date_trunc('month', d)::date")})
    {_move_balances("yearly_balances", "year", "date_trunc('year', d)::date")}
"""


async def build_balances(conn: asyncpg.Connection, company_id: UUID, version: int) -> None:
    """Balances of a freshly built version, from its lines in one pass each."""
    await conn.execute(
        """
        INSERT INTO daily_balances (company_id, journal_version, day, account_key, store_id,
                                    channel, amount)
        SELECT company_id, journal_version, entry_date, account_key, store_id, channel, sum(amount)
        FROM journal_lines WHERE company_id = $1 AND journal_version = $2
        GROUP BY company_id, journal_version, entry_date, account_key, store_id, channel
        """,
        company_id,
        version,
    )
    # Months from days, years from months: each coarser table from the one below.
    for table, period, source, finer in (
        ("monthly_balances", "month", "daily_balances", "day"),
        ("yearly_balances", "year", "monthly_balances", "month"),
    ):
        await conn.execute(
            f"""
            INSERT INTO {table} (company_id, journal_version, {period}, account_key,
                                 store_id, channel, amount)
            SELECT company_id, journal_version, date_trunc('{period}', {finer})::date,
                   account_key, store_id, channel, sum(amount)
            FROM {source} WHERE company_id = $1 AND journal_version = $2
            GROUP BY 1, 2, 3, 4, 5, 6
            """,
            company_id,
            version,
        )
