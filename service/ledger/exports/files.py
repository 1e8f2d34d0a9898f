"""Every export as a file: what the CLI writes and the API serves.

One entry point, ``export_file``, so both say the same thing about the
same request: the file's bytes, its media type and a name, or an
``ExportError`` naming the parameter that is wrong (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.cogs_report import UnknownPayout, report_rows
from service.ledger.exports import statement_files as sf
from service.ledger.exports.import_csv import qbo_table, xero_table
from service.ledger.exports.plaintext import TextFormat, ledger_text, order_payouts
from service.ledger.exports.pushes import UnmappedAccounts, account_map, check_mapped
from service.ledger.exports.reading import Books, iter_entries, read_books, sums_by_store_channel
from service.ledger.exports.summary import SummaryKind, summarize
from service.ledger.exports.tables import Table, table_csv, table_xlsx
from service.ledger.inventory import valuation_as_of
from service.ledger.journal_reads import EntryFilter
from service.ledger.reports.cogs import cogs_table
from service.ledger.reports.settlement_cogs import settlement_cogs_table
from service.ledger.settlements import settlement_cogs_rows
from service.ledger.statements import period_sums, trial_balance

IMPORTS = {"qbo-journal": "QBO", "xero-journal": "XERO"}
TABLES = (
    "journal",
    "profit-and-loss",
    "balance-sheet",
    "trial-balance",
    "inventory-valuation",
    "cogs",
    "settlement-cogs",
    *IMPORTS,
)
TEXTS = {
    "hledger": ("journal", "text/plain; charset=utf-8"),
    "beancount": ("beancount", "text/plain; charset=utf-8"),
}
TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportError(ValueError):
    """A request an export cannot answer; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class ExportFile:
    body: bytes
    media_type: str
    filename: str


