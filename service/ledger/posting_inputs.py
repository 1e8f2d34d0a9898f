"""The inputs of posting besides the history: settings, statuses, order actions.

Loaded per order for an incremental re-post, or for the whole company at
once for a full re-post (one query per table instead of one per order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from service.domain.context import PostingContext
from service.domain.events import PaymentMethod
from service.domain.settings import (
    AccountingBasis,
    ChannelStatus,
    DepositLink,
    FulfillmentTracking,
    OrderStatus,
    OrderStatusOverride,
    Settings,
)
from service.ledger.gateways import merchant_mappings


@dataclass(frozen=True, slots=True)
class CompanyInputs:
    """Everything but histories that the company's postings depend on."""

    basis: AccountingBasis
    settings_version: int
    tracking: dict[UUID, FulfillmentTracking]
    channel_statuses: dict[UUID, tuple[tuple[str, ChannelStatus], ...]]
    overrides: dict[tuple[UUID, str], OrderStatusOverride] = field(default_factory=dict)
    gateways: dict[UUID, tuple[tuple[str, PaymentMethod], ...]] = field(default_factory=dict)
    deposits: dict[tuple[UUID, str], tuple[DepositLink, ...]] = field(default_factory=dict)

    def settings(self, store_id: UUID) -> Settings:
        return Settings(
            basis=self.basis,
            fulfillment_tracking=self.tracking.get(store_id, FulfillmentTracking.ORDER_PLACED_DATE),
            channel_statuses=self.channel_statuses.get(store_id, ()),
        )

    def context(self, store_id: UUID, order_id: str) -> PostingContext:
        return PostingContext(
            settings=self.settings(store_id),
            override=self.overrides.get((store_id, order_id)),
            gateways=self.gateways.get(store_id, ()),
            deposits=self.deposits.get((store_id, order_id), ()),
        )


async def load_inputs(
    conn: asyncpg.Connection,
    company_id: UUID,
    *,
    store_id: UUID | None = None,
    order_id: str | None = None,
) -> CompanyInputs:
    """The company's inputs; with an order named, only that order's override."""
    row = await conn.fetchrow(
        "SELECT accounting_basis, version FROM bookkeeping_settings WHERE company_id = $1",
        company_id,
    )
    stores = await conn.fetch(
        "SELECT store_id, fulfillment_tracking FROM stores WHERE company_id = $1", company_id
    )
    statuses = await conn.fetch(
        "SELECT store_id, source, status FROM channel_statuses WHERE company_id = $1 "
        "ORDER BY store_id, source",
        company_id,
    )
    overrides = await conn.fetch(
        "SELECT store_id, order_id, status, action_date FROM order_overrides "
        "WHERE company_id = $1 AND ($2::uuid IS NULL OR store_id = $2) "
        "AND ($3::text IS NULL OR order_id = $3)",
        company_id,
        store_id,
        order_id,
    )
    gateways = await merchant_mappings(conn, company_id)
    deposits = await _deposit_links(conn, company_id, store_id, order_id)
    by_store: dict[UUID, list[tuple[str, ChannelStatus]]] = {}
    for s in statuses:
        by_store.setdefault(s["store_id"], []).append((s["source"], ChannelStatus(s["status"])))
    return CompanyInputs(
        basis=AccountingBasis(row["accounting_basis"]),
        settings_version=row["version"],
        tracking={s["store_id"]: FulfillmentTracking(s["fulfillment_tracking"]) for s in stores},
        channel_statuses={k: tuple(v) for k, v in by_store.items()},
        overrides={
            (o["store_id"], o["order_id"]): OrderStatusOverride(
                OrderStatus(o["status"]), o["action_date"]
            )
            for o in overrides
        },
        gateways=gateways,
        deposits=deposits,
    )


async def _deposit_links(
    conn: asyncpg.Connection, company_id: UUID, store_id: UUID | None, order_id: str | None
) -> dict[tuple[UUID, str], tuple[DepositLink, ...]]:
    """Bank deposits linked to orders (order action "link payment")."""
    rows = await conn.fetch(
        "SELECT store_id, order_id, line_id, deposit_date, amount, difference, "
        "difference_account FROM deposit_links WHERE company_id = $1 "
        "AND ($2::uuid IS NULL OR store_id = $2) AND ($3::text IS NULL OR order_id = $3) "
        "ORDER BY store_id, order_id, deposit_date, line_id",
        company_id,
        store_id,
        order_id,
    )
    out: dict[tuple[UUID, str], list[DepositLink]] = {}
    for r in rows:
        out.setdefault((r["store_id"], r["order_id"]), []).append(
            DepositLink(
                str(r["line_id"]),
                r["deposit_date"],
                r["amount"],
                r["difference"],
                r["difference_account"],
            )
        )
    return {k: tuple(v) for k, v in out.items()}
