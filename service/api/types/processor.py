"""PayPal and Stripe accounts, their sync runs and their payouts."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from service.api.ids import global_id
from service.api.types.money import Money
from service.api.types.sync import SyncStatus
from service.domain.processor import BalanceTransaction
from service.ledger.payouts import PayoutRow
from service.ledger.processor_accounts import ProcessorAccount as AccountRecord
from service.ledger.processor_accounts import ProcessorRun


@strawberry.enum(description="A payment processor whose own records storebooks syncs.")
class PaymentProcessor(Enum):
    PAYPAL = "paypal"
    STRIPE = "stripe"


@strawberry.type(description="A PayPal or Stripe account a store is paid through.")
class ProcessorAccount:
    id: strawberry.ID
    processor: PaymentProcessor
    store_id: strawberry.ID
    connected_at: dt.datetime
    last_synced_at: dt.datetime | None
    synced_through: dt.datetime | None = strawberry.field(
        description="Records up to this instant were read by the last successful sync."
    )

    @classmethod
    def from_record(cls, a: AccountRecord) -> ProcessorAccount:
        through = (a.cursor or {}).get("through")
        return cls(
            id=global_id("ProcessorAccount", a.account_id),
            processor=PaymentProcessor(a.processor),
            store_id=global_id("Store", a.store_id),
            connected_at=a.connected_at,
            last_synced_at=a.last_synced_at,
            synced_through=dt.datetime.fromisoformat(through) if through else None,
        )


@strawberry.type(description="One sync of a PayPal or Stripe account's records and payouts.")
class ProcessorSyncRun:
    id: strawberry.ID
    account_id: strawberry.ID
    processor: PaymentProcessor
    status: SyncStatus
    records_synced: int = strawberry.field(description="Balance records read and stored.")
    payouts_synced: int
    needs_review: int = strawberry.field(
        description="Records of a type the rules do not know: posted against RIP, to review."
    )
    progress: str
    errors: JSON
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @classmethod
    def from_record(cls, r: ProcessorRun) -> ProcessorSyncRun:
        return cls(
            id=global_id("ProcessorSyncRun", r.run_id),
            account_id=global_id("ProcessorAccount", r.account_id),
            processor=PaymentProcessor(r.processor),
            status=SyncStatus(r.status),
            records_synced=r.records_synced,
            payouts_synced=r.payouts_synced,
            needs_review=r.needs_review,
            progress=r.progress,
            errors=cast(JSON, r.errors),
            requested_at=r.requested_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
        )


@strawberry.type(description="Money a processor paid out to the bank (negative: taken back).")
class ProcessorPayout:
    processor: PaymentProcessor
    payout_id: str = strawberry.field(description="The processor's own id of the payout.")
    store_id: strawberry.ID | None
    payout_date: dt.date = strawberry.field(description="The processor's own (UTC) date.")
    amount: Money
    status: str

    @classmethod
    def from_row(cls, p: PayoutRow) -> ProcessorPayout:
        return cls(
            processor=PaymentProcessor(p.processor),
            payout_id=p.payout_id,
            store_id=global_id("Store", p.store_id) if p.store_id else None,
            payout_date=p.payout_date,
            amount=Money.of(p.amount, p.currency),
            status=p.status,
        )


@strawberry.type(
    description="A processor record of a type the rules do not know: posted to undeposited "
    "funds against RIP, waiting for a person to look at it."
)
class ProcessorRecordForReview:
    processor: str
    record_id: str = strawberry.field(description="The processor's own id of the record.")
    type: str = strawberry.field(description="The processor's type (PayPal: its T-code).")
    at: dt.datetime
    amount: Money
    fee: Money
    order_id: str | None

    @classmethod
    def from_record(cls, bt: BalanceTransaction, currency: str) -> ProcessorRecordForReview:
        return cls(
            processor=bt.processor,
            record_id=bt.id.split(":", 1)[-1],
            type=bt.type,
            at=bt.at,
            amount=Money.of(bt.amount, currency),
            fee=Money.of(bt.fee, currency),
            order_id=bt.order_id,
        )
