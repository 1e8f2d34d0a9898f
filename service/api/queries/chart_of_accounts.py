from __future__ import annotations

from service.api.context import Info
from service.api.loaders import load_chart
from service.api.types.account import Account


async def chart_of_accounts(info: Info) -> list[Account]:
    chart = await load_chart(info.context)
    return [Account.of(a) for a in chart.accounts]
