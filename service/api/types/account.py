from __future__ import annotations

from enum import Enum

import strawberry

from service.domain.accounts import Account as DomainAccount


@strawberry.enum
class AccountType(Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


@strawberry.enum(description="The side on which statements show this account as positive.")
class NormalBalance(Enum):
    DEBIT = "DEBIT"
    CREDIT = "CREDIT"


@strawberry.type(description="An account of the company's chart, by its stable key.")
class Account:
    key: str
    name: str
    type: AccountType
    normal_balance: NormalBalance = strawberry.field(
        description="The side its balance normally sits on: debit for assets, expenses and the"
        " contra-income accounts (DISCOUNTS, REFUNDS_RETURNS, CHARGEBACKS)."
    )
    parent_key: str | None = strawberry.field(description="The account it is grouped under.")
    active: bool = strawberry.field(description="False: kept with its history, closed to entries.")
    reserved: bool = strawberry.field(
        description="One of storebooks' own accounts: its key and type never change."
    )

    @classmethod
    def of(cls, a: DomainAccount) -> Account:
        return cls(
            key=a.key,
            name=a.name,
            type=AccountType(a.type.value),
            normal_balance=NormalBalance.DEBIT if a.normal_balance_debit else NormalBalance.CREDIT,
            parent_key=a.parent,
            active=a.active,
            reserved=a.reserved,
        )
