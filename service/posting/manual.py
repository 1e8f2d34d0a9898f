"""Posting what a person enters by hand (posting rules 14.3 and 15.1).

A manual entry posts as entered: it must balance, and it may use any
account but the order sub-ledgers (AR, RIP, DEFERRED_REVENUE,
UNDEPOSITED_FUNDS), whose balances belong to orders and processor records
and would never clear. Opening balances post the inventory on hand at cost
(per SKU) and the other balances entered, and the difference against
OPENING_BALANCE_EQUITY, so the balance sheet balances from the first day.
"""

from __future__ import annotations

from collections.abc import Collection

from service.domain.accounts import ORDER_SUB_LEDGERS
from service.domain.errors import InconsistentHistory
from service.domain.journal import JournalEntry, JournalLine
from service.domain.manual import ManualEntry, OpeningBalances
from service.domain.money import format_money

MANUAL_RULE = "manual.entry"
OPENING_RULE = "opening.balances"
MAX_LINES = 500


class ManualEntryError(InconsistentHistory):
    """A manual entry that cannot post; ``field`` names the input at fault."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(None, problem)
        self.field = field


def check_lines(
    entry_lines: Collection[tuple[str, int]], accounts: Collection[str], field: str = "lines"
) -> None:
    """Balanced, at least two lines, known and open accounts, no order sub-ledger."""
    if len(entry_lines) < 2 or len(entry_lines) > MAX_LINES:
        raise ManualEntryError(field, f"an entry has 2 to {MAX_LINES} lines")
    for i, (account, amount) in enumerate(entry_lines):
        where = f"{field}[{i}]"
        if account in ORDER_SUB_LEDGERS:
            raise ManualEntryError(
                f"{where}.accountKey",
                f"{account} holds orders' and processors' balances: post to it through them",
            )
        if account not in accounts:
            raise ManualEntryError(f"{where}.accountKey", f"no open account {account!r}")
        if amount == 0:
            raise ManualEntryError(f"{where}.debit", "a line moves a non-zero amount")
    total = sum(amount for _, amount in entry_lines)
    if total:
        raise ManualEntryError(field, f"debits and credits differ by {total} (minor units)")


def post_manual_entry(entry: ManualEntry, store_id: str, currency: str) -> JournalEntry:
    """The journal entry of a manual entry (checked by ``check_lines`` when
    it was made; posted again as it is by any later re-post)."""
    lines = tuple(JournalLine(ln.account, ln.amount, store_id, "") for ln in entry.lines)
    memo = entry.memo
    if entry.reverses:
        memo = f"{memo} (reverses manual entry {entry.reverses})"
    return JournalEntry(f"manual/{entry.id}", entry.date, None, entry.id, MANUAL_RULE, memo, lines)


def post_opening_balances(
    opening: OpeningBalances, store_id: str, currency: str
) -> tuple[JournalEntry, ...]:
    """One entry on the opening date: inventory per SKU at cost, the other
    balances, and opening balance equity for the difference."""
    lines: list[JournalLine] = []
    for item in opening.inventory:
        value = item.units * item.unit_cost
        if value:
            lines.append(JournalLine("INVENTORY", value, store_id, "", None, item.sku))
    lines += [JournalLine(ln.account, ln.amount, store_id, "") for ln in opening.lines if ln.amount]
    difference = sum(ln.amount for ln in lines)
    if difference:
        lines.append(JournalLine("OPENING_BALANCE_EQUITY", -difference, store_id, ""))
    if not lines:
        return ()
    memo = (
        f"Opening balances on {opening.date.isoformat()}: "
        f"{format_money(-difference, currency)} of opening balance equity"
    )
    return (
        JournalEntry(
            f"opening/{opening.date.isoformat()}",
            opening.date,
            None,
            "opening",
            OPENING_RULE,
            memo,
            tuple(lines),
        ),
    )
