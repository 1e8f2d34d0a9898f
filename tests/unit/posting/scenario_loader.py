"""Read a scenario file (tests/scenarios/*.json) into domain objects.

The format is described in tests/scenarios/README.md. Amounts in files are
decimal strings in the order's currency; expected amounts are debit
positive, credit negative (the JournalLine convention).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from service.connectors.shopify.gateways import classify_gateway
from service.domain.context import PostingContext
from service.domain.costs import CostSource, LineCost
from service.domain.events import (
    AdjustmentKind,
    Cancellation,
    Event,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Refund,
    RefundAdjustment,
    RefundLine,
    RestockType,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from service.domain.history import OrderHistory
from service.domain.money import to_minor
from service.domain.order import DiscountAllocation, LineItem, Order, ShippingLine, TaxLine
from service.domain.processor import BalanceTransaction, Payout, ProcessorRecord
from service.domain.restocks import ChannelRestock, SkuRestock
from service.domain.settings import (
    AccountingBasis,
    ChannelStatus,
    DepositLink,
    FulfillmentTracking,
    OrderStatus,
    OrderStatusOverride,
    Settings,
)

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


def ts(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def _taxes(raw: list[dict[str, Any]] | None, cur: str) -> tuple[TaxLine, ...]:
    return tuple(
        TaxLine(
            to_minor(t["amount"], cur), bool(t.get("channel_liable", False)), t.get("title", "")
        )
        for t in raw or []
    )


def _txn(raw: dict[str, Any], cur: str, default_kind: str) -> Transaction:
    gateway = raw.get("gateway", "shopify_payments")
    method = raw.get("method")
    return Transaction(
        id=raw["id"],
        at=ts(raw["at"]),
        kind=TransactionKind(raw.get("kind", default_kind)),
        amount=to_minor(raw["amount"], raw.get("currency", cur)),
        gateway=gateway,
        method=(
            classify_gateway(gateway, bool(raw.get("manual_payment_gateway", False)))
            if method is None
            else _method(method)
        ),
        status=TransactionStatus(raw.get("status", "success")),
        currency=raw.get("currency"),
    )


def _method(m: str) -> Any:
    from service.domain.events import PaymentMethod

    return PaymentMethod(m)


def load_order(raw: dict[str, Any]) -> Order:
    cur = raw.get("currency", "USD")
    lines = tuple(
        LineItem(
            id=ln["id"],
            sku=ln.get("sku"),
            quantity=int(ln.get("quantity", 1)),
            unit_price=to_minor(ln["unit_price"], cur),
            discounts=tuple(
                DiscountAllocation(to_minor(d["amount"], cur), bool(d.get("order_level", False)))
                for d in ln.get("discounts", [])
            ),
            tax_lines=_taxes(ln.get("tax"), cur),
            gift_card=bool(ln.get("gift_card", False)),
            title=ln.get("title", ""),
            exchange_for=ln.get("exchange_for", ""),
        )
        for ln in raw["lines"]
    )
    shipping = tuple(
        ShippingLine(
            id=s.get("id", f"ship{i}"),
            price=to_minor(s["price"], cur),
            discount=to_minor(s.get("discount", "0"), cur),
            tax_lines=_taxes(s.get("tax"), cur),
        )
        for i, s in enumerate(raw.get("shipping", []))
    )
    return Order(
        id=raw.get("id", "o1"),
        store_id=raw.get("store_id", "store1"),
        currency=cur,
        timezone=raw.get("timezone", "America/New_York"),
        placed_at=ts(raw["placed_at"]),
        lines=lines,
        shipping_lines=shipping,
        tip=to_minor(raw.get("tip", "0"), cur),
        unallocated_discount=to_minor(raw.get("unallocated_discount", "0"), cur),
        source=raw.get("source", "web"),
        test=bool(raw.get("test", False)),
        name=raw.get("name", ""),
        taxes_included=bool(raw.get("taxes_included", False)),
    )


def load_event(raw: dict[str, Any], cur: str) -> Event:
    kind = raw["type"]
    if kind == "payment":
        return _txn(raw, cur, "sale")
    if kind == "transaction":
        return _txn(raw, cur, raw["kind"])
    if kind == "fulfillment":
        return Fulfillment(
            id=raw["id"],
            at=ts(raw["at"]),
            lines=tuple(FulfillmentLine(k, int(v)) for k, v in raw["lines"].items()),
            status=FulfillmentStatus(raw.get("status", "success")),
        )
    if kind == "refund":
        adjustments = []
        if "shipping" in raw or "shipping_tax" in raw:
            adjustments.append(
                RefundAdjustment(
                    AdjustmentKind.SHIPPING_REFUND,
                    to_minor(raw.get("shipping", "0"), cur),
                    to_minor(raw.get("shipping_tax", "0"), cur),
                )
            )
        if "discrepancy" in raw:
            adjustments.append(
                RefundAdjustment(
                    AdjustmentKind.REFUND_DISCREPANCY, to_minor(raw["discrepancy"], cur)
                )
            )
        return Refund(
            id=raw["id"],
            at=ts(raw["at"]),
            lines=tuple(
                RefundLine(
                    rl["line"],
                    int(rl.get("quantity", 1)),
                    RestockType(rl.get("restock", "no_restock")),
                )
                for rl in raw.get("lines", [])
            ),
            adjustments=tuple(adjustments),
            transactions=tuple(
                _txn({"at": raw["at"], **t}, cur, "refund") for t in raw.get("transactions", [])
            ),
            return_id=raw.get("return_id", ""),
        )
    if kind == "cancellation":
        return Cancellation(id=raw["id"], at=ts(raw["at"]), reason=raw.get("reason", ""))
    raise ValueError(f"unknown event type {kind}")


def load_history(scn: dict[str, Any]) -> OrderHistory:
    order = load_order(scn["order"])
    return OrderHistory(order, tuple(load_event(e, order.currency) for e in scn.get("events", [])))


def sub_scenarios(scn: dict[str, Any]) -> list[dict[str, Any]]:
    """A scenario is one order, or several under "orders" (each with its own
    order, events, costs, override and deposits; settings are shared)."""
    if "orders" not in scn:
        return [scn]
    shared = {k: v for k, v in scn.items() if k in ("channel_statuses",)}
    return [{**shared, **o} for o in scn["orders"]]


def load_context(scn: dict[str, Any], basis: str, tracking: str) -> PostingContext:
    cur = scn["order"].get("currency", "USD")
    costs_raw = scn.get("costs", {})
    costs: list[LineCost] = []
    if isinstance(costs_raw, dict):
        costs = [LineCost(k, to_minor(v, cur)) for k, v in costs_raw.items()]
    else:
        for c in costs_raw:
            costs.append(
                LineCost(
                    c["line"],
                    to_minor(c.get("unit_cost", "0"), cur),
                    CostSource(c.get("source", "PRODUCT_COSTING")),
                    bool(c.get("missing", False)),
                )
            )
    override = None
    if "override" in scn:
        o = scn["override"]
        override = OrderStatusOverride(
            OrderStatus(o["status"]), dt.date.fromisoformat(o["date"]) if o.get("date") else None
        )
    deposits = tuple(
        DepositLink(
            d["id"],
            dt.date.fromisoformat(d["date"]),
            to_minor(d["amount"], cur),
            to_minor(d.get("difference", "0"), cur),
            d.get("difference_account", "BANK_FEES"),
        )
        for d in scn.get("deposits", [])
    )
    settings = Settings(
        AccountingBasis(basis),
        FulfillmentTracking(tracking),
        tuple((k, ChannelStatus(v)) for k, v in scn.get("channel_statuses", {}).items()),
    )
    return PostingContext(settings, override, deposits, tuple(costs))


def expand_cases(scn: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Each case applies to one basis/tracking pair, or to all with "*"."""
    out = []
    for case in scn["cases"]:
        bases = (
            [b.value for b in AccountingBasis] if case.get("basis", "*") == "*" else [case["basis"]]
        )
        trackings = (
            [t.value for t in FulfillmentTracking]
            if case.get("tracking", "*") == "*"
            else [case["tracking"]]
        )
        for b in bases:
            for t in trackings:
                out.append((b, t, case))
    return out


