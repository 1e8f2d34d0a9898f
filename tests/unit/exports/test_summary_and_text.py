"""Summary journals and the plain-text formats, without a database."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from service.domain.accounts import DEFAULT_CHART
from service.ledger.exports import ledger_text as lt
from service.ledger.exports.summary import SummaryKind, summarize
from service.ledger.journal_reads import StoredEntry, StoredLine

STORE = uuid4()


def _entry(
    entry_id: int, day: dt.date, order: str | None, channel: str, amount: int, fee: int = 0
) -> StoredEntry:
    lines = [
        StoredLine("UNDEPOSITED_FUNDS", amount - fee, STORE, channel, order, None, None),
        StoredLine("GROSS_SALES", -amount, STORE, channel, order, "MUG", None),
    ]
    if fee:
        lines.append(StoredLine("PAYMENT_PROCESSING_FEES", fee, STORE, channel, order, None, None))
    return StoredEntry(
        entry_id, f"k{entry_id}", day, "order.sale", "sale", "e", order, STORE, "USD", tuple(lines)
    )


ENTRIES = [
    _entry(1, dt.date(2025, 3, 1), "o1", "web", 1000, 30),
    _entry(2, dt.date(2025, 3, 1), "o2", "web", 500),
    _entry(3, dt.date(2025, 3, 1), "o3", "pos", 700),
    _entry(4, dt.date(2025, 3, 2), "o4", "web", 200, 10),
    _entry(5, dt.date(2025, 4, 2), "o5", "web", 300),
]


def test_a_summary_per_day_store_and_channel_balances_and_links_its_entries() -> None:
    days = summarize(SummaryKind.DAY, ENTRIES)
    assert [(s.period, s.channel) for s in days] == [
        ("2025-03-01", "pos"),
        ("2025-03-01", "web"),
        ("2025-03-02", "web"),
        ("2025-04-02", "web"),
    ]
    for s in days:
        assert sum(ln.amount for ln in s.lines) == 0
    web = days[1]
    assert {ln.account_key: (ln.amount, ln.entry_ids) for ln in web.lines} == {
        "GROSS_SALES": (-1500, (1, 2)),
        "UNDEPOSITED_FUNDS": (1470, (1, 2)),
        "PAYMENT_PROCESSING_FEES": (30, (1,)),
    }
    assert web.key == f"DAY/2025-03-01/{STORE}/web/USD"


def test_by_month_dated_at_its_end_or_the_last_day_asked() -> None:
    months = summarize(SummaryKind.MONTH, ENTRIES, last_day=dt.date(2025, 4, 10))
    assert [(s.period, s.date, s.channel) for s in months] == [
        ("2025-03", dt.date(2025, 3, 31), "pos"),
        ("2025-03", dt.date(2025, 3, 31), "web"),
        ("2025-04", dt.date(2025, 4, 10), "web"),
    ]
    assert months[1].entry_ids == (1, 2, 4)


def test_by_payout_orders_go_with_their_payout() -> None:
    payouts = {"o1": ("po_1", dt.date(2025, 3, 4)), "o4": ("po_1", dt.date(2025, 3, 4))}
    got = summarize(SummaryKind.PAYOUT, ENTRIES, payouts=payouts)
    by_period = {(s.period, s.channel): s for s in got}
    assert by_period[("payout:po_1", "web")].date == dt.date(2025, 3, 4)
    assert by_period[("payout:po_1", "web")].entry_ids == (1, 4)
    assert by_period[("2025-03-01", "web")].entry_ids == (2,)


def test_the_fingerprint_follows_the_amounts() -> None:
    (a,) = summarize(SummaryKind.DAY, ENTRIES[1:2])
    (b,) = summarize(SummaryKind.DAY, [_entry(2, dt.date(2025, 3, 1), "o2", "web", 501)])
    (c,) = summarize(SummaryKind.DAY, [_entry(9, dt.date(2025, 3, 1), "o9", "web", 500)])
    assert a.fingerprint != b.fingerprint and a.fingerprint == c.fingerprint


def test_text_formats_escape_what_would_break_them() -> None:
    names = lt.Names(DEFAULT_CHART)
    txn = lt.Txn(
        dt.date(2025, 3, 1),
        'Order "#1001"; refund\nline',
        (lt.Posting("BANK", 1230, "USD", {"sku": "A,B"}), lt.Posting("GROSS_SALES", -1230, "USD")),
        {"order": "1001", "store": "Shop, Inc"},
    )
    hledger = lt.hledger_txn(names, txn)
    assert hledger.splitlines()[0] == (
        '2025-03-01 * Order "#1001", refund line  ; order:1001, store:Shop  Inc'
    )
    assert "    Assets:Bank  12.30 USD  ; sku:A B" in hledger
    assert "    Income:Gross-Sales  -12.30 USD" in hledger
    bean = lt.beancount_txn(names, txn)
    assert bean.splitlines()[0] == '2025-03-01 * "Order \\"#1001\\"; refund line"'
    assert '  store: "Shop, Inc"' in bean and '    sku: "A,B"' in bean
    assert lt.beancount_assertions(DEFAULT_CHART, dt.date(2025, 3, 31), {"BANK": -5}, "USD") == (
        "2025-04-01 balance Assets:Bank  -0.05 USD\n\n"
    )
    assert lt._amount(-5, "JPY") == "-5 JPY" and lt._amount(1234, "KWD") == "1.234 KWD"
