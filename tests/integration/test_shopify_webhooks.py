"""The webhook ingest contract and event processing (ARCHITECTURE.md, Ingest)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.api.ids import decode_uuid
from service.api.webhooks import MAX_BODY_BYTES
from service.ledger.verify import verify_company
from service.sync.shopify_events import process_event
from tests.conftest import GraphQL, Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.rest import rest_order
from tests.fakes.shopify.webhooks import webhook_request
from tests.integration.shopify_helpers import (
    SECRET,
    connect,
    deliveries,
    histories,
    post_webhook,
    process_pending,
)

ERRORS = "{ ingestErrors(first: 10) { totalCount nodes { topic externalId orderId reason } } }"


async def _store(gql: GraphQL, tenant: Tenant, base_url: str | None = None) -> tuple[str, UUID]:
    domain = f"shop-{tenant.company_id.hex[:8]}.myshopify.com"
    payload = await connect(gql, domain, base_url)
    assert payload["userErrors"] == []
    store_id = decode_uuid(payload["store"]["id"], "Store")
    assert store_id is not None
    return domain, store_id


async def _count(pool: asyncpg.Pool, company_id: UUID) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM raw_events WHERE company_id = $1", company_id
    )
    return count


async def test_connect_refuses_bad_input_naming_fields(gql: GraphQL) -> None:
    payload = await connect(gql, "not a domain", webhookSecret=" ", timezone="Mars/Base")
    fields = {e["field"]: e["code"] for e in payload["userErrors"]}
    assert fields == {
        "input.shopDomain": "INVALID",
        "input.webhookSecret": "REQUIRED",
        "input.timezone": "INVALID",
    }
    assert payload["store"] is None


async def test_connect_starts_a_backfill(gql: GraphQL, tenant: Tenant) -> None:
    domain = f"conn-{tenant.company_id.hex[:8]}.myshopify.com"
    payload = await connect(gql, domain)
    assert payload["store"]["shopDomain"] == domain
    assert payload["syncRun"]["kind"] == "BACKFILL"
    runs = await gql("{ syncRuns(first: 5) { totalCount nodes { kind status } } }")
    assert runs["data"]["syncRuns"]["totalCount"] == 1


async def test_credentials_are_encrypted_at_rest(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    _, store_id = await _store(gql, tenant)
    sealed = await pool.fetchval(
        "SELECT credentials FROM stores WHERE company_id = $1 AND store_id = $2",
        tenant.company_id,
        store_id,
    )
    assert SECRET.encode() not in sealed and b"shpat_test" not in sealed


async def test_bad_signature_is_401_and_stores_nothing(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, _ = await _store(gql, tenant)
    order = generate_shop(1, seed=1).orders[0]
    headers, body = webhook_request(
        "orders/create", rest_order(order), secret="wrong", shop_domain=domain
    )
    response = await client.post("/webhooks/shopify", content=body, headers=headers)
    assert response.status_code == 401
    headers.pop("X-Shopify-Hmac-Sha256")
    response = await client.post("/webhooks/shopify", content=body, headers=headers)
    assert response.status_code == 401
    assert await _count(pool, tenant.company_id) == 0


async def test_unknown_shop_is_401(client: httpx.AsyncClient) -> None:
    order = generate_shop(1, seed=1).orders[0]
    response = await post_webhook(
        client, "nobody.myshopify.com", "orders/create", rest_order(order), "w-1"
    )
    assert response.status_code == 401


async def test_body_over_the_limit_is_refused(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, _ = await _store(gql, tenant)
    response = await post_webhook(
        client, domain, "orders/create", {"pad": "x" * (MAX_BODY_BYTES + 1)}, "big"
    )
    assert response.status_code == 413
    assert await _count(pool, tenant.company_id) == 0


async def test_repeated_webhook_id_changes_nothing(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, _ = await _store(gql, tenant)
    order = generate_shop(1, seed=2).orders[0]
    first = await post_webhook(client, domain, "orders/create", rest_order(order), "same-id")
    again = await post_webhook(client, domain, "orders/create", rest_order(order), "same-id")
    assert first.json() == {"status": "stored"}
    assert again.json() == {"status": "duplicate"}
    assert await _count(pool, tenant.company_id) == 1


async def test_concurrent_webhooks_are_each_stored_once(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    """Requests arriving together are written as batches: each id is stored
    once, a repeated id in the same burst is answered as a duplicate."""
    domain, _ = await _store(gql, tenant)
    order = rest_order(generate_shop(1, seed=4).orders[0])
    ids = [f"burst-{n}" for n in range(30)] + ["burst-7", "burst-7"]
    answers = await asyncio.gather(
        *(post_webhook(client, domain, "orders/create", order, i) for i in ids)
    )
    assert all(a.status_code == 200 for a in answers)
    statuses = [a.json()["status"] for a in answers]
    assert statuses.count("stored") == 30 and statuses.count("duplicate") == 2
    assert await _count(pool, tenant.company_id) == 30


async def test_a_stored_webhook_is_processed_by_the_real_worker(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
    empty_shopify: str,
) -> None:
    """The endpoint writes arq's job keys itself (one round trip): the worker
    must read them as its own."""
    domain, _ = await _store(gql, tenant, empty_shopify)
    order = generate_shop(1, seed=3).orders[0]
    sent = await post_webhook(client, domain, "orders/create", rest_order(order), "by-worker")
    assert sent.json() == {"status": "stored"}
    await run_worker()
    status = await pool.fetchval(
        "SELECT status FROM raw_events WHERE company_id = $1 AND external_id = 'by-worker'",
        tenant.company_id,
    )
    assert status == "PROCESSED"


async def test_unknown_topic_is_stored_and_ignored(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, _ = await _store(gql, tenant)
    response = await post_webhook(client, domain, "products/update", {"id": 5}, "p-1")
    assert response.status_code == 200
    await process_pending(pool, tenant.company_id)
    status = await pool.fetchval(
        "SELECT status FROM raw_events WHERE company_id = $1", tenant.company_id
    )
    assert status == "IGNORED"


async def test_malformed_json_fails_with_its_reason(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, _ = await _store(gql, tenant)
    headers, _ = webhook_request(
        "orders/create", {}, secret=SECRET, shop_domain=domain, webhook_id="bad-json"
    )
    body = b'{"id": 1, "line_items": ['
    import base64
    import hashlib
    import hmac

    headers["X-Shopify-Hmac-Sha256"] = base64.b64encode(
        hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    ).decode()
    response = await client.post("/webhooks/shopify", content=body, headers=headers)
    assert response.status_code == 200
    await process_pending(pool, tenant.company_id)
    errors = (await gql(ERRORS))["data"]["ingestErrors"]
    assert errors["totalCount"] == 1
    assert errors["nodes"][0]["externalId"] == "bad-json"
    assert errors["nodes"][0]["reason"].startswith("malformed JSON")


async def test_missing_fields_fail_the_event_and_keep_the_order(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, store_id = await _store(gql, tenant)
    order = generate_shop(1, seed=3).orders[0]
    good = rest_order(order)
    await post_webhook(client, domain, "orders/create", good, "good")
    await process_pending(pool, tenant.company_id)
    before = await histories(pool, tenant.company_id, store_id)
    assert list(before) == [str(order.id)]

    broken = json.loads(json.dumps(good))
    broken["updated_at"] = "2030-01-01T00:00:00Z"  # newer, so it would replace the order
    del broken["line_items"][0]["price"]
    del broken["line_items"][0]["price_set"]
    await post_webhook(client, domain, "orders/updated", broken, "broken")
    await process_pending(pool, tenant.company_id)

    errors = (await gql(ERRORS))["data"]["ingestErrors"]["nodes"]
    assert len(errors) == 1 and errors[0]["orderId"] == str(order.id)
    assert "price" in errors[0]["reason"]
    assert await histories(pool, tenant.company_id, store_id) == before


async def test_an_older_payload_never_overwrites_a_newer_one(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    domain, store_id = await _store(gql, tenant)
    order = generate_shop(1, seed=4).orders[0]
    newer = rest_order(order)
    older = json.loads(json.dumps(newer))
    older["updated_at"] = "2000-01-01T00:00:00Z"
    older["line_items"][0]["quantity"] += 5
    await post_webhook(client, domain, "orders/updated", newer, "new")
    await process_pending(pool, tenant.company_id)
    before = await histories(pool, tenant.company_id, store_id)
    await post_webhook(client, domain, "orders/updated", older, "old")
    await process_pending(pool, tenant.company_id)
    assert await histories(pool, tenant.company_id, store_id) == before


async def _order_events(pool: asyncpg.Pool, company_id: UUID) -> list[tuple[int, str, str | None]]:
    rows = await pool.fetch(
        "SELECT event_id, status, order_id FROM raw_events WHERE company_id = $1 ORDER BY event_id",
        company_id,
    )
    return [(r["event_id"], r["status"], r["order_id"]) for r in rows]


async def test_one_job_takes_an_orders_waiting_webhooks(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    """The intake notes which order each webhook names; the first event's job
    then processes the order's other waiting webhooks too, oldest first."""

    domain, _ = await _store(gql, tenant)
    order = generate_shop(1, seed=5).orders[0]
    for n, (topic, body) in enumerate(deliveries(order)):
        await post_webhook(client, domain, topic, body, f"d-{n}")
    stored = await _order_events(pool, tenant.company_id)
    assert len(stored) > 2
    assert {(status, hint) for _, status, hint in stored} == {("PENDING", str(order.id))}
    first = stored[0][0]
    assert (await process_event(pool, tenant.company_id, first)).status == "PROCESSED"
    assert {status for _, status, _ in await _order_events(pool, tenant.company_id)} == {
        "PROCESSED"
    }


