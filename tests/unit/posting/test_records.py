"""Processor record classification and hand-reported restocks."""

from __future__ import annotations

import datetime as dt

import pytest

from service.domain.processor import BalanceTransaction, RecordKind, classify_record
from service.domain.restocks import ChannelRestock, SkuRestock
from service.posting import (
    needs_review,
    post_channel_restock,
    post_processor_records,
    post_sku_restock,
)
from service.posting.restocks import month_end


@pytest.mark.parametrize(
    ("type_", "amount", "source", "kind"),
    [
        ("charge", 100, "t1", RecordKind.CHARGE),
        ("refund", -100, "t2", RecordKind.REFUND),
        ("adjustment", 30, "t2", RecordKind.FEE_REFUND),
        ("adjustment", 30, None, RecordKind.UNKNOWN),
        ("adjustment", -30, "t2", RecordKind.UNKNOWN),
        ("dispute", -100, None, RecordKind.DISPUTE),
        ("reserve", -100, None, RecordKind.RESERVE_HOLD),
        ("reserve", 100, None, RecordKind.RESERVE_RELEASE),
        ("Something_New", 5, None, RecordKind.UNKNOWN),
    ],
)
def test_classify(type_: str, amount: int, source: str | None, kind: RecordKind) -> None:
    assert classify_record(type_, amount, source) is kind


def test_every_record_kind_balances_and_keeps_the_processor() -> None:
    at = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    records = [
        BalanceTransaction(f"b{i}", "stripe", t, at, amount, fee, source_order_transaction_id="t1")
        for i, (t, amount, fee) in enumerate(
            [
                ("charge", 1000, 59),
                ("refund", -500, 0),
                ("adjustment", 30, 0),
                ("dispute", -1000, 1500),
                ("dispute_won", 1000, -1500),
                ("reserve", -200, 0),
                ("reserve_release", 200, 0),
                ("mystery", 7, 1),
            ]
        )
    ]
    entries = post_processor_records(records, "s1", "Europe/Paris", "EUR")
    assert len(entries) == len(records)
    for e in entries:
        assert sum(ln.amount for ln in e.lines) == 0
        for ln in e.lines:
            if ln.account in ("RIP", "UNDEPOSITED_FUNDS"):
                assert ln.processor == "stripe"
    assert [r.id for r in needs_review(records)] == ["b7"]


def test_restock_validation_and_month_end() -> None:
    with pytest.raises(ValueError):
        post_channel_restock(
            ChannelRestock("x", "s", "tiktok", dt.date(2025, 2, 2), dt.date(2025, 2, 1), -100)
        )
    assert (
        post_channel_restock(
            ChannelRestock("x", "s", "tiktok", dt.date(2025, 2, 1), dt.date(2025, 2, 1), 0)
        )
        == ()
    )
    assert month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    (entry,) = post_sku_restock(SkuRestock("s", "tiktok", "MUG", dt.date(2024, 2, 10), 2, 350))
    assert entry.date == dt.date(2024, 2, 29)
    assert {ln.account: ln.amount for ln in entry.lines} == {"INVENTORY": 700, "COGS": -700}
    assert all(ln.sku == "MUG" for ln in entry.lines)
