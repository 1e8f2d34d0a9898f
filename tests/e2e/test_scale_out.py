"""Two API processes and three workers over one PostgreSQL and one queue.

Webhooks of a fake Shopify store are posted to both API processes at once,
each order's deliveries in Shopify's order, many orders in parallel. Midway
one worker and one API process are killed with SIGKILL. A delivery that
failed (the API died under it) is sent again to the other process, as
Shopify retries. At the end every delivery is stored exactly once, every
event is processed, every order is in the books once, and `verify` finds the
books equal to a fresh re-post.

A killed worker's jobs run again when their lease expires (job timeout plus
10 s: the workers run with a 3 s timeout here); an event stored by an API
process killed before it could enqueue it is found by the worker's sweep,
which runs once a minute for events pending over 30 s: the test runs that
sweep itself at the end instead of waiting for the minute to turn.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.db.queue import enqueue, open_queue
from service.ledger.companies import create_company
from service.ledger.ingest import stale_pending_events
from service.ledger.verify import verify_company
from service.sync.shopify_events import PROCESS_EVENT_FUNCTION, event_job_id
from service.sync.shopify_stores import connect_store
from tests.conftest import Servers, Settings
from tests.fakes.local_server import free_port
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.webhooks import webhook_request
from tests.integration.shopify_helpers import SECRET, TOKEN, deliveries

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 100
PARALLEL_ORDERS = 8
DOMAIN = "scale-out.myshopify.com"

pytestmark = pytest.mark.slow


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def env(servers: Servers, settings: Settings) -> dict[str, str]:
    env = servers.env()
    env.update(
        STOREBOOKS_QUEUE=settings.queue_name,
        STOREBOOKS_SECRET_KEY=settings.resolved_secret_key(),
        STOREBOOKS_JOB_TIMEOUT="3",
        STOREBOOKS_GRAPHIQL="false",
    )
    return env


@pytest.fixture
def cluster(
    env: dict[str, str],
) -> Iterator[tuple[list[str], list[subprocess.Popen[bytes]], list[subprocess.Popen[bytes]]]]:
    """Two API processes (their base URLs) and three workers, stopped by pid at the end."""
    ports = [free_port(), free_port()]
    apis = [_start(["serve", "--host", "127.0.0.1", "--port", str(p)], env) for p in ports]
    workers = [_start(["worker"], env) for _ in range(3)]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        deadline = time.monotonic() + 40
        for url in urls:
            while not _ready(url):
                assert time.monotonic() < deadline, f"{url} did not get ready"
                time.sleep(0.1)
        yield urls, apis, workers
    finally:
        _stop(apis + workers)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to all, then SIGKILL to any still running after 5 s in all."""
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 5
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


async def _company(pool: asyncpg.Pool, secret_key: str) -> UUID:
    async with pool.acquire() as conn, conn.transaction():
        created = await create_company(conn, "Scale-out company")
        await connect_store(
            conn,
            created.company_id,
            secret_key,
            shop_domain=DOMAIN,
            access_token=TOKEN,
            webhook_secret=SECRET,
            api_base_url="http://127.0.0.1:9",  # nothing listens: no call leaves the machine
            timezone="America/New_York",
            currency_code="USD",
        )
    company_id: UUID = created.company_id
    return company_id


