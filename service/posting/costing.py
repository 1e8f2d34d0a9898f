"""Product costing: a company's own unit cost of each sale (posting rule 9).

The lowest-precedence cost source. When neither a person nor an inventory
system gave a cost for an order line, the product's purchases decide it,
by one of two methods:

* ``MOVING_AVERAGE`` (what Finale Inventory does): every receipt recomputes
  the weighted average of what is on hand; a sale takes units out at the
  average in force on its date, so sales never move the average.
* ``FIFO``: a sale consumes the oldest receipt layers first.

Ordering rule. Events are replayed per SKU by (date, receipts before sales,
id). Receipts dated the same day as a sale count before it: a purchase
booked on the day of the sale is on the shelf for that day's orders. Ties
of the same kind are broken by id, so the result never depends on input
order.

Exactness. Money is integer minor units. Receipt unit costs are integers,
so FIFO values are exact integers. A moving average is an exact
``Fraction``; a sale's total cost is ``round_half_up(units * average)``,
except that a sale emptying the shelf takes exactly the value left, so the
rounding never accumulates in inventory. Either way the identity

    receipts value == inventory value + sales cost + backlog adjustments

holds to the minor unit. A sale's ``unit_cost`` is ``total_cost / units``
(exact), so ``units * unit_cost`` is the amount to post.

Returns. Units an order line sends back (a refund's restock) re-enter
stock at the value they left at: their share of what that line's units
still out cost. The posting engine values them the same way, so what the
books move in and out and what the costing values are the same amounts.

Selling more than is on hand. The shortfall is costed at the last known
cost (the average, or in FIFO the last receipt's unit cost) and stock goes
negative: a backlog of units already charged to COGS. The next receipt
fills the backlog first; the difference between what those units really
cost and what was charged is a ``CostAdjustment`` (Dr COGS / Cr INVENTORY
when positive) dated on the receipt, so inventory stays valued at real
costs. With no cost known at all (nothing ever received) the sale is
``missing``: charged 0, listed for a person to resolve; when stock
arrives, the backlog fill charges those units' full cost as an adjustment.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from service.domain.costs import CostSource, LineCost


class CostingMethod(StrEnum):
    MOVING_AVERAGE = "MOVING_AVERAGE"
    FIFO = "FIFO"


@dataclass(frozen=True, slots=True)
class Receipt:
    """Units that entered stock: a purchase received, opening inventory, a
    restock reported by hand. ``value`` overrides ``units * unit_cost`` when
    the units came in at a total that is not a whole cost per unit."""

    receipt_id: str
    day: dt.date
    sku: str
    units: int
    unit_cost: int  # minor units per unit
    value: int | None = None

    @property
    def total(self) -> int:
        return self.units * self.unit_cost if self.value is None else self.value


@dataclass(frozen=True, slots=True)
class Sale:
    """Units that left stock for a sale or consumption; ``sale_id`` is what
    the caller uses to find the cost again. ``line`` names the order line
    the units belong to; with ``returned`` they come back to stock instead,
    at that line's cost."""

    sale_id: str
    day: dt.date
    sku: str
    units: int
    line: str | None = None
    returned: bool = False


@dataclass(frozen=True, slots=True)
class SaleCost:
    sale_id: str
    sku: str
    day: dt.date
    units: int
    total_cost: int  # minor units, exact; 0 when missing
    unit_cost: Fraction | None  # total_cost / units; None when missing
    shortfall_units: int = 0  # units sold beyond what was on hand
    missing: bool = False
    # The cost rate in force: the moving average on the sale's date, or in
    # FIFO the consumed layers' value per unit. ``unit_cost`` differs from
    # it only by the rounding of ``total_cost`` to the minor unit.
    rate: Fraction | None = None

    @property
    def unit_cost_minor(self) -> int | None:
        """The unit cost rounded to the minor unit, for the posting engine
        (which takes an ``int`` per unit); ``total_cost`` stays exact."""
        return None if self.unit_cost is None else round_half_up(self.unit_cost)

    def line_cost(self, line_id: str | None = None) -> LineCost:
        """This cost as a posting candidate of the lowest precedence."""
        return LineCost(
            line_id=line_id or self.sale_id,
            unit_cost=self.unit_cost_minor or 0,
            source=CostSource.PRODUCT_COSTING,
            missing=self.missing,
        )


@dataclass(frozen=True, slots=True)
class CostAdjustment:
    """A receipt filled a backlog charged at a different cost: ``amount``
    (real cost minus charged cost) belongs to COGS on ``day``."""

    day: dt.date
    sku: str
    receipt_id: str
    units: int
    amount: int


