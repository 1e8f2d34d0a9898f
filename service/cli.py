"""The `storebooks` command."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from service.config import Settings, get_settings
from service.db.connect import Endpoints, resolve_endpoints
from service.db.migrate import migrate
from service.ledger.tokens import ROLES

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


async def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    """token create | list | revoke: the same commands as the API's, audited as the CLI's."""
    from service.db.connect import create_pool
    from service.ledger.tokens import list_tokens

    company_id = UUID(args.company)
    endpoints, conn = await _connect(settings)  # migrates
    await conn.close()
    pool = await create_pool(endpoints.database_url)
    try:
        if args.token_command == "list":
            for t in await list_tokens(pool, company_id):
                state = "revoked" if t.revoked_at else "active"
                print(
                    f"{t.token_id}  {t.role:<10}  {state:<7}  expires {t.expires_at or 'never'}  "
                    f"last used {t.last_used_at or 'never'}  {t.label}"
                )
            return 0
        return await _token_change(pool, company_id, args)
    finally:
        await pool.close()


async def _token_change(pool: asyncpg.Pool, company_id: UUID, args: argparse.Namespace) -> int:
    import datetime as dt

    from service.commands import tokens
    from service.commands.runner import AuditEntry, current_audit

    summary = {k: str(v) for k, v in vars(args).items() if v is not None}
    if args.token_command == "create":
        current_audit.set(AuditEntry(None, "cli:createApiToken", summary))
        days = args.expires_in_days
        expires = None if days is None else dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        outcome, secret = await tokens.create_api_token(
            pool, company_id, args.name, args.role, expires
        )
        print(json.dumps({"tokenId": outcome.result["tokenId"], "apiToken": secret}))
        return 0
    current_audit.set(AuditEntry(None, "cli:revokeApiToken", summary))
    if (await tokens.revoke_api_token(pool, company_id, UUID(args.token_id))).refusals:
        print(
            f"storebooks: no active token {args.token_id} in company {company_id}", file=sys.stderr
        )
        return 1
    print(f"revoked {args.token_id}")
    return 0


def cmd_stop(settings: Settings) -> int:
    from service.db.embedded import stop_embedded

    stopped = stop_embedded(settings.data_dir)
    print(
        "stopped " + ", ".join(stopped) if stopped else "no embedded server of this checkout runs"
    )
    return 0


def cmd_export_schema() -> int:
    from service.api.schema import schema_sdl

    sys.stdout.write(schema_sdl())
    return 0


def _serve_config(settings: Settings, host: str, port: int) -> object:
    import uvicorn

    from service.api.app import create_app
    from service.logs import configure_logging

    # With JSON logs, uvicorn's own lines go through the same JSON handler.
    json_logs = settings.log_format == "json"
    if json_logs:
        configure_logging("json")
    app = create_app(settings)
    if json_logs:
        return uvicorn.Config(app, host=host, port=port, log_level="info", log_config=None)
    return uvicorn.Config(app, host=host, port=port, log_level="info")


def cmd_serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    config = _serve_config(settings, host, port)
    assert isinstance(config, uvicorn.Config)
    uvicorn.Server(config).run()
    return 0


def _log_to_stderr(settings: Settings) -> None:
    """Workers report each job they run, as arq's own command does."""
    from service.logs import configure_logging

    configure_logging(settings.log_format, logging.INFO)