def _date(params: Mapping[str, str | None], name: str) -> dt.date | None:
    value = params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ExportError(name, f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _store(params: Mapping[str, str | None], books: Books) -> UUID | None:
    value = params.get("storeId")
    if not value:
        return None
    try:
        store = UUID(value)
    except ValueError as exc:
        raise ExportError("storeId", f"{value!r} is not a store id") from exc
    if store not in books.stores:
        raise ExportError("storeId", f"no store {value!r} in this company")
    return store


def _summary(params: Mapping[str, str | None]) -> SummaryKind | None:
    value = (params.get("summary") or "").upper()
    if not value or value == "NONE":
        return None
    try:
        return SummaryKind(value)
    except ValueError as exc:
        raise ExportError("summary", f"{value!r} is not one of DAY, PAYOUT, MONTH, NONE") from exc


def _range(params: Mapping[str, str | None]) -> tuple[dt.date | None, dt.date | None]:
    start, end = _date(params, "from"), _date(params, "to")
    if start and end and start > end:
        raise ExportError("from", f"invalid date range: {start} is after {end}")
    return start, end


async def export_file(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    name: str,
    kind: str,
    params: Mapping[str, str | None],
) -> ExportFile:
    books = await read_books(conn, company_id)
    if name in TEXTS:
        if kind != TEXTS[name][0]:
            raise ExportError("format", f"{name} comes as {name}.{TEXTS[name][0]}")
        text = await _ledger(conn, books, TextFormat(name), params)
        return ExportFile(text.encode(), TEXTS[name][1], f"{name}.{kind}")
    if name not in TABLES:
        raise ExportError("format", f"no export {name!r}; exports: {', '.join([*TABLES, *TEXTS])}")
    if kind not in TYPES:
        raise ExportError("format", f"{name} comes as {name}.csv or {name}.xlsx")
    table = await _table(conn, books, name, params)
    body = table_csv(table) if kind == "csv" else table_xlsx(table)
    return ExportFile(body, TYPES[kind], f"{name}.{kind}")


async def _ledger(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    fmt: TextFormat,
    params: Mapping[str, str | None],
) -> str:
    start, end = _range(params)
    summary = _summary(params)
    payouts = await order_payouts(conn, books.company_id) if summary is SummaryKind.PAYOUT else None
    return await ledger_text(
        conn, books, fmt, start=start, end=end or dt.date.today(), summary=summary, payouts=payouts
    )


async def _table(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    name: str,
    params: Mapping[str, str | None],
) -> Table:
    start, end = _range(params)
    store = _store(params, books)
    today = dt.date.today()
    if name == "journal":
        account = params.get("accountKey") or None
        if account is not None and account not in books.chart.by_key:
            raise ExportError("accountKey", f"unknown account key {account!r}")
        where = EntryFilter(account_key=account, start=start, end=end)
        entries = [e async for e in iter_entries(conn, books, where)]
        if store is not None:
            entries = [e for e in entries if e.store_id == store]
        return sf.journal_table(books, entries)
    if name == "profit-and-loss":
        sums = await sums_by_store_channel(conn, books, start, end or today, store)
        return sf.statement_table(
            books, "Profit and loss", sums, start, end or today, profit_and_loss=True
        )
    if name == "balance-sheet":
        as_of = _date(params, "asOf") or end or today
        sums = await sums_by_store_channel(conn, books, None, as_of, store)
        return sf.statement_table(books, "Balance sheet", sums, None, as_of, profit_and_loss=False)
    if name == "trial-balance":
        return await _trial(conn, books, start, end or today, store)
    if name in IMPORTS:
        return await _import_file(conn, books, IMPORTS[name], start, end or today, params)
    if name == "inventory-valuation":
        as_of = _date(params, "asOf") or end or today
        if isinstance(conn, asyncpg.Pool):
            async with conn.acquire() as c:
                rows = await valuation_as_of(c, books.company_id, as_of)
        else:
            rows = await valuation_as_of(conn, books.company_id, as_of)
        return sf.valuation_table(
            books, as_of, [(r.sku, r.units, r.unit_cost, r.value) for r in rows]
        )
    if name == "settlement-cogs":
        return await _settlement_cogs(conn, books, store, params)
    try:
        cogs = await report_rows(
            conn,
            books.company_id,
            books.version,
            start=start,
            end=end,
            store_id=store,
            payout_id=params.get("payoutId") or None,
        )
    except UnknownPayout as exc:
        raise ExportError("payoutId", str(exc).split(": ", 1)[-1]) from exc
    return cogs_table(cogs, books.currency)


async def _settlement_cogs(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    store: UUID | None,
    params: Mapping[str, str | None],
) -> Table:
    """One marketplace settlement's (or statement's) COGS, as merchants
    download it per settlement."""
    settlement_id = params.get("settlementId")
    if not settlement_id:
        raise ExportError("settlementId", "is required")
    rows, currency = await settlement_cogs_rows(conn, books.company_id, store, settlement_id)
    return settlement_cogs_table(rows, currency)


async def _trial(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    start: dt.date | None,
    end: dt.date,
    store: UUID | None,
) -> Table:
    if start is None:
        raise ExportError("from", "a trial balance needs a period (from and to)")

    def flat(sums: dict[tuple[str, str], int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, k), v in sums.items():
            out[k] = out.get(k, 0) + v
        return out

    cid, version = books.company_id, books.version
    through = flat(await period_sums(conn, cid, version, None, end, store_id=store))
    period = flat(await period_sums(conn, cid, version, start, end, store_id=store))
    before = {k: through.get(k, 0) - period.get(k, 0) for k in set(through) | set(period)}
    lines = trial_balance(before, period, through, books.chart)
    return sf.trial_table(books, lines, start, end, books.store_name(store) or sf.ALL)


async def _import_file(
    conn: asyncpg.Connection | asyncpg.Pool,
    books: Books,
    target: str,
    start: dt.date | None,
    end: dt.date,
    params: Mapping[str, str | None],
) -> Table:
    """Summaries (by day unless asked) as the accounting system's import;
    with any account unmapped, an error listing them all and no file."""
    if start is None:
        raise ExportError("from", "an import file needs a period (from and to)")
    kind = _summary(params) or SummaryKind.DAY
    payouts = await order_payouts(conn, books.company_id) if kind is SummaryKind.PAYOUT else None
    where = EntryFilter(start=start, end=end)
    entries = [e async for e in iter_entries(conn, books, where)]
    summaries = summarize(kind, entries, payouts=payouts, last_day=end)
    mapping = await account_map(conn, books.company_id, target)
    try:
        check_mapped(target, summaries, mapping)
    except UnmappedAccounts as exc:
        raise ExportError("accountMap", str(exc)) from exc
    if target == "QBO":
        return qbo_table(books, summaries, mapping)
    return xero_table(books, summaries, mapping)
