"""ISO 20022 camt.053 (BankToCustomerStatement) files, read with defusedxml.

defusedxml refuses entity expansion and external references, so a
hostile file costs nothing. Elements are found by local name, so the
versions 001.02 to 001.13 read alike. Each Ntry (entry) is a line: Amt and
CdtDbtInd give the signed amount, BookgDt (or ValDt) the date, AcctSvcrRef
the bank's own id; the closing booked balance (CLBD) is kept for the bank
reconciliation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from service.domain.bank_files import (
    BankFileError,
    Statement,
    StatementLine,
    check_count,
    clean,
    money,
)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child(el: Any, *path: str) -> Any:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if _local(c.tag) == name), None)
    return el


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _text(el: Any, *path: str) -> str:
    found = _child(el, *path)
    return clean(found.text if found is not None and found.text else "")


def read_camt053(data: bytes, currency: str) -> Statement:
    try:
        root = SafeET.fromstring(data)
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise BankFileError("file", "INVALID", f"not a valid camt.053 file: {exc}") from None
    report = _child(root, "BkToCstmrStmt")
    stmts = _children(report, "Stmt") if report is not None else []
    if len(stmts) != 1:
        raise BankFileError("file", "INVALID", "a camt.053 file with exactly one Stmt")
    stmt = stmts[0]
    entries = _children(stmt, "Ntry")
    check_count(len(entries))
    file_currency = _text(stmt, "Acct", "Ccy") or None
    lines = tuple(_entry(e, currency, i + 1) for i, e in enumerate(entries))
    closing, closing_date = _closing(stmt, currency)
    return Statement("CAMT053", file_currency, lines, closing, closing_date)


def _date(el: Any, where: str) -> dt.date:
    text = _text(el, "Dt") or _text(el, "DtTm")[:10]
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise BankFileError(where, "INVALID", f"{where}: date {text[:30]!r}") from None


def _signed(el: Any, currency: str, where: str) -> int:
    amt = _child(el, "Amt")
    if amt is None or not amt.text:
        raise BankFileError(where, "INVALID", f"{where}: no Amt")
    ccy = amt.get("Ccy")
    if ccy and ccy != currency:
        raise BankFileError(
            where, "CURRENCY_MISMATCH", f"{where}: amount in {ccy}, the account is in {currency}"
        )
    value = money(amt.text, currency, where)
    indicator = _text(el, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise BankFileError(where, "INVALID", f"{where}: CdtDbtInd {indicator[:10]!r}")
    return value if indicator == "CRDT" else -value


def _entry(el: Any, currency: str, n: int) -> StatementLine:
    ref = _text(el, "AcctSvcrRef") or _text(el, "NtryRef")
    where = f"entry {n}" + (f" ({ref})" if ref else "")
    amount = _signed(el, currency, where)
    booked = _child(el, "BookgDt")
    if booked is None:
        booked = _child(el, "ValDt")
    if booked is None:
        raise BankFileError(where, "INVALID", f"{where}: no BookgDt")
    tx = _child(el, "NtryDtls", "TxDtls")
    party = "Dbtr" if amount > 0 else "Cdtr"
    payee = _text(tx, "RltdPties", party, "Nm") if tx is not None else ""
    remittance = _text(tx, "RmtInf", "Ustrd") if tx is not None else ""
    info = _text(el, "AddtlNtryInf")
    description = " ".join(p for p in (payee, remittance or info) if p)
    return StatementLine(_date(booked, where), amount, description, payee, ref or None)


def _closing(stmt: Any, currency: str) -> tuple[int | None, dt.date | None]:
    for bal in _children(stmt, "Bal"):
        if _text(bal, "Tp", "CdOrPrtry", "Cd") == "CLBD":
            return _signed(bal, currency, "Bal CLBD"), _date(_child(bal, "Dt"), "Bal CLBD")
    return None, None
