"""Every scenario file in tests/scenarios, under every settings pair it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from service.domain.errors import InconsistentHistory
from service.domain.journal import JournalEntry
from service.domain.money import to_minor
from service.domain.restocks import BulkMode
from service.domain.settings import AccountingBasis
from service.posting import (
    BulkRestockError,
    apply_bulk_restocks,
    detected_status,
    fulfillment_status,
    missing_costs,
    needs_review,
    open_balance,
    payment_status,
    post_channel_restock,
    post_order,
    post_processor_records,
    post_sku_restock,
)
from service.posting.restocks import parse_restock_csv
from tests.unit.posting.bank_scenarios import bank_entries
from tests.unit.posting.scenario_loader import (
    expand_cases,
    load_all,
    load_channel_restocks,
    load_context,
    load_history,
    load_processor_records,
    load_sku_restocks,
    sub_scenarios,
)

CASES = [
    pytest.param(name, basis, tracking, scn, case, id=f"{name}-{basis}-{tracking}")
    for name, scn in load_all()
    if scn.get("kind", "order") == "order"
    for basis, tracking, case in expand_cases(scn)
]
OTHER = [
    pytest.param(name, scn, id=name)
    for name, scn in load_all()
    if scn.get("kind", "order") != "order"
]


def _amounts(raw: dict[str, str], cur: str) -> dict[str, int]:
    return {k: to_minor(v, cur) for k, v in raw.items() if to_minor(v, cur) != 0}


def _totals(entries: tuple[JournalEntry, ...], day: dt.date | None = None) -> dict[str, int]:
    t: dict[str, int] = {}
    for e in entries:
        if day is not None and e.date != day:
            continue
        for ln in e.lines:
            t[ln.account] = t.get(ln.account, 0) + ln.amount
    return {k: v for k, v in t.items() if v}


@pytest.mark.parametrize(("name", "basis", "tracking", "scn", "case"), CASES)
def test_scenario(
    name: str, basis: str, tracking: str, scn: dict[str, Any], case: dict[str, Any]
) -> None:
    subs = sub_scenarios(scn)
    cur = subs[0]["order"].get("currency", "USD")
    history = load_history(subs[0])
    ctx = load_context(subs[0], basis, tracking)
    if "error" in case:
        with pytest.raises(InconsistentHistory) as info:
            post_order(history, ctx)
        assert info.value.order_id == history.order.id
        assert case["error"] in info.value.problem
        return
    all_entries: list[JournalEntry] = []
    for sub in subs:
        h = load_history(sub)
        c = load_context(sub, basis, tracking)
        got = post_order(h, c)
        assert got == post_order(h, c)
        all_entries.extend(got)
    entries = tuple(sorted(all_entries, key=lambda e: (e.date, e.key)))
    for e in entries:
        assert sum(ln.amount for ln in e.lines) == 0, e
    if case.get("no_entries"):
        assert entries == ()
    if "all_time" in case:
        assert _totals(entries) == _amounts(case["all_time"], cur)
    for day, expected in case.get("totals_by_date", {}).items():
        d = dt.date.fromisoformat(day)
        assert _totals(entries, d) == _amounts(expected, cur), f"totals on {day}"
    if "dates" in case:
        assert sorted({e.date.isoformat() for e in entries}) == sorted(case["dates"])
    if "entries" in case:
        assert _sorted(_entry_view(entries, cur)) == _sorted(_want_entries(case["entries"], cur))
    if "open_balance" in case:
        assert open_balance(history, ctx) == to_minor(case["open_balance"], cur)
    if "payment_status" in case:
        assert payment_status(history, ctx).value == case["payment_status"]
    if "fulfillment_status" in case:
        assert fulfillment_status(history, ctx).value == case["fulfillment_status"]
    if "detected_status" in case:
        got_status = detected_status(history, ctx)
        assert (got_status.value if got_status else None) == case["detected_status"]
    if "missing_costs" in case:
        assert [m.line_id for m in missing_costs(history, ctx)] == case["missing_costs"]
    if "skus" in case:
        for account, by_sku in case["skus"].items():
            got_sku: dict[str, int] = {}
            for e in entries:
                for ln in e.lines:
                    if ln.account == account:
                        got_sku[ln.sku or ""] = got_sku.get(ln.sku or "", 0) + ln.amount
            assert {k: v for k, v in got_sku.items() if v} == _amounts(by_sku, cur)


def _sorted(view: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries of one date in a stable order (the journal sorts by key)."""
    return sorted(view, key=lambda x: (x["date"], x["rule"], sorted(x["lines"].items())))


