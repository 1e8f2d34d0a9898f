"""The chart of accounts of posting rules section 2.

Keys are a public contract: GraphQL clients, reports and the journal all
refer to accounts by key, so a key never changes once published. Names are
for people and may be edited per company.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


@dataclass(frozen=True, slots=True)
class Account:
    key: str
    name: str
    type: AccountType

    @property
    def debit_normal(self) -> bool:
        """Whether a statement shows this account's debit balance as positive.

        Accountants read assets and expenses debit-positive and income,
        liabilities and equity credit-positive; contra-income accounts
        (DISCOUNTS, REFUNDS_RETURNS, CHARGEBACKS) stay income so that they
        show as negative income, as ARCHITECTURE.md requires.
        """
        return self.type in (AccountType.ASSET, AccountType.EXPENSE)


CHART_OF_ACCOUNTS: tuple[Account, ...] = (
    Account("BANK", "Bank", AccountType.ASSET),
    Account("UNDEPOSITED_FUNDS", "Undeposited funds", AccountType.ASSET),
    Account("RIP", "Reconciliation in process", AccountType.ASSET),
    Account("AR", "Accounts receivable", AccountType.ASSET),
    Account("INVENTORY", "Inventory", AccountType.ASSET),
    Account("DEFERRED_REVENUE", "Deferred revenue", AccountType.LIABILITY),
    Account("SALES_TAX_PAYABLE", "Sales tax payable", AccountType.LIABILITY),
    Account("GIFT_CARD_LIABILITY", "Gift cards and store credit", AccountType.LIABILITY),
    Account("GROSS_SALES", "Gross sales", AccountType.INCOME),
    Account("DISCOUNTS", "Discounts and promotions", AccountType.INCOME),
    Account("REFUNDS_RETURNS", "Refunds and returns", AccountType.INCOME),
    Account("SHIPPING_INCOME", "Shipping income", AccountType.INCOME),
    Account("TIP_INCOME", "Tip income", AccountType.INCOME),
    Account("COGS", "Cost of goods sold", AccountType.EXPENSE),
    Account("PRODUCT_GIVEAWAYS", "Product giveaways", AccountType.EXPENSE),
    Account("BAD_DEBT", "Bad debt", AccountType.EXPENSE),
    Account("PAYMENT_PROCESSING_FEES", "Payment processing fees", AccountType.EXPENSE),
    Account("CHARGEBACKS", "Chargebacks and disputes", AccountType.INCOME),
    Account("PROCESSOR_RESERVES", "Funds held in processor reserves", AccountType.ASSET),
    Account("BANK_FEES", "Bank and FX fees", AccountType.EXPENSE),
    Account("OPENING_BALANCE_EQUITY", "Opening balance equity", AccountType.EQUITY),
)

ACCOUNTS_BY_KEY: dict[str, Account] = {a.key: a for a in CHART_OF_ACCOUNTS}

NET_SALES_ACCOUNTS: frozenset[str] = frozenset(
    {"GROSS_SALES", "DISCOUNTS", "REFUNDS_RETURNS", "SHIPPING_INCOME", "TIP_INCOME"}
)
