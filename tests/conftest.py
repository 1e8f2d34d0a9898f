"""Shared fixtures: a real PostgreSQL and a real Valkey for every test that needs them.

With DATABASE_URL / REDIS_URL unset the suite uses the embedded servers of
this checkout; with them set, those servers. Either way the suite works in
a database of its own, created for the run and dropped after it, and on a
queue name of its own, so it never touches a developer's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis

from service.config import Settings, get_settings
from service.db.connect import (
    create_pool,
    ensure_database,
    resolve_endpoints,
    with_database,
)
from service.db.migrate import migrate
from service.db.queue import open_queue
from service.ledger.companies import create_company, create_store


@dataclass(frozen=True)
class Servers:
    settings: Settings
    database_url: str
    redis_url: str

    def env(self) -> dict[str, str]:
        """Environment for a storebooks subprocess that uses the test servers."""
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            STOREBOOKS_QUEUE=self.settings.queue_name,
            STOREBOOKS_DATA_DIR=str(self.settings.data_dir),
            STOREBOOKS_ALLOW_ANY_API_HOST="true",
        )
        return env


@pytest.fixture(scope="session")
async def servers() -> AsyncIterator[Servers]:
    base = get_settings()
    endpoints = await resolve_endpoints(base)
    run = uuid.uuid4().hex[:10]
    db_url = with_database(endpoints.database_url, f"storebooks_test_{run}")
    await ensure_database(db_url)
    conn = await asyncpg.connect(db_url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    settings = Settings.model_validate(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": endpoints.redis_url,
            "STOREBOOKS_QUEUE": f"storebooks:test:{run}",
            "STOREBOOKS_DATA_DIR": str(base.data_dir.resolve()),
            "STOREBOOKS_SECRET_KEY": "test-secret-key",
            "STOREBOOKS_SHOPIFY_POLL_SECONDS": 0.01,
            "STOREBOOKS_ALLOW_ANY_API_HOST": True,
        }
    )
    yield Servers(settings, db_url, endpoints.redis_url)
    admin = await asyncpg.connect(with_database(db_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "storebooks_test_{run}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def pool(servers: Servers) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(servers.database_url)
    yield pool
    await pool.close()


@pytest.fixture
def settings(servers: Servers) -> Settings:
    """The test servers' settings with a queue of this test's own, so that a
    job one test leaves queued is never run by another test's worker."""
    queue_name = f"{servers.settings.queue_name}:{uuid.uuid4().hex[:8]}"
    return servers.settings.model_copy(update={"queue_name": queue_name})


@pytest.fixture
async def queue(settings: Settings, servers: Servers) -> AsyncIterator[ArqRedis]:
    queue = await open_queue(servers.redis_url, settings.queue_name)
    yield queue
    await queue.delete(settings.queue_name, f"{settings.queue_name}:events")
    await queue.aclose()


@pytest.fixture
async def app(settings: Settings, queue: ArqRedis) -> AsyncIterator[Any]:
    from service.api.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@dataclass(frozen=True)
class Tenant:
    company_id: uuid.UUID
    token: str
    store_id: uuid.UUID

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
async def tenant(pool: asyncpg.Pool) -> Tenant:
    """A fresh company with one store: tests never share books."""
    async with pool.acquire() as conn:
        created = await create_company(conn, f"Test company {uuid.uuid4().hex[:6]}")
        store = await create_store(conn, created.company_id, "Test store", timezone="UTC")
    return Tenant(created.company_id, created.api_token, store.store_id)


GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def gql(client: httpx.AsyncClient, tenant: Tenant) -> GraphQL:
    """POST a GraphQL document as the test tenant and return the decoded body."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, *, as_tenant: Tenant | None = None
    ) -> dict[str, Any]:
        who = as_tenant or tenant
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=who.headers
        )
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def run_worker(
    settings: Settings, servers: Servers, pool: asyncpg.Pool
) -> Callable[[], Awaitable[None]]:
    """Run a real arq worker over the test queue until the queue is empty."""

    async def run() -> None:
        from worker.settings import build_workers, run_workers

        workers = build_workers(
            settings,
            servers.redis_url,
            ctx={"pool": pool},
            burst=True,
            poll_delay=0.05,
            handle_signals=False,
            cron_jobs=[],
        )
        await run_workers(workers, stop_on_signals=False)

    return run


@pytest.fixture(scope="session")
async def empty_shopify() -> AsyncIterator[str]:
    """The API address of a shop with no orders. A store connected to it
    back-fills nothing at once when a test runs the worker, where a shop on
    the internet would be retried for half a minute before failing."""
    from tests.fakes.shopify.generate import generate_shop
    from tests.fakes.shopify.server import FakeShopify

    async with FakeShopify(generate_shop(0, seed=1)) as fake:
        yield fake.base_url