async def cmd_worker(settings: Settings, burst: bool) -> int:
    """Run until SIGTERM or SIGINT; then finish the running jobs within the
    grace period, hand the rest back to the queue, and exit (as an
    orchestrator stopping a container expects)."""
    from worker.settings import build_workers, run_workers

    _log_to_stderr(settings)
    endpoints = await resolve_endpoints(settings)
    workers = build_workers(
        settings,
        endpoints.redis_url,
        burst=burst,
        handle_signals=False,
        job_completion_wait=settings.worker_grace_seconds,
    )
    await run_workers(workers)
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
    from worker.settings import build_workers, run_workers

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
    workers = build_workers(settings, endpoints.redis_url, handle_signals=False)
    worker_task = asyncio.create_task(run_workers(workers, stop_on_signals=False))
    server_task = asyncio.create_task(server.serve())
    # uvicorn exposes readiness only as a flag, so poll it briefly.
    while not server.started and not server_task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if server.started:
        root = f"http://{settings.host}:{settings.port}"
        print(
            "\nstorebooks is running\n"
            f"  dashboard:   {root}/\n"
            f"  GraphQL (GraphiQL in a browser): {root}/graphql\n"
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
    return 0


async def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write one export to a file (or stdout), as the API's /exports/ serves it."""
    from service.ledger.exports.files import ExportError, export_file

    _, conn = await _connect(settings)
    try:
        params = {
            "from": args.date_from,
            "to": args.date_to,
            "asOf": args.as_of,
            "storeId": args.store,
            "accountKey": args.account,
            "payoutId": args.payout,
            "summary": args.summary,
        }
        kind = args.kind or {"hledger": "journal", "beancount": "beancount"}.get(args.format, "csv")
        try:
            made = await export_file(conn, UUID(args.company), args.format, kind, params)
        except ExportError as exc:
            print(f"storebooks export: {exc}", file=sys.stderr)
            return 2
    finally:
        await conn.close()
    if args.output == "-":
        sys.stdout.buffer.write(made.body)
    else:
        await asyncio.to_thread(Path(args.output).write_bytes, made.body)
        print(f"wrote {len(made.body):,} bytes to {args.output}", file=sys.stderr)
    return 0


ACCOUNTING = {
    "qbo": (
        "https://quickbooks.api.intuit.com",
        "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    ),
    "xero": ("https://api.xero.com", "https://identity.xero.com/connect/token"),
}


async def cmd_connect_accounting(settings: Settings, args: argparse.Namespace) -> int:
    """Store an accounting system's connection (tokens sealed with the service key)."""
    from service.sync.qbo_push import connect_qbo
    from service.sync.xero_push import connect_xero

    base, token_url = ACCOUNTING[args.system]
    common = {
        "base_url": args.base_url or base,
        "token_url": args.token_url or token_url,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "tokens": {"access_token": args.access_token, "refresh_token": args.refresh_token},
    }
    _, conn = await _connect(settings)
    try:
        key, company = settings.resolved_secret_key(), UUID(args.company)
        if args.system == "qbo":
            await connect_qbo(conn, company, key, realm_id=args.id, **common)
        else:
            await connect_xero(conn, company, key, tenant_id=args.id, **common)
    finally:
        await conn.close()
    print(f"{args.system} connected for company {args.company}")
    return 0


async def cmd_push(settings: Settings, args: argparse.Namespace) -> int:
    """Push summary journals; prints what was sent, unchanged and refused."""
    import datetime as dt

    from service.db.connect import create_pool
    from service.ledger.exports.pushes import UnmappedAccounts
    from service.ledger.exports.summary import SummaryKind
    from service.sync import qbo_push, xero_push

    endpoints, conn = await _connect(settings)
    await conn.close()
    pool = await create_pool(endpoints.database_url)
    company, key = UUID(args.company), settings.resolved_secret_key()
    module = qbo_push if args.system == "qbo" else xero_push
    try:
        client = await (
            qbo_push.qbo_client(pool, company, key)
            if args.system == "qbo"
            else xero_push.xero_client(pool, company, key)
        )
        try:
            report = await module.push_summaries(
                pool,
                company,
                client,
                kind=SummaryKind(args.summary.upper()),
                start=dt.date.fromisoformat(args.date_from),
                end=dt.date.fromisoformat(args.date_to),
                locked_through=(
                    dt.date.fromisoformat(args.locked_through) if args.locked_through else None
                ),
            )
        finally:
            await client.aclose()
    except UnmappedAccounts as exc:
        print(f"storebooks push: {exc}", file=sys.stderr)
        return 2
    finally:
        await pool.close()
    print(f"sent {report.sent}, unchanged {report.unchanged}, failed {len(report.failed)}")
    for summary_key, why in report.failed:
        print(f"  FAILED {summary_key}: {why}")
    return 1 if report.failed else 0


def _accounting_parsers(add: Any) -> None:
    connect = add("connect-accounting", help="connect QuickBooks Online or Xero for pushes")
    connect.add_argument("system", choices=sorted(ACCOUNTING))
    connect.add_argument("--company", required=True, help="the company id")
    connect.add_argument("--id", required=True, help="QBO realm id / Xero tenant id")
    connect.add_argument("--client-id", required=True)
    connect.add_argument("--client-secret", required=True)
    connect.add_argument("--access-token", required=True)
    connect.add_argument("--refresh-token", required=True)
    connect.add_argument("--base-url", default=None, help="API base (default: the real one)")
    connect.add_argument("--token-url", default=None, help="token endpoint (default: real)")
    push = add("push", help="push summary journals to QuickBooks Online or Xero")
    push.add_argument("system", choices=sorted(ACCOUNTING))
    push.add_argument("--company", required=True, help="the company id")
    push.add_argument("--from", dest="date_from", required=True, help="first day")
    push.add_argument("--to", dest="date_to", required=True, help="last day")
    push.add_argument("--summary", default="DAY", help="DAY, PAYOUT or MONTH")
    push.add_argument("--locked-through", default=None, help="the accounting system's closing date")


def _export_parser(add: Any) -> None:
    export = add("export", help="write the books as a file: a table, a ledger or an import")
    export.add_argument(
        "format",
        help="journal, profit-and-loss, balance-sheet, trial-balance, inventory-valuation, "
        "cogs, hledger or beancount",
    )
    export.add_argument("--company", required=True, help="the company id")
    export.add_argument("--kind", default=None, help="csv or xlsx for tables")
    export.add_argument("--from", dest="date_from", default=None, help="first day (YYYY-MM-DD)")
    export.add_argument("--to", dest="date_to", default=None, help="last day (YYYY-MM-DD)")
    export.add_argument("--as-of", default=None, help="balance sheet / valuation day")
    export.add_argument("--store", default=None, help="one store id")
    export.add_argument("--account", default=None, help="journal lines of one account key")
    export.add_argument("--payout", default=None, help="COGS of one payout or settlement")
    export.add_argument("--summary", default=None, help="DAY, PAYOUT or MONTH (ledgers)")
    export.add_argument("-o", "--output", default="-", help="file to write (- for stdout)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("storebooks")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="storebooks",
        description="Bookkeeping backend for online stores.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"storebooks {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = functools.partial(sub.add_parser, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add("dev", help="embedded servers, migrations, API, a worker and a demo company")
    serve = add("serve", help="run the API server")
    serve.add_argument(
        "--host", default=settings.host, help="address to listen on (STOREBOOKS_HOST)"
    )
    serve.add_argument(
        "--port", type=int, default=settings.port, help="port to listen on (STOREBOOKS_PORT)"
    )
    worker = add("worker", help="run a background worker (stops cleanly on SIGTERM)")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    add("migrate", help="apply pending database migrations")
    add("export-schema", help="print the GraphQL schema (SDL)")
    add("stop", help="stop this checkout's embedded PostgreSQL and Valkey")
    verify = add(
        "verify",
        help="check the books (balanced entries, balances, a fresh re-post) and list "
        "failed or stuck work",
    )
    verify.add_argument("--company", default=None, help="one company id (default: all)")
    company = add("company", help="manage companies")
    company_sub = company.add_subparsers(dest="company_command", required=True, metavar="ACTION")
    create = company_sub.add_parser(
        "create", help="create a company; prints its id and an ADMIN API token"
    )
    create.add_argument("name", help="the company's name")
    _token_parser(add)
    _export_parser(add)
    _accounting_parsers(add)
    return parser


def _token_parser(add: Any) -> None:
    token = add("token", help="manage a company's API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    fmt = argparse.ArgumentDefaultsHelpFormatter
    create = token_sub.add_parser(
        "create", help="create a token; prints it once", formatter_class=fmt
    )
    create.add_argument("--company", required=True, help="the company id")
    create.add_argument("--name", required=True, help="who or what uses the token")
    create.add_argument("--role", default="BOOKKEEPER", choices=ROLES, help="what it may do")
    create.add_argument(
        "--expires-in-days",
        type=int,
        default=None,
        help="days until it stops working (None: it never expires)",
    )
    listing = token_sub.add_parser("list", help="list a company's tokens", formatter_class=fmt)
    listing.add_argument("--company", required=True, help="the company id")
    revoke = token_sub.add_parser("revoke", help="revoke a token at once", formatter_class=fmt)
    revoke.add_argument("--company", required=True, help="the company id")
    revoke.add_argument("token_id", help="the token's id (from `storebooks token list`)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    try:
        match args.command:
            case "dev":
                return asyncio.run(cmd_dev(settings))
            case "serve":
                return cmd_serve(settings, args.host, args.port)
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
            case "token":
                return asyncio.run(cmd_token(settings, args))
            case "stop":
                return cmd_stop(settings)
            case "export":
                return asyncio.run(cmd_export(settings, args))
            case "connect-accounting":
                return asyncio.run(cmd_connect_accounting(settings, args))
            case "push":
                return asyncio.run(cmd_push(settings, args))
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:
        print(f"storebooks: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
