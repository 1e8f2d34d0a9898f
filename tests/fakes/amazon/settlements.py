"""Settlement reports written in Amazon's flat file V2 format.

The layout is Amazon's ``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``
(Selling Partner API documentation, "Report Type Values: Settlement
reports"; Seller Central help "Flat File V2 settlement report"): tab
separated, a header of 24 columns, a summary line with the settlement's
dates, deposit-date, total-amount and currency, then one line per amount.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from service.connectors.amazon.settlement import V2_COLUMNS


@dataclass(frozen=True)
class Amount:
    transaction_type: str
    amount_type: str
    description: str
    amount: str
    posted: str
    order_id: str = ""
    sku: str = ""
    quantity: str = ""
    fulfillment: str = ""
    promotion_id: str = ""
    shipment_id: str = ""


def _stamp(day: str) -> str:
    return f"{day} 08:00:00 UTC"


def settlement_file(
    settlement_id: str,
    start: str,
    end: str,
    deposit: str,
    amounts: list[Amount],
    *,
    currency: str = "USD",
    total: str | None = None,
    marketplace: str = "Amazon.com",
) -> str:
    """The report's text; ``total`` defaults to the amounts' sum."""
    money = sum((Decimal(a.amount) for a in amounts), Decimal("0"))
    summary = dict.fromkeys(V2_COLUMNS, "")
    summary.update(
        {
            "settlement-id": settlement_id,
            "settlement-start-date": _stamp(start),
            "settlement-end-date": _stamp(end),
            "deposit-date": _stamp(deposit),
            "total-amount": total if total is not None else f"{money:.2f}",
            "currency": currency,
        }
    )
    out = ["\t".join(V2_COLUMNS), "\t".join(summary[c] for c in V2_COLUMNS)]
    for a in amounts:
        row = dict.fromkeys(V2_COLUMNS, "")
        row.update(
            {
                "settlement-id": settlement_id,
                "transaction-type": a.transaction_type,
                "order-id": a.order_id,
                "merchant-order-id": "",
                "shipment-id": a.shipment_id,
                "marketplace-name": marketplace if a.order_id else "",
                "amount-type": a.amount_type,
                "amount-description": a.description,
                "amount": a.amount,
                "fulfillment-id": a.fulfillment,
                "posted-date": a.posted,
                "posted-date-time": f"{a.posted} 14:23:00 UTC" if a.posted else "",
                "order-item-code": "",
                "sku": a.sku,
                "quantity-purchased": a.quantity,
                "promotion-id": a.promotion_id,
            }
        )
        out.append("\t".join(row[c] for c in V2_COLUMNS))
    return "\r\n".join(out) + "\r\n"


def order_amounts(
    order_id: str,
    day: str,
    sku: str,
    quantity: int,
    principal: str,
    *,
    shipping: str = "0.00",
    tax: str = "0.00",
    facilitator: bool = False,
    promotion: str = "0.00",
    commission: str = "0.00",
    fba_fee: str = "0.00",
    fulfillment: str = "AFN",
) -> list[Amount]:
    """The lines Amazon writes for one shipped order item."""

    def a(atype: str, desc: str, amount: str, **kw: str) -> Amount:
        return Amount(
            "Order", atype, desc, amount, day, order_id, sku, fulfillment=fulfillment, **kw
        )

    out = [a("ItemPrice", "Principal", principal, quantity=str(quantity))]
    if Decimal(shipping):
        out.append(a("ItemPrice", "Shipping", shipping))
    if Decimal(tax):
        out.append(a("ItemPrice", "Tax", tax))
        if facilitator:
            out.append(a("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", f"-{tax}"))
    if Decimal(promotion):
        out.append(a("Promotion", "Principal", f"-{promotion}", promotion_id="PROMO-1"))
    if Decimal(commission):
        out.append(a("ItemFees", "Commission", f"-{commission}"))
    if Decimal(fba_fee):
        out.append(a("ItemFees", "FBAPerUnitFulfillmentFee", f"-{fba_fee}"))
    return out


def refund_amounts(
    order_id: str,
    day: str,
    sku: str,
    principal: str,
    *,
    tax: str = "0.00",
    facilitator: bool = False,
    promotion: str = "0.00",
    commission: str = "0.00",
    refund_commission: str = "0.00",
    fulfillment: str = "AFN",
) -> list[Amount]:
    """The lines of a refund: the sale's amounts back, less Amazon's refund commission."""

    def a(atype: str, desc: str, amount: str) -> Amount:
        return Amount("Refund", atype, desc, amount, day, order_id, sku, fulfillment=fulfillment)

    out = [a("ItemPrice", "Principal", f"-{principal}")]
    if Decimal(tax):
        out.append(a("ItemPrice", "Tax", f"-{tax}"))
        if facilitator:
            out.append(a("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", tax))
    if Decimal(promotion):
        out.append(a("Promotion", "Principal", promotion))
    if Decimal(commission):
        out.append(a("ItemFees", "Commission", commission))
    if Decimal(refund_commission):
        out.append(a("ItemFees", "RefundCommission", f"-{refund_commission}"))
    return out


def other(ttype: str, atype: str, desc: str, amount: str, day: str, sku: str = "") -> Amount:
    return Amount(ttype, atype, desc, amount, day, sku=sku)


def sample_amounts() -> list[Amount]:
    """A fortnight of an FBA and FBM seller: every kind of line Amazon writes."""
    return [
        *order_amounts(
            "111-0000001-0000001",
            "2026-03-02",
            "MUG",
            2,
            "40.00",
            shipping="5.00",
            tax="3.20",
            facilitator=True,
            promotion="4.00",
            commission="6.00",
            fba_fee="7.00",
        ),
        *order_amounts(
            "111-0000002-0000002",
            "2026-03-03",
            "CAP",
            1,
            "25.00",
            shipping="4.00",
            tax="2.00",
            commission="3.75",
            fulfillment="MFN",
        ),
        *refund_amounts(
            "111-0000001-0000001",
            "2026-03-06",
            "MUG",
            "20.00",
            tax="1.60",
            facilitator=True,
            promotion="2.00",
            commission="3.00",
            refund_commission="0.60",
        ),
        other(
            "other-transaction",
            "other-transaction",
            "Previous Reserve Amount Balance",
            "8.00",
            "2026-03-01",
        ),
        other(
            "other-transaction",
            "other-transaction",
            "Current Reserve Amount",
            "-10.00",
            "2026-03-15",
        ),
        other(
            "other-transaction",
            "FBA Inventory Reimbursement",
            "WAREHOUSE_DAMAGE",
            "12.50",
            "2026-03-09",
            "MUG",
        ),
        other("other-transaction", "other-transaction", "Storage Fee", "-3.10", "2026-03-08"),
        other(
            "Cost of Advertising",
            "Cost of Advertising",
            "TransactionTotalAmount",
            "-15.00",
            "2026-03-10",
        ),
        other("Adjustment", "Misc", "NewFeeType2026", "-1.25", "2026-03-11"),
    ]


def sample_settlement(settlement_id: str = "12345678901", total: str | None = None) -> str:
    return settlement_file(
        settlement_id, "2026-03-01", "2026-03-15", "2026-03-17", sample_amounts(), total=total
    )


def large_settlement(lines: int, settlement_id: str = "99999999999") -> str:
    """A settlement of about ``lines`` amounts: FBA orders of 5 lines each."""
    amounts: list[Amount] = []
    start = dt.date(2026, 3, 1)
    n = 0
    while len(amounts) < lines:
        day = (start + dt.timedelta(days=n % 14)).isoformat()
        amounts += order_amounts(
            f"111-{n:07d}-0000001",
            day,
            f"SKU-{n % 500}",
            1 + n % 3,
            "19.99",
            shipping="2.50",
            tax="1.60",
            facilitator=True,
            commission="3.00",
            fba_fee="3.22",
        )[:5]
        n += 1
    return settlement_file(settlement_id, "2026-03-01", "2026-03-15", "2026-03-17", amounts[:lines])
