"""Input that is merely wrong is answered with an error naming it, never 'Unexpected error.'."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import GraphQL, Tenant

PURCHASE = (
    "mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) "
    "{ purchasesRecorded userErrors { field code message } } }"
)


def _purchase(**changes: object) -> dict[str, object]:
    return {
        "input": {"sku": "A-1", "date": "2026-01-05", "units": 2, "unitCost": "3.00", **changes}
    }


async def test_nul_and_lone_surrogates_are_named(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for bad in ("A\x00B", "A\ud800"):
        # json.dumps escapes a lone surrogate as \\ud800, as a client would send it
        content = json.dumps({"query": PURCHASE, "variables": _purchase(sku=bad)})
        response = await client.post(
            "/graphql",
            content=content,
            headers={**tenant.headers, "content-type": "application/json"},
        )
        body = response.json()
        [error] = body["data"]["recordPurchase"]["userErrors"]
        assert error["field"] == "input.sku" and error["code"] == "INVALID"


async def test_dates_outside_the_books_are_named(gql: GraphQL) -> None:
    for bad in ("0001-01-01", "9999-12-31"):
        body = await gql(PURCHASE, _purchase(date=bad))
        [error] = body["data"]["recordPurchase"]["userErrors"]
        assert error["field"] == "input.date"
    report = await gql(
        '{ profitAndLoss(from: "0001-01-01", to: "9999-12-31") { netIncome { amount } } }'
    )
    assert "Unexpected" not in report["errors"][0]["message"]
    assert "from" in report["errors"][0]["message"]


async def test_huge_amounts_are_refused_quickly(gql: GraphQL) -> None:
    for bad in ("1e450000", "1e1000000", "123456789012345678901234567890", "-1e-999999"):
        body = await gql(PURCHASE, _purchase(unitCost=bad))
        [error] = body["data"]["recordPurchase"]["userErrors"]
        assert error["field"] == "input.unitCost", bad


async def test_units_times_cost_must_fit(gql: GraphQL) -> None:
    body = await gql(PURCHASE, _purchase(units=2_147_483_647, unitCost="999999999.99"))
    [error] = body["data"]["recordPurchase"]["userErrors"]
    assert error["field"] in ("input.units", "input.unitCost")


async def test_page_sizes_and_cursors(gql: GraphQL) -> None:
    for first in (-5, 251):
        body = await gql(f"{{ orders(first: {first}) {{ totalCount }} }}")
        assert "Unexpected" not in body["errors"][0]["message"]
    empty = await gql("{ orders(first: 0) { totalCount nodes { id } } }")
    assert empty["data"]["orders"]["nodes"] == []
    jobs = await gql("{ booksStatus { recentJobs(first: -5) { id } } }")
    assert "Unexpected" not in str(jobs)
    for cursor in ("bm90IGpzb24", "WzEsMiwzXQ==", "eyJhIjoxfQ==", "!!"):
        body = await gql(f'{{ orders(first: 5, after: "{cursor}") {{ totalCount }} }}')
        assert "Unexpected" not in str(body), cursor


async def test_cogs_file_name_cannot_break_the_header(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(
        "/reports/cogs.csv",
        params={"payoutId": 'a"b\r\nX-Evil: 1'},
        headers=tenant.headers,
    )
    assert response.status_code == 400  # no such payout: an error, not an empty file
    assert response.json()["field"] == "payoutId" and "X-Evil" not in response.headers
    response = await client.get(
        "/exports/journal.csv",
        params={"from": "2026-01-01", "to": '2026-01-02"\r\nX-Evil: 1'},
        headers=tenant.headers,
    )
    assert response.status_code == 400 and "X-Evil" not in response.headers


async def test_node_answers_null_for_ids_it_does_not_serve(
    gql: GraphQL, pool: Any, tenant: Tenant
) -> None:
    from service.api.ids import global_id
    from service.ledger.companies import create_company, create_store

    async with pool.acquire() as conn:
        other = await create_company(conn, "Someone else")
        store = await create_store(conn, other.company_id, "Their store")
    query = "query($id: ID!) { node(id: $id) { id } }"
    for forged in (
        global_id("Store", store.store_id),  # another company's
        global_id("Store", "not-a-uuid"),
        global_id("Order", f"{tenant.store_id}:no-such-order"),
        global_id("Order", "garbage"),
        global_id("Nothing", "1"),
        "%%%not base64",
        "",
    ):
        body = await gql(query, {"id": forged})
        assert body.get("errors") is None and body["data"]["node"] is None, forged
    mine = await gql(query, {"id": global_id("Store", tenant.store_id)})
    assert mine["data"]["node"]["id"] == global_id("Store", tenant.store_id)


async def test_links_never_come_from_the_host_header(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ cogsReport(from: "2026-01-01", to: "2026-01-31") { csvUrl } }'},
        headers={**tenant.headers, "Host": "evil.example"},
    )
    url = response.json()["data"]["cogsReport"]["csvUrl"]
    assert "evil" not in url and url.startswith("/reports/cogs.csv")


async def test_refusals_are_logged_as_one_line(gql: GraphQL, caplog: Any) -> None:
    import logging

    caplog.set_level(logging.INFO)
    await gql(PURCHASE, _purchase(unitCost="1e450000"))
    await gql("{ orders(first: 500) { totalCount } }")
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 2
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in refused)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
