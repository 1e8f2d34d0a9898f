"""The inputs of posting besides the history: settings, statuses, order actions.

Loaded per order for an incremental re-post, or for the whole company at
once for a full re-post (one query per table instead of one per order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
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


@dataclass(frozen=True, slots=True)
class InputRows:
    """The inputs as the database gives them, in plain tuples: what a
    posting process receives (the domain's compiled records do not pickle)."""

    basis: str
    settings_version: int
    stores: list[tuple[UUID, str]]
    statuses: list[tuple[UUID, str, str]]
    overrides: list[tuple[UUID, str, str, date | None]]
    gateways: list[tuple[UUID, str, str]]
    deposits: list[tuple[UUID, str, object, date, int, int, str]]

    def for_orders(self, keys: set[tuple[UUID, str]]) -> InputRows:
        """Only these orders' overrides and deposits: a batch carries its own."""
        return replace(
            self,
            overrides=[r for r in self.overrides if (r[0], r[1]) in keys],
            deposits=[r for r in self.deposits if (r[0], r[1]) in keys],
        )

    def inputs(self) -> CompanyInputs:
        by_store: dict[UUID, list[tuple[str, ChannelStatus]]] = {}
        for store, source, status in self.statuses:
            by_store.setdefault(store, []).append((source, ChannelStatus(status)))
        return CompanyInputs(
            basis=AccountingBasis(self.basis),
            settings_version=self.settings_version,
            tracking={store: FulfillmentTracking(t) for store, t in self.stores},
            channel_statuses={k: tuple(v) for k, v in by_store.items()},
            overrides={
                (store, order): OrderStatusOverride(OrderStatus(status), day)
                for store, order, status, day in self.overrides
            },
            gateways=gateway_methods(self.gateways),
            deposits=_deposit_links(self.deposits),
        )


async def load_input_rows(
    conn: asyncpg.Connection,
    company_id: UUID,
    *,
    store_id: UUID | None = None,
    order_id: str | None = None,
) -> InputRows:
    row = await conn.fetchrow(_INPUTS, company_id, store_id, order_id)
    return InputRows(
        basis=row["accounting_basis"],
        settings_version=row["version"],
        stores=[tuple(r) for r in row["stores"]],
        statuses=[tuple(r) for r in row["statuses"]],
        overrides=[tuple(r) for r in row["overrides"]],
        gateways=[tuple(r) for r in row["gateways"]],
        deposits=[tuple(r) for r in row["deposits"]],
    )


async def load_inputs(
    conn: asyncpg.Connection,
    company_id: UUID,
    *,
    store_id: UUID | None = None,
    order_id: str | None = None,
) -> CompanyInputs:
    """The company's inputs; with an order named, only that order's override
    and deposits."""
    rows = await load_input_rows(conn, company_id, store_id=store_id, order_id=order_id)
    return rows.inputs()


def _deposit_links(
    rows: Iterable[tuple[UUID, str, object, date, int, int, str]],
) -> dict[tuple[UUID, str], tuple[DepositLink, ...]]:
    """Bank deposits linked to orders (order action "link payment")."""
    out: dict[tuple[UUID, str], list[DepositLink]] = {}
    for store, order, line_id, day, amount, difference, account in rows:
        out.setdefault((store, order), []).append(
            DepositLink(str(line_id), day, amount, difference, account)
        )
    return {k: tuple(v) for k, v in out.items()}
