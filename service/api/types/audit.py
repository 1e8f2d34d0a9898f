"""The audit log as the API shows it (posting rule 15.4)."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from service.api.ids import global_id
from service.ledger.audit import AuditRecord as AuditRow


@strawberry.type(description="Who changed what in the books, and when.")
class AuditRecord:
    id: strawberry.ID
    at: dt.datetime
    token_id: strawberry.ID | None = strawberry.field(description="The API token that asked.")
    token_name: str | None
    kind: str = strawberry.field(description="The operation, e.g. applyOrderAction.")
    subject: str | None
    summary: JSON = strawberry.field(description="What was asked (secrets left out).")
    before: JSON | None
    after: JSON | None


def audit_record(r: AuditRow) -> AuditRecord:
    return AuditRecord(
        id=global_id("AuditRecord", str(r.audit_id)),
        at=r.at,
        token_id=global_id("ApiToken", r.token_id) if r.token_id else None,
        token_name=r.token_name,
        kind=r.kind,
        subject=r.subject,
        summary=r.summary,
        before=r.before,
        after=r.after,
    )
