"""Posting one order: its history through the engine, into the journal.

Called in the same transaction as whatever changed the order's inputs (an
ingested event, an order action, a resolved cost), so the books never show
a state between the change and its entries. While a full re-post is
building a new version, the order is also marked dirty so the new version
picks up the change before it goes live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.context import PostingContext
from service.domain.costs import LineCost
from service.domain.errors import InconsistentHistory, NeedsData
from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry
from service.ledger.codec import decode_record
from service.ledger.costs import (
    CostBook,
    cogs_rows,
    count_missing_days,
    load_costs,
    missing_rows,
    remember_order_skus,
    replace_cogs,
    replace_missing,
)
from service.ledger.gateways import remember_gateways
from service.ledger.held_moves import HeldMoves
from service.ledger.journal import (
    UNREAD,
    Posting,
    Unread,
    apply_balance_deltas,
    order_subject,
    replace_subject,
)
from service.ledger.posting_inputs import CompanyInputs, load_inputs
from service.ledger.products import remember_products
from service.ledger.recost_queue import queue_recost
from service.ledger.refetches import forget_refetch, request_refetch
from service.posting.engine import OrderRun, run_order
from service.posting.queries import fulfillment_status, payment_status, recognition_date
from service.posting.stock import stale_skus


@dataclass(frozen=True, slots=True)
class PostedOrder:
    """What posting an order gave. ``history`` is the history whose entries
    ``run`` holds: the order's own, or, when that one cannot post (``error``
    says why), its last good history, so the order keeps its last good
    entries instead of leaving the books (posting rule 13.5). ``needs_data``:
    the history waits for a part still on its way rather than being wrong."""

    run: OrderRun | None
    error: str | None
    history: OrderHistory
    needs_data: bool = False

    @property
    def books_status(self) -> str:
        if self.needs_data:
            return "NEEDS_DATA"
        if self.error is not None:
            return "ERROR"
        assert self.run is not None
        return str(self.run.treatment.status)


def post_history(
    history: OrderHistory, ctx: PostingContext, good: OrderHistory | None = None
) -> PostedOrder:
    try:
        return PostedOrder(run_order(history, ctx), None, history)
    except InconsistentHistory as exc:
        waiting = isinstance(exc, NeedsData)
        if good is not None and good != history:
            try:
                return PostedOrder(run_order(good, ctx), str(exc), good, waiting)
            except InconsistentHistory:
                pass
        return PostedOrder(None, str(exc), history, waiting)


def summary_row(
    company_id: UUID,
    version: int,
    store_id: UUID,
    history: OrderHistory,
    ctx: PostingContext,
    posted: PostedOrder,
    missing_costs: int = 0,
) -> tuple[Any, ...]:
    order = history.order
    run = posted.run
    total = run.prepared.charged if run is not None else order.total
    books = posted.books_status
    recognized = None
    if run is None:
        open_balance, pay, ful = 0, "UNPAID", "UNFULFILLED"
    else:
        open_balance = run.open_balance
        pay = str(payment_status(posted.history, ctx, run))
        ful = str(fulfillment_status(posted.history, ctx, run))
        recognized = recognition_date(posted.history, ctx, run)
    return (
        company_id,
        version,
        store_id,
        order.id,
        order.label,
        order.placed_at,
        order.source,
        order.currency,
        total,
        open_balance,
        pay,
        ful,
        books,
        pay in ("REFUNDED", "PARTIALLY_REFUNDED"),
        missing_costs,
        posted.error,
        recognized,
    )


SUMMARY_COLUMNS = (
    "company_id",
    "journal_version",
    "store_id",
    "order_id",
    "name",
    "placed_at",
    "source",
    "currency_code",
    "total",
    "open_balance",
    "payment_status",
    "fulfillment_status",
    "books_status",
    "refunded",
    "missing_costs",
    "posting_error",
    "recognized_on",
)


async def upsert_summaries(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cols = ", ".join(SUMMARY_COLUMNS)
    params = ", ".join(f"${i}" for i in range(1, len(SUMMARY_COLUMNS) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in SUMMARY_COLUMNS[4:])
    await conn.executemany(
        f"INSERT INTO order_summaries ({cols}) VALUES ({params}) "
        f"ON CONFLICT (company_id, journal_version, store_id, order_id) DO UPDATE SET {updates}",
        rows,
    )


async def copy_summaries(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Summaries of a version being built: new rows only, so COPY (twice as fast)."""
    if rows:
        await conn.copy_records_to_table("order_summaries", records=rows, columns=SUMMARY_COLUMNS)


