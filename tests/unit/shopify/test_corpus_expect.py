"""The corpus checks itself: every ``expect`` block, written by hand, must
equal what tests/fixtures/shopify/derive.py works out from the payloads,
and every order body must add up the way Shopify's totals do. No database:
this runs in well under a second and guards the corpus, not the engine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.fixtures.shopify.corpus import SETTINGS, load_case, load_cases, resolve_expect
from tests.fixtures.shopify.derive import derive, final_order, refunds

NAMES = [c["name"] for c in load_cases()]


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _shop(body: dict[str, Any], key: str) -> Decimal:
    return _d(body[key]["shop_money"]["amount"])


@pytest.mark.parametrize(("basis", "tracking"), SETTINGS)
@pytest.mark.parametrize("name", NAMES)
def test_expect_block_matches_the_payload(name: str, basis: str, tracking: str) -> None:
    case = load_case(name)
    want = resolve_expect(case, basis, tracking)
    got = derive(case, basis, tracking)
    wrong = {
        key: (value, str(got[key]))
        for key, value in want.items()
        if (value != got[key] if key == "books_status" else _d(value) != got[key])
    }
    assert wrong == {}, "expect block (by hand) vs derived from the payload"


def _order_bodies(name: str) -> list[dict[str, Any]]:
    return [
        d["body"]
        for d in load_case(name)["deliveries"]
        if d["topic"].startswith("orders/") and "id" in d["body"]
    ]


@pytest.mark.parametrize("name", NAMES)
def test_every_order_body_adds_up(name: str) -> None:
    """total = subtotal + shipping + tax (unless included) + tip, and the
    order's tax summary is the sum of its lines' taxes."""
    for body in _order_bodies(name):
        tax = _d(body["total_tax"])
        added_tax = Decimal(0) if body["taxes_included"] else tax
        parts = (
            _d(body["subtotal_price"])
            + _shop(body, "total_shipping_price_set")
            + added_tax
            + _d(body["total_tip_received"])
        )
        assert _d(body["total_price"]) == parts, body["updated_at"]
        subtotal = _d(body["total_line_items_price"]) - _d(body["total_discounts"])
        assert _d(body["subtotal_price"]) == subtotal
        assert sum((_d(t["price"]) for t in body["tax_lines"]), Decimal(0)) == tax


@pytest.mark.parametrize("name", NAMES)
def test_a_paid_unrefunded_order_recognises_its_total(name: str) -> None:
    """GROSS + DISCOUNTS + SHIPPING + TIP + tax + gift cards = the order's
    (current) total, for every settled order nothing was refunded from;
    tax a channel remits itself is part of the total but neither the
    merchant's liability nor the merchant's money."""
    case = load_case(name)
    order = final_order(case)
    got = derive(case, "ACCRUAL", "ORDER_PLACED_DATE")
    if refunds(case) or order["test"] or got["RIP"] == 0:
        pytest.skip("refunded, test, or not paid through a processor")
    keys = ("net_sales", "SALES_TAX_PAYABLE", "GIFT_CARD_LIABILITY")
    remitted = sum((_d(t["price"]) for t in order["tax_lines"] if t["channel_liable"]), Decimal(0))
    total = _d(order["current_total_price"])
    assert sum(got[k] for k in keys) + remitted == total == got["RIP"] + remitted


@pytest.mark.parametrize("name", NAMES)
def test_settled_orders_expect_the_same_books_under_every_setting(name: str) -> None:
    """posting invariant 4: once an order is paid through a processor,
    fulfilled and settled, cash and accrual (and both trackings) agree on
    every all-time total, so its expect block has no per-setting part."""
    case = load_case(name)
    if derive(case, "ACCRUAL", "ORDER_PLACED_DATE")["RIP"] == 0:
        pytest.skip("not settled through a processor (manual, unpaid or test)")
    settled = [resolve_expect(case, basis, tracking) for basis, tracking in SETTINGS]
    assert all(s == settled[0] for s in settled)
    got = [derive(case, basis, tracking) for basis, tracking in SETTINGS]
    assert all(g == got[0] for g in got)
