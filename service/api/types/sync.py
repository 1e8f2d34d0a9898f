from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from service.api.ids import global_id
from service.ledger.ingest import RawEvent
from service.ledger.sync_runs import SyncRun as SyncRunRecord


@strawberry.enum
class SyncKind(Enum):
    BACKFILL = "BACKFILL"
    INCREMENTAL = "INCREMENTAL"


@strawberry.enum
class SyncStatus(Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(
    description="One run of a store's sync: a full backfill or an incremental catch-up."
)
class SyncRun:
    id: strawberry.ID
    store_id: strawberry.ID
    kind: SyncKind
    status: SyncStatus
    orders_synced: int
    payouts_synced: int
    balance_transactions_synced: int
    progress: str
    errors: JSON
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    orders_total: int | None = strawberry.field(
        description="A backfill's order count as Shopify gave it when orders began."
    )
    orders_seen: int = strawberry.field(
        description="Orders read from Shopify so far (ordersSynced counts those that changed)."
    )
    queries: int = strawberry.field(description="Admin API queries sent so far.")
    query_cost: int = strawberry.field(
        description="Admin API cost points spent so far (Shopify's actualQueryCost)."
    )

    @classmethod
    def from_record(cls, run: SyncRunRecord) -> SyncRun:
        return cls(
            id=global_id("SyncRun", run.run_id),
            store_id=global_id("Store", run.store_id),
            kind=SyncKind(run.kind),
            status=SyncStatus(run.status),
            orders_synced=run.orders_synced,
            payouts_synced=run.payouts_synced,
            balance_transactions_synced=run.balance_transactions_synced,
            progress=run.progress,
            errors=cast(JSON, run.errors),
            requested_at=run.requested_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            orders_total=run.orders_total,
            orders_seen=run.orders_seen,
            queries=run.queries,
            query_cost=run.query_cost,
        )


@strawberry.type(description="A received event that could not be used, with the reason.")
class IngestError:
    id: strawberry.ID
    store_id: strawberry.ID
    source: str
    topic: str
    external_id: str = strawberry.field(description="The webhook id, or the synced record's id.")
    order_id: str | None
    reason: str
    received_at: datetime

    @classmethod
    def from_record(cls, event: RawEvent) -> IngestError:
        return cls(
            id=global_id("IngestEvent", str(event.event_id)),
            store_id=global_id("Store", event.store_id),
            source=event.source,
            topic=event.topic,
            external_id=event.external_id,
            order_id=event.order_id,
            reason=event.error or "",
            received_at=event.received_at,
        )
