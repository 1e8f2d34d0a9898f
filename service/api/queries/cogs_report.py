from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid, global_id
from service.api.loaders import load_books
from service.api.types.money import Money
from service.ledger.cogs_report import UnknownPayout, payout_choices, report_rows


@strawberry.type(description="COGS for a period or a payout, with links to the files.")
class CogsReport:
    csv_url: str = strawberry.field(description="GET with the same bearer token.")
    xlsx_url: str
    lines: int
    missing_lines: int
    total_cost: Money


async def cogs_report(
    info: Info,
    from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
    to: dt.date | None = None,
    store_id: strawberry.ID | None = None,
    payout_id: str | None = None,
) -> CogsReport:
    ctx = info.context
    if from_ and to and from_ > to:
        raise ClientError(f"invalid date range: from {from_} is after to {to}", "BAD_USER_INPUT")
    store = decode_uuid(store_id, "Store") if store_id else None
    if store_id and store is None:
        raise ClientError(f"storeId: {store_id!r} is not a store id", "BAD_USER_INPUT")
    version, currency = await load_books(ctx)
    try:
        rows = await report_rows(
            ctx.pool,
            ctx.company_id,
            version,
            start=from_,
            end=to,
            store_id=store,
            payout_id=payout_id,
        )
    except UnknownPayout as exc:
        raise ClientError(str(exc), "BAD_USER_INPUT") from exc
    params = {
        k: v
        for k, v in {"from": from_, "to": to, "storeId": store, "payoutId": payout_id}.items()
        if v is not None
    }
    query = urlencode({k: str(v) for k, v in params.items()})
    # Links are built from the configured public URL, never from the Host
    # header (a client's text); without one they are relative to this server.
    base = ctx.public_url.rstrip("/")
    return CogsReport(
        csv_url=f"{base}/reports/cogs.csv?{query}",
        xlsx_url=f"{base}/reports/cogs.xlsx?{query}",
        lines=len(rows),
        missing_lines=sum(r.missing for r in rows),
        total_cost=Money.of(sum(r.total_cost for r in rows), currency),
    )


@strawberry.type(description="A payout or settlement the COGS report can be asked for.")
class PayoutChoice:
    processor: str
    payout_id: str
    store_id: strawberry.ID | None
    date: dt.date
    amount: Money


async def payouts(
    info: Info,
    from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
    to: dt.date | None = None,
) -> list[PayoutChoice]:
    """Newest first; pass one's payoutId to cogsReport."""
    ctx = info.context
    if from_ and to and from_ > to:
        raise ClientError(f"invalid date range: from {from_} is after to {to}", "BAD_USER_INPUT")
    return [
        PayoutChoice(
            processor=p.processor,
            payout_id=p.payout_id,
            store_id=global_id("Store", p.store_id) if p.store_id else None,
            date=p.payout_date,
            amount=Money.of(p.amount, p.currency),
        )
        for p in await payout_choices(ctx.pool, ctx.company_id, start=from_, end=to)
    ]
