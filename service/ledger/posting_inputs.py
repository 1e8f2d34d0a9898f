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
from service.ledger.gateways import gateway_methods


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


# One round trip: each table's rows as an array of records. Loaded for every
# re-posted order (every webhook), six queries were six waits on the server.
_INPUTS = """
SELECT b.accounting_basis, b.version,
    ARRAY(SELECT ROW(s.store_id, s.fulfillment_tracking) FROM stores s
          WHERE s.company_id = $1) AS stores,
    ARRAY(SELECT ROW(c.store_id, c.source, c.status) FROM channel_statuses c
          WHERE c.company_id = $1 ORDER BY c.store_id, c.source) AS statuses,
    ARRAY(SELECT ROW(o.store_id, o.order_id, o.status, o.action_date) FROM order_overrides o
          WHERE o.company_id = $1 AND ($2::uuid IS NULL OR o.store_id = $2)
            AND ($3::text IS NULL OR o.order_id = $3)) AS overrides,
    ARRAY(SELECT ROW(g.store_id, g.gateway, g.kind) FROM store_gateways g
          WHERE g.company_id = $1 AND g.set_by = 'MERCHANT'
          ORDER BY g.store_id, g.gateway) AS gateways,
    ARRAY(SELECT ROW(d.store_id, d.order_id, d.line_id, d.deposit_date, d.amount, d.difference,
                     d.difference_account) FROM deposit_links d
          WHERE d.company_id = $1 AND ($2::uuid IS NULL OR d.store_id = $2)
            AND ($3::text IS NULL OR d.order_id = $3)
          ORDER BY d.store_id, d.order_id, d.deposit_date, d.line_id) AS deposits
FROM bookkeeping_settings b WHERE b.company_id = $1
"""


async def load_inputs(
    conn: asyncpg.Connection,
    company_id: UUID,
    *,
    store_id: UUID | None = None,
    order_id: str | None = None,
) -> CompanyInputs:
    """The company's inputs; with an order named, only that order's override
    and deposits."""
    row = await conn.fetchrow(_INPUTS, company_id, store_id, order_id)
    by_store: dict[UUID, list[tuple[str, ChannelStatus]]] = {}
    for store, source, status in row["statuses"]:
        by_store.setdefault(store, []).append((source, ChannelStatus(status)))
    return CompanyInputs(
        basis=AccountingBasis(row["accounting_basis"]),
        settings_version=row["version"],
        tracking={store: FulfillmentTracking(t) for store, t in row["stores"]},
        channel_statuses={k: tuple(v) for k, v in by_store.items()},
        overrides={
            (store, order): OrderStatusOverride(OrderStatus(status), day)
            for store, order, status, day in row["overrides"]
        },
        gateways=gateway_methods(row["gateways"]),
        deposits=_deposit_links(row["deposits"]),
    )


def _deposit_links(
    rows: list[asyncpg.Record],
) -> dict[tuple[UUID, str], tuple[DepositLink, ...]]:
    """Bank deposits linked to orders (order action "link payment")."""
    out: dict[tuple[UUID, str], list[DepositLink]] = {}
    for store, order, line_id, day, amount, difference, account in rows:
        out.setdefault((store, order), []).append(
            DepositLink(str(line_id), day, amount, difference, account)
        )
    return {k: tuple(v) for k, v in out.items()}
