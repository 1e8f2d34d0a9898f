from __future__ import annotations

import strawberry

from service.posting.rules import Rule


@strawberry.type(description="A posting rule: why an entry exists, in an accountant's words.")
class PostingRule:
    id: str = strawberry.field(description="The rule id entries carry, e.g. cash.payment.")
    section: str = strawberry.field(
        description="The section of the project's posting rules it implements, e.g. 6.1."
    )
    title: str
    explanation: str = strawberry.field(description="What is debited and credited, when, and why.")
    posted_by: str | None = strawberry.field(
        description="The function that posts it (module.function); null until the engine emits it."
    )

    @classmethod
    def from_rule(cls, r: Rule) -> PostingRule:
        return cls(
            id=r.id,
            section=r.section,
            title=r.title,
            explanation=r.explanation,
            posted_by=r.posted_by,
        )
