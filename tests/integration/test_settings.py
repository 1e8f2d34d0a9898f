"""updateBookkeepingSettings stores the settings and re-posts the books in the worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from service.api.ids import global_id
from tests.conftest import GraphQL, Tenant

UPDATE = """
mutation Update($input: UpdateBookkeepingSettingsInput!) {
  updateBookkeepingSettings(input: $input) {
    bookkeepingSettings { accountingBasis version stores { store { id } fulfillmentTracking } }
    repostJob { id kind status }
    userErrors { field code message }
  }
}
"""
STATUS = (
    "{ booksStatus { upToDate settingsVersion postedSettingsVersion pendingJobs "
    "recentJobs { id kind status attempts } } }"
)


async def test_change_runs_a_repost_job_visible_through_the_api(
    gql: GraphQL, run_worker: Callable[[], Awaitable[None]]
) -> None:
    body = await gql(UPDATE, {"input": {"accountingBasis": "ACCRUAL"}})
    payload = body["data"]["updateBookkeepingSettings"]
    assert payload["userErrors"] == []
    assert payload["bookkeepingSettings"]["accountingBasis"] == "ACCRUAL"
    assert payload["bookkeepingSettings"]["version"] == 2
    assert payload["repostJob"]["status"] == "QUEUED"

    before = (await gql(STATUS))["data"]["booksStatus"]
    assert before["upToDate"] is False
    assert before["pendingJobs"] == 1

    await run_worker()

    after = (await gql(STATUS))["data"]["booksStatus"]
    assert after["upToDate"] is True
    assert after["postedSettingsVersion"] == 2
    job = after["recentJobs"][0]
    assert job["id"] == payload["repostJob"]["id"]
    assert (job["status"], job["attempts"], job["kind"]) == ("SUCCEEDED", 1, "full_repost")


async def test_saving_the_same_settings_starts_no_job(gql: GraphQL) -> None:
    body = await gql(UPDATE, {"input": {"accountingBasis": "CASH"}})
    payload = body["data"]["updateBookkeepingSettings"]
    assert payload["repostJob"] is None
    assert payload["bookkeepingSettings"]["version"] == 1


async def test_fulfillment_tracking_per_store(gql: GraphQL, tenant: Tenant) -> None:
    store = global_id("Store", tenant.store_id)
    body = await gql(
        UPDATE, {"input": {"fulfillmentTracking": "ORDER_FULFILLED_DATE", "storeId": store}}
    )
    settings = body["data"]["updateBookkeepingSettings"]["bookkeepingSettings"]
    assert settings["stores"] == [
        {"store": {"id": store}, "fulfillmentTracking": "ORDER_FULFILLED_DATE"}
    ]


async def test_unknown_value_is_named_and_changes_nothing(gql: GraphQL) -> None:
    body = await gql(UPDATE, {"input": {"accountingBasis": "MODIFIED_CASH"}})
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert "MODIFIED_CASH" in message and "AccountingBasis" in message
    status = (await gql(STATUS))["data"]["booksStatus"]
    assert status["settingsVersion"] == 1 and status["pendingJobs"] == 0


async def test_unknown_store_is_a_user_error(gql: GraphQL) -> None:
    body = await gql(
        UPDATE,
        {"input": {"fulfillmentTracking": "ORDER_FULFILLED_DATE", "storeId": "not-an-id"}},
    )
    payload = body["data"]["updateBookkeepingSettings"]
    assert payload["userErrors"] == [
        {
            "field": "input.storeId",
            "code": "NOT_FOUND",
            "message": "no store with id 'not-an-id' in this company",
        }
    ]
    assert payload["bookkeepingSettings"] is None


async def test_another_companys_store_is_not_found(gql: GraphQL, pool: asyncpg.Pool) -> None:
    from service.ledger.companies import create_company, create_store

    async with pool.acquire() as conn:
        other = await create_company(conn, "Neighbour")
        theirs = await create_store(conn, other.company_id, "Their store")
    body = await gql(
        UPDATE,
        {
            "input": {
                "fulfillmentTracking": "ORDER_FULFILLED_DATE",
                "storeId": global_id("Store", theirs.store_id),
            }
        },
    )
    assert body["data"]["updateBookkeepingSettings"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_empty_input_is_a_user_error(gql: GraphQL) -> None:
    body = await gql(UPDATE, {"input": {}})
    assert body["data"]["updateBookkeepingSettings"]["userErrors"][0]["code"] == "REQUIRED"


async def test_idempotency_key_replays_the_first_result(gql: GraphQL) -> None:
    first = await gql(UPDATE, {"input": {"accountingBasis": "ACCRUAL", "idempotencyKey": "k1"}})
    again = await gql(UPDATE, {"input": {"accountingBasis": "ACCRUAL", "idempotencyKey": "k1"}})
    a = first["data"]["updateBookkeepingSettings"]
    b = again["data"]["updateBookkeepingSettings"]
    assert a["repostJob"]["id"] == b["repostJob"]["id"]
    assert b["bookkeepingSettings"]["version"] == 2
    # The same key with another input is a client bug: refused, as Stripe does.
    third = await gql(UPDATE, {"input": {"accountingBasis": "CASH", "idempotencyKey": "k1"}})
    [reused] = third["data"]["updateBookkeepingSettings"]["userErrors"]
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_chart_of_accounts_is_seeded(gql: GraphQL) -> None:
    body = await gql("{ chartOfAccounts { key name type normalBalance } }")
    accounts = {a["key"]: a for a in body["data"]["chartOfAccounts"]}
    assert len(accounts) == 29
    assert accounts["AR"]["normalBalance"] == "DEBIT"
    # A contra-income account: income, read with its real (debit) balance.
    assert accounts["DISCOUNTS"] == {
        "key": "DISCOUNTS",
        "name": "Discounts and promotions",
        "type": "INCOME",
        "normalBalance": "DEBIT",
    }
    assert accounts["GROSS_SALES"]["normalBalance"] == "CREDIT"
    assert accounts["RETAINED_EARNINGS"]["type"] == "EQUITY"


async def test_job_is_reachable_as_a_node(gql: GraphQL) -> None:
    body = await gql(UPDATE, {"input": {"accountingBasis": "ACCRUAL"}})
    job_id = body["data"]["updateBookkeepingSettings"]["repostJob"]["id"]
    node = await gql("query($id: ID!) { node(id: $id) { ... on Job { id kind } } }", {"id": job_id})
    assert node["data"]["node"] == {"id": job_id, "kind": "full_repost"}
