"""The bank feed in GraphQL: bank accounts, their lines and how each line
is explained, payouts, rules and reconciliations."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import global_id
from service.api.types.money import Money
from service.api.types.order import Order
from service.ledger import bank_views as views
from service.ledger.bank_accounts import BankAccount as BankAccountRow
from service.ledger.bank_explain import LineRow
from service.ledger.bank_rules import BankRule as BankRuleRow
from service.ledger.payouts import PayoutRow


@strawberry.enum(description="How a bank line is explained (exactly one way, or UNEXPLAINED).")
class BankLineExplanation(Enum):
    UNEXPLAINED = "UNEXPLAINED"
    PAYOUT = "PAYOUT"
    LINK = "LINK"
    STORE_CASH = "STORE_CASH"
    TRANSFER = "TRANSFER"
    TRANSFER_SIDE = "TRANSFER_SIDE"
    ACCOUNT = "ACCOUNT"


@strawberry.type(description="A closing balance a statement file gave.")
class StatementBalance:
    date: dt.date
    closing_balance: Money


@strawberry.type(description="A bank account: its own sub-ledger under Bank.")
class BankAccount:
    id: strawberry.ID
    account_key: str
    name: str
    currency_code: str
    opening_date: dt.date
    opening_balance: Money
    has_csv_mapping: bool
    account_id: strawberry.Private[UUID]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The statements' closing balances, by date: the days to reconcile on."
    )
    async def statement_balances(self, info: Info) -> list[StatementBalance]:
        rows = await info.context.pool.fetch(
            "SELECT statement_date, closing_balance FROM bank_statement_balances "
            "WHERE company_id = $1 AND bank_account_id = $2 ORDER BY statement_date",
            info.context.company_id,
            self.account_id,
        )
        return [
            StatementBalance(
                date=r["statement_date"],
                closing_balance=Money.of(r["closing_balance"], self.currency_code),
            )
            for r in rows
        ]

    @classmethod
    def of(cls, a: BankAccountRow) -> BankAccount:
        return cls(
            id=global_id("BankAccount", a.id),
            account_key=a.account_key,
            name=a.name,
            currency_code=a.currency,
            opening_date=a.opening_date,
            opening_balance=Money.of(a.opening_balance, a.currency),
            has_csv_mapping=a.csv_mapping is not None,
            account_id=a.id,
        )


@strawberry.type(description="A processor's payout to the bank.")
class Payout:
    processor: str
    payout_id: str
    store_id: strawberry.ID | None
    payout_date: dt.date
    amount: Money
    status: str

    @classmethod
    def of(cls, p: PayoutRow) -> Payout:
        return cls(
            processor=p.processor,
            payout_id=p.payout_id,
            store_id=global_id("Store", p.store_id) if p.store_id else None,
            payout_date=p.payout_date,
            amount=Money.of(p.amount, p.currency),
            status=p.status,
        )


@strawberry.type(description="Orders and payouts a bank line may be.")
class BankLineSuggestions:
    orders: list[Order]
    payouts: list[Payout]


@strawberry.type(description="One line of a bank statement.")
class BankLine:
    id: strawberry.ID
    bank_account_id: strawberry.ID
    account_key: str
    date: dt.date
    amount: Money
    description: str
    payee: str
    explanation: BankLineExplanation
    account: str | None = strawberry.field(
        description="The account a categorised line or a transfer posts against."
    )
    processor: str | None
    payout_id: str | None
    other_line_id: strawberry.ID | None
    line_key: strawberry.Private[LineRow]

    @classmethod
    def of(cls, r: LineRow) -> BankLine:
        return cls(
            id=global_id("BankLine", r.line_id),
            bank_account_id=global_id("BankAccount", r.bank_account_id),
            account_key=r.account_key,
            date=r.date,
            amount=Money.of(r.amount, r.currency),
            description=r.description,
            payee=r.payee,
            explanation=BankLineExplanation(r.kind or "UNEXPLAINED"),
            account=r.counter,
            processor=r.processor,
            payout_id=r.payout_id,
            other_line_id=global_id("BankLine", r.other_line_id) if r.other_line_id else None,
            line_key=r,
        )

    @strawberry.field(description="Orders whose open balance is this amount; payouts near it.")  # type: ignore[untyped-decorator]
    async def suggestions(self, info: Info) -> BankLineSuggestions:
        async with info.context.pool.acquire() as conn:
            found = await views.suggestions(conn, info.context.company_id, self.line_key)
        return BankLineSuggestions(
            orders=[Order.from_summary(o) for o in found.orders],
            payouts=[Payout.of(p) for p in found.payouts],
        )


@strawberry.type(description="A saved rule: lines whose payee or text holds it go to an account.")
class BankRule:
    id: strawberry.ID
    payee_contains: str
    amount: Money | None
    account_key: str
    bank_account_id: strawberry.ID | None

    @classmethod
    def of(cls, r: BankRuleRow, currency: str) -> BankRule:
        return cls(
            id=global_id("BankRule", r.id),
            payee_contains=r.payee_contains,
            amount=Money.of(r.amount, currency) if r.amount is not None else None,
            account_key=r.account_key,
            bank_account_id=global_id("BankAccount", r.bank_account_id)
            if r.bank_account_id
            else None,
        )


@strawberry.type(description="A deposit whose text names a processor but no payout matches it.")
class ProcessorDeposit:
    processor: str
    line: BankLine


@strawberry.type(description="The bank's balance on a day against the books'.")
class BankReconciliation:
    bank_account_id: strawberry.ID
    account_key: str
    as_of: dt.date
    statement_balance: Money = strawberry.field(
        description="Opening balance and every imported line up to the day."
    )
    bank_closing_balance: Money | None = strawberry.field(
        description="The closing balance the bank's file gave for the day, if any."
    )
    books_balance: Money
    difference: Money = strawberry.field(description="Bank less books: the unexplained lines.")
    unexplained_lines: list[BankLine]

    @classmethod
    def of(cls, r: views.BankReconciliation) -> BankReconciliation:
        cur = r.currency
        return cls(
            bank_account_id=global_id("BankAccount", r.bank_account_id),
            account_key=r.account_key,
            as_of=r.as_of,
            statement_balance=Money.of(r.statement_balance, cur),
            bank_closing_balance=Money.of(r.bank_closing_balance, cur)
            if r.bank_closing_balance is not None
            else None,
            books_balance=Money.of(r.books_balance, cur),
            difference=Money.of(r.difference, cur),
            unexplained_lines=[BankLine.of(x) for x in r.unexplained],
        )


@strawberry.type(description="Something still sitting in a clearing account.")
class ClearingItem:
    kind: str = strawberry.field(
        description="ORDER_PAID_NOT_IN_PROCESSOR_RECORD, PROCESSOR_RECORD_NOT_PAID_OUT"
        " or PAYOUT_NOT_IN_BANK."
    )
    reference: str
    date: dt.date
    amount: Money


@strawberry.type(description="A clearing account's balance on a day and what makes it up.")
class ClearingAccount:
    account_key: str
    processor: str | None
    as_of: dt.date
    balance: Money
    items: list[ClearingItem]

    @classmethod
    def of(cls, c: views.ClearingBalance, currency: str) -> ClearingAccount:
        return cls(
            account_key=c.account_key,
            processor=c.processor,
            as_of=c.as_of,
            balance=Money.of(c.balance, currency),
            items=[
                ClearingItem(
                    kind=i.kind,
                    reference=i.reference,
                    date=i.date,
                    amount=Money.of(i.amount, currency),
                )
                for i in c.items
            ],
        )
