"""Shopify Payments records: what is kept, what is left out, and why."""

from __future__ import annotations

import datetime as dt

from service.connectors.shopify.normalize_graphql import payouts_from_graphql
from service.domain.processor import RecordKind


def _money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currencyCode": "USD"}


def _bt(id_: int, type_: str, amount: str, fee: str = "0.00", **extra: object) -> dict[str, object]:
    node: dict[str, object] = {
        "id": f"gid://shopify/ShopifyPaymentsBalanceTransaction/{id_}",
        "type": type_,
        "test": False,
        "transactionDate": "2024-05-01T23:30:00Z",
        "amount": _money(amount),
        "fee": _money(fee),
        "net": _money("0"),
        "associatedOrder": {"id": "gid://shopify/Order/1001"},
        "associatedPayout": {"id": "gid://shopify/ShopifyPaymentsPayout/55", "status": "PAID"},
        "sourceOrderTransactionId": "9001",
    }
    node.update(extra)
    return node


def test_payouts_and_balance_transactions() -> None:
    payouts = [
        {
            "id": "gid://shopify/ShopifyPaymentsPayout/55",
            "status": "PAID",
            "issuedAt": "2024-05-02T23:59:00Z",
            "transactionType": "DEPOSIT",
            "net": _money("97.10"),
        },
        {
            "id": "gid://shopify/ShopifyPaymentsPayout/56",
            "status": "IN_TRANSIT",
            "issuedAt": "2024-05-03T01:00:00Z",
            "transactionType": "WITHDRAWAL",
            "net": _money("5.00"),
        },
        {
            "id": "gid://shopify/ShopifyPaymentsPayout/57",
            "status": "SCHEDULED",
            "issuedAt": "2024-05-04T01:00:00Z",
            "transactionType": "DEPOSIT",
            "net": _money("1.00"),
        },
    ]
    bts = [
        _bt(1, "CHARGE", "100.00", "3.20"),
        _bt(2, "ADJUSTMENT", "0.30"),
        _bt(3, "SOMETHING_NEW", "-1.00", sourceOrderTransactionId=None, associatedOrder=None),
        _bt(4, "TRANSFER", "-97.10", associatedOrder=None, sourceOrderTransactionId=None),
        _bt(5, "CHARGE", "1.00", test=True),
    ]
    outs, records = payouts_from_graphql(payouts, bts)
    assert [(p.id, p.date, p.amount, p.processor) for p in outs] == [
        ("55", dt.date(2024, 5, 2), 9710, "shopify_payments"),
        ("56", dt.date(2024, 5, 3), -500, "shopify_payments"),
    ]
    assert [(r.id, r.type, r.amount, r.fee, r.kind) for r in records] == [
        ("1", "charge", 10000, 320, RecordKind.CHARGE),
        ("2", "adjustment", 30, 0, RecordKind.FEE_REFUND),
        ("3", "something_new", -100, 0, RecordKind.UNKNOWN),
    ]
    charge = records[0]
    assert charge.order_id == "1001"
    assert charge.source_order_transaction_id == "9001"
    assert charge.payout_id == "55"
    assert charge.at == dt.datetime(2024, 5, 1, 23, 30, tzinfo=dt.UTC)


def test_real_types_post_by_their_rules() -> None:
    """Admin GraphQL's own type names: a payout's line and its failure are
    left to the payout record, a chargeback and its reversal are disputes,
    a reserve withdrawal and reversal hold and release, and an adjustment
    finds its order transaction in ``adjustmentsOrders``."""
    none = {"associatedOrder": None, "sourceOrderTransactionId": None}
    bts = [
        _bt(1, "TRANSFER", "-50.00", **none),
        _bt(2, "TRANSFER_FAILURE", "50.00", **none),
        _bt(3, "DISPUTE_WITHDRAWAL", "-40.00", "15.00"),
        _bt(4, "DISPUTE_REVERSAL", "40.00", "-15.00"),
        _bt(5, "RESERVED_FUNDS_WITHDRAWAL", "-10.00", **none),
        _bt(6, "RESERVED_FUNDS_REVERSAL", "10.00", **none),
        _bt(
            7,
            "ADJUSTMENT",
            "0.30",
            sourceOrderTransactionId=None,
            adjustmentReason="refunded_fee",
            adjustmentsOrders=[{"orderTransactionId": "9002"}],
        ),
    ]
    _, records = payouts_from_graphql([], bts)
    assert [(r.id, r.kind) for r in records] == [
        ("3", RecordKind.DISPUTE),
        ("4", RecordKind.DISPUTE_WON),
        ("5", RecordKind.RESERVE_HOLD),
        ("6", RecordKind.RESERVE_RELEASE),
        ("7", RecordKind.FEE_REFUND),
    ]
    assert records[-1].source_order_transaction_id == "9002"
