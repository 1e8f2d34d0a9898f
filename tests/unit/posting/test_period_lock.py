"""Closed periods never change (posting rule 15.2), over generated histories:
whatever re-posts an order after a close (a basis switch, other costs, an
order action, a late event), its entries through the closing date stay as
they were, the rest equals a fresh re-post, and the difference is one
explained adjustment on the first open date."""

from __future__ import annotations

import datetime as dt
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry, account_totals
from service.posting import post_order
from service.posting.period_lock import RULE, fold_into_closed_period
from tests.unit.posting.strategies import ALL_SETTINGS, BASE, Drawn, histories

EXAMPLES = settings(max_examples=int(os.environ.get("POSTING_EXAMPLES", "200")), deadline=None)


def _through(entries: tuple[JournalEntry, ...], day: dt.date) -> dict[str, int]:
    return account_totals(e for e in entries if e.date <= day)


@EXAMPLES
@given(histories(), st.data())
def test_closed_period_stays_and_the_rest_follows_the_change(d: Drawn, data: st.DataObject) -> None:
    first = data.draw(st.sampled_from(ALL_SETTINGS))
    then = data.draw(st.sampled_from(ALL_SETTINGS))
    closed = BASE.date() + dt.timedelta(days=data.draw(st.integers(-1, 20)))
    # What was posted when the books were closed: maybe fewer events (a
    # late webhook arrives after the close) and other settings.
    events = d.history.events
    cut = data.draw(st.integers(0, len(events)))
    earlier = OrderHistory(d.history.order, events[:cut])
    try:
        posted = post_order(earlier, d.ctx(first))
    except ValueError:
        posted = ()
    fresh = post_order(d.history, d.ctx(then))
    folded = fold_into_closed_period("order:o1", posted, fresh, closed)

    for e in folded:
        assert sum(ln.amount for ln in e.lines) == 0, e
    assert len({e.key for e in folded}) == len(folded)
    # The closed period reads exactly as before, day by day.
    assert [e for e in folded if e.date <= closed] == [e for e in posted if e.date <= closed]
    # All told, the books equal a fresh re-post.
    assert account_totals(folded) == account_totals(fresh)
    # And from the first open date on, every day moves as the fresh books
    # do, but for the one adjustment.
    adjustments = [e for e in folded if e.rule == RULE]
    assert len(adjustments) <= 1
    for a in adjustments:
        assert a.date == closed + dt.timedelta(days=1)
        assert closed.isoformat() in a.memo
    # Folding again (the stored books re-posted once more) changes nothing.
    assert fold_into_closed_period("order:o1", folded, fresh, closed) == folded


def _seed002() -> tuple[OrderHistory, dict[str, object]]:
    import json
    from pathlib import Path

    from tests.unit.posting.scenario_loader import load_history

    path = Path(__file__).resolve().parents[2] / "scenarios" / "seed002_timing_jan1_jan5_jan7.json"
    scn = json.loads(path.read_text())
    return load_history(scn), scn


def test_a_basis_switch_after_a_close_posts_one_explained_adjustment() -> None:
    """Seed 002's order (placed Jan 1, fulfilled Jan 5, paid Jan 7) posted
    on cash basis, books closed through Jan 6, then switched to accrual:
    January 1 to 6 read as they did; Jan 7 carries the adjustment."""
    from tests.unit.posting.scenario_loader import load_context

    history, scn = _seed002()
    cash = post_order(history, load_context(scn, "CASH", "ORDER_PLACED_DATE"))
    accrual = post_order(history, load_context(scn, "ACCRUAL", "ORDER_PLACED_DATE"))
    closed = dt.date(2025, 1, 6)
    folded = fold_into_closed_period("order:o1", cash, accrual, closed)
    assert _through(folded, closed) == _through(cash, closed)
    [adjustment] = [e for e in folded if e.rule == RULE]
    assert adjustment.date == dt.date(2025, 1, 7)
    assert "closed through 2025-01-06" in adjustment.memo
    assert "accrual.placed" in adjustment.memo
    assert account_totals(folded) == account_totals(accrual)
    # Nothing changes when the same books are re-posted again.
    assert fold_into_closed_period("order:o1", folded, accrual, closed) == folded
    # An unchanged subject gets no adjustment at all.
    assert fold_into_closed_period("order:o1", cash, cash, closed) == cash