async def test_an_order_another_job_holds_is_busy_not_waited_on(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:

    domain, store_id = await _store(gql, tenant)
    order = generate_shop(1, seed=6).orders[0]
    await post_webhook(client, domain, "orders/create", rest_order(order), "held")
    [(event_id, _, _)] = await _order_events(pool, tenant.company_id)
    key = f"{tenant.company_id}:{store_id}:{order.id}"
    async with pool.acquire() as other:
        await other.execute("SELECT pg_advisory_lock(hashtextextended($1, 23))", key)
        try:
            assert (await process_event(pool, tenant.company_id, event_id)).status == "BUSY"
        finally:
            await other.execute("SELECT pg_advisory_unlock(hashtextextended($1, 23))", key)
    assert await _order_events(pool, tenant.company_id) == [(event_id, "PENDING", str(order.id))]
    assert (await process_event(pool, tenant.company_id, event_id)).status == "PROCESSED"


async def _books_of(
    pool: asyncpg.Pool, company_id: UUID, store_id: UUID
) -> list[tuple[object, ...]]:
    rows = await pool.fetch(
        "SELECT e.rule, e.entry_date, e.memo, l.line_no, l.account_key, l.amount, l.sku "
        "FROM journal_entries e JOIN journal_lines l USING (company_id, entry_id) "
        "WHERE e.company_id = $1 AND e.store_id = $2 ORDER BY 1, 2, 3, 4",
        company_id,
        store_id,
    )
    return [tuple(r) for r in rows]


async def _two_stores(gql: GraphQL, tenant: Tenant) -> tuple[tuple[str, UUID], tuple[str, UUID]]:
    first = await _store(gql, tenant)
    domain = f"two-{tenant.company_id.hex[:8]}.myshopify.com"
    payload = await connect(gql, domain)
    second = decode_uuid(payload["store"]["id"], "Store")
    assert second is not None
    return first, (domain, second)


async def test_an_orders_webhooks_taken_together_post_as_they_would_one_by_one(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same order's webhooks sent to two stores: one store's are taken
    together by the first job (one posting), the other's one at a time
    (their hints removed). Histories and books agree line by line."""
    (together, together_id), (alone, alone_id) = await _two_stores(gql, tenant)
    order = generate_shop(1, seed=3).orders[0]  # refunded, fulfilled, 3 transactions
    for domain in (together, alone):
        for n, (topic, body) in enumerate(deliveries(order)):
            await post_webhook(client, domain, topic, body, f"{domain}-{n}")
    await pool.execute(
        "UPDATE raw_events SET order_id = NULL WHERE company_id = $1 AND store_id = $2",
        tenant.company_id,
        alone_id,
    )
    first = (await _order_events(pool, tenant.company_id))[0][0]
    caplog.set_level(logging.INFO, "storebooks.events")
    assert (await process_event(pool, tenant.company_id, first)).status == "PROCESSED"
    await process_pending(pool, tenant.company_id)
    assert {s for _, s, _ in await _order_events(pool, tenant.company_id)} == {"PROCESSED"}
    assert await histories(pool, tenant.company_id, together_id) == await histories(
        pool, tenant.company_id, alone_id
    )
    books = await _books_of(pool, tenant.company_id, together_id)
    assert books and books == await _books_of(pool, tenant.company_id, alone_id)
    assert "one by one" not in caplog.text
    days = "SELECT day, account_key, amount FROM daily_balances WHERE store_id = $1 ORDER BY 1, 2"
    assert await pool.fetch(days, together_id) == await pool.fetch(days, alone_id)
    assert (await verify_company(pool, tenant.company_id)).clean  # balances agree with lines


async def test_a_refused_webhook_among_an_orders_fails_alone(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused payload among the order's waiting webhooks: nothing of the
    joint attempt is kept, each is processed alone, only the bad one FAILED
    and the books are those of the good ones."""
    (bad, bad_id), (good, good_id) = await _two_stores(gql, tenant)
    order = generate_shop(1, seed=12).orders[0]
    sent = deliveries(order)
    for domain in (bad, good):
        for n, (topic, body) in enumerate(sent):
            await post_webhook(client, domain, topic, body, f"{domain}-{n}")
    broken = dict(sent[1][1], amount="a lot", id=999)
    await post_webhook(client, bad, sent[1][0], broken, "broken")
    first = (await _order_events(pool, tenant.company_id))[0][0]
    caplog.set_level(logging.INFO, "storebooks.events")
    assert (await process_event(pool, tenant.company_id, first)).status == "PROCESSED"
    await process_pending(pool, tenant.company_id)
    rows = await pool.fetch(
        "SELECT external_id, status, error FROM raw_events WHERE company_id = $1",
        tenant.company_id,
    )
    failed = [(r["external_id"], r["error"]) for r in rows if r["status"] != "PROCESSED"]
    assert [f[0] for f in failed] == ["broken"] and "amount" in (failed[0][1] or "")
    assert "processed one by one (transactions[2].amount" in caplog.text
    books = await _books_of(pool, tenant.company_id, bad_id)
    assert books and books == await _books_of(pool, tenant.company_id, good_id)


async def test_a_webhook_filed_under_the_wrong_order_is_processed_on_its_own(
    gql: GraphQL,
    tenant: Tenant,
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    domain, store_id = await _store(gql, tenant)
    one, two = generate_shop(2, seed=13).orders
    for n, (topic, body) in enumerate(deliveries(one) + deliveries(two)):
        await post_webhook(client, domain, topic, body, f"w-{n}")
    await pool.execute(
        "UPDATE raw_events SET order_id = $2 WHERE company_id = $1",
        tenant.company_id,
        str(one.id),
    )
    first = (await _order_events(pool, tenant.company_id))[0][0]
    caplog.set_level(logging.INFO, "storebooks.events")
    assert (await process_event(pool, tenant.company_id, first)).status == "PROCESSED"
    stored = await _order_events(pool, tenant.company_id)
    assert {s for _, s, _ in stored} == {"PROCESSED"}
    assert {hint for _, _, hint in stored} == {str(one.id), str(two.id)}
    assert f"names order {two.id}" in caplog.text
    assert set(await histories(pool, tenant.company_id, store_id)) == {str(one.id), str(two.id)}


async def test_the_job_holding_an_order_takes_webhooks_stored_meanwhile(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    """A job that found the order taken returned BUSY and left its webhook:
    the holder, once it lets the order go, looks again and takes it."""
    from service.sync.shopify_events import _take_late_webhooks

    domain, store_id = await _store(gql, tenant)
    order = generate_shop(1, seed=7).orders[0]
    for n, (topic, body) in enumerate(deliveries(order)):
        await post_webhook(client, domain, topic, body, f"late-{n}")
    async with pool.acquire() as conn:
        await _take_late_webhooks(conn, tenant.company_id, store_id, str(order.id))
    assert {s for _, s, _ in await _order_events(pool, tenant.company_id)} == {"PROCESSED"}


async def test_a_job_whose_event_is_done_still_takes_its_orders_waiting_webhooks(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    """The job an order's later webhooks were not given jobs for (its marker
    was set) may find its own event already processed: it takes the rest."""
    domain, _ = await _store(gql, tenant)
    order = generate_shop(1, seed=9).orders[0]
    sent = deliveries(order)
    await post_webhook(client, domain, *sent[0], "first")
    [(first, _, _)] = await _order_events(pool, tenant.company_id)
    assert (await process_event(pool, tenant.company_id, first)).status == "PROCESSED"
    for n, (topic, body) in enumerate(sent[1:]):
        await post_webhook(client, domain, topic, body, f"later-{n}")
    assert (await process_event(pool, tenant.company_id, first)).status == "SKIPPED"
    assert {s for _, s, _ in await _order_events(pool, tenant.company_id)} == {"PROCESSED"}
