from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import global_id
from service.api.loaders import order_events_loader
from service.api.types.ingest_event import IngestEvent
from service.api.types.money import Money
from service.api.types.posting_rule import PostingRule
from service.api.types.statements import account_name
from service.ledger.journal_reads import StoredEntry, StoredLine
from service.ledger.source_events import source_events
from service.posting.rules import find_rule

if TYPE_CHECKING:
    from service.api.types.order import Order


def order_global_id(store_id: object, order_id: str) -> strawberry.ID:
    return global_id("Order", f"{store_id}:{order_id}")


@strawberry.type(description="One side of an entry: an amount on an account, with its dimensions.")
class JournalLine:
    account_key: str
    account_name: str
    amount: Money = strawberry.field(description="Debit positive, credit negative.")
    debit: Money
    credit: Money
    store_id: strawberry.ID | None
    channel: str | None
    sku: str | None
    processor: str | None
    rule: str = strawberry.field(description="The posting rule that made this line.")
    order_global_id: strawberry.Private[strawberry.ID | None]

    # Strawberry's field decorator is untyped for methods that take `info`.
    @strawberry.field(description="The order this line belongs to, if any.")  # type: ignore[untyped-decorator]
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("service.api.types.order")] | None:
        if self.order_global_id is None:
            return None
        from service.api.types.order import load_order

        return await load_order(info, self.order_global_id)


@strawberry.type(description="A balanced journal entry and why it exists.")
class JournalEntry:
    id: strawberry.ID
    date: dt.date
    rule: str = strawberry.field(description="A stable id of the posting rule, e.g. cash.payment.")
    memo: str
    event: str = strawberry.field(description="The id of the store event that caused it.")
    key: str = strawberry.field(description="Stable across re-posts of the same inputs.")
    lines: list[JournalLine]
    order_key: strawberry.Private[tuple[UUID, str] | None]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The posting rule behind `rule`: its section and explanation."
    )
    def rule_info(self) -> PostingRule | None:
        rule = find_rule(self.rule)
        return None if rule is None else PostingRule.from_rule(rule)

    # Strawberry's field decorator is untyped for methods that take `info`.
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The stored deliveries (webhooks, synced records) that carried the fact "
        "this entry comes from; empty when none did (a bank deposit linked by hand)."
    )
    async def source_events(self, info: Info) -> list[IngestEvent]:
        if self.order_key is None:
            return []
        events, index = await order_events_loader(info.context).load(self.order_key)
        found = source_events(self.event, self.order_key[1], events, index)
        return [IngestEvent.from_record(ev) for ev in found]

    @classmethod
    def from_record(cls, e: StoredEntry) -> JournalEntry:
        return cls(
            id=global_id("JournalEntry", str(e.entry_id)),
            date=e.date,
            rule=e.rule,
            memo=e.memo,
            event=e.event_id,
            key=e.entry_key,
            lines=[_line(ln, e) for ln in e.lines],
            order_key=(e.store_id, e.order_id) if e.store_id and e.order_id else None,
        )


def _line(ln: StoredLine, e: StoredEntry) -> JournalLine:
    cur = e.currency_code
    order = ln.order_id or e.order_id
    store = ln.store_id or e.store_id
    return JournalLine(
        account_key=ln.account_key,
        account_name=account_name(ln.account_key),
        amount=Money.of(ln.amount, cur),
        debit=Money.of(max(ln.amount, 0), cur),
        credit=Money.of(max(-ln.amount, 0), cur),
        store_id=global_id("Store", store) if store else None,
        channel=ln.channel,
        sku=ln.sku,
        processor=ln.processor,
        rule=e.rule,
        order_global_id=order_global_id(store, order) if order and store else None,
    )
