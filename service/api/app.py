"""The Starlette application: /graphql, /healthz, /readyz, /metrics and the dashboard at /."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.api.graphql_app import StorebooksGraphQL
from service.api.observability import ObservabilityMiddleware, metrics_endpoint
from service.api.reports import cogs_file, export_download, settlement_cogs_file
from service.api.statement_files import statement_file
from service.api.web import dashboard_mount
from service.api.webhooks import shopify_webhook
from service.config import Settings, get_settings
from service.db.connect import create_pool, resolve_endpoints
from service.db.migrate import migrate
from service.db.queue import open_queue
from service.heap import freeze_startup_heap


async def healthz(_: Request) -> JSONResponse:
    """The process is up; says nothing about its dependencies."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready to serve: PostgreSQL and the queue both answer within a second."""
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(1):
            await request.app.state.pool.fetchval("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        async with asyncio.timeout(1):
            await request.app.state.queue.ping()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"unavailable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        endpoints = await resolve_endpoints(settings)
        app.state.pool = await create_pool(endpoints.database_url)
        async with app.state.pool.acquire() as conn:
            await migrate(conn)
        app.state.queue = await open_queue(endpoints.redis_url, settings.queue_name)
        app.state.secret_key = settings.resolved_secret_key()
        app.state.allow_any_api_host = settings.allow_any_api_host
        app.state.public_url = settings.public_url or ""
        freeze_startup_heap()
        try:
            yield
        finally:
            await app.state.queue.aclose()
            await app.state.pool.close()

    graphql = StorebooksGraphQL(graphiql=settings.graphiql)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/webhooks/shopify", shopify_webhook, methods=["POST"]),
            Route("/reports/cogs.{kind:str}", cogs_file, methods=["GET"]),
            Route("/reports/settlement-cogs.{kind:str}", settlement_cogs_file, methods=["GET"]),
            Route("/exports/{name:str}.{kind:str}", export_download, methods=["GET"]),
            Route("/reports/statement.{kind:str}", statement_file, methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint(settings), methods=["GET"]),
            dashboard_mount(),
        ],
        middleware=[Middleware(ObservabilityMiddleware)],
        lifespan=lifespan,
    )
