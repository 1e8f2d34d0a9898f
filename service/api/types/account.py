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
    normal_balance: NormalBalance

    @classmethod
    def from_row(cls, key: str, name: str, account_type: str) -> Account:
        debit = DomainAccount(key, name, account_type).debit_normal  # type: ignore[arg-type]
        return cls(
            key=key,
            name=name,
            type=AccountType(account_type),
            normal_balance=NormalBalance.DEBIT if debit else NormalBalance.CREDIT,
        )
