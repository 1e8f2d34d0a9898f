"""Marketplace settlements stored in channel-neutral terms, and posted.

A settlement (Amazon) or statement (TikTok Shop) arrives from a connector
already translated into neutral line kinds; here it is checked (its lines
must add up to what it paid, or it is refused whole), stored once whether
it came from the API or from an uploaded file, and posted as a subject of
its own, re-posted whenever its inputs (costs, channel status) change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.marketplace import (
    Fulfillment,
    LineKind,
    Settlement,
    SettlementError,
    SettlementLine,
    check_total,
    with_mappings,
)
from service.ledger.codec import from_jsonb
from service.ledger.journal import Posting
from service.ledger.order_posting import post_live
from service.ledger.recost_queue import queue_recost
from service.ledger.reports.settlement_cogs import SettlementCogsRow
from service.posting.costing import Sale
from service.posting.marketplace import (
    EXCLUDED,
    INCLUDED,
    SALES_ONLY,
    PostedSettlement,
    post_settlement,
)

SUBJECT_PREFIX = "settlement:"


def settlement_subject(store_id: UUID | str, settlement_id: str) -> str:
    return f"{SUBJECT_PREFIX}{store_id}:{settlement_id}"


def encode_lines(lines: Sequence[SettlementLine]) -> bytes:
    """The lines as one compressed JSON array (read and written whole)."""
    rows = [_row(ln) for ln in lines]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 1)


def _row(ln: SettlementLine) -> list[Any]:
    return [
        ln.line_no,
        ln.kind.value,
        ln.amount,
        ln.posted.isoformat(),
        ln.description,
        ln.order_id,
        ln.sku,
        ln.quantity,
        ln.refund,
        ln.fulfillment.value,
        ln.shipped.isoformat() if ln.shipped else None,
    ]


def _day(text: str, days: dict[str, dt.date]) -> dt.date:
    day = days.get(text)
    if day is None:
        day = days[text] = dt.date.fromisoformat(text)
    return day


def _from_row(r: Sequence[Any], days: dict[str, dt.date]) -> SettlementLine:
    posted = _day(r[3], days)
    shipped = _day(r[10], days) if len(r) > 10 and r[10] else None
    return SettlementLine(
        r[0], LineKind(r[1]), r[2], posted, r[4], r[5], r[6], r[7], r[8], Fulfillment(r[9]), shipped
    )


def decode_lines(raw: bytes) -> tuple[SettlementLine, ...]:
    days: dict[str, dt.date] = {}
    return tuple(_from_row(r, days) for r in json.loads(zlib.decompress(raw)))


def fingerprint(s: Settlement) -> str:
    """The same settlement from the API and from a file has one fingerprint
    (its payment, which may come later, is not part of it)."""
    h = hashlib.sha256()
    h.update(f"{s.marketplace}|{s.settlement_id}|{s.total}|{s.currency}".encode())
    for ln in s.lines:
        h.update(
            f"\n{ln.kind}|{ln.amount}|{ln.posted}|{ln.order_id}|{ln.sku}|{ln.quantity}"
            f"|{ln.refund}|{ln.description}".encode()
        )
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class StoredSettlement:
    store_id: UUID
    settlement: Settlement
    source: str


async def save_settlement(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, s: Settlement, source: str
) -> bool:
    """Check, store and post a settlement; False when it was already stored.

    Raises SettlementError (nothing stored) when its lines do not add up to
    its total, when it belongs to another marketplace than the store, or
    when a settlement of that id was stored before with other lines."""
    check_total(s)
    store = await conn.fetchrow(
        "SELECT platform, currency_code FROM stores WHERE company_id = $1 AND store_id = $2",
        company_id,
        store_id,
    )
    if store is None or store["platform"] != s.marketplace:
        raise SettlementError(
            f"settlement {s.settlement_id} is not a {store and store['platform']} one"
        )
    if s.currency != store["currency_code"].strip():
        raise SettlementError(
            f"settlement {s.settlement_id} is in {s.currency}, the store's books are in"
            f" {store['currency_code']}"
        )
    mark = fingerprint(s)
    before = await conn.fetchrow(
        "SELECT fingerprint, deposit_date, payout_id, payout_status FROM settlements "
        "WHERE company_id = $1 AND store_id = $2 AND settlement_id = $3",
        company_id,
        store_id,
        s.settlement_id,
    )
    if before is not None and before["fingerprint"] == mark:
        return await _payment_moved(conn, company_id, store_id, s, before)
    if before is not None:
        raise SettlementError(
            f"settlement {s.settlement_id} was imported before with other lines;"
            " a closed settlement does not change"
        )
    skus = sorted({ln.sku for ln in s.lines if ln.sku})
    review = [_row(ln) for ln in s.lines if ln.kind is LineKind.UNKNOWN]
    await conn.execute(
        "INSERT INTO settlements (company_id, store_id, settlement_id, marketplace, period_start, "
        "period_end, deposit_date, total, currency_code, line_count, fingerprint, source, "
        "payout_id, payout_status, lines, skus, review) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        company_id,
        store_id,
        s.settlement_id,
        s.marketplace,
        s.start,
        s.end,
        s.deposit_date,
        s.total,
        s.currency,
        len(s.lines),
        mark,
        source,
        s.payout_id,
        s.payout_status,
        encode_lines(s.lines),
        skus,
        review,
    )
    await conn.execute(
        "INSERT INTO products (company_id, sku) SELECT $1, unnest($2::text[]) "
        "ON CONFLICT DO NOTHING",
        company_id,
        skus,
    )
    await queue_recost(conn, company_id, skus)  # their units left stock
    await post_live(conn, company_id, await settlement_posting(conn, company_id, store_id, s))
    return True


async def _payment_moved(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    s: Settlement,
    before: Mapping[str, Any],
) -> bool:
    """The same settlement again; its payment may have been made since."""
    now = (s.deposit_date, s.payout_id, s.payout_status)
    if (before["deposit_date"], before["payout_id"], before["payout_status"]) == now:
        return False
    await conn.execute(
        "UPDATE settlements SET deposit_date = $4, payout_id = $5, payout_status = $6 "
        "WHERE company_id = $1 AND store_id = $2 AND settlement_id = $3",
        company_id,
        store_id,
        s.settlement_id,
        *now,
    )
    await post_live(conn, company_id, await settlement_posting(conn, company_id, store_id, s))
    return True


def _settlement(head: Mapping[str, Any]) -> Settlement:
    return Settlement(
        marketplace=head["marketplace"],
        settlement_id=head["settlement_id"],
        start=head["period_start"],
        end=head["period_end"],
        deposit_date=head["deposit_date"],
        total=head["total"],
        currency=str(head["currency_code"]).strip(),
        lines=decode_lines(bytes(head["lines"])),
        payout_id=head["payout_id"],
        payout_status=head["payout_status"],
    )


async def load_settlements(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    store_id: UUID | None = None,
    settlement_id: str | None = None,
) -> list[StoredSettlement]:
    """Settlements with their lines (all of the company's, a store's, or one)."""
    heads = await conn.fetch(
        "SELECT * FROM settlements WHERE company_id = $1 AND ($2::uuid IS NULL OR store_id = $2) "
        "AND ($3::text IS NULL OR settlement_id = $3) ORDER BY store_id, settlement_id",
        company_id,
        store_id,
        settlement_id,
    )
    return [StoredSettlement(h["store_id"], _settlement(h), h["source"]) for h in heads]


async def unit_costs(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> dict[str, int]:
    """The SKUs' unit costs from the products' own costing (None: missing)."""
    rows = await conn.fetch(
        "SELECT sku, coalesce(average_cost, channel_unit_cost) AS cost FROM products "
        "WHERE company_id = $1 AND coalesce(average_cost, channel_unit_cost) IS NOT NULL",
        company_id,
    )
    return {r["sku"]: r["cost"] for r in rows}


async def channel_statuses(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> dict[tuple[UUID, str], str]:
    rows = await conn.fetch(
        "SELECT store_id, source, status FROM channel_statuses WHERE company_id = $1", company_id
    )
    return {(r["store_id"], r["source"]): r["status"] for r in rows}


async def mappings(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> dict[UUID, dict[str, LineKind]]:
    """Each store's choices for amounts no rule knows."""
    out: dict[UUID, dict[str, LineKind]] = {}
    for r in await conn.fetch(
        "SELECT store_id, description, kind FROM settlement_mappings WHERE company_id = $1",
        company_id,
    ):
        out.setdefault(r["store_id"], {})[r["description"]] = LineKind(r["kind"])
    return out


