"""/metrics as Prometheus scrapes it: request latency by operation, webhook
intake, queue depth, job durations, re-post state; and request ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

from service.config import Settings
from tests.conftest import GraphQL, Tenant

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_report_graphql_operations_and_webhook_intake(
    client: httpx.AsyncClient, gql: GraphQL, settings: Settings
) -> None:
    before = await scrape(client)
    await gql("{ booksStatus { upToDate } }")
    await gql("query Named { chartOfAccounts { key } }")
    bad = await client.post("/webhooks/shopify", content=b"{}", headers={"X-Shopify-Topic": "x"})
    after = await scrape(client)

    count = "storebooks_http_request_duration_seconds_count"
    for operation in ("query booksStatus", "query chartOfAccounts"):
        labels = {"operation": operation, "status": "200"}
        assert value(after, count, **labels) == value(before, count, **labels) + 1
    webhook = {"source": "shopify", "status": str(bad.status_code)}
    received = "storebooks_webhooks_received_total"
    assert value(after, received, **webhook) == value(before, received, **webhook) + 1
    assert value(after, "storebooks_queue_depth", queue=settings.queue_name) >= 0
    assert ("storebooks_queue_depth", frozenset({("queue", settings.queue_name)})) in after
    assert ("storebooks_webhooks_pending", frozenset()) in after
    assert ("storebooks_webhook_oldest_pending_seconds", frozenset()) in after
    assert ("storebooks_reposts_running", frozenset()) in after


async def test_job_durations_and_queue_depth_follow_the_worker(
    client: httpx.AsyncClient,
    gql: GraphQL,
    settings: Settings,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    change = await gql(
        "mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) "
        "{ repostJob { id } userErrors { message } } }"
    )
    assert change["data"]["updateBookkeepingSettings"]["userErrors"] == []
    queued = await scrape(client)
    assert value(queued, "storebooks_queue_depth", queue=settings.queue_name) >= 1
    assert value(queued, "storebooks_jobs_unfinished", kind="full_repost", status="QUEUED") >= 1

    await run_worker()
    done = await scrape(client)
    labels = {"function": "repost_company", "outcome": "success"}
    duration = "storebooks_job_duration_seconds_count"
    assert value(done, duration, **labels) >= value(queued, duration, **labels) + 1
    assert value(done, "storebooks_job_queue_wait_seconds_count", function="repost_company") >= 1
    assert value(done, "storebooks_queue_depth", queue=settings.queue_name) == 0


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-Id": "edge-42"})
    assert given.headers["x-request-id"] == "edge-42"
    made = await client.get("/healthz", headers={"X-Request-Id": "bad id\n"})
    assert len(made.headers["x-request-id"]) == 32


async def test_metrics_can_be_turned_off(
    client: httpx.AsyncClient, settings: Settings, queue: object
) -> None:
    from service.api.app import create_app

    app = create_app(settings.model_copy(update={"metrics_enabled": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as off:
            assert (await off.get("/metrics")).status_code == 404


async def test_a_full_repost_under_way_reports_its_progress(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    await pool.execute(
        "UPDATE books SET building_version = next_version WHERE company_id = $1",
        tenant.company_id,
    )
    try:
        samples = await scrape(client)
    finally:
        await pool.execute(
            "UPDATE books SET building_version = NULL WHERE company_id = $1", tenant.company_id
        )
    company = str(tenant.company_id)
    assert value(samples, "storebooks_reposts_running") >= 1
    assert ("storebooks_repost_orders_done", frozenset({("company", company)})) in samples
    assert value(samples, "storebooks_repost_orders_total", company=company) == 0
    after = await scrape(client)
    assert ("storebooks_repost_orders_done", frozenset({("company", company)})) not in after
