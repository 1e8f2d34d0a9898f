"""Payment processor records and payouts (posting rules section 11).

A processor's record of a transaction moves money from RIP (where the
order's payment waited) into that processor's UNDEPOSITED_FUNDS, less its
fee; a payout moves it to the BANK. Every line touching RIP or undeposited
funds carries the processor dimension, so each processor's sub-ledger
reconciles on its own. Payouts keep the processor's own date and are
matched by id: processor batches close at midnight UTC, not in store time.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.domain.errors import InconsistentHistory
from service.domain.journal import JournalEntry, JournalLine, sort_entries
from service.domain.money import format_money
from service.domain.processor import BalanceTransaction, Payout, ProcessorRecord, RecordKind

# The account each kind of record moves money against (the other side is
# the processor's UNDEPOSITED_FUNDS).
_COUNTER: dict[RecordKind, str] = {
    RecordKind.CHARGE: "RIP",
    RecordKind.REFUND: "RIP",
    RecordKind.FEE_REFUND: "PAYMENT_PROCESSING_FEES",
    RecordKind.DISPUTE: "CHARGEBACKS",
    RecordKind.DISPUTE_WON: "CHARGEBACKS",
    RecordKind.RESERVE_HOLD: "PROCESSOR_RESERVES",
    RecordKind.RESERVE_RELEASE: "PROCESSOR_RESERVES",
    # Never dropped: parked against RIP and listed for review.
    RecordKind.UNKNOWN: "RIP",
}

_WHAT: dict[RecordKind, str] = {
    RecordKind.CHARGE: "payment",
    RecordKind.REFUND: "refund",
    RecordKind.FEE_REFUND: "fee given back",
    RecordKind.DISPUTE: "dispute",
    RecordKind.DISPUTE_WON: "dispute won",
    RecordKind.RESERVE_HOLD: "reserve hold",
    RecordKind.RESERVE_RELEASE: "reserve release",
    RecordKind.UNKNOWN: "unknown record type, needs review",
}


def post_processor_records(
    records: Iterable[ProcessorRecord],
    store_id: str,
    timezone: str,
    currency: str = "USD",
) -> tuple[JournalEntry, ...]:
    """Entries for a processor's balance transactions and payouts.

    - a transaction: Dr UNDEPOSITED_FUNDS, Cr RIP its gross (signed, so a
      refund runs the other way); its fee: Dr PAYMENT_PROCESSING_FEES, Cr
      UNDEPOSITED_FUNDS (a negative fee is a fee given back);
    - a fee given back on a refund: Cr PAYMENT_PROCESSING_FEES;
    - a dispute: Dr CHARGEBACKS the amount and Dr fees its fee; won: the
      reverse (positive amount, negative fee);
    - a reserve hold: Dr PROCESSOR_RESERVES; its release the reverse;
    - an unknown type: Dr UNDEPOSITED_FUNDS, Cr RIP and ``needs_review``;
    - a payout: Dr BANK, Cr UNDEPOSITED_FUNDS; a payout fee to BANK_FEES.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InconsistentHistory(None, f"unknown time zone {timezone!r}") from exc
    seen: dict[tuple[str, str, str], ProcessorRecord] = {}
    entries: list[JournalEntry] = []
    for rec in records:
        tag = (type(rec).__name__, rec.processor, rec.id)
        if tag in seen:
            if seen[tag] == rec:
                continue
            raise InconsistentHistory(
                None, f"processor record {rec.id} appears twice with different content"
            )
        seen[tag] = rec
        if rec.currency is not None and rec.currency != currency:
            raise InconsistentHistory(
                None,
                f"processor record {rec.id} is in {rec.currency}, the books are in {currency}"
                " (amounts in two currencies)",
            )
        if isinstance(rec, Payout):
            entries.append(_payout(rec, store_id, currency))
        else:
            entries.append(_balance_transaction(rec, store_id, currency, zone))
    return sort_entries(entries)


def _balance_transaction(
    bt: BalanceTransaction, store_id: str, currency: str, zone: ZoneInfo
) -> JournalEntry:
    if bt.at.tzinfo is None:
        raise InconsistentHistory(bt.order_id, f"processor record {bt.id} has no time zone")
    kind = bt.kind
    lines: list[JournalLine] = []

    def add(account: str, amount: int) -> None:
        if amount:
            proc = bt.processor if account in ("UNDEPOSITED_FUNDS", "RIP") else None
            lines.append(
                JournalLine(account, amount, store_id, bt.channel, bt.order_id, None, proc)
            )

    add("UNDEPOSITED_FUNDS", bt.amount)
    add(_COUNTER[kind], -bt.amount)
    add("PAYMENT_PROCESSING_FEES", bt.fee)
    add("UNDEPOSITED_FUNDS", -bt.fee)
    memo = f"{bt.processor} {_WHAT[kind]} {bt.id}: {format_money(bt.amount, currency)}"
    if bt.fee:
        memo += f", fee {format_money(bt.fee, currency)}"
    if bt.order_id:
        memo += f" (order {bt.order_id})"
    if kind is RecordKind.UNKNOWN:
        memo += f" [type {bt.type!r}]"
    return JournalEntry(
        key=f"processor/{bt.processor}/{bt.id}",
        date=bt.at.astimezone(zone).date(),
        order_id=bt.order_id,
        event=bt.id,
        rule=f"processor.{kind.value.lower()}",
        memo=memo,
        lines=tuple(lines),
    )


def _payout(p: Payout, store_id: str, currency: str) -> JournalEntry:
    lines: list[JournalLine] = []
    if p.amount:
        lines.append(JournalLine("BANK", p.amount, store_id, "", None, None, None))
    if p.fee:
        lines.append(JournalLine("BANK_FEES", p.fee, store_id, "", None, None, None))
    if p.amount + p.fee:
        lines.append(
            JournalLine(
                "UNDEPOSITED_FUNDS", -(p.amount + p.fee), store_id, "", None, None, p.processor
            )
        )
    return JournalEntry(
        key=f"processor/{p.processor}/payout/{p.id}",
        date=p.date,
        order_id=None,
        event=p.id,
        rule="processor.payout",
        memo=f"{p.processor} payout {p.id}: {format_money(p.amount, currency)} to the bank",
        lines=tuple(lines),
    )


def needs_review(records: Iterable[ProcessorRecord]) -> tuple[BalanceTransaction, ...]:
    """Records of a type the rules do not know (posted, but to be looked at)."""
    return tuple(
        r for r in records if isinstance(r, BalanceTransaction) and r.kind is RecordKind.UNKNOWN
    )
