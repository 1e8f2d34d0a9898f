from __future__ import annotations

from service.api.context import Info
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.sync import IngestError
from service.ledger.ingest import failed_events


async def ingest_errors(
    info: Info, first: int = 50, after: str | None = None
) -> Connection[IngestError]:
    ctx = info.context
    check_first(first)
    key = decode_cursor(after)
    events = await failed_events(
        ctx.pool,
        ctx.company_id,
        limit=first + 1,
        before_event_id=key if isinstance(key, int) and 0 <= key < 2**63 else None,
    )
    total = await ctx.pool.fetchval(
        "SELECT count(*) FROM raw_events WHERE company_id = $1 AND status = 'FAILED'",
        ctx.company_id,
    )
    result: Connection[IngestError] = page(
        events, first, lambda e: e.event_id, total, IngestError.from_record
    )
    return result
