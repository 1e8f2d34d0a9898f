from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.types.job import Job
from service.ledger.jobs import recent_jobs


async def _recent_jobs(info: Info, first: int = 10) -> list[Job]:
    records = await recent_jobs(info.context.pool, info.context.company_id, max(0, min(first, 100)))
    return [Job.from_record(r) for r in records]


@strawberry.type(description="Whether the books reflect everything storebooks has been told.")
class BooksStatus:
    up_to_date: bool = strawberry.field(
        description="True when no re-post is pending and the books follow the current settings."
    )
    settings_version: int
    posted_settings_version: int
    pending_jobs: int
    pending_events: int = strawberry.field(description="Received events not yet posted.")
    orders_needing_data: int = strawberry.field(
        default=0,
        description="Orders waiting for part of their history (NEEDS_DATA): they keep their"
        " last good entries and are listed by orders(filter: {tab: NEEDS_DATA}).",
    )
    pending_recosts: int = strawberry.field(
        default=0,
        description="SKUs whose sales moved since their product costing last ran; a worker"
        " costs them again within seconds, so inventory keeps equal to its valuation.",
    )

    recent_jobs: list[Job] = strawberry.field(
        resolver=_recent_jobs,
        description="The company's most recent background jobs, newest first.",
    )
