"""Pushing summary journals to (a fake of) Xero as manual journals: the
same guarantees as QuickBooks (balanced, mapped, idempotent, refusals
FAILED and retried)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import asyncpg

from service.domain.accounts import DEFAULT_CHART
from service.ledger.exports import pushes
from service.ledger.exports.summary import SummaryKind
from service.sync.xero_push import connect_xero, push_summaries, xero_client
from tests.conftest import Tenant
from tests.fakes.xero.server import FakeXero
from tests.integration.exports_company import demo_books, far_end, first_day

SECRET = "y" * 44
CODES = {a.key: str(200 + i) for i, a in enumerate(DEFAULT_CHART.accounts)}


async def test_xero_push_balanced_idempotent_and_retried(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    books = await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    async with FakeXero(set(CODES.values())) as fake:
        async with pool.acquire() as conn:
            await connect_xero(
                conn,
                tenant.company_id,
                SECRET,
                tenant_id=fake.tenant_id,
                base_url=fake.base_url,
                token_url=f"{fake.base_url}/connect/token",
                client_id=fake.client[0],
                client_secret=fake.client[1],
                tokens={"access_token": fake.access_token, "refresh_token": fake.refresh_token},
            )
            await pushes.set_account_map(
                conn, tenant.company_id, "XERO", {k: (v, "") for k, v in CODES.items()}
            )
        fake.expire_access_token()
        fake.refuse_next = 1
        client = await xero_client(pool, tenant.company_id, SECRET)
        try:
            first = await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.DAY, start=start, end=end
            )
            assert first.sent > 1 and len(first.failed) == 1
            assert "lock date" in first.failed[0][1]
            held = len(fake.journals)
            again = await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.DAY, start=start, end=end
            )
            assert (again.sent, again.failed, again.unchanged) == (1, [], first.sent)
            assert len(fake.journals) == held + 1
            await pool.execute(
                "UPDATE summary_pushes SET pushed_fingerprint = 'old' WHERE company_id = $1",
                tenant.company_id,
            )
            third = await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.DAY, start=start, end=end
            )
            assert third.sent == held + 1 and len(fake.journals) == held + 1  # updated in place
            assert fake.refreshes == 1
        finally:
            await client.aclose()
    rows = await pool.fetch(
        "SELECT l.account_key, sum(l.amount)::bigint AS amount FROM journal_lines l "
        "JOIN journal_entries e USING (company_id, entry_id) WHERE e.company_id = $1 "
        "AND e.journal_version = $2 GROUP BY 1",
        tenant.company_id,
        books.version,
    )
    ours = {CODES[r["account_key"]]: Decimal(r["amount"]) / 100 for r in rows if r["amount"]}
    assert {k: v for k, v in fake.balances().items() if v} == ours


async def test_cli_connects_and_pushes(
    pool: asyncpg.Pool, tenant: Tenant, settings: Any, monkeypatch: Any
) -> None:
    from service import cli

    await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    company = str(tenant.company_id)
    async with FakeXero(set(CODES.values())) as fake:
        connect = [
            "connect-accounting",
            "xero",
            "--company",
            company,
            "--id",
            fake.tenant_id,
            "--client-id",
            fake.client[0],
            "--client-secret",
            fake.client[1],
            "--access-token",
            fake.access_token,
            "--refresh-token",
            fake.refresh_token,
            "--base-url",
            fake.base_url,
            "--token-url",
            f"{fake.base_url}/connect/token",
        ]
        assert await asyncio.to_thread(cli.main, connect) == 0
        push = [
            "push",
            "xero",
            "--company",
            company,
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--summary",
            "month",
        ]
        assert await asyncio.to_thread(cli.main, push) == 2  # nothing mapped yet
        assert not fake.journals
        async with pool.acquire() as conn:
            await pushes.set_account_map(
                conn, tenant.company_id, "XERO", {k: (v, "") for k, v in CODES.items()}
            )
        assert await asyncio.to_thread(cli.main, push) == 0
        assert fake.journals
