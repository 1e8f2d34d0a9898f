"""Tokens with roles: many per company, revocable, expiring; every change attributed."""

from __future__ import annotations

import datetime as dt

import asyncpg
import httpx

from service.ledger.tokens import issue_token
from tests.conftest import GraphQL, Tenant

SETTINGS = (
    "mutation { updateBookkeepingSettings(input: { accountingBasis: CASH }) "
    "{ userErrors { field code message } } }"
)
CREATE = (
    "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) "
    "{ token apiToken { id role name } userErrors { field code message } } }"
)


async def _token(pool: asyncpg.Pool, tenant: Tenant, role: str, **kw: object) -> Tenant:
    async with pool.acquire() as conn:
        issued = await issue_token(conn, tenant.company_id, f"{role} token", role=role, **kw)  # type: ignore[arg-type]
    return Tenant(tenant.company_id, issued.token, tenant.store_id)


async def test_read_only_token_runs_no_mutation(
    gql: GraphQL, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    reader = await _token(pool, tenant, "READ_ONLY")
    body = await gql(
        'mutation { syncStore(storeId: "x") { userErrors { code message } } }',
        as_tenant=reader,
    )
    assert body["data"]["syncStore"]["userErrors"][0]["code"] == "FORBIDDEN"
    read = await gql("{ booksStatus { upToDate } }", as_tenant=reader)
    assert "errors" not in read


async def test_settings_and_tokens_need_admin(
    gql: GraphQL, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    bookkeeper = await _token(pool, tenant, "BOOKKEEPER")
    body = await gql(SETTINGS, as_tenant=bookkeeper)
    assert body["data"]["updateBookkeepingSettings"]["userErrors"][0]["code"] == "FORBIDDEN"
    made = await gql(CREATE, {"input": {"name": "x", "role": "ADMIN"}}, as_tenant=bookkeeper)
    assert made["data"]["createApiToken"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_create_use_and_revoke_a_token(
    gql: GraphQL, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    made = await gql(CREATE, {"input": {"name": "accountant", "role": "BOOKKEEPER"}})
    payload = made["data"]["createApiToken"]
    assert payload["userErrors"] == [] and payload["apiToken"]["role"] == "BOOKKEEPER"
    new = Tenant(tenant.company_id, payload["token"], tenant.store_id)
    listed = await gql("{ apiTokens { id name role lastUsedAt revokedAt } }")
    assert {t["name"] for t in listed["data"]["apiTokens"]} >= {"accountant"}
    assert "errors" not in await gql("{ booksStatus { upToDate } }", as_tenant=new)
    revoked = await gql(
        "mutation($id: ID!) { revokeApiToken(input: { id: $id }) "
        "{ apiToken { revokedAt } userErrors { code } } }",
        {"id": payload["apiToken"]["id"]},
    )
    assert revoked["data"]["revokeApiToken"]["apiToken"]["revokedAt"]
    response = await client.post(
        "/graphql", json={"query": "{ booksStatus { upToDate } }"}, headers=new.headers
    )
    assert response.status_code == 401


async def test_an_expired_token_is_refused(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    expired = await _token(pool, tenant, "ADMIN", expires_at=past)
    response = await client.post(
        "/graphql", json={"query": "{ booksStatus { upToDate } }"}, headers=expired.headers
    )
    assert response.status_code == 401


async def test_changes_are_attributed_to_their_token(
    gql: GraphQL, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    admin = await _token(pool, tenant, "ADMIN")
    body = await gql(SETTINGS, as_tenant=admin)
    assert body["data"]["updateBookkeepingSettings"]["userErrors"] == []
    row = await pool.fetchrow(
        "SELECT t.label, a.summary FROM audit_log a JOIN api_tokens t USING (company_id, token_id) "
        "WHERE a.company_id = $1 AND a.kind = 'updateBookkeepingSettings'",
        tenant.company_id,
    )
    assert row["label"] == "ADMIN token"
    assert row["summary"]["input"]["accounting_basis"] == "CASH"


async def test_secrets_never_reach_the_audit_log(
    gql: GraphQL, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    await gql(CREATE, {"input": {"name": "secretive", "role": "READ_ONLY"}})
    summaries = await pool.fetch(
        "SELECT summary::text AS s FROM audit_log WHERE company_id = $1", tenant.company_id
    )
    assert all("sb_" not in r["s"] for r in summaries)


async def test_a_command_writes_its_audit_record_with_its_change(
    gql: GraphQL, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    from service.api.ids import global_id

    body = await gql(
        "mutation($i: SetChannelStatusInput!) { setChannelStatus(input: $i) "
        "{ userErrors { code } } }",
        {
            "i": {
                "storeId": global_id("Store", tenant.store_id),
                "source": "pos",
                "status": "EXCLUDED",
            }
        },
    )
    assert body["data"]["setChannelStatus"]["userErrors"] == []
    rows = await pool.fetch(
        "SELECT kind, token_id FROM audit_log WHERE company_id = $1 AND kind = 'setChannelStatus'",
        tenant.company_id,
    )
    assert len(rows) == 1 and rows[0]["token_id"] is not None