class Sender:
    """Posts deliveries like Shopify: retried on failure, on any live API process."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.alive = list(urls)
        self.sent: list[str] = []
        self.retries = 0

    async def post(
        self,
        client: httpx.AsyncClient,
        n: int,
        webhook_id: str,
        topic: str,
        payload: dict[str, Any],
    ) -> None:
        headers, body = webhook_request(
            topic, payload, secret=SECRET, shop_domain=DOMAIN, webhook_id=webhook_id
        )
        for attempt in range(20):
            url = self.alive[(n + attempt) % len(self.alive)]
            try:
                response = await client.post(
                    f"{url}/webhooks/shopify", content=body, headers=headers
                )
                if response.status_code == 200:
                    self.sent.append(webhook_id)
                    return
            except httpx.HTTPError:
                pass
            self.retries += 1
            await asyncio.sleep(0.05)
        raise AssertionError(f"delivery {webhook_id} was never accepted")


async def _send_all(sender: Sender, orders: list[Any], halfway: asyncio.Event) -> None:
    items = [[(f"{o.id}-{k}", t, p) for k, (t, p) in enumerate(deliveries(o))] for o in orders]
    total = sum(len(i) for i in items)
    queue: asyncio.Queue[list[tuple[str, str, dict[str, Any]]]] = asyncio.Queue()
    for order_items in items:
        queue.put_nowait(order_items)

    async def run(lane: int, client: httpx.AsyncClient) -> None:
        while not queue.empty():
            for n, (webhook_id, topic, payload) in enumerate(queue.get_nowait()):
                await sender.post(client, lane + n, webhook_id, topic, payload)
                if len(sender.sent) >= total // 2:
                    halfway.set()

    async with httpx.AsyncClient(timeout=10) as client:
        await asyncio.gather(*(run(lane, client) for lane in range(PARALLEL_ORDERS)))


async def _kill_midway(
    halfway: asyncio.Event, sender: Sender, apis: list[Any], workers: list[Any]
) -> None:
    await halfway.wait()
    os.kill(workers[0].pid, signal.SIGKILL)
    sender.alive = sender.urls[1:]  # the load balancer takes the dead one out...
    os.kill(apis[0].pid, signal.SIGKILL)  # ...as it dies under requests in flight
    workers[0].wait(timeout=10)
    apis[0].wait(timeout=10)


async def _settled(pool: asyncpg.Pool, company_id: UUID, within: float) -> int:
    deadline = time.monotonic() + within
    pending = -1
    while time.monotonic() < deadline:
        pending = await pool.fetchval(
            "SELECT count(*) FROM raw_events WHERE company_id = $1 AND status = 'PENDING'",
            company_id,
        )
        if pending == 0:
            return 0
        await asyncio.sleep(0.2)
    return int(pending)


async def _sweep(pool: asyncpg.Pool, servers: Servers, settings: Settings) -> int:
    """What the workers' once-a-minute sweep does, without the 30 s wait."""
    queue = await open_queue(servers.redis_url, settings.queue_name)
    try:
        found = await stale_pending_events(pool, older_than_seconds=0)
        for company_id, event_id in found:
            await enqueue(
                queue,
                PROCESS_EVENT_FUNCTION,
                event_job_id(company_id, event_id),
                str(company_id),
                event_id,
            )
        return len(found)
    finally:
        await queue.aclose()


async def test_killing_a_worker_and_an_api_process_loses_and_duplicates_nothing(
    pool: asyncpg.Pool,
    servers: Servers,
    settings: Settings,
    cluster: tuple[list[str], list[Any], list[Any]],
) -> None:
    urls, apis, workers = cluster
    company_id = await _company(pool, settings.resolved_secret_key())
    orders = generate_shop(ORDERS, seed=18).orders
    sender = Sender(urls)
    halfway = asyncio.Event()
    await asyncio.gather(
        _send_all(sender, orders, halfway), _kill_midway(halfway, sender, apis, workers)
    )
    assert apis[0].returncode == -signal.SIGKILL and workers[0].returncode == -signal.SIGKILL

    # A killed worker's jobs come back after their lease (3 s + 10 s).
    pending = await _settled(pool, company_id, within=25)
    if pending:
        await _sweep(pool, servers, settings)
        pending = await _settled(pool, company_id, within=15)
    assert pending == 0

    expected = {f"{o.id}-{k}" for o in orders for k in range(len(deliveries(o)))}
    assert set(sender.sent) == expected
    stored = await pool.fetch(
        "SELECT external_id, status FROM raw_events WHERE company_id = $1", company_id
    )
    assert sorted(r["external_id"] for r in stored) == sorted(expected)  # each exactly once
    assert {r["status"] for r in stored} == {"PROCESSED"}
    in_books = await pool.fetchval(
        "SELECT count(*) FROM order_sources WHERE company_id = $1", company_id
    )
    assert in_books == ORDERS
    report = await verify_company(pool, company_id)
    assert report.problems == []
    assert report.checked_subjects >= ORDERS
