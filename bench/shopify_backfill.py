"""A Shopify backfill of a large fake store, checked and measured.

The fake Shopify (tests/fakes/shopify) charges Shopify's documented query
costs and refuses any document over 1,000 points. The store has ``--orders``
generated orders plus ``--large`` orders of 300 lines, 30 refunds and 15
fulfilments, all older than 60 days. The script runs the connector's bulk
backfill and its payouts sync against it and checks:

- no document Shopify was sent asked for more than 1,000 points;
- every order read equals what its webhooks say (no nested item lost);
- each payout is read once and no payout's own balance line (TRANSFER)
  is kept beside it.

    .venv/bin/python bench/shopify_backfill.py [--orders 20000] [--large 20] [--version 2026-01]

It prints the figures: time, queries, points requested and spent, the
dearest document.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from service.connectors.shopify import API_VERSION
from service.connectors.shopify.client import ShopifyClient
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.normalize_rest import history_from_rest
from service.connectors.shopify.sync import backfill_orders, sync_payouts
from tests.fakes.shopify import FakeShopify, generate_shop
from tests.fakes.shopify.model import FakeShopData, FOrder
from tests.fakes.shopify.rest import (
    rest_fulfillment,
    rest_order,
    rest_refund,
    rest_transactions,
)

TOKEN = "shpat_bench"


async def _no_wait(_seconds: float) -> None:
    return None


def _from_webhooks(data: FakeShopData, o: FOrder) -> object:
    body = rest_order(o)
    body["refunds"] = [rest_refund(o, i) for i in range(len(o.refunds))]
    body["fulfillments"] = [rest_fulfillment(o, i) for i in range(len(o.fulfillments))]
    return history_from_rest(body, rest_transactions(o), store_id="s", timezone=data.timezone)


def build_shop(orders: int, large: int, seed: int) -> tuple[FakeShopData, dt.datetime]:
    data = generate_shop(orders, seed)
    oldest = min(o.created_at for o in data.orders)
    for k in range(large):
        data.add_large_order(oldest - dt.timedelta(days=1 + k))
    newest = max(o.updated_at for o in data.orders)
    return data, newest + dt.timedelta(days=90)  # every large order is past 60 days


async def run(orders: int, large: int, seed: int, version: str) -> int:
    t0 = time.perf_counter()
    data, now = build_shop(orders, large, seed)
    built = time.perf_counter() - t0
    print(f"store: {len(data.orders)} orders ({large} large), built in {built:.1f} s")
    async with (
        FakeShopify(data, access_token=TOKEN, bulk_polls=1, now=now) as fake,
        ShopifyClient(data.domain, TOKEN, fake.base_url, api_version=version, sleep=_no_wait) as c,
    ):
        t1 = time.perf_counter()
        read: dict[str, dict[str, object]] = {}
        async for batch in backfill_orders(c, None, poll_interval=0):
            for node in batch.orders:
                read[str(node["id"]).rsplit("/", 1)[-1]] = node
        t2 = time.perf_counter()
        payouts, records = [], []
        async for pbatch in sync_payouts(c, None):
            payouts.extend(pbatch.payouts)
            records.extend(pbatch.balance_transactions)
        t3 = time.perf_counter()
        spent = c.cost_spent
    costs = [r["cost"] for r in fake.requests if r.get("cost") is not None]
    kinds = Counter(r["query"].split("(", 1)[0].split("{", 1)[0].strip() for r in fake.requests)
    problems = 0
    if set(read) != {str(o.id) for o in data.orders}:
        print(f"FAIL: read {len(read)} orders of {len(data.orders)}")
        problems += 1
    for o in data.orders:
        node = read.get(str(o.id))
        if node is None:
            continue
        got = history_from_graphql(node, store_id="s", timezone=data.timezone)
        if got != _from_webhooks(data, o):
            print(f"FAIL: order {o.id} differs from its webhooks")
            problems += 1
    if max(costs) > 1000:
        print(f"FAIL: a document asked for {max(costs)} points")
        problems += 1
    moved = [p for p in data.payouts if p.status in ("PAID", "IN_TRANSIT")]
    if sorted(p.id for p in payouts) != sorted(str(p.id) for p in moved):
        print("FAIL: payouts not read exactly once")
        problems += 1
    if any(r.type in ("transfer", "payout") for r in records):
        print("FAIL: a payout's own balance line was kept")
        problems += 1
    print(f"API version {version}: orders {t2 - t1:.1f} s, payouts {t3 - t2:.1f} s")
    print(
        f"queries {len(fake.requests)}, points requested {sum(costs)},"
        f" dearest document {max(costs)} (limit 1000)"
    )
    print(
        f"points spent (actualQueryCost) {spent}: {spent / 100 / 60:.1f} min of a Standard"
        f" plan's bucket (100 points/s), {spent / 1000 / 60:.1f} min on Shopify Plus"
    )
    print("queries by document: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(
        f"payouts {len(payouts)}, balance transactions {len(records)};"
        f" {'OK' if not problems else f'{problems} problems'}"
    )
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--version", default=API_VERSION)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.orders, args.large, args.seed, args.version)))


if __name__ == "__main__":
    main()
