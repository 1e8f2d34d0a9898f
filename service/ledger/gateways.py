"""Each store's payment gateways and what the books take them for.

posting rule 13.2: a gateway is a PROCESSOR, OFFLINE or GIFT_CARD. The
first time a gateway shows up on an order its default kind (what the
channel said of it) is recorded for the merchant to review; the
merchant's own choice (MERCHANT) is what posting applies, so changing it
re-posts the store's orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.events import PaymentMethod, Refund, Transaction, gateway_key
from service.domain.history import OrderHistory

KIND_OF_METHOD = {
    PaymentMethod.PROCESSOR: "PROCESSOR",
    PaymentMethod.MANUAL: "OFFLINE",
    PaymentMethod.GIFT_CARD: "GIFT_CARD",
}
METHOD_OF_KIND = {kind: method for method, kind in KIND_OF_METHOD.items()}


@dataclass(frozen=True, slots=True)
class GatewayMapping:
    store_id: UUID
    gateway: str
    name: str
    kind: str
    set_by: str
    first_seen_at: dt.datetime
    updated_at: dt.datetime

    @property
    def needs_review(self) -> bool:
        return self.set_by == "DEFAULT"


def gateways_of(history: OrderHistory) -> dict[str, tuple[str, PaymentMethod]]:
    """Gateway key -> (name as the channel spells it, default method)."""
    found: dict[str, tuple[str, PaymentMethod]] = {}
    for ev in history.events:
        txns = ev.transactions if isinstance(ev, Refund) else (ev,)
        for t in txns:
            if isinstance(t, Transaction):
                found.setdefault(gateway_key(t.gateway), (t.gateway.strip(), t.method))
    return found


async def remember_gateways(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, history: OrderHistory
) -> None:
    """Record gateways seen for the first time, for review."""
    found = gateways_of(history)
    if not found:
        return
    await conn.executemany(
        "INSERT INTO store_gateways (company_id, store_id, gateway, name, kind, set_by) "
        "VALUES ($1, $2, $3, $4, $5, 'DEFAULT') ON CONFLICT DO NOTHING",
        [
            (company_id, store_id, key, name or "(none)", KIND_OF_METHOD[method])
            for key, (name, method) in sorted(found.items())
        ],
    )


def gateway_methods(
    rows: Iterable[tuple[UUID, str, str]],
) -> dict[UUID, tuple[tuple[str, PaymentMethod], ...]]:
    """(store, gateway, kind) rows as posting takes them: per store, each
    gateway's payment method."""
    out: dict[UUID, list[tuple[str, PaymentMethod]]] = {}
    for store, gateway, kind in rows:
        out.setdefault(store, []).append((gateway, METHOD_OF_KIND[kind]))
    return {k: tuple(v) for k, v in out.items()}


async def list_mappings(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    store_id: UUID | None,
    needs_review: bool | None,
) -> list[GatewayMapping]:
    rows = await conn.fetch(
        "SELECT store_id, gateway, name, kind, set_by, first_seen_at, updated_at "
        "FROM store_gateways WHERE company_id = $1 AND ($2::uuid IS NULL OR store_id = $2) "
        "AND ($3::boolean IS NULL OR (set_by = 'DEFAULT') = $3) "
        "ORDER BY store_id, gateway LIMIT 1000",
        company_id,
        store_id,
        needs_review,
    )
    return [GatewayMapping(**dict(r)) for r in rows]


async def set_mapping(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID, gateway: str, kind: str
) -> tuple[GatewayMapping, bool]:
    """Store the merchant's choice; True when it changes what posts."""
    key = gateway_key(gateway)
    before = await conn.fetchrow(
        "SELECT kind, set_by FROM store_gateways "
        "WHERE company_id = $1 AND store_id = $2 AND gateway = $3 FOR UPDATE",
        company_id,
        store_id,
        key,
    )
    row = await conn.fetchrow(
        """
        INSERT INTO store_gateways (company_id, store_id, gateway, name, kind, set_by)
        VALUES ($1, $2, $3, $4, $5, 'MERCHANT')
        ON CONFLICT (company_id, store_id, gateway) DO UPDATE
            SET kind = excluded.kind, set_by = 'MERCHANT', updated_at = now()
        RETURNING store_id, gateway, name, kind, set_by, first_seen_at, updated_at
        """,
        company_id,
        store_id,
        key,
        gateway.strip() or "(none)",
        kind,
    )
    # A default that the merchant confirms changes nothing the books
    # show, but the mapping now applies even where the channel's word
    # for a transaction would differ, so posting follows it from here on.
    changed = before is None or before["kind"] != kind or before["set_by"] != "MERCHANT"
    return GatewayMapping(**dict(row)), changed
