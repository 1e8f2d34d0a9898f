"""What real Shopify stores send and the worked examples never show
(posting rules 13.1 to 13.4, order edits): each read from a REST payload
in Shopify's own shape and posted, checked against the payload's totals."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from service.connectors.shopify import NormalizationError
from service.connectors.shopify.normalize_rest import history_from_rest
from service.domain.context import PostingContext
from service.domain.events import PaymentMethod, Refund, Transaction
from service.domain.history import OrderHistory
from service.domain.journal import account_totals
from service.domain.settings import AccountingBasis, FulfillmentTracking, Settings
from service.posting.engine import post_order, run_order
from tests.unit.shopify.payloads import money_set, rest_order, rest_refund, rest_txn

TZ = "Europe/Berlin"
AT = "2024-03-01T10:00:05+01:00"
CASH = PostingContext()
ACCRUAL = PostingContext(Settings(basis=AccountingBasis.ACCRUAL))


def _history(order: dict[str, Any], txns: list[dict[str, Any]]) -> OrderHistory:
    return history_from_rest(order, txns, store_id="store-1", timezone=TZ)


def _vat_order() -> dict[str, Any]:
    """Two mugs at 59.50 and shipping at 5.95, VAT of 19% included:
    total_price 124.95 = 119.00 + 5.95, total_tax 19.95 = 19.00 + 0.95."""
    order = rest_order("59.50", tax="19.00")
    order["currency"] = "EUR"
    order["taxes_included"] = True
    order["total_price"] = "124.95"
    order["total_price_set"] = money_set("124.95", "EUR")
    order["total_tax"] = "19.95"
    line = order["line_items"][0]
    line["quantity"] = 2
    line["price_set"] = money_set("59.50", "EUR")
    line["tax_lines"][0].update(price_set=money_set("19.00", "EUR"), title="MwSt", rate=0.19)
    order["shipping_lines"] = [
        {
            "id": 61,
            "title": "DHL",
            "price": "5.95",
            "price_set": money_set("5.95", "EUR"),
            "discount_allocations": [],
            "tax_lines": [
                {"title": "MwSt", "price": "0.95", "price_set": money_set("0.95", "EUR")}
            ],
        }
    ]
    return order


def _eur(txn: dict[str, Any]) -> dict[str, Any]:
    txn["currency"] = "EUR"
    return txn


@pytest.mark.parametrize("ctx", [CASH, ACCRUAL], ids=["cash", "accrual"])
def test_tax_included_prices_post_the_payload_totals(ctx: PostingContext) -> None:
    order = _vat_order()
    h = _history(order, [_eur(rest_txn(9001, "sale", "124.95", "shopify_payments", AT))])
    assert h.order.taxes_included
    assert h.order.total == 12495
    totals = account_totals(post_order(h, ctx))
    # Gross sales are the prices less the VAT inside them, shipping too.
    assert totals["GROSS_SALES"] == -(11900 - 1900)
    assert totals["SHIPPING_INCOME"] == -(595 - 95)
    assert totals["SALES_TAX_PAYABLE"] == -1995
    assert totals["RIP"] == 12495
    assert totals.get("AR", 0) == 0


def test_tax_included_order_total_is_its_receivable() -> None:
    h = _history(_vat_order(), [])
    run = run_order(h, ACCRUAL)
    assert run.open_balance == 12495
    placed = next(e for e in run.entries if e.rule == "accrual.placed")
    assert {ln.account: ln.amount for ln in placed.lines}["AR"] == 12495


def test_manual_payment_flag_wins_over_the_gateway_name() -> None:
    """Shopify marks a custom manual gateway (here "Zelle") with
    manual_payment_gateway: it is offline money, whatever its name."""
    txn = rest_txn(9001, "sale", "59.50", "Zelle", AT)
    txn["manual_payment_gateway"] = True
    h = _history(rest_order("59.50"), [txn])
    [sale] = h.events
    assert isinstance(sale, Transaction) and sale.method is PaymentMethod.MANUAL
    assert account_totals(post_order(h, CASH)) == {}
    plain = _history(rest_order("59.50"), [rest_txn(9001, "sale", "59.50", "Zelle", AT)])
    assert plain.events[0].method is PaymentMethod.PROCESSOR  # type: ignore[union-attr]


def test_store_mapping_overrides_what_the_channel_said() -> None:
    h = _history(rest_order("59.50"), [rest_txn(9001, "sale", "59.50", "Zelle", AT)])
    offline = PostingContext(gateways=(("zelle", PaymentMethod.MANUAL),))
    assert account_totals(post_order(h, offline)) == {}
    assert account_totals(post_order(h, CASH))["RIP"] == 5950


def _cad_order(refund_txn: dict[str, Any]) -> dict[str, Any]:
    """A USD shop selling to a Canadian: 50.00 USD shown as 67.50 CAD."""
    refund = rest_refund("0", "shopify_payments")
    refund["transactions"] = [refund_txn]
    order = rest_order("50.00", refunds=[refund])
    order["presentment_currency"] = "CAD"
    order["total_price"] = "50.00"
    order["total_price_set"] = {
        "shop_money": {"amount": "50.00", "currency_code": "USD"},
        "presentment_money": {"amount": "67.50", "currency_code": "CAD"},
    }
    return order


def test_refund_in_the_customers_currency_is_converted_at_the_orders_rate() -> None:
    """13.50 CAD at 50.00/67.50 is 10.00 USD (half-even to the cent)."""
    cad = rest_txn(9002, "refund", "13.50", "shopify_payments", "2024-03-08T12:00:00+01:00", 9001)
    cad["currency"] = "CAD"
    order = _cad_order(cad)
    h = _history(order, [rest_txn(9001, "sale", "50.00", "shopify_payments", AT)])
    refund = h.events[-1]
    assert isinstance(refund, Refund)
    [money] = refund.transactions
    assert money.amount == 1000
    assert money.converted_from == "13.50 CAD"
    [entry] = [e for e in post_order(h, CASH) if e.rule == "cash.refund"]
    assert "13.50 CAD converted at the order's own rate" in entry.memo


def test_a_later_copy_in_shop_money_replaces_the_converted_one() -> None:
    cad = rest_txn(9002, "refund", "13.51", "shopify_payments", "2024-03-08T12:00:00+01:00", 9001)
    cad["currency"] = "CAD"
    shop = copy.deepcopy(cad)
    shop.update(amount="10.01", amount_set=money_set("10.01"), currency="USD")
    h = _history(_cad_order(cad), [rest_txn(9001, "sale", "50.00", "shopify_payments", AT), shop])
    refund = h.events[-1]
    assert isinstance(refund, Refund)
    assert [(t.amount, t.converted_from) for t in refund.transactions] == [(1001, "")]


def test_foreign_amount_with_no_rate_names_the_field() -> None:
    cad = rest_txn(9002, "refund", "13.50", "shopify_payments", "2024-03-08T12:00:00+01:00", 9001)
    cad["currency"] = "CAD"
    order = _cad_order(cad)
    del order["total_price_set"]
    with pytest.raises(NormalizationError, match=r"refunds\[0\]\.transactions\[0\]\.amount"):
        _history(order, [])


def test_shipping_refund_adjustments_add_up_with_their_signs() -> None:
    """Shopify sends -3.95, +3.95, -3.95 on one refund: 3.95 refunded,
    not 11.85."""
    refund = rest_refund("3.95", "shopify_payments")
    refund["refund_line_items"] = []
    refund["order_adjustments"] = [
        {
            "id": 70 + i,
            "kind": "shipping_refund",
            "amount": a,
            "amount_set": money_set(a),
            "tax_amount": "0.00",
            "tax_amount_set": money_set("0.00"),
        }
        for i, a in enumerate(("-3.95", "3.95", "-3.95"))
    ]
    order = rest_order("20.00", refunds=[refund])
    order["shipping_lines"] = [
        {
            "id": 61,
            "title": "Post",
            "price": "3.95",
            "price_set": money_set("3.95"),
            "discount_allocations": [],
            "tax_lines": [],
        }
    ]
    h = _history(order, [rest_txn(9001, "sale", "23.95", "shopify_payments", AT)])
    refund_event = h.events[-1]
    assert isinstance(refund_event, Refund) and refund_event.shipping == 395
    totals = account_totals(post_order(h, CASH))
    assert totals.get("SHIPPING_INCOME", 0) == 0
    assert totals["RIP"] == 2000


def test_order_edit_removing_a_unit_changes_what_is_owed() -> None:
    """Two tees ordered, one removed by an order edit before payment:
    quantity stays 2, current_quantity says 1; the order owes one tee."""
    order = rest_order("20.00", tax="1.50")
    line = order["line_items"][0]
    line["quantity"] = 2
    line["tax_lines"][0]["price"] = "3.00"
    line["tax_lines"][0]["price_set"] = money_set("3.00")
    line["current_quantity"] = 1
    h = _history(order, [])
    assert h.order.lines[0].quantity == 1
    assert h.order.lines[0].tax_lines[0].amount == 150
    assert run_order(h, ACCRUAL).open_balance == 2150


def test_order_edit_adding_a_line_is_sold_with_the_order() -> None:
    order = rest_order("20.00")
    order["line_items"][0]["current_quantity"] = 1
    added = copy.deepcopy(order["line_items"][0])
    added.update(id=502, sku="CAP-1", name="Cap", price="12.00", price_set=money_set("12.00"))
    order["line_items"].append(added)
    h = _history(order, [rest_txn(9001, "sale", "32.00", "shopify_payments", AT)])
    totals = account_totals(post_order(h, CASH))
    assert totals["GROSS_SALES"] == -3200


def test_refunded_units_are_not_taken_for_an_edit() -> None:
    """current_quantity also drops by refunded units: those stay sold and
    come back through the refund, never twice."""
    refund = rest_refund("20.00", "shopify_payments")
    order = rest_order("20.00", refunds=[refund])
    order["line_items"][0]["current_quantity"] = 0
    h = _history(order, [rest_txn(9001, "sale", "20.00", "shopify_payments", AT)])
    assert h.order.lines[0].quantity == 1
    totals = account_totals(post_order(h, CASH))
    assert totals == {"GROSS_SALES": -2000, "REFUNDS_RETURNS": 2000}


def test_fulfilment_status_shows_what_shipped_under_placed_date_tracking() -> None:
    from service.posting.queries import fulfillment_status, recognition_date

    h = _history(rest_order("20.00"), [])
    placed = PostingContext(Settings(fulfillment_tracking=FulfillmentTracking.ORDER_PLACED_DATE))
    assert str(fulfillment_status(h, placed)) == "UNFULFILLED"
    assert recognition_date(h, placed) == h.order.placed_at.date()
    fulfilled = PostingContext(
        Settings(fulfillment_tracking=FulfillmentTracking.ORDER_FULFILLED_DATE)
    )
    assert recognition_date(h, fulfilled) is None
