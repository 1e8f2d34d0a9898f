"""A full re-post posts its batches in posting processes or in its own
process, and the books come out the same either way: entries, lines,
balances, order summaries, missing costs and COGS details, a closed
period kept as it was, and the orders that cannot post listed with their
reason rather than dropped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.domain.events import Transaction, TransactionKind
from service.domain.history import OrderHistory
from service.ledger.closing import close_books
from service.ledger.codec import encode
from service.ledger.posting_pool import close_posting_pool, posting_processes
from service.ledger.reposting import request_full_repost, run_full_repost
from service.ledger.verify import verify_company
from tests.conftest import Tenant
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.graphql import graphql_order

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 160
BATCH = 40


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    yield
    close_posting_pool()


def _histories(store_id: UUID) -> list[OrderHistory]:
    shop = generate_shop(ORDERS, seed=5)
    return [
        history_from_graphql(flatten(graphql_order(o)), store_id=str(store_id), timezone="UTC")
        for o in shop.orders
    ]


def _unpostable(history: OrderHistory) -> OrderHistory:
    """The same order in a time zone nobody knows: it cannot post."""
    order = dataclasses.replace(history.order, id="broken-1", timezone="Mars/Olympus_Mons")
    return dataclasses.replace(history, order=order)


def _waiting(histories: list[OrderHistory]) -> OrderHistory:
    """An order whose refund gives back money it has not seen paid yet."""
    for h in histories:
        paid = [e for e in h.events if isinstance(e, Transaction) and e.moves_money_in]
        refunds = [e for e in h.events if type(e).__name__ == "Refund" and e.transactions]
        if paid and refunds:
            events = tuple(
                e
                for e in h.events
                if not (isinstance(e, Transaction) and e.kind is not TransactionKind.REFUND)
            )
            order = dataclasses.replace(h.order, id="waiting-1")
            return OrderHistory(order, events)
    raise AssertionError("no refunded order in the fake shop")


async def _load(pool: asyncpg.Pool, tenant: Tenant) -> None:
    histories = _histories(tenant.store_id)
    histories += [_unpostable(histories[0]), _waiting(histories)]
    await pool.executemany(
        "INSERT INTO order_sources (company_id, store_id, order_id, history) "
        "VALUES ($1, $2, $3, $4)",
        [(tenant.company_id, tenant.store_id, h.order.id, encode(h)) for h in histories],
    )


async def _repost(pool: asyncpg.Pool, company_id: UUID, settings_version: int) -> int:
    async with pool.acquire() as conn:
        job = await request_full_repost(conn, company_id, settings_version, reason="test")
    assert await run_full_repost(pool, company_id, job.job_id, batch_orders=BATCH) == "DONE"
    version: int = await pool.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    return version


async def _new_settings(pool: asyncpg.Pool, company_id: UUID, basis: str) -> int:
    version: int = await pool.fetchval(
        "UPDATE bookkeeping_settings SET accounting_basis = $2, version = version + 1 "
        "WHERE company_id = $1 RETURNING version",
        company_id,
        basis,
    )
    return version


BOOKS = {
    "journal": """
        SELECT e.subject, e.entry_key, e.entry_date, e.order_id, e.event_id, e.rule, e.memo,
               e.currency_code, l.line_no, l.account_key, l.amount, l.store_id, l.channel,
               l.order_id, l.sku, l.processor
        FROM journal_entries e JOIN journal_lines l USING (company_id, entry_id)
        WHERE e.company_id = $1 AND e.journal_version = $2""",
    "daily_balances": "SELECT day, account_key, store_id, channel, amount FROM daily_balances "
    "WHERE company_id = $1 AND journal_version = $2",
    "order_summaries": "SELECT store_id, order_id, name, placed_at, source, currency_code, "
    "total, open_balance, payment_status, fulfillment_status, books_status, refunded, "
    "missing_costs, posting_error, recognized_on FROM order_summaries "
    "WHERE company_id = $1 AND journal_version = $2",
    "missing_costs": "SELECT store_id, order_id, line_id, sku, order_name, day, channel, "
    "quantity FROM missing_costs WHERE company_id = $1 AND journal_version = $2",
    "cogs_details": "SELECT store_id, order_id, entry_key, sku, day, channel, order_name, "
    "quantity, unit_cost, amount, cost_source FROM cogs_details "
    "WHERE company_id = $1 AND journal_version = $2",
}


async def _books(pool: asyncpg.Pool, company_id: UUID, version: int) -> dict[str, list[str]]:
    out = {}
    for table, query in BOOKS.items():
        rows = await pool.fetch(query, company_id, version)
        out[table] = sorted(repr(tuple(r)) for r in rows)
    return out


async def test_posting_processes_and_in_process_posting_give_the_same_books(
    pool: asyncpg.Pool, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _load(pool, tenant)
    monkeypatch.setenv("STOREBOOKS_POSTING_PROCESSES", "0")
    first = await _repost(pool, tenant.company_id, 1)
    placed = sorted(
        r["placed_at"]
        for r in await pool.fetch(
            "SELECT placed_at FROM order_summaries WHERE company_id = $1 AND journal_version = $2",
            tenant.company_id,
            first,
        )
    )
    async with pool.acquire() as conn, conn.transaction():
        through = placed[len(placed) // 2].date()
        await close_books(conn, tenant.company_id, through, dt.date.today())
    # Half the products get a cost of their own: COGS posts from it.
    await pool.execute(
        "UPDATE products SET average_cost = 250 + length(sku) WHERE company_id = $1 "
        "AND sku IN (SELECT sku FROM products WHERE company_id = $1 ORDER BY sku "
        "LIMIT (SELECT count(*) / 2 FROM products WHERE company_id = $1))",
        tenant.company_id,
    )

    # The same settings change, posted once here and once in two processes.
    in_process = await _repost(
        pool, tenant.company_id, await _new_settings(pool, tenant.company_id, "ACCRUAL")
    )
    monkeypatch.setenv("STOREBOOKS_POSTING_PROCESSES", "2")
    assert posting_processes() == 2
    in_pool = await _repost(
        pool, tenant.company_id, await _new_settings(pool, tenant.company_id, "ACCRUAL")
    )
    assert in_process != in_pool
    ours = await _books(pool, tenant.company_id, in_process)
    theirs = await _books(pool, tenant.company_id, in_pool)
    assert len(ours["journal"]) > 4 * ORDERS
    assert any("'period.adjustment'" in row for row in ours["journal"])  # the close held
    assert ours["cogs_details"] and ours["missing_costs"]
    assert ours == theirs
    # The per-day missing-cost counters, counted once the last batch was in,
    # agree with the rows.
    for version in (in_process, in_pool):
        counted = await pool.fetch(
            "SELECT day, store_id, lines FROM missing_cost_days WHERE company_id = $1 "
            "AND journal_version = $2 AND lines <> 0 ORDER BY day, store_id",
            tenant.company_id,
            version,
        )
        rows = await pool.fetch(
            "SELECT day, store_id, count(*) AS lines FROM missing_costs WHERE company_id = $1 "
            "AND journal_version = $2 GROUP BY day, store_id ORDER BY day, store_id",
            tenant.company_id,
            version,
        )
        assert rows and [tuple(r) for r in counted] == [tuple(r) for r in rows]

    statuses = dict(
        await pool.fetch(
            "SELECT order_id, books_status FROM order_summaries "
            "WHERE company_id = $1 AND journal_version = $2 AND order_id = any($3::text[])",
            tenant.company_id,
            in_pool,
            ["broken-1", "waiting-1"],
        )
    )
    assert statuses == {"broken-1": "ERROR", "waiting-1": "NEEDS_DATA"}
    # The books check out against a re-post from scratch; what is listed
    # is only the two orders that could not post, each with its reason.
    report = await verify_company(pool, tenant.company_id)
    assert len(report.problems) == 2, report.problems
    assert "is ERROR: order broken-1: unknown time zone" in report.problems[0]
    assert "NEEDS_DATA" in report.problems[1]


def test_the_default_is_one_per_core_and_none_on_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STOREBOOKS_POSTING_PROCESSES", raising=False)
    assert posting_processes(cores=1) == 0
    assert posting_processes(cores=2) == 2
    assert posting_processes(cores=64) == 8


def test_a_posting_process_count_that_is_not_a_number_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STOREBOOKS_POSTING_PROCESSES", "two")
    with pytest.raises(ValueError, match="STOREBOOKS_POSTING_PROCESSES: 'two'"):
        posting_processes()


class _Killed(Exception):
    """The process stops here (as a kill would, minus the process)."""


async def test_a_repost_stopped_mid_way_resumes_to_the_same_books(
    pool: asyncpg.Pool, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.ledger.reposting as reposting

    await _load(pool, tenant)
    monkeypatch.setenv("STOREBOOKS_POSTING_PROCESSES", "0")
    first = await _repost(pool, tenant.company_id, 1)
    before = await _books(pool, tenant.company_id, first)
    straight = await _repost(
        pool, tenant.company_id, await _new_settings(pool, tenant.company_id, "ACCRUAL")
    )
    expected = await _books(pool, tenant.company_id, straight)

    monkeypatch.setenv("STOREBOOKS_POSTING_PROCESSES", "1")
    settings_version = await _new_settings(pool, tenant.company_id, "ACCRUAL")
    async with pool.acquire() as conn:
        job = await request_full_repost(conn, tenant.company_id, settings_version, reason="t")
    write, switch, writes = reposting.write_batch, reposting._switch, []

    async def dies_on_the_third_batch(*args: object) -> None:
        writes.append(1)
        if len(writes) == 3:
            raise _Killed
        await write(*args)  # type: ignore[arg-type]

    async def dies_before_switching(*args: object) -> None:
        raise _Killed

    monkeypatch.setattr(reposting, "write_batch", dies_on_the_third_batch)
    with pytest.raises(_Killed):
        await run_full_repost(pool, tenant.company_id, job.job_id, batch_orders=BATCH)
    cursor = await pool.fetchval(
        "SELECT build_cursor FROM books WHERE company_id = $1", tenant.company_id
    )
    assert cursor.startswith("order:")  # two batches saved, the third rolled back
    assert await _books(pool, tenant.company_id, straight) == expected  # live books untouched

    # Built and balanced, then stopped before the switch: the next step only switches.
    monkeypatch.setattr(reposting, "_switch", dies_before_switching)
    with pytest.raises(_Killed):
        await run_full_repost(pool, tenant.company_id, job.job_id, batch_orders=BATCH)
    assert (
        await pool.fetchval(
            "SELECT build_cursor FROM books WHERE company_id = $1", tenant.company_id
        )
        == "balanced"
    )
    monkeypatch.setattr(reposting, "_switch", switch)
    assert await run_full_repost(pool, tenant.company_id, job.job_id) == "DONE"
    resumed = await pool.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", tenant.company_id
    )
    assert resumed not in (first, straight)
    assert await _books(pool, tenant.company_id, resumed) == expected
    assert expected != before


def test_posting_processes_end_with_a_killed_parent(tmp_path: Path) -> None:
    """A worker killed with -9 leaves no posting process behind."""
    script = (
        "import os, time\n"
        "from service.ledger import posting_pool\n"
        "print(posting_pool._pool(1).submit(os.getpid).result(), flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert Path(f"/proc/{child}").exists()
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists(), "the posting process outlived its parent"


async def test_a_repost_remembers_the_products_and_skus_of_histories_never_posted(
    pool: asyncpg.Pool, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imported histories that no posting has seen yet, and a history that
    changed since it last posted, have their products and order SKUs
    remembered by the re-post; a history that posted as it is had them
    remembered then (its order SKUs are left as they are)."""
    await _load(pool, tenant)
    company = tenant.company_id
    orders = [
        r["order_id"]
        for r in await pool.fetch(
            "SELECT order_id FROM order_sources WHERE company_id = $1 ORDER BY order_id", company
        )
    ]
    posted, changed = orders[: len(orders) // 2], orders[-1]
    await pool.execute(
        "UPDATE order_sources SET good_history = history, history_posted = true "
        "WHERE company_id = $1 AND order_id = any($2::text[])",
        company,
        [*posted, changed],
    )
    await pool.execute(  # a new line since it last posted
        "UPDATE order_sources SET history_posted = false, "
        "history = jsonb_set(history, '{order,lines}', (history #> '{order,lines}') "
        "|| jsonb_set(history #> '{order,lines,0}', '{sku}', "
        "'\"NEW-SKU\"')) WHERE company_id = $1 AND order_id = $2",
        company,
        changed,
    )
    monkeypatch.setenv("STOREBOOKS_POSTING_PROCESSES", "1")
    await _repost(pool, company, await _new_settings(pool, company, "ACCRUAL"))

    remembered = {
        r["order_id"]
        for r in await pool.fetch("SELECT order_id FROM order_skus WHERE company_id = $1", company)
    }
    with_skus = {
        r["order_id"]
        for r in await pool.fetch(
            "SELECT order_id FROM order_sources WHERE company_id = $1 AND EXISTS ("
            "SELECT FROM jsonb_array_elements(history #> '{order,lines}') l "
            "WHERE l ->> 'sku' <> '' AND NOT (l ->> 'gift_card')::boolean)",
            company,
        )
    }
    assert remembered == (with_skus - set(posted)) | {changed}
    assert (
        await pool.fetchval(
            "SELECT title FROM products WHERE company_id = $1 AND sku = 'NEW-SKU'", company
        )
        is not None
    )