def _entry_view(entries: tuple[JournalEntry, ...], cur: str) -> list[dict[str, Any]]:
    return [{"date": e.date.isoformat(), "rule": e.rule, "lines": _totals((e,))} for e in entries]


def _want_entries(raw: list[dict[str, Any]], cur: str) -> list[dict[str, Any]]:
    return [{"date": x["date"], "rule": x["rule"], "lines": _amounts(x["lines"], cur)} for x in raw]


@pytest.mark.parametrize(("name", "scn"), OTHER)
def test_non_order_scenario(name: str, scn: dict[str, Any]) -> None:
    cur = scn.get("currency", "USD")
    expect = scn["expect"]
    store = scn.get("store_id", "store1")
    if scn["kind"] == "bank":
        for basis, want in expect["by_basis"].items():
            got = bank_entries(scn, AccountingBasis(basis))
            for e in got:
                assert sum(ln.amount for ln in e.lines) == 0, e
            assert _totals(tuple(got)) == _amounts(want, cur)
        return
    if scn["kind"] == "processor":
        records = load_processor_records(scn)
        if "error" in expect:
            with pytest.raises(InconsistentHistory) as info:
                post_processor_records(records, store, scn["timezone"], cur)
            assert expect["error"] in info.value.problem
            return
        entries = post_processor_records(
            records, scn.get("store_id", "store1"), scn["timezone"], cur
        )
        assert entries == post_processor_records(
            tuple(reversed(records)), store, scn["timezone"], cur
        )
        if "needs_review" in expect:
            assert [r.id for r in needs_review(records)] == expect["needs_review"]
        if "by_processor" in expect:
            for account, by_proc in expect["by_processor"].items():
                got: dict[str, int] = {}
                for e in entries:
                    for ln in e.lines:
                        if ln.account == account:
                            got[ln.processor or ""] = got.get(ln.processor or "", 0) + ln.amount
                assert {k: v for k, v in got.items() if v} == _amounts(by_proc, cur)
    else:
        entries_list: list[JournalEntry] = []
        for r in load_channel_restocks(scn):
            entries_list.extend(post_channel_restock(r))
        records_ = load_sku_restocks(scn)
        if "bulk" in scn:
            bulk = scn["bulk"]
            rows = bulk.get("rows") or parse_restock_csv(bulk["csv"])
            args = (
                records_,
                rows,
                BulkMode(bulk["mode"]),
                scn.get("store_id", "store1"),
                bulk["channel"],
                {k: to_minor(v, cur) for k, v in bulk.get("unit_costs", {}).items()},
                cur,
            )
            if "bad_rows" in expect:
                with pytest.raises(BulkRestockError) as binfo:
                    apply_bulk_restocks(*args)
                assert [n for n, _ in binfo.value.rows] == expect["bad_rows"]
                return
            records_ = apply_bulk_restocks(*args)
            if "records" in expect:
                assert [(r.sku, r.month.isoformat()[:7], r.units) for r in records_] == [
                    tuple(x) for x in expect["records"]
                ]
        for rec in records_:
            entries_list.extend(post_sku_restock(rec))
        entries = tuple(sorted(entries_list, key=lambda e: (e.date, e.key)))
    for e in entries:
        assert sum(ln.amount for ln in e.lines) == 0, e
    if "all_time" in expect:
        assert _totals(entries) == _amounts(expect["all_time"], cur)
    if "entries" in expect:
        assert _sorted(_entry_view(entries, cur)) == _sorted(_want_entries(expect["entries"], cur))
    for day, expected in expect.get("totals_by_date", {}).items():
        assert _totals(entries, dt.date.fromisoformat(day)) == _amounts(expected, cur)
