"""A document seen before is refused, or let through, exactly as the first time.

Validation is remembered by the parsed document's identity; these requests
repeat texts (the parser cache hands back the same document) and interleave
them, so a remembered answer can only come back for its own document.
"""

from __future__ import annotations

from service.api.limits import MAX_COST, MAX_FRAGMENTS
from service.api.schema import schema

COSTLY = (
    "query Costly { booksStatus { recentJobs(first: 100000) "
    "{ id kind status attempts error enqueuedAt startedAt finishedAt } } }"
)
FRAGMENTS = " ".join(
    f"fragment F{i} on BooksStatus {{ upToDate }}" for i in range(MAX_FRAGMENTS + 1)
)
TOO_MANY_FRAGMENTS = f"{{ booksStatus {{ ...F0 }} }} {FRAGMENTS}"
UNKNOWN_FIELD = "{ noSuchField }"


async def _errors(document: str) -> list[str]:
    result = await schema.execute(document)
    return [e.message for e in result.errors or ()]


async def test_repeated_documents_get_the_same_verdict() -> None:
    for _ in range(3):
        assert await _errors("{ __typename }") == []
        costly = await _errors(COSTLY)
        assert len(costly) == 1 and "'Costly' would cost" in costly[0]
        assert str(MAX_COST) in costly[0]
        shape = await _errors(TOO_MANY_FRAGMENTS)
        assert len(shape) == 1 and "fragments, over the limit" in shape[0]
        unknown = await _errors(UNKNOWN_FIELD)
        assert len(unknown) == 1 and "noSuchField" in unknown[0]
