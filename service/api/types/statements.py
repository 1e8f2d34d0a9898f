from __future__ import annotations

import datetime as dt
from enum import Enum
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.types.money import Money
from service.domain.accounts import DEFAULT_CHART, Chart
from service.ledger.costs import missing_cost_lines
from service.ledger.statements import CURRENT_YEAR_EARNINGS
from service.ledger.statements import ProfitAndLoss as PLRecord


def account_name(key: str, chart: Chart = DEFAULT_CHART) -> str:
    if key == CURRENT_YEAR_EARNINGS:
        return "Earnings this year (to be retained at year end)"
    account = chart.by_key.get(key)
    return account.name if account else key.replace("_", " ").capitalize()


@strawberry.type(description="An account's amount as an accountant reads it.")
class StatementLine:
    account_key: str
    name: str
    amount: Money
    parent_key: str | None = strawberry.field(
        default=None, description="The account this one is grouped under, if any."
    )
    depth: int = strawberry.field(default=0, description="How deep under parents (0: top).")


def statement_lines(
    lines: tuple[tuple[str, int], ...], currency: str, chart: Chart = DEFAULT_CHART
) -> list[StatementLine]:
    return [
        StatementLine(
            account_key=k,
            name=account_name(k, chart),
            amount=Money.of(v, currency),
            parent_key=chart.by_key[k].parent if k in chart.by_key else None,
            depth=chart.depth(k),
        )
        for k, v in lines
    ]


@strawberry.enum(description="How to split a profit and loss into columns.")
class StatementColumns(Enum):
    MONTH = "MONTH"
    STORE = "STORE"
    CHANNEL = "CHANNEL"


@strawberry.type
class ProfitAndLossColumn:
    key: str = strawberry.field(
        description="The month (YYYY-MM-01), the store's opaque id, or the channel as orders "
        "carry it (empty for entries of no store or channel, such as manual ones)."
    )
    name: str = strawberry.field(
        description="What a person calls the column: the month, the store's name, or the channel."
    )
    lines: list[StatementLine]
    net_sales: Money
    gross_profit: Money
    net_income: Money


@strawberry.type(description="Income and expenses over a period, with net sales and profits.")
class ProfitAndLoss:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    lines: list[StatementLine]
    net_sales: Money
    gross_profit: Money
    net_income: Money
    columns: list[ProfitAndLossColumn]
    # What missingCostLines counts, read only when the field is asked for.
    version: strawberry.Private[int]
    store_id: strawberry.Private[UUID | None]

    # Strawberry's field decorator is untyped for methods that take `info`.
    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Order lines in the period whose COGS posted at 0 for want of a cost."
    )
    async def missing_cost_lines(self, info: Info) -> int:
        ctx = info.context
        return await missing_cost_lines(
            ctx.pool, ctx.company_id, self.version, self.from_, self.to, self.store_id
        )

    @classmethod
    def build(
        cls,
        record: PLRecord,
        currency: str,
        *,
        start: dt.date,
        end: dt.date,
        columns: list[ProfitAndLossColumn],
        version: int,
        store_id: UUID | None,
        chart: Chart = DEFAULT_CHART,
    ) -> ProfitAndLoss:
        return cls(
            from_=start,
            to=end,
            lines=statement_lines(record.lines, currency, chart),
            net_sales=Money.of(record.net_sales, currency),
            gross_profit=Money.of(record.gross_profit, currency),
            net_income=Money.of(record.net_income, currency),
            columns=columns,
            version=version,
            store_id=store_id,
        )


def pl_column(
    key: str, name: str, record: PLRecord, currency: str, chart: Chart = DEFAULT_CHART
) -> ProfitAndLossColumn:
    return ProfitAndLossColumn(
        key=key,
        name=name,
        lines=statement_lines(record.lines, currency, chart),
        net_sales=Money.of(record.net_sales, currency),
        gross_profit=Money.of(record.gross_profit, currency),
        net_income=Money.of(record.net_income, currency),
    )


@strawberry.type(description="Assets, liabilities and equity at the end of a day.")
class BalanceSheet:
    as_of: dt.date
    lines: list[StatementLine]
    total_assets: Money
    total_liabilities: Money
    total_equity: Money


@strawberry.type
class TrialBalanceLine:
    account_key: str
    name: str
    debit: Money
    credit: Money


@strawberry.type(description="Every account's balance as debit or credit; the columns agree.")
class TrialBalance:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    lines: list[TrialBalanceLine]
    total_debit: Money
    total_credit: Money


@strawberry.type(description="One section of the cash-flow statement.")
class CashFlowSection:
    lines: list[StatementLine] = strawberry.field(
        description="Each balance sheet account's change as its effect on cash."
    )
    total: Money


@strawberry.type(
    description="Where the cash went over a period, by the indirect method: net income, then"
    " the cash effect of each balance sheet change; the sections add up to the bank's change."
)
class CashFlowStatement:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    net_income: Money
    operating: CashFlowSection = strawberry.field(
        description="Net income and the changes in working capital (receivables, inventory,"
        " processor balances, payables, deferred revenue, taxes, gift cards)."
    )
    investing: CashFlowSection
    financing: CashFlowSection
    net_change_in_cash: Money
    cash_at_start: Money
    cash_at_end: Money
