"""Restocks reported by hand (posting rules section 10, seed 000).

For channels whose restocks are not synced (Amazon FBM, TikTok FBM/FBT) a
person reports them: as a COGS amount for a channel and a period, or as
units per SKU, channel and month.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence

from service.domain.journal import JournalEntry, JournalLine
from service.domain.money import MoneyError, check_total, format_money, to_minor
from service.domain.restocks import BulkMode, ChannelRestock, SkuRestock


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def post_channel_restock(r: ChannelRestock) -> tuple[JournalEntry, ...]:
    """Section 10.1: a channel-level COGS amount for a period, dated at the
    period's end. Negative is a restock (Dr INVENTORY, Cr COGS); positive is
    extra cost of goods sold (Dr COGS, Cr INVENTORY)."""
    if r.period_end < r.period_start:
        raise ValueError(f"restock {r.id}: the period ends before it starts")
    if not r.amount:
        return ()
    lines = (
        JournalLine("COGS", r.amount, r.store_id, r.channel),
        JournalLine("INVENTORY", -r.amount, r.store_id, r.channel),
    )
    what = "restock" if r.amount < 0 else "COGS"
    return (
        JournalEntry(
            key=f"restock/channel/{r.store_id}/{r.channel}/{r.id}",
            date=r.period_end,
            order_id=None,
            event=r.id,
            rule="restock.channel",
            memo=(
                f"{r.channel} {what} reported for {r.period_start.isoformat()}"
                f"..{r.period_end.isoformat()}: {format_money(abs(r.amount), r.currency)}"
            ),
            lines=lines,
        ),
    )


def post_sku_restock(r: SkuRestock) -> tuple[JournalEntry, ...]:
    """Section 10.2: units restocked for a SKU on a channel in a month,
    valued at the SKU's unit cost, dated at the month's end."""
    amount = r.units * r.unit_cost
    if not amount:
        return ()
    end = month_end(r.month)
    lines = (
        JournalLine("INVENTORY", amount, r.store_id, r.channel, None, r.sku),
        JournalLine("COGS", -amount, r.store_id, r.channel, None, r.sku),
    )
    return (
        JournalEntry(
            key=f"restock/sku/{r.store_id}/{r.channel}/{r.sku}/{end:%Y-%m}",
            date=end,
            order_id=None,
            event=f"{r.sku}@{end:%Y-%m}",
            rule="restock.sku",
            memo=(
                f"{r.units} unit(s) of {r.sku} restocked on {r.channel} in {end:%Y-%m}"
                f" at {format_money(r.unit_cost, r.currency)}"
            ),
            lines=lines,
        ),
    )


class BulkRestockError(ValueError):
    """Some rows are bad; nothing was changed. ``rows`` lists (row number,
    reason), numbered from 1 for the first data row."""

    def __init__(self, rows: Sequence[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"row {n}: {why}" for n, why in rows))
        self.rows = tuple(rows)


# A restock returns goods to stock: never negative, and never more than a
# store could ship in a month; dates stay where the books can hold them.
MAX_UNITS = 1_000_000
MIN_YEAR, MAX_YEAR = 1970, 2200


class CsvFileError(ValueError):
    """The text is not a CSV file at all (a stray quote, a field past the
    size limit): nothing in it can be read row by row."""


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of a CSV file by header, whatever its line endings."""
    try:
        return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise CsvFileError(f"not a readable CSV file: {exc}") from exc


def parse_restock_csv(text: str) -> list[dict[str, str]]:
    """Rows of a restock CSV (header: sku, month, units, and optionally
    unit_cost)."""
    return parse_csv(text)


def apply_bulk_restocks(
    existing: Sequence[SkuRestock],
    rows: Sequence[Mapping[str, str]],
    mode: BulkMode,
    store_id: str,
    channel: str,
    unit_costs: Mapping[str, int],
    currency: str = "USD",
) -> tuple[SkuRestock, ...]:
    """Section 10.3: many SKUs at once, REPLACE or ADD_ON_TOP.

    Returns the new set of monthly records for the store (one per SKU,
    channel and month). A row is bad if its SKU is empty, its month is not
    YYYY-MM, its units are not a whole number, or no unit cost is known
    (neither in the row nor in ``unit_costs``); any bad row means nothing
    changes and every bad row is reported.
    """
    bad: list[tuple[int, str]] = []
    parsed: list[tuple[str, dt.date, int, int]] = []
    for n, row in enumerate(rows, start=1):
        sku = (row.get("sku") or "").strip()
        if not sku:
            bad.append((n, "no SKU"))
            continue
        try:
            month = dt.date.fromisoformat((row.get("month") or "").strip() + "-01")
        except ValueError:
            bad.append((n, f"month {row.get('month')!r} is not YYYY-MM"))
            continue
        if not MIN_YEAR <= month.year <= MAX_YEAR:
            bad.append((n, f"month {row.get('month')!r} is outside {MIN_YEAR}-{MAX_YEAR}"))
            continue
        try:
            units = int((row.get("units") or "").strip())
        except ValueError:
            bad.append((n, f"units {row.get('units')!r} is not a whole number"))
            continue
        if not 0 <= units <= MAX_UNITS:
            bad.append((n, f"units must be between 0 and {MAX_UNITS}, got {units}"))
            continue
        cost_raw = (row.get("unit_cost") or "").strip()
        if cost_raw:
            try:
                cost = to_minor(cost_raw, currency)
            except MoneyError as exc:
                bad.append((n, f"unit cost: {exc}"))
                continue
        elif sku in unit_costs:
            cost = unit_costs[sku]
        else:
            bad.append((n, f"no unit cost known for {sku}"))
            continue
        if cost < 0:
            bad.append((n, "negative unit cost"))
            continue
        try:
            check_total(units, cost)
        except MoneyError as exc:
            bad.append((n, str(exc)))
            continue
        parsed.append((sku, month, units, cost))
    if bad:
        raise BulkRestockError(bad)
    records: dict[tuple[str, str, dt.date], SkuRestock] = {
        (r.channel, r.sku, r.month.replace(day=1)): r for r in existing
    }
    replaced: set[tuple[str, str, dt.date]] = set()
    for sku, month, units, cost in parsed:
        key = (channel, sku, month)
        cur = records.get(key)
        if cur is not None and (mode is BulkMode.ADD_ON_TOP or key in replaced):
            units += cur.units
        records[key] = SkuRestock(store_id, channel, sku, month, units, cost, currency)
        replaced.add(key)
    return tuple(records[k] for k in sorted(records, key=lambda k: (k[0], k[1], k[2])))
