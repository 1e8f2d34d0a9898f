"""Check a history and put it in the shape the rules work on.

Everything that can be wrong with an input is found here, before any entry
is made, so that posting either returns every entry of the order or raises
one ``InconsistentHistory`` (never unbalanced or partial entries).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.domain.accounts import ACCOUNTS_BY_KEY
from service.domain.context import PostingContext
from service.domain.errors import InconsistentHistory, NeedsData
from service.domain.events import (
    Cancellation,
    Fulfillment,
    FulfillmentStatus,
    Refund,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from service.domain.history import OrderHistory
from service.domain.money import MoneyError, exponent
from service.domain.settings import DepositLink
from service.posting import components as C
from service.posting.split import split

# Event kinds, in the order they are applied when they share an instant.
PLACED = 0
PLACED_FULFILLMENT = 1
PAYMENT = 2
FULFILLMENT = 3
REFUND = 4
CANCEL = 5
DEPOSIT = 6
BAD_DEBT = 7
OVERCOLLECTED = 8

# Phases within a local day: timestamped events, then bank deposits (a bank
# date has no time), then end-of-day order actions.
_PHASE_TIMED, _PHASE_DEPOSIT, _PHASE_ACTION = 0, 1, 2


class PLine:
    """An order line ready for the rules (internal; plain slots for speed)."""

    __slots__ = ("gift_card", "id", "index", "quantity", "sku", "unit_price", "vector", "weight")

    def __init__(
        self,
        index: int,
        id: str,
        sku: str | None,
        quantity: int,
        unit_price: int,
        vector: C.Vec,
        gift_card: bool,
        weight: int,
    ) -> None:
        self.index = index
        self.id = id
        self.sku = sku
        self.quantity = quantity
        self.unit_price = unit_price
        self.vector = vector
        self.gift_card = gift_card
        self.weight = weight  # per unit, for spreading order-level items by fulfilled gross


class PEvent:
    """A dated event. ``ts`` is a POSIX timestamp (0 for date-only ones);
    ``key`` orders events: local date, phase of the day, time, kind, id."""

    __slots__ = ("date", "id", "key", "kind", "obj", "phase", "ts")

    def __init__(
        self, date: dt.date, phase: int, ts: float, kind: int, id: str, obj: object
    ) -> None:
        self.date = date
        self.phase = phase
        self.ts = ts
        self.kind = kind
        self.id = id
        self.obj = obj
        self.key = (date, phase, ts, kind, id)


class Prepared:
    """A checked history (internal; plain slots for speed)."""

    __slots__ = (
        "by_id",
        "cancelled_at",
        "cancelled_date",
        "events",
        "g_total",
        "last_date",
        "lines",
        "order_level",
        "placed_date",
        "placed_ts",
        "ship_tax_split",
        "total",
        "total_vec",
    )

    def __init__(
        self,
        lines: tuple[PLine, ...],
        by_id: dict[str, PLine],
        order_level: C.Vec,
        ship_tax_split: tuple[int, int],
        total: int,
        total_vec: C.Vec,
        g_total: int,
        placed_date: dt.date,
        placed_ts: float,
        events: list[PEvent],
        cancelled_at: float | None,
        cancelled_date: dt.date | None,
        last_date: dt.date,
    ) -> None:
        self.lines = lines
        self.by_id = by_id
        self.order_level = order_level  # shipping, its discount and tax, tips
        self.ship_tax_split = ship_tax_split  # merchant, channel tax on shipping
        self.total = total
        self.total_vec = total_vec
        self.g_total = g_total  # unshipped weight order-level items follow
        self.placed_date = placed_date
        self.placed_ts = placed_ts
        self.events = events  # sorted, real events only (no virtual ones)
        self.cancelled_at = cancelled_at
        self.cancelled_date = cancelled_date
        self.last_date = last_date


def _key(e: PEvent) -> tuple[dt.date, int, float, int, str]:
    return e.key


_KNOWN_CURRENCIES: set[str] = set()


def _zone(order_id: str, name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InconsistentHistory(order_id, f"unknown time zone {name!r}") from exc


def _two_currencies(order_id: str, currency: str, txn: Transaction) -> None:
    if txn.currency is not None and txn.currency != currency:
        raise InconsistentHistory(
            order_id,
            f"transaction {txn.id} is in {txn.currency} but the order is in {currency}"
            " (amounts in two currencies)",
        )


def prepare(history: OrderHistory, ctx: PostingContext) -> Prepared:
    order = history.order
    oid = order.id
    if order.currency not in _KNOWN_CURRENCIES:
        try:
            exponent(order.currency)
        except MoneyError as exc:
            raise InconsistentHistory(oid, str(exc)) from exc
        _KNOWN_CURRENCIES.add(order.currency)
    zone = _zone(oid, order.timezone)
    if order.placed_at.tzinfo is None:
        raise InconsistentHistory(oid, "placed_at has no time zone")
    placed_ts = order.placed_at.timestamp()
    placed_date = order.placed_at.astimezone(zone).date()

    # Lines -------------------------------------------------------------
    raw = order.lines
    if order.tip < 0 or order.unallocated_discount < 0:
        raise InconsistentHistory(oid, "negative tip or order discount")
    n_lines = len(raw)
    extra_disc: tuple[int, ...] | None = None
    if order.unallocated_discount:
        weights = [0 if ln.gift_card else ln.quantity * ln.unit_price for ln in raw]
        if not any(weights):
            raise InconsistentHistory(oid, "an order-level discount but no line to spread it over")
        extra_disc = split(order.unallocated_discount, weights)
    lines: list[PLine] = []
    by_id: dict[str, PLine] = {}
    # Totals over the lines, gathered in the same pass: the vector of the
    # whole order and the non-gift-card gross (the weight order-level items
    # follow under accrual).
    t_gross = t_disc = t_tax = t_ctax = t_gift = 0
    order_gross = 0
    included = order.taxes_included
    for i in range(n_lines):
        ln = raw[i]
        qty = ln.quantity
        price = ln.unit_price
        if qty <= 0 or price < 0:
            raise InconsistentHistory(
                oid, f"line {ln.id} has a non-positive quantity or a negative price"
            )
        if ln.id in by_id:
            raise InconsistentHistory(oid, f"two lines share the id {ln.id}")
        gross = qty * price
        disc = extra_disc[i] if extra_disc is not None else 0
        for da in ln.discounts:
            if da.amount < 0:
                raise InconsistentHistory(oid, f"line {ln.id} has a negative discount")
            disc += da.amount
        tax = ctax = 0
        for tl in ln.tax_lines:
            if tl.amount < 0:
                raise InconsistentHistory(oid, f"line {ln.id} has a negative tax")
            if tl.channel_liable:
                ctax += tl.amount
            else:
                tax += tl.amount
        if included:
            # Tax-inclusive prices (13.1): the tax is inside the price.
            gross -= tax + ctax
            if gross < 0:
                raise InconsistentHistory(oid, f"line {ln.id} includes more tax than its price")
        if disc > gross:
            raise InconsistentHistory(oid, f"line {ln.id} is discounted by more than its price")
        if ln.gift_card:
            # A gift card sold is a liability, not revenue (section 5).
            vec = (0, 0, 0, 0, tax, ctax, gross - disc)
            t_gift += gross - disc
        else:
            vec = (gross, disc, 0, 0, tax, ctax, 0)
            t_gross += gross
            t_disc += disc
            order_gross += qty * price  # the weight order-level items follow
        t_tax += tax
        t_ctax += ctax
        pl = PLine(i, ln.id, ln.sku, qty, price, vec, ln.gift_card, price)
        lines.append(pl)
        by_id[ln.id] = pl
    g_total = order_gross
    if order_gross == 0:
        # Nothing has a price: spread order-level items by units instead.
        for pl in lines:
            pl.weight = 1
            if not pl.gift_card:
                g_total += pl.quantity

    ship_gross = ship_disc = ship_tax = ship_ctax = 0
    for s in order.shipping_lines:
        if s.price < 0 or s.discount < 0 or s.discount > s.price:
            raise InconsistentHistory(
                oid, f"shipping line {s.id} has an impossible price or discount"
            )
        ship_disc += s.discount
        s_tax = s_ctax = 0
        for tl in s.tax_lines:
            if tl.amount < 0:
                raise InconsistentHistory(oid, f"shipping line {s.id} has a negative tax")
            if tl.channel_liable:
                s_ctax += tl.amount
            else:
                s_tax += tl.amount
        ship_tax += s_tax
        ship_ctax += s_ctax
        ship_gross += s.price - (s_tax + s_ctax if included else 0)
        if included and s.price - s_tax - s_ctax < s.discount:
            raise InconsistentHistory(
                oid, f"shipping line {s.id} includes more tax than its discounted price"
            )
    order_level = (0, ship_disc, ship_gross, order.tip, ship_tax, ship_ctax, 0)
    total_vec = (
        t_gross,
        t_disc + ship_disc,
        ship_gross,
        order.tip,
        t_tax + ship_tax,
        t_ctax + ship_ctax,
        t_gift,
    )
    total = C.value(total_vec)

    # Events ------------------------------------------------------------
    events: list[PEvent] = []
    first: dict[tuple[str, str], object] = {}
    fulfilled = [0] * len(lines)
    refunded = [0] * len(lines)
    money_in = 0
    money_out = 0
    ship_refunded = 0
    ship_tax_refunded = 0
    cancelled_at: float | None = None
    cancelled_date: dt.date | None = None
    currency = order.currency

    success = TransactionStatus.SUCCESS
    sale, capture = TransactionKind.SALE, TransactionKind.CAPTURE
    refund_kind = TransactionKind.REFUND
    fulfilled_ok = FulfillmentStatus.SUCCESS

    for ev in history.events:
        cls = type(ev)
        if cls is Transaction:
            tag = ("transaction", ev.id)
        elif cls is Fulfillment:
            tag = ("fulfillment", ev.id)
        elif cls is Refund:
            tag = ("refund", ev.id)
        elif cls is Cancellation:
            tag = ("cancellation", ev.id)
        else:
            raise InconsistentHistory(oid, f"unknown event type {cls.__name__}")
        seen_ev = first.get(tag)
        if seen_ev is not None:
            if seen_ev == ev:
                continue  # the same event delivered twice (webhooks are at least once)
            raise InconsistentHistory(
                oid, f"{tag[0]} {tag[1]} appears twice with different content"
            )
        first[tag] = ev
        at = ev.at
        if at.tzinfo is None:
            raise InconsistentHistory(oid, f"{tag[0]} {tag[1]} has a datetime without a time zone")
        ts = at.timestamp()
        if ts < placed_ts:
            # Nothing can happen to an order before it exists; sources stamp
            # the first payment a second early now and then.
            d, ts = placed_date, placed_ts
        else:
            d = at.astimezone(zone).date()
        if isinstance(ev, Transaction):
            if ev.currency is not None and ev.currency != currency:
                _two_currencies(oid, currency, ev)
            if ev.amount < 0:
                raise InconsistentHistory(oid, f"transaction {ev.id} has a negative amount")
            if ev.status is not success:
                continue
            kind = ev.kind
            if kind is refund_kind:
                # A refund transaction outside a refund: money going back with
                # no lines, posted as a refund of its own.
                money_out += ev.amount
                wrapped = Refund(id=ev.id, at=ev.at, transactions=(ev,))
                events.append(PEvent(d, _PHASE_TIMED, ts, REFUND, ev.id, wrapped))
            elif kind is sale or kind is capture:
                money_in += ev.amount
                events.append(PEvent(d, _PHASE_TIMED, ts, PAYMENT, ev.id, ev))
        elif isinstance(ev, Fulfillment):
            if ev.status is not fulfilled_ok:
                continue
            shipped: list[tuple[int, int]] = []
            for fl in ev.lines:
                pl_ = by_id.get(fl.line_id)
                if pl_ is None:
                    raise NeedsData(
                        oid,
                        f"fulfillment {ev.id} ships unknown line {fl.line_id}"
                        " (not on the order yet)",
                    )
                q = fl.quantity
                if q < 0:
                    raise InconsistentHistory(oid, f"fulfillment {ev.id} ships a negative quantity")
                i = pl_.index
                fulfilled[i] += q
                if fulfilled[i] > pl_.quantity:
                    raise InconsistentHistory(
                        oid,
                        f"line {fl.line_id} is fulfilled {fulfilled[i]} times"
                        f" but only {pl_.quantity} were sold",
                    )
                if q:
                    shipped.append((i, q))
            events.append(PEvent(d, _PHASE_TIMED, ts, FULFILLMENT, ev.id, tuple(shipped)))
        elif isinstance(ev, Refund):
            for rl in ev.lines:
                pl_ = by_id.get(rl.line_id)
                if pl_ is None:
                    raise NeedsData(
                        oid,
                        f"refund {ev.id} refunds unknown line {rl.line_id} (not on the order yet)",
                    )
                if rl.quantity <= 0:
                    raise InconsistentHistory(
                        oid, f"refund {ev.id} refunds a non-positive quantity"
                    )
                i = pl_.index
                refunded[i] += rl.quantity
                if refunded[i] > pl_.quantity:
                    raise InconsistentHistory(
                        oid,
                        f"refund of more units than were sold: line {rl.line_id} refunded"
                        f" {refunded[i]} of {pl_.quantity}",
                    )
            if ev.shipping < 0 or ev.shipping_tax < 0:
                raise InconsistentHistory(
                    oid, f"refund {ev.id} gives back a negative amount of shipping"
                )
            ship_refunded += ev.shipping
            ship_tax_refunded += ev.shipping_tax
            for t in ev.transactions:
                if t.currency is not None and t.currency != currency:
                    _two_currencies(oid, currency, t)
                if t.amount < 0:
                    raise InconsistentHistory(
                        oid, f"refund transaction {t.id} has a negative amount"
                    )
                if t.kind is not refund_kind:
                    raise InconsistentHistory(
                        oid, f"refund {ev.id} holds a {t.kind} transaction {t.id}, not a refund"
                    )
                if t.status is success:
                    money_out += t.amount
            events.append(PEvent(d, _PHASE_TIMED, ts, REFUND, ev.id, ev))
        else:
            if cancelled_at is None or ts < cancelled_at:
                cancelled_at = ts
                cancelled_date = d
            events.append(PEvent(d, _PHASE_TIMED, ts, CANCEL, ev.id, ev))

    if ship_refunded > ship_gross - ship_disc:
        raise InconsistentHistory(oid, "refund of more shipping than was charged")
    if ship_tax_refunded > ship_tax + ship_ctax:
        raise InconsistentHistory(oid, "refund of more shipping tax than was charged")

    for dep in ctx.deposits:
        if not isinstance(dep, DepositLink):
            raise InconsistentHistory(oid, "a linked deposit of the wrong type")
        if ("deposit", dep.id) in first:
            raise InconsistentHistory(oid, f"deposit {dep.id} is linked twice")
        first[("deposit", dep.id)] = dep
        if dep.amount < 0 or dep.amount + dep.difference < 0:
            raise InconsistentHistory(oid, f"deposit {dep.id} settles a negative amount")
        if dep.difference and dep.difference_account not in ACCOUNTS_BY_KEY:
            raise InconsistentHistory(
                oid, f"deposit {dep.id} names unknown account {dep.difference_account}"
            )
        money_in += dep.amount + dep.difference
        d = max(dep.date, placed_date)
        events.append(PEvent(d, _PHASE_DEPOSIT, 0.0, DEPOSIT, dep.id, dep))

    if money_out > money_in:
        # Almost always the sale transaction is still on its way (webhooks
        # arrive in any order): wait for it rather than drop the order.
        raise NeedsData(
            oid,
            f"refunds return {money_out} but only {money_in} was paid so far (minor units):"
            " waiting for the payment the refund gives back",
        )

    events.sort(key=_key)
    last_date = events[-1].date if events else placed_date
    if last_date < placed_date:  # pragma: no cover - dates are clamped
        last_date = placed_date
    return Prepared(
        tuple(lines),
        by_id,
        order_level,
        (ship_tax, ship_ctax),
        total,
        total_vec,
        g_total,
        placed_date,
        placed_ts,
        events,
        cancelled_at,
        cancelled_date,
        last_date,
    )


def action_event(kind: int, date: dt.date) -> PEvent:
    """An end-of-day order action (bad debt, over-collected) on ``date``."""
    return PEvent(date, _PHASE_ACTION, 0.0, kind, "action", None)


def placed_events(p: Prepared, order_id: str, with_fulfillment: bool) -> tuple[PEvent, ...]:
    """The placement itself and, under placed-date tracking, the virtual
    fulfillment of every unit at that instant (POSTING.md section 3)."""
    placed = PEvent(p.placed_date, _PHASE_TIMED, p.placed_ts, PLACED, order_id, None)
    if not with_fulfillment:
        return (placed,)
    everything = tuple((pl.index, pl.quantity) for pl in p.lines if not pl.gift_card)
    return (
        placed,
        PEvent(p.placed_date, _PHASE_TIMED, p.placed_ts, PLACED_FULFILLMENT, "placed", everything),
    )
