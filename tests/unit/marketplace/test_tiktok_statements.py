"""TikTok Shop statements read into neutral lines, signed requests, and posting."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from service.connectors.tiktok.signing import signature
from service.connectors.tiktok.statements import order_units, sku_units, statement_settlement
from service.domain.journal import account_totals
from service.domain.marketplace import Fulfillment, LineKind, Settlement
from service.posting.marketplace import post_settlement
from tests.fakes.tiktok.shop import sample_shop


def _settlements() -> list[Settlement]:
    shop = sample_shop()
    orders = {oid: order_units(o) for oid, o in shop.orders.items()}
    return [
        statement_settlement(st, shop.transactions[st["id"]], orders, shop.payments[0])
        for st in shop.statements
    ]


def test_signature_follows_the_documented_steps() -> None:
    params = {"app_key": "k", "timestamp": "1700000000", "shop_cipher": "c", "sign": "x"}
    text = "s/finance/202309/statementsapp_keykshop_cipherctimestamp1700000000{}s"
    want = hmac.new(b"s", text.encode(), hashlib.sha256).hexdigest()
    assert signature("s", "/finance/202309/statements", params, b"{}") == want
    assert signature("s", "/a", {"access_token": "t", "b": "1"}) == signature("s", "/a", {"b": "1"})


def test_statement_lines_add_up_and_name_fbt_and_fbm() -> None:
    first, second = _settlements()
    assert first.lines_total == first.total == 4282
    assert second.lines_total == second.total == -1435
    assert first.deposit_date == second.deposit_date == dt.date(2026, 3, 10)
    assert first.payout_id == "pay-1" and first.paid
    units = [(ln.sku, ln.quantity, ln.fulfillment) for ln in first.lines if ln.quantity]
    assert units == [("MUG", 2, Fulfillment.MARKETPLACE), ("CAP", 1, Fulfillment.MERCHANT)]
    fbm = [ln for ln in first.lines if ln.description == "ORDER/fbm_shipping_cost_amount"]
    assert [ln.kind for ln in fbm] == [LineKind.FULFILLMENT_FEE]
    review = [ln.description for ln in second.lines if ln.kind is LineKind.UNKNOWN]
    assert review == ["ADJUSTMENT/PLATFORM_PENALTY"]


def test_posting_nets_the_sales_tax_and_reaches_the_payment() -> None:
    entries = []
    for s in _settlements():
        entries += post_settlement(s, "st", {"MUG": 500, "CAP": 300}).entries
    t = account_totals(entries)
    assert "RIP" not in t and "UNDEPOSITED_FUNDS" not in t
    assert "SALES_TAX_PAYABLE" not in t  # collected and remitted by the platform
    assert t["BANK"] == 2847
    assert t["GROSS_SALES"] == -(3600 + 2000)
    assert t["REFUNDS_RETURNS"] == 1800 + 150
    assert t["SHIPPING_INCOME"] == -400
    assert t["SELLING_FEES"] == 288 + 130 + 100 + 160 + 90 - 144 + 29
    assert t["FULFILLMENT_FEES"] == 550 + 400
    assert t["OTHER_INCOME"] == -600 and t["UNCATEGORIZED"] == 200
    assert t["COGS"] == 2 * 500 + 300


def test_sales_on_the_day_they_shipped_the_record_on_the_statement_day() -> None:
    first = _settlements()[0]
    entries = post_settlement(first, "st", {"MUG": 500, "CAP": 300}).entries
    days: dict[str, set[dt.date]] = {e.rule: set() for e in entries}
    for e in entries:
        days[e.rule].add(e.date)
    assert days["marketplace.sale"] == {dt.date(2026, 3, 2), dt.date(2026, 3, 3)}
    assert days["marketplace.cogs"] == {dt.date(2026, 3, 2), dt.date(2026, 3, 3)}
    assert days["marketplace.settle"] == {dt.date(2026, 3, 5)}

    def rip_through(day: dt.date) -> int:
        return sum(
            ln.amount for e in entries if e.date <= day for ln in e.lines if ln.account == "RIP"
        )

    assert rip_through(dt.date(2026, 3, 4)) == 4000 + 2000  # sold, tax remitted, not settled
    assert rip_through(dt.date(2026, 3, 5)) == 0


def test_a_payment_still_processing_leaves_the_money_undeposited() -> None:
    shop = sample_shop()
    st = {**shop.statements[0], "payment_status": "PROCESSING"}
    s = statement_settlement(st, shop.transactions[st["id"]], {}, None)
    t = account_totals(post_settlement(s, "st", {}).entries)
    assert "BANK" not in t and t["UNDEPOSITED_FUNDS"] == 4282


def test_units_from_the_order_statement_transactions() -> None:
    rows = [{"sku_statement_transactions": [{"sku_id": "17", "quantity": 2}]}]
    assert sku_units(rows) == [("17", 2)]
