"""Bank statement files: OFX/QFX, ISO 20022 camt.053 and CSV, read into lines.

A file is read whole before anything is stored: any line that cannot be
read makes the whole file refused, with the line named (its row in a CSV,
its position and reference in OFX and camt.053). Amounts are exact:
decimals from the file become integer minor units of the account's
currency, signed from the account holder's side (+ money in).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from service.domain.money import MoneyError, exponent, parse_amount, to_minor

MAX_FILE_BYTES = 20_000_000
MAX_LINES = 100_000
ISO_DATE = "%Y-%m-%d"


class BankFileError(ValueError):
    """A file refused: ``where`` names the line (or "file"), ``code`` the kind."""

    def __init__(self, where: str, code: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.code = code


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One transaction as the bank reported it; ``ref`` is the bank's own id
    (OFX FITID, camt.053 AcctSvcrRef) when it gives one."""

    date: dt.date
    amount: int
    description: str
    payee: str = ""
    ref: str | None = None

    @property
    def dedupe_key(self) -> str:
        """The bank's id, or a hash of what the line says when it has none."""
        if self.ref:
            return f"ref:{self.ref}"
        text = f"{self.date.isoformat()}|{self.amount}|{self.description.strip().lower()}"
        return "hash:" + hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Statement:
    """What a file holds for one account: its currency (None when the
    format does not say, as in CSV), lines, and the closing balance if given."""

    format: str
    currency: str | None
    lines: tuple[StatementLine, ...]
    closing_balance: int | None = None
    closing_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Which CSV columns hold what (by header name). ``amount`` is one
    signed column; or ``credit`` and ``debit`` two unsigned ones."""

    date: str
    description: str
    amount: str | None = None
    credit: str | None = None
    debit: str | None = None
    payee: str | None = None
    reference: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "description": self.description,
            "amount": self.amount,
            "credit": self.credit,
            "debit": self.debit,
            "payee": self.payee,
            "reference": self.reference,
            "dateFormat": self.date_format,
            "decimalComma": self.decimal_comma,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> CsvMapping:
        return CsvMapping(
            date=data["date"],
            description=data["description"],
            amount=data.get("amount"),
            credit=data.get("credit"),
            debit=data.get("debit"),
            payee=data.get("payee"),
            reference=data.get("reference"),
            date_format=data.get("dateFormat", "%Y-%m-%d"),
            decimal_comma=bool(data.get("decimalComma", False)),
        )


def detect_format(data: bytes) -> str | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head.upper() or b"<?OFX" in head.upper():
        return "OFX"
    if b"camt.053" in head and b"<" in head[:1]:
        return "CAMT053"
    return None


def read_statement(data: bytes, currency: str, mapping: CsvMapping | None) -> Statement:
    """Read a file in whatever format it is in; CSV needs the account's mapping."""
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError("file", "INVALID", f"a file of at most {MAX_FILE_BYTES} bytes")
    kind = detect_format(data)
    if kind == "OFX":
        from service.domain.bank_ofx import read_ofx

        return read_ofx(data, currency)
    if kind == "CAMT053":
        from service.domain.bank_camt import read_camt053

        return read_camt053(data, currency)
    if mapping is not None and _looks_like_text(data):
        return read_csv(data, currency, mapping)
    raise BankFileError(
        "file",
        "UNKNOWN_FORMAT",
        "not an OFX/QFX or camt.053 file, and no CSV column mapping is saved for this account",
    )


def _looks_like_text(data: bytes) -> bool:
    try:
        data[:65536].decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data[:65536]


def money(text: str, currency: str, where: str) -> int:
    try:
        return to_minor(parse_amount(text), currency)
    except (MoneyError, InvalidOperation, ValueError) as exc:
        raise BankFileError(where, "INVALID", f"{where}: amount {text[:40]!r}: {exc}") from None


def check_count(n: int) -> None:
    if n > MAX_LINES:
        raise BankFileError("file", "INVALID", f"at most {MAX_LINES} lines per file")


