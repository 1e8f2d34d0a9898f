"""A batch of a full re-post, from stored histories to rows ready to COPY.

The whole of a batch's Python work (reading the histories, posting them,
turning entries and facts into table rows) happens here, without I/O, on
plain data in and plain data out: so it runs in a posting process while
the process that owns the database connection writes the previous batch
(service/ledger/posting_pool.py), or in that process itself. Both give
the same rows, since they run the same function on the same data.

Entries are numbered within the batch; the writer swaps those numbers for
entry ids it reserves once it knows how many it needs.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from itertools import count
from uuid import UUID

from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry, JournalLine
from service.ledger.codec import decode_json_record
from service.ledger.costs import (
    CostTuple,
    OrderSku,
    cogs_rows,
    cost_book,
    missing_rows,
    order_skus,
)
from service.ledger.journal import Posting, fold_posting, order_subject, rows_for
from service.ledger.order_posting import BatchItem, post_with_costs, stale_costing, summary_row
from service.ledger.posting_inputs import InputRows
from service.ledger.products import first_titles

Row = tuple[object, ...]
StoredOrder = tuple[UUID, str, str, str | None, bool]
"""Store, order, history as stored (JSON text), last good history when it
differs, and whether this very history posted before (so that what it says
of products and SKUs is already remembered)."""
PlainLine = tuple[str, int, str, str, str | None, str | None, str | None]
PlainEntry = tuple[str, dt.date, str | None, str, str, str, tuple[PlainLine, ...]]
"""A stored entry in plain tuples (the domain's compiled records do not pickle)."""


@dataclass(frozen=True, slots=True)
class OrderBatch:
    """Everything posting a batch of orders reads, loaded by the writer."""

    company_id: UUID
    version: int
    inputs: InputRows
    orders: list[StoredOrder]
    costs: list[CostTuple]
    fallback_costs: dict[str, int]
    closed_through: dt.date | None = None
    locked: dict[str, list[PlainEntry]] = field(default_factory=dict)


@dataclass(slots=True)
class BatchRows:
    """What the writer stores for a batch; entry ids are the entries'
    positions in ``entries`` until the writer gives them real ones."""

    entries: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    summaries: list[Row] = field(default_factory=list)
    missing: list[Row] = field(default_factory=list)
    cogs: list[Row] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    skus: set[OrderSku] = field(default_factory=set)
    stale: set[str] = field(default_factory=set)


def post_order_batch(batch: OrderBatch) -> BatchRows:
    """The batch's rows; an order that cannot post gets its ERROR or
    NEEDS_DATA summary (and its last good entries), as a live re-post does.

    The cycle collector waits until the batch is done: a batch makes
    hundreds of thousands of objects, none of them in a cycle that
    matters, and collecting while they pile up took a quarter of the time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _post(batch)
    finally:
        if collecting:
            gc.enable()


def _post(batch: OrderBatch) -> BatchRows:
    histories = [decode_json_record(o[2]) for o in batch.orders]
    goods = [None if o[3] is None else decode_json_record(o[3]) for o in batch.orders]
    keys = [(o[0], o[1]) for o in batch.orders]
    book = cost_book(batch.costs, batch.fallback_costs)
    items = post_with_costs(batch.inputs.inputs(), book, keys, histories, goods)
    new = [(o[0], h) for o, h in zip(batch.orders, histories, strict=True) if not o[4]]
    out = BatchRows(titles=first_titles(h for _, h in new), skus=order_skus(new))
    postings = [_add_facts(out, batch, item) for item in items]
    out.entries, out.lines = rows_for(batch.company_id, batch.version, postings, count())
    return out


def _add_facts(out: BatchRows, batch: OrderBatch, item: BatchItem) -> Posting:
    """The order's summary, missing costs and COGS details; its posting,
    with the closed period kept as the live books have it."""
    company_id, version = batch.company_id, batch.version
    store_id, posted, costs = item.key[0], item.posted, item.ctx.costs
    history: OrderHistory = posted.history
    out.stale |= stale_costing(posted, costs)
    missing = missing_rows(company_id, version, store_id, history, posted.run, costs)
    out.missing += missing
    out.cogs += cogs_rows(company_id, version, store_id, history, posted.run, costs)
    out.summaries.append(
        summary_row(company_id, version, store_id, item.history, item.ctx, posted, len(missing))
    )
    subject = order_subject(*item.key)
    posting = Posting(subject, store_id, history.order.currency, item.entries)
    if batch.closed_through is None:
        return posting
    locked = [entry_from_plain(e) for e in batch.locked.get(subject, [])]
    return fold_posting(posting, locked, batch.closed_through)


def entry_to_plain(entry: JournalEntry) -> PlainEntry:
    lines = tuple(
        (ln.account, ln.amount, ln.store_id, ln.channel, ln.order_id, ln.sku, ln.processor)
        for ln in entry.lines
    )
    return (entry.key, entry.date, entry.order_id, entry.event, entry.rule, entry.memo, lines)


def entry_from_plain(plain: PlainEntry) -> JournalEntry:
    key, date, order_id, event, rule, memo, lines = plain
    return JournalEntry(
        key=key,
        date=date,
        order_id=order_id,
        event=event,
        rule=rule,
        memo=memo,
        lines=tuple(JournalLine(*ln) for ln in lines),
    )
