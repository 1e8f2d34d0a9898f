"""Amazon's settlement report, flat file V2, read into a channel-neutral settlement.

Report type ``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`` (Selling Partner
API, "Report Type Values: Settlement reports"): tab-separated text, one
header line with 24 columns (below), then a summary line carrying the
settlement's ``total-amount`` and ``deposit-date``, then one line per
amount: an order's principal, its shipping, its tax, a commission, a
reserve moved, a storage fee... each named by ``transaction-type``,
``amount-type`` and ``amount-description``.

Pure: text in, a ``Settlement`` out, or a ``SettlementError`` naming the
first bad line. Amazon writes dates as ``2026-03-02``,
``2026-03-02 14:23:00 UTC``, ``2026-03-02T14:23:00+00:00`` or, in
European marketplaces, ``02.03.2026``; amounts with a decimal point, or a
decimal comma in European marketplaces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from service.connectors.amazon.kinds import classify, fulfillment_of, is_refund
from service.domain.marketplace import LineKind, Settlement, SettlementError, SettlementLine
from service.domain.money import MoneyError, exponent, to_minor

V2_COLUMNS = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
)
REQUIRED = frozenset(V2_COLUMNS) - {"posted-date-time", "order-item-code", "promotion-id"}
V1_ONLY = frozenset({"price-type", "price-amount", "item-related-fee-type", "other-amount"})
MAX_LINE_CHARS = 4096
MAX_QUANTITY = 1_000_000


def decode_text(raw: bytes) -> str:
    """Amazon serves UTF-8 in most marketplaces and ISO-8859-1 in some."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_date(text: str) -> dt.date:
    """A calendar date from any of the forms Amazon writes (UTC date of a
    moment with an offset)."""
    t = text.strip()
    if t.endswith(" UTC"):
        t = t[:-4].strip()
    if len(t) >= 10 and t[2] == "." and t[5] == ".":
        return dt.datetime.strptime(t[:10], "%d.%m.%Y").date()
    if len(t) > 10:
        moment = dt.datetime.fromisoformat(t.replace(" ", "T", 1))
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC)
        return moment.date()
    return dt.date.fromisoformat(t)


def parse_amount(text: str, currency: str) -> int:
    t = text.strip()
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    return to_minor(t, currency)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if len(line) > MAX_LINE_CHARS:
                raise SettlementError("the line is too long for a settlement line", n)
            yield n, line.split("\t")


