from __future__ import annotations

from datetime import datetime

import strawberry

from service.api.ids import global_id
from service.ledger.ingest import RawEvent


@strawberry.type(description="A delivery as received and stored: a webhook or a synced record.")
class IngestEvent:
    id: strawberry.ID
    store_id: strawberry.ID
    source: str = strawberry.field(description="shopify.webhook or shopify.sync.")
    topic: str
    external_id: str = strawberry.field(description="The webhook id, or the synced record's id.")
    order_id: str | None
    status: str = strawberry.field(description="PENDING, PROCESSED, IGNORED or FAILED.")
    error: str | None
    received_at: datetime
    body: str = strawberry.field(description="The body exactly as received (as text).")

    @classmethod
    def from_record(cls, event: RawEvent) -> IngestEvent:
        return cls(
            id=global_id("IngestEvent", str(event.event_id)),
            store_id=global_id("Store", event.store_id),
            source=event.source,
            topic=event.topic,
            external_id=event.external_id,
            order_id=event.order_id,
            status=event.status,
            error=event.error,
            received_at=event.received_at,
            body=event.body.decode("utf-8", errors="replace"),
        )
