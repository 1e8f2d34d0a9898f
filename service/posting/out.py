"""Building journal lines and entries for one order.

Every line of an order carries the same store, channel and order
dimensions; this small builder stamps them on, drops zero lines, and gives
each entry its deterministic key: ``order/rule/event`` (plus ``/n`` when
one event makes several entries under one rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from service.domain.events import Transaction
from service.domain.journal import JournalEntry, JournalLine
from service.domain.money import exponent, format_money
from service.posting import components as C


class Out:
    __slots__ = (
        "cents",
        "channel",
        "currency",
        "entries",
        "keys",
        "label",
        "order_id",
        "store_id",
    )

    def __init__(
        self, store_id: str, channel: str, order_id: str | None, label: str, currency: str
    ):
        self.store_id = store_id
        self.channel = channel
        self.order_id = order_id
        self.label = label
        self.currency = currency
        self.entries: list[JournalEntry] = []
        self.keys: set[str] = set()
        self.cents = exponent(currency) == 2

    def money(self, minor: int) -> str:
        if self.cents:
            sign = "-" if minor < 0 else ""
            whole, frac = divmod(abs(minor), 100)
            return f"{sign}{whole}.{frac:02d} {self.currency}"
        return format_money(minor, self.currency)

    @staticmethod
    def conversions(money: Iterable[Transaction]) -> str:
        """What a memo adds when an amount came only in the customer's
        currency and was converted at the order's rate (posting rule 13.3)."""
        said = [t.converted_from for t in money if t.converted_from]
        if not said:
            return ""
        return f" ({', '.join(said)} converted at the order's own rate)"

    def line(
        self,
        lines: list[JournalLine],
        account: str,
        amount: int,
        sku: str | None = None,
        processor: str | None = None,
    ) -> None:
        if amount:
            lines.append(
                JournalLine(
                    account, amount, self.store_id, self.channel, self.order_id, sku, processor
                )
            )

    def entry(
        self, date: dt.date, rule: str, event: str, memo: str, lines: list[JournalLine]
    ) -> None:
        if not lines:
            return
        balance = 0
        for line in lines:
            balance += line.amount
        if balance:  # pragma: no cover - a bug, never input
            raise AssertionError(f"unbalanced entry {rule} for {self.order_id}: {lines}")
        key = f"{self.order_id}/{rule}/{event}"
        if key in self.keys:
            n = 2
            while f"{key}/{n}" in self.keys:
                n += 1
            key = f"{key}/{n}"
        self.keys.add(key)
        self.entries.append(JournalEntry(key, date, self.order_id, event, rule, memo, tuple(lines)))

    def components(
        self,
        lines: list[JournalLine],
        v: C.Vec,
        sign: int,
        gross_account: str = "GROSS_SALES",
        kept_back: int = 0,
    ) -> None:
        """Recognise (sign=+1) or reverse (sign=-1) a component vector.

        posting rules section 5: Cr GROSS_SALES gross, Dr DISCOUNTS discounts,
        Cr SHIPPING_INCOME, Cr TIP_INCOME, Cr SALES_TAX_PAYABLE. Channel
        liable tax is collected and remitted in the same entry (Dr
        SALES_TAX_PAYABLE, Cr RIP) so only the merchant's tax stays payable.
        Gift card value goes to GIFT_CARD_LIABILITY. A reversal posts the
        gross to ``gross_account`` (REFUNDS_RETURNS) less any money kept
        back (cash rule 4). The lines sum to -sign*value(v) + sign*kept_back.
        """
        g, d, s, t, tax, ctax, gift = v
        # Built inline (no helper call per line): this runs for every
        # payment, fulfillment and refund of every order.
        jl = JournalLine
        st, ch, oid = self.store_id, self.channel, self.order_id
        app = lines.append
        x = sign * (kept_back - g)
        if x:
            app(jl(gross_account, x, st, ch, oid))
        if d:
            app(jl("DISCOUNTS", sign * d, st, ch, oid))
        if s:
            app(jl("SHIPPING_INCOME", -sign * s, st, ch, oid))
        if t:
            app(jl("TIP_INCOME", -sign * t, st, ch, oid))
        x = sign * (tax + ctax)
        if x:
            app(jl("SALES_TAX_PAYABLE", -x, st, ch, oid))
        if ctax:
            app(jl("SALES_TAX_PAYABLE", sign * ctax, st, ch, oid))
            app(jl("RIP", -sign * ctax, st, ch, oid))
        if gift:
            app(jl("GIFT_CARD_LIABILITY", -sign * gift, st, ch, oid))