@dataclass(frozen=True, slots=True)
class Inputs:
    """What posting a settlement needs besides the settlement."""

    costs: Mapping[str, int]
    statuses: Mapping[tuple[UUID, str], str]
    mappings: Mapping[UUID, Mapping[str, LineKind]]


async def load_inputs(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> Inputs:
    return Inputs(
        await unit_costs(conn, company_id),
        await channel_statuses(conn, company_id),
        await mappings(conn, company_id),
    )


def posted(stored: StoredSettlement, inputs: Inputs) -> PostedSettlement:
    s = with_mappings(stored.settlement, inputs.mappings.get(stored.store_id, {}))
    status = inputs.statuses.get((stored.store_id, s.marketplace), INCLUDED)
    return post_settlement(s, str(stored.store_id), inputs.costs, status)


def posting_of(stored: StoredSettlement, inputs: Inputs) -> Posting:
    s = stored.settlement
    return Posting(
        settlement_subject(stored.store_id, s.settlement_id),
        stored.store_id,
        s.currency,
        posted(stored, inputs).entries,
    )


async def settlement_posting(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, s: Settlement
) -> Posting:
    stored = StoredSettlement(store_id, s, "")
    return posting_of(stored, await load_inputs(conn, company_id))


async def settlement_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every settlement of the company, posted afresh (full re-post, verify)."""
    inputs = await load_inputs(conn, company_id)
    return [posting_of(st, inputs) for st in await load_settlements(conn, company_id)]


async def repost_store_settlements(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID
) -> int:
    """Post a store's settlements again (a channel status, a cost or a mapping changed)."""
    inputs = await load_inputs(conn, company_id)
    stored = await load_settlements(conn, company_id, store_id)
    for st in stored:
        await post_live(conn, company_id, posting_of(st, inputs))
    return len(stored)


@dataclass(frozen=True, slots=True)
class SettlementSummary:
    """A settlement as listed: its head and only the lines to review."""

    store_id: UUID
    settlement_id: str
    marketplace: str
    start: dt.date
    end: dt.date
    deposit_date: dt.date
    total: int
    currency: str
    line_count: int
    source: str
    review: tuple[SettlementLine, ...]


async def list_settlements(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    *,
    store_id: UUID | None,
    settlement_id: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 50,
) -> list[SettlementSummary]:
    """Settlements by store and id (keyset after ``(store id, settlement id)``)."""
    a_store, a_id = after if after else (str(UUID(int=0)), "")
    heads = await conn.fetch(
        "SELECT store_id, settlement_id, marketplace, period_start, period_end, deposit_date, "
        "total, currency_code, line_count, source, review FROM settlements "
        "WHERE company_id = $1 AND ($2::uuid IS NULL OR store_id = $2) "
        "AND ($3::text IS NULL OR settlement_id = $3) "
        "AND (store_id, settlement_id) > ($4::uuid, $5) ORDER BY store_id, settlement_id LIMIT $6",
        company_id,
        store_id,
        settlement_id,
        a_store,
        a_id,
        limit,
    )
    days: dict[str, dt.date] = {}
    chosen = await mappings(conn, company_id)
    return [
        SettlementSummary(
            h["store_id"],
            h["settlement_id"],
            h["marketplace"],
            h["period_start"],
            h["period_end"],
            h["deposit_date"],
            h["total"],
            h["currency_code"].strip(),
            h["line_count"],
            h["source"],
            tuple(
                ln
                for ln in (_from_row(r, days) for r in _json(h["review"]))
                if ln.description not in chosen.get(h["store_id"], {})
            ),
        )
        for h in heads
    ]


async def set_mapping(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, description: str, kind: LineKind
) -> bool:
    """Place the amounts with these words as ``kind``; True when it changed."""
    changed = await conn.fetchval(
        """
        INSERT INTO settlement_mappings (company_id, store_id, description, kind)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (company_id, store_id, description) DO UPDATE
            SET kind = excluded.kind, updated_at = now()
            WHERE settlement_mappings.kind <> excluded.kind
        RETURNING 1
        """,
        company_id,
        store_id,
        description,
        kind.value,
    )
    if changed:
        await repost_store_settlements(conn, company_id, store_id)
    return bool(changed)


def _json(value: Any) -> list[Any]:
    data = from_jsonb(value)
    return list(data or [])


async def settlement_cogs_rows(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    store_id: UUID | None,
    settlement_id: str,
) -> tuple[list[SettlementCogsRow], str]:
    """The units a settlement costed, at the costs the books use now."""
    names = {
        r["store_id"]: r["name"]
        for r in await conn.fetch(
            "SELECT store_id, name FROM stores WHERE company_id = $1", company_id
        )
    }
    found = await load_settlements(conn, company_id, store_id, settlement_id)
    inputs = await load_inputs(conn, company_id)
    rows: list[SettlementCogsRow] = []
    currency = "USD"
    for st in found:
        s = st.settlement
        currency = s.currency
        for c in posted(st, inputs).cogs:
            rows.append(
                SettlementCogsRow(
                    names.get(st.store_id, ""),
                    s.marketplace,
                    s.settlement_id,
                    c.order_id,
                    c.day,
                    c.sku,
                    c.fulfillment,
                    c.quantity,
                    c.unit_cost,
                    c.total,
                    c.missing,
                )
            )
    return rows, currency


async def oldest_unpaid(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> dt.date | None:
    """The first day of the oldest settlement whose payment is not made yet."""
    day: dt.date | None = await conn.fetchval(
        "SELECT min(period_start) FROM settlements WHERE company_id = $1 AND store_id = $2 "
        "AND payout_status <> 'PAID'",
        company_id,
        store_id,
    )
    return day


async def repost_settlements_with_skus(
    conn: asyncpg.Connection, company_id: UUID, skus: Sequence[str]
) -> int:
    """A SKU's cost moved: the settlements that sold it are posted again."""
    rows = await conn.fetch(
        "SELECT store_id, settlement_id FROM settlements WHERE company_id = $1 AND skus && $2",
        company_id,
        list(skus),
    )
    if not rows:
        return 0
    inputs = await load_inputs(conn, company_id)
    for r in rows:
        for st in await load_settlements(conn, company_id, r["store_id"], r["settlement_id"]):
            await post_live(conn, company_id, posting_of(st, inputs))
    return len(rows)


async def settlement_sales(conn: asyncpg.Connection, company_id: UUID, sku: str) -> list[Sale]:
    """Units of a SKU that left stock through marketplace settlements, for
    the costing: on the day they shipped, unless the channel posts no COGS."""
    statuses = await channel_statuses(conn, company_id)
    out: list[Sale] = []
    for st in await load_settlements_with_sku(conn, company_id, sku):
        s = st.settlement
        if statuses.get((st.store_id, s.marketplace), INCLUDED) in (EXCLUDED, SALES_ONLY):
            continue
        for ln in s.lines:
            if (
                ln.kind is LineKind.PRINCIPAL
                and ln.sku == sku
                and ln.quantity > 0
                and not ln.refund
            ):
                sale_id = f"settlement|{st.store_id}|{s.settlement_id}|{ln.line_no}"
                out.append(Sale(sale_id, ln.shipped or ln.posted, sku, ln.quantity))
    return out


async def load_settlements_with_sku(
    conn: asyncpg.Connection, company_id: UUID, sku: str
) -> list[StoredSettlement]:
    heads = await conn.fetch(
        "SELECT * FROM settlements WHERE company_id = $1 AND skus @> ARRAY[$2::text] "
        "ORDER BY store_id, settlement_id",
        company_id,
        sku,
    )
    return [StoredSettlement(h["store_id"], _settlement(h), h["source"]) for h in heads]
