"""The accountant's mutations: close and reopen the books, manual journal
entries, opening balances, accounts of the company's own (posting rules
14.3 and 15)."""

from __future__ import annotations

import datetime as dt

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid, global_id
from service.api.types.account import Account
from service.api.types.account import AccountType as AccountTypeEnum
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import books as commands
from service.commands.runner import Outcome
from service.domain.accounts import AccountType
from service.domain.manual import ManualEntry, ManualLine, OpeningBalances, OpeningInventory
from service.domain.money import MoneyError, check_total, to_minor
from service.ledger.accounts import NewAccount
from service.ledger.accounts import load_chart as chart_of
from service.ledger.jobs import get_job

MAX_LINES = 500


def _errors(outcome: Outcome) -> list[UserError]:
    return [UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals]


def _error(field: str, code: UserErrorCode, message: str) -> list[UserError]:
    return [UserError(field=field, code=code, message=message)]


async def _currency(info: Info) -> str:
    currency: str = await info.context.pool.fetchval(
        "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1",
        info.context.company_id,
    )
    return currency


# Closing ----------------------------------------------------------------


@strawberry.input
class CloseBooksInput:
    through: dt.date = strawberry.field(description="The last day of the closed period.")
    idempotency_key: str | None = None


@strawberry.input
class ReopenBooksInput:
    from_: dt.date = strawberry.field(name="from", description="The first day to open again.")
    idempotency_key: str | None = None


@strawberry.type
class ClosingPayload:
    closed_through: dt.date | None = strawberry.field(
        default=None, description="Entries on or before this day never change."
    )
    repost_job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def close_books(info: Info, input: CloseBooksInput) -> ClosingPayload:
    ctx = info.context
    outcome = await commands.close(
        ctx.pool, ctx.queue, ctx.company_id, input.through, dt.date.today(), input.idempotency_key
    )
    if outcome.refusals:
        return ClosingPayload(user_errors=_errors(outcome))
    return ClosingPayload(closed_through=dt.date.fromisoformat(outcome.result["closedThrough"]))


async def reopen_books(info: Info, input: ReopenBooksInput) -> ClosingPayload:
    ctx = info.context
    outcome = await commands.reopen(
        ctx.pool, ctx.queue, ctx.company_id, input.from_, input.idempotency_key
    )
    if outcome.refusals:
        return ClosingPayload(user_errors=_errors(outcome))
    job = await get_job(ctx.pool, ctx.company_id, outcome.result["jobId"])
    return ClosingPayload(
        closed_through=dt.date.fromisoformat(outcome.result["closedThrough"]),
        repost_job=Job.from_record(job) if job else None,
    )


# Manual entries ---------------------------------------------------------


@strawberry.input
class JournalLineInput:
    account_key: str
    debit: str | None = strawberry.field(default=None, description="A decimal string.")
    credit: str | None = strawberry.field(default=None, description="A decimal string.")
    memo: str = ""


@strawberry.input
class CreateJournalEntryInput:
    date: dt.date
    memo: str = strawberry.field(description="What the entry is, for whoever reads it later.")
    lines: list[JournalLineInput]
    references: list[str] = strawberry.field(
        default_factory=list, description="Where the documents are (an invoice number, a link)."
    )
    idempotency_key: str | None = None


@strawberry.input
class ReverseJournalEntryInput:
    id: strawberry.ID = strawberry.field(description="The manual entry to undo.")
    date: dt.date
    idempotency_key: str | None = None


@strawberry.type
class JournalEntryPayload:
    entry_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _amount(line: JournalLineInput, field: str, currency: str) -> tuple[int, list[UserError]]:
    """A line's amount as a net debit: exactly one of debit and credit."""
    given = [
        (side, text) for side, text in (("debit", line.debit), ("credit", line.credit)) if text
    ]
    if len(given) != 1:
        return 0, _error(field, UserErrorCode.INVALID, "give either a debit or a credit")
    side, text = given[0]
    try:
        amount = to_minor(text.strip(), currency)
        check_total(1, amount)
    except MoneyError as exc:
        return 0, _error(f"{field}.{side}", UserErrorCode.INVALID, str(exc))
    if amount <= 0:
        return 0, _error(f"{field}.{side}", UserErrorCode.INVALID, "an amount above zero")
    return (amount if side == "debit" else -amount), []


def _lines(
    lines: list[JournalLineInput], currency: str, field: str = "input.lines"
) -> tuple[tuple[ManualLine, ...], list[UserError]]:
    if len(lines) > MAX_LINES:
        return (), _error(field, UserErrorCode.INVALID, f"at most {MAX_LINES} lines")
    out: list[ManualLine] = []
    errors: list[UserError] = []
    for i, ln in enumerate(lines):
        amount, bad = _amount(ln, f"{field}[{i}]", currency)
        errors += bad
        out.append(ManualLine(ln.account_key.strip(), amount, ln.memo[:200]))
    return tuple(out), errors


async def create_journal_entry(info: Info, input: CreateJournalEntryInput) -> JournalEntryPayload:
    ctx = info.context
    lines, errors = _lines(input.lines, await _currency(info))
    if len(input.references) > 20 or any(len(r) > 300 for r in input.references):
        errors += _error("input.references", UserErrorCode.INVALID, "up to 20 of 300 characters")
    if errors:
        return JournalEntryPayload(user_errors=errors)
    entry = ManualEntry("", input.date, input.memo, lines, tuple(input.references))
    outcome = await commands.create_entry(
        ctx.pool, ctx.queue, ctx.company_id, entry, input.idempotency_key
    )
    if outcome.refusals:
        return JournalEntryPayload(user_errors=_errors(outcome))
    return JournalEntryPayload(entry_id=global_id("ManualEntry", outcome.result["entryId"]))