class Unpostable(Exception):
    """The order's history cannot post (it waits for data, or is wrong)."""


@dataclass(frozen=True, slots=True)
class BooksState:
    version: int
    building: bool
    closed_through: dt.date | None


async def books_state(conn: asyncpg.Connection, company_id: UUID) -> BooksState:
    """The version readers see, whether a full re-post is building another,
    and the closing date.

    FOR SHARE: a full re-post switches versions, and closing moves the date,
    holding this row exclusively, so an order re-post runs wholly before
    either or wholly after it.
    """
    row = await conn.fetchrow(
        "SELECT current_version, building_version, closed_through FROM books "
        "WHERE company_id = $1 FOR SHARE",
        company_id,
    )
    return BooksState(
        row["current_version"], row["building_version"] is not None, row["closed_through"]
    )


async def current_version(conn: asyncpg.Connection, company_id: UUID) -> tuple[int, bool]:
    """The version readers see, and whether a full re-post is building another."""
    state = await books_state(conn, company_id)
    return state.version, state.building


async def post_live(conn: asyncpg.Connection, company_id: UUID, posting: Posting) -> None:
    """Post a subject into the live books; while a full re-post builds new
    ones, the subject is noted so that the new books take it too."""
    version, building = await current_version(conn, company_id)
    if building:
        await conn.execute(
            "INSERT INTO books_dirty (company_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            company_id,
            posting.subject,
        )
    await replace_subject(conn, company_id, version, posting)


async def repost_order(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    order_id: str,
    *,
    version: int | None = None,
    refuse_unpostable: bool = False,
    held: HeldMoves | None = None,
) -> int:
    """Re-post one order into the current version (or `version`); returns entries changed.

    `refuse_unpostable`: raise `Unpostable` instead of keeping the last good
    entries when the history cannot post, for a caller that then posts the
    history's steps one at a time (each step that posts becomes the good one).
    `held`: the shared counters' moves, for the caller to make with
    `make_held_moves` just before its commit."""
    building = False
    through: dt.date | Unread | None = UNREAD
    if version is None:
        state = await books_state(conn, company_id)
        version, building, through = state.version, state.building, state.closed_through
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))",
        f"{company_id}:{order_subject(store_id, order_id)}",
    )
    row = await conn.fetchrow(
        f"SELECT o.history, {GOOD_HISTORY}, NOT o.history_posted AS "
        "good_stale, s.currency_code, EXISTS (SELECT FROM order_refetches r "
        "WHERE r.company_id = o.company_id AND r.store_id = o.store_id "
        "AND r.order_id = o.order_id) AS refetch_waiting FROM order_sources o JOIN stores s "
        "USING (company_id, store_id) WHERE o.company_id = $1 AND o.store_id = $2 "
        "AND o.order_id = $3",
        company_id,
        store_id,
        order_id,
    )
    subject = order_subject(store_id, order_id)
    if building:
        await conn.execute(
            "INSERT INTO books_dirty (company_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            company_id,
            subject,
        )
    if row is None or row["history"] is None:
        return await replace_subject(
            conn, company_id, version, Posting(subject, store_id, "USD", ())
        )
    history: OrderHistory = decode_record(row["history"])
    good = good_history(row["good_history"])
    await remember_products(conn, company_id, [history])
    await remember_order_skus(conn, company_id, [(store_id, history)])
    await remember_gateways(conn, company_id, store_id, history)
    inputs = await load_inputs(conn, company_id, store_id=store_id, order_id=order_id)
    book = await load_costs(conn, company_id, [(store_id, order_id)], [history])
    costs = _costs(book, (store_id, order_id), history, good)
    ctx = replace(inputs.context(store_id, order_id), costs=costs)
    posted = post_history(history, ctx, good)
    if refuse_unpostable and posted.error is not None:
        raise Unpostable(posted.error)
    await _remember_outcome(conn, company_id, store_id, order_id, row, posted)
    await queue_recost(conn, company_id, stale_costing(posted, costs))
    posted_history = posted.history
    entries = posted.run.entries if posted.run else ()
    changed = await replace_subject(
        conn,
        company_id,
        version,
        Posting(subject, store_id, history.order.currency, entries),
        through=through,
        held=held,
    )
    missing = missing_rows(company_id, version, store_id, posted_history, posted.run, costs)
    await upsert_summaries(
        conn, [summary_row(company_id, version, store_id, history, ctx, posted, len(missing))]
    )
    await replace_missing(conn, company_id, version, [(store_id, order_id)], missing, held)
    details = cogs_rows(company_id, version, store_id, posted_history, posted.run, costs)
    await replace_cogs(conn, company_id, version, [(store_id, order_id)], details)
    return changed


