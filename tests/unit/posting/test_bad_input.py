"""An inconsistent history raises one typed error and posts nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from service.domain.context import PostingContext
from service.domain.errors import InconsistentHistory
from service.domain.events import (
    Fulfillment,
    FulfillmentLine,
    PaymentMethod,
    Refund,
    RefundLine,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.money import MoneyError, format_amount, to_decimal, to_minor
from service.domain.order import LineItem, Order
from service.domain.settings import DepositLink
from service.posting import post_order

AT = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)


def _order(**kw: object) -> Order:
    base: dict[str, object] = {
        "id": "o9",
        "store_id": "s",
        "currency": "USD",
        "timezone": "UTC",
        "placed_at": AT,
        "lines": (LineItem("l1", "A", 2, 1000),),
    }
    base.update(kw)
    return Order(**base)  # type: ignore[arg-type]


def _pay(amount: int, currency: str | None = None, tid: str = "p1") -> Transaction:
    return Transaction(
        tid,
        AT,
        TransactionKind.SALE,
        amount,
        "shopify_payments",
        PaymentMethod.PROCESSOR,
        currency=currency,
    )


def _refund_txn(amount: int) -> Transaction:
    return Transaction(
        "rt", AT, TransactionKind.REFUND, amount, "shopify_payments", PaymentMethod.PROCESSOR
    )


CASES = {
    "refund of more units than sold": (
        (_pay(2000), Refund("r1", AT, (RefundLine("l1", 3),))),
        "more units than were sold",
    ),
    "refund over two refunds": (
        (Refund("r1", AT, (RefundLine("l1", 2),)), Refund("r2", AT, (RefundLine("l1", 1),))),
        "more units than were sold",
    ),
    "fulfillment of an unknown line": (
        (Fulfillment("f1", AT, (FulfillmentLine("nope", 1),)),),
        "unknown line",
    ),
    "fulfillment of too many units": (
        (Fulfillment("f1", AT, (FulfillmentLine("l1", 3),)),),
        "fulfilled 3 times",
    ),
    "refund of an unknown line": (
        (Refund("r1", AT, (RefundLine("zz", 1),)),),
        "unknown line",
    ),
    "amounts in two currencies": ((_pay(2000, "EUR"),), "two currencies"),
    "refund money in another currency": (
        (
            _pay(2000),
            Refund(
                "r1",
                AT,
                transactions=(
                    Transaction(
                        "rt",
                        AT,
                        TransactionKind.REFUND,
                        10,
                        "x",
                        PaymentMethod.PROCESSOR,
                        currency="CAD",
                    ),
                ),
            ),
        ),
        "two currencies",
    ),
    "refund of more money than paid": (
        (_pay(1000), Refund("r1", AT, transactions=(_refund_txn(1500),))),
        "only 1000 was paid",
    ),
    "same id, different content": ((_pay(1000), _pay(900)), "appears twice"),
    "naive datetime": (
        (
            Transaction(
                "p", AT.replace(tzinfo=None), TransactionKind.SALE, 1, "x", PaymentMethod.PROCESSOR
            ),
        ),
        "without a time zone",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_inconsistent_history_raises_one_typed_error(name: str) -> None:
    events, problem = CASES[name]
    with pytest.raises(InconsistentHistory) as info:
        post_order(OrderHistory(_order(), events), PostingContext())
    assert info.value.order_id == "o9"
    assert problem in info.value.problem
    assert "o9" in str(info.value)


@pytest.mark.parametrize(
    ("order_kw", "problem"),
    [
        ({"currency": "usd"}, "ISO 4217"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"lines": (LineItem("l1", "A", 0, 100),)}, "non-positive quantity"),
        ({"lines": (LineItem("l1", "A", 1, 100), LineItem("l1", "B", 1, 100))}, "share the id"),
        ({"unallocated_discount": 5000}, "discounted by more than its price"),
    ],
)
def test_bad_orders(order_kw: dict[str, object], problem: str) -> None:
    with pytest.raises(InconsistentHistory) as info:
        post_order(OrderHistory(_order(**order_kw)), PostingContext())
    assert problem in info.value.problem


def test_deposit_naming_an_unknown_account() -> None:
    ctx = PostingContext(deposits=(DepositLink("d1", AT.date(), 1000, 100, "NOT_AN_ACCOUNT"),))
    with pytest.raises(InconsistentHistory):
        post_order(OrderHistory(_order()), ctx)


def test_identical_duplicate_is_delivered_once() -> None:
    once = post_order(OrderHistory(_order(), (_pay(2000),)), PostingContext())
    twice = post_order(OrderHistory(_order(), (_pay(2000), _pay(2000))), PostingContext())
    assert once == twice


def test_money_conversions() -> None:
    assert to_minor("12.30", "USD") == 1230
    assert to_minor("1500", "JPY") == 1500
    assert to_minor("1.234", "KWD") == 1234
    assert format_amount(-1230, "USD") == "-12.30"
    assert format_amount(1500, "JPY") == "1500"
    assert str(to_decimal(5, "USD")) == "0.05"
    with pytest.raises(MoneyError):
        to_minor("12.345", "USD")
    with pytest.raises(MoneyError):
        to_minor("1.5", "JPY")
    with pytest.raises(MoneyError):
        to_minor("abc", "USD")
