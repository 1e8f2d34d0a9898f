"""profitAndLoss, balanceSheet, trialBalance: read from the balances, never the lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from uuid import UUID

import strawberry

from service.api.context import Context, Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid, global_id
from service.api.loaders import load_books_and_chart, load_stores
from service.api.types.money import Money
from service.api.types.statements import (
    BalanceSheet,
    CashFlowSection,
    CashFlowStatement,
    ProfitAndLoss,
    StatementColumns,
    TrialBalance,
    TrialBalanceLine,
    account_name,
    pl_column,
    statement_lines,
)
from service.domain.accounts import Chart
from service.ledger import statements as st


def _store(store_id: strawberry.ID | None) -> UUID | None:
    if store_id is None:
        return None
    found = decode_uuid(store_id, "Store")
    if found is None:
        raise ClientError(f"storeId: {store_id!r} is not a store id", "BAD_USER_INPUT")
    return found


def _range(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ClientError(f"invalid date range: from {start} is after to {end}", "BAD_USER_INPUT")


def _flat(sums: dict[tuple[str, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (_, account), amount in sums.items():
        out[account] = out.get(account, 0) + amount
    return out


async def _column_names(
    ctx: Context, columns_by: StatementColumns
) -> Callable[[str | None], tuple[str, str]]:
    """The column's key as clients use it, and its name: a store column is
    keyed by the store's opaque id (as `storeId` arguments take it) and named
    by the store; a month by its first day; a channel by itself."""
    if columns_by is StatementColumns.STORE:
        stores = await load_stores(ctx)

        def store(key: str | None) -> tuple[str, str]:
            if not key:
                return "", "No store"
            found = stores.get(key)
            return global_id("Store", key), found.name if found else key

        return store
    if columns_by is StatementColumns.MONTH:
        return lambda key: (key or "", (key or "")[:7])
    return lambda key: (key or "", key or "No channel")


async def profit_and_loss(
    info: Info,
    from_: Annotated[dt.date, strawberry.argument(name="from")],
    to: dt.date,
    store_id: strawberry.ID | None = None,
    columns_by: StatementColumns | None = None,
) -> ProfitAndLoss:
    ctx = info.context
    _range(from_, to)
    version, currency, chart = await load_books_and_chart(ctx)
    group = columns_by.value if columns_by else "NONE"
    store = _store(store_id)
    sums = await st.period_sums(
        ctx.pool, ctx.company_id, version, from_, to, store_id=store, group=group
    )
    columns = []
    if columns_by is not None:
        names = await _column_names(ctx, columns_by)
        for key, by_account in sorted(st.split_groups(sums).items(), key=lambda kv: kv[0] or ""):
            record = st.profit_and_loss(by_account, chart)
            column_key, name = names(key)
            columns.append(pl_column(column_key, name, record, currency, chart))
    return ProfitAndLoss.build(
        st.profit_and_loss(_flat(sums), chart),
        currency,
        start=from_,
        end=to,
        columns=columns,
        version=version,
        store_id=store,
        chart=chart,
    )


async def balance_sheet(
    info: Info, as_of: dt.date, store_id: strawberry.ID | None = None
) -> BalanceSheet:
    ctx = info.context
    version, currency, chart = await load_books_and_chart(ctx)
    store = _store(store_id)
    sums = await st.period_sums(ctx.pool, ctx.company_id, version, None, as_of, store_id=store)
    year_start = dt.date(as_of.year, 1, 1)
    this_year = await st.period_sums(
        ctx.pool, ctx.company_id, version, year_start, as_of, store_id=store
    )
    sheet = st.balance_sheet(_flat(sums), chart, _flat(this_year))
    return BalanceSheet(
        as_of=as_of,
        lines=statement_lines(sheet.lines, currency, chart),
        total_assets=Money.of(sheet.total_assets, currency),
        total_liabilities=Money.of(sheet.total_liabilities, currency),
        total_equity=Money.of(sheet.total_equity, currency),
    )


async def trial_balance(
    info: Info,
    from_: Annotated[dt.date, strawberry.argument(name="from")],
    to: dt.date,
    store_id: strawberry.ID | None = None,
) -> TrialBalance:
    ctx = info.context
    _range(from_, to)
    version, currency, chart = await load_books_and_chart(ctx)
    store = _store(store_id)
    before, period, through = await _before_and_during(ctx, version, from_, to, store)
    lines = st.trial_balance(before, period, through, chart)
    zero = Money.of(0, currency)
    out = [
        TrialBalanceLine(
            account_key=k,
            name=account_name(k, chart),
            debit=Money.of(v, currency) if v > 0 else zero,
            credit=Money.of(-v, currency) if v < 0 else zero,
        )
        for k, v in lines
    ]
    return TrialBalance(
        from_=from_,
        to=to,
        lines=out,
        total_debit=Money.of(sum(v for _, v in lines if v > 0), currency),
        total_credit=Money.of(-sum(v for _, v in lines if v < 0), currency),
    )


async def _before_and_during(
    ctx: Context, version: int, start: dt.date, end: dt.date, store: UUID | None
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Net debits before the period, during it, and through its end."""
    through = _flat(
        await st.period_sums(ctx.pool, ctx.company_id, version, None, end, store_id=store)
    )
    period = _flat(
        await st.period_sums(ctx.pool, ctx.company_id, version, start, end, store_id=store)
    )
    before = {k: through.get(k, 0) - period.get(k, 0) for k in set(through) | set(period)}
    return before, period, through


def _section(
    lines: tuple[tuple[str, int], ...], currency: str, chart: Chart, extra: int = 0
) -> CashFlowSection:
    return CashFlowSection(
        lines=statement_lines(lines, currency, chart),
        total=Money.of(sum(v for _, v in lines) + extra, currency),
    )


async def cash_flow_statement(
    info: Info,
    from_: Annotated[dt.date, strawberry.argument(name="from")],
    to: dt.date,
    store_id: strawberry.ID | None = None,
) -> CashFlowStatement:
    ctx = info.context
    _range(from_, to)
    version, currency, chart = await load_books_and_chart(ctx)
    store = _store(store_id)
    before, period, _ = await _before_and_during(ctx, version, from_, to, store)
    cf = st.cash_flow(before, period, chart)
    return CashFlowStatement(
        from_=from_,
        to=to,
        net_income=Money.of(cf.net_income, currency),
        operating=_section(cf.operating, currency, chart, cf.net_income),
        investing=_section(cf.investing, currency, chart),
        financing=_section(cf.financing, currency, chart),
        net_change_in_cash=Money.of(cf.net_change, currency),
        cash_at_start=Money.of(cf.cash_at_start, currency),
        cash_at_end=Money.of(cf.cash_at_end, currency),
    )
