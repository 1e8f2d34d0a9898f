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


_CONTRA = frozenset({"DISCOUNTS", "REFUNDS_RETURNS", "CHARGEBACKS"})


@dataclass(frozen=True, slots=True)
class Account:
    """An account of a company's chart. ``parent`` groups it under another
    account in statements; an inactive account takes no new entries but
    keeps its history."""

    key: str
    name: str
    type: AccountType
    parent: str | None = None
    active: bool = True

    @property
    def debit_normal(self) -> bool:
        """Whether a statement shows this account's debit balance as positive.

        Accountants read assets and expenses debit-positive and income,
        liabilities and equity credit-positive; contra-income accounts
        (DISCOUNTS, REFUNDS_RETURNS, CHARGEBACKS) stay income so that they
        show as negative income.
        """
        return self.type in (AccountType.ASSET, AccountType.EXPENSE)

    @property
    def contra(self) -> bool:
        """An income account that reduces income: its balance is a debit."""
        return self.key in _CONTRA

    @property
    def normal_balance_debit(self) -> bool:
        """The side the account's balance normally sits on, as an
        accountant reads the chart (contra-income accounts: debit)."""
        return self.debit_normal or self.contra

    @property
    def reserved(self) -> bool:
        return self.key in ACCOUNTS_BY_KEY


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
    # Added with purchases, marketplaces and closing the books; listed
    # after the first ones so that existing charts keep their order.
    Account("RETAINED_EARNINGS", "Retained earnings", AccountType.EQUITY),
    Account("ACCOUNTS_PAYABLE", "Accounts payable", AccountType.LIABILITY),
    Account("INVENTORY_ADJUSTMENTS", "Inventory shrinkage and write-offs", AccountType.EXPENSE),
    Account("SELLING_FEES", "Marketplace commissions and referral fees", AccountType.EXPENSE),
    Account("FULFILLMENT_FEES", "Marketplace fulfilment and storage fees", AccountType.EXPENSE),
    Account("ADVERTISING", "Advertising billed by a sales channel", AccountType.EXPENSE),
    Account("OTHER_INCOME", "Reimbursements and other income", AccountType.INCOME),
    Account("UNCATEGORIZED", "Needs review: money a rule could not place", AccountType.ASSET),
)

ACCOUNTS_BY_KEY: dict[str, Account] = {a.key: a for a in CHART_OF_ACCOUNTS}

ORDER_SUB_LEDGERS: frozenset[str] = frozenset(
    {"AR", "RIP", "DEFERRED_REVENUE", "UNDEPOSITED_FUNDS"}
)
"""Accounts only the posting rules write to: each balance belongs to an
order or a processor record, so a hand-made entry there would never clear."""

NET_SALES_ACCOUNTS: frozenset[str] = frozenset(
    {"GROSS_SALES", "DISCOUNTS", "REFUNDS_RETURNS", "SHIPPING_INCOME", "TIP_INCOME"}
)


class Chart:
    """A company's chart: the reserved accounts, then its own, in order.

    Statements list accounts in chart order; a key the chart does not
    know (an account removed from it, say) is still shown, as an asset,
    so that no balance ever disappears from a statement."""

    __slots__ = ("accounts", "by_key")

    def __init__(self, accounts: tuple[Account, ...]) -> None:
        self.by_key = {a.key: a for a in accounts}
        self.accounts = _tree_order(accounts, self.by_key)

    def depth(self, key: str) -> int:
        """How deep an account sits under parents (0: a top account)."""
        n = 0
        at = self.by_key.get(key)
        while at is not None and at.parent is not None and n < len(self.accounts):
            at = self.by_key.get(at.parent)
            n += 1
        return n

    def get(self, key: str) -> Account:
        found = self.by_key.get(key)
        return found if found is not None else Account(key, key, AccountType.ASSET)

    def of_types(self, *types: AccountType) -> tuple[Account, ...]:
        return tuple(a for a in self.accounts if a.type in types)


def _tree_order(accounts: tuple[Account, ...], by_key: dict[str, Account]) -> tuple[Account, ...]:
    """Chart order with every account's children right after it, so that
    statements read as groups under their parents."""
    children: dict[str | None, list[Account]] = {}
    for a in accounts:
        parent = a.parent if a.parent in by_key and a.parent != a.key else None
        children.setdefault(parent, []).append(a)
    out: list[Account] = []
    seen: set[str] = set()

    def visit(a: Account) -> None:
        if a.key in seen:
            return
        seen.add(a.key)
        out.append(a)
        for child in children.get(a.key, ()):
            visit(child)

    for a in children.get(None, ()):
        visit(a)
    out += [a for a in accounts if a.key not in seen]  # a cycle stored by hand
    return tuple(out)


DEFAULT_CHART = Chart(CHART_OF_ACCOUNTS)
