"""Sales counted twice: a marketplace's orders both in Shopify and from the marketplace.

Apps copy Amazon and TikTok Shop orders into Shopify, so a merchant who
also connects the marketplace itself would see those sales twice: once as
Shopify orders whose source names the marketplace, once from its
settlements. Each such source is listed with its channel status until it
is EXCLUDED (or COGS_ONLY, when the marketplace's own units are reported
by hand instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.domain.marketplace import MARKETPLACES

COUNTED_TWICE = ("INCLUDED", "SALES_ONLY")


@dataclass(frozen=True, slots=True)
class Overlap:
    store_id: UUID
    source: str
    marketplace: str
    orders: int
    status: str


async def marketplace_overlaps(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> list[Overlap]:
    connected = {
        r["marketplace"]
        for r in await conn.fetch(
            "SELECT DISTINCT marketplace FROM marketplace_accounts WHERE company_id = $1",
            company_id,
        )
    }
    if not connected:
        return []
    rows = await conn.fetch(
        """
        SELECT o.store_id, o.source, count(*) AS orders,
               coalesce(c.status, 'INCLUDED') AS status
        FROM order_summaries o
        JOIN books b ON b.company_id = o.company_id AND b.current_version = o.journal_version
        JOIN stores s ON s.company_id = o.company_id AND s.store_id = o.store_id
        LEFT JOIN channel_statuses c ON c.company_id = o.company_id
            AND c.store_id = o.store_id AND c.source = o.source
        WHERE o.company_id = $1 AND s.platform NOT IN ('amazon', 'tiktok')
        GROUP BY o.store_id, o.source, c.status
        ORDER BY o.store_id, o.source
        """,
        company_id,
    )
    out: list[Overlap] = []
    for r in rows:
        name = str(r["source"]).lower()
        for m in MARKETPLACES:
            if m in name and m in connected and r["status"] in COUNTED_TWICE:
                out.append(Overlap(r["store_id"], r["source"], m, r["orders"], r["status"]))
    return out
