"""Marketplace settlements (Amazon) and statements (TikTok Shop) in the API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import strawberry

from service.api.types.money import Money
from service.domain.marketplace import SettlementLine
from service.ledger.settlements import SettlementSummary


@strawberry.type(description="A settlement amount no posting rule knows: posted to review.")
class SettlementLineToReview:
    line: int = strawberry.field(description="The amount's number in the settlement, from 1.")
    description: str = strawberry.field(
        description="The marketplace's own words, e.g. Adjustment/Misc/NewFee."
    )
    amount: Money
    posted_date: dt.date
    order_id: str | None


@strawberry.type(description="A settlement (Amazon) or statement (TikTok Shop) and its deposit.")
class Settlement:
    settlement_id: str
    marketplace: str
    store_id: strawberry.ID
    period_start: dt.date
    period_end: dt.date
    deposit_date: dt.date
    total: Money = strawberry.field(description="What the marketplace paid to the bank.")
    line_count: int
    source: str = strawberry.field(description="API or UPLOAD: how it first arrived.")
    lines_to_review: list[SettlementLineToReview]
    cogs_csv_url: str = strawberry.field(description="COGS of this settlement (CSV).")
    cogs_xlsx_url: str = strawberry.field(description="COGS of this settlement (XLSX).")

    @classmethod
    def of(cls, s: SettlementSummary, store_gid: str, base_url: str) -> Settlement:
        q = urlencode({"storeId": str(s.store_id), "settlementId": s.settlement_id})
        base = base_url.rstrip("/")
        return cls(
            settlement_id=s.settlement_id,
            marketplace=s.marketplace,
            store_id=strawberry.ID(store_gid),
            period_start=s.start,
            period_end=s.end,
            deposit_date=s.deposit_date,
            total=Money.of(s.total, s.currency),
            line_count=s.line_count,
            source=s.source,
            lines_to_review=[_review(ln, s.currency) for ln in s.review],
            cogs_csv_url=f"{base}/reports/settlement-cogs.csv?{q}",
            cogs_xlsx_url=f"{base}/reports/settlement-cogs.xlsx?{q}",
        )


def _review(ln: SettlementLine, currency: str) -> SettlementLineToReview:
    return SettlementLineToReview(
        line=ln.line_no,
        description=ln.description,
        amount=Money.of(ln.amount, currency),
        posted_date=ln.posted,
        order_id=ln.order_id,
    )