async def reverse_journal_entry(info: Info, input: ReverseJournalEntryInput) -> JournalEntryPayload:
    ctx = info.context
    entry_id = decode_uuid(input.id, "ManualEntry")
    if entry_id is None:
        return JournalEntryPayload(
            user_errors=_error("input.id", UserErrorCode.NOT_FOUND, "not a manual entry id")
        )
    outcome = await commands.reverse_entry(
        ctx.pool, ctx.queue, ctx.company_id, entry_id, input.date, input.idempotency_key
    )
    if outcome.refusals:
        return JournalEntryPayload(user_errors=_errors(outcome))
    return JournalEntryPayload(entry_id=global_id("ManualEntry", outcome.result["entryId"]))


# Opening balances -------------------------------------------------------


@strawberry.input
class OpeningInventoryInput:
    sku: str
    units: int
    unit_cost: str = strawberry.field(description="Cost per unit, a decimal string.")


@strawberry.input
class SetOpeningBalancesInput:
    date: dt.date = strawberry.field(description="The first day the books are kept here.")
    lines: list[JournalLineInput] = strawberry.field(
        default_factory=list,
        description="Balances other than inventory; the difference is opening balance equity.",
    )
    inventory: list[OpeningInventoryInput] = strawberry.field(default_factory=list)
    idempotency_key: str | None = None


@strawberry.type
class OpeningBalancesPayload:
    date: dt.date | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _inventory(
    items: list[OpeningInventoryInput], currency: str
) -> tuple[tuple[OpeningInventory, ...], list[UserError]]:
    out: list[OpeningInventory] = []
    errors: list[UserError] = []
    for i, item in enumerate(items[:10_000]):
        field = f"input.inventory[{i}]"
        try:
            cost = to_minor(item.unit_cost.strip(), currency)
            check_total(item.units, cost)
        except MoneyError as exc:
            errors += _error(f"{field}.unitCost", UserErrorCode.INVALID, str(exc))
            continue
        if not item.sku.strip() or not 0 < item.units <= 10_000_000 or cost < 0:
            errors += _error(field, UserErrorCode.INVALID, "a SKU, 1 or more units, a cost >= 0")
            continue
        out.append(OpeningInventory(item.sku.strip(), item.units, cost))
    return tuple(out), errors


async def set_opening_balances(
    info: Info, input: SetOpeningBalancesInput
) -> OpeningBalancesPayload:
    ctx = info.context
    currency = await _currency(info)
    lines: tuple[ManualLine, ...] = ()
    errors: list[UserError] = []
    if input.lines:
        lines, errors = _lines(input.lines, currency)
    inventory, bad = _inventory(input.inventory, currency)
    errors += bad
    if errors:
        return OpeningBalancesPayload(user_errors=errors)
    opening = OpeningBalances(input.date, lines, inventory)
    outcome = await commands.set_opening(
        ctx.pool, ctx.queue, ctx.company_id, opening, input.idempotency_key
    )
    if outcome.refusals:
        return OpeningBalancesPayload(user_errors=_errors(outcome))
    return OpeningBalancesPayload(date=input.date)


# Accounts ---------------------------------------------------------------


@strawberry.input
class CreateAccountInput:
    key: str = strawberry.field(description="A stable key in capitals, e.g. RENT.")
    name: str
    type: AccountTypeEnum
    parent_key: str | None = strawberry.field(
        default=None, description="An account of the same type to group it under."
    )
    idempotency_key: str | None = None


@strawberry.input
class UpdateAccountInput:
    key: str
    name: str | None = None
    parent_key: str | None = None
    clear_parent: bool = False
    active: bool | None = strawberry.field(
        default=None, description="False closes it to new entries; its history stays."
    )
    idempotency_key: str | None = None


@strawberry.type
class AccountPayload:
    account: Account | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def _account_payload(info: Info, outcome: Outcome) -> AccountPayload:
    if outcome.refusals:
        return AccountPayload(user_errors=_errors(outcome))
    chart = await chart_of(info.context.pool, info.context.company_id)
    found = chart.by_key.get(outcome.result["key"])
    return AccountPayload(account=Account.of(found) if found else None)


async def create_account(info: Info, input: CreateAccountInput) -> AccountPayload:
    ctx = info.context
    new = NewAccount(
        input.key.strip(),
        input.name,
        AccountType(input.type.value),
        input.parent_key.strip() if input.parent_key else None,
    )
    outcome = await commands.add_account(
        ctx.pool, ctx.queue, ctx.company_id, new, input.idempotency_key
    )
    return await _account_payload(info, outcome)


async def update_account(info: Info, input: UpdateAccountInput) -> AccountPayload:
    ctx = info.context
    change = commands.AccountChange(input.name, input.parent_key, input.clear_parent, input.active)
    outcome = await commands.change_account(
        ctx.pool, ctx.queue, ctx.company_id, input.key.strip(), change, input.idempotency_key
    )
    return await _account_payload(info, outcome)
