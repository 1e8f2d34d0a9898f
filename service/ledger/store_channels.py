"""A store's sales channels and how the books treat each (read for settings screens)."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def store_channels(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID, store_id: UUID
) -> list[tuple[str, str]]:
    """(channel, status) for every channel its orders carry or a status names, by name;
    a channel with no status set is INCLUDED."""
    rows = await conn.fetch(
        """
        SELECT c.source, coalesce(s.status, 'INCLUDED') AS status
        FROM (SELECT DISTINCT source FROM order_summaries WHERE company_id = $1 AND store_id = $2
              UNION SELECT source FROM channel_statuses WHERE company_id = $1 AND store_id = $2) c
        LEFT JOIN channel_statuses s
          ON s.company_id = $1 AND s.store_id = $2 AND s.source = c.source
        ORDER BY c.source
        """,
        company_id,
        store_id,
    )
    return [(r["source"], r["status"]) for r in rows]
