"""Bank lines in the books (posting rules section 16).

Each bank account is an account of its own under Bank (its sub-ledger).
Money that other postings already put in Bank - a processor's payout, a
deposit linked to orders - is moved into the bank account's sub-ledger
when its bank line is matched, so it is counted once: the payout or the
order posts the money, the line only says which bank holds it. A line
categorised posts the money itself, against the account it names. A
line left unexplained posts nothing, and is what a bank reconciliation
lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.domain.journal import JournalEntry, JournalLine
from service.domain.money import format_money
from service.domain.settings import AccountingBasis

OPENING_RULE = "bank.opening"
RULES_BY_KIND = {
    "PAYOUT": "bank.payout_matched",
    "LINK": "bank.deposit_linked",
    "STORE_CASH": "bank.store_cash",
    "TRANSFER": "bank.transfer",
    "ACCOUNT": "bank.categorised",
}


@dataclass(frozen=True, slots=True)
class ExplainedLine:
    """A bank line and how it is explained. ``counter`` is the account the
    other side of the entry goes to (for TRANSFER the other bank account's
    key, for ACCOUNT the account chosen)."""

    line_id: str
    bank_key: str
    date: dt.date
    amount: int
    description: str
    kind: str
    counter: str | None = None
    reference: str = ""


def counter_account(line: ExplainedLine, basis: AccountingBasis) -> str:
    """Where the other side of a line's entry goes."""
    if line.kind in ("PAYOUT", "LINK"):
        return "BANK"
    if line.kind == "STORE_CASH":
        return "AR" if basis is AccountingBasis.ACCRUAL else "GROSS_SALES"
    if line.counter is None:
        raise ValueError(f"bank line {line.line_id}: {line.kind} names no account")
    return line.counter


def post_bank_line(
    line: ExplainedLine, basis: AccountingBasis, store_id: str, currency: str
) -> JournalEntry | None:
    """Dr the bank account's sub-ledger, Cr the counter account (a money-out
    line the other way round); None for a line that posts nothing."""
    rule = RULES_BY_KIND.get(line.kind)
    if rule is None or line.amount == 0:
        return None
    other = counter_account(line, basis)
    lines = (
        JournalLine(line.bank_key, line.amount, store_id, ""),
        JournalLine(other, -line.amount, store_id, ""),
    )
    memo = f"Bank line {line.date.isoformat()} {format_money(line.amount, currency)}"
    memo += f" {line.description[:120]}".rstrip() + _why(line, other)
    return JournalEntry(
        key=f"bank/{line.line_id}",
        date=line.date,
        order_id=None,
        event=line.line_id,
        rule=rule,
        memo=memo[:500],
        lines=lines,
    )


def _why(line: ExplainedLine, other: str) -> str:
    if line.kind == "PAYOUT":
        return f": payout {line.reference} received"
    if line.kind == "LINK":
        return f": deposit linked to orders {line.reference}".rstrip()
    if line.kind == "STORE_CASH":
        return ": cash payment received for store orders"
    if line.kind == "TRANSFER":
        return f": transfer with {other}"
    return f": categorised to {other}"


def post_bank_opening(
    bank_key: str, account_id: str, date: dt.date, amount: int, store_id: str, currency: str
) -> JournalEntry | None:
    """The balance the bank account had when its feed starts."""
    if amount == 0:
        return None
    return JournalEntry(
        key=f"bank/opening/{account_id}",
        date=date,
        order_id=None,
        event=account_id,
        rule=OPENING_RULE,
        memo=f"Opening balance of {bank_key}: {format_money(amount, currency)}",
        lines=(
            JournalLine(bank_key, amount, store_id, ""),
            JournalLine("OPENING_BALANCE_EQUITY", -amount, store_id, ""),
        ),
    )
