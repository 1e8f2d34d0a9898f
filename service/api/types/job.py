from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from service.api.context import Info
from service.ledger.job_progress import job_progress
from service.ledger.jobs import JobRecord, get_job


@strawberry.enum
class JobStatus(Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(description="Background work the books wait on, such as a full re-post.")
class Job(relay.Node):
    job_id: relay.NodeID[str]
    kind: str
    status: JobStatus
    attempts: int
    error: str | None
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Share of the work done, 0 to 1 (a running full re-post by the orders it "
        "has posted); null when the job does not say."
    )
    async def progress(self, info: Info) -> float | None:
        ctx = info.context
        return await job_progress(ctx.pool, ctx.company_id, self.job_id, self.status.value)

    @classmethod
    def from_record(cls, job: JobRecord) -> Job:
        return cls(
            job_id=job.job_id,
            kind=job.kind,
            status=JobStatus(job.status),
            attempts=job.attempts,
            error=job.error,
            enqueued_at=job.enqueued_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Any, node_ids: Iterable[str], required: bool = False
    ) -> list[Job | None]:
        ctx = info.context
        out: list[Job | None] = []
        for job_id in node_ids:
            record = await get_job(ctx.pool, ctx.company_id, job_id)
            out.append(cls.from_record(record) if record else None)
        return out
