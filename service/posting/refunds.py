"""What a refund removes, what it restocks, and what money it keeps back.

Basis-independent arithmetic shared by cash rule 4-5 and accrual rules 4-5.
Definitions (posting rule 6.4, 7.4, 7.5; decisions in docs/posting-rules.md):

- R, the *removed* vector: the refunded units' share of their lines
  (gross, discounts, tax; largest-remainder by units, cumulatively, so
  refunding every unit in several refunds removes exactly the line) plus
  refunded shipping and shipping tax.
- V = value(R); M = the money the refund's own successful transactions
  return (never Shopify's refund_discrepancy, whose sign is unreliable).
- A refund with no money going back while the order owes nothing is an
  exchange: the item comes back, nothing is removed, only the restock posts.
- Otherwise X = V - M is split in two: the part absorbed by the order's
  open balance A (the customer no longer owes for removed, unpaid units;
  or, when X < 0, money returned against an earlier over-payment), and the
  rest, K = X - A, money kept back (a return fee; negative for a refund of
  more than the lines' value), which reduces the Refunds & returns debit.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.events import Refund, RestockType, Transaction
from service.posting import components as C
from service.posting.prepare import PLine, Prepared
from service.posting.split import split
from service.posting.state import OrderState


@dataclass(slots=True)
class RefundPlan:
    """What one refund posts; ``plan_refund`` fills it in."""

    exchange: bool
    removed: C.Vec
    unrecognised: C.Vec  # accrual: part of ``removed`` never recognised
    restocks: list[tuple[PLine, int]]
    money: list[Transaction]
    returned: int
    absorbed: int
    kept_back: int
    flush: C.Vec  # accrual: order-level items recognised now nothing is left to ship

    def __init__(self) -> None:
        # Written out, as the domain's records are (service/domain/__init__.py).
        self.exchange = False
        self.removed = C.ZERO
        self.unrecognised = C.ZERO
        self.restocks = []
        self.money = []
        self.returned = 0
        self.absorbed = 0
        self.kept_back = 0
        self.flush = C.ZERO


def plan_refund(
    st: OrderState, p: Prepared, refund: Refund, accrual: bool, swap: bool = False
) -> RefundPlan:
    """Apply a refund to the order state and say what to post. ``swap``:
    the refund is an exchange's, whatever its money (see ``_exchange``)."""
    plan = RefundPlan()
    plan.money = [t for t in refund.transactions if t.moves_money_out]
    m = sum(t.amount for t in plan.money)
    plan.returned = m

    # Group the refund's lines by order line (one refund may name a line
    # twice, with different restock types).
    groups: dict[int, list[tuple[RestockType, int]]] = {}
    for rl in refund.lines:
        pl = p.by_id[rl.line_id]
        groups.setdefault(pl.index, []).append((rl.restock_type, rl.quantity))

    removed = C.ZERO
    line_removals: list[tuple[int, int, C.Vec]] = []
    for idx, parts in groups.items():
        ls = st.lines[idx]
        q = sum(n for _, n in parts)
        r_line = C.scale(ls.kept_vec, q, ls.kept_units)
        line_removals.append((idx, q, r_line))
        removed = C.add(removed, r_line)
    ship, ship_tax = refund.shipping, refund.shipping_tax
    r_ship = C.ZERO
    if ship or ship_tax:
        tax_m, tax_c = p.ship_tax_split
        if ship_tax and tax_c:
            t_m, t_c = split(ship_tax, (tax_m, tax_c))
        else:
            t_m, t_c = ship_tax, 0
        r_ship = (0, 0, ship, 0, t_m, t_c, 0)
        removed = C.add(removed, r_ship)
        st.order_level_left = C.sub(st.order_level_left, r_ship)
    v = C.value(removed)

    if swap or (m == 0 and st.open_balance <= 0):
        # An exchange (cash rule 4, last paragraph): not a refund at all.
        plan.exchange = True
        for idx, parts in groups.items():
            ls = st.lines[idx]
            for rtype, n in parts:
                if rtype.restocks and ls.costed_units:
                    units = min(n, ls.costed_units)
                    ls.costed_units -= units
                    plan.restocks.append((p.lines[idx], units))
        return plan

    plan.removed = removed
    unrec = C.ZERO
    for idx, q, r_line in line_removals:
        ls = st.lines[idx]
        pl = p.lines[idx]
        ls.kept_vec = C.sub(ls.kept_vec, r_line)
        ls.kept_units -= q
        for rtype, n in groups[idx]:
            if rtype is RestockType.CANCEL:
                # Cancelled units are the ones not shipped yet, as far as
                # there are any; other refunds take shipped units first.
                qu = min(n, ls.unshipped)
                qs = n - qu
            else:
                qs = min(n, ls.shipped)
                qu = n - qs
            if qu:
                if accrual:
                    part = C.scale(ls.unrecognised_vec, qu, ls.unshipped)
                    ls.unrecognised_vec = C.sub(ls.unrecognised_vec, part)
                    unrec = C.add(unrec, part)
                ls.unshipped -= qu
                if not pl.gift_card:
                    st.unshipped_weight -= qu * pl.weight
            if qs:
                ls.shipped -= qs
                if rtype.restocks and ls.costed_units:
                    units = min(qs, ls.costed_units)
                    ls.costed_units -= units
                    plan.restocks.append((pl, units))
    if ship or ship_tax:
        if accrual and st.shipping_left > 0:
            take = min(max(st.order_level_unrecognised[C.SHIP], 0), st.shipping_left)
            part = C.scale(r_ship, take, st.shipping_left)
            st.order_level_unrecognised = C.sub(st.order_level_unrecognised, part)
            unrec = C.add(unrec, part)
        st.shipping_left -= ship
    if accrual and st.unshipped_weight == 0 and not C.is_zero(st.order_level_unrecognised):
        plan.flush = st.order_level_unrecognised
        st.order_level_unrecognised = C.ZERO
    plan.unrecognised = unrec

    x = v - m
    a = min(x, max(st.open_balance, 0)) if x >= 0 else max(x, min(st.open_balance, 0))
    plan.absorbed = a
    plan.kept_back = x - a
    st.open_balance -= a
    return plan
