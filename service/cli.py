"""The `storebooks` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from service.config import Settings, get_settings
from service.db.connect import Endpoints, resolve_endpoints
from service.db.migrate import migrate

DEMO_COMPANY = "Demo Company"


async def _connect(settings: Settings) -> tuple[Endpoints, asyncpg.Connection]:
    endpoints = await resolve_endpoints(settings)
    conn = await asyncpg.connect(endpoints.database_url)
    await migrate(conn)
    return endpoints, conn


async def cmd_migrate(settings: Settings) -> int:
    endpoints = await resolve_endpoints(settings)
    conn = await asyncpg.connect(endpoints.database_url)
    try:
        applied = await migrate(conn)
    finally:
        await conn.close()
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


async def cmd_company_create(settings: Settings, name: str) -> int:
    from service.ledger.companies import create_company

    _, conn = await _connect(settings)
    try:
        created = await create_company(conn, name)
    finally:
        await conn.close()
    print(json.dumps({"companyId": str(created.company_id), "apiToken": created.api_token}))
    return 0


async def cmd_verify(settings: Settings, company: str | None) -> int:
    from service.db.connect import create_pool
    from service.ledger.verify import verify_company

    endpoints = await resolve_endpoints(settings)
    pool = await create_pool(endpoints.database_url)
    try:
        if company:
            companies = [UUID(company)]
        else:
            companies = [
                r["company_id"]
                for r in await pool.fetch("SELECT company_id FROM companies ORDER BY created_at")
            ]
        dirty = 0
        for company_id in companies:
            report = await verify_company(pool, company_id)
            state = "clean" if report.clean else f"{len(report.problems)} problem(s)"
            print(
                f"company {company_id} (journal version {report.version}, "
                f"{report.checked_subjects} subjects re-posted): {state}"
            )
            for problem in report.problems:
                print(f"  - {problem}")
            for line in report.work:
                print(f"  work: {line}")
            dirty += not report.clean
    finally:
        await pool.close()
    return 1 if dirty else 0


def cmd_export_schema() -> int:
    from service.api.schema import schema_sdl

    sys.stdout.write(schema_sdl())
    return 0


def _serve_config(settings: Settings, host: str, port: int) -> object:
    import uvicorn

    from service.api.app import create_app

    return uvicorn.Config(create_app(settings), host=host, port=port, log_level="info")


def cmd_serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    config = _serve_config(settings, host, port)
    assert isinstance(config, uvicorn.Config)
    uvicorn.Server(config).run()
    return 0


def _log_to_stderr() -> None:
    """Workers report each job they run, as arq's own command does."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


async def cmd_worker(settings: Settings, burst: bool) -> int:
    from worker.settings import build_worker

    _log_to_stderr()
    endpoints = await resolve_endpoints(settings)
    worker = build_worker(settings, endpoints.redis_url, burst=burst)
    try:
        await worker.main()
    finally:
        await worker.close()
    return 0


async def _demo_company(
    settings: Settings, conn: asyncpg.Connection
) -> tuple[UUID, str, UUID | None]:
    """The demo company and a token for it, made once and remembered locally
    (with the new store's id when it was made just now)."""
    from service.ledger.companies import create_company, create_store
    from service.ledger.tokens import company_for_token

    path = settings.data_dir / "demo.json"
    if path.exists():
        saved = json.loads(path.read_text())
        company_id = await company_for_token(conn, saved["apiToken"])
        if company_id is not None:
            return company_id, str(saved["apiToken"]), None
    created = await create_company(conn, DEMO_COMPANY)
    store = await create_store(
        conn,
        created.company_id,
        "Demo Shopify store",
        timezone="America/New_York",
        currency_code="USD",
    )
    path.write_text(
        json.dumps({"companyId": str(created.company_id), "apiToken": created.api_token})
    )
    path.chmod(0o600)
    return created.company_id, created.api_token, store.store_id


async def cmd_dev(settings: Settings) -> int:
    import uvicorn

    # A developer's stores and inventory systems are local fakes: any host goes.
    settings = settings.model_copy(update={"allow_any_api_host": True})

    from service.db.connect import create_pool
    from service.ledger.demo import load_demo_activity
    from worker.settings import build_worker

    endpoints, conn = await _connect(settings)
    try:
        company_id, token, new_store = await _demo_company(settings, conn)
    finally:
        await conn.close()
    if new_store is not None:
        pool = await create_pool(endpoints.database_url)
        try:
            await load_demo_activity(pool, company_id, new_store)
        finally:
            await pool.close()
    config = _serve_config(settings, settings.host, settings.port)
    assert isinstance(config, uvicorn.Config)
    server = uvicorn.Server(config)
    worker = build_worker(settings, endpoints.redis_url, handle_signals=False)
    worker_task = asyncio.create_task(worker.main())
    server_task = asyncio.create_task(server.serve())
    # uvicorn exposes readiness only as a flag, so poll it briefly.
    while not server.started and not server_task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if server.started:
        url = f"http://{settings.host}:{settings.port}/graphql"
        print(
            "\nstorebooks is running\n"
            f"  GraphQL (GraphiQL in a browser): {url}\n"
            f"  demo company:   {company_id}\n"
            f"  demo API token: {token}\n"
            f"  header to send: Authorization: Bearer {token}\n"
            "  a worker runs in this process; stop both with Ctrl-C\n",
            flush=True,
        )
    try:
        await server_task
    finally:
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
        await worker.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storebooks", description="Bookkeeping backend for online stores."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dev", help="embedded servers, migrations, API, a worker and a demo company")
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    worker = sub.add_parser("worker", help="run a background worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    sub.add_parser("migrate", help="apply pending database migrations")
    sub.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    verify = sub.add_parser(
        "verify", help="check the books: balanced entries, balances, a fresh re-post"
    )
    verify.add_argument("--company", default=None, help="one company id (default: all)")
    company = sub.add_parser("company", help="manage companies")
    company_sub = company.add_subparsers(dest="company_command", required=True)
    create = company_sub.add_parser("create", help="create a company; prints its id and API token")
    create.add_argument("name")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    try:
        match args.command:
            case "dev":
                return asyncio.run(cmd_dev(settings))
            case "serve":
                return cmd_serve(settings, args.host or settings.host, args.port or settings.port)
            case "worker":
                return asyncio.run(cmd_worker(settings, args.burst))
            case "migrate":
                return asyncio.run(cmd_migrate(settings))
            case "export-schema":
                return cmd_export_schema()
            case "verify":
                return asyncio.run(cmd_verify(settings, args.company))
            case "company":
                return asyncio.run(cmd_company_create(settings, args.name))
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:
        print(f"storebooks: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
