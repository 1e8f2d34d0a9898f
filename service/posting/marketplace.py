"""Marketplace settlements (posting rules section 17).

A marketplace collects the customer's money and pays the merchant in
settlements, so it is posted as a processor is (section 11), from its own
settlement lines, whatever the provider (the lines arrive in neutral kinds):

- the customer's money of the orders posted (shipped) on a day
  (principal, shipping, tax, promotions) is recognised on that date under
  both bases: Cr GROSS_SALES / SHIPPING_INCOME / SALES_TAX_PAYABLE, Dr
  DISCOUNTS, against Dr RIP (``marketplace.sale``); a refund reverses it
  line by line: Dr REFUNDS_RETURNS the principal, Cr DISCOUNTS the
  promotion given back, Dr SHIPPING_INCOME, Dr SALES_TAX_PAYABLE, Cr RIP
  (``marketplace.refund``);
- tax the marketplace collects and remits itself (marketplace facilitator
  tax) is collected and remitted in that same entry, two lines netting to
  zero, the remitted side against RIP: SALES_TAX_PAYABLE holds only what
  the merchant owes;
- the settlement's record of the same amounts, that day, clears RIP into the
  marketplace's UNDEPOSITED_FUNDS, with what it kept at the same time:
  commissions to SELLING_FEES, fulfilment and storage to FULFILLMENT_FEES,
  advertising to ADVERTISING, reserves held or released to
  PROCESSOR_RESERVES, reimbursements to OTHER_INCOME
  (``marketplace.settle``);
- a combination no rule knows goes to UNCATEGORIZED against undeposited
  funds, one entry per line, and is listed for review (``marketplace.unknown``);
- units sold post COGS on the posted date at the SKU's unit cost, Dr COGS,
  Cr INVENTORY (``marketplace.cogs``); a unit without a known cost posts
  at 0 and is listed as missing. A refund never touches COGS: restocks
  are reported by hand (section 10);
- the deposit moves the settlement's total from UNDEPOSITED_FUNDS to the
  BANK on the deposit date (``marketplace.deposit``), so the marketplace's
  undeposited funds return to zero once every line and the deposit are in;
  a payment still processing (or failed) leaves the money in undeposited
  funds.

A channel status EXCLUDED posts nothing, SALES_ONLY everything but COGS,
COGS_ONLY only COGS.

A line may carry the day its order shipped when the marketplace records
it later (TikTok Shop settles days after delivery): the sale and its COGS
take the shipping day, the settlement's record its own day, and RIP holds
the money in between.

Entries are made per settlement and posted day (one for the day's sales,
one for its refunds, one for its settlement record, one for its costs),
not per order: a busy seller's settlement has tens of thousands of lines,
and each order's amounts stay in the stored settlement lines and the COGS
download.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.domain.journal import JournalEntry, JournalLine, sort_entries
from service.domain.marketplace import ORDER_MONEY, LineKind, Settlement, SettlementLine
from service.domain.money import format_money

K = LineKind

_SALE_ACCOUNT: dict[LineKind, str] = {
    K.PRINCIPAL: "GROSS_SALES",
    K.PLATFORM_DISCOUNT: "GROSS_SALES",
    K.SHIPPING: "SHIPPING_INCOME",
    K.TAX: "SALES_TAX_PAYABLE",
    K.FACILITATOR_TAX: "SALES_TAX_PAYABLE",
    K.PROMOTION: "DISCOUNTS",
}
_REFUND_ACCOUNT = {
    **_SALE_ACCOUNT,
    K.PRINCIPAL: "REFUNDS_RETURNS",
    K.PLATFORM_DISCOUNT: "REFUNDS_RETURNS",
}
_KEPT_ACCOUNT: dict[LineKind, str] = {
    K.SELLING_FEE: "SELLING_FEES",
    K.FULFILLMENT_FEE: "FULFILLMENT_FEES",
    K.ADVERTISING: "ADVERTISING",
    K.RESERVE: "PROCESSOR_RESERVES",
    K.REIMBURSEMENT: "OTHER_INCOME",
    K.OTHER_INCOME: "OTHER_INCOME",
}

INCLUDED, EXCLUDED, COGS_ONLY, SALES_ONLY = "INCLUDED", "EXCLUDED", "COGS_ONLY", "SALES_ONLY"


@dataclass(frozen=True, slots=True)
class CogsLine:
    """Units of a SKU sold in an order on a day, at the cost used."""

    order_id: str
    sku: str
    day: dt.date
    quantity: int
    unit_cost: int
    total: int
    missing: bool
    fulfillment: str


@dataclass(frozen=True, slots=True)
class PostedSettlement:
    entries: tuple[JournalEntry, ...]
    review: tuple[SettlementLine, ...]
    cogs: tuple[CogsLine, ...]


@dataclass(slots=True)
class _Group:
    day: dt.date
    refund: bool
    lines: list[SettlementLine]


def _groups(lines: Iterable[SettlementLine], shipped: bool) -> list[_Group]:
    """Lines by day and refund: the day they shipped (``shipped``) or the
    day the settlement recorded them."""
    by: dict[tuple[dt.date, bool], _Group] = {}
    for ln in lines:
        day = (ln.shipped or ln.posted) if shipped else ln.posted
        tag = (day, ln.refund)
        group = by.get(tag)
        if group is None:
            group = by[tag] = _Group(day, ln.refund, [])
        group.lines.append(ln)
    return list(by.values())


class _Poster:
    def __init__(
        self, s: Settlement, store_id: str, unit_costs: Mapping[str, int], status: str
    ) -> None:
        self.s, self.store, self.costs, self.status = s, store_id, unit_costs, status
        self.channel = s.marketplace
        self.entries: list[JournalEntry] = []
        self.review: list[SettlementLine] = []
        self.cogs: list[CogsLine] = []

    def line(
        self, account: str, amount: int, order_id: str | None = None, sku: str | None = None
    ) -> JournalLine:
        proc = self.channel if account in ("RIP", "UNDEPOSITED_FUNDS") else None
        return JournalLine(account, amount, self.store, self.channel, order_id, sku, proc)

    def entry(
        self,
        key: str,
        day: dt.date,
        memo: str,
        rule: str,
        lines: list[JournalLine],
        order_id: str | None = None,
    ) -> None:
        kept = tuple(ln for ln in lines if ln.amount)
        if kept:
            self.entries.append(
                JournalEntry(
                    f"marketplace/{self.channel}/{self.s.settlement_id}/{key}",
                    day,
                    order_id,
                    self.s.settlement_id,
                    rule,
                    memo,
                    kept,
                )
            )

    def money(self, amount: int) -> str:
        return format_money(amount, self.s.currency)

    def shipped_day(self, g: _Group) -> None:
        """What the day's shipments recognise: sales (or refunds) and COGS."""
        tag = f"{g.day.isoformat()}/{'r' if g.refund else 's'}"
        if self.status != COGS_ONLY:
            self.recognise(g, tag, [ln for ln in g.lines if ln.kind in ORDER_MONEY])
        if self.status != SALES_ONLY and not g.refund:
            self.cost(g, tag)

    def recorded_day(self, g: _Group) -> None:
        """What the settlement recorded that day: RIP cleared, fees, unknowns."""
        tag = f"{g.day.isoformat()}/{'r' if g.refund else 's'}"
        for ln in g.lines:
            if ln.kind is K.UNKNOWN:
                self.unknown(ln)
        if self.status != COGS_ONLY:
            self.settle(g, tag, [ln for ln in g.lines if ln.kind is not K.UNKNOWN])

    def recognise(self, g: _Group, tag: str, lines: list[SettlementLine]) -> None:
        accounts = _REFUND_ACCOUNT if g.refund else _SALE_ACCOUNT
        sums: dict[tuple[str, LineKind], int] = {}
        for ln in lines:
            k = (accounts[ln.kind], ln.kind)
            sums[k] = sums.get(k, 0) + ln.amount
        total = sum(sums.values())
        out = [self.line("RIP", total)]
        out += [self.line(acct, -amt) for (acct, _), amt in sorted(sums.items())]
        what = "refund" if g.refund else "sale"
        orders = len({ln.order_id for ln in lines if ln.order_id})
        self.entry(
            f"{what}/{tag}",
            g.day,
            f"{self.channel} {what}s posted on {g.day.isoformat()}, {orders} orders:"
            f" {self.money(total)} (settlement {self.s.settlement_id})",
            f"marketplace.{what}",
            out,
        )

    def settle(self, g: _Group, tag: str, lines: list[SettlementLine]) -> None:
        rip = 0
        kept: dict[str, int] = {}
        for ln in lines:
            if ln.kind in ORDER_MONEY:
                rip += ln.amount
            else:
                acct = _KEPT_ACCOUNT[ln.kind]
                kept[acct] = kept.get(acct, 0) + ln.amount
        net = rip + sum(kept.values())
        out = [self.line("UNDEPOSITED_FUNDS", net), self.line("RIP", -rip)]
        out += [self.line(acct, -amt) for acct, amt in sorted(kept.items())]
        refund = " (refunds)" if g.refund else ""
        self.entry(
            f"settle/{tag}",
            g.day,
            f"{self.channel} settlement {self.s.settlement_id} on {g.day.isoformat()}{refund}:"
            f" {self.money(net)} net",
            "marketplace.settle",
            out,
        )

    def unknown(self, ln: SettlementLine) -> None:
        self.review.append(ln)
        if self.status == COGS_ONLY:
            return
        self.entry(
            f"unknown/{ln.line_no}",
            ln.posted,
            f"{self.channel} settlement {self.s.settlement_id} line {ln.line_no}:"
            f" {ln.description} {self.money(ln.amount)}, no rule knows it, needs review",
            "marketplace.unknown",
            [
                self.line("UNDEPOSITED_FUNDS", ln.amount, ln.order_id),
                self.line("UNCATEGORIZED", -ln.amount, ln.order_id),
            ],
            ln.order_id,
        )

    def cost(self, g: _Group, tag: str) -> None:
        units: dict[tuple[str, str], tuple[int, str]] = {}
        for ln in g.lines:
            if ln.kind is K.PRINCIPAL and ln.sku and ln.quantity > 0:
                k = (ln.sku, ln.order_id or "")
                have = units.get(k, (0, ln.fulfillment.value))
                units[k] = (have[0] + ln.quantity, have[1])
        by_sku: dict[str, int] = {}
        for (sku, order_id), (qty, fulfillment) in units.items():
            unit = self.costs.get(sku)
            total = qty * (unit or 0)
            self.cogs.append(
                CogsLine(order_id, sku, g.day, qty, unit or 0, total, unit is None, fulfillment)
            )
            by_sku[sku] = by_sku.get(sku, 0) + total
        out: list[JournalLine] = []
        for sku, total in sorted(by_sku.items()):
            out += [self.line("COGS", total, None, sku), self.line("INVENTORY", -total, None, sku)]
        self.entry(
            f"cogs/{tag}",
            g.day,
            f"{self.channel} units shipped on {g.day.isoformat()}: cost of"
            f" {sum(q for q, _ in units.values())} units (settlement {self.s.settlement_id})",
            "marketplace.cogs",
            out,
        )

    def deposit(self) -> None:
        s = self.s
        self.entry(
            "deposit",
            s.deposit_date,
            f"{self.channel} settlement {s.settlement_id} deposit:"
            f" {self.money(s.total)} to the bank",
            "marketplace.deposit",
            [self.line("BANK", s.total), self.line("UNDEPOSITED_FUNDS", -s.total)],
        )


def post_settlement(
    settlement: Settlement,
    store_id: str,
    unit_costs: Mapping[str, int],
    status: str = INCLUDED,
) -> PostedSettlement:
    """Entries of one settlement, the lines to review and the units costed."""
    poster = _Poster(settlement, store_id, unit_costs, status)
    if status == EXCLUDED:
        return PostedSettlement((), (), ())
    for g in _groups(settlement.lines, shipped=True):
        poster.shipped_day(g)
    for g in _groups(settlement.lines, shipped=False):
        poster.recorded_day(g)
    if status != COGS_ONLY and settlement.paid:
        poster.deposit()
    return PostedSettlement(sort_entries(poster.entries), tuple(poster.review), tuple(poster.cogs))
