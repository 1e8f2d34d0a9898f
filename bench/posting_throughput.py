"""Single-core throughput of the posting engine on typical orders.

Typical order: 3 to 5 lines (some discounted, taxed), shipping, one
processor payment, one fulfillment, and a refund of one line (restocked)
on one order in five. The orders are built once (deterministic seed); the
timed part is ``post_order`` alone, for each basis / tracking pair, several
rounds; the figure is the median round.

    .venv/bin/python bench/posting_throughput.py [--orders 20000] [--rounds 7]

It pins itself to one CPU (single-core throughput) and prints which build
of the engine it timed (sources or compiled extension modules).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

# Appended, not prepended: PYTHONPATH (e.g. a mypyc-compiled build of the
# engine, see bench/README.md) wins over the sources.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from service.domain.context import PostingContext
from service.domain.costs import LineCost
from service.domain.events import (
    Event,
    Fulfillment,
    FulfillmentLine,
    PaymentMethod,
    Refund,
    RefundLine,
    RestockType,
    Transaction,
    TransactionKind,
)
from service.domain.history import OrderHistory
from service.domain.order import DiscountAllocation, LineItem, Order, ShippingLine, TaxLine
from service.domain.settings import AccountingBasis, FulfillmentTracking, Settings
from service.posting import post_order

BASE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def typical_orders(n: int, seed: int = 7) -> list[tuple[OrderHistory, tuple[LineCost, ...]]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        placed = BASE + dt.timedelta(minutes=rnd.randint(0, 500_000))
        lines = []
        costs = []
        for j in range(rnd.randint(3, 5)):
            qty = rnd.randint(1, 3)
            price = rnd.randint(500, 8000)
            disc = rnd.randint(0, price * qty // 4) if rnd.random() < 0.3 else 0
            tax = (price * qty - disc) * 8 // 100
            lid = f"{i}-{j}"
            lines.append(
                LineItem(
                    lid,
                    f"SKU{rnd.randint(1, 300)}",
                    qty,
                    price,
                    (DiscountAllocation(disc),) if disc else (),
                    (TaxLine(tax),),
                )
            )
            costs.append(LineCost(lid, price // 3))
        shipping = (ShippingLine(f"s{i}", 599, 0, (TaxLine(48),)),)
        order = Order(
            id=f"o{i}",
            store_id="store1",
            currency="USD",
            timezone="America/New_York",
            placed_at=placed,
            lines=tuple(lines),
            shipping_lines=shipping,
            name=f"#{1000 + i}",
        )
        total = (
            sum(
                ln.quantity * ln.unit_price
                - sum(d.amount for d in ln.discounts)
                + ln.tax_lines[0].amount
                for ln in lines
            )
            + 599
            + 48
        )
        events: list[Event] = [
            Transaction(
                f"p{i}",
                placed + dt.timedelta(seconds=5),
                TransactionKind.SALE,
                total,
                "shopify_payments",
                PaymentMethod.PROCESSOR,
            ),
            Fulfillment(
                f"f{i}",
                placed + dt.timedelta(days=rnd.randint(0, 4)),
                tuple(FulfillmentLine(ln.id, ln.quantity) for ln in lines),
            ),
        ]
        if rnd.random() < 0.2:
            ln = lines[0]
            value = ln.unit_price - (sum(d.amount for d in ln.discounts) // ln.quantity)
            at = placed + dt.timedelta(days=rnd.randint(6, 30))
            events.append(
                Refund(
                    f"r{i}",
                    at,
                    (RefundLine(ln.id, 1, RestockType.RETURN),),
                    (),
                    (
                        Transaction(
                            f"rt{i}",
                            at,
                            TransactionKind.REFUND,
                            max(value, 0),
                            "shopify_payments",
                            PaymentMethod.PROCESSOR,
                        ),
                    ),
                )
            )
        rnd.shuffle(events)
        out.append((OrderHistory(order, tuple(events)), tuple(costs)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    orders = typical_orders(args.orders)
    import service.posting.engine as engine_module

    build = "compiled" if engine_module.__file__.endswith(".so") else "interpreted"
    print(
        f"python {sys.version.split()[0]} ({build}: {engine_module.__file__}),"
        f" {args.orders} typical orders, {args.rounds} rounds"
    )
    medians = []
    for basis in AccountingBasis:
        for tracking in FulfillmentTracking:
            settings = Settings(basis, tracking)
            work = [(h, PostingContext(settings, None, (), c)) for h, c in orders]
            rates = []
            entries = lines = 0
            for _ in range(args.rounds):
                gc.collect()
                t0 = time.perf_counter()
                for h, ctx in work:
                    post_order(h, ctx)
                rates.append(len(work) / (time.perf_counter() - t0))
            for h, ctx in work[:1000]:
                es = post_order(h, ctx)
                entries += len(es)
                lines += sum(len(e.lines) for e in es)
            med = statistics.median(rates)
            medians.append(med)
            print(
                f"  {basis.value:7} {tracking.value:20} median {med:9,.0f} orders/s"
                f"  (min {min(rates):,.0f}, max {max(rates):,.0f});"
                f" {entries / 1000:.1f} entries, {lines / 1000:.1f} lines per order"
            )
    print(f"median over the four settings: {statistics.median(medians):,.0f} orders/s")


if __name__ == "__main__":
    main()
