"""Amazon's flat file V2 settlement read into neutral lines, and posted (section 17)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from service.connectors.amazon.settlement import parse_date, parse_settlement
from service.domain.journal import account_totals
from service.domain.marketplace import LineKind, SettlementError, check_total
from service.posting.marketplace import COGS_ONLY, EXCLUDED, SALES_ONLY, post_settlement
from tests.fakes.amazon.settlements import large_settlement, sample_settlement

FIXTURE = Path(__file__).parents[2] / "fixtures" / "amazon" / "settlement_v2.txt"


def test_fixture_is_the_sample() -> None:
    assert FIXTURE.read_text() == sample_settlement().replace("\r\n", "\n")


def test_reads_the_summary_and_every_line() -> None:
    s = parse_settlement(FIXTURE.read_bytes())
    assert (s.settlement_id, s.currency, s.total) == ("12345678901", "USD", 3080)
    assert (s.start, s.end, s.deposit_date) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 17),
    )
    assert len(s.lines) == 23 and s.lines_total == s.total
    kinds = {ln.description: ln.kind for ln in s.lines}
    assert (
        kinds["Order/ItemWithheldTax/MarketplaceFacilitatorTax-Principal"]
        is LineKind.FACILITATOR_TAX
    )
    assert kinds["Refund/ItemFees/RefundCommission"] is LineKind.SELLING_FEE
    assert kinds["other-transaction/other-transaction/Current Reserve Amount"] is LineKind.RESERVE
    assert (
        kinds["other-transaction/FBA Inventory Reimbursement/WAREHOUSE_DAMAGE"]
        is LineKind.REIMBURSEMENT
    )
    assert (
        kinds["Cost of Advertising/Cost of Advertising/TransactionTotalAmount"]
        is LineKind.ADVERTISING
    )
    assert kinds["Adjustment/Misc/NewFeeType2026"] is LineKind.UNKNOWN
    assert [ln.fulfillment.value for ln in s.lines[:1]] == ["MARKETPLACE"]


def test_posting_ties_to_the_deposit_and_nets_the_facilitator_tax() -> None:
    s = parse_settlement(FIXTURE.read_bytes())
    posted = post_settlement(s, "store1", {"MUG": 500})
    for e in posted.entries:
        assert e.balanced, e
    t = account_totals(posted.entries)
    assert "RIP" not in t and "UNDEPOSITED_FUNDS" not in t  # cleared to the cent
    assert t["BANK"] == 3080
    assert t["SALES_TAX_PAYABLE"] == -200  # only the merchant-owed tax of the FBM order
    assert t["GROSS_SALES"] == -6500 and t["REFUNDS_RETURNS"] == 2000
    assert t["DISCOUNTS"] == 200 and t["SHIPPING_INCOME"] == -900
    assert t["SELLING_FEES"] == 600 + 375 - 300 + 60
    assert t["FULFILLMENT_FEES"] == 700 + 310
    assert t["PROCESSOR_RESERVES"] == 1000 - 800
    assert t["OTHER_INCOME"] == -1250 and t["ADVERTISING"] == 1500
    assert t["UNCATEGORIZED"] == 125
    assert t["COGS"] == 1000 and t["INVENTORY"] == -1000
    assert [ln.description for ln in posted.review] == ["Adjustment/Misc/NewFeeType2026"]
    missing = [(c.sku, c.missing) for c in posted.cogs]
    assert missing == [("MUG", False), ("CAP", True)]
    mft = [
        ln
        for e in posted.entries
        if e.rule == "marketplace.sale"
        for ln in e.lines
        if ln.account == "SALES_TAX_PAYABLE"
    ]
    assert sorted(ln.amount for ln in mft) == [-320, -200, 320]  # FBA MFT nets, FBM tax owed


def test_sales_and_cogs_on_the_posted_date() -> None:
    s = parse_settlement(FIXTURE.read_bytes())
    entries = post_settlement(s, "store1", {"MUG": 500}).entries
    sale = next(e for e in entries if e.rule == "marketplace.sale")
    cogs = next(e for e in entries if e.rule == "marketplace.cogs")
    assert sale.date == cogs.date == dt.date(2026, 3, 2)
    deposit = next(e for e in entries if e.rule == "marketplace.deposit")
    assert deposit.date == dt.date(2026, 3, 17)


def test_channel_statuses() -> None:
    s = parse_settlement(FIXTURE.read_bytes())
    assert post_settlement(s, "st", {}, EXCLUDED).entries == ()
    cogs_only = post_settlement(s, "st", {"MUG": 500}, COGS_ONLY).entries
    assert {e.rule for e in cogs_only} == {"marketplace.cogs"}
    sales_only = post_settlement(s, "st", {"MUG": 500}, SALES_ONLY).entries
    assert "marketplace.cogs" not in {e.rule for e in sales_only}


def test_reposting_is_identical() -> None:
    s = parse_settlement(FIXTURE.read_bytes())
    assert post_settlement(s, "st", {"MUG": 500}) == post_settlement(s, "st", {"MUG": 500})


def test_a_total_that_does_not_add_up_is_refused_naming_it() -> None:
    s = parse_settlement(sample_settlement(total="31.80"))
    with pytest.raises(SettlementError, match="settlement 12345678901"):
        check_total(s)


def test_a_v1_file_is_refused_on_line_1() -> None:
    v1 = "settlement-id\tsettlement-start-date\tprice-type\tprice-amount\n1\t2\t3\t4\n"
    with pytest.raises(SettlementError, match="line 1: this is a flat file V1"):
        parse_settlement(v1)


def test_a_csv_is_refused_on_line_1() -> None:
    with pytest.raises(SettlementError, match="line 1: the line has no tabs"):
        parse_settlement("settlement-id,total-amount\n1,2\n")


def test_the_first_bad_line_is_named() -> None:
    lines = sample_settlement().split("\r\n")
    cells = lines[5].split("\t")
    cells[14] = "12.3.4"
    lines[5] = "\t".join(cells)
    with pytest.raises(SettlementError, match=r"line 6: amount '12\.3\.4' is not an amount"):
        parse_settlement("\r\n".join(lines))
    lines = sample_settlement().split("\r\n")
    lines[3] = lines[3] + "\textra"
    with pytest.raises(SettlementError, match="line 4: expected 24"):
        parse_settlement("\r\n".join(lines))


def test_date_forms() -> None:
    assert parse_date("2026-03-02") == dt.date(2026, 3, 2)
    assert parse_date("2026-03-02 23:10:00 UTC") == dt.date(2026, 3, 2)
    assert parse_date("2026-03-02T23:10:00-05:00") == dt.date(2026, 3, 3)
    assert parse_date("02.03.2026") == dt.date(2026, 3, 2)


def test_european_decimal_comma() -> None:
    text = sample_settlement().replace("40.00", "40,00")
    assert parse_settlement(text).lines[0].amount == 4000


def test_large_settlement_posts() -> None:
    s = parse_settlement(large_settlement(2000))
    assert len(s.lines) == 2000
    t = account_totals(post_settlement(s, "st", {}).entries)
    assert "RIP" not in t and "UNDEPOSITED_FUNDS" not in t
