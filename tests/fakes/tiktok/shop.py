"""A TikTok shop's fortnight in the Finance API's own shape (version 202309).

Two statements paid by one payment: an FBT order (two mugs) with a
platform-funded discount and sales tax the platform remits, an FBM order
(a cap) whose shipping label the platform charges, a refund with the
refund administration fee, a logistics reimbursement and a platform
penalty (an adjustment type the books leave for review).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from tests.fakes.tiktok.server import TikTokShop


def ts(day: str, hour: int = 0) -> int:
    return calendar.timegm(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").timetuple())


def _order(oid: str, fulfillment: str, skus: list[str], shipped: str) -> dict[str, Any]:
    return {
        "id": oid,
        "status": "COMPLETED",
        "fulfillment_type": fulfillment,
        "create_time": ts("2026-03-01"),
        "rts_time": ts(shipped, 9),
        "collection_time": ts(shipped, 15),
        "line_items": [
            {"id": f"{oid}-{n}", "sku_id": f"17{n}", "seller_sku": sku}
            for n, sku in enumerate(skus)
        ],
    }


def sample_shop() -> TikTokShop:
    shop = TikTokShop()
    t1 = {
        "id": "tx-1",
        "type": "ORDER",
        "order_id": "576000000000005001",
        "order_create_time": ts("2026-03-01"),
        "currency": "USD",
        "settlement_amount": "29.32",
        "revenue_amount": "42.88",
        "fee_amount": "-13.56",
        "adjustment_amount": "0",
        "customer_payment_amount": "39.88",
        "after_seller_discounts_subtotal_amount": "36.00",
        "customer_shipping_fee_amount": "4.00",
        "platform_discount_amount": "3.00",
        "sales_tax_payment_amount": "2.88",
        "referral_fee_amount": "-2.88",
        "transaction_fee_amount": "-1.30",
        "shipping_fee_amount": "-5.50",
        "sales_tax_amount": "-2.88",
        "affiliate_commission_amount": "-1.00",
    }
    t2 = {
        "id": "tx-2",
        "type": "ORDER",
        "order_id": "576000000000005002",
        "order_create_time": ts("2026-03-02"),
        "currency": "USD",
        "settlement_amount": "13.50",
        "revenue_amount": "21.60",
        "fee_amount": "-8.10",
        "adjustment_amount": "0",
        "customer_payment_amount": "21.60",
        "after_seller_discounts_subtotal_amount": "20.00",
        "sales_tax_payment_amount": "1.60",
        "referral_fee_amount": "-1.60",
        "transaction_fee_amount": "-0.90",
        "sales_tax_amount": "-1.60",
        "fbm_shipping_cost_amount": "-4.00",
    }
    t3 = {
        "id": "tx-3",
        "type": "ORDER",
        "order_id": "576000000000005001",
        "order_create_time": ts("2026-03-01"),
        "currency": "USD",
        "settlement_amount": "-18.35",
        "revenue_amount": "-19.50",
        "fee_amount": "1.15",
        "adjustment_amount": "0",
        "customer_order_refund_amount": "-18.00",
        "platform_discount_refund_amount": "-1.50",
        "referral_fee_amount": "1.44",
        "refund_administration_fee_amount": "-0.29",
    }
    t4 = {
        "id": "tx-4",
        "type": "LOGISTICS_REIMBURSEMENT",
        "adjustment_id": "adj-4",
        "adjustment_order_id": "576000000000005001",
        "currency": "USD",
        "settlement_amount": "6.00",
        "adjustment_amount": "6.00",
    }
    t5 = {
        "id": "tx-5",
        "type": "PLATFORM_PENALTY",
        "adjustment_id": "adj-5",
        "currency": "USD",
        "settlement_amount": "-2.00",
        "adjustment_amount": "-2.00",
    }
    shop.statements = [
        {
            "id": "st-0305",
            "statement_time": ts("2026-03-05"),
            "settlement_amount": "42.82",
            "currency": "USD",
            "revenue_amount": "64.48",
            "fee_amount": "-21.66",
            "adjustment_amount": "0",
            "payment_status": "PAID",
            "payment_id": "pay-1",
        },
        {
            "id": "st-0308",
            "statement_time": ts("2026-03-08"),
            "settlement_amount": "-14.35",
            "currency": "USD",
            "revenue_amount": "-19.50",
            "fee_amount": "1.15",
            "adjustment_amount": "4.00",
            "payment_status": "PAID",
            "payment_id": "pay-1",
        },
    ]
    shop.transactions = {"st-0305": [t1, t2], "st-0308": [t3, t4, t5]}
    shop.payments = [
        {
            "id": "pay-1",
            "create_time": ts("2026-03-09"),
            "status": "PAID",
            "amount": {"value": "28.47", "currency": "USD"},
            "settlement_amount": {"value": "28.47", "currency": "USD"},
            "reserve_amount": {"value": "0", "currency": "USD"},
            "paid_time": ts("2026-03-10", 12),
            "bank_account": "****1234",
        }
    ]
    shop.withdrawals = [
        {
            "id": "wd-1",
            "type": "WITHDRAW",
            "amount": "28.47",
            "currency": "USD",
            "status": "SUCCESS",
            "create_time": ts("2026-03-09"),
        }
    ]
    shop.orders = {
        "576000000000005001": _order(
            "576000000000005001", "FULFILLMENT_BY_TIKTOK", ["MUG", "MUG"], "2026-03-02"
        ),
        "576000000000005002": _order(
            "576000000000005002", "FULFILLMENT_BY_SELLER", ["CAP"], "2026-03-03"
        ),
    }
    return shop
