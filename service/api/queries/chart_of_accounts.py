from __future__ import annotations

from service.api.context import Info
from service.api.types.account import Account


async def chart_of_accounts(info: Info) -> list[Account]:
    ctx = info.context
    rows = await ctx.pool.fetch(
        "SELECT account_key, name, account_type FROM accounts WHERE company_id = $1 "
        "ORDER BY sort_order",
        ctx.company_id,
    )
    return [Account.from_row(r["account_key"], r["name"], r["account_type"]) for r in rows]
