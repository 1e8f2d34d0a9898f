"""The accountant's API (posting rules 14 and 15): accounts of their own,
manual entries, closing the books, opening balances, suppliers and their
bills, stock adjustments, valuation and the audit log, through GraphQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import GraphQL

ACCOUNT = """mutation($input: CreateAccountInput!) { createAccount(input: $input) {
  account { key name type parentKey } userErrors { field code message } } }"""
ENTRY = """mutation($input: CreateJournalEntryInput!) { createJournalEntry(input: $input) {
  entryId userErrors { field code message } } }"""
REVERSE = """mutation($input: ReverseJournalEntryInput!) { reverseJournalEntry(input: $input) {
  entryId userErrors { field code message } } }"""
CLOSE = """mutation($input: CloseBooksInput!) { closeBooks(input: $input) {
  closedThrough userErrors { field code message } } }"""
REOPEN = """mutation($input: ReopenBooksInput!) { reopenBooks(input: $input) {
  closedThrough repostJob { id } userErrors { field code message } } }"""
OPENING = """mutation($input: SetOpeningBalancesInput!) { setOpeningBalances(input: $input) {
  date userErrors { field code message } } }"""
SHEET = """query($d: Date!) { balanceSheet(asOf: $d) { lines { accountKey amount { amount } }
  totalAssets { amount } totalLiabilities { amount } totalEquity { amount } } }"""


def _rent(day: str, amount: str = "1500.00") -> dict[str, Any]:
    return {
        "date": day,
        "memo": "Warehouse rent",
        "references": ["INV-77"],
        "lines": [
            {"accountKey": "RENT", "debit": amount},
            {"accountKey": "BANK", "credit": amount},
        ],
    }


async def _lines(gql: GraphQL, day: str) -> dict[str, str]:
    sheet = (await gql(SHEET, {"d": day}))["data"]["balanceSheet"]
    return {ln["accountKey"]: ln["amount"]["amount"] for ln in sheet["lines"]}


async def test_manual_entries_closing_and_audit(gql: GraphQL) -> None:
    made = await gql(ACCOUNT, {"input": {"key": "RENT", "name": "Rent", "type": "EXPENSE"}})
    assert made["data"]["createAccount"]["account"]["key"] == "RENT"
    body = await gql(ENTRY, {"input": _rent("2024-05-01")})
    entry_id = body["data"]["createJournalEntry"]["entryId"]
    assert entry_id and body["data"]["createJournalEntry"]["userErrors"] == []
    assert (await _lines(gql, "2024-05-31"))["BANK"] == "-1500.00"

    unbalanced = _rent("2024-05-02")
    unbalanced["lines"][1]["credit"] = "1400.00"
    errors = (await gql(ENTRY, {"input": unbalanced}))["data"]["createJournalEntry"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [("input.lines", "INVALID")]
    receivable = _rent("2024-05-02")
    receivable["lines"][0]["accountKey"] = "AR"
    errors = (await gql(ENTRY, {"input": receivable}))["data"]["createJournalEntry"]["userErrors"]
    assert errors[0]["field"] == "input.lines[0].accountKey"

    closed = await gql(CLOSE, {"input": {"through": "2024-05-31"}})
    assert closed["data"]["closeBooks"]["closedThrough"] == "2024-05-31"
    assert (await gql("{ booksClosedThrough }"))["data"]["booksClosedThrough"] == "2024-05-31"
    locked = await gql(ENTRY, {"input": _rent("2024-05-15")})
    assert locked["data"]["createJournalEntry"]["userErrors"][0]["code"] == "PERIOD_LOCKED"
    undo = await gql(REVERSE, {"input": {"id": entry_id, "date": "2024-06-01"}})
    assert undo["data"]["reverseJournalEntry"]["userErrors"] == []
    assert (await _lines(gql, "2024-05-31"))["BANK"] == "-1500.00"  # May stays as closed
    assert (await _lines(gql, "2024-06-30"))["BANK"] == "0.00"
    again = await gql(REVERSE, {"input": {"id": entry_id, "date": "2024-06-02"}})
    assert again["data"]["reverseJournalEntry"]["userErrors"][0]["code"] == "INVALID"

    reopened = await gql(REOPEN, {"input": {"from": "2024-05-01"}})
    assert reopened["data"]["reopenBooks"]["closedThrough"] == "2024-04-30"
    assert reopened["data"]["reopenBooks"]["repostJob"] is not None

    log = await gql(
        '{ auditLog(first: 10, filter: {kind: "createJournalEntry"}) '
        "{ totalCount nodes { kind at summary } } }"
    )
    assert log["data"]["auditLog"]["totalCount"] >= 1
    assert {n["kind"] for n in log["data"]["auditLog"]["nodes"]} == {"createJournalEntry"}


async def test_opening_balances_suppliers_and_stock(
    gql: GraphQL, run_worker: Callable[[], Awaitable[None]]
) -> None:
    opening = {
        "date": "2024-01-01",
        "lines": [{"accountKey": "BANK", "debit": "1000.00"}],
        "inventory": [{"sku": "MUG", "units": 10, "unitCost": "5.00"}],
    }
    body = await gql(OPENING, {"input": opening})
    assert body["data"]["setOpeningBalances"]["userErrors"] == []
    supplier = await gql(
        'mutation { createSupplier(input: {name: "Acme Mugs"}) { supplierId userErrors { code } } }'
    )
    supplier_id = supplier["data"]["createSupplier"]["supplierId"]
    bought = await gql(
        """mutation($s: ID!) { recordPurchase(input: {sku: "MUG", date: "2024-02-01", units: 10,
          unitCost: "6.00", supplierId: $s, freight: "4.00", reference: "PO-9"}) {
          purchasesRecorded recostJob { id } userErrors { field message } } }""",
        {"s": supplier_id},
    )
    assert bought["data"]["recordPurchase"]["userErrors"] == []
    paid = await gql(
        """mutation($s: ID!) { recordBillPayment(input: {supplierId: $s, date: "2024-02-10",
          amount: "30.00"}) { paymentId userErrors { field message } } }""",
        {"s": supplier_id},
    )
    assert paid["data"]["recordBillPayment"]["userErrors"] == []
    shrink = await gql(
        """mutation { recordInventoryAdjustment(input: {sku: "MUG", date: "2024-03-01",
          units: 2, reason: SHRINKAGE}) { adjustmentId recostJob { id } userErrors { field } } }"""
    )
    assert shrink["data"]["recordInventoryAdjustment"]["userErrors"] == []
    await run_worker()

    lines = await _lines(gql, "2024-03-31")
    # 10 x 5.00 opening + 10 x 6.00 + 4.00 freight = 114.00 received; 2 of
    # 20 units at the 5.70 average (11.40) written off.
    assert lines["INVENTORY"] == "102.60"
    assert lines["ACCOUNTS_PAYABLE"] == "34.00"
    assert lines["OPENING_BALANCE_EQUITY"] == "1050.00"
    aging = await gql(
        '{ payablesAging(asOf: "2024-03-31") { name current { amount } days30 { amount } '
        "total { amount } } }"
    )
    assert aging["data"]["payablesAging"] == [
        {"name": "Acme Mugs", "current": {"amount": "0.00"}, "days30": {"amount": "34.00"},
         "total": {"amount": "34.00"}}
    ]  # fmt: skip
    value = await gql(
        '{ inventoryValuation(asOf: "2024-03-31") { lines { sku units value { amount } } '
        "total { amount } } }"
    )
    assert value["data"]["inventoryValuation"]["total"]["amount"] == "102.60"
    assert (await gql("{ negativeStock { sku } }"))["data"]["negativeStock"] == []
