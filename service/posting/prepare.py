"""Check a history and put it in the shape the rules work on.

Everything that can be wrong with an input is found here, before any entry
is made, so that posting either returns every entry of the order or raises
one ``InconsistentHistory`` (never unbalanced or partial entries); a
history that only waits for a part still on its way raises ``NeedsData``.

``prepare`` runs in named steps: the order as placed (``_placement``), its
lines (``_read_lines``) and shipping (``_read_shipping``), its events
(``_EventReader``, one method per kind of event), the deposits linked to it,
the money check, and the exchanges Shopify made on it (``_exchanges``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.domain.accounts import ACCOUNTS_BY_KEY
from service.domain.context import PostingContext
from service.domain.errors import InconsistentHistory, NeedsData
from service.domain.events import (
    Cancellation,
    Event,
    Fulfillment,
    FulfillmentStatus,
    Refund,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from service.domain.history import OrderHistory
from service.domain.money import MoneyError, exponent
from service.domain.order import Order
from service.domain.settings import DepositLink
from service.posting import components as C
from service.posting.split import split

# Event kinds, in the order they are applied when they share an instant.
PLACED: Final = 0
PLACED_FULFILLMENT: Final = 1
PAYMENT: Final = 2
FULFILLMENT: Final = 3
REFUND: Final = 4
CANCEL: Final = 5
DEPOSIT: Final = 6
BAD_DEBT: Final = 7
OVERCOLLECTED: Final = 8

# Phases within a local day: timestamped events, then bank deposits (a bank
# date has no time), then end-of-day order actions.
_PHASE_TIMED, _PHASE_DEPOSIT, _PHASE_ACTION = 0, 1, 2


class PLine:
    """An order line ready for the rules (internal; plain slots for speed)."""

    __slots__ = (
        "exchange_for",
        "gift_card",
        "id",
        "index",
        "quantity",
        "sku",
        "unit_price",
        "vector",
        "weight",
    )

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
        exchange_for: str = "",
    ) -> None:
        self.index = index
        self.id = id
        self.sku = sku
        self.quantity = quantity
        self.unit_price = unit_price
        self.vector = vector
        self.gift_card = gift_card
        self.weight = weight  # per unit, for spreading order-level items by fulfilled gross
        self.exchange_for = exchange_for  # the return it replaces items of, if any


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
    """A checked history (internal; plain slots for speed).

    ``order_level``: shipping, its discount and tax, and tips, as one
    vector. ``unshipped_weight``: the weight order-level items follow under
    accrual (each line's ``weight`` per unit). ``exchanges``: for each
    refund that is an exchange's, the price difference the replacement
    adds (a vector, zero for an even exchange). ``exchange_shipments``: the
    replacements counted as shipped on the exchange under placed-date
    tracking.
    """

    __slots__ = (
        "by_id",
        "cancelled_at",
        "cancelled_date",
        "events",
        "exchange_shipments",
        "exchanges",
        "last_date",
        "lines",
        "order_level",
        "placed_date",
        "placed_ts",
        "ship_tax_split",
        "total",
        "total_vec",
        "unshipped_weight",
    )

    def __init__(
        self,
        lines: tuple[PLine, ...],
        by_id: dict[str, PLine],
        order_level: C.Vec,
        ship_tax_split: tuple[int, int],
        total_vec: C.Vec,
        unshipped_weight: int,
        placed_date: dt.date,
        placed_ts: float,
        events: list[PEvent],
        cancelled_at: float | None,
        cancelled_date: dt.date | None,
        exchanges: dict[str, C.Vec],
        exchange_shipments: list[PEvent],
    ) -> None:
        self.lines = lines
        self.by_id = by_id
        self.order_level = order_level
        self.ship_tax_split = ship_tax_split  # merchant, channel tax on shipping
        self.total_vec = total_vec
        self.total = C.value(total_vec)
        self.unshipped_weight = unshipped_weight
        self.placed_date = placed_date
        self.placed_ts = placed_ts
        self.events = events  # sorted, real events only (no virtual ones)
        self.cancelled_at = cancelled_at
        self.cancelled_date = cancelled_date
        self.exchanges = exchanges
        self.exchange_shipments = exchange_shipments
        last = events[-1].date if events else placed_date
        self.last_date = max(last, placed_date)

    @property
    def charged(self) -> int:
        """The order's total with the price differences of its exchanges."""
        return self.total + sum(C.value(v) for v in self.exchanges.values())


def _key(e: PEvent) -> tuple[dt.date, int, float, int, str]:
    return e.key


def prepare(history: OrderHistory, ctx: PostingContext) -> Prepared:
    order = history.order
    oid = order.id
    _check_currency(oid, order.currency)
    zone = _zone(oid, order.timezone)
    placed_ts, placed_date = _placement(order, zone)
    lines = _read_lines(order)
    shipping = _read_shipping(order)
    reader = _EventReader(order, zone, placed_ts, placed_date, lines.by_id)
    for ev in history.events:
        reader.read(ev)
    reader.check_shipping_refunds(shipping)
    for dep in ctx.deposits:
        reader.deposit(dep)
    reader.check_money()
    exchanges, shipments = _exchanges(oid, lines, reader.exchange_refunds)
    reader.events.sort(key=_key)
    return Prepared(
        lines.lines,
        lines.by_id,
        shipping.order_level,
        shipping.tax_split,
        C.add(lines.total_vec, shipping.order_level),
        lines.unshipped_weight,
        placed_date,
        placed_ts,
        reader.events,
        reader.cancelled_at,
        reader.cancelled_date,
        exchanges,
        shipments,
    )


# The order as placed ----------------------------------------------------

_KNOWN_CURRENCIES: set[str] = set()


def _check_currency(order_id: str, currency: str) -> None:
    if currency in _KNOWN_CURRENCIES:
        return
    try:
        exponent(currency)
    except MoneyError as exc:
        raise InconsistentHistory(order_id, str(exc)) from exc
    _KNOWN_CURRENCIES.add(currency)


def _zone(order_id: str, name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InconsistentHistory(order_id, f"unknown time zone {name!r}") from exc


def _placement(order: Order, zone: ZoneInfo) -> tuple[float, dt.date]:
    if order.placed_at.tzinfo is None:
        raise InconsistentHistory(order.id, "placed_at has no time zone")
    if order.tip < 0 or order.unallocated_discount < 0:
        raise InconsistentHistory(order.id, "negative tip or order discount")
    return order.placed_at.timestamp(), order.placed_at.astimezone(zone).date()


class _Lines:
    __slots__ = ("by_id", "exchanges", "lines", "total_vec", "unshipped_weight")

    def __init__(
        self,
        lines: tuple[PLine, ...],
        by_id: dict[str, PLine],
        total_vec: C.Vec,
        unshipped_weight: int,
        exchanges: bool,
    ) -> None:
        self.lines = lines
        self.by_id = by_id
        self.total_vec = total_vec  # of the lines sold at placement
        self.unshipped_weight = unshipped_weight
        self.exchanges = exchanges  # whether any line replaces returned items


def _order_level_discounts(order: Order) -> tuple[int, ...] | None:
    """An order-level discount the source did not spread, spread by gross."""
    if not order.unallocated_discount:
        return None
    weights = [0 if ln.gift_card else ln.quantity * ln.unit_price for ln in order.lines]
    if not any(weights):
        raise InconsistentHistory(order.id, "an order-level discount but no line to spread it over")
    return split(order.unallocated_discount, weights)


def _read_lines(order: Order) -> _Lines:
    """Each line's component vector, and the totals of the lines sold at
    placement (an exchange's replacement lines come later, with it)."""
    oid = order.id
    extra_disc = _order_level_discounts(order)
    included = order.taxes_included
    lines: list[PLine] = []
    by_id: dict[str, PLine] = {}
    # Gathered in the same pass: the vector of the lines sold at placement
    # and their undiscounted gross (the weight order-level items follow).
    t_gross = t_disc = t_tax = t_ctax = t_gift = 0
    weight_total = 0
    exchanges = False
    for i, ln in enumerate(order.lines):
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
        exchange = ln.exchange_for
        if ln.gift_card:
            # A gift card sold is a liability, not revenue (section 5).
            vec: C.Vec = (0, 0, 0, 0, tax, ctax, gross - disc)
        else:
            vec = (gross, disc, 0, 0, tax, ctax, 0)
        weight = 0 if exchange else price
        pl = PLine(i, ln.id, ln.sku, qty, price, vec, ln.gift_card, weight, exchange)
        lines.append(pl)
        by_id[ln.id] = pl
        if exchange:
            exchanges = True
            continue
        if ln.gift_card:
            t_gift += gross - disc
        else:
            t_gross += gross
            t_disc += disc
            weight_total += qty * price
        t_tax += tax
        t_ctax += ctax
    if weight_total == 0:
        # Nothing has a price: spread order-level items by units instead.
        for pl in lines:
            if not pl.exchange_for:
                pl.weight = 1
                if not pl.gift_card:
                    weight_total += pl.quantity
    total_vec = (t_gross, t_disc, 0, 0, t_tax, t_ctax, t_gift)
    return _Lines(tuple(lines), by_id, total_vec, weight_total, exchanges)


class _Shipping:
    __slots__ = ("net", "order_level", "tax", "tax_split")

    def __init__(self, order_level: C.Vec, tax_split: tuple[int, int]) -> None:
        self.order_level = order_level
        self.tax_split = tax_split  # merchant, channel
        self.net = order_level[C.SHIP] - order_level[C.DISC]  # what a refund can give back
        self.tax = tax_split[0] + tax_split[1]


def _read_shipping(order: Order) -> _Shipping:
    """Shipping, its discount and tax, and tips: the order-level items."""
    oid = order.id
    included = order.taxes_included
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
    return _Shipping(order_level, (ship_tax, ship_ctax))


# The events -------------------------------------------------------------

_SUCCESS = TransactionStatus.SUCCESS
_SALE, _CAPTURE, _REFUND = TransactionKind.SALE, TransactionKind.CAPTURE, TransactionKind.REFUND
_SHIPPED = FulfillmentStatus.SUCCESS
_TAGS: dict[type, str] = {
    Transaction: "transaction",
    Fulfillment: "fulfillment",
    Refund: "refund",
    Cancellation: "cancellation",
}


class _EventReader:
    """Reads an order's events one by one, checking each against the order
    and what came before it, and dates them in the store's time zone."""

    __slots__ = (
        "by_id",
        "cancelled_at",
        "cancelled_date",
        "currency",
        "events",
        "exchange_refunds",
        "fulfilled",
        "money_in",
        "money_out",
        "oid",
        "placed_date",
        "placed_ts",
        "refunded",
        "seen",
        "ship_refunded",
        "ship_tax_refunded",
        "zone",
    )

    def __init__(
        self,
        order: Order,
        zone: ZoneInfo,
        placed_ts: float,
        placed_date: dt.date,
        by_id: dict[str, PLine],
    ) -> None:
        self.oid = order.id
        self.currency = order.currency
        self.zone = zone
        self.placed_ts = placed_ts
        self.placed_date = placed_date
        self.by_id = by_id
        self.events: list[PEvent] = []
        self.seen: dict[tuple[str, str], object] = {}
        self.fulfilled = [0] * len(by_id)
        self.refunded = [0] * len(by_id)
        self.money_in = 0
        self.money_out = 0
        self.ship_refunded = 0
        self.ship_tax_refunded = 0
        self.cancelled_at: float | None = None
        self.cancelled_date: dt.date | None = None
        self.exchange_refunds: dict[str, PEvent] = {}  # return id -> its refund

    def read(self, ev: Event) -> None:
        tag_word = _TAGS.get(type(ev))
        if tag_word is None:
            raise InconsistentHistory(self.oid, f"unknown event type {type(ev).__name__}")
        tag = (tag_word, ev.id)
        seen = self.seen.get(tag)
        if seen is not None:
            if seen == ev:
                return  # the same event delivered twice (webhooks are at least once)
            raise InconsistentHistory(
                self.oid, f"{tag[0]} {tag[1]} appears twice with different content"
            )
        self.seen[tag] = ev
        d, ts = self._when(tag, ev.at)
        if isinstance(ev, Transaction):
            self.transaction(ev, d, ts)
        elif isinstance(ev, Fulfillment):
            self.fulfillment(ev, d, ts)
        elif isinstance(ev, Refund):
            self.refund(ev, d, ts)
        else:
            self.cancellation(ev, d, ts)

    def _when(self, tag: tuple[str, str], at: dt.datetime) -> tuple[dt.date, float]:
        if at.tzinfo is None:
            raise InconsistentHistory(
                self.oid, f"{tag[0]} {tag[1]} has a datetime without a time zone"
            )
        ts = at.timestamp()
        if ts < self.placed_ts:
            # Nothing can happen to an order before it exists; sources stamp
            # the first payment a second early now and then.
            return self.placed_date, self.placed_ts
        return at.astimezone(self.zone).date(), ts

    def _money(self, t: Transaction, what: str) -> None:
        if t.currency is not None and t.currency != self.currency:
            raise InconsistentHistory(
                self.oid,
                f"transaction {t.id} is in {t.currency} but the order is in {self.currency}"
                " (amounts in two currencies)",
            )
        if t.amount < 0:
            raise InconsistentHistory(self.oid, f"{what} {t.id} has a negative amount")

    def transaction(self, ev: Transaction, d: dt.date, ts: float) -> None:
        self._money(ev, "transaction")
        if ev.status is not _SUCCESS:
            return
        kind = ev.kind
        if kind is _REFUND:
            # A refund transaction outside a refund: money going back with
            # no lines, posted as a refund of its own.
            self.money_out += ev.amount
            wrapped = Refund(id=ev.id, at=ev.at, transactions=(ev,))
            self.events.append(PEvent(d, _PHASE_TIMED, ts, REFUND, ev.id, wrapped))
        elif kind is _SALE or kind is _CAPTURE:
            self.money_in += ev.amount
            self.events.append(PEvent(d, _PHASE_TIMED, ts, PAYMENT, ev.id, ev))

    def _line(self, line_id: str, what: str) -> PLine:
        """The order line an event names. A line not on the order yet was
        most likely added by an edit or an exchange whose order payload is
        still on its way: wait for it."""
        pl = self.by_id.get(line_id)
        if pl is None:
            raise NeedsData(self.oid, f"{what} unknown line {line_id} (not on the order yet)")
        return pl

    def fulfillment(self, ev: Fulfillment, d: dt.date, ts: float) -> None:
        if ev.status is not _SHIPPED:
            return
        shipped: list[tuple[int, int]] = []
        for fl in ev.lines:
            pl = self._line(fl.line_id, f"fulfillment {ev.id} ships")
            q = fl.quantity
            if q < 0:
                raise InconsistentHistory(
                    self.oid, f"fulfillment {ev.id} ships a negative quantity"
                )
            done = self.fulfilled[pl.index] + q
            self.fulfilled[pl.index] = done
            if done > pl.quantity:
                raise InconsistentHistory(
                    self.oid,
                    f"line {fl.line_id} is fulfilled {done} times but only {pl.quantity} were sold",
                )
            if q:
                shipped.append((pl.index, q))
        self.events.append(PEvent(d, _PHASE_TIMED, ts, FULFILLMENT, ev.id, tuple(shipped)))

    def refund(self, ev: Refund, d: dt.date, ts: float) -> None:
        for rl in ev.lines:
            pl = self._line(rl.line_id, f"refund {ev.id} refunds")
            if rl.quantity <= 0:
                raise InconsistentHistory(
                    self.oid, f"refund {ev.id} refunds a non-positive quantity"
                )
            done = self.refunded[pl.index] + rl.quantity
            self.refunded[pl.index] = done
            if done > pl.quantity:
                raise InconsistentHistory(
                    self.oid,
                    f"refund of more units than were sold: line {rl.line_id} refunded"
                    f" {done} of {pl.quantity}",
                )
        if ev.shipping < 0 or ev.shipping_tax < 0:
            raise InconsistentHistory(
                self.oid, f"refund {ev.id} gives back a negative amount of shipping"
            )
        self.ship_refunded += ev.shipping
        self.ship_tax_refunded += ev.shipping_tax
        for t in ev.transactions:
            self._money(t, "refund transaction")
            if t.kind is not _REFUND:
                raise InconsistentHistory(
                    self.oid, f"refund {ev.id} holds a {t.kind} transaction {t.id}, not a refund"
                )
            if t.status is _SUCCESS:
                self.money_out += t.amount
        pev = PEvent(d, _PHASE_TIMED, ts, REFUND, ev.id, ev)
        if ev.return_id and ev.return_id not in self.exchange_refunds:
            self.exchange_refunds[ev.return_id] = pev
        self.events.append(pev)

    def cancellation(self, ev: Cancellation, d: dt.date, ts: float) -> None:
        if self.cancelled_at is None or ts < self.cancelled_at:
            self.cancelled_at = ts
            self.cancelled_date = d
        self.events.append(PEvent(d, _PHASE_TIMED, ts, CANCEL, ev.id, ev))

    def deposit(self, dep: DepositLink) -> None:
        """A bank deposit linked to the order (cash rule 2, section 16.3)."""
        if not isinstance(dep, DepositLink):
            raise InconsistentHistory(self.oid, "a linked deposit of the wrong type")
        tag = ("deposit", dep.id)
        if tag in self.seen:
            raise InconsistentHistory(self.oid, f"deposit {dep.id} is linked twice")
        self.seen[tag] = dep
        if dep.amount < 0 or dep.amount + dep.difference < 0:
            raise InconsistentHistory(self.oid, f"deposit {dep.id} settles a negative amount")
        if dep.difference and dep.difference_account not in ACCOUNTS_BY_KEY:
            raise InconsistentHistory(
                self.oid, f"deposit {dep.id} names unknown account {dep.difference_account}"
            )
        self.money_in += dep.amount + dep.difference
        d = max(dep.date, self.placed_date)
        self.events.append(PEvent(d, _PHASE_DEPOSIT, 0.0, DEPOSIT, dep.id, dep))

    def check_shipping_refunds(self, shipping: _Shipping) -> None:
        if self.ship_refunded > shipping.net:
            raise InconsistentHistory(self.oid, "refund of more shipping than was charged")
        if self.ship_tax_refunded > shipping.tax:
            raise InconsistentHistory(self.oid, "refund of more shipping tax than was charged")

    def check_money(self) -> None:
        if self.money_out > self.money_in:
            # Almost always the sale transaction is still on its way
            # (webhooks arrive in any order): wait for it, never drop the order.
            raise NeedsData(
                self.oid,
                f"refunds return {self.money_out} but only {self.money_in} was paid so far"
                " (minor units): waiting for the payment the refund gives back",
            )


# Exchanges --------------------------------------------------------------


def _exchanges(
    order_id: str, lines: _Lines, refunds: dict[str, PEvent]
) -> tuple[dict[str, C.Vec], list[PEvent]]:
    """Shopify's own exchanges (cash rule 4, exchanges): the replacement
    lines a return sent out take the place of the units it brought back,
    so neither is a sale or a refund. Each replacement's components become
    the price difference only: what the replacement is worth beyond the
    returned units, which the customer pays and which is a sale. A cheaper
    replacement adds nothing; the money handed back is the refund.
    Returns the difference per exchange refund, and the replacements' own
    shipment for placed-date tracking (made when the exchange is)."""
    differences: dict[str, C.Vec] = {}
    shipments: list[PEvent] = []
    if not lines.exchanges:
        return differences, shipments
    groups: dict[str, list[PLine]] = {}
    for pl in lines.lines:
        if pl.exchange_for:
            groups.setdefault(pl.exchange_for, []).append(pl)
    for return_id, sent in groups.items():
        ev = refunds.get(return_id)
        if ev is None:
            raise NeedsData(
                order_id,
                f"line {sent[0].id} replaces the items of return {return_id},"
                " whose refund has not arrived yet",
            )
        refund = ev.obj
        assert isinstance(refund, Refund)
        difference = _price_difference(lines, refund, sent)
        for n, pl in enumerate(sent):
            pl.vector = difference if n == 0 else C.ZERO
        differences[refund.id] = difference
        units = tuple((pl.index, pl.quantity) for pl in sent if not pl.gift_card)
        shipments.append(
            PEvent(ev.date, _PHASE_TIMED, ev.ts, PLACED_FULFILLMENT, f"exchange/{refund.id}", units)
        )
    return differences, shipments


def _price_difference(lines: _Lines, refund: Refund, sent: list[PLine]) -> C.Vec:
    """What the replacements are worth beyond the units the return brought
    back; zero when they are worth no more; all of it as gross sales when
    a component would go negative (a replacement taxed differently)."""
    back = C.ZERO
    for rl in refund.lines:
        pl = lines.by_id[rl.line_id]
        if not pl.exchange_for:
            back = C.add(back, C.scale(pl.vector, rl.quantity, pl.quantity))
    out = C.ZERO
    for pl in sent:
        out = C.add(out, pl.vector)
    difference = C.sub(out, back)
    value = C.value(difference)
    if value <= 0:
        return C.ZERO
    if min(difference) < 0:
        return (value, 0, 0, 0, 0, 0, 0)
    return difference


def action_event(kind: int, date: dt.date) -> PEvent:
    """An end-of-day order action (bad debt, over-collected) on ``date``."""
    return PEvent(date, _PHASE_ACTION, 0.0, kind, "action", None)


def placed_events(p: Prepared, order_id: str, with_fulfillment: bool) -> tuple[PEvent, ...]:
    """The placement itself and, under placed-date tracking, the virtual
    fulfillment of every unit sold at placement (posting rules section 3); an
    exchange's replacements count as shipped when the exchange is made."""
    placed = PEvent(p.placed_date, _PHASE_TIMED, p.placed_ts, PLACED, order_id, None)
    if not with_fulfillment:
        return (placed,)
    everything = tuple(
        (pl.index, pl.quantity) for pl in p.lines if not pl.gift_card and not pl.exchange_for
    )
    return (
        placed,
        PEvent(p.placed_date, _PHASE_TIMED, p.placed_ts, PLACED_FULFILLMENT, "placed", everything),
    )
