"""Financial statements, from the daily and monthly balances only.

A period is read as whole months from the monthly balances plus the odd
days at either end from the daily balances, so a P&L for a year reads a
few hundred rows however many journal lines the year holds, and a balance
sheet reads one row per account, store and channel per month of history.

Amounts are net debits in storage. Statements show them the way an
accountant reads them: assets and expenses debit-positive, income,
liabilities and equity credit-positive (so DISCOUNTS and REFUNDS_RETURNS
show negative).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.domain.accounts import (
    DEFAULT_CHART,
    NET_SALES_ACCOUNTS,
    AccountType,
    Chart,
)

RETAINED_EARNINGS = "RETAINED_EARNINGS"
CURRENT_YEAR_EARNINGS = "CURRENT_YEAR_EARNINGS"
"""Not an account: the balance sheet's line for this year's earnings so
far, which roll into RETAINED_EARNINGS when the year ends."""
PL_TYPES = (AccountType.INCOME, AccountType.EXPENSE)
BS_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)


class StatementError(ValueError):
    """A request a statement cannot answer (an inverted date range)."""


def shown(account_key: str, net_debit: int, chart: Chart = DEFAULT_CHART) -> int:
    """The amount as a statement shows it (credit-normal accounts flip sign)."""
    return net_debit if chart.get(account_key).debit_normal else -net_debit


def _earnings(sums: dict[str, int], chart: Chart) -> int:
    """Net income in the sums (income and expenses, credit-positive)."""
    return -sum(v for k, v in sums.items() if chart.get(k).type in PL_TYPES)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


GROUPS = {"NONE": "''", "MONTH": "bucket::text", "STORE": "store_id::text", "CHANNEL": "channel"}


def _whole(start: dt.date | None, after: dt.date, first_of: Any) -> tuple[dt.date | None, dt.date]:
    """The span [lo, hi) of whole periods inside [start, after); lo None: no lower bound.

    An empty span comes back as (after, after).
    """
    lo = start if start is None or first_of(start) == start else first_of(start, next=True)
    hi = first_of(after)
    if lo is not None and lo >= hi:
        return after, after
    return lo, hi


def _first_of_month(day: dt.date, next: bool = False) -> dt.date:
    return _next_month(day) if next else _month_start(day)


def _first_of_year(day: dt.date, next: bool = False) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if next else dt.date(day.year, 1, 1)


async def period_sums(
    conn: asyncpg.Connection | asyncpg.Pool,
    company_id: UUID,
    version: int,
    start: dt.date | None,
    end: dt.date,
    *,
    store_id: UUID | None = None,
    group: str = "NONE",
) -> dict[tuple[str, str], int]:
    """Net debit per (group key, account) over [start, end]; no start: since the beginning.

    Whole years come from the yearly balances, the whole months left from
    the monthly ones, the odd days at either end from the daily ones: each
    part is one or two index ranges, so a balance sheet over years of
    history reads a few rows per year. A split by month reads months.
    """
    if start is not None and start > end:
        raise StatementError(f"from ({start}) is after to ({end})")
    after = end + dt.timedelta(days=1)
    m_lo, m_hi = _whole(start, after, _first_of_month)
    y_lo, y_hi = _whole(m_lo, m_hi, _first_of_year) if group != "MONTH" else (m_hi, m_hi)
    rows = await conn.fetch(
        f"""
        WITH parts AS (
            SELECT account_key, store_id, channel, year AS bucket, amount
            FROM yearly_balances
            WHERE company_id = $1 AND journal_version = $2
              AND ($8::date IS NULL OR year >= $8) AND year < $9
            UNION ALL
            SELECT account_key, store_id, channel, month, amount
            FROM monthly_balances
            WHERE company_id = $1 AND journal_version = $2
              AND ((month >= coalesce($4, '-infinity'::date) AND month < $8)
                   OR (month >= $9 AND month < $5))
            UNION ALL
            SELECT account_key, store_id, channel, date_trunc('month', day)::date, amount
            FROM daily_balances
            WHERE company_id = $1 AND journal_version = $2
              AND ((day >= $3 AND day < $4) OR (day >= $5 AND day <= $6))
        )
        SELECT {GROUPS[group]} AS g, account_key, sum(amount)::bigint AS amount
        FROM parts WHERE ($7::uuid IS NULL OR store_id = $7)
        GROUP BY 1, 2
        """,
        company_id,
        version,
        start,
        m_lo,
        m_hi,
        end,
        store_id,
        y_lo,
        y_hi,
    )
    return {(r["g"], r["account_key"]): r["amount"] for r in rows if r["amount"] != 0}


@dataclass(frozen=True, slots=True)
class ProfitAndLoss:
    lines: tuple[tuple[str, int], ...]  # (account key, shown amount), chart order
    net_sales: int
    gross_profit: int
    net_income: int


def profit_and_loss(sums: dict[str, int], chart: Chart = DEFAULT_CHART) -> ProfitAndLoss:
    """A P&L from net debits per account (balance sheet accounts are ignored)."""
    keys = [a.key for a in chart.of_types(*PL_TYPES)]
    keys += sorted(k for k in sums if k not in chart.by_key and chart.get(k).type in PL_TYPES)
    lines = tuple((k, shown(k, sums.get(k, 0), chart)) for k in keys)
    by_key = dict(lines)
    net_sales = sum(by_key.get(k, 0) for k in NET_SALES_ACCOUNTS)
    gross_profit = net_sales - by_key.get("COGS", 0)
    return ProfitAndLoss(lines, net_sales, gross_profit, _earnings(sums, chart))


def split_groups(sums: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for (g, account), amount in sums.items():
        out[g][account] = amount
    return dict(out)


@dataclass(frozen=True, slots=True)
class BalanceSheet:
    lines: tuple[tuple[str, int], ...]
    total_assets: int
    total_liabilities: int
    total_equity: int


def balance_sheet(
    sums: dict[str, int], chart: Chart = DEFAULT_CHART, this_year: dict[str, int] | None = None
) -> BalanceSheet:
    """Assets = liabilities + equity. Earnings of the years before the
    balance sheet's own year have rolled into retained earnings; this
    year's so far show on a line of their own (``this_year``: the sums of
    the year up to the balance sheet's date; without it every earning is
    retained)."""
    current = _earnings(this_year, chart) if this_year is not None else 0
    retained = _earnings(sums, chart) - current
    lines = []
    for a in chart.of_types(*BS_TYPES):
        amount = shown(a.key, sums.get(a.key, 0), chart)
        if a.key == RETAINED_EARNINGS:
            amount += retained
        lines.append((a.key, amount))
    lines += [
        (k, shown(k, v, chart))
        for k, v in sorted(sums.items())
        if k not in chart.by_key and chart.get(k).type in BS_TYPES
    ]
    if RETAINED_EARNINGS not in chart.by_key:
        lines.append((RETAINED_EARNINGS, retained))
    lines.append((CURRENT_YEAR_EARNINGS, current))
    total = {t: 0 for t in BS_TYPES}
    for key, amount in lines:
        kind = AccountType.EQUITY if key == CURRENT_YEAR_EARNINGS else chart.get(key).type
        total[kind] += amount
    return BalanceSheet(
        tuple(lines),
        total[AccountType.ASSET],
        total[AccountType.LIABILITY],
        total[AccountType.EQUITY],
    )


def trial_balance(
    before: dict[str, int],
    period: dict[str, int],
    through: dict[str, int],
    chart: Chart = DEFAULT_CHART,
) -> tuple[tuple[str, int], ...]:
    """Net debit per account: balance sheet accounts as of the end, income and
    expense accounts for the period, and the earnings before the period in
    retained earnings, so that debits equal credits."""
    earlier = -_earnings(before, chart)  # as a net debit
    keys = [a.key for a in chart.accounts]
    keys += sorted(k for k in {*period, *through} if k not in chart.by_key)
    lines = []
    for key in keys:
        pl = chart.get(key).type in PL_TYPES
        net = period.get(key, 0) if pl else through.get(key, 0)
        if key == RETAINED_EARNINGS:
            net += earlier
        lines.append((key, net))
    if RETAINED_EARNINGS not in chart.by_key:
        lines.append((RETAINED_EARNINGS, earlier))
    return tuple(lines)


CASH_ACCOUNTS = frozenset({"BANK"})
FINANCING_TYPES = (AccountType.LIABILITY, AccountType.EQUITY)
OPERATING_ACCOUNTS = frozenset(
    {
        "AR",
        "INVENTORY",
        "RIP",
        "UNDEPOSITED_FUNDS",
        "PROCESSOR_RESERVES",
        "UNCATEGORIZED",
        "ACCOUNTS_PAYABLE",
        "DEFERRED_REVENUE",
        "SALES_TAX_PAYABLE",
        "GIFT_CARD_LIABILITY",
    }
)
"""Working capital: the balance sheet accounts the store's trading moves.
Other asset accounts a company adds (equipment, deposits) are investing;
other liabilities (loans) and equity (owner's money) are financing."""


@dataclass(frozen=True, slots=True)
class CashFlow:
    net_income: int
    operating: tuple[tuple[str, int], ...]  # (account, cash effect of its change)
    investing: tuple[tuple[str, int], ...]
    financing: tuple[tuple[str, int], ...]
    cash_at_start: int
    cash_at_end: int

    @property
    def operating_total(self) -> int:
        return self.net_income + sum(v for _, v in self.operating)

    @property
    def net_change(self) -> int:
        return (
            self.operating_total
            + sum(v for _, v in self.investing)
            + sum(v for _, v in self.financing)
        )


def cash_flow(
    before: dict[str, int], period: dict[str, int], chart: Chart = DEFAULT_CHART
) -> CashFlow:
    """The cash-flow statement by the indirect method: net income, then
    each balance sheet account's change turned into its effect on cash
    (an asset that grew took cash, a liability that grew gave it). Double
    entry makes the three sections add up to the change in the bank.

    ``before``: net debits through the day before the period; ``period``:
    net debits over the period."""
    operating: list[tuple[str, int]] = []
    investing: list[tuple[str, int]] = []
    financing: list[tuple[str, int]] = []
    keys = [a.key for a in chart.of_types(*BS_TYPES)]
    keys += sorted(k for k in period if k not in chart.by_key and chart.get(k).type in BS_TYPES)
    for key in keys:
        change = period.get(key, 0)
        if key in CASH_ACCOUNTS or not change:
            continue
        effect = (key, -change)
        if key in OPERATING_ACCOUNTS:
            operating.append(effect)
        elif chart.get(key).type in FINANCING_TYPES:
            financing.append(effect)
        else:
            investing.append(effect)
    start = sum(v for k, v in before.items() if k in CASH_ACCOUNTS)
    moved = sum(v for k, v in period.items() if k in CASH_ACCOUNTS)
    return CashFlow(
        _earnings(period, chart),
        tuple(operating),
        tuple(investing),
        tuple(financing),
        start,
        start + moved,
    )
