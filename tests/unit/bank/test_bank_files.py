"""Statement files read into lines: OFX 1.x SGML, OFX 2.x XML (QFX), camt.053
and CSV; a bad line refuses the whole file and is named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from service.domain.bank_files import BankFileError, CsvMapping, read_statement
from service.ledger.bank_accounts import dedupe_keys

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bank"
MAPPING = CsvMapping("Date", "Description", "Amount", payee="Payee", reference="Reference")


def _read(name: str, currency: str = "USD", mapping: CsvMapping | None = None) -> object:
    return read_statement((FIXTURES / name).read_bytes(), currency, mapping)


def test_ofx_1_sgml() -> None:
    s = read_statement((FIXTURES / "checking_2025_01.ofx").read_bytes(), "USD", None)
    assert (s.format, s.currency, s.closing_balance) == ("OFX", "USD", 116900)
    assert [(ln.date, ln.amount, ln.ref) for ln in s.lines] == [
        (dt.date(2025, 1, 6), 3900, "202501060001"),
        (dt.date(2025, 1, 8), 25000, "202501080001"),
        (dt.date(2025, 1, 15), -12000, "202501150001"),
    ]
    assert s.lines[0].description == "WIRE FROM J SMITH ORDER 1001"


def test_ofx_2_xml_keeps_the_banks_own_day() -> None:
    s = read_statement((FIXTURES / "savings_2025_03.qfx").read_bytes(), "USD", None)
    # 23:00 in California is already the 4th in UTC: the bank's day is the 3rd.
    assert s.lines[0].date == dt.date(2025, 3, 3)
    assert [ln.amount for ln in s.lines] == [10000, 42]
    assert (s.closing_balance, s.closing_date) == (10042, dt.date(2025, 3, 31))


def test_camt053() -> None:
    s = read_statement((FIXTURES / "camt053_eur_2025_01.xml").read_bytes(), "EUR", None)
    assert (s.format, s.currency, s.closing_balance) == ("CAMT053", "EUR", 106450)
    assert [(ln.amount, ln.ref, ln.payee) for ln in s.lines] == [
        (8450, "2025011000012345", "Erika Mustermann"),
        (-2000, "2025013100000077", ""),
    ]


def test_camt053_entry_in_another_currency_is_named() -> None:
    data = (FIXTURES / "camt053_eur_2025_01.xml").read_bytes()
    data = data.replace(b'<Amt Ccy="EUR">20.00', b'<Amt Ccy="CHF">20.00')
    with pytest.raises(BankFileError) as info:
        read_statement(data, "EUR", None)
    assert (info.value.where, info.value.code) == (
        "entry 2 (2025013100000077)",
        "CURRENCY_MISMATCH",
    )


def test_xml_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&b;</Document>'
    )
    with pytest.raises(BankFileError) as info:
        read_statement(bomb, "EUR", None)
    assert info.value.code == "INVALID"


def test_csv_with_a_mapping() -> None:
    s = read_statement((FIXTURES / "checking_2025_02.csv").read_bytes(), "USD", MAPPING)
    assert [ln.amount for ln in s.lines] == [6000, 8400, -12000, -10000]
    assert s.lines[1].ref == "UPS-77812" and s.lines[0].ref is None


def test_csv_credit_debit_columns_and_decimal_comma() -> None:
    text = (
        "Buchungstag;Text;Haben;Soll\n03.02.2025;Einzahlung;1.234,50;\n04.02.2025;Miete;;800,00\n"
    )
    mapping = CsvMapping(
        "Buchungstag",
        "Text",
        credit="Haben",
        debit="Soll",
        date_format="%d.%m.%Y",
        decimal_comma=True,
    )
    s = read_statement(text.encode(), "EUR", mapping)
    assert [(ln.date, ln.amount) for ln in s.lines] == [
        (dt.date(2025, 2, 3), 123450),
        (dt.date(2025, 2, 4), -80000),
    ]


@pytest.mark.parametrize(
    ("change", "where"),
    [(("84.00", "84.0x"), "row 3"), (("2025-02-10", "10/02/2025"), "row 4")],
)
def test_csv_bad_row_is_named(change: tuple[str, str], where: str) -> None:
    text = (FIXTURES / "checking_2025_02.csv").read_text().replace(*change)
    with pytest.raises(BankFileError) as info:
        read_statement(text.encode(), "USD", MAPPING)
    assert info.value.where == where


def test_unknown_format_and_csv_without_mapping() -> None:
    for data in (b"\x00\x01binary", (FIXTURES / "checking_2025_02.csv").read_bytes()):
        with pytest.raises(BankFileError) as info:
            read_statement(data, "USD", None)
        assert info.value.code == "UNKNOWN_FORMAT"


def test_two_equal_lines_in_one_file_stay_two_and_reimport_gives_the_same_keys() -> None:
    text = "Date,Description,Amount\n2025-02-03,COFFEE,-3.50\n2025-02-03,COFFEE,-3.50\n"
    mapping = CsvMapping("Date", "Description", "Amount")
    s = read_statement(text.encode(), "USD", mapping)
    keys = dedupe_keys(s.lines)
    assert len(set(keys)) == 2
    assert dedupe_keys(read_statement(text.encode(), "USD", mapping).lines) == keys