def clean(text: str | None, limit: int = 500) -> str:
    return " ".join((text or "").split())[:limit]


def read_csv(data: bytes, currency: str, mapping: CsvMapping) -> Statement:
    """Rows under a header; row numbers count the header as row 1."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [h.strip() for h in next(reader, [])]
    columns = _columns(header, mapping)
    exp = exponent(currency)
    lines: list[StatementLine] = []
    for i, row in enumerate(reader, start=2):
        check_count(len(lines))
        if not any(v.strip() for v in row):
            continue
        lines.append(_csv_line(row, columns, currency, exp, mapping, f"row {i}"))
    return Statement("CSV", None, tuple(lines))


def _columns(header: list[str], m: CsvMapping) -> dict[str, int]:
    """Where each mapped column is (by header name)."""
    needed = {"date": m.date, "description": m.description}
    if m.amount:
        needed["amount"] = m.amount
    else:
        needed.update({k: v for k, v in (("credit", m.credit), ("debit", m.debit)) if v})
    optional = {k: v for k, v in (("payee", m.payee), ("reference", m.reference)) if v}
    for name in needed.values():
        if name not in header:
            raise BankFileError("row 1", "INVALID", f"row 1: the header has no column {name!r}")
    wanted = {**needed, **{k: v for k, v in optional.items() if v in header}}
    return {k: header.index(v) for k, v in wanted.items()}


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab many banks export with (decimal commas)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


_PLAIN_AMOUNT = re.compile(r"^(-?)(\d{1,13})(?:\.(\d{1,4}))?$")


def csv_money(text: str, currency: str, exp: int, where: str) -> int:
    """A plain amount (digits, a point, up to the currency's decimals) is read
    exactly without Decimal; anything else goes through the full check."""
    m = _PLAIN_AMOUNT.match(text)
    if m is not None and len(m.group(3) or "") <= exp:
        frac = (m.group(3) or "").ljust(exp, "0")
        value: int = int(m.group(2)) * 10**exp + (int(frac) if frac else 0)
        return -value if m.group(1) else value
    return money(text, currency, where)


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    at = columns.get(name)
    return row[at].strip() if at is not None and at < len(row) else ""


def _csv_amount(
    row: list[str], columns: dict[str, int], currency: str, exp: int, m: CsvMapping, where: str
) -> int:
    def value(name: str) -> str:
        raw = _cell(row, columns, name).replace(" ", "")
        if m.decimal_comma:
            return raw.replace(".", "").replace(",", ".")
        return raw.replace(",", "")

    if m.amount:
        raw = value("amount")
        if not raw:
            raise BankFileError(where, "INVALID", f"{where}: no amount")
        return csv_money(raw, currency, exp, where)
    credit, debit = value("credit"), value("debit")
    if not credit and not debit:
        raise BankFileError(where, "INVALID", f"{where}: neither a credit nor a debit")
    total = csv_money(credit, currency, exp, where) if credit else 0
    return total - (abs(csv_money(debit, currency, exp, where)) if debit else 0)


def _csv_line(
    row: list[str],
    columns: dict[str, int],
    currency: str,
    exp: int,
    m: CsvMapping,
    where: str,
) -> StatementLine:
    raw_date = _cell(row, columns, "date")
    try:
        if m.date_format == ISO_DATE and len(raw_date) == 10:
            day = dt.date.fromisoformat(raw_date)
        else:
            day = dt.datetime.strptime(raw_date, m.date_format).date()
    except ValueError:
        raise BankFileError(
            where, "INVALID", f"{where}: date {raw_date[:40]!r} is not {m.date_format}"
        ) from None
    amount = _csv_amount(row, columns, currency, exp, m, where)
    ref = clean(_cell(row, columns, "reference"), 200)
    return StatementLine(
        day,
        amount,
        clean(_cell(row, columns, "description")),
        clean(_cell(row, columns, "payee"), 200),
        ref or None,
    )
