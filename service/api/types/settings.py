from __future__ import annotations

import strawberry

from service.api.types.settings_enums import AccountingBasis, CostingMethod, FulfillmentTracking
from service.api.types.store import Store
from service.ledger.settings import BookkeepingSettings as SettingsRecord


@strawberry.type(description="A store's fulfillment tracking setting.")
class StoreBookkeepingSettings:
    store: Store
    fulfillment_tracking: FulfillmentTracking


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
                )
                for s in record.stores
                if str(s.store_id) in stores
            ],
        )
