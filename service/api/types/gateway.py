from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from service.api.ids import global_id
from service.ledger.gateways import GatewayMapping as GatewayRecord


@strawberry.enum(
    description="What the books take a payment gateway for (posting rule 13.2). PROCESSOR: a"
    " processor holds the money until it pays out (RIP, then undeposited funds). OFFLINE: cash,"
    " bank transfer, cheque, cash on delivery; nothing posts until a bank deposit is linked."
    " GIFT_CARD: paid with, or refunded to, a gift card or store credit."
)
class GatewayKind(Enum):
    PROCESSOR = "PROCESSOR"
    OFFLINE = "OFFLINE"
    GIFT_CARD = "GIFT_CARD"


@strawberry.type(description="A store's payment gateway and what the books take it for.")
class GatewayMapping:
    store_id: strawberry.ID
    gateway: str = strawberry.field(description="The gateway's name as the channel spells it.")
    kind: GatewayKind
    set_by: str = strawberry.field(
        description="DEFAULT: from what the channel said, waiting for review; MERCHANT: chosen."
    )
    needs_review: bool
    first_seen_at: dt.datetime

    @classmethod
    def from_record(cls, r: GatewayRecord) -> GatewayMapping:
        return cls(
            store_id=global_id("Store", r.store_id),
            gateway=r.name,
            kind=GatewayKind(r.kind),
            set_by=r.set_by,
            needs_review=r.needs_review,
            first_seen_at=r.first_seen_at,
        )
