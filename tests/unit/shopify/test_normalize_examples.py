"""The normalizers on hand-written payloads: the seeds' worked examples,
refund money counted once, and errors that name the missing field."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from service.connectors.shopify import NormalizationError
from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.normalize_rest import (
    history_from_rest,
    rest_order_id,
    rest_owner_order_id,
    rest_updated_at,
)
from service.domain.context import PostingContext
from service.domain.events import (
    AdjustmentKind,
    PaymentMethod,
    Refund,
    RefundAdjustment,
    RefundLine,
    RestockType,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry
from service.domain.order import DiscountAllocation, LineItem, TaxLine
from service.posting.engine import post_order
from tests.unit.shopify.payloads import bag, money_set, rest_order, rest_refund, rest_txn

TZ = "America/New_York"
SALE_AT = "2024-03-01T10:00:05-05:00"


def _history(order: dict[str, Any], txns: list[dict[str, Any]]) -> OrderHistory:
    return history_from_rest(order, txns, store_id="store-1", timezone=TZ)


def _refund_entry(entries: tuple[JournalEntry, ...]) -> dict[str, int]:
    [entry] = [e for e in entries if e.rule == "cash.refund"]
    totals: dict[str, int] = {}
    for line in entry.lines:
        totals[line.account] = totals.get(line.account, 0) + line.amount
    return totals


def test_seed_002_discounted_line_refunded() -> None:
    """$75 line, $10 discount, $65 refunded: $75 to returns, $10 back out
    of discounts, the refund money posted once."""
    refund = rest_refund("65.00", "shopify_payments")
    order = rest_order("75.00", discount="10.00", refunds=[refund])
    txns = [rest_txn(9001, "sale", "65.00", "shopify_payments", SALE_AT), refund["transactions"][0]]
    h = _history(order, txns)
    assert h.order.id == "1001"
    assert h.order.placed_at == dt.datetime(2024, 3, 1, 15, 0, tzinfo=dt.UTC)
    assert h.order.lines == (
        LineItem(
            "501", "TEE-1", 1, 7500, (DiscountAllocation(1000, True, "TEN"),), (), False, "Tee"
        ),
    )
    sale, ref = h.events
    assert (
        isinstance(sale, Transaction) and sale.kind is TransactionKind.SALE and sale.amount == 6500
    )
    assert isinstance(ref, Refund)
    assert ref.lines == (RefundLine("501", 1, RestockType.RETURN),)
    assert [(t.id, t.kind, t.amount) for t in ref.transactions] == [
        ("9002", TransactionKind.REFUND, 6500)
    ]
    totals = _refund_entry(post_order(h, PostingContext()))
    assert totals["REFUNDS_RETURNS"] == 7500
    assert totals["DISCOUNTS"] == -1000
    assert totals["RIP"] == -6500


def test_seed_003_return_fee_kept_back() -> None:
    """$20.00 + $1.50 tax, $14.50 refunded, $7 return fee: tax reversed in
    full, returns net of the fee."""
    refund = rest_refund("14.50", "shopify_payments", discrepancy="7.00")
    order = rest_order("20.00", tax="1.50", refunds=[refund])
    txns = [rest_txn(9001, "sale", "21.50", "shopify_payments", SALE_AT), refund["transactions"][0]]
    h = _history(order, txns)
    assert h.order.lines[0].tax_lines == (TaxLine(150, False, "State Tax"),)
    ref = h.events[-1]
    assert isinstance(ref, Refund)
    assert ref.adjustments == (RefundAdjustment(AdjustmentKind.REFUND_DISCREPANCY, 700, 0),)
    totals = _refund_entry(post_order(h, PostingContext()))
    assert totals == {"REFUNDS_RETURNS": 1300, "SALES_TAX_PAYABLE": 150, "RIP": -1450}


def test_seed_003_store_credit_refund_via_gift_card_gateway() -> None:
    refund = rest_refund("21.50", "gift_card")
    order = rest_order("20.00", tax="1.50", refunds=[refund])
    txns = [rest_txn(9001, "sale", "21.50", "shopify_payments", SALE_AT), refund["transactions"][0]]
    h = _history(order, txns)
    ref = h.events[-1]
    assert isinstance(ref, Refund)
    assert ref.transactions[0].method is PaymentMethod.GIFT_CARD
    totals = _refund_entry(post_order(h, PostingContext()))
    assert totals["GIFT_CARD_LIABILITY"] == -2150
    assert "RIP" not in totals


def test_refund_transaction_without_its_refund_stays_top_level() -> None:
    """order_transactions/create can arrive before refunds/create: until the
    refund is known, its money is a refund of its own, and once it is known
    the money moves inside it (never both)."""
    refund = rest_refund("65.00", "shopify_payments")
    txns = [rest_txn(9001, "sale", "65.00", "shopify_payments", SALE_AT), refund["transactions"][0]]
    early = _history(rest_order("75.00", discount="10.00"), txns)
    assert [(type(e).__name__, e.id) for e in early.events] == [
        ("Transaction", "9001"),
        ("Transaction", "9002"),
    ]
    late = _history(rest_order("75.00", discount="10.00", refunds=[refund, refund]), txns)
    assert [(type(e).__name__, e.id) for e in late.events] == [
        ("Transaction", "9001"),
        ("Refund", "3001"),
    ]


def test_graphql_shape_gives_the_same_history() -> None:
    refund = rest_refund("65.00", "shopify_payments")
    rest = _history(
        rest_order("75.00", discount="10.00", refunds=[refund]),
        [rest_txn(9001, "sale", "65.00", "shopify_payments", SALE_AT), refund["transactions"][0]],
    )

    def txn(id_: int, kind: str, amount: str, at: str, parent: int | None) -> dict:  # type: ignore[type-arg]
        return {
            "id": f"gid://shopify/OrderTransaction/{id_}",
            "kind": kind,
            "status": "SUCCESS",
            "gateway": "shopify_payments",
            "processedAt": at,
            "amountSet": bag(amount),
            "parentTransaction": {"id": f"gid://shopify/OrderTransaction/{parent}"}
            if parent
            else None,
        }

    sale = txn(9001, "SALE", "65.00", "2024-03-01T15:00:05Z", None)
    back = txn(9002, "REFUND", "65.00", "2024-03-08T17:00:00Z", 9001)
    node = {
        "id": "gid://shopify/Order/1001",
        "name": "#1001",
        "currencyCode": "USD",
        "processedAt": "2024-03-01T15:00:00Z",
        "sourceName": "web",
        "test": False,
        "transactions": [sale, back],
        "lineItems": {
            "edges": [
                {
                    "node": {
                        "id": "gid://shopify/LineItem/501",
                        "sku": "TEE-1",
                        "name": "Tee",
                        "quantity": 1,
                        "isGiftCard": False,
                        "originalUnitPriceSet": bag("75.00"),
                        "taxLines": [],
                        "discountAllocations": [
                            {
                                "allocatedAmountSet": bag("10.00"),
                                "discountApplication": {
                                    "index": 0,
                                    "targetSelection": "ALL",
                                    "code": "TEN",
                                },
                            }
                        ],
                    }
                }
            ]
        },
        "shippingLines": {"nodes": []},
        "refunds": [
            {
                "id": "gid://shopify/Refund/3001",
                "createdAt": "2024-03-08T17:00:00Z",
                "note": "",
                "refundLineItems": {
                    "nodes": [
                        {
                            "quantity": 1,
                            "restockType": "RETURN",
                            "lineItem": {"id": "gid://shopify/LineItem/501"},
                        }
                    ]
                },
                "transactions": {"nodes": [back]},
            }
        ],
        "fulfillments": [],
    }
    assert history_from_graphql(flatten(node), store_id="store-1", timezone=TZ) == rest


def test_unknown_transaction_kinds_that_move_nothing_are_skipped() -> None:
    txns = [
        rest_txn(9001, "sale", "20.00", "cash", SALE_AT),
        rest_txn(9003, "change", "1.00", "cash", SALE_AT),
        rest_txn(9004, "suggested_refund", "1.00", "cash", SALE_AT),
    ]
    h = _history(rest_order("19.00"), txns)
    assert [e.id for e in h.events] == ["9001"]
    with pytest.raises(NormalizationError, match=r"transactions\[0\]\.kind: unknown"):
        _history(rest_order("19.00"), [rest_txn(9001, "teleport", "1.00", "cash", SALE_AT)])


def test_helpers_for_the_webhook_router() -> None:
    order = rest_order("10.00")
    assert rest_order_id(order) == "1001"
    assert rest_updated_at(order) == dt.datetime(2024, 3, 9, 15, 0, tzinfo=dt.UTC)
    assert rest_owner_order_id(rest_refund("1.00", "manual")) == "1001"
    assert rest_owner_order_id(rest_txn(1, "sale", "1.00", "manual", SALE_AT)) == "1001"


# Errors name the field ------------------------------------------------------


def _broken(mutate) -> NormalizationError:  # type: ignore[no-untyped-def]
    refund = rest_refund("65.00", "shopify_payments")
    order = rest_order("75.00", discount="10.00", tax="1.00", refunds=[refund])
    txns = [rest_txn(9001, "sale", "65.00", "shopify_payments", SALE_AT)]
    order, txns = copy.deepcopy(order), copy.deepcopy(txns)
    mutate(order, txns)
    with pytest.raises(NormalizationError) as info:
        _history(order, txns)
    return info.value


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda o, t: [o["line_items"][0].pop(k) for k in ("price", "price_set")],
            "line_items[0].price: missing",
        ),
        (lambda o, t: o["line_items"][0].pop("quantity"), "line_items[0].quantity: missing"),
        (lambda o, t: o.pop("line_items"), "line_items: missing"),
        (lambda o, t: o.pop("currency"), "currency: missing"),
        (
            lambda o, t: o["refunds"][0]["refund_line_items"][0].pop("quantity"),
            "refunds[0].refund_line_items[0].quantity: missing",
        ),
        (
            lambda o, t: o["refunds"][0]["refund_line_items"][0].update(restock_type="maybe"),
            "refunds[0].refund_line_items[0].restock_type: unknown restock type 'maybe'",
        ),
        (lambda o, t: t[0].pop("amount"), "transactions[0].amount: missing"),
        (
            lambda o, t: t[0].update(amount="1.005"),
            "transactions[0].amount: '1.005' has more decimals than USD allows",
        ),
        (lambda o, t: t[0].update(amount=1.5), "transactions[0].amount: not an exact amount: 1.5"),
        (
            lambda o, t: t[0].update(processed_at="2024-03-01T10:00:05"),
            "transactions[0].processed_at: timestamp without a UTC offset",
        ),
        (
            lambda o, t: t[0].update(currency="EUR"),
            "transactions[0].amount: in EUR, the shop's books are in USD",
        ),
        (
            lambda o, t: o["line_items"][0]["price_set"]["shop_money"].update(currency_code="EUR"),
            "line_items[0].price_set.shop_money.currency_code: EUR",
        ),
        (
            lambda o, t: o["line_items"][0]["discount_allocations"][0].update(
                discount_application_index=4
            ),
            "line_items[0].discount_allocations[0].discount_application_index: no discount_app",
        ),
        (
            lambda o, t: (
                o["line_items"][0]["tax_lines"][0].pop("price_set")
                and o["line_items"][0]["tax_lines"][0].pop("price")
            ),
            "line_items[0].tax_lines[0].price: missing",
        ),
    ],
)
def test_missing_or_bad_fields_are_named(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    assert str(_broken(mutate)).startswith(message)


def test_graphql_errors_name_the_camel_case_path() -> None:
    node = {
        "id": "gid://shopify/Order/1",
        "currencyCode": "USD",
        "processedAt": "2024-03-01T15:00:00Z",
        "lineItems": [
            {"id": "gid://shopify/LineItem/1", "quantity": 1, "originalUnitPriceSet": bag("1.00")},
            {"id": "gid://shopify/LineItem/2", "quantity": 1},
        ],
    }
    with pytest.raises(NormalizationError, match=r"^lineItems\[1\]\.originalUnitPriceSet: missing"):
        history_from_graphql(node, store_id="s", timezone=TZ)
    node["lineItems"][1]["originalUnitPriceSet"] = bag("1.00")  # type: ignore[index]
    node["id"] = "gid://shopify/Order/not-a-number"
    with pytest.raises(NormalizationError, match=r"^id: not a Shopify id"):
        history_from_graphql(node, store_id="s", timezone=TZ)


def test_refunded_shipping_is_counted_once_in_either_rest_form() -> None:
    """Older payloads give refunded shipping as a negative shipping_refund
    adjustment, newer ones also as refund_shipping_lines: one positive
    shipping refund either way."""
    refund = rest_refund("10.00", "shopify_payments")
    refund["refund_line_items"] = []
    refund["order_adjustments"] = [
        {
            "id": 78,
            "kind": "shipping_refund",
            "amount": "-9.50",
            "amount_set": money_set("-9.50"),
            "tax_amount": "-0.50",
            "tax_amount_set": money_set("-0.50"),
        }
    ]
    order = rest_order("20.00", refunds=[refund])
    order["shipping_lines"] = [
        {
            "id": 61,
            "title": "Standard",
            "price": "9.50",
            "price_set": money_set("9.50"),
            "discount_allocations": [],
            "tax_lines": [{"title": "Tax", "price": "0.50", "price_set": money_set("0.50")}],
        }
    ]
    old = _history(order, [])
    refund["refund_shipping_lines"] = [
        {
            "id": 5,
            "shipping_line_id": 61,
            "subtotal_amount_set": money_set("9.50"),
            "tax_amount_set": money_set("0.50"),
        }
    ]
    new = _history(order, [])
    expected = (RefundAdjustment(AdjustmentKind.SHIPPING_REFUND, 950, 50),)
    assert [e.adjustments for e in old.events if isinstance(e, Refund)] == [expected]
    assert new == old
    assert old.order.shipping_lines[0].tax_lines == (TaxLine(50, False, "Tax"),)
