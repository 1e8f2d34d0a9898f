"""Documents and bodies built to tie the server up are refused before they run."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from service.api.body import MAX_JSON_BYTES
from tests.conftest import GraphQL, Tenant


def fragment_bomb() -> str:
    """About 600 bytes: eight fragments, each spreading the previous ten times."""
    parts = ["fragment F0 on Query { booksStatus { upToDate } }"]
    for i in range(1, 9):
        spreads = " ".join(f"...F{i - 1}" for _ in range(10))
        parts.append(f"fragment F{i} on Query {{ {spreads} }}")
    return "query Bomb { ...F8 } " + " ".join(parts)


def nine_aliases() -> str:
    inner = (
        "orders(first: 250) { nodes { journalEntries { lines "
        "{ order { name total { amount } } } } } }"
    )
    return "query Wide { " + " ".join(f"a{i}: {inner}" for i in range(9)) + " }"


async def test_fragment_bomb_is_refused(gql: GraphQL) -> None:
    body = await gql(fragment_bomb())
    assert body["data"] is None
    assert "selections" in body["errors"][0]["message"]


async def test_nested_lists_count_at_their_size(gql: GraphQL) -> None:
    body = await gql(nine_aliases())
    assert body["data"] is None
    assert "would cost" in body["errors"][0]["message"]


async def test_too_many_fragments(gql: GraphQL) -> None:
    frags = " ".join(f"fragment G{i} on Query {{ booksStatus {{ upToDate }} }}" for i in range(60))
    spreads = " ".join(f"...G{i}" for i in range(60))
    body = await gql(f"query Many {{ {spreads} }} {frags}")
    assert body["data"] is None
    assert "fragments" in body["errors"][0]["message"]


async def test_an_ordinary_page_of_orders_passes(gql: GraphQL) -> None:
    body = await gql(
        "{ orders(first: 10) { nodes { name journalEntries { rule lines { accountKey "
        "amount { amount } } } } } }"
    )
    assert "errors" not in body, body


async def test_attacks_do_not_hold_up_a_simple_query(gql: GraphQL) -> None:
    bomb, wide, simple = await asyncio.gather(
        gql(fragment_bomb()), gql(nine_aliases()), gql("{ booksStatus { upToDate } }")
    )
    assert bomb["data"] is None and wide["data"] is None
    assert simple["data"]["booksStatus"]["upToDate"] in (True, False)


async def test_body_over_the_limit_is_413(client: httpx.AsyncClient, tenant: Tenant) -> None:
    padding = " " * (MAX_JSON_BYTES + 10)
    content = '{"query": "{ booksStatus { upToDate } }"' + padding + "}"
    response = await client.post(
        "/graphql",
        content=content,
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_bodies_that_are_not_objects_are_400(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "content-type": "application/json"}
    for content in ("42", "null", "[" * 100_000 + "]" * 100_000, "{not json"):
        response = await client.post("/graphql", content=content, headers=headers)
        assert response.status_code == 400, content[:20]
        assert response.json()["errors"][0]["message"]


async def test_production_refuses_internal_api_hosts(
    settings: Any, queue: Any, tenant: Tenant
) -> None:
    from service.api.app import create_app

    closed = create_app(settings.model_copy(update={"allow_any_api_host": False}))
    async with closed.router.lifespan_context(closed):
        transport = httpx.ASGITransport(app=closed)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            response = await c.post(
                "/graphql",
                json={
                    "query": "mutation($i: ConnectShopifyStoreInput!) { connectShopifyStore("
                    "input: $i) { userErrors { field code message } } }",
                    "variables": {
                        "i": {
                            "shopDomain": "x.myshopify.com",
                            "webhookSecret": "s",
                            "accessToken": "t",
                            "apiBaseUrl": "http://169.254.169.254",
                            "timezone": "UTC",
                            "currencyCode": "USD",
                        }
                    },
                },
                headers=tenant.headers,
            )
    [error] = response.json()["data"]["connectShopifyStore"]["userErrors"]
    assert error["field"] == "input.apiBaseUrl" and error["code"] == "INVALID"


async def test_two_companies_connecting_one_shop_at_once(gql: GraphQL, pool: Any) -> None:
    """The loser gets its CONFLICT userError, whichever check it meets."""
    from service.ledger.companies import create_company
    from tests.integration.shopify_helpers import connect

    tenants = []
    for name in ("First", "Second", "Third"):
        async with pool.acquire() as conn:
            made = await create_company(conn, f"{name} {id(tenants)}")
        tenants.append(Tenant(made.company_id, made.api_token, made.company_id))
    domain = f"race-{id(tenants)}.myshopify.com"
    results = await asyncio.gather(
        *(connect(gql, domain, "http://127.0.0.1:9", as_tenant=t) for t in tenants)
    )
    codes = sorted(e["code"] for r in results for e in r["userErrors"])
    assert len([r for r in results if not r["userErrors"]]) == 1
    assert codes == ["CONFLICT", "CONFLICT"]
