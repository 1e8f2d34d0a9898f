from __future__ import annotations

from service.api.context import Info
from service.api.loaders import load_books
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.product import Product
from service.ledger.products import count_products, list_products


async def products(
    info: Info, first: int = 50, after: str | None = None, sku: str | None = None
) -> Connection[Product]:
    """Products by SKU; `sku` filters by part of it."""
    ctx = info.context
    check_first(first)
    key = decode_cursor(after)
    rows = await list_products(
        ctx.pool,
        ctx.company_id,
        sku=sku,
        limit=first + 1,
        after=key if isinstance(key, str) else None,
    )
    total = await count_products(ctx.pool, ctx.company_id, sku=sku)
    _, currency = await load_books(ctx)
    result: Connection[Product] = page(
        rows, first, lambda p: p.sku, total, lambda p: Product.from_record(p, currency)
    )
    return result


async def product(info: Info, sku: str) -> Product | None:
    ctx = info.context
    rows = await list_products(ctx.pool, ctx.company_id, sku=None, limit=1, after=None, exact=sku)
    _, currency = await load_books(ctx)
    return Product.from_record(rows[0], currency) if rows else None
