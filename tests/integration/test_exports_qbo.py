"""Pushing summary journals to (a fake of) QuickBooks Online: every
entry balances and names mapped accounts; pushing again sends nothing
new; a refused summary is FAILED with the reason and goes on the next
push; an unmapped account stops the push before anything is stored."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from service.domain.accounts import DEFAULT_CHART
from service.ledger.exports import pushes
from service.ledger.exports.summary import SummaryKind
from service.sync.qbo_push import connect_qbo, push_summaries, qbo_client
from tests.conftest import Tenant
from tests.fakes.qbo.server import FakeQbo
from tests.integration.exports_company import demo_books, far_end, first_day

SECRET = "x" * 44


async def _connected(pool: asyncpg.Pool, tenant: Tenant, fake: FakeQbo) -> None:
    async with pool.acquire() as conn:
        await connect_qbo(
            conn,
            tenant.company_id,
            SECRET,
            realm_id=fake.realm,
            base_url=fake.base_url,
            token_url=f"{fake.base_url}/oauth2/v1/tokens/bearer",
            client_id=fake.client[0],
            client_secret=fake.client[1],
            tokens={"access_token": fake.access_token, "refresh_token": fake.refresh_token},
        )


def _accounts() -> dict[str, str]:
    return {str(i): a.name for i, a in enumerate(DEFAULT_CHART.accounts, start=1)}


async def _map_all(pool: asyncpg.Pool, tenant: Tenant, skip: set[str] = frozenset()) -> None:
    mapping = {
        a.key: (str(i), a.name)
        for i, a in enumerate(DEFAULT_CHART.accounts, start=1)
        if a.key not in skip
    }
    async with pool.acquire() as conn:
        await pushes.set_account_map(conn, tenant.company_id, "QBO", mapping)


async def test_push_is_balanced_idempotent_and_retried(pool: asyncpg.Pool, tenant: Tenant) -> None:
    books = await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    async with FakeQbo(accounts=_accounts()) as fake:
        await _connected(pool, tenant, fake)
        await _map_all(pool, tenant)
        fake.expire_access_token()  # the first call refreshes the tokens
        fake.refuse_next = 1
        client = await qbo_client(pool, tenant.company_id, SECRET)
        try:
            first = await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.DAY, start=start, end=end
            )
            assert first.sent > 1 and len(first.failed) == 1
            assert "period is closed" in first.failed[0][1]
            failed = await pool.fetchval(
                "SELECT count(*) FROM summary_pushes WHERE company_id = $1 AND status = 'FAILED'",
                tenant.company_id,
            )
            assert failed == 1
            held = len(fake.entries)
            again = await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.DAY, start=start, end=end
            )
            assert again.sent == 1 and again.failed == [] and again.unchanged == first.sent
            assert len(fake.entries) == held + 1  # nothing duplicated
            assert fake.refreshes == 1
        finally:
            await client.aclose()
        # Every summary balanced; QuickBooks' balances are storebooks'.
        theirs = {k: v for k, v in fake.balances().items() if v}
        ids = {str(i): a.key for i, a in enumerate(DEFAULT_CHART.accounts, start=1)}
        rows = await pool.fetch(
            "SELECT l.account_key, sum(l.amount)::bigint AS amount FROM journal_lines l "
            "JOIN journal_entries e USING (company_id, entry_id) WHERE e.company_id = $1 "
            "AND e.journal_version = $2 GROUP BY 1",
            tenant.company_id,
            books.version,
        )
        ours = {r["account_key"]: Decimal(r["amount"]) / 100 for r in rows if r["amount"]}
        assert {ids[k]: v for k, v in theirs.items()} == ours
        # Tokens were refreshed and stored sealed.
        sealed = await pool.fetchval(
            "SELECT credentials FROM export_connections WHERE company_id = $1", tenant.company_id
        )
        assert b"refresh-2" not in sealed


async def test_a_changed_summary_updates_its_entry(pool: asyncpg.Pool, tenant: Tenant) -> None:
    await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    async with FakeQbo(accounts=_accounts()) as fake:
        await _connected(pool, tenant, fake)
        await _map_all(pool, tenant)
        client = await qbo_client(pool, tenant.company_id, SECRET)
        try:
            await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.MONTH, start=start, end=end
            )
            held = dict(fake.entries)
            await pool.execute(
                "UPDATE summary_pushes SET pushed_fingerprint = 'old' WHERE company_id = $1",
                tenant.company_id,
            )
            report = await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.MONTH, start=start, end=end
            )
            assert report.sent == len(held) and report.failed == []
            assert set(fake.entries) == set(held)
            assert all(e["SyncToken"] == "1" for e in fake.entries.values())
        finally:
            await client.aclose()


async def test_unmapped_accounts_are_listed_and_nothing_is_sent(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    async with FakeQbo(accounts=_accounts()) as fake:
        await _connected(pool, tenant, fake)
        await _map_all(pool, tenant, skip={"COGS", "INVENTORY"})
        client = await qbo_client(pool, tenant.company_id, SECRET)
        try:
            with pytest.raises(pushes.UnmappedAccounts) as err:
                await push_summaries(
                    pool, tenant.company_id, client, kind=SummaryKind.DAY, start=start, end=end
                )
        finally:
            await client.aclose()
        assert err.value.keys == ["COGS", "INVENTORY"]
        assert fake.requests == 0 and not fake.entries
        assert not await pool.fetchval(
            "SELECT count(*) FROM summary_journals WHERE company_id = $1", tenant.company_id
        )


async def test_import_files_balance_per_journal_and_list_unmapped_accounts(
    pool: asyncpg.Pool, tenant: Tenant, client: Any
) -> None:
    await demo_books(pool, tenant)
    period = {
        "from": (await first_day(pool, tenant.company_id)).isoformat(),
        "to": far_end().isoformat(),
    }
    got = await client.get("/exports/qbo-journal.csv", params=period, headers=tenant.headers)
    assert got.status_code == 400 and got.json()["field"] == "accountMap"
    assert "COGS" in got.json()["error"] and "GROSS_SALES" in got.json()["error"]
    await _map_all(pool, tenant)
    async with pool.acquire() as conn:
        await pushes.set_account_map(
            conn,
            tenant.company_id,
            "XERO",
            {a.key: (str(200 + i), "") for i, a in enumerate(DEFAULT_CHART.accounts)},
        )
    got = await client.get("/exports/qbo-journal.csv", params=period, headers=tenant.headers)
    rows = list(csv.DictReader(io.StringIO(got.text)))
    by_journal: dict[str, Decimal] = {}
    for r in rows:
        by_journal[r["Journal No."]] = (
            by_journal.get(r["Journal No."], Decimal(0))
            + Decimal(r["Debits"] or 0)
            - Decimal(r["Credits"] or 0)
        )
    assert len(by_journal) > 1 and set(by_journal.values()) == {Decimal(0)}
    got = await client.get(
        "/exports/xero-journal.csv", params={**period, "summary": "MONTH"}, headers=tenant.headers
    )
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert list(rows[0])[:6] == [
        "Narration",
        "Date",
        "Description",
        "AccountCode",
        "TaxRate",
        "Amount",
    ]
    per: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        key = (r["Narration"], r["Date"])
        per[key] = per.get(key, Decimal(0)) + Decimal(r["Amount"])
    assert set(per.values()) == {Decimal(0)}


async def test_a_change_in_a_locked_period_goes_as_an_adjustment(
    pool: asyncpg.Pool, tenant: Tenant
) -> None:
    await demo_books(pool, tenant)
    start, end = await first_day(pool, tenant.company_id), far_end()
    async with FakeQbo(accounts=_accounts()) as fake:
        await _connected(pool, tenant, fake)
        await _map_all(pool, tenant)
        client = await qbo_client(pool, tenant.company_id, SECRET)
        try:
            await push_summaries(
                pool, tenant.company_id, client, kind=SummaryKind.MONTH, start=start, end=end
            )
            held = {k: dict(v) for k, v in fake.entries.items()}
            # As if gross sales of a month had changed by 1.00 after it was sent.
            key = await pool.fetchval(
                "SELECT summary_key FROM summary_pushes WHERE company_id = $1 AND "
                'pushed_lines @> \'[{"account": "GROSS_SALES"}]\' ORDER BY summary_key LIMIT 1',
                tenant.company_id,
            )
            lines = await pool.fetchval(
                "SELECT pushed_lines FROM summary_pushes WHERE company_id = $1 "
                "AND summary_key = $2",
                tenant.company_id,
                key,
            )
            other = next(x for x in lines if x["account"] != "GROSS_SALES")
            for x in lines:
                x["amount"] += 100 if x["account"] == "GROSS_SALES" else 0
            other["amount"] -= 100
            await pool.execute(
                "UPDATE summary_pushes SET pushed_fingerprint = 'old', pushed_lines = $3 "
                "WHERE company_id = $1 AND summary_key = $2",
                tenant.company_id,
                key,
                lines,
            )
            report = await push_summaries(
                pool,
                tenant.company_id,
                client,
                kind=SummaryKind.MONTH,
                start=start,
                end=end,
                locked_through=end,
            )
        finally:
            await client.aclose()
        assert report.sent == 1 and report.failed == []
        assert all(fake.entries[k]["SyncToken"] == "0" for k in held)  # nothing rewritten
        (new,) = [v for k, v in fake.entries.items() if k not in held]
        assert new["TxnDate"] > end.isoformat()
        lines = {
            (
                ln["JournalEntryLineDetail"]["AccountRef"]["value"],
                ln["JournalEntryLineDetail"]["PostingType"],
                ln["Amount"],
            )
            for ln in new["Line"]
        }
        gross = str(1 + [a.key for a in DEFAULT_CHART.accounts].index("GROSS_SALES"))
        assert (gross, "Credit", 1.0) in lines and len(lines) == 2


SET_MAP = """mutation($input: SetExportAccountMapInput!) { setExportAccountMap(input: $input) {
  accountMap { accounts { accountKey remoteAccount } unmappedAccountKeys }
  userErrors { field code message } } }"""


async def test_account_map_through_the_api(pool: asyncpg.Pool, tenant: Tenant, gql: Any) -> None:
    await demo_books(pool, tenant)
    body = await gql(
        "{ exportAccountMap(target: QBO) { accounts { accountKey } unmappedAccountKeys } }"
    )
    unmapped = body["data"]["exportAccountMap"]["unmappedAccountKeys"]
    assert "GROSS_SALES" in unmapped and "COGS" in unmapped
    bad = await gql(
        SET_MAP,
        {
            "input": {
                "target": "QBO",
                "accounts": [
                    {"accountKey": "NOPE", "remoteAccount": "1"},
                    {"accountKey": "COGS", "remoteAccount": " "},
                ],
            }
        },
    )
    errors = bad["data"]["setExportAccountMap"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("input.accounts[0].accountKey", "NOT_FOUND"),
        ("input.accounts[1].remoteAccount", "INVALID"),
    ]
    good = await gql(
        SET_MAP,
        {
            "input": {
                "target": "QBO",
                "idempotencyKey": "map-1",
                "accounts": [
                    {"accountKey": k, "remoteAccount": str(i)}
                    for i, k in enumerate(unmapped, start=1)
                ],
            }
        },
    )
    result = good["data"]["setExportAccountMap"]
    assert result["userErrors"] == [] and result["accountMap"]["unmappedAccountKeys"] == []
