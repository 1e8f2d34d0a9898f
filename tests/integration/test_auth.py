"""Every GraphQL request needs a valid token of one company, and sees only that company."""

from __future__ import annotations

import asyncpg
import httpx

from service.ledger.companies import create_company, create_store
from tests.conftest import GraphQL, Tenant

QUERY = {"query": "{ booksStatus { upToDate } }"}


async def test_no_token_is_refused_with_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY)
    assert response.status_code == 401
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in body["errors"][0]["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_wrong_scheme_is_named(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"Authorization": "Token abc"})
    assert response.status_code == 401
    assert "malformed Authorization header" in response.json()["errors"][0]["message"]


async def test_malformed_token_is_named(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json=QUERY, headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401
    assert "malformed API token" in response.json()["errors"][0]["message"]


async def test_unknown_token_is_refused(client: httpx.AsyncClient) -> None:
    fake = "sb_" + "A" * 43
    headers = {"Authorization": f"Bearer {fake}"}
    response = await client.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert "invalid API token" in response.json()["errors"][0]["message"]


async def test_get_query_needs_a_token_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ booksStatus { upToDate } }"})
    assert response.status_code == 401


async def test_graphiql_page_is_served_without_data(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_valid_token_answers(gql: GraphQL) -> None:
    body = await gql("{ booksStatus { upToDate pendingJobs } }")
    assert body == {"data": {"booksStatus": {"upToDate": True, "pendingJobs": 0}}}


async def test_token_sees_only_its_company(
    pool: asyncpg.Pool, gql: GraphQL, tenant: Tenant
) -> None:
    mine = await gql("{ stores { id name } }")
    store_ids = {s["id"] for s in mine["data"]["stores"]}
    assert len(store_ids) == 1
    # A second company's token lists only its own store.
    async with pool.acquire() as conn:
        other = await create_company(conn, "Other company")
        await create_store(conn, other.company_id, "Other store")
    theirs = await gql(
        "{ stores { id name } }",
        as_tenant=Tenant(other.company_id, other.api_token, tenant.store_id),
    )
    assert [s["name"] for s in theirs["data"]["stores"]] == ["Other store"]
    assert not store_ids & {s["id"] for s in theirs["data"]["stores"]}