def load_all() -> list[tuple[str, dict[str, Any]]]:
    return [(p.stem, json.loads(p.read_text())) for p in sorted(SCENARIO_DIR.glob("*.json"))]


def load_processor_records(scn: dict[str, Any]) -> tuple[ProcessorRecord, ...]:
    cur = scn.get("currency", "USD")
    out: list[ProcessorRecord] = []
    for r in scn["records"]:
        if r["record"] == "payout":
            out.append(
                Payout(
                    r["id"],
                    r.get("processor", "shopify_payments"),
                    dt.date.fromisoformat(r["date"]),
                    to_minor(r["amount"], cur),
                    to_minor(r.get("fee", "0"), cur),
                    r.get("currency"),
                )
            )
        else:
            out.append(
                BalanceTransaction(
                    id=r["id"],
                    processor=r.get("processor", "shopify_payments"),
                    type=r["type"],
                    at=ts(r["at"]),
                    amount=to_minor(r["amount"], r.get("currency", cur)),
                    fee=to_minor(r.get("fee", "0"), cur),
                    currency=r.get("currency"),
                    order_id=r.get("order_id"),
                    channel=r.get("channel", ""),
                    source_order_transaction_id=r.get("source_order_transaction_id"),
                    payout_id=r.get("payout_id"),
                )
            )
    return tuple(out)


def load_channel_restocks(scn: dict[str, Any]) -> list[ChannelRestock]:
    cur = scn.get("currency", "USD")
    return [
        ChannelRestock(
            r["id"],
            scn.get("store_id", "store1"),
            r["channel"],
            dt.date.fromisoformat(r["from"]),
            dt.date.fromisoformat(r["to"]),
            to_minor(r["amount"], cur),
            cur,
        )
        for r in scn.get("channel_restocks", [])
    ]


def load_sku_restocks(scn: dict[str, Any]) -> tuple[SkuRestock, ...]:
    cur = scn.get("currency", "USD")
    return tuple(
        SkuRestock(
            scn.get("store_id", "store1"),
            r["channel"],
            r["sku"],
            dt.date.fromisoformat(r["month"] + "-01"),
            int(r["units"]),
            to_minor(r["unit_cost"], cur),
            cur,
        )
        for r in scn.get("sku_restocks", [])
    )