def _header(cells: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    if V1_ONLY & set(names):
        raise SettlementError(
            "this is a flat file V1 settlement (price-type, item-related-fee-type...);"
            " download the flat file V2 (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2)",
            1,
        )
    missing = [c for c in V2_COLUMNS if c in REQUIRED and c not in names]
    if missing:
        raise SettlementError(
            "not a flat file V2 settlement report: the header lacks " + ", ".join(missing), 1
        )
    return {name: i for i, name in enumerate(names)}


class _Row:
    __slots__ = ("cells", "cols", "n")

    def __init__(self, n: int, cells: list[str], cols: dict[str, int]) -> None:
        if len(cells) > len(cols):
            raise SettlementError(
                f"expected {len(cols)} tab-separated columns, found {len(cells)}", n
            )
        self.n, self.cells, self.cols = n, cells, cols

    def get(self, name: str) -> str:
        i = self.cols.get(name)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""

    def date(self, name: str) -> dt.date:
        value = self.get(name)
        try:
            return parse_date(value)
        except ValueError as exc:
            raise SettlementError(f"{name} {value!r} is not a date", self.n) from exc

    def amount(self, name: str, currency: str) -> int:
        value = self.get(name)
        try:
            return parse_amount(value, currency)
        except MoneyError as exc:
            raise SettlementError(f"{name} {value!r} is not an amount: {exc}", self.n) from exc


def parse_settlement(raw: bytes | str) -> Settlement:
    """The settlement in a V2 flat file; refused whole at its first bad line."""
    text = decode_text(raw) if isinstance(raw, bytes) else raw
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        raise SettlementError("the file is empty", 1)
    if len(first[1]) == 1:
        raise SettlementError(
            "the line has no tabs: a flat file V2 settlement is tab-separated", first[0]
        )
    cols = _header(first[1])
    second = next(rows, None)
    if second is None:
        raise SettlementError("the file has a header but no summary line", 2)
    summary = _summary(_Row(second[0], second[1], cols))
    reader = _LineReader(cols, summary)
    lines = [reader.line(n, cells, i) for i, (n, cells) in enumerate(rows, start=1)]
    return Settlement(
        marketplace="amazon",
        settlement_id=summary.get("settlement-id"),
        start=summary.date("settlement-start-date"),
        end=reader.end,
        deposit_date=summary.date("deposit-date"),
        total=summary.amount("total-amount", reader.currency),
        currency=reader.currency,
        lines=tuple(lines),
    )


_PLAIN_AMOUNT = re.compile(r"-?\d{1,13}(\.\d{1,2})?")


class _LineReader:
    """Reads the amount lines; what repeats (dates, the kind of a
    combination of words) is worked out once per distinct text."""

    def __init__(self, cols: dict[str, int], summary: _Row) -> None:
        self.cols, self.width = cols, len(cols)
        self.index = [cols.get(name, -1) for name in self.FIELDS]
        self.settlement_id = summary.get("settlement-id")
        self.currency = summary.get("currency").upper()
        self.cents = exponent(self.currency) == 2
        self.end = summary.date("settlement-end-date")
        self.days: dict[str, dt.date] = {}
        self.kinds: dict[tuple[str, str, str], tuple[LineKind, str, bool]] = {}

    FIELDS = (
        "settlement-id",
        "total-amount",
        "transaction-type",
        "amount-type",
        "amount-description",
        "amount",
        "posted-date",
        "order-id",
        "sku",
        "quantity-purchased",
        "fulfillment-id",
    )

    def line(self, n: int, cells: list[str], line_no: int) -> SettlementLine:
        if len(cells) > self.width:
            raise SettlementError(
                f"expected {self.width} tab-separated columns, found {len(cells)}", n
            )
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        cells.append("")  # what an absent optional column reads
        sid, total, ttype, atype, desc, amount, posted, order, sku, qty, ful = (
            cells[i].strip() for i in self.index
        )
        if sid != self.settlement_id:
            raise SettlementError(
                f"settlement-id {sid!r} differs from the summary line's {self.settlement_id!r}", n
            )
        if total:
            raise SettlementError("a second summary line (total-amount given again)", n)
        words = (ttype, atype, desc)
        known = self.kinds.get(words)
        if known is None:
            if not ttype or not atype:
                raise SettlementError("transaction-type and amount-type are required", n)
            known = self.kinds[words] = (classify(*words), "/".join(words), is_refund(ttype))
        return SettlementLine(
            line_no,
            known[0],
            self.amount(n, amount),
            self.date(n, posted),
            known[1],
            order or None,
            sku or None,
            self.quantity(n, qty) if qty else 0,
            known[2],
            fulfillment_of(ful),
        )

    def amount(self, n: int, value: str) -> int:
        if self.cents and _PLAIN_AMOUNT.fullmatch(value):
            whole, _, frac = value.partition(".")
            sign = -1 if whole.startswith("-") else 1
            return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))
        try:
            return parse_amount(value, self.currency)
        except MoneyError as exc:
            raise SettlementError(f"amount {value!r} is not an amount: {exc}", n) from exc

    def date(self, n: int, value: str) -> dt.date:
        """A line without a posted-date (some reserve lines) is dated at the
        settlement's end."""
        if not value:
            return self.end
        day = self.days.get(value)
        if day is None:
            try:
                day = self.days[value] = parse_date(value)
            except ValueError as exc:
                raise SettlementError(f"posted-date {value!r} is not a date", n) from exc
        return day

    @staticmethod
    def quantity(n: int, value: str) -> int:
        if not value:
            return 0
        if not value.isdigit() or int(value) > MAX_QUANTITY:
            raise SettlementError(f"quantity-purchased {value!r} is not a quantity", n)
        return int(value)


def _summary(row: _Row) -> _Row:
    if not row.get("settlement-id").isdigit():
        raise SettlementError(f"settlement-id {row.get('settlement-id')!r} is not a number", row.n)
    if not row.get("total-amount") or row.get("transaction-type"):
        raise SettlementError(
            "the first line after the header must be the settlement's summary"
            " (settlement-id, dates, deposit-date, total-amount, currency)",
            row.n,
        )
    currency = row.get("currency").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise SettlementError(f"currency {row.get('currency')!r} is not a currency code", row.n)
    for name in ("settlement-start-date", "settlement-end-date", "deposit-date"):
        row.date(name)
    row.amount("total-amount", currency)
    return row