@dataclass(frozen=True, slots=True)
class SkuPosition:
    """Where a SKU stands after every event: for the products query."""

    sku: str
    units: int  # negative while a backlog is waiting for a receipt
    value: int  # minor units
    average_cost: Fraction | None  # value / units on hand; the last known cost otherwise

    @property
    def average_cost_minor(self) -> int | None:
        return None if self.average_cost is None else round_half_up(self.average_cost)


@dataclass(frozen=True, slots=True)
class CostingResult:
    method: CostingMethod
    sales: Mapping[str, SaleCost]
    positions: Mapping[str, SkuPosition]
    adjustments: tuple[CostAdjustment, ...]
    returns: Mapping[str, int] = field(default_factory=dict)  # value of each return


def round_half_up(x: Fraction) -> int:
    """Nearest integer, halves away from zero: how a person rounds a cost."""
    n = abs(x)
    r = int(n + Fraction(1, 2))
    return r if x >= 0 else -r


def _share(total: int, part: int, whole: int) -> int:
    """``total * part / whole`` rounded; the whole takes exactly ``total``
    so repeated partial takes never leave a rounding crumb behind."""
    if part == whole:
        return total
    return round_half_up(Fraction(total * part, whole))


def compute_costs(
    method: CostingMethod, receipts: Iterable[Receipt], sales: Iterable[Sale]
) -> CostingResult:
    """Cost every sale of one company and value what is left, per SKU."""
    recs = tuple(receipts)
    sls = tuple(sales)
    _check(recs, sls)
    by_sku: dict[str, list[tuple[dt.date, int, str, Receipt | Sale]]] = {}
    for r in recs:
        by_sku.setdefault(r.sku, []).append((r.day, 0, r.receipt_id, r))
    for s in sls:
        by_sku.setdefault(s.sku, []).append((s.day, 1, s.sale_id, s))
    out_sales: dict[str, SaleCost] = {}
    out_returns: dict[str, int] = {}
    positions: dict[str, SkuPosition] = {}
    adjustments: list[CostAdjustment] = []
    for sku in sorted(by_sku):
        events = sorted(by_sku[sku], key=lambda e: e[:3])
        book = _AverageBook(sku) if method is CostingMethod.MOVING_AVERAGE else _FifoBook(sku)
        out_at_cost: dict[str, list[int]] = {}  # line -> [units, value] out
        for _, _, _, ev in events:
            if isinstance(ev, Sale) and ev.returned:
                ev = _returned(ev, out_at_cost, out_returns)
            if isinstance(ev, Receipt):
                adj = book.receive(ev)
                if adj is not None:
                    adjustments.append(adj)
                continue
            cost = book.sell(ev)
            out_sales[ev.sale_id] = cost
            if ev.line is not None:
                held = out_at_cost.setdefault(ev.line, [0, 0])
                held[0] += ev.units
                held[1] += cost.total_cost
        positions[sku] = book.position()
    return CostingResult(
        method=method,
        sales=dict(sorted(out_sales.items())),
        positions=positions,
        adjustments=tuple(adjustments),
        returns=out_returns,
    )


def _returned(ev: Sale, out_at_cost: dict[str, list[int]], values: dict[str, int]) -> Receipt:
    """A line's units coming back, as a receipt at their share of what the
    line's units still out cost (none out: they come back at nothing)."""
    held = out_at_cost.get(ev.line or "")
    value = 0
    if held and held[0] > 0:
        take = min(ev.units, held[0])
        value = _share(held[1], take, held[0])
        held[0] -= take
        held[1] -= value
    values[ev.sale_id] = value
    return Receipt(ev.sale_id, ev.day, ev.sku, ev.units, 0, value)


def landed_receipts(
    receipt_id: str, day: dt.date, sku: str, units: int, unit_cost: int, extra: int
) -> tuple[Receipt, ...]:
    """A purchase whose freight and duties (``extra``) are part of its
    units' cost, as receipts at whole minor units: the extra spread over
    the units, the first few a minor unit dearer, so the receipts' value
    is exactly the landed cost (posting rule 14.1)."""
    if not extra:
        return (Receipt(receipt_id, day, sku, units, unit_cost),)
    per_unit, dearer = divmod(extra, units)
    base = Receipt(receipt_id, day, sku, units - dearer, unit_cost + per_unit)
    if not dearer:
        return (base,)
    if dearer == units:  # pragma: no cover - divmod keeps dearer < units
        raise AssertionError
    return (
        Receipt(f"{receipt_id}/landed", day, sku, dearer, unit_cost + per_unit + 1),
        base,
    )


