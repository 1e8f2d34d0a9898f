"""The bank feed through the API, in both bases: bank accounts, OFX / CSV /
camt.053 imports, payouts matched, deposits linked to orders paid by bank
transfer and cash on delivery, categorised lines and rules, and the
reconciliations. A store whose customers pay offline ends the year with AR
equal to what is really unpaid, and no deposit is counted twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from service.domain.events import (
    Event,
    Fulfillment,
    FulfillmentLine,
    PaymentMethod,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.order import LineItem, Order
from service.domain.processor import BalanceTransaction, Payout
from service.ledger.codec import encode
from service.ledger.kept_subjects import repost_kept_subject
from service.ledger.order_posting import repost_order
from service.ledger.processor_posting import repost_processor_record
from service.ledger.verify import verify_company
from tests.conftest import GraphQL, Tenant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
MONEY = "{ amount currencyCode }"
ERRORS = "userErrors { field code message }"
LINE = f"id date amount {MONEY} description payee explanation account processor payoutId"

CREATE_ACCOUNT = f"""mutation($input: CreateBankAccountInput!) {{
  createBankAccount(input: $input) {{ bankAccount {{ id accountKey currencyCode }} {ERRORS} }} }}"""
MAPPING = f"""mutation($input: SetBankCsvMappingInput!) {{
  setBankCsvMapping(input: $input) {{ bankAccount {{ id hasCsvMapping }} {ERRORS} }} }}"""
IMPORT = f"""mutation($input: ImportBankStatementInput!) {{
  importBankStatement(input: $input) {{ format linesRead linesNew duplicates matched categorised
  {ERRORS} }} }}"""
LINES = f"""query($account: ID, $unexplained: Boolean!) {{
  bankLines(first: 100, bankAccountId: $account, unexplainedOnly: $unexplained) {{
  totalCount nodes {{ {LINE} }} }} }}"""
ACTION = f"""mutation($input: ApplyOrderActionInput!) {{
  applyOrderAction(input: $input) {{ orders {{ id name openBalance {MONEY} }} {ERRORS} }} }}"""
CATEGORISE = f"""mutation($input: CategoriseBankLineInput!) {{
  categoriseBankLine(input: $input) {{ bankLine {{ {LINE} }} {ERRORS} }} }}"""
UNEXPLAIN = f"""mutation($input: UnexplainBankLineInput!) {{
  unexplainBankLine(input: $input) {{ bankLine {{ explanation }} {ERRORS} }} }}"""
ORDERS = f"""{{ orders(first: 50, filter: {{tab: UNPAID}}) {{
  nodes {{ id name openBalance {MONEY} }} }} }}"""
ALL_ORDERS = """{ orders(first: 50) { nodes { id name } } }"""
TRIAL = """query($to: Date!) { trialBalance(from: "2025-01-01", to: $to) {
  lines { accountKey debit { amount } credit { amount } } } }"""
RECON = f"""query($account: ID!, $asOf: Date!) {{ bankReconciliation(bankAccountId: $account,
  asOf: $asOf) {{ statementBalance {MONEY} bankClosingBalance {MONEY} booksBalance {MONEY}
  difference {MONEY} unexplainedLines {{ description }} }} }}"""
CLEARING = f"""query($asOf: Date!) {{ clearingAccounts(asOf: $asOf) {{ accountKey processor
  balance {MONEY} items {{ kind reference amount {MONEY} }} }} }}"""
SETTINGS = """mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) {
  userErrors { field } } }"""
SUGGEST = f"""query($id: ID!) {{ bankLine(id: $id) {{ suggestions {{
  orders {{ name }} payouts {{ payoutId amount {MONEY} }} }} }} }}"""

PLACED = dt.datetime(2025, 1, 2, 15, tzinfo=dt.UTC)


def _order(store: UUID, n: int, price: int, gateway: str, method: PaymentMethod) -> OrderHistory:
    order = Order(
        id=str(n),
        store_id=str(store),
        currency="USD",
        timezone="UTC",
        placed_at=PLACED,
        lines=(LineItem(f"L{n}", "MUG", 1, price, title="Mug"),),
        name=f"#{n}",
    )
    events: list[Event] = [
        Transaction(f"T{n}", PLACED, TransactionKind.SALE, price, gateway, method),
        Fulfillment(f"F{n}", PLACED, (FulfillmentLine(f"L{n}", 1),)),
    ]
    return OrderHistory(order, tuple(events))


async def _store_activity(pool: asyncpg.Pool, tenant: Tenant) -> None:
    """Four offline orders and one paid through Shopify Payments, with its
    processor record and payout, stored as the sync stores them."""
    store = tenant.store_id
    offline = PaymentMethod.MANUAL
    histories = [
        _order(store, 1001, 4000, "Bank Deposit", offline),
        _order(store, 1002, 8400, "Cash on Delivery (COD)", offline),
        _order(store, 1003, 6000, "Cash on Delivery (COD)", offline),
        _order(store, 1004, 3000, "Cash on Delivery (COD)", offline),
        _order(store, 1005, 25000, "shopify_payments", PaymentMethod.PROCESSOR),
    ]
    charge = BalanceTransaction(
        "bt1", "shopify_payments", "charge", PLACED, 25000, 0, "USD", "1005"
    )
    payout = Payout("P1", "shopify_payments", dt.date(2025, 1, 7), 25000, 0, "USD")
    async with pool.acquire() as conn, conn.transaction():
        for h in histories:
            await conn.execute(
                "INSERT INTO order_sources (company_id, store_id, order_id, history) "
                "VALUES ($1, $2, $3, $4)",
                tenant.company_id,
                store,
                h.order.id,
                encode(h),
            )
            await repost_order(conn, tenant.company_id, store, h.order.id)
        for kind, rec in (("balance_transaction", charge), ("payout", payout)):
            await conn.execute(
                "INSERT INTO processor_records (company_id, store_id, record_type, record_id, "
                "record) VALUES ($1, $2, $3, $4, $5)",
                tenant.company_id,
                store,
                kind,
                rec.id,
                encode(rec),
            )
            await repost_processor_record(conn, tenant.company_id, store, kind, rec.id)


def _ok(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][field]
    assert payload.get("userErrors", []) == [], payload
    return payload


async def _account(gql: GraphQL, key: str, opening: str, currency: str = "USD") -> str:
    body = await gql(
        CREATE_ACCOUNT,
        {
            "input": {
                "accountKey": key,
                "name": key.title(),
                "currencyCode": currency,
                "openingDate": "2025-01-01",
                "openingBalance": opening,
            }
        },
    )
    account_id: str = _ok(body, "createBankAccount")["bankAccount"]["id"]
    return account_id


async def _import(gql: GraphQL, account: str, content: str) -> dict[str, Any]:
    body = await gql(IMPORT, {"input": {"bankAccountId": account, "content": content}})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["importBankStatement"]
    return result


async def _lines(gql: GraphQL, account: str | None, unexplained: bool = False) -> list[Any]:
    body = await gql(LINES, {"account": account, "unexplained": unexplained})
    assert "errors" not in body, body
    nodes: list[Any] = body["data"]["bankLines"]["nodes"]
    return nodes


def _by_text(lines: list[Any], text: str) -> dict[str, Any]:
    found: dict[str, Any] = next(x for x in lines if text in x["description"])
    return found


async def _order_ids(gql: GraphQL) -> dict[str, str]:
    nodes = (await gql(ALL_ORDERS))["data"]["orders"]["nodes"]
    return {o["name"]: o["id"] for o in nodes}


async def _balances(gql: GraphQL, to: str = "2025-12-31") -> dict[str, str]:
    lines = (await gql(TRIAL, {"to": to}))["data"]["trialBalance"]["lines"]
    out = {}
    for ln in lines:
        net = Decimal(ln["debit"]["amount"]) - Decimal(ln["credit"]["amount"])
        if net:
            out[ln["accountKey"]] = str(net)
    return out


@pytest.mark.parametrize("basis", ["CASH", "ACCRUAL"])
async def test_a_year_of_offline_payments_ends_with_ar_what_is_unpaid(
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
    basis: str,
) -> None:
    if basis == "ACCRUAL":
        _ok(await gql(SETTINGS), "updateBookkeepingSettings")
        await run_worker()
    await _store_activity(pool, tenant)
    checking = await _account(gql, "BANK_CHECKING", "1000.00")
    savings = await _account(gql, "BANK_SAVINGS", "0")
    _ok(
        await gql(
            "mutation($i: CreateAccountInput!) { createAccount(input: $i) { userErrors { code } } "
            "}",
            {"i": {"key": "RENT", "name": "Rent", "type": "EXPENSE"}},
        ),
        "createAccount",
    )

    # OFX: a bank transfer for #1001 (less a $1 fee), the Shopify payout, rent.
    ofx = (FIXTURES / "checking_2025_01.ofx").read_text()
    first = await _import(gql, checking, ofx)
    assert first["userErrors"] == []
    assert (first["format"], first["linesNew"], first["matched"]) == ("OFX", 3, 1)
    again = await _import(gql, checking, ofx)
    assert (again["linesNew"], again["duplicates"]) == (0, 3)
    lines = await _lines(gql, checking)
    assert len(lines) == 3
    payout_line = _by_text(lines, "SHOPIFY")
    assert (payout_line["explanation"], payout_line["payoutId"]) == ("PAYOUT", "P1")

    orders = await _order_ids(gql)
    wire = _by_text(lines, "WIRE")
    suggested = (await gql(SUGGEST, {"id": wire["id"]}))["data"]["bankLine"]["suggestions"]
    assert suggested["orders"] == []  # 39.00 is no order's open balance
    link = {
        "orderIds": [orders["#1001"]],
        "action": "LINK_PAYMENT",
        "bankLineId": wire["id"],
    }
    refused = (await gql(ACTION, {"input": link}))["data"]["applyOrderAction"]["userErrors"]
    assert refused[0]["field"] == "input.differenceAccount"
    link["differenceAccount"] = "BANK_FEES"
    linked = _ok(await gql(ACTION, {"input": link}), "applyOrderAction")
    assert linked["orders"][0]["openBalance"]["amount"] == "0.00"
    used = (await gql(ACTION, {"input": {**link, "orderIds": [orders["#1004"]]}}))["data"]
    assert used["applyOrderAction"]["userErrors"][0]["code"] == "ALREADY_EXPLAINED"

    rent = _by_text(lines, "RENT")
    sub_ledger = await gql(
        CATEGORISE,
        {"input": {"bankLineId": rent["id"], "category": "ACCOUNT", "accountKey": "AR"}},
    )
    assert sub_ledger["data"]["categoriseBankLine"]["userErrors"][0]["code"] == "NOT_APPLICABLE"
    categorised = await gql(
        CATEGORISE,
        {
            "input": {
                "bankLineId": rent["id"],
                "category": "ACCOUNT",
                "accountKey": "RENT",
                "saveRule": True,
            }
        },
    )
    assert _ok(categorised, "categoriseBankLine")["bankLine"]["account"] == "RENT"

    # CSV: the mapping is saved once per account; a bad row refuses the file.
    mapping = {
        "bankAccountId": checking,
        "date": "Date",
        "description": "Description",
        "amount": "Amount",
        "payee": "Payee",
        "reference": "Reference",
    }
    _ok(await gql(MAPPING, {"input": mapping}), "setBankCsvMapping")
    csv_text = (FIXTURES / "checking_2025_02.csv").read_text()
    bad = await _import(gql, checking, csv_text.replace("84.00", "84.0x"))
    assert bad["userErrors"][0]["field"] == "input.file: row 3"
    assert len(await _lines(gql, checking)) == 3
    feb = await _import(gql, checking, csv_text)
    assert (feb["linesNew"], feb["categorised"]) == (4, 1)  # the rent rule
    lines = await _lines(gql, checking)
    assert _by_text(lines, "RENT FEB")["account"] == "RENT"

    for text, name in (("COD REMITTANCE", "#1002"), ("CASH DEPOSIT", "#1003")):
        deposit = _by_text(lines, text)
        action = {"orderIds": [orders[name]], "action": "LINK_PAYMENT", "bankLineId": deposit["id"]}
        _ok(await gql(ACTION, {"input": action}), "applyOrderAction")

    # Unlinking re-posts: #1002 is unpaid again, then linked again.
    unlink = {"orderIds": [orders["#1002"]], "action": "UNLINK_PAYMENT"}
    _ok(await gql(ACTION, {"input": unlink}), "applyOrderAction")
    listed = await gql(ORDERS)
    assert "errors" not in listed, listed
    unpaid = {o["name"] for o in listed["data"]["orders"]["nodes"]}
    assert unpaid == {"#1002", "#1004"}
    cod = _by_text(lines, "COD REMITTANCE")
    again_link = {"orderIds": [orders["#1002"]], "action": "LINK_PAYMENT", "bankLineId": cod["id"]}
    _ok(await gql(ACTION, {"input": again_link}), "applyOrderAction")

    transfer = _by_text(lines, "TRANSFER TO SAVINGS")
    moved = await gql(
        CATEGORISE,
        {
            "input": {
                "bankLineId": transfer["id"],
                "category": "TRANSFER",
                "otherBankAccountId": savings,
            }
        },
    )
    assert _ok(moved, "categoriseBankLine")["bankLine"]["explanation"] == "TRANSFER"
    # The savings account's own statement shows the same transfer: it is
    # the other side, and posts nothing more.
    savings_csv = "Date,Description,Amount\n2025-02-12,TRANSFER FROM CHECKING,100.00\n"
    savings_map = {
        "bankAccountId": savings,
        "date": "Date",
        "description": "Description",
        "amount": "Amount",
    }
    _ok(await gql(MAPPING, {"input": savings_map}), "setBankCsvMapping")
    assert (await _import(gql, savings, savings_csv))["linesNew"] == 1
    side = (await _lines(gql, savings))[0]
    side_done = await gql(
        CATEGORISE,
        {
            "input": {
                "bankLineId": side["id"],
                "category": "TRANSFER",
                "otherBankAccountId": checking,
            }
        },
    )
    assert _ok(side_done, "categoriseBankLine")["bankLine"]["explanation"] == "TRANSFER_SIDE"

    # Every line is explained exactly once.
    assert await _lines(gql, None, unexplained=True) == []
    all_lines = await _lines(gql, None)
    assert len(all_lines) == 8
    assert all(x["explanation"] != "UNEXPLAINED" for x in all_lines)

    unpaid_orders = (await gql(ORDERS))["data"]["orders"]["nodes"]
    assert [(o["name"], o["openBalance"]["amount"]) for o in unpaid_orders] == [("#1004", "30.00")]
    balances = await _balances(gql)
    # Opening 1000 + 39 + 250 - 120 + 60 + 84 - 120 - 100.
    assert balances["BANK_CHECKING"] == "1093.00"
    assert balances["BANK_SAVINGS"] == "100.00"
    assert "BANK" not in balances  # no deposit counted twice, nothing in transit
    assert "UNDEPOSITED_FUNDS" not in balances and "RIP" not in balances
    assert balances["BANK_FEES"] == "1.00"
    assert balances["RENT"] == "240.00"
    if basis == "ACCRUAL":
        assert balances["AR"] == "30.00"  # exactly what #1004 still owes
        assert balances["GROSS_SALES"] == "-464.00"
    else:
        assert "AR" not in balances
        assert balances["GROSS_SALES"] == "-434.00"  # #1004 not yet paid

    recon = (await gql(RECON, {"account": checking, "asOf": "2025-01-31"}))["data"]
    rec = recon["bankReconciliation"]
    assert rec["bankClosingBalance"]["amount"] == "1169.00"
    assert rec["booksBalance"]["amount"] == "1169.00"
    assert rec["difference"]["amount"] == "0.00"
    clearing = (await gql(CLEARING, {"asOf": "2025-12-31"}))["data"]["clearingAccounts"]
    assert {(c["accountKey"], c["balance"]["amount"]) for c in clearing} == {
        ("RIP", "0.00"),
        ("UNDEPOSITED_FUNDS", "0.00"),
        ("BANK", "0.00"),
    }

    # A full re-post (a basis switch) and verify keep every bank posting.
    before = await _balances(gql)
    other = "CASH" if basis == "ACCRUAL" else "ACCRUAL"
    switch = SETTINGS.replace("ACCRUAL", other)
    _ok(await gql(switch), "updateBookkeepingSettings")
    await run_worker()
    _ok(await gql(switch.replace(other, basis)), "updateBookkeepingSettings")
    await run_worker()
    assert await _balances(gql) == before
    assert (await verify_company(pool, tenant.company_id)).clean


async def test_bad_files_are_refused_whole(gql: GraphQL, tenant: Tenant) -> None:
    checking = await _account(gql, "BANK_CHECKING", "0")
    unknown = await _import(gql, checking, "just some text\n1,2,3\n")
    assert unknown["userErrors"][0]["code"] == "UNKNOWN_FORMAT"
    camt = (FIXTURES / "camt053_eur_2025_01.xml").read_text()
    mismatch = await _import(gql, checking, camt)
    assert mismatch["userErrors"][0]["code"] == "CURRENCY_MISMATCH"
    bad_ofx = (FIXTURES / "checking_2025_01.ofx").read_text().replace("-120.00", "-12O.00")
    refused = await _import(gql, checking, bad_ofx)
    assert refused["userErrors"][0]["field"] == "input.file: transaction 3 (FITID 202501150001)"
    assert await _lines(gql, checking) == []


async def test_camt053_lines_and_closing_balance(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    dollars = await gql(
        CREATE_ACCOUNT,
        {
            "input": {
                "accountKey": "BANK_EURO",
                "name": "Euro",
                "currencyCode": "EUR",
                "openingDate": "2025-01-01",
            }
        },
    )
    assert dollars["data"]["createBankAccount"]["userErrors"][0]["code"] == "CURRENCY_MISMATCH"
    await pool.execute(
        "UPDATE stores SET currency_code = 'EUR' WHERE company_id = $1", tenant.company_id
    )
    euro = await _account(gql, "BANK_EURO", "1000.00", "EUR")
    camt = (FIXTURES / "camt053_eur_2025_01.xml").read_text()
    result = await _import(gql, euro, camt)
    assert (result["format"], result["linesNew"]) == ("CAMT053", 2)
    lines = await _lines(gql, euro)
    assert [(x["amount"]["amount"], x["payee"]) for x in lines] == [
        ("84.50", "Erika Mustermann"),
        ("-20.00", ""),
    ]
    rec = (await gql(RECON, {"account": euro, "asOf": "2025-01-31"}))["data"]
    r = rec["bankReconciliation"]
    assert r["bankClosingBalance"]["amount"] == "1064.50"
    assert r["statementBalance"]["amount"] == "1064.50"
    assert r["difference"]["amount"] == "64.50"  # the two lines still to explain
    assert len(r["unexplainedLines"]) == 2
    listed = await gql(
        "{ bankAccounts { accountKey statementBalances { date closingBalance { amount } } } }"
    )
    assert listed["data"]["bankAccounts"] == [
        {
            "accountKey": "BANK_EURO",
            "statementBalances": [{"date": "2025-01-31", "closingBalance": {"amount": "1064.50"}}],
        }
    ]


RULE = f"""mutation($input: CreateBankRuleInput!) {{
  createBankRule(input: $input) {{ ruleId applied {ERRORS} }} }}"""
DELETE_RULE = f"""mutation($input: DeleteBankRuleInput!) {{
  deleteBankRule(input: $input) {{ ruleId {ERRORS} }} }}"""
RULES = """{ bankRules { id payeeContains accountKey amount { amount } } }"""
MATCH = f"""mutation {{ matchBankLines(input: {{}}) {{ matched {ERRORS} }} }}"""
MATCH_ONE = f"""mutation($input: MatchBankLineToPayoutInput!) {{
  matchBankLineToPayout(input: $input) {{ bankLine {{ explanation payoutId }} {ERRORS} }} }}"""
LISTS = f"""query($asOf: Date!) {{ payoutsWithoutDeposit(asOf: $asOf) {{ payoutId processor
  amount {MONEY} }} processorDepositsWithoutPayout {{ processor line {{ description }} }} }}"""


async def _add_payout(pool: asyncpg.Pool, tenant: Tenant, payout: Payout) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO processor_records (company_id, store_id, record_type, record_id, "
            "record) VALUES ($1, $2, 'payout', $3, $4)",
            tenant.company_id,
            tenant.store_id,
            payout.id,
            encode(payout),
        )
        await repost_processor_record(conn, tenant.company_id, tenant.store_id, "payout", payout.id)


@pytest.mark.parametrize("basis", ["CASH", "ACCRUAL"])
async def test_store_cash_bulk_links_rules_and_payout_lists(
    gql: GraphQL,
    tenant: Tenant,
    pool: asyncpg.Pool,
    run_worker: Callable[[], Awaitable[None]],
    basis: str,
) -> None:
    if basis == "ACCRUAL":
        _ok(await gql(SETTINGS), "updateBookkeepingSettings")
        await run_worker()
    await _store_activity(pool, tenant)
    checking = await _account(gql, "BANK_CHECKING", "0")
    csv_text = (
        "Date,Description,Amount\n"
        "2025-03-02,COUNTER CASH DEPOSIT,25.00\n"
        "2025-03-03,MOBILE DEPOSIT COD BATCH,143.00\n"
        "2025-03-04,PAYPAL TRANSFER,12.00\n"
        "2025-03-05,SHOPIFY TRANSFER,70.00\n"
        "2025-03-06,GUSTO PAYROLL,-900.00\n"
        "2025-03-07,GUSTO PAYROLL,-900.00\n"
    )
    mapping = {
        "bankAccountId": checking,
        "date": "Date",
        "description": "Description",
        "amount": "Amount",
    }
    _ok(await gql(MAPPING, {"input": mapping}), "setBankCsvMapping")
    assert (await _import(gql, checking, csv_text))["linesNew"] == 6
    lines = await _lines(gql, checking)

    # Cash for store orders, no order named.
    cash = _by_text(lines, "COUNTER CASH")
    before = await _balances(gql)
    done = await gql(CATEGORISE, {"input": {"bankLineId": cash["id"], "category": "STORE_CASH"}})
    assert _ok(done, "categoriseBankLine")["bankLine"]["explanation"] == "STORE_CASH"
    after = await _balances(gql)
    credited = "GROSS_SALES" if basis == "CASH" else "AR"
    assert Decimal(after[credited]) - Decimal(before[credited]) == Decimal("-25.00")
    assert after["BANK_CHECKING"] == "25.00"

    # One deposit for three COD orders (84 + 60 + 3.00 short of 30): the
    # shortfall to DISCOUNTS; every order paid.
    orders = await _order_ids(gql)
    batch = _by_text(lines, "COD BATCH")
    bulk = {
        "orderIds": [orders["#1002"], orders["#1003"], orders["#1004"]],
        "action": "LINK_PAYMENT",
        "bankLineId": batch["id"],
        "differenceAccount": "DISCOUNTS",
    }
    linked = _ok(await gql(ACTION, {"input": bulk}), "applyOrderAction")
    assert {o["openBalance"]["amount"] for o in linked["orders"]} == {"0.00"}
    assert (await _balances(gql))["DISCOUNTS"] == "31.00"
    bad_account = {**bulk, "orderIds": [orders["#1001"]], "differenceAccount": "AR"}
    bad_account["bankLineId"] = _by_text(lines, "PAYPAL")["id"]
    refused = (await gql(ACTION, {"input": bad_account}))["data"]["applyOrderAction"]
    assert refused["userErrors"][0]["field"] == "input.differenceAccount"

    # A rule by payee and amount, applied to the lines already there.
    _ok(
        await gql(
            "mutation($i: CreateAccountInput!) { createAccount(input: $i) { userErrors { code } } "
            "}",
            {"i": {"key": "PAYROLL", "name": "Payroll", "type": "EXPENSE"}},
        ),
        "createAccount",
    )
    bad_rule = await gql(RULE, {"input": {"payeeContains": "X", "accountKey": "RIP"}})
    assert bad_rule["data"]["createBankRule"]["userErrors"][0]["code"] == "NOT_APPLICABLE"
    rule = {
        "payeeContains": "gusto",
        "amount": "-900.00",
        "accountKey": "PAYROLL",
        "applyToUnexplained": True,
    }
    made = _ok(await gql(RULE, {"input": rule}), "createBankRule")
    assert made["applied"] == 2
    listed = (await gql(RULES))["data"]["bankRules"]
    assert [(r["payeeContains"], r["amount"]["amount"]) for r in listed] == [("gusto", "-900.00")]
    _ok(await gql(DELETE_RULE, {"input": {"ruleId": made["ruleId"]}}), "deleteBankRule")
    assert (await gql(RULES))["data"]["bankRules"] == []
    # A refusal found halfway leaves nothing behind (no rule saved).
    twice = {"bankLineId": cash["id"], "category": "ACCOUNT", "accountKey": "PAYROLL"}
    again = await gql(CATEGORISE, {"input": {**twice, "saveRule": True}})
    assert again["data"]["categoriseBankLine"]["userErrors"][0]["code"] == "ALREADY_EXPLAINED"
    assert (await gql(RULES))["data"]["bankRules"] == []

    # The Shopify payout P1 (250.00) never reached this bank; a 70.00 deposit
    # names Shopify and a 12.00 one PayPal, and no payout accounts for them.
    body = (await gql(LISTS, {"asOf": "2025-12-31"}))["data"]
    assert [p["payoutId"] for p in body["payoutsWithoutDeposit"]] == ["P1"]
    assert {d["processor"] for d in body["processorDepositsWithoutPayout"]} == {
        "shopify_payments",
        "paypal",
    }
    # The payout for the 70.00 is synced later: matching now finds it.
    await _add_payout(pool, tenant, Payout("P2", "shopify_payments", dt.date(2025, 3, 4), 7000))
    assert _ok(await gql(MATCH), "matchBankLines")["matched"] == 1
    body = (await gql(LISTS, {"asOf": "2025-12-31"}))["data"]
    assert [d["processor"] for d in body["processorDepositsWithoutPayout"]] == ["paypal"]
    # One outside the window is matched by hand; the amounts must agree.
    await _add_payout(pool, tenant, Payout("P3", "shopify_payments", dt.date(2025, 2, 1), 1200))
    paypal = _by_text(lines, "PAYPAL")
    wrong = await gql(
        MATCH_ONE,
        {"input": {"bankLineId": paypal["id"], "processor": "shopify_payments", "payoutId": "P1"}},
    )
    assert wrong["data"]["matchBankLineToPayout"]["userErrors"][0]["field"] == "input.payoutId"
    by_hand = await gql(
        MATCH_ONE,
        {"input": {"bankLineId": paypal["id"], "processor": "shopify_payments", "payoutId": "P3"}},
    )
    assert _ok(by_hand, "matchBankLineToPayout")["bankLine"]["payoutId"] == "P3"

    assert await _lines(gql, None, unexplained=True) == []
    balances = await _balances(gql)
    assert balances["BANK"] == "250.00"  # P1: paid out, not yet seen in a bank account
    if basis == "ACCRUAL":
        assert balances["AR"] == "15.00"  # #1001's 40.00 less the 25.00 cash deposit

    # Unexplaining a matched line takes its posting back; the payout stays posted once.
    shopify = _by_text(lines, "SHOPIFY")
    undone = await gql(UNEXPLAIN, {"input": {"bankLineId": shopify["id"]}})
    assert _ok(undone, "unexplainBankLine")["bankLine"]["explanation"] == "UNEXPLAINED"
    assert (await _balances(gql))["BANK"] == "320.00"
    assert (await verify_company(pool, tenant.company_id)).clean
    # Each bank subject posted again on its own (as a full re-post does for
    # the subjects that changed while it built) changes nothing.
    before = await _balances(gql)
    async with pool.acquire() as conn, conn.transaction():
        version = await conn.fetchval(
            "SELECT current_version FROM books WHERE company_id = $1", tenant.company_id
        )
        subjects = await conn.fetch(
            "SELECT DISTINCT subject FROM journal_entries WHERE company_id = $1 "
            "AND subject LIKE 'bank:%'",
            tenant.company_id,
        )
        assert len(subjects) == 5  # the lines explained (the opening balance is 0)
        for r in subjects:
            await repost_kept_subject(
                conn, tenant.company_id, r["subject"], tenant.store_id, version
            )
        gone = f"bank:line:{UUID(int=1)}"
        await repost_kept_subject(conn, tenant.company_id, gone, tenant.store_id, version)
    assert await _balances(gql) == before


async def test_a_payout_synced_after_its_bank_line_is_matched_then(
    gql: GraphQL, tenant: Tenant, pool: asyncpg.Pool
) -> None:
    from service.ledger.shopify_sync import _apply_processor_records

    checking = await _account(gql, "BANK_CHECKING", "0")
    mapping = {
        "bankAccountId": checking,
        "date": "Date",
        "description": "Description",
        "amount": "Amount",
    }
    _ok(await gql(MAPPING, {"input": mapping}), "setBankCsvMapping")
    csv_text = "Date,Description,Amount\n2025-05-06,SHOPIFY TRANSFER,512.30\n"
    assert (await _import(gql, checking, csv_text))["matched"] == 0
    payout = Payout("P9", "shopify_payments", dt.date(2025, 5, 5), 51230, 0, "USD")
    at = dt.datetime(2025, 5, 3, 12, tzinfo=dt.UTC)
    paid = BalanceTransaction(
        "bt9", "shopify_payments", "charge", at, 52800, 1570, "USD", None, payout_id="P9"
    )
    later = BalanceTransaction(
        "bt10", "shopify_payments", "charge", at, 2000, 88, "USD", None, payout_id="P10"
    )
    async with pool.acquire() as conn, conn.transaction():
        await _apply_processor_records(
            conn, tenant.company_id, tenant.store_id, (payout,), (paid, later)
        )
    line = (await _lines(gql, checking))[0]
    assert (line["explanation"], line["payoutId"]) == ("PAYOUT", "P9")
    balances = await _balances(gql)
    assert balances["BANK_CHECKING"] == "512.30" and "BANK" not in balances
    # What keeps Shopify Payments' undeposited funds from zero: bt10, whose
    # payout P10 is not made yet (bt9 went out in P9).
    clearing = (await gql(CLEARING, {"asOf": "2025-05-31"}))["data"]["clearingAccounts"]
    funds = next(c for c in clearing if c["accountKey"] == "UNDEPOSITED_FUNDS")
    assert funds["balance"]["amount"] == "19.12"
    assert [(i["reference"], i["amount"]["amount"]) for i in funds["items"]] == [("bt10", "19.12")]
