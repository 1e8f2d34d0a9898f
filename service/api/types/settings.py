from __future__ import annotations

from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.mutations.set_channel_status import ChannelStatus
from service.api.types.settings_enums import AccountingBasis, CostingMethod, FulfillmentTracking
from service.api.types.store import Store
from service.ledger.settings import BookkeepingSettings as SettingsRecord
from service.ledger.store_channels import store_channels


@strawberry.type(description="A sales channel of a store and how the books treat it.")
class ChannelSetting:
    channel: str = strawberry.field(description="The order source, e.g. web, pos, tiktok.")
    status: ChannelStatus


@strawberry.type(description="A store's fulfillment tracking setting and channel statuses.")
class StoreBookkeepingSettings:
    store: Store
    fulfillment_tracking: FulfillmentTracking
    store_id: strawberry.Private[UUID]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Every channel its orders carry (or a status names), with its status."
    )
    async def channels(self, info: Info) -> list[ChannelSetting]:
        ctx = info.context
        found = await store_channels(ctx.pool, ctx.company_id, self.store_id)
        return [ChannelSetting(channel=c, status=ChannelStatus(s)) for c, s in found]


@strawberry.type(description="The settings the books are posted under.")
class BookkeepingSettings:
    accounting_basis: AccountingBasis
    costing_method: CostingMethod
    version: int = strawberry.field(description="Counts changes; each change re-posts the books.")
    stores: list[StoreBookkeepingSettings]

    @classmethod
    def build(cls, record: SettingsRecord, stores: dict[str, Store]) -> BookkeepingSettings:
        return cls(
            accounting_basis=AccountingBasis(record.accounting_basis),
            costing_method=CostingMethod(record.costing_method),
            version=record.version,
            stores=[
                StoreBookkeepingSettings(
                    store=stores[str(s.store_id)],
                    fulfillment_tracking=FulfillmentTracking(s.fulfillment_tracking),
                    store_id=s.store_id,
                )
                for s in record.stores
                if str(s.store_id) in stores
            ],
        )
