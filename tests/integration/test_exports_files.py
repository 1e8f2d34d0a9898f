"""The journal and the statements as files, through the API and the CLI,
read back with openpyxl and csv: company, store and channel on every row,
dates as dates, amounts as numbers, totals equal to the statements."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import openpyxl  # type: ignore[import-untyped]

from service.api.ids import global_id
from service.ledger.exports.statement_files import JOURNAL_COLUMNS
from tests.conftest import GraphQL, Tenant
from tests.integration.exports_company import demo_books, far_end, first_day

RESTOCK = """mutation($input: ReportChannelRestockInput!) { reportChannelRestock(input: $input)
  { saved userErrors { field message } } }"""


def _sheet(body: bytes) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


async def test_journal_and_statements_download(
    client: httpx.AsyncClient, tenant: Tenant, pool: asyncpg.Pool, gql: GraphQL
) -> None:
    await pool.execute(
        "UPDATE stores SET name = '=cmd|calc' WHERE company_id = $1", tenant.company_id
    )
    books = await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    period = {"from": start.isoformat(), "to": end.isoformat()}
    restock = await gql(
        RESTOCK,
        {
            "input": {
                "storeId": global_id("Store", tenant.store_id),
                "channel": "web",
                "period": "MONTH",
                "date": (start + dt.timedelta(days=3)).isoformat(),
                "amount": "-12.50",
            }
        },
    )
    assert restock["data"]["reportChannelRestock"]["userErrors"] == []
    got = await client.get("/exports/journal.xlsx", params=period, headers=tenant.headers)
    assert got.status_code == 200, got.text
    journal = _sheet(got.content)
    assert list(journal[0]) == list(JOURNAL_COLUMNS)
    assert all(r["Company"] == books.company for r in journal)
    assert all(r["Store"] == "'=cmd|calc" for r in journal if r["Order ID"])
    assert all(isinstance(r["Date"], dt.datetime) for r in journal)
    debit = sum(Decimal(str(r["Debit"] or 0)) for r in journal)
    credit = sum(Decimal(str(r["Credit"] or 0)) for r in journal)
    assert debit == credit > 0

    got = await client.get("/exports/profit-and-loss.csv", params=period, headers=tenant.headers)
    pl = list(csv.DictReader(io.StringIO(got.text)))
    cogs_pl = sum(Decimal(r["Amount"]) for r in pl if r["Account"] == "COGS")
    assert {r["Channel"] for r in pl} and all(r["Store"] == "'=cmd|calc" for r in pl)
    q = """query($f: Date!, $t: Date!) { profitAndLoss(from: $f, to: $t) {
      lines { accountKey amount { amount } } } }"""
    body = await gql(q, {"f": period["from"], "t": period["to"]})
    lines = {
        ln["accountKey"]: Decimal(ln["amount"]["amount"])
        for ln in body["data"]["profitAndLoss"]["lines"]
    }
    assert cogs_pl == lines["COGS"] != 0

    got = await client.get("/reports/cogs.xlsx", params=period, headers=tenant.headers)
    cogs = _sheet(got.content)
    assert sum(Decimal(str(r["Total cost"])) for r in cogs) == lines["COGS"]
    assert [r["Total cost"] for r in cogs if r["Cost source"] == "RESTOCK"] == [-12.5]
    assert all(r["Store"] and r["Channel"] for r in cogs)

    got = await client.get("/exports/trial-balance.xlsx", params=period, headers=tenant.headers)
    tb = _sheet(got.content)
    assert sum(Decimal(str(r["Debit"] or 0)) - Decimal(str(r["Credit"] or 0)) for r in tb) == 0

    for name in ("balance-sheet", "inventory-valuation"):
        got = await client.get(f"/exports/{name}.xlsx", params=period, headers=tenant.headers)
        assert got.status_code == 200 and _sheet(got.content), name


async def test_bad_export_requests_are_named(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for path, params, field, status in (
        ("/exports/nothing.csv", {}, "format", 404),
        ("/exports/journal.pdf", {}, "format", 404),
        ("/exports/journal.csv", {"from": "2026-02-01", "to": "2026-01-01"}, "from", 400),
        ("/exports/journal.csv", {"accountKey": "NOPE"}, "accountKey", 400),
        ("/exports/hledger.journal", {"summary": "WEEK"}, "summary", 400),
        ("/reports/cogs.csv", {"payoutId": "po_nope"}, "payoutId", 400),
        ("/exports/trial-balance.csv", {}, "from", 400),
    ):
        got = await client.get(path, params=params, headers=tenant.headers)
        assert got.status_code == status and got.json()["field"] == field, path
    got = await client.get("/exports/journal.csv")
    assert got.status_code == 401


async def test_cli_writes_each_format(
    pool: asyncpg.Pool, tenant: Tenant, tmp_path: Any, settings: Any, monkeypatch: Any
) -> None:
    from service import cli

    await demo_books(pool, tenant)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    for fmt, kind, suffix in (
        ("journal", "xlsx", "xlsx"),
        ("beancount", None, "beancount"),
        ("hledger", None, "journal"),
        ("cogs", "csv", "csv"),
    ):
        out = tmp_path / f"out.{suffix}"
        argv = [
            "export",
            fmt,
            "--company",
            str(tenant.company_id),
            "-o",
            str(out),
            "--to",
            far_end().isoformat(),
        ]
        if kind:
            argv += ["--kind", kind]
        assert await _run_cli(cli, argv) == 0, fmt
        assert out.stat().st_size > 100
    assert (
        await _run_cli(
            cli, ["export", "cogs", "--company", str(tenant.company_id), "--payout", "nope"]
        )
        == 2
    )


async def _run_cli(cli: Any, argv: list[str]) -> int:
    import asyncio

    code: int = await asyncio.to_thread(cli.main, argv)
    return code
