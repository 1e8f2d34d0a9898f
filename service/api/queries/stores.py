from __future__ import annotations

from service.api.context import Info
from service.api.loaders import load_stores
from service.api.types.store import Store


async def stores(info: Info) -> list[Store]:
    return list((await load_stores(info.context)).values())