def stale_costing(posted: PostedOrder, costs: tuple[LineCost, ...]) -> set[str]:
    """SKUs of the order whose costing no longer matches its shipments."""
    if posted.run is None:
        return set()
    moves = posted.run.moves
    lines = {ln.id: ln.sku for ln in posted.history.order.lines if ln.sku and not ln.gift_card}
    return stale_skus(moves, costs, lines)


def _costs(
    book: CostBook, key: tuple[UUID, str], history: OrderHistory, good: OrderHistory | None
) -> tuple[LineCost, ...]:
    """Unit costs for the lines of the history, and of its last good one
    in case that is what posts (lines are costed by id, so both agree)."""
    costs = book.line_costs(key, history)
    if good is None:
        return costs
    return costs + book.line_costs(key, good)


GOOD_HISTORY = "CASE WHEN history_posted THEN NULL ELSE good_history END AS good_history"
"""The last history that posted, read only when it is not the current one
(``history_posted`` says so), so the usual case decodes no second copy."""


def good_history(good: Any) -> OrderHistory | None:
    """The last history that posted, as ``GOOD_HISTORY`` reads it."""
    if good is None:
        return None
    decoded: OrderHistory = decode_record(good)
    return decoded


async def _remember_outcome(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    order_id: str,
    row: asyncpg.Record,
    posted: PostedOrder,
) -> None:
    """Keep the history that posted as the order's last good one, and ask
    for the missing part of one that waits for it (posting rule 13.5)."""
    if posted.error is None:
        if row["good_stale"]:
            await conn.execute(
                "UPDATE order_sources SET good_history = history, history_posted = true "
                "WHERE company_id = $1 AND store_id = $2 AND order_id = $3",
                company_id,
                store_id,
                order_id,
            )
        if row["refetch_waiting"]:
            await forget_refetch(conn, company_id, store_id, order_id)
    elif posted.needs_data:
        await request_refetch(conn, company_id, store_id, order_id, posted.error)


@dataclass(frozen=True, slots=True)
class BatchItem:
    key: tuple[UUID, str]
    history: OrderHistory
    ctx: PostingContext
    posted: PostedOrder

    @property
    def entries(self) -> tuple[JournalEntry, ...]:
        return self.posted.run.entries if self.posted.run else ()


async def post_batch(
    conn: asyncpg.Connection,
    company_id: UUID,
    inputs: CompanyInputs,
    keys: list[tuple[UUID, str]],
    histories: list[OrderHistory],
    good_histories: list[OrderHistory | None] | None = None,
) -> list[BatchItem]:
    """Post many orders with every input they need, loaded in a few queries.
    ``good_histories``: each order's last good history, when it differs."""
    book = await load_costs(conn, company_id, keys, histories)
    return post_with_costs(inputs, book, keys, histories, good_histories)


def post_with_costs(
    inputs: CompanyInputs,
    book: CostBook,
    keys: list[tuple[UUID, str]],
    histories: list[OrderHistory],
    good_histories: list[OrderHistory | None] | None = None,
) -> list[BatchItem]:
    """``post_batch`` once its inputs are loaded: no I/O, so a posting
    process can run it."""
    items = []
    goods = good_histories or [None] * len(keys)
    for key, history, good in zip(keys, histories, goods, strict=True):
        ctx = replace(inputs.context(*key), costs=_costs(book, key, history, good))
        items.append(BatchItem(key, history, ctx, post_history(history, ctx, good)))
    return items


async def make_held_moves(conn: asyncpg.Connection, company_id: UUID, held: HeldMoves) -> None:
    """The held moves, in the order every transaction makes them (balances,
    then missing-cost days; versions ascending): no two wait on each other
    in a circle."""
    for version, deltas in sorted(held.balances.items()):
        await apply_balance_deltas(conn, company_id, version, deltas)
    for version, days in sorted(held.missing_days.items()):
        await count_missing_days(conn, company_id, version, days)
