"""The bank feed's mutations: bank accounts, statement imports, matching,
categorising and rules. Each goes through a command, takes one input with
an idempotency key and answers with userErrors naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid, global_id
from service.api.types.bank import BankAccount, BankLine
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import bank as commands
from service.commands.runner import Outcome
from service.domain.bank_files import CsvMapping
from service.domain.money import MoneyError, to_minor
from service.ledger.bank_accounts import get_bank_account
from service.ledger.bank_explain import get_line

MAX_FILE_CHARS = 2_000_000


def _errors(outcome: Outcome) -> list[UserError]:
    return [UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals]


def _error(field: str, code: UserErrorCode, message: str) -> list[UserError]:
    return [UserError(field=field, code=code, message=message)]


class Refused(Exception):
    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _uuid(value: str, type_name: str, field: str) -> UUID:
    found = decode_uuid(value, type_name)
    if found is None:
        raise Refused(_error(field, UserErrorCode.NOT_FOUND, f"no {type_name} {value[:100]!r}"))
    return found


def _minor(amount: Decimal, currency: str, field: str) -> int:
    try:
        return to_minor(amount, currency)
    except MoneyError as exc:
        raise Refused(_error(field, UserErrorCode.INVALID, str(exc))) from None


async def _line_payload(info: Info, outcome: Outcome, line_id: UUID) -> BankLinePayload:
    if outcome.refusals:
        return BankLinePayload(user_errors=_errors(outcome))
    line = await get_line(info.context.pool, info.context.company_id, line_id)
    return BankLinePayload(bank_line=BankLine.of(line) if line else None)


# Bank accounts -----------------------------------------------------------


@strawberry.input
class CreateBankAccountInput:
    account_key: str = strawberry.field(
        description="The key of the bank account's own account under Bank, e.g. BANK_CHECKING."
    )
    name: str
    currency_code: str
    opening_date: dt.date
    opening_balance: Decimal = Decimal(0)
    idempotency_key: str | None = None


@strawberry.type
class BankAccountPayload:
    bank_account: BankAccount | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def create_bank_account(info: Info, input: CreateBankAccountInput) -> BankAccountPayload:
    ctx = info.context
    currency = input.currency_code.strip().upper()
    try:
        opening = _minor(input.opening_balance, currency, "input.openingBalance")
    except Refused as exc:
        return BankAccountPayload(user_errors=exc.errors)
    account = (input.account_key, input.name, currency, input.opening_date, opening)
    outcome = await commands.create_account(
        ctx.pool, ctx.queue, ctx.company_id, input.idempotency_key, account
    )
    if outcome.refusals:
        return BankAccountPayload(user_errors=_errors(outcome))
    found = await get_bank_account(ctx.pool, ctx.company_id, UUID(outcome.result["bankAccountId"]))
    return BankAccountPayload(bank_account=BankAccount.of(found) if found else None)


@strawberry.input
class SetBankCsvMappingInput:
    bank_account_id: strawberry.ID
    date: str = strawberry.field(description="Header of the date column.")
    description: str = strawberry.field(description="Header of the description column.")
    amount: str | None = strawberry.field(
        default=None, description="Header of one signed amount column (+ money in)."
    )
    credit: str | None = strawberry.field(default=None, description="Or a money-in column...")
    debit: str | None = strawberry.field(default=None, description="...and a money-out column.")
    payee: str | None = None
    reference: str | None = strawberry.field(
        default=None, description="The bank's own id of a line, when the export has one."
    )
    date_format: str = strawberry.field(
        default="%Y-%m-%d", description="strftime codes: %d/%m/%Y, %m/%d/%Y..."
    )
    decimal_comma: bool = strawberry.field(default=False, description="Amounts like 1.234,56.")
    idempotency_key: str | None = None


async def set_bank_csv_mapping(info: Info, input: SetBankCsvMappingInput) -> BankAccountPayload:
    ctx = info.context
    try:
        account_id = _uuid(input.bank_account_id, "BankAccount", "input.bankAccountId")
    except Refused as exc:
        return BankAccountPayload(user_errors=exc.errors)
    mapping = CsvMapping(
        input.date,
        input.description,
        input.amount,
        input.credit,
        input.debit,
        input.payee,
        input.reference,
        input.date_format,
        input.decimal_comma,
    )
    outcome = await commands.save_csv_mapping(
        ctx.pool, ctx.queue, ctx.company_id, input.idempotency_key, account_id, mapping
    )
    if outcome.refusals:
        return BankAccountPayload(user_errors=_errors(outcome))
    found = await get_bank_account(ctx.pool, ctx.company_id, account_id)
    return BankAccountPayload(bank_account=BankAccount.of(found) if found else None)


# Import -----------------------------------------------------------------


@strawberry.input
class ImportBankStatementInput:
    bank_account_id: strawberry.ID
    content: str = strawberry.field(
        description="The file's text: OFX/QFX (1.x SGML or 2.x XML), camt.053 XML, or CSV in"
        " the account's saved column mapping."
    )
    idempotency_key: str | None = None


@strawberry.type
class ImportBankStatementPayload:
    format: str | None = None
    lines_read: int = 0
    lines_new: int = 0
    duplicates: int = strawberry.field(default=0, description="Lines already imported before.")
    matched: int = strawberry.field(default=0, description="New lines matched to payouts.")
    categorised: int = strawberry.field(default=0, description="New lines put by saved rules.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def import_bank_statement(
    info: Info, input: ImportBankStatementInput
) -> ImportBankStatementPayload:
    """All or nothing: a file with any bad line stores nothing and names the line."""
    ctx = info.context
    try:
        account_id = _uuid(input.bank_account_id, "BankAccount", "input.bankAccountId")
    except Refused as exc:
        return ImportBankStatementPayload(user_errors=exc.errors)
    if len(input.content) > MAX_FILE_CHARS:
        return ImportBankStatementPayload(
            user_errors=_error("input.content", UserErrorCode.INVALID, "the file is too large")
        )
    outcome = await commands.import_file(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        input.idempotency_key,
        account_id,
        input.content.encode("utf-8"),
    )
    if outcome.refusals:
        return ImportBankStatementPayload(user_errors=_errors(outcome))
    r = outcome.result
    return ImportBankStatementPayload(
        format=r["format"],
        lines_read=r["linesRead"],
        lines_new=r["linesNew"],
        duplicates=r["duplicates"],
        matched=r["matched"],
        categorised=r["categorised"],
    )


# Explaining lines ---------------------------------------------------------


@strawberry.type
class BankLinePayload:
    bank_line: BankLine | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MatchBankLinesInput:
    idempotency_key: str | None = None


@strawberry.type
class MatchBankLinesPayload:
    matched: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def match_bank_lines(info: Info, input: MatchBankLinesInput) -> MatchBankLinesPayload:
    ctx = info.context
    outcome = await commands.match_all(ctx.pool, ctx.queue, ctx.company_id, input.idempotency_key)
    if outcome.refusals:
        return MatchBankLinesPayload(user_errors=_errors(outcome))
    return MatchBankLinesPayload(matched=outcome.result["matched"])


@strawberry.input
class MatchBankLineToPayoutInput:
    bank_line_id: strawberry.ID
    processor: str
    payout_id: str
    idempotency_key: str | None = None


async def match_bank_line_to_payout(
    info: Info, input: MatchBankLineToPayoutInput
) -> BankLinePayload:
    ctx = info.context
    try:
        line_id = _uuid(input.bank_line_id, "BankLine", "input.bankLineId")
    except Refused as exc:
        return BankLinePayload(user_errors=exc.errors)
    outcome = await commands.match_one(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        input.idempotency_key,
        line_id,
        input.processor,
        input.payout_id,
    )
    return await _line_payload(info, outcome, line_id)


@strawberry.enum(description="How to categorise a bank line.")
class BankCategory(Enum):
    STORE_CASH = "STORE_CASH"
    TRANSFER = "TRANSFER"
    ACCOUNT = "ACCOUNT"


@strawberry.input
class CategoriseBankLineInput:
    bank_line_id: strawberry.ID
    category: BankCategory = strawberry.field(
        description="STORE_CASH: cash payment received for store orders (no order named);"
        " TRANSFER: to or from another own bank account; ACCOUNT: any other account."
    )
    account_key: str | None = strawberry.field(default=None, description="For ACCOUNT.")
    other_bank_account_id: strawberry.ID | None = strawberry.field(
        default=None, description="For TRANSFER."
    )
    other_bank_line_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="For TRANSFER: the other account's line; found by amount and date if not.",
    )
    store_id: strawberry.ID | None = strawberry.field(
        default=None, description="For STORE_CASH: the store (the books' first store if not)."
    )
    save_rule: bool = strawberry.field(
        default=False, description="For ACCOUNT: categorise future lines of this payee alike."
    )
    rule_matches_amount: bool = strawberry.field(
        default=False, description="The saved rule also needs this exact amount."
    )
    idempotency_key: str | None = None


def _how(input: CategoriseBankLineInput) -> dict[str, Any]:
    how: dict[str, Any] = {
        "kind": input.category.value,
        "accountKey": input.account_key,
        "saveRule": input.save_rule,
        "ruleMatchesAmount": input.rule_matches_amount,
    }
    if input.other_bank_account_id is not None:
        how["otherBankAccountId"] = _uuid(
            input.other_bank_account_id, "BankAccount", "input.otherBankAccountId"
        )
    if input.other_bank_line_id is not None:
        how["otherLineId"] = _uuid(input.other_bank_line_id, "BankLine", "input.otherBankLineId")
    if input.store_id is not None:
        how["storeId"] = _uuid(input.store_id, "Store", "input.storeId")
    return how


async def categorise_bank_line(info: Info, input: CategoriseBankLineInput) -> BankLinePayload:
    ctx = info.context
    try:
        line_id = _uuid(input.bank_line_id, "BankLine", "input.bankLineId")
        how = _how(input)
    except Refused as exc:
        return BankLinePayload(user_errors=exc.errors)
    outcome = await commands.categorise(
        ctx.pool, ctx.queue, ctx.company_id, input.idempotency_key, line_id, how
    )
    return await _line_payload(info, outcome, line_id)


@strawberry.input
class UnexplainBankLineInput:
    bank_line_id: strawberry.ID
    idempotency_key: str | None = None


async def unexplain_bank_line(info: Info, input: UnexplainBankLineInput) -> BankLinePayload:
    """Unmatch, unlink (its orders are re-posted) or uncategorise a line."""
    ctx = info.context
    try:
        line_id = _uuid(input.bank_line_id, "BankLine", "input.bankLineId")
    except Refused as exc:
        return BankLinePayload(user_errors=exc.errors)
    outcome = await commands.unexplain(
        ctx.pool, ctx.queue, ctx.company_id, input.idempotency_key, line_id
    )
    return await _line_payload(info, outcome, line_id)


# Rules ----------------------------------------------------------------------


@strawberry.input
class CreateBankRuleInput:
    payee_contains: str
    account_key: str
    amount: Decimal | None = strawberry.field(
        default=None, description="Only lines of exactly this amount (signed: - money out)."
    )
    bank_account_id: strawberry.ID | None = None
    apply_to_unexplained: bool = strawberry.field(
        default=False, description="Also categorise the lines already imported and unexplained."
    )
    idempotency_key: str | None = None


@strawberry.type
class BankRulePayload:
    rule_id: strawberry.ID | None = None
    applied: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def create_bank_rule(info: Info, input: CreateBankRuleInput) -> BankRulePayload:
    ctx = info.context
    try:
        account_id = (
            _uuid(input.bank_account_id, "BankAccount", "input.bankAccountId")
            if input.bank_account_id
            else None
        )
        amount = None
        if input.amount is not None:
            currency = await ctx.pool.fetchval(
                "SELECT coalesce(min(currency_code), 'USD') FROM stores WHERE company_id = $1",
                ctx.company_id,
            )
            amount = _minor(input.amount, currency, "input.amount")
    except Refused as exc:
        return BankRulePayload(user_errors=exc.errors)
    outcome = await commands.add_rule(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        input.idempotency_key,
        (input.payee_contains, amount, input.account_key, account_id),
        input.apply_to_unexplained,
    )
    if outcome.refusals:
        return BankRulePayload(user_errors=_errors(outcome))
    return BankRulePayload(
        rule_id=global_id("BankRule", outcome.result["ruleId"]),
        applied=outcome.result["applied"],
    )


@strawberry.input
class DeleteBankRuleInput:
    rule_id: strawberry.ID
    idempotency_key: str | None = None


async def delete_bank_rule(info: Info, input: DeleteBankRuleInput) -> BankRulePayload:
    ctx = info.context
    try:
        rule_id = _uuid(input.rule_id, "BankRule", "input.ruleId")
    except Refused as exc:
        return BankRulePayload(user_errors=exc.errors)
    outcome = await commands.remove_rule(
        ctx.pool, ctx.queue, ctx.company_id, input.idempotency_key, rule_id
    )
    if outcome.refusals:
        return BankRulePayload(user_errors=_errors(outcome))
    return BankRulePayload(rule_id=input.rule_id)
