"""Closed periods never change (posting rule 15.2).

Once the books are closed through a date, the entries on or before it are
what the merchant filed taxes on. A later change (a setting, a cost, an
order action, a late webhook) still re-posts the subject from scratch, but
the result is folded against what is locked: the locked entries stay as
they are, the fresh entries after the closing date are kept, and whatever
the fresh entries would have changed on or before it is posted once, as
one adjustment entry on the first open date. So every statement of a
closed period stays byte-identical, and the books as a whole still equal
a fresh re-post from the first open date on.

Pure and deterministic: the same locked entries and fresh entries give the
same result, so folding twice changes nothing and ``verify`` can recompute
it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from service.domain.journal import JournalEntry, JournalLine, sort_entries

RULE = "period.adjustment"

_Dims = tuple[str, str, str, str | None, str | None, str | None]


def _dims(line: JournalLine) -> _Dims:
    return (line.account, line.store_id, line.channel, line.order_id, line.sku, line.processor)


def _sum_lines(entries: Iterable[JournalEntry], sign: int, into: dict[_Dims, int]) -> None:
    for e in entries:
        for ln in e.lines:
            key = _dims(ln)
            into[key] = into.get(key, 0) + sign * ln.amount


def fold_into_closed_period(
    subject: str,
    locked: Iterable[JournalEntry],
    fresh: Iterable[JournalEntry],
    closed_through: dt.date,
) -> tuple[JournalEntry, ...]:
    """The subject's entries with the period through ``closed_through``
    kept as it was.

    ``locked``: the stored entries dated on or before the closing date.
    ``fresh``: the subject's entries computed again from its inputs.
    """
    kept = tuple(e for e in locked if e.date <= closed_through)
    fresh_t = tuple(fresh)
    before = [e for e in fresh_t if e.date <= closed_through]
    after = [e for e in fresh_t if e.date > closed_through]
    difference: dict[_Dims, int] = {}
    _sum_lines(before, 1, difference)
    _sum_lines(kept, -1, difference)
    taken = {e.key for e in kept}
    out = list(kept)
    for e in after:
        out.append(_renamed(e, taken) if e.key in taken else e)
        taken.add(out[-1].key)
    adjustment = _adjustment(subject, difference, before, kept, closed_through)
    if adjustment is not None:
        out.append(adjustment)
    return sort_entries(out)


def _renamed(entry: JournalEntry, taken: set[str]) -> JournalEntry:
    """An open-period entry whose key a locked entry holds (its date moved
    out of the closed period): it gets a key of its own."""
    key = f"{entry.key}/after-close"
    n = 2
    while key in taken:
        key = f"{entry.key}/after-close/{n}"
        n += 1
    return JournalEntry(
        key, entry.date, entry.order_id, entry.event, entry.rule, entry.memo, entry.lines
    )


def _adjustment(
    subject: str,
    difference: dict[_Dims, int],
    before: list[JournalEntry],
    kept: tuple[JournalEntry, ...],
    closed_through: dt.date,
) -> JournalEntry | None:
    lines = tuple(
        JournalLine(account, amount, store, channel, order, sku, processor)
        for (account, store, channel, order, sku, processor), amount in sorted(
            difference.items(), key=lambda kv: tuple("" if x is None else x for x in kv[0])
        )
        if amount
    )
    if not lines:
        return None
    first_open = closed_through + dt.timedelta(days=1)
    order_id = next((e.order_id for e in (*kept, *before) if e.order_id), None)
    return JournalEntry(
        f"{subject}/{RULE}/{first_open.isoformat()}",
        first_open,
        order_id,
        RULE,
        RULE,
        _memo(before, kept, closed_through),
        lines,
    )


def _memo(before: list[JournalEntry], kept: tuple[JournalEntry, ...], closed: dt.date) -> str:
    """Names the closing date and what changed in the closed period, by
    rule and event, so a reader can trace the cause."""
    old = {(e.key, e.lines) for e in kept}
    new = {(e.key, e.lines) for e in before}
    gone = {_label(e) for e in kept if (e.key, e.lines) not in new}
    came = {_label(e) for e in before if (e.key, e.lines) not in old}
    changed = sorted(gone | came)
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return (
        f"Books closed through {closed.isoformat()}: re-posting changed {shown} there;"
        " the difference is posted on the first open date"
    )


def _label(e: JournalEntry) -> str:
    return f"{e.rule} ({e.event})" if e.event and e.event != e.rule else e.rule
