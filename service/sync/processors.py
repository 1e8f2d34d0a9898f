"""One sync run of a PayPal or Stripe account.

A run reads the processor's records span by span from the account's
cursor (less an overlap: PayPal lists a record up to hours late and a
pending one settles days later; Stripe's payouts turn ``paid`` on
arrival), turns them into processor records, links them to the store's
orders, stores and posts them in batches, and moves the cursor past each
span once it is stored. A refusal by the processor (credentials, a bad
request) ends the run FAILED with the processor's words; throttling is
waited out or deferred to a later try.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.connectors.paypal.client import PayPalClient
from service.connectors.paypal.normalize import normalize as normalize_paypal
from service.connectors.processor_http import Linked, ProcessorError
from service.connectors.retry import SleepBudget
from service.connectors.stripe.client import StripeClient
from service.connectors.stripe.normalize import normalize_balance_transaction, normalize_payout
from service.domain.processor import BalanceTransaction
from service.ledger.order_posting import current_version
from service.ledger.processor_accounts import (
    PAYPAL,
    ProcessorAccount,
    account_credentials,
    add_counts,
    add_error,
    finish_run,
    get_account,
    get_run,
    save_cursor,
    start_run,
)
from service.ledger.processor_records import store_processor_records

# PayPal eChecks stay pending for up to about a week of business days.
OVERLAP = dt.timedelta(days=10)
WINDOW = dt.timedelta(days=31)
# A Stripe payout is created days before it arrives and is ``paid``: read
# payouts further back so one still in transit last time is seen paid.
PAYOUT_OVERLAP = dt.timedelta(days=7)
FIRST_SYNC_DAYS = 365
BATCH = 200
INLINE_WAIT_SECONDS = 5.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _start_from(
    pool: asyncpg.Pool, company_id: UUID, account: ProcessorAccount, now: dt.datetime
) -> dt.datetime:
    """Where this run reads from: the cursor less the overlap; for a first
    run the merchant's ``syncFrom``, else a year back or the day before the
    store's first order if that is earlier (the store's own orders may
    still be on their way when both are connected together)."""
    through = (account.cursor or {}).get("through")
    if isinstance(through, str):
        return dt.datetime.fromisoformat(through) - OVERLAP
    chosen = account.settings.get("syncFrom")
    if isinstance(chosen, str):
        return dt.datetime.combine(dt.date.fromisoformat(chosen), dt.time(), dt.UTC)
    async with pool.acquire() as conn:
        version, _ = await current_version(conn, company_id)
        first = await conn.fetchval(
            "SELECT min(placed_at) FROM order_summaries WHERE company_id = $1 "
            "AND journal_version = $2 AND store_id = $3",
            company_id,
            version,
            account.store_id,
        )
    start: dt.datetime = now - dt.timedelta(days=FIRST_SYNC_DAYS)
    if first is not None:
        start = min(first - dt.timedelta(days=1), start)
    return start


def windows(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Spans of at most 31 days from ``start`` to ``end``: each is stored,
    posted and marked read before the next, so a long first sync resumes
    where it stopped."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    lo = start
    while lo < end:
        hi = min(lo + WINDOW, end)
        out.append((lo, hi))
        lo = hi
    return out


async def _paypal(
    client: PayPalClient, start: dt.datetime, end: dt.datetime
) -> AsyncIterator[Linked]:
    async for info in client.transactions(start, end):
        found = normalize_paypal(info, f"PayPal transaction {info.get('transaction_id')}")
        if found is not None:
            yield found


async def _stripe(
    client: StripeClient, start: dt.datetime, end: dt.datetime
) -> AsyncIterator[Linked]:
    """Paid payouts with the balance transactions each took to the bank
    (``?payout=``), then every other balance transaction of the span."""
    paid_out: set[str] = set()
    async for payout in client.payouts(start - PAYOUT_OVERLAP, until=end):
        found = normalize_payout(payout, f"Stripe payout {payout['id']}")
        if found is None:
            continue
        yield found
        async for bt in client.balance_transactions(None, payout=payout["id"]):
            paid_out.add(bt["id"])
            linked = normalize_balance_transaction(
                bt, f"Stripe balance transaction {bt['id']}", payout_id=payout["id"]
            )
            if linked is not None:
                yield linked
    async for bt in client.balance_transactions(start, until=end):
        path = f"Stripe balance transaction {bt['id']}"
        linked = None if bt["id"] in paid_out else normalize_balance_transaction(bt, path)
        if linked is not None:
            yield linked


def client_for(
    account: ProcessorAccount,
    credentials: dict[str, Any],
    *,
    http: httpx.AsyncClient | None = None,
) -> PayPalClient | StripeClient:
    base = account.settings.get("baseUrl")
    sleep = SleepBudget(INLINE_WAIT_SECONDS)
    if account.processor == PAYPAL:
        return PayPalClient(
            credentials["clientId"], credentials["clientSecret"], base, http=http, sleep=sleep
        )
    return StripeClient(credentials["secretKey"], base, http=http, sleep=sleep)


async def _apply(
    pool: asyncpg.Pool, company_id: UUID, run_id: UUID, store_id: UUID, batch: list[Linked]
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        aliases = {
            x.record.source_order_transaction_id: x.aliases
            for x in batch
            if isinstance(x.record, BalanceTransaction)
            and x.record.source_order_transaction_id
            and x.aliases
        }
        done = await store_processor_records(
            conn, company_id, store_id, [(x.record, x.order_ref) for x in batch], aliases
        )
        await add_counts(
            conn,
            company_id,
            run_id,
            records=done.balance_transactions,
            payouts=done.payouts,
            needs_review=done.needs_review,
            progress="storing records",
        )
        for currency, count in sorted(done.other_currency.items()):
            await add_error(
                conn,
                company_id,
                run_id,
                f"{count} record(s) in {currency} are stored but not posted: "
                "the books are kept in the store's currency",
            )


async def _read_window(
    pool: asyncpg.Pool,
    company_id: UUID,
    run_id: UUID,
    account: ProcessorAccount,
    client: PayPalClient | StripeClient,
    span: tuple[dt.datetime, dt.datetime],
) -> None:
    lo, hi = span
    records = (
        _paypal(client, lo, hi) if isinstance(client, PayPalClient) else _stripe(client, lo, hi)
    )
    batch: list[Linked] = []
    async for linked in records:
        batch.append(linked)
        if len(batch) >= BATCH:
            await _apply(pool, company_id, run_id, account.store_id, batch)
            batch = []
    if batch:
        await _apply(pool, company_id, run_id, account.store_id, batch)
    await save_cursor(pool, company_id, account.account_id, {"through": hi.isoformat()})


async def run_processor_sync(
    pool: asyncpg.Pool,
    secret_key: str,
    company_id: UUID,
    run_id: UUID,
    *,
    http: httpx.AsyncClient | None = None,
    now: Callable[[], dt.datetime] = _now,
    step_seconds: float = 60.0,
) -> str:
    """Run a sync for at most about ``step_seconds``: SUCCEEDED or FAILED when
    it is over, CONTINUE when the next step (a job of its own) goes on from
    the last span read, SKIPPED when the run was not open."""
    deadline = time.monotonic() + step_seconds
    async with pool.acquire() as conn, conn.transaction():
        if not await start_run(conn, company_id, run_id):
            return "SKIPPED"
    run = await get_run(pool, company_id, run_id)
    account = await get_account(pool, company_id, run.account_id) if run else None
    if run is None or account is None:
        return "SKIPPED"
    credentials = await account_credentials(pool, company_id, account.account_id, secret_key)
    end = now()
    spans = windows(await _start_from(pool, company_id, account, end), end)
    client = client_for(account, credentials, http=http)
    try:
        for n, span in enumerate(spans):
            if n and time.monotonic() > deadline:
                return "CONTINUE"
            await _read_window(pool, company_id, run_id, account, client, span)
    except ProcessorError as exc:
        await finish_run(pool, company_id, run_id, "FAILED", error=str(exc))
        return "FAILED"
    finally:
        await client.aclose()
    await finish_run(pool, company_id, run_id, "SUCCEEDED", cursor={"through": end.isoformat()})
    return "SUCCEEDED"
