"""A store paid through PayPal and Stripe: once their records and payouts are
synced, RIP and each processor's undeposited funds are back at zero, on
cash and on accrual basis (posting rules section 11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.api.ids import decode_uuid
from service.config import Settings
from service.ledger.processor_payouts import paypal_payouts, stripe_payouts
from service.ledger.verify import verify_company
from service.sync.processors import run_processor_sync
from tests.conftest import GraphQL, Tenant
from tests.e2e.test_seed_statements import _at, _order, _pay, _refund, _ship
from tests.fakes.paypal import FakePayPal, PayPalAccount
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.server import FakeShopify
from tests.fakes.stripe import FakeStripe, StripeAccount
from tests.integration.shopify_helpers import connect, deliveries, post_webhook, process_pending

PAYPAL_ORDERS = [(5001 + n, f"2025-03-{2 + 2 * n:02d}", 2500 + 700 * n) for n in range(10)]
STRIPE_ORDERS = [(6001 + n, f"2025-03-{3 + 2 * n:02d}", 1900 + 1100 * n) for n in range(10)]
PAYPAL_REFUNDED, STRIPE_REFUNDED = 5004, 6005
STRIPE_DISPUTED, STRIPE_DISPUTE_WON = 6007, 6008
# Payments that name no order: Shopify's transaction carries the processor's
# id of the payment (PayPal's transaction id, Stripe's payment intent).
AUTHORIZED = {
    5009: "9PA12345AB6789012",
    5010: "9PA12345AB6789013",
    6010: "pi_3PStore6010Intent",
}

CONNECT = """mutation($input: ConnectProcessorAccountInput!) {
  connectProcessorAccount(input: $input) { account { id processor }
    syncRun { id status } userErrors { field code message } } }"""
RUNS = """query($a: ID) { processorSyncRuns(accountId: $a) { edges { node {
  status recordsSynced payoutsSynced needsReview errors } } } }"""
PAYOUTS = (
    """{ processorPayouts { processor payoutId payoutDate amount { amount currencyCode } } }"""
)
TB = """{ trialBalance(from: "2025-01-01", to: "2026-12-31")
  { lines { accountKey debit { amount } credit { amount } } } }"""
BASIS = """mutation($b: AccountingBasis!) { updateBookkeepingSettings(input: {accountingBasis: $b})
  { userErrors { field } } }"""


def _fee(cents: int) -> int:
    return round(cents * 0.029) + 30


def _paypal_account() -> PayPalAccount:
    pp = PayPalAccount()
    sales = {}
    for oid, day, price in PAYPAL_ORDERS:
        amount = Decimal(price) / 100
        invoice = None if oid in AUTHORIZED else f"#{oid}"
        fee = Decimal(_fee(price)) / 100
        sales[oid] = pp.sale(_at(day), amount, fee, invoice, AUTHORIZED.get(oid))
    oid, day, price = PAYPAL_ORDERS[PAYPAL_REFUNDED - 5001]
    pp.refund(_at("2025-03-28", 18), sales[oid], Decimal(price) / 100, Decimal("0.30"))
    hold_at = _at("2025-03-29", 9)
    pp.add("T1110", hold_at, Decimal("-50.00"))  # held for a dispute investigation
    pp.add("T1111", hold_at + dt.timedelta(days=1), Decimal("50.00"))  # and released
    pp.add("T0106", _at("2025-03-30", 10), Decimal("-4.95"))  # a fee on its own
    pp.withdraw(_at("2025-03-31", 12))
    return pp


def _stripe_account() -> StripeAccount:
    st = StripeAccount()
    charges = {}
    for oid, day, price in STRIPE_ORDERS:
        named = None if oid in AUTHORIZED else str(oid)
        charges[oid] = st.charge(_at(day), price, _fee(price), named, AUTHORIZED.get(oid))
    price = STRIPE_ORDERS[STRIPE_REFUNDED - 6001][2]
    st.refund(_at("2025-03-29", 18), charges[STRIPE_REFUNDED], price)
    st.dispute(_at("2025-03-27", 8), charges[STRIPE_DISPUTED], 4000)
    st.dispute(_at("2025-03-26", 8), charges[STRIPE_DISPUTE_WON], 3000, won=True)
    st.stripe_fee(_at("2025-03-30", 8), 200)
    st.payout(_at("2025-04-20", 4))
    return st


@pytest.fixture
async def store(
    gql: GraphQL, tenant: Tenant, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> AsyncIterator[str]:
    """Twenty paid, shipped web orders over March 2025: ten through PayPal,
    ten through Stripe, one of each refunded in full."""
    empty = generate_shop(0, seed=14)
    empty.domain = domain = f"proc-{tenant.company_id.hex[:8]}.myshopify.com"
    async with FakeShopify(empty) as fake:
        connected = await connect(gql, domain, fake.base_url)
        for gateway, orders, refunded in (
            ("paypal", PAYPAL_ORDERS, PAYPAL_REFUNDED),
            ("stripe", STRIPE_ORDERS, STRIPE_REFUNDED),
        ):
            for oid, day, price in orders:
                o = _order(oid, day, price)
                _pay(o, day, price, gateway=gateway).authorization = AUTHORIZED.get(oid)
                _ship(o, day)
                if oid == refunded:
                    _refund(
                        o,
                        "2025-03-28" if gateway == "paypal" else "2025-03-29",
                        price,
                        gateway=gateway,
                    )
                for n, (topic, body) in enumerate(deliveries(o)):
                    await post_webhook(client, domain, topic, body, f"{o.id}-{n}")
        await process_pending(pool, tenant.company_id)
        yield connected["store"]["id"]


async def _clearing(pool: asyncpg.Pool, company_id: UUID) -> dict[tuple[str, str], int]:
    rows = await pool.fetch(
        "SELECT l.account_key, l.processor, sum(l.amount) AS total FROM journal_lines l "
        "JOIN journal_entries e USING (company_id, entry_id) JOIN books b USING (company_id) "
        "WHERE l.company_id = $1 AND e.journal_version = b.current_version "
        "AND l.account_key IN ('RIP', 'UNDEPOSITED_FUNDS') "
        "GROUP BY l.account_key, l.processor",
        company_id,
    )
    return {(r["account_key"], r["processor"]): int(r["total"]) for r in rows}


async def _balances(gql: GraphQL) -> dict[str, Decimal]:
    lines = (await gql(TB))["data"]["trialBalance"]["lines"]
    return {
        ln["accountKey"]: Decimal(ln["debit"]["amount"]) - Decimal(ln["credit"]["amount"])
        for ln in lines
    }


async def _connect(gql: GraphQL, fields: dict[str, Any]) -> dict[str, Any]:
    body = await gql(CONNECT, {"input": fields})
    payload: dict[str, Any] = body["data"]["connectProcessorAccount"]
    assert payload["userErrors"] == [], payload
    return payload


async def test_paypal_and_stripe_clear_rip_and_undeposited_funds_on_both_bases(
    gql: GraphQL,
    store: str,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    before = await _clearing(pool, tenant.company_id)
    assert before[("RIP", "paypal")] > 0 and before[("RIP", "stripe")] > 0
    async with (
        FakePayPal(_paypal_account(), client_id="AZ-client", secret="EP-secret") as paypal,
        FakeStripe(_stripe_account(), api_key="sk_test_51Hstore") as stripe,
    ):
        pp = await _connect(
            gql,
            {
                "processor": "PAYPAL",
                "storeId": store,
                "clientId": "AZ-client",
                "clientSecret": "EP-secret",
                "baseUrl": paypal.base_url,
            },
        )
        await _connect(
            gql,
            {
                "processor": "STRIPE",
                "storeId": store,
                "secretKey": "sk_test_51Hstore",
                "syncFrom": "2025-02-15",
                "baseUrl": stripe.base_url,
            },
        )
        await run_worker()
    runs = (await gql(RUNS, {"a": pp["account"]["id"]}))["data"]["processorSyncRuns"]["edges"]
    assert [r["node"]["status"] for r in runs] == ["SUCCEEDED"]
    assert runs[0]["node"]["recordsSynced"] == 14 and runs[0]["node"]["payoutsSynced"] == 1
    assert runs[0]["node"]["needsReview"] == 0

    for basis in ("CASH", "ACCRUAL"):
        if basis == "ACCRUAL":
            body = await gql(BASIS, {"b": "ACCRUAL"})
            assert body["data"]["updateBookkeepingSettings"]["userErrors"] == []
            await run_worker()
        clearing = await _clearing(pool, tenant.company_id)
        assert {k: v for k, v in clearing.items() if v} == {}, (basis, clearing)
        balances = await _balances(gql)
        assert balances.get("RIP", Decimal(0)) == 0
        assert balances.get("UNDEPOSITED_FUNDS", Decimal(0)) == 0
        assert balances["CHARGEBACKS"] == Decimal("40.00")  # the dispute lost; the won one nets out
        assert (await verify_company(pool, tenant.company_id)).problems == []

    payouts = (await gql(PAYOUTS))["data"]["processorPayouts"]
    assert [(p["processor"], p["payoutDate"]) for p in payouts] == [
        ("PAYPAL", "2025-03-31"),
        ("STRIPE", "2025-04-22"),
    ]
    rows = await paypal_payouts(pool, tenant.company_id) + await stripe_payouts(
        pool, tenant.company_id, dt.date(2025, 4, 1), dt.date(2025, 4, 30)
    )
    assert [r.processor for r in rows] == ["paypal", "stripe"]
    assert all(r.amount > 0 and r.currency == "USD" and r.status == "paid" for r in rows)
    linked = await pool.fetch(
        "SELECT record->>'order_id' AS order_id FROM processor_records WHERE company_id = $1 "
        "AND record_type = 'balance_transaction' AND record->>'type' IN ('payment', 'charge', "
        "'refund', 'dispute', 'dispute_won') AND (record->>'amount')::bigint <> 0",
        tenant.company_id,
    )
    assert all(r["order_id"] for r in linked) and len(linked) == 25
    by_id = await pool.fetchval(
        "SELECT array_agg(record->>'order_id' ORDER BY record_id) FROM processor_records "
        "WHERE company_id = $1 AND record_id = any($2::text[])",
        tenant.company_id,
        [f"paypal:{t}" for t in AUTHORIZED.values()],
    )
    assert by_id == ["5009", "5010"]
    price_6010 = STRIPE_ORDERS[-1][2]
    assert (
        await pool.fetchval(
            "SELECT record->>'order_id' FROM processor_records WHERE company_id = $1 "
            "AND record->>'processor' = 'stripe' AND (record->>'amount')::bigint = $2",
            tenant.company_id,
            price_6010,
        )
        == "6010"
    )
    paid_out = await pool.fetch(
        "SELECT DISTINCT record->>'payout_id' AS payout FROM processor_records "
        "WHERE company_id = $1 AND record_type = 'balance_transaction' "
        "AND record->>'processor' = 'stripe'",
        tenant.company_id,
    )
    assert [r["payout"] for r in paid_out] == [f"stripe:{payouts[1]['payoutId']}"]


ACCOUNTS = "{ processorAccounts { id processor syncedThrough } }"
REVIEW = """{ processorRecordsNeedingReview(processor: "paypal")
  { processor recordId type amount { amount } } }"""
SYNC = """mutation($id: ID!) { syncProcessorAccount(input: {accountId: $id})
  { syncRun { id status } userErrors { field code } } }"""


async def test_bad_input_is_refused_and_a_refused_login_is_a_failed_run_with_reason(
    gql: GraphQL,
    store: str,
    tenant: Tenant,
    pool: asyncpg.Pool,
    settings: Settings,
    run_worker: Callable[[], Awaitable[None]],
) -> None:
    refusals = [
        ({"processor": "PAYPAL", "storeId": store, "clientId": "x"}, "input.clientSecret"),
        ({"processor": "STRIPE", "storeId": store, "secretKey": "pk_live_1"}, "input.secretKey"),
        ({"processor": "STRIPE", "storeId": "U3RvcmU6MQ==", "secretKey": "sk_1"}, "input.storeId"),
        (
            {
                "processor": "STRIPE",
                "storeId": store,
                "secretKey": "sk_1",
                "syncFrom": "2199-01-01",
            },
            "input.syncFrom",
        ),
    ]
    for fields, field in refusals:
        body = await gql(CONNECT, {"input": fields})
        errors = body["data"]["connectProcessorAccount"]["userErrors"]
        assert [e["field"] for e in errors] == [field], errors
    assert (await gql(ACCOUNTS))["data"]["processorAccounts"] == []

    paypal_data = _paypal_account()
    async with FakePayPal(paypal_data, client_id="AZ", secret="right") as fake:
        fields = {"processor": "PAYPAL", "storeId": store, "clientId": "AZ"}
        await _connect(gql, {**fields, "clientSecret": "wrong", "baseUrl": fake.base_url})
        await run_worker()
        failed = (await gql(RUNS, {"a": None}))["data"]["processorSyncRuns"]["edges"][0]["node"]
        assert failed["status"] == "FAILED"
        assert "invalid_client" in failed["errors"][0]["message"]
        assert (await _clearing(pool, tenant.company_id))[("RIP", "paypal")] > 0

        account = await _connect(gql, {**fields, "clientSecret": "right", "baseUrl": fake.base_url})
        # A first sync with no time to spare goes a span (31 days) a step.
        run_id = decode_uuid(account["syncRun"]["id"], "ProcessorSyncRun")
        assert run_id is not None
        steps = []
        while not steps or steps[-1] == "CONTINUE":
            steps.append(
                await run_processor_sync(
                    pool, settings.resolved_secret_key(), tenant.company_id, run_id, step_seconds=0
                )
            )
        assert steps[-1] == "SUCCEEDED" and len(steps) > 12, steps
        await run_worker()  # its queued job finds the run over
        # Later the same day: a hold and its release, read by an incremental sync.
        now = dt.datetime.now(dt.UTC)
        paypal_data.add("T1503", now - dt.timedelta(hours=2), Decimal("-10.00"))
        paypal_data.add("T1105", now - dt.timedelta(hours=1), Decimal("10.00"))
        odd = paypal_data.add("T9700", now - dt.timedelta(minutes=30), Decimal("1.00"))
        paypal_data.currency = "EUR"  # a payment held in a second currency balance
        paypal_data.sale(now - dt.timedelta(minutes=20), Decimal("5.00"), Decimal("0.45"), None)
        body = await gql(SYNC, {"id": account["account"]["id"]})
        assert body["data"]["syncProcessorAccount"]["userErrors"] == []
        await run_worker()
        runs = (await gql(RUNS, {"a": None}))["data"]["processorSyncRuns"]["edges"]
        # A record PayPal sends malformed stops the run, naming it; nothing of its span is kept.
        bad = paypal_data.add("T0006", now - dt.timedelta(minutes=5), Decimal("2.00"))
        paypal_data.records[-1]["transaction_amount"]["value"] = "2.001"
        await gql(SYNC, {"id": account["account"]["id"]})
        await run_worker()
    last = (await gql(RUNS, {"a": None}))["data"]["processorSyncRuns"]["edges"][0]["node"]
    assert last["status"] == "FAILED"
    assert f"PayPal transaction {bad}.transaction_amount" in last["errors"][0]["message"]
    assert [r["node"]["status"] for r in runs] == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    assert runs[0]["node"]["recordsSynced"] == 4  # only the overlap window was read again
    assert runs[0]["node"]["needsReview"] == 1
    assert "1 record(s) in EUR are stored but not posted" in runs[0]["node"]["errors"][0]["message"]
    stored = await pool.fetchval(
        "SELECT count(*) FROM processor_records WHERE company_id = $1 "
        "AND record->>'processor' = 'paypal'",
        tenant.company_id,
    )
    assert stored == 14 + 4 + 1
    # The record of a type the rules do not know is parked against RIP, listed for review.
    clearing = await _clearing(pool, tenant.company_id)
    assert clearing[("RIP", "paypal")] == -100
    assert clearing[("UNDEPOSITED_FUNDS", "paypal")] == 100
    review = (await gql(REVIEW))["data"]["processorRecordsNeedingReview"]
    assert review == [
        {"processor": "paypal", "recordId": odd, "type": "T9700", "amount": {"amount": "1.00"}}
    ]
    accounts = (await gql(ACCOUNTS))["data"]["processorAccounts"]
    assert [a["processor"] for a in accounts] == ["PAYPAL"] and accounts[0]["syncedThrough"]
