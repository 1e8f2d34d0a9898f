"""Query limits refuse expensive documents up front; unexpected errors are masked."""

from __future__ import annotations

from typing import Any

import asyncpg
from starlette.requests import Request

from service.api.context import Context
from service.api.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_TOKENS
from service.api.schema import schema
from tests.conftest import GraphQL, Servers, Tenant


async def test_depth_limit(gql: GraphQL) -> None:
    inner = "id"
    for _ in range(MAX_DEPTH + 1):
        inner = f"stores {{ {inner} }}"
    body = await gql(f"query Deep {{ bookkeepingSettings {{ {inner} }} }}")
    assert body["data"] is None
    assert any("exceeds maximum operation depth" in e["message"] for e in body["errors"])


async def test_too_many_aliases(gql: GraphQL) -> None:
    fields = " ".join(f"a{i}: booksStatus {{ upToDate }}" for i in range(MAX_ALIASES + 1))
    body = await gql(f"query Many {{ {fields} }}")
    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"].lower()


async def test_too_many_tokens(gql: GraphQL) -> None:
    fields = " ".join("upToDate" for _ in range(MAX_TOKENS + 1))
    body = await gql(f"{{ booksStatus {{ {fields} }} }}")
    assert body["data"] is None
    assert "token" in body["errors"][0]["message"].lower()


async def test_cost_limit_names_cost_and_limit(gql: GraphQL) -> None:
    body = await gql(
        "query Costly { booksStatus { recentJobs(first: 1000) "
        "{ id kind status attempts error enqueuedAt startedAt finishedAt } } "
        "x: booksStatus { recentJobs(first: 100000) { id } } }"
    )
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert "'Costly' would cost" in message and str(MAX_COST) in message


async def test_unexpected_errors_are_masked(servers: Servers, tenant: Tenant) -> None:
    broken = await asyncpg.create_pool(servers.database_url, min_size=0, max_size=1)
    await broken.close()  # every query on it now fails with an internal error
    scope: dict[str, Any] = {"type": "http", "headers": [], "method": "POST", "path": "/"}
    context = Context(
        request=Request(scope),
        company_id=tenant.company_id,
        pool=broken,
        queue=None,  # type: ignore[arg-type]
    )
    result = await schema.execute("{ booksStatus { upToDate } }", context_value=context)
    assert result.errors is not None
    assert [e.message for e in result.errors] == ["Unexpected error."]
