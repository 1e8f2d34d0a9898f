from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid
from service.api.loaders import load_books
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.order import Order, OrderTab, load_order
from service.ledger.orders import OrderFilter as Filter
from service.ledger.orders import count_orders, list_orders


@strawberry.input
class OrderFilter:
    name: str | None = strawberry.field(default=None, description="Part of the order's name.")
    tab: OrderTab = OrderTab.ALL
    store_id: strawberry.ID | None = None


async def orders(
    info: Info, first: int = 50, after: str | None = None, filter: OrderFilter | None = None
) -> Connection[Order]:
    ctx = info.context
    check_first(first)
    f = filter or OrderFilter()
    store = None
    if f.store_id is not None:
        store = decode_uuid(f.store_id, "Store")
        if store is None:
            raise ClientError(f"filter.storeId: {f.store_id!r} is not a store id", "BAD_USER_INPUT")
    where = Filter(tab=f.tab.value, name=f.name, store_id=store)
    key = decode_cursor(after)
    position = None
    if key is not None:
        try:
            position = (dt.datetime.fromisoformat(key[0]), UUID(key[1]), str(key[2]))
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise ClientError(
                f"after: {after!r} is not an orders cursor", "BAD_USER_INPUT"
            ) from exc
    version, _ = await load_books(ctx)
    rows = await list_orders(
        ctx.pool, ctx.company_id, version, where, limit=first + 1, after=position
    )
    total = await count_orders(ctx.pool, ctx.company_id, version, where)
    result: Connection[Order] = page(
        rows,
        first,
        lambda o: [o.placed_at.isoformat(), str(o.store_id), o.order_id],
        total,
        Order.from_summary,
    )
    return result


async def order(info: Info, id: strawberry.ID) -> Order | None:
    return await load_order(info, id)
