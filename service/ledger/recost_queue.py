"""SKUs waiting to be costed again because their sales moved.

Posting an order can change which units leave stock when (a new order or
fulfillment, a refund's restock, a voided order, a tracking switch). For a
SKU the company costs from its own purchases, every later sale's cost may
move with it, so the SKU is queued here in the posting's transaction and a
worker costs it again shortly after. SKUs costed by a person, an
inventory system or the channel alone are never queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

_STOCKED = """
    EXISTS (SELECT 1 FROM purchases p WHERE p.company_id = $1 AND p.sku = s)
    OR EXISTS (SELECT 1 FROM inventory_adjustments a WHERE a.company_id = $1 AND a.sku = s)
    OR EXISTS (SELECT 1 FROM sku_restocks r WHERE r.company_id = $1 AND r.sku = s)
    OR EXISTS (SELECT 1 FROM opening_balances o, jsonb_array_elements(o.inventory) i
               WHERE o.company_id = $1 AND i->>0 = s)
"""


async def queue_recost(conn: asyncpg.Connection, company_id: UUID, skus: Iterable[str]) -> None:
    wanted = sorted(set(skus))
    if not wanted:
        return
    await conn.execute(
        "INSERT INTO recost_pending (company_id, sku) SELECT $1, s FROM unnest($2::text[]) s "
        f"WHERE {_STOCKED} ON CONFLICT DO NOTHING",
        company_id,
        wanted,
    )


async def pending_recost_count(conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM recost_pending WHERE company_id = $1", company_id
    )
    return count
