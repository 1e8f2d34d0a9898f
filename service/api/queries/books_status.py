from __future__ import annotations

from service.api.context import Info
from service.api.types.books_status import BooksStatus
from service.ledger.ingest import pending_event_count
from service.ledger.jobs import unfinished_job_count
from service.ledger.recost_queue import pending_recost_count
from service.ledger.refetches import waiting_orders_count
from service.ledger.settings import load_settings


async def books_status(info: Info) -> BooksStatus:
    ctx = info.context
    settings = await load_settings(ctx.pool, ctx.company_id)
    pending = await unfinished_job_count(ctx.pool, ctx.company_id)
    events = await pending_event_count(ctx.pool, ctx.company_id)
    waiting = await waiting_orders_count(ctx.pool, ctx.company_id)
    recosts = await pending_recost_count(ctx.pool, ctx.company_id)
    return BooksStatus(
        up_to_date=pending == 0
        and events == 0
        and waiting == 0
        and recosts == 0
        and settings.posted_version >= settings.version,
        orders_needing_data=waiting,
        pending_events=events,
        settings_version=settings.version,
        posted_settings_version=settings.posted_version,
        pending_jobs=pending,
        pending_recosts=recosts,
    )
