"""Which rule ids the engine emits for each scenario in tests/scenarios.

Every order scenario is posted under every basis/tracking pair, processor
scenarios through ``post_processor_records`` and restock scenarios through
the restock functions, whatever the scenario's own cases check: the point
is to see every entry the engine can make from the inputs we have.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from service.domain.errors import InconsistentHistory
from service.domain.journal import JournalEntry
from service.domain.manual import ManualEntry, ManualLine, OpeningBalances, OpeningInventory
from service.domain.money import to_minor
from service.domain.purchases import BillPayment, PurchaseRecord
from service.domain.restocks import BulkMode
from service.domain.settings import AccountingBasis, FulfillmentTracking
from service.posting import (
    BulkRestockError,
    apply_bulk_restocks,
    post_channel_restock,
    post_order,
    post_processor_records,
    post_sku_restock,
)
from service.posting.costing import CostAdjustment
from service.posting.manual import post_manual_entry, post_opening_balances
from service.posting.period_lock import fold_into_closed_period
from service.posting.purchases import post_bill_payment, post_purchase
from service.posting.restocks import parse_restock_csv
from service.posting.stock import Adjustment, adjustment_entries, true_up_entries
from tests.unit.posting.bank_scenarios import bank_entries
from tests.unit.posting.scenario_loader import (
    load_all,
    load_channel_restocks,
    load_context,
    load_history,
    load_processor_records,
    load_sku_restocks,
    sub_scenarios,
)

MARKETPLACE_FIXTURES = Path(__file__).parents[2] / "fixtures" / "amazon"


def _order_entries(scn: dict[str, Any]) -> list[JournalEntry]:
    out: list[JournalEntry] = []
    for basis in AccountingBasis:
        for tracking in FulfillmentTracking:
            for sub in sub_scenarios(scn):
                try:
                    out.extend(post_order(load_history(sub), load_context(sub, basis, tracking)))
                except InconsistentHistory:
                    continue
    return out


def _processor_entries(scn: dict[str, Any]) -> list[JournalEntry]:
    cur = scn.get("currency", "USD")
    try:
        return list(
            post_processor_records(
                load_processor_records(scn), scn.get("store_id", "store1"), scn["timezone"], cur
            )
        )
    except InconsistentHistory:
        return []


def _restock_entries(scn: dict[str, Any]) -> list[JournalEntry]:
    cur = scn.get("currency", "USD")
    out: list[JournalEntry] = []
    for r in load_channel_restocks(scn):
        out.extend(post_channel_restock(r))
    records = load_sku_restocks(scn)
    if "bulk" in scn:
        bulk = scn["bulk"]
        with contextlib.suppress(BulkRestockError):
            records = apply_bulk_restocks(
                records,
                bulk.get("rows") or parse_restock_csv(bulk["csv"]),
                BulkMode(bulk["mode"]),
                scn.get("store_id", "store1"),
                bulk["channel"],
                {k: to_minor(v, cur) for k, v in bulk.get("unit_costs", {}).items()},
                cur,
            )
    for rec in records:
        out.extend(post_sku_restock(rec))
    return out


def scenario_entries(scn: dict[str, Any]) -> list[JournalEntry]:
    kind = scn.get("kind", "order")
    if kind == "order":
        return _order_entries(scn)
    if kind == "processor":
        return _processor_entries(scn)
    if kind == "bank":
        return [e for basis in AccountingBasis for e in bank_entries(scn, basis)]
    return _restock_entries(scn)


def _books_examples() -> list[JournalEntry]:
    """The books' own posters (purchases, adjustments, manual entries,
    opening balances, closing), on one small example each."""
    day = dt.date(2025, 3, 31)
    out: list[JournalEntry] = []
    out += post_purchase(PurchaseRecord("p1", "MUG", day, 10, 450, freight=120), "s1", "USD")
    out += post_bill_payment(BillPayment("b1", "sup1", day, 4620), "s1", "USD")
    out += adjustment_entries(Adjustment("a1", "MUG", day, 2, "DAMAGE", cost=900), "s1", "USD")
    out += true_up_entries("MUG", [CostAdjustment(day, "MUG", "p1", 2, 60)], "s1", "USD")
    rent = (ManualLine("RENT", 150000), ManualLine("BANK", -150000))
    out.append(post_manual_entry(ManualEntry("m1", day, "March rent", rent), "s1", "USD"))
    opening = OpeningBalances(day, (ManualLine("BANK", 5000),), (OpeningInventory("MUG", 3, 400),))
    out += post_opening_balances(opening, "s1", "USD")
    locked = post_manual_entry(ManualEntry("m2", day, "Fee", rent), "s1", "USD")
    later = post_manual_entry(
        ManualEntry("m2", day, "Fee", (ManualLine("RENT", 160000), ManualLine("BANK", -160000))),
        "s1",
        "USD",
    )
    out += fold_into_closed_period("manual:m2", [locked], [later], day)
    return out


@cache
def rule_usage() -> dict[str, tuple[str, ...]]:
    """Rule id -> the scenarios (file stems, sorted) that emit it."""
    seen: dict[str, set[str]] = {}
    for name, scn in load_all():
        for e in scenario_entries(scn):
            seen.setdefault(e.rule, set()).add(name)
    for name, entries in marketplace_entries():
        for e in entries:
            seen.setdefault(e.rule, set()).add(name)
    for e in _books_examples():
        seen.setdefault(e.rule, set()).add("books-examples")
    return {rid: tuple(sorted(names)) for rid, names in sorted(seen.items())}


def marketplace_entries() -> list[tuple[str, tuple[JournalEntry, ...]]]:
    """The marketplace settlement fixtures, posted (section 17)."""
    from service.connectors.amazon.settlement import parse_settlement
    from service.posting.marketplace import post_settlement

    out = []
    for path in sorted(MARKETPLACE_FIXTURES.glob("*.txt")):
        settlement = parse_settlement(path.read_bytes())
        out.append((path.stem, post_settlement(settlement, "store1", {"MUG": 500}).entries))
    return out
