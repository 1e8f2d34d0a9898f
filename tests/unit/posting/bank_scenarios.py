"""Entries of a "bank" scenario: bank lines explained one way or another."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.domain.journal import JournalEntry
from service.domain.money import to_minor
from service.domain.settings import AccountingBasis
from service.posting.bank import ExplainedLine, post_bank_line, post_bank_opening


def bank_entries(scn: dict[str, Any], basis: AccountingBasis) -> list[JournalEntry]:
    cur = scn.get("currency", "USD")
    store = scn.get("store_id", "store1")
    out: list[JournalEntry] = []
    opening = scn.get("opening")
    if opening:
        entry = post_bank_opening(
            scn["bank_key"],
            "acct1",
            dt.date.fromisoformat(opening["date"]),
            to_minor(opening["amount"], cur),
            store,
            cur,
        )
        if entry is not None:
            out.append(entry)
    for raw in scn["lines"]:
        line = ExplainedLine(
            raw["id"],
            scn["bank_key"],
            dt.date.fromisoformat(raw["date"]),
            to_minor(raw["amount"], cur),
            raw.get("description", ""),
            raw["kind"],
            raw.get("counter"),
            raw.get("reference", ""),
        )
        entry = post_bank_line(line, basis, store, cur)
        if entry is not None:
            out.append(entry)
    return out
