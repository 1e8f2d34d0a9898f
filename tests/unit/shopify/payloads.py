"""Hand-written REST and GraphQL payloads for the worked examples."""

from __future__ import annotations

from typing import Any


def money_set(amount: str, currency: str = "USD") -> dict[str, Any]:
    bag = {"amount": amount, "currency_code": currency}
    return {"shop_money": bag, "presentment_money": dict(bag)}


def bag(amount: str, currency: str = "USD") -> dict[str, Any]:
    m = {"amount": amount, "currencyCode": currency}
    return {"shopMoney": m, "presentmentMoney": dict(m)}


def rest_txn(
    id_: int, kind: str, amount: str, gateway: str, at: str, parent: int | None = None
) -> dict[str, Any]:
    return {
        "id": id_,
        "order_id": 1001,
        "kind": kind,
        "status": "success",
        "gateway": gateway,
        "amount": amount,
        "currency": "USD",
        "created_at": at,
        "processed_at": at,
        "parent_id": parent,
        "test": False,
    }


def rest_order(
    price: str,
    *,
    discount: str | None = None,
    tax: str | None = None,
    refunds: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A one-line REST order placed 2024-03-01 10:00 New York time."""
    line: dict[str, Any] = {
        "id": 501,
        "sku": "TEE-1",
        "name": "Tee",
        "quantity": 1,
        "price": price,
        "price_set": money_set(price),
        "gift_card": False,
        "discount_allocations": [],
        "tax_lines": [],
    }
    apps: list[dict[str, Any]] = []
    if discount:
        apps.append(
            {
                "type": "discount_code",
                "code": "TEN",
                "value": "10.0",
                "value_type": "fixed_amount",
                "allocation_method": "across",
                "target_selection": "all",
                "target_type": "line_item",
            }
        )
        line["discount_allocations"] = [
            {"amount": discount, "amount_set": money_set(discount), "discount_application_index": 0}
        ]
    if tax:
        line["tax_lines"] = [
            {
                "title": "State Tax",
                "price": tax,
                "price_set": money_set(tax),
                "rate": 0.075,
                "channel_liable": False,
            }
        ]
    return {
        "id": 1001,
        "name": "#1001",
        "currency": "USD",
        "created_at": "2024-03-01T10:00:00-05:00",
        "processed_at": "2024-03-01T10:00:00-05:00",
        "updated_at": "2024-03-09T10:00:00-05:00",
        "cancelled_at": None,
        "test": False,
        "source_name": "web",
        "total_tip_received": "0.00",
        "discount_applications": apps,
        "line_items": [line],
        "shipping_lines": [],
        "refunds": refunds or [],
        "fulfillments": [],
    }


def rest_refund(
    amount: str, gateway: str, *, restock: str = "return", discrepancy: str | None = None
) -> dict[str, Any]:
    adjustments = []
    if discrepancy:
        adjustments.append(
            {
                "id": 77,
                "kind": "refund_discrepancy",
                "amount": discrepancy,
                "amount_set": money_set(discrepancy),
                "tax_amount": "0.00",
                "tax_amount_set": money_set("0.00"),
            }
        )
    parent = None if gateway == "gift_card" else 9001
    return {
        "id": 3001,
        "order_id": 1001,
        "created_at": "2024-03-08T12:00:00-05:00",
        "note": "",
        "refund_line_items": [
            {
                "id": 4001,
                "line_item_id": 501,
                "quantity": 1,
                "restock_type": restock,
                "subtotal": "0",
            }
        ],
        "order_adjustments": adjustments,
        "transactions": [
            rest_txn(9002, "refund", amount, gateway, "2024-03-08T12:00:00-05:00", parent)
        ],
    }