def _check(receipts: tuple[Receipt, ...], sales: tuple[Sale, ...]) -> None:
    seen: set[str] = set()
    for r in receipts:
        if r.units <= 0:
            raise ValueError(f"receipt {r.receipt_id}: units must be positive, got {r.units}")
        if r.unit_cost < 0:
            raise ValueError(f"receipt {r.receipt_id}: negative unit cost {r.unit_cost}")
        if r.receipt_id in seen:
            raise ValueError(f"receipt {r.receipt_id} appears twice")
        seen.add(r.receipt_id)
    seen.clear()
    for s in sales:
        if s.units <= 0:
            raise ValueError(f"sale {s.sale_id}: units must be positive, got {s.units}")
        if s.sale_id in seen:
            raise ValueError(f"sale {s.sale_id} appears twice")
        seen.add(s.sale_id)


class _Book:
    """One SKU's running stock. Backlog (negative stock) is shared by both
    methods: ``backlog_units`` already charged ``backlog_value`` to COGS."""

    def __init__(self, sku: str) -> None:
        self.sku = sku
        self.backlog_units = 0
        self.backlog_value = 0

    def _fill_backlog(self, r: Receipt) -> tuple[int, CostAdjustment | None]:
        """Units of ``r`` left after filling the backlog, and the true-up."""
        if not self.backlog_units:
            return r.units, None
        fill = min(self.backlog_units, r.units)
        charged = _share(self.backlog_value, fill, self.backlog_units)
        self.backlog_units -= fill
        self.backlog_value -= charged
        amount = _share(r.total, fill, r.units) - charged
        adj = CostAdjustment(r.day, self.sku, r.receipt_id, fill, amount) if amount else None
        return r.units - fill, adj

    def _sale_cost(
        self,
        s: Sale,
        on_hand_cost: int,
        shortfall: int,
        last: Fraction | None,
        rate: Fraction | None,
    ) -> SaleCost:
        if shortfall and last is None:
            # No cost has ever been known for this SKU: the shortfall waits
            # at 0, and the sale is listed as missing.
            self.backlog_units += shortfall
            return SaleCost(s.sale_id, s.sku, s.day, s.units, on_hand_cost, None, shortfall, True)
        short_cost = round_half_up(shortfall * last) if shortfall and last is not None else 0
        self.backlog_units += shortfall
        self.backlog_value += short_cost
        total = on_hand_cost + short_cost
        unit = Fraction(total, s.units)
        return SaleCost(
            s.sale_id,
            s.sku,
            s.day,
            s.units,
            total,
            unit,
            shortfall,
            rate=unit if rate is None else rate,
        )

    def receive(self, r: Receipt) -> CostAdjustment | None:
        raise NotImplementedError

    def sell(self, s: Sale) -> SaleCost:
        raise NotImplementedError

    def position(self) -> SkuPosition:
        raise NotImplementedError


class _AverageBook(_Book):
    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.units = 0
        self.value = 0
        self.average: Fraction | None = None

    def receive(self, r: Receipt) -> CostAdjustment | None:
        left, adj = self._fill_backlog(r)
        if left:
            self.units += left
            self.value += r.total - _share(r.total, r.units - left, r.units)
            self.average = Fraction(self.value, self.units)
        elif not self.units:
            self.average = Fraction(r.total, r.units)
        return adj

    def sell(self, s: Sale) -> SaleCost:
        take = min(s.units, self.units)
        cost = 0
        if take:
            assert self.average is not None
            cost = self.value if take == self.units else round_half_up(take * self.average)
            self.units -= take
            self.value -= cost
        return self._sale_cost(s, cost, s.units - take, self.average, self.average)

    def position(self) -> SkuPosition:
        return SkuPosition(
            self.sku, self.units - self.backlog_units, self.value - self.backlog_value, self.average
        )


class _FifoBook(_Book):
    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.layers: deque[list[int]] = deque()  # [units, value], oldest first
        self.last_cost: Fraction | None = None

    def receive(self, r: Receipt) -> CostAdjustment | None:
        left, adj = self._fill_backlog(r)
        if left:
            self.layers.append([left, r.total - _share(r.total, r.units - left, r.units)])
        if r.total or r.unit_cost or self.last_cost is None:
            self.last_cost = Fraction(r.total, r.units)
        return adj

    def sell(self, s: Sale) -> SaleCost:
        need = s.units
        cost = 0
        while need and self.layers:
            layer = self.layers[0]
            take = min(need, layer[0])
            part = _share(layer[1], take, layer[0])
            cost += part
            layer[0] -= take
            layer[1] -= part
            need -= take
            if not layer[0]:
                self.layers.popleft()
        return self._sale_cost(s, cost, need, self.last_cost, None)

    def position(self) -> SkuPosition:
        units = sum(u for u, _ in self.layers)
        value = sum(v for _, v in self.layers)
        if units:
            avg: Fraction | None = Fraction(value, units)
        else:
            avg = self.last_cost
        return SkuPosition(self.sku, units - self.backlog_units, value - self.backlog_value, avg)
