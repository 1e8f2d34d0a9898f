"""A full re-post's batches of orders: read with all their posting needs, written once posted.

Reading gives plain data for the posting processes (service/ledger/
batch_posting.py): histories as stored (JSON text, decoded by whoever
posts), the orders' line costs, their SKUs' own costs, the company's
inputs and, when books are closed, the orders' closed entries. Writing
puts a posted batch into the version being built, each table once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.batch_posting import (
    BatchRows,
    OrderBatch,
    PlainEntry,
    StoredOrder,
    entry_to_plain,
)
from service.ledger.costs import (
    OrderKey,
    copy_missing_rows,
    load_cost_rows,
    remember_sku_orders,
    replace_cogs,
)
from service.ledger.journal import closed_through, copy_numbered_rows, order_subject, stored_entries
from service.ledger.order_posting import copy_summaries
from service.ledger.posting_inputs import load_input_rows
from service.ledger.posting_pool import posting_processes, split
from service.ledger.products import remember_titles
from service.ledger.recost_queue import queue_recost


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """A batch as read, in parts for the posting processes; ``cursor``: where
    the build stands once it is written ("processor" when no orders were left)."""

    cursor: str
    parts: list[OrderBatch]


async def read_batch(
    conn: asyncpg.Connection, company_id: UUID, version: int, cursor: str, batch_orders: int
) -> ReadBatch:
    """The next orders after ``cursor`` with every input their posting
    needs. Cursors: "" (start), "order:<store>:<order>" (orders so far)."""
    after_store, after_order = str(UUID(int=0)), ""
    if cursor.startswith("order:"):
        _, after_store, after_order = cursor.split(":", 2)
    rows = await conn.fetch(
        f"""
        SELECT o.store_id, o.order_id, o.history::text, {GOOD_HISTORY_TEXT}, o.history_posted
        FROM order_sources o
        WHERE o.company_id = $1 AND o.history IS NOT NULL
          AND (o.store_id, o.order_id) > ($2::uuid, $3)
        ORDER BY o.store_id, o.order_id
        LIMIT $4
        """,
        company_id,
        after_store,
        after_order,
        batch_orders,
    )
    if not rows:
        return ReadBatch("processor", [])
    orders: list[StoredOrder] = [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
    keys = [(o[0], o[1]) for o in orders]
    inputs = await load_input_rows(conn, company_id)
    costs = await load_cost_rows(conn, company_id, keys, moves_as_text=True)
    fallback = await _fallback_costs(conn, company_id, keys[0], keys[-1])
    through = await closed_through(conn, company_id)
    locked = await _locked_entries(conn, company_id, keys, through)
    parts = []
    for start, end in split(len(orders), posting_processes()):
        part = set(keys[start:end])
        parts.append(
            OrderBatch(
                company_id,
                version,
                inputs.for_orders(part),
                orders[start:end],
                [c for c in costs if (c[0], c[1]) in part],
                fallback,
                through,
                {s: e for s, e in locked.items() if _subject_key(s) in part},
            )
        )
    last = orders[-1]
    return ReadBatch(f"order:{last[0]}:{last[1]}", parts)


GOOD_HISTORY_TEXT = "CASE WHEN history_posted THEN NULL ELSE good_history::text END AS good_history"
"""order_posting.GOOD_HISTORY as text, for the posting processes to decode."""


async def _fallback_costs(
    conn: asyncpg.Connection, company_id: UUID, first: OrderKey, last: OrderKey
) -> dict[str, int]:
    """The own cost of each SKU the batch's orders sell, when positive.

    The SKUs are read from the stored histories by the database (the
    histories are decoded only by whoever posts them): the JSON names
    are the domain's field names (service/ledger/codec.py)."""
    rows = await conn.fetch(
        """
        SELECT p.sku, coalesce(p.average_cost, p.channel_unit_cost) AS cost FROM products p
        WHERE p.company_id = $1 AND coalesce(p.average_cost, p.channel_unit_cost) > 0
          AND p.sku IN (
            SELECT l.value ->> 'sku'
            FROM order_sources o, jsonb_array_elements(o.history -> 'order' -> 'lines') l
            WHERE o.company_id = $1 AND o.history IS NOT NULL
              AND (o.store_id, o.order_id) >= ($2::uuid, $3)
              AND (o.store_id, o.order_id) <= ($4::uuid, $5))
        """,
        company_id,
        first[0],
        first[1],
        last[0],
        last[1],
    )
    return {r["sku"]: r["cost"] for r in rows}


async def _locked_entries(
    conn: asyncpg.Connection, company_id: UUID, keys: list[OrderKey], through: dt.date | None
) -> dict[str, list[PlainEntry]]:
    """The orders' entries in the closed period, as the live books keep them."""
    if through is None:
        return {}
    current = await conn.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    subjects = [order_subject(*k) for k in keys]
    stored = await stored_entries(conn, company_id, current, subjects, through=through)
    return {s: [entry_to_plain(e) for _, e in found.values()] for s, found in stored.items()}


def _subject_key(subject: str) -> OrderKey:
    _, store, order = subject.split(":", 2)
    return UUID(store), order


async def write_batch(
    conn: asyncpg.Connection, company_id: UUID, version: int, parts: list[BatchRows]
) -> None:
    """A posted batch into the version being built; each table written once
    (the missing-cost counters are counted when the last batch is in)."""
    await copy_numbered_rows(conn, [(p.entries, p.lines) for p in parts])
    await copy_summaries(conn, [r for p in parts for r in p.summaries])
    await copy_missing_rows(conn, [r for p in parts for r in p.missing])
    await replace_cogs(conn, company_id, version, [], [r for p in parts for r in p.cogs])


async def remember_facts(
    conn: asyncpg.Connection, company_id: UUID, parts: list[BatchRows]
) -> None:
    """What the batch's histories say beyond any journal version: their
    products, which orders sell which SKU, the SKUs whose costing is stale.
    Written as any posting writes them, and never undone (a history says
    what it says, whichever version is built), so they need not share the
    batch's transaction, and are written beside it. A history that posted
    before as it is adds none: its products and SKUs were remembered when
    it posted (a merchant's switch of basis re-posts thousands of those)."""
    titles: dict[str, str] = {}
    for p in parts:  # the first title seen in the batch, as posting one by one keeps it
        for sku, title in p.titles.items():
            titles.setdefault(sku, title)
    await remember_titles(conn, company_id, titles)
    await remember_sku_orders(conn, company_id, set().union(*(p.skus for p in parts)))
    await queue_recost(conn, company_id, set().union(*(p.stale for p in parts)))
