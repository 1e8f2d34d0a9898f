from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from service.api.context import Info
from service.api.ids import decode_id, global_id
from service.api.loaders import load_books
from service.api.types.audit import AuditRecord, audit_record
from service.api.types.journal import JournalEntry, order_global_id
from service.api.types.money import Money
from service.api.types.order_event import OrderEvent, order_events
from service.ledger.audit import AuditFilter, audit_records
from service.ledger.journal import order_subject
from service.ledger.journal_reads import entries_of_subjects
from service.ledger.order_history import order_history
from service.ledger.orders import OrderSummary, orders_by_keys


@strawberry.enum(description="Which orders to list, as on the Orders screen.")
class OrderTab(Enum):
    ALL = "ALL"
    UNPAID = "UNPAID"
    UNFULFILLED = "UNFULFILLED"
    REFUNDED = "REFUNDED"
    VOID = "VOID"
    EXCLUDED = "EXCLUDED"
    GIVEAWAY = "GIVEAWAY"
    COGS_ONLY = "COGS_ONLY"
    NEEDS_DATA = "NEEDS_DATA"
    MISSING_COSTS = "MISSING_COSTS"


@strawberry.type(description="An order as the books see it.")
class Order(relay.Node):
    name: str
    source_order_id: str = strawberry.field(description="The order's id in its sales channel.")
    store_id: strawberry.ID
    placed_at: dt.datetime
    channel: str = strawberry.field(description="The order's source, e.g. web, pos, tiktok.")
    payment_status: str
    fulfillment_status: str
    books_status: str = strawberry.field(
        description="How the books treat it: INCLUDED, VOID, EXCLUDED, GIVEAWAY, COGS_ONLY, ...;"
        " NEEDS_DATA while part of its history is on its way (it keeps its last good entries"
        " and the part is fetched again), ERROR when its history contradicts itself."
    )
    total: Money
    open_balance: Money = strawberry.field(
        description="Still owed by the customer (negative: over-collected); equals its AR."
    )
    missing_costs: int
    posting_error: str | None = strawberry.field(
        description="Why the order is NEEDS_DATA or ERROR, in words a person can act on."
    )
    recognized_on: dt.date | None = strawberry.field(
        description="The effective fulfilment date the books use: the placed date under"
        " placed-date tracking, the date the last unit shipped under fulfilled-date tracking"
        " (null while units wait to ship). fulfillmentStatus shows what really shipped."
    )
    key: strawberry.Private[tuple[UUID, str]]

    @classmethod
    def resolve_id(cls, root: Order, *, info: Any) -> str:
        """The local part of the id: store and order, as order_global_id writes it."""
        return f"{root.key[0]}:{root.key[1]}"

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Any, node_ids: Iterable[str], required: bool = False
    ) -> list[Order | None]:
        out: list[Order | None] = []
        for local in node_ids:
            key = parse_order_id(order_global_id(*local.split(":", 1))) if ":" in local else None
            out.append(None if key is None else await _orders_loader(info).load(key))
        return out

    @classmethod
    def from_summary(cls, o: OrderSummary) -> Order:
        cur = o.currency_code
        return cls(
            name=o.name,
            source_order_id=o.order_id,
            store_id=global_id("Store", o.store_id),
            placed_at=o.placed_at,
            channel=o.source,
            payment_status=o.payment_status,
            fulfillment_status=o.fulfillment_status,
            books_status=o.books_status,
            total=Money.of(o.total, cur),
            open_balance=Money.of(o.open_balance, cur),
            missing_costs=o.missing_costs,
            posting_error=o.posting_error,
            recognized_on=o.recognized_on,
            key=(o.store_id, o.order_id),
        )

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="What the channel said happened to the order (placed, payments, "
        "fulfilments, refunds, cancellation), in time order."
    )
    async def history(self, info: Info) -> list[OrderEvent]:
        ctx = info.context
        found = await order_history(ctx.pool, ctx.company_id, *self.key)
        return order_events(found) if found else []

    # Strawberry's field decorator is untyped for methods that take `info`.
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Order actions taken on this order (void, giveaway, COGS only, close"
        " uncollected...), newest first: which token asked, when, and what it asked."
    )
    async def actions(self, info: Info) -> list[AuditRecord]:
        ctx = info.context
        mine = AuditFilter(kind="applyOrderAction", mentions=order_global_id(*self.key))
        rows = await audit_records(ctx.pool, ctx.company_id, mine, limit=50, before_id=None)
        return [audit_record(r) for r in rows]

    @strawberry.field(description="The order's journal entries, by date.")  # type: ignore[untyped-decorator]
    async def journal_entries(self, info: Info) -> list[JournalEntry]:
        loader = _entries_loader(info)
        return await loader.load(order_subject(*self.key))


def parse_order_id(value: str) -> tuple[UUID, str] | None:
    local = decode_id(value, "Order")
    if local is None or ":" not in local:
        return None
    store, order = local.split(":", 1)
    try:
        return UUID(store), order
    except ValueError:
        return None


def _entries_loader(info: Info) -> DataLoader[str, list[JournalEntry]]:
    ctx = info.context
    loader: DataLoader[str, list[JournalEntry]] | None = ctx.loaders.get("order_entries")
    if loader is None:

        async def load(subjects: list[str]) -> list[list[JournalEntry]]:
            version, _ = await load_books(ctx)
            found = await entries_of_subjects(ctx.pool, ctx.company_id, version, subjects)
            return [[JournalEntry.from_record(e) for e in found[s]] for s in subjects]

        loader = DataLoader(load_fn=load)
        ctx.loaders["order_entries"] = loader
    return loader


def _orders_loader(info: Info) -> DataLoader[tuple[UUID, str], Order | None]:
    ctx = info.context
    loader: DataLoader[tuple[UUID, str], Order | None] | None = ctx.loaders.get("orders")
    if loader is None:

        async def load(keys: list[tuple[UUID, str]]) -> list[Order | None]:
            version, _ = await load_books(ctx)
            found = await orders_by_keys(ctx.pool, ctx.company_id, version, keys)
            return [Order.from_summary(found[k]) if k in found else None for k in keys]

        loader = DataLoader(load_fn=load)
        ctx.loaders["orders"] = loader
    return loader


async def load_order(info: Info, order_id: str) -> Order | None:
    key = parse_order_id(order_id)
    if key is None:
        return None
    return await _orders_loader(info).load(key)
