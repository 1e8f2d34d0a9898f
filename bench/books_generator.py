"""Synthetic companies for the benchmarks: N realistic order histories, fast.

A pool of a few thousand varied histories is made once the slow, faithful
way (``tests.fakes.shopify.generate.generate_shop`` -> GraphQL node ->
``flatten`` -> ``history_from_graphql``: payments of every kind, partial
fulfillments, refunds, restocks, gift cards, cancellations, test orders).
Each is stored as its JSON text cut at the order id, store id, name and
every timestamp; a clone is that text re-joined with a new order id and
every timestamp shifted so that the N orders are spread evenly over
``years`` years. Cloning costs a few microseconds per order, and the
histories are bulk-loaded with COPY into ``order_sources``.

    .venv/bin/python bench/books_generator.py --orders 100000 [--stores 2] [--years 3]

creates (or re-creates with --fresh) the database ``storebooks_bench`` on
the embedded server, a company with its stores, and the orders; it prints
the company id and an API token. The other benchmarks import
``bench_database``, ``make_company`` and ``iter_histories`` from here.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

import asyncpg  # noqa: E402

from service.config import get_settings  # noqa: E402
from service.db.connect import (  # noqa: E402
    database_name,
    ensure_database,
    resolve_endpoints,
    with_database,
)
from service.db.migrate import migrate  # noqa: E402

TIMEZONE = "America/New_York"
END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
_ORDER, _STORE, _NAME = "@@ORDER@@", "@@STORE@@", "@@NAME@@"
_TOKEN = re.compile(
    r'"(@@ORDER@@|@@STORE@@|@@NAME@@|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00)"'
)
PROTECTED = ("storebooks", "postgres", "template0", "template1")


# -- databases ------------------------------------------------------------


async def server_url() -> str:
    """Admin URL of the server the benchmarks use (embedded unless DATABASE_URL is set)."""
    endpoints = await resolve_endpoints(get_settings())
    return endpoints.database_url


async def redis_url() -> str:
    endpoints = await resolve_endpoints(get_settings())
    return endpoints.redis_url


async def bench_database(name: str, *, fresh: bool, url: str | None = None) -> str:
    """URL of a migrated benchmark database; `fresh` drops it first."""
    if name in PROTECTED or name.startswith("storebooks_test_") or "bench" not in name:
        raise SystemExit(f"refusing to use database {name!r}: benchmark databases contain 'bench'")
    base = url or await server_url()
    db_url = with_database(base, name)
    if fresh:
        admin = await asyncpg.connect(with_database(base, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    await ensure_database(db_url)
    conn = await asyncpg.connect(db_url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return db_url


async def drop_database(db_url: str) -> None:
    name = database_name(db_url)
    assert "bench" in name
    admin = await asyncpg.connect(with_database(db_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# -- the pool of histories ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[str, ...]  # literal, token, literal, token, ..., literal
    stamps: tuple[dt.datetime | None, ...]  # per token: its time, None for a placeholder
    placed: dt.datetime


def build_templates(pool_size: int = 3000, seed: int = 20261122) -> list[Template]:
    """`pool_size` faithful histories, as cut JSON texts (about 0.6 ms each to make)."""
    from service.connectors.shopify.assemble import flatten
    from service.connectors.shopify.normalize_graphql import history_from_graphql
    from service.ledger.codec import encode
    from tests.fakes.shopify.generate import generate_shop
    from tests.fakes.shopify.graphql import graphql_order

    shop = generate_shop(pool_size, seed)
    out: list[Template] = []
    for o in shop.orders:
        node = flatten(graphql_order(o))
        history = history_from_graphql(node, store_id=_STORE, timezone=TIMEZONE)
        order = dataclasses.replace(history.order, id=_ORDER, name=_NAME)
        history = dataclasses.replace(history, order=order)
        text = json.dumps(encode(history), separators=(",", ":"))
        pieces = _TOKEN.split(text)
        stamps: list[dt.datetime | None] = []
        for token in pieces[1::2]:
            stamps.append(None if token.startswith("@@") else dt.datetime.fromisoformat(token))
        out.append(Template(tuple(pieces), tuple(stamps), history.order.placed_at))
    return out


def iter_histories(
    templates: Sequence[Template],
    n_orders: int,
    store_ids: Sequence[UUID],
    *,
    years: float = 3.0,
    end: dt.datetime = END,
    seed: int = 1,
    first_number: int = 0,
) -> Iterator[tuple[UUID, str, str]]:
    """(store id, order id, history JSON) for n orders spread evenly over `years` before `end`."""
    rng = random.Random(seed)
    span = dt.timedelta(days=365 * years).total_seconds()
    start = end - dt.timedelta(seconds=span)
    step = span / max(n_orders, 1)
    for i in range(first_number, first_number + n_orders):
        t = templates[rng.randrange(len(templates))]
        store = store_ids[i % len(store_ids)]
        placed = start + dt.timedelta(seconds=(i - first_number) * step + rng.random() * step)
        shift = placed - t.placed
        order_id = str(9_000_000_000 + i)
        values = {_ORDER: order_id, _STORE: str(store), _NAME: f"#B{i + 1001}"}
        pieces = list(t.parts)
        for k, stamp in enumerate(t.stamps):
            j = 2 * k + 1
            pieces[j] = values[pieces[j]] if stamp is None else (stamp + shift).isoformat()
        # re.split dropped the quotes around each token; joining with '"' puts them back
        yield store, order_id, '"'.join(pieces)


# -- companies ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenchCompany:
    company_id: UUID
    api_token: str
    store_ids: tuple[UUID, ...]


async def make_company(
    conn: asyncpg.Connection, name: str, *, stores: int = 1, shop_domains: Sequence[str] = ()
) -> BenchCompany:
    """A company with `stores` stores (connected Shopify stores when domains are given)."""
    from service.ledger.companies import create_company, create_store

    created = await create_company(conn, name)
    store_ids = []
    for s in range(stores):
        if s < len(shop_domains):
            from service.sync.shopify_stores import connect_store

            store = await connect_store(
                conn,
                created.company_id,
                get_settings().resolved_secret_key(),
                shop_domain=shop_domains[s],
                access_token="shpat_bench",
                webhook_secret="bench-webhook-secret",
                api_base_url="http://127.0.0.1:9/unused",
                timezone=TIMEZONE,
                currency_code="USD",
            )
        else:
            store = await create_store(
                conn, created.company_id, f"Bench store {s + 1}", timezone=TIMEZONE
            )
        store_ids.append(store.store_id)
    return BenchCompany(created.company_id, created.api_token, tuple(store_ids))


async def load_orders(
    conn: asyncpg.Connection,
    company_id: UUID,
    histories: Iterator[tuple[UUID, str, str]],
    *,
    batch: int = 20_000,
) -> int:
    """COPY histories into order_sources (a plain connection: jsonb goes as text)."""
    total = 0
    rows: list[tuple[object, ...]] = []
    now = dt.datetime.now(dt.UTC)

    async def flush() -> None:
        await conn.copy_records_to_table(
            "order_sources",
            records=rows,
            columns=("company_id", "store_id", "order_id", "history", "source_updated_at"),
        )

    for store, order_id, text in histories:
        rows.append((company_id, store, order_id, text, now))
        if len(rows) >= batch:
            await flush()
            total += len(rows)
            rows = []
    if rows:
        await flush()
        total += len(rows)
    return total


async def generate_company(
    db_url: str,
    n_orders: int,
    *,
    stores: int = 1,
    years: float = 3.0,
    pool_size: int = 3000,
    seed: int = 1,
    name: str = "Bench Company",
    shop_domains: Sequence[str] = (),
    quiet: bool = False,
) -> BenchCompany:
    t0 = time.perf_counter()
    templates = build_templates(pool_size)
    t1 = time.perf_counter()
    conn = await asyncpg.connect(db_url)
    try:
        company = await make_company(conn, name, stores=stores, shop_domains=shop_domains)
        loaded = await load_orders(
            conn,
            company.company_id,
            iter_histories(templates, n_orders, company.store_ids, years=years, seed=seed),
        )
        await conn.execute("ANALYZE order_sources")
    finally:
        await conn.close()
    t2 = time.perf_counter()
    if not quiet:
        print(
            f"generator: pool of {pool_size} histories in {t1 - t0:.1f} s; "
            f"{loaded:,} orders cloned and COPied in {t2 - t1:.1f} s "
            f"({loaded / (t2 - t1):,.0f} orders/s)",
            flush=True,
        )
    return company


async def _main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--stores", type=int, default=1)
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--pool", type=int, default=3000, help="distinct histories to clone from")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", default="storebooks_bench")
    ap.add_argument("--fresh", action="store_true", help="drop the database first")
    args = ap.parse_args()
    db_url = await bench_database(args.db, fresh=args.fresh)
    company = await generate_company(
        db_url,
        args.orders,
        stores=args.stores,
        years=args.years,
        pool_size=args.pool,
        seed=args.seed,
    )
    print(
        json.dumps(
            {
                "database": args.db,
                "companyId": str(company.company_id),
                "apiToken": company.api_token,
                "storeIds": [str(s) for s in company.store_ids],
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(_main())
