from __future__ import annotations

from service.api.context import Info
from service.api.loaders import load_stores
from service.api.types.settings import BookkeepingSettings
from service.ledger.settings import load_settings


async def bookkeeping_settings(info: Info) -> BookkeepingSettings:
    ctx = info.context
    record = await load_settings(ctx.pool, ctx.company_id)
    return BookkeepingSettings.build(record, await load_stores(ctx))
