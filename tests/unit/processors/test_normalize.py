"""PayPal and Stripe records as the posting rules read them (section 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from service.connectors.paypal.normalize import normalize as paypal
from service.connectors.processor_http import ProcessorDataError
from service.connectors.stripe.normalize import normalize_balance_transaction, normalize_payout
from service.domain.processor import BalanceTransaction, Payout, RecordKind
from service.posting.processor import needs_review, post_processor_records


def _pp(code: str, amount: str, fee: str | None = None, **extra: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "transaction_id": "5TY05013RG002845M",
        "transaction_event_code": code,
        "transaction_initiation_date": "2025-03-02T18:30:00+0000",
        "transaction_amount": {"currency_code": "USD", "value": amount},
        "transaction_status": "S",
        **extra,
    }
    if fee is not None:
        info["fee_amount"] = {"currency_code": "USD", "value": fee}
    return info


def _bt(linked: Any) -> BalanceTransaction:
    assert linked is not None and isinstance(linked.record, BalanceTransaction)
    return linked.record


def test_a_paypal_checkout_payment_is_a_charge_with_its_fee_and_invoice() -> None:
    linked = paypal(_pp("T0006", "100.00", "-3.79", invoice_id="#1001"))
    bt = _bt(linked)
    assert (bt.kind, bt.amount, bt.fee, bt.currency) == (RecordKind.CHARGE, 10000, 379, "USD")
    assert linked is not None and linked.order_ref == "#1001"
    assert bt.at == dt.datetime(2025, 3, 2, 18, 30, tzinfo=dt.UTC)
    assert bt.id == "paypal:5TY05013RG002845M"


def test_a_paypal_refund_points_at_its_payment_and_gives_part_of_the_fee_back() -> None:
    bt = _bt(paypal(_pp("T1107", "-40.00", "1.20", paypal_reference_id="1AB23456CD789012E")))
    assert (bt.kind, bt.amount, bt.fee) == (RecordKind.REFUND, -4000, -120)
    assert bt.source_order_transaction_id == "1AB23456CD789012E"


@pytest.mark.parametrize(
    ("code", "amount", "kind"),
    [
        ("T1201", "-50.00", RecordKind.DISPUTE),
        ("T1202", "50.00", RecordKind.DISPUTE_WON),
        ("T1110", "-50.00", RecordKind.RESERVE_HOLD),
        ("T1111", "50.00", RecordKind.RESERVE_RELEASE),
        ("T2103", "-20.00", RecordKind.RESERVE_HOLD),
        ("T2104", "20.00", RecordKind.RESERVE_RELEASE),
        ("T9900", "1.00", RecordKind.UNKNOWN),
    ],
)
def test_paypal_event_codes_map_to_their_rules(code: str, amount: str, kind: RecordKind) -> None:
    assert _bt(paypal(_pp(code, amount))).kind is kind


def test_a_paypal_withdrawal_is_a_payout_and_pending_or_denied_records_move_nothing() -> None:
    linked = paypal(_pp("T0403", "-250.00"))
    assert linked is not None and isinstance(linked.record, Payout)
    assert (linked.record.amount, linked.record.date) == (25000, dt.date(2025, 3, 2))
    assert paypal(_pp("T0006", "10.00", transaction_status="P")) is None
    assert paypal(_pp("T0006", "10.00", transaction_status="D")) is None


def test_a_paypal_fee_on_its_own_posts_as_a_fee() -> None:
    bt = _bt(paypal(_pp("T0106", "-2.50")))
    assert (bt.kind, bt.amount, bt.fee) == (RecordKind.CHARGE, 0, 250)


def test_malformed_paypal_amounts_are_refused_naming_the_field() -> None:
    with pytest.raises(ProcessorDataError, match="transaction_amount"):
        paypal(_pp("T0006", "1e400"))
    with pytest.raises(ProcessorDataError, match="transaction_amount"):
        paypal(_pp("T0006", "1.001"))


def _st(type_: str, amount: int, fee: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "id": "txn_1",
        "object": "balance_transaction",
        "amount": amount,
        "created": 1740940200,
        "currency": "usd",
        "fee": fee,
        "net": amount - fee,
        "reporting_category": extra.pop("category", type_),
        "source": extra.pop("source", None),
        "type": type_,
        **extra,
    }


CHARGE = {"id": "ch_1", "object": "charge", "metadata": {"order_id": "1001"}}


def test_a_stripe_charge_names_its_order_in_metadata() -> None:
    linked = normalize_balance_transaction(_st("charge", 5000, 175, source=CHARGE))
    bt = _bt(linked)
    assert (bt.kind, bt.amount, bt.fee, bt.currency) == (RecordKind.CHARGE, 5000, 175, "USD")
    assert bt.source_order_transaction_id == "ch_1"
    assert linked is not None and linked.order_ref == "1001"


def test_stripe_refunds_and_disputes_point_at_their_charge() -> None:
    refund = {"id": "re_1", "object": "refund", "charge": "ch_1", "metadata": {}}
    bt = _bt(normalize_balance_transaction(_st("refund", -2000, source=refund)))
    assert (bt.kind, bt.source_order_transaction_id) == (RecordKind.REFUND, "ch_1")
    dispute = {"id": "du_1", "object": "dispute", "charge": "ch_1"}
    lost = _st("adjustment", -5000, 1500, category="dispute", source=dispute)
    won = _st("adjustment", 5000, -1500, category="dispute_reversal", source=dispute)
    assert _bt(normalize_balance_transaction(lost)).kind is RecordKind.DISPUTE
    assert _bt(normalize_balance_transaction(won)).kind is RecordKind.DISPUTE_WON


def test_stripe_payout_lines_are_left_to_the_payout_and_only_paid_payouts_count() -> None:
    assert normalize_balance_transaction(_st("payout", -9000)) is None
    paid = {"id": "po_1", "amount": 9000, "arrival_date": 1741132800, "currency": "usd"}
    linked = normalize_payout(dict(paid, status="paid"))
    assert linked is not None and linked.record == Payout(
        "stripe:po_1", "stripe", dt.date(2025, 3, 5), 9000, currency="USD"
    )
    assert normalize_payout(dict(paid, status="in_transit")) is None


def test_stripe_own_fees_post_as_fees_and_unknown_types_for_review() -> None:
    fee = _bt(normalize_balance_transaction(_st("stripe_fee", -200)))
    assert (fee.kind, fee.amount, fee.fee) == (RecordKind.CHARGE, 0, 200)
    odd = _bt(normalize_balance_transaction(dict(_st("climate_order_purchase", -100), id="txn_2")))
    assert odd.kind is RecordKind.UNKNOWN
    entries = post_processor_records([fee, odd], "store", "UTC")
    assert all(sum(ln.amount for ln in e.lines) == 0 for e in entries)
    assert needs_review([fee, odd]) == (odd,)


def test_stripe_amounts_must_be_integers_in_bounds() -> None:
    with pytest.raises(ProcessorDataError, match="amount"):
        normalize_balance_transaction(_st("charge", 10**20))
    with pytest.raises(ProcessorDataError, match="amount"):
        normalize_balance_transaction(dict(_st("charge", 1), amount=1.5))
