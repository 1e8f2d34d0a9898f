"""Unit costs for posting COGS, and the order lines still missing one.

An order line's cost comes, in the order of posting rule 9, from a cost a
person resolved for that order and SKU, from the inventory system's cost
for it, or from the product's own costing (the cost computed for that
very sale, else the product's current average, else the channel's own
unit cost). With none, COGS posts at 0 and the line is listed as missing,
per journal version like every other posted fact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.costs import CostSource, LineCost
from service.domain.history import OrderHistory
from service.ledger.codec import from_jsonb
from service.ledger.held_moves import HeldMoves
from service.posting.cogs import unit_costs
from service.posting.engine import OrderRun

OrderKey = tuple[UUID, str]


@dataclass(frozen=True, slots=True)
class CostRow:
    sku: str
    source: CostSource
    unit_cost: int
    missing: bool
    moves: dict[str, list[list[object]]] | None = None


@dataclass(frozen=True, slots=True)
class CostBook:
    """The costs known for a batch of orders, loaded in two queries."""

    by_order: dict[OrderKey, list[CostRow]]
    by_sku: dict[str, int]

    def line_costs(self, key: OrderKey, history: OrderHistory) -> tuple[LineCost, ...]:
        rows = self.by_order.get(key, [])
        out: list[LineCost] = []
        for line in history.order.lines:
            if not line.sku or line.gift_card:
                continue
            costed = False
            for row in rows:
                if row.sku == line.sku:
                    moves = tuple(
                        (str(event), int(str(value)))
                        for event, value in (row.moves or {}).get(line.id, ())
                    )
                    out.append(LineCost(line.id, row.unit_cost, row.source, row.missing, moves))
                    costed = costed or (row.source is CostSource.PRODUCT_COSTING)
            fallback = self.by_sku.get(line.sku)
            if not costed and fallback is not None:
                out.append(LineCost(line.id, fallback, CostSource.PRODUCT_COSTING))
        return tuple(out)


CostTuple = tuple[UUID, str, str, str, int, bool, Any]
"""A line_costs row: store, order, SKU, source, unit cost, missing, moves
(JSON, as a value or as text)."""

_LINE_COSTS = """
SELECT c.store_id, c.order_id, c.sku, c.source, c.unit_cost, c.missing, c.moves{cast}
FROM line_costs c
JOIN unnest($2::uuid[], $3::text[]) AS k(store_id, order_id) USING (store_id, order_id)
WHERE c.company_id = $1
"""


async def load_cost_rows(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    keys: Sequence[OrderKey],
    *,
    moves_as_text: bool = False,
) -> list[CostTuple]:
    """The batch's line costs as plain rows; ``moves_as_text`` leaves their
    JSON to be read by whoever posts (a posting process)."""
    rows = await conn.fetch(
        _LINE_COSTS.format(cast="::text" if moves_as_text else ""),
        company_id,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    return [tuple(r) for r in rows]


async def load_fallback_costs(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, skus: Sequence[str]
) -> dict[str, int]:
    """Each SKU's own cost (average, else the channel's unit cost), when positive."""
    products = await conn.fetch(
        "SELECT sku, coalesce(average_cost, channel_unit_cost) AS cost FROM products "
        "WHERE company_id = $1 AND sku = any($2::text[]) "
        "AND coalesce(average_cost, channel_unit_cost) > 0",
        company_id,
        skus,
    )
    return {p["sku"]: p["cost"] for p in products}


def cost_book(rows: Iterable[CostTuple], by_sku: dict[str, int]) -> CostBook:
    by_order: dict[OrderKey, list[CostRow]] = {}
    for store, order, sku, source, unit_cost, missing, moves in rows:
        by_order.setdefault((store, order), []).append(
            CostRow(sku, CostSource(source), unit_cost, missing, _json(moves))
        )
    return CostBook(by_order, by_sku)


async def load_costs(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    keys: Sequence[OrderKey],
    histories: Iterable[OrderHistory],
) -> CostBook:
    rows = await load_cost_rows(conn, company_id, keys)
    skus = sorted({ln.sku for h in histories for ln in h.order.lines if ln.sku})
    return cost_book(rows, await load_fallback_costs(conn, company_id, skus))


def _json(raw: object) -> dict[str, list[list[object]]] | None:
    if raw is None:
        return None
    value = from_jsonb(raw)
    if isinstance(value, str):  # stored as JSON text inside the JSON before migration 0027
        value = from_jsonb(value)
    assert isinstance(value, dict)
    return value


def missing_rows(
    company_id: UUID,
    version: int,
    store_id: UUID,
    history: OrderHistory,
    run: OrderRun | None,
    costs: tuple[LineCost, ...],
) -> list[tuple[object, ...]]:
    """Lines whose COGS posted at 0 for want of a cost (none when no COGS posts)."""
    if run is None or not run.treatment.cogs:
        return []
    known = unit_costs_of(costs)
    order = history.order
    day = run.prepared.placed_date
    return [
        (
            company_id,
            version,
            store_id,
            order.id,
            pl.id,
            pl.sku,
            order.label,
            day,
            order.source,
            pl.quantity,
        )
        for pl in run.prepared.lines
        if not pl.gift_card and pl.id not in known
    ]


def unit_costs_of(costs: tuple[LineCost, ...]) -> dict[str, int]:
    from service.domain.context import PostingContext

    return unit_costs(PostingContext(costs=costs))


MISSING_COLUMNS = (
    "company_id",
    "journal_version",
    "store_id",
    "order_id",
    "line_id",
    "sku",
    "order_name",
    "day",
    "channel",
    "quantity",
)


def _delete_orders(
    table: str, company_id: UUID, version: int, keys: Sequence[OrderKey], returning: str = ""
) -> tuple[Any, ...]:
    """A DELETE of `keys`' orders' rows and its arguments. One order (a
    webhook's) is named column by column: the plan then reads only its rows
    whatever the statistics say (a new company's say the table is empty, and
    the join below was planned as a walk through the whole version for
    every webhook). Several (a re-post's batch) are joined from arrays."""
    where = "WHERE t.company_id = $1 AND t.journal_version = $2"
    if len(keys) == 1:
        [(store, order)] = keys
        sql = f"DELETE FROM {table} t {where} AND t.store_id = $3 AND t.order_id = $4 {returning}"
        return sql, company_id, version, store, order
    sql = (
        f"DELETE FROM {table} t USING unnest($3::uuid[], $4::text[]) AS k(s, o) "
        f"{where} AND t.store_id = k.s AND t.order_id = k.o {returning}"
    )
    return sql, company_id, version, [k[0] for k in keys], [k[1] for k in keys]


async def _replace_rows(
    conn: asyncpg.Connection,
    table: str,
    columns: tuple[str, ...],
    company_id: UUID,
    version: int,
    keys: Sequence[OrderKey],
    rows: list[tuple[object, ...]],
) -> None:
    """The rows of `keys`' orders in a per-version table, replaced by `rows`."""
    if keys:
        await conn.execute(*_delete_orders(table, company_id, version, keys))
    if rows:
        await conn.copy_records_to_table(table, records=rows, columns=columns)


async def replace_missing(
    conn: asyncpg.Connection,
    company_id: UUID,
    version: int,
    keys: Sequence[OrderKey],
    rows: list[tuple[object, ...]],
    held: HeldMoves | None = None,
) -> None:
    """The missing-cost rows of `keys`' orders replaced by `rows`, and the
    per-day counters moved by the difference in the same transaction (at
    its end, through `held`, when given)."""
    removed: list[asyncpg.Record] = []
    if keys:
        removed = await conn.fetch(
            *_delete_orders(
                "missing_costs", company_id, version, keys, "RETURNING t.store_id, t.day"
            )
        )
    if rows:
        await conn.copy_records_to_table("missing_costs", records=rows, columns=MISSING_COLUMNS)
    deltas: Counter[tuple[Any, Any]] = Counter((r[_STORE], r[_DAY]) for r in rows)
    deltas.subtract((r["store_id"], r["day"]) for r in removed)
    if held is not None:
        held.hold_missing_days(version, deltas)
    else:
        await count_missing_days(conn, company_id, version, deltas)


_STORE, _DAY = MISSING_COLUMNS.index("store_id"), MISSING_COLUMNS.index("day")


async def count_missing_days(
    conn: asyncpg.Connection,
    company_id: UUID,
    version: int,
    deltas: Mapping[tuple[Any, Any], int],
) -> None:
    """Add each (store, day)'s change to its counter; one statement, keys in
    order (two transactions touching the same days lock them in one order).
    A re-post that changes nothing writes nothing."""
    moved = sorted(((day, store), n) for (store, day), n in deltas.items() if n)
    if not moved:
        return
    await conn.execute(
        """
        INSERT INTO missing_cost_days (company_id, journal_version, day, store_id, lines)
        SELECT $1, $2, d, s, n FROM unnest($3::date[], $4::uuid[], $5::int[]) AS t(d, s, n)
        ON CONFLICT (company_id, journal_version, day, store_id)
        DO UPDATE SET lines = missing_cost_days.lines + excluded.lines
        """,
        company_id,
        version,
        [k[0] for k, _ in moved],
        [k[1] for k, _ in moved],
        [n for _, n in moved],
    )


async def missing_cost_lines(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    start: date,
    end: date,
    store_id: UUID | None = None,
) -> int:
    """Order lines of the period posted at a cost of 0: one index range of
    per-day counters, whatever the length of history."""
    total = await conn.fetchval(
        "SELECT coalesce(sum(lines), 0) FROM missing_cost_days "
        "WHERE company_id = $1 AND journal_version = $2 AND day BETWEEN $3 AND $4 "
        "AND ($5::uuid IS NULL OR store_id = $5)",
        company_id,
        version,
        start,
        end,
        store_id,
    )
    return int(total)


async def copy_missing_rows(conn: asyncpg.Connection, rows: list[tuple[object, ...]]) -> None:
    """Missing-cost rows into a version being built, its counters left for
    ``rebuild_missing_days`` once the last batch is in (a full re-post:
    counting each batch's days moved the same counter rows once per batch)."""
    if rows:
        await conn.copy_records_to_table("missing_costs", records=rows, columns=MISSING_COLUMNS)


async def rebuild_missing_days(conn: asyncpg.Connection, company_id: UUID, version: int) -> None:
    """The counters of a version recounted from its rows: once a full
    re-post has written them all, and for data loaded by hand."""
    await conn.execute(
        "DELETE FROM missing_cost_days WHERE company_id = $1 AND journal_version = $2",
        company_id,
        version,
    )
    await conn.execute(
        "INSERT INTO missing_cost_days (company_id, journal_version, day, store_id, lines) "
        "SELECT company_id, journal_version, day, store_id, count(*) FROM missing_costs "
        "WHERE company_id = $1 AND journal_version = $2 GROUP BY 1, 2, 3, 4",
        company_id,
        version,
    )


OrderSku = tuple[str, UUID, str]  # SKU, store, order


def order_skus(items: Iterable[tuple[UUID, OrderHistory]]) -> set[OrderSku]:
    return {
        (ln.sku, store_id, h.order.id)
        for store_id, h in items
        for ln in h.order.lines
        if ln.sku and not ln.gift_card
    }


async def remember_order_skus(
    conn: asyncpg.Connection, company_id: UUID, items: Iterable[tuple[UUID, OrderHistory]]
) -> None:
    await remember_sku_orders(conn, company_id, order_skus(items))


async def remember_sku_orders(
    conn: asyncpg.Connection, company_id: UUID, skus: Iterable[OrderSku]
) -> None:
    rows = sorted(skus)
    if rows:  # one statement for the batch: a full re-post passes thousands of orders
        await conn.execute(
            "INSERT INTO order_skus (company_id, sku, store_id, order_id) "
            "SELECT $1, s, st, o FROM unnest($2::text[], $3::uuid[], $4::text[]) AS t(s, st, o) "
            "ON CONFLICT DO NOTHING",
            company_id,
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
        )


COGS_ACCOUNTS = frozenset({"COGS", "PRODUCT_GIVEAWAYS"})
COGS_COLUMNS = (
    "company_id",
    "journal_version",
    "store_id",
    "order_id",
    "entry_key",
    "sku",
    "day",
    "channel",
    "order_name",
    "quantity",
    "unit_cost",
    "amount",
    "cost_source",
)


def cogs_rows(
    company_id: UUID,
    version: int,
    store_id: UUID,
    history: OrderHistory,
    run: OrderRun | None,
    costs: tuple[LineCost, ...],
) -> list[tuple[object, ...]]:
    """The units and unit cost behind each COGS line the order posted.

    COGS is posted as units x unit cost, so the units are the amount over
    the cost of the SKU's line (a restock comes back as negative units).
    """
    if run is None:
        return []
    best: dict[str, LineCost] = {}
    for c in costs:
        if not c.missing and (c.line_id not in best or _rank(c) < _rank(best[c.line_id])):
            best[c.line_id] = c
    by_sku: dict[str, LineCost] = {}
    for line in history.order.lines:
        if line.sku and line.id in best:
            by_sku.setdefault(line.sku, best[line.id])
    amounts: dict[tuple[str, str, object], int] = {}
    for entry in run.entries:
        for ln in entry.lines:
            if ln.account in COGS_ACCOUNTS and ln.sku and ln.sku in by_sku:
                key = (entry.key, ln.sku, entry.date)
                amounts[key] = amounts.get(key, 0) + ln.amount
    order = history.order
    rows: list[tuple[object, ...]] = []
    for (entry_key, sku, day), amount in sorted(amounts.items(), key=lambda kv: kv[0][:2]):
        cost = by_sku[sku]
        units = amount // cost.unit_cost if cost.unit_cost else 0
        rows.append(
            (
                company_id,
                version,
                store_id,
                order.id,
                entry_key,
                sku,
                day,
                order.source,
                order.label,
                units,
                cost.unit_cost,
                amount,
                str(cost.source),
            )
        )
    return rows


def _rank(c: LineCost) -> int:
    from service.domain.costs import COST_PRECEDENCE

    return COST_PRECEDENCE.index(c.source)


async def replace_cogs(
    conn: asyncpg.Connection,
    company_id: UUID,
    version: int,
    keys: Sequence[OrderKey],
    rows: list[tuple[object, ...]],
) -> None:
    await _replace_rows(conn, "cogs_details", COGS_COLUMNS, company_id, version, keys, rows)
