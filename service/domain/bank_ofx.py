"""OFX 1.x (SGML) and 2.x (XML) bank statements, QFX included, read with ofxtools.

ofxtools checks the file against the OFX specification; the posted date
is taken from the file's own text (YYYYMMDD), the bank's calendar day,
since ofxtools turns it into UTC and a late-evening line would move to the
next day.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from typing import Any

from ofxtools.Parser import OFXTree

from service.domain.bank_files import (
    BankFileError,
    Statement,
    StatementLine,
    check_count,
    clean,
    money,
)


def read_ofx(data: bytes, currency: str) -> Statement:
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
        raw = tree.findall(".//STMTTRN")
    except Exception as exc:  # ofxtools raises many kinds; every one refuses the file
        raise BankFileError("file", "INVALID", f"not a valid OFX file: {str(exc)[:200]}") from None
    for i, element in enumerate(raw):
        _precheck(element, currency, i + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # banks' private tags (INTU.BID) are skipped
            ofx = tree.convert()
    except Exception as exc:  # ofxtools raises many kinds; every one refuses the file
        raise BankFileError("file", "INVALID", f"not a valid OFX file: {str(exc)[:200]}") from None
    statements = list(getattr(ofx, "statements", []) or [])
    if len(statements) != 1:
        raise BankFileError("file", "INVALID", "an OFX file with exactly one bank statement")
    stmt = statements[0]
    check_count(len(raw))
    lines = tuple(_line(tr, raw[i], currency, i + 1) for i, tr in enumerate(stmt.banktranlist))
    closing = getattr(stmt, "ledgerbal", None)
    return Statement(
        "OFX",
        str(stmt.curdef),
        lines,
        money(str(closing.balamt), currency, "LEDGERBAL") if closing is not None else None,
        _raw_date(closing_text(tree), "LEDGERBAL") if closing is not None else None,
    )


def closing_text(tree: OFXTree) -> str:
    found = tree.find(".//LEDGERBAL/DTASOF")
    return str(found.text) if found is not None and found.text else ""


def _raw_date(text: str, where: str) -> dt.date:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except (ValueError, IndexError):
        raise BankFileError(where, "INVALID", f"{where}: date {text[:30]!r}") from None


def _precheck(raw: Any, currency: str, n: int) -> None:
    """Name the transaction that is wrong before ofxtools refuses the whole file."""
    fitid = raw.find("FITID")
    where = f"transaction {n}" + (f" (FITID {fitid.text})" if fitid is not None else "")
    amount = raw.find("TRNAMT")
    posted = raw.find("DTPOSTED")
    money(str(amount.text if amount is not None else ""), currency, where)
    _raw_date(str(posted.text if posted is not None else ""), where)


def _line(tr: Any, raw: Any, currency: str, n: int) -> StatementLine:
    fitid = clean(str(tr.fitid or ""), 200)
    where = f"transaction {n}" + (f" (FITID {fitid})" if fitid else "")
    posted = raw.find("DTPOSTED")
    day = _raw_date(str(posted.text if posted is not None else ""), where)
    name = clean(str(tr.name or ""), 200)
    payee = getattr(tr, "payee", None)
    if payee is not None and not name:
        name = clean(str(getattr(payee, "name", "") or ""), 200)
    memo = clean(str(tr.memo or ""))
    description = " ".join(p for p in (name, memo) if p)
    return StatementLine(
        day, money(str(tr.trnamt), currency, where), description, name, fitid or None
    )
