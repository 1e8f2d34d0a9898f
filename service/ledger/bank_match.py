"""Explaining bank lines: payouts matched, deposits linked, lines categorised.

Matching: a line of the same amount and currency as a payout, dated from
one day before the payout's date (processors close their batches at
midnight UTC, so the payout's own date can be a day after the local one)
to ``WINDOW_DAYS`` after it, confirms that payout; the closest date wins.
A matched payout posts once, by its own record; the line only moves the
money into its bank account's sub-ledger.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from uuid import UUID

import asyncpg

from service.domain.accounts import ACCOUNTS_BY_KEY, ORDER_SUB_LEDGERS
from service.ledger.accounts import load_chart
from service.ledger.bank_explain import (
    LINE_SQL,
    BankRefused,
    LineRow,
    explain,
    get_line,
    line_row,
    repost_line,
)
from service.ledger.bank_posting import post_line_rows
from service.ledger.order_posting import repost_order
from service.ledger.orders import orders_by_keys
from service.ledger.payouts import PayoutRow, list_payouts

WINDOW_DAYS = 5
EARLY_DAYS = 1
PROCESSOR_WORDS = {
    "shopify_payments": ("SHOPIFY",),
    "paypal": ("PAYPAL",),
    "stripe": ("STRIPE",),
    "amazon": ("AMAZON",),
    "tiktok": ("TIKTOK",),
}


def processor_named(description: str) -> str | None:
    """Which processor a bank line's text names, if any."""
    text = description.upper()
    for processor, words in PROCESSOR_WORDS.items():
        if any(w in text for w in words):
            return processor
    return None


@dataclass(frozen=True, slots=True)
class Match:
    line_id: UUID
    payout: PayoutRow


def plan_matches(
    lines: list[tuple[UUID, dt.date, int, str]],
    payouts: list[PayoutRow],
    taken: set[tuple[str, str]],
) -> list[Match]:
    """Pair unexplained lines (id, date, amount, currency) with free payouts.

    Payouts are indexed by (currency, amount) and sorted by date, so each
    line looks only at payouts of its own amount: the work grows with the
    number of lines, not lines times payouts."""
    by_amount: dict[tuple[str, int], list[PayoutRow]] = defaultdict(list)
    for p in payouts:
        if (p.processor, p.payout_id) not in taken and p.amount != 0:
            by_amount[(p.currency, p.amount)].append(p)
    dates: dict[tuple[str, int], list[dt.date]] = {}
    for key, group in by_amount.items():
        group.sort(key=lambda p: p.payout_date)
        dates[key] = [p.payout_date for p in group]
    used: set[tuple[str, str]] = set()
    out: list[Match] = []
    for line_id, day, amount, currency in sorted(lines, key=lambda x: (x[1], str(x[0]))):
        key = (currency, amount)
        candidates = by_amount.get(key)
        if not candidates:
            continue
        lo = bisect.bisect_left(dates[key], day - dt.timedelta(days=WINDOW_DAYS))
        hi = bisect.bisect_right(dates[key], day + dt.timedelta(days=EARLY_DAYS))
        best: PayoutRow | None = None
        for p in candidates[lo:hi]:
            if (p.processor, p.payout_id) in used:
                continue
            if best is None or abs((day - p.payout_date).days) < abs((day - best.payout_date).days):
                best = p
        if best is not None:
            used.add((best.processor, best.payout_id))
            out.append(Match(line_id, best))
    return out


async def matched_payouts(conn: asyncpg.Connection, company_id: UUID) -> set[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT processor, payout_id FROM bank_explanations "
        "WHERE company_id = $1 AND kind = 'PAYOUT'",
        company_id,
    )
    return {(r["processor"], r["payout_id"]) for r in rows}


async def match_payouts(
    conn: asyncpg.Connection, company_id: UUID, line_ids: list[UUID] | None = None
) -> int:
    """Match unexplained lines (these, or all) to payouts; returns matches made."""
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND x.line_id IS NULL "
        "AND ($2::uuid[] IS NULL OR l.line_id = ANY($2))",
        company_id,
        line_ids,
    )
    matched = await match_rows(conn, company_id, [line_row(r) for r in rows])
    await post_line_rows(conn, company_id, matched)
    return len(matched)


async def match_rows(
    conn: asyncpg.Connection, company_id: UUID, lines: list[LineRow]
) -> list[LineRow]:
    """Match these unexplained lines to free payouts and record it; returns
    the lines matched, with their explanation (not posted yet)."""
    if not lines:
        return []
    # A payout can be up to WINDOW_DAYS before a line and EARLY_DAYS after it.
    first = min(x.date for x in lines) - dt.timedelta(days=WINDOW_DAYS + 1)
    last = max(x.date for x in lines) + dt.timedelta(days=EARLY_DAYS + 1)
    payouts = await list_payouts(conn, company_id, date_from=first, date_to=last)
    keyed = [(x.line_id, x.date, x.amount, x.currency) for x in lines]
    matches = plan_matches(keyed, payouts, await matched_payouts(conn, company_id))
    if not matches:
        return []
    await conn.execute(
        "INSERT INTO bank_explanations (company_id, line_id, kind, store_id, processor, payout_id) "
        "SELECT $1, l, 'PAYOUT', s, p, i FROM unnest($2::uuid[], $3::uuid[], $4::text[], "
        "$5::text[]) AS u(l, s, p, i)",
        company_id,
        [m.line_id for m in matches],
        [m.payout.store_id for m in matches],
        [m.payout.processor for m in matches],
        [m.payout.payout_id for m in matches],
    )
    by_id = {x.line_id: x for x in lines}
    return [
        replace(
            by_id[m.line_id],
            kind="PAYOUT",
            store_id=m.payout.store_id,
            processor=m.payout.processor,
            payout_id=m.payout.payout_id,
        )
        for m in matches
    ]


async def match_line_to_payout(
    conn: asyncpg.Connection, company_id: UUID, line_id: UUID, processor: str, payout_id: str
) -> None:
    """A match made by hand (a payout outside the window, say): the amounts must agree."""
    line = await _open_line(conn, company_id, line_id)
    payouts = {(p.processor, p.payout_id): p for p in await list_payouts(conn, company_id)}
    payout = payouts.get((processor, payout_id))
    if payout is None:
        raise BankRefused("input.payoutId", "NOT_FOUND", f"no {processor} payout {payout_id!r}")
    if payout.amount != line.amount or payout.currency != line.currency:
        raise BankRefused("input.payoutId", "INVALID", "the payout's amount is not the line's")
    if (processor, payout_id) in await matched_payouts(conn, company_id):
        raise BankRefused("input.payoutId", "ALREADY_EXPLAINED", "that payout is matched already")
    await explain(
        conn,
        company_id,
        line_id,
        "PAYOUT",
        store_id=payout.store_id,
        processor=processor,
        payout_id=payout_id,
    )


async def _open_line(conn: asyncpg.Connection, company_id: UUID, line_id: UUID) -> LineRow:
    line = await get_line(conn, company_id, line_id)
    if line is None:
        raise BankRefused("input.bankLineId", "NOT_FOUND", "no such bank line")
    if line.kind is not None:
        raise BankRefused(
            "input.bankLineId",
            "ALREADY_EXPLAINED",
            f"this bank line is explained already ({line.kind.lower()}); unexplain it first",
        )
    return line


# Link payment -----------------------------------------------------------


def allocate(deposit: int, balances: list[int]) -> list[int]:
    """Split a deposit over orders in proportion to their open balances
    (largest remainder, so the parts add up to the deposit exactly)."""
    total = sum(balances)
    if total <= 0:
        raise ValueError("nothing open to settle")
    raw = [deposit * b for b in balances]
    parts = [r // total for r in raw]
    rest = deposit - sum(parts)
    order = sorted(range(len(balances)), key=lambda i: (-(raw[i] % total), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def check_difference_account(key: str | None, field: str) -> str:
    if key is None:
        raise BankRefused(
            field, "REQUIRED", "the deposit differs from the open balances: name an account"
        )
    if key in ORDER_SUB_LEDGERS or key == "BANK" or key not in ACCOUNTS_BY_KEY:
        raise BankRefused(
            field,
            "INVALID",
            f"{key} cannot take a deposit's difference: use an expense, discount or bad debt",
        )
    return key


async def link_deposit(
    conn: asyncpg.Connection,
    company_id: UUID,
    line_id: UUID,
    keys: dict[int, tuple[UUID, str]],
    difference_account: str | None,
) -> None:
    """Link one deposit to unpaid orders and re-post them (all or nothing)."""
    line = await _open_line(conn, company_id, line_id)
    if line.amount <= 0:
        raise BankRefused("input.bankLineId", "INVALID", "only money in can pay orders")
    version = await conn.fetchval(
        "SELECT current_version FROM books WHERE company_id = $1", company_id
    )
    found = await orders_by_keys(conn, company_id, version, list(keys.values()))
    balances: list[int] = []
    for i, key in keys.items():
        summary = found.get(key)
        if summary is None:
            raise BankRefused(f"input.orderIds.{i}", "NOT_FOUND", f"no order {key[1]!r}")
        if summary.currency_code != line.currency:
            raise BankRefused(
                f"input.orderIds.{i}",
                "CURRENCY_MISMATCH",
                f"order {summary.name} is in {summary.currency_code}, the deposit in "
                f"{line.currency}",
            )
        if summary.open_balance <= 0:
            raise BankRefused(
                f"input.orderIds.{i}", "NOT_APPLICABLE", f"order {summary.name} is not unpaid"
            )
        balances.append(summary.open_balance)
    if sum(balances) != line.amount:
        difference_account = check_difference_account(difference_account, "input.differenceAccount")
    parts = allocate(line.amount, balances)
    for (store_id, order_id), part, balance in zip(keys.values(), parts, balances, strict=True):
        await conn.execute(
            "INSERT INTO deposit_links (company_id, line_id, store_id, order_id, amount, "
            "difference, difference_account, deposit_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            company_id,
            line_id,
            store_id,
            order_id,
            part,
            balance - part,
            difference_account or "BANK_FEES",
            line.date,
        )
    first_store = next(iter(keys.values()))[0]
    await explain(conn, company_id, line_id, "LINK", store_id=first_store)
    for store_id, order_id in sorted(keys.values()):
        await repost_order(conn, company_id, store_id, order_id)


# Categorising -----------------------------------------------------------


async def bank_keys(conn: asyncpg.Connection, company_id: UUID) -> dict[str, UUID]:
    rows = await conn.fetch(
        "SELECT account_key, bank_account_id FROM bank_accounts WHERE company_id = $1", company_id
    )
    return {r["account_key"]: r["bank_account_id"] for r in rows}


async def check_category(conn: asyncpg.Connection, company_id: UUID, key: str, field: str) -> None:
    if key in ORDER_SUB_LEDGERS:
        raise BankRefused(
            field,
            "NOT_APPLICABLE",
            f"{key} holds orders' and processors' balances: link the deposit to orders "
            "or match it to a payout instead",
        )
    if key == "BANK" or key in await bank_keys(conn, company_id):
        raise BankRefused(field, "INVALID", "money between own bank accounts is a transfer")
    chart = await load_chart(conn, company_id)
    account = chart.by_key.get(key)
    if account is None or not account.active:
        raise BankRefused(field, "NOT_FOUND", f"no open account {key!r}")


async def categorise_to_account(
    conn: asyncpg.Connection,
    company_id: UUID,
    line_id: UUID,
    account_key: str,
    rule_id: UUID | None = None,
) -> None:
    await _open_line(conn, company_id, line_id)
    await check_category(conn, company_id, account_key, "input.accountKey")
    await explain(conn, company_id, line_id, "ACCOUNT", account_key=account_key, rule_id=rule_id)


async def categorise_store_cash(
    conn: asyncpg.Connection, company_id: UUID, line_id: UUID, store_id: UUID | None
) -> None:
    """Cash payment received for store orders, no order named (rule 16.4)."""
    line = await _open_line(conn, company_id, line_id)
    if line.amount <= 0:
        raise BankRefused("input.bankLineId", "INVALID", "only money in is a payment received")
    if store_id is not None:
        found = await conn.fetchval(
            "SELECT true FROM stores WHERE company_id = $1 AND store_id = $2", company_id, store_id
        )
        if not found:
            raise BankRefused("input.storeId", "NOT_FOUND", "no such store")
    await explain(conn, company_id, line_id, "STORE_CASH", store_id=store_id)


async def categorise_transfer(
    conn: asyncpg.Connection,
    company_id: UUID,
    line_id: UUID,
    other_account_id: UUID,
    other_line_id: UUID | None,
) -> None:
    """Money between own accounts: the first line of the pair posts, the
    other side (named, or found: opposite amount within the window) posts
    nothing, so the transfer counts once."""
    line = await _open_line(conn, company_id, line_id)
    other = await conn.fetchrow(
        "SELECT account_key, currency_code FROM bank_accounts "
        "WHERE company_id = $1 AND bank_account_id = $2",
        company_id,
        other_account_id,
    )
    if other is None:
        raise BankRefused("input.otherBankAccountId", "NOT_FOUND", "no such bank account")
    if other_account_id == line.bank_account_id:
        raise BankRefused("input.otherBankAccountId", "INVALID", "a transfer needs two accounts")
    if other["currency_code"] != line.currency:
        raise BankRefused(
            "input.otherBankAccountId", "CURRENCY_MISMATCH", "the accounts' currencies differ"
        )
    posted = await _posted_side(conn, company_id, line, other_account_id, other_line_id)
    if posted is not None:
        await explain(conn, company_id, line_id, "TRANSFER_SIDE", other_line_id=posted)
        await conn.execute(
            "UPDATE bank_explanations SET other_line_id = $3 "
            "WHERE company_id = $1 AND line_id = $2",
            company_id,
            posted,
            line_id,
        )
        return
    side = await _free_side(conn, company_id, line, other_account_id, other_line_id)
    await explain(
        conn,
        company_id,
        line_id,
        "TRANSFER",
        account_key=other["account_key"],
        other_line_id=side,
    )
    if side is not None:
        await explain(conn, company_id, side, "TRANSFER_SIDE", other_line_id=line_id)


async def _posted_side(
    conn: asyncpg.Connection,
    company_id: UUID,
    line: LineRow,
    other_account_id: UUID,
    named: UUID | None,
) -> UUID | None:
    """A line of the other account already posted as this transfer's first side."""
    found: UUID | None = await conn.fetchval(
        "SELECT l.line_id FROM bank_lines l JOIN bank_explanations x USING (company_id, line_id) "
        "WHERE l.company_id = $1 AND l.bank_account_id = $2 AND x.kind = 'TRANSFER' "
        "AND x.other_line_id IS NULL AND x.account_key = $3 AND l.amount = $4 "
        "AND ($5::uuid IS NULL OR l.line_id = $5) "
        "AND l.posted_date BETWEEN $6 AND $7 ORDER BY abs(l.posted_date - $8) LIMIT 1",
        company_id,
        other_account_id,
        line.account_key,
        -line.amount,
        named,
        line.date - dt.timedelta(days=WINDOW_DAYS),
        line.date + dt.timedelta(days=WINDOW_DAYS),
        line.date,
    )
    return found


async def _free_side(
    conn: asyncpg.Connection,
    company_id: UUID,
    line: LineRow,
    other_account_id: UUID,
    named: UUID | None,
) -> UUID | None:
    if named is not None:
        other = await get_line(conn, company_id, named)
        if other is None or other.bank_account_id != other_account_id:
            raise BankRefused("input.otherLineId", "NOT_FOUND", "no such line in that account")
        if other.kind is not None:
            raise BankRefused("input.otherLineId", "ALREADY_EXPLAINED", "explained already")
        if other.amount != -line.amount:
            raise BankRefused("input.otherLineId", "INVALID", "the amounts are not opposite")
        return named
    found: UUID | None = await conn.fetchval(
        "SELECT l.line_id FROM bank_lines l LEFT JOIN bank_explanations x "
        "USING (company_id, line_id) WHERE l.company_id = $1 AND l.bank_account_id = $2 "
        "AND x.line_id IS NULL AND l.amount = $3 AND l.posted_date BETWEEN $4 AND $5 "
        "ORDER BY abs(l.posted_date - $6), l.line_id LIMIT 1",
        company_id,
        other_account_id,
        -line.amount,
        line.date - dt.timedelta(days=WINDOW_DAYS),
        line.date + dt.timedelta(days=WINDOW_DAYS),
        line.date,
    )
    return found


# Undoing ----------------------------------------------------------------


async def unexplain(conn: asyncpg.Connection, company_id: UUID, line_id: UUID) -> None:
    """Take a line's explanation back: unlinking re-posts its orders, a
    transfer frees its other side, the line's own entry goes."""
    line = await get_line(conn, company_id, line_id)
    if line is None:
        raise BankRefused("input.bankLineId", "NOT_FOUND", "no such bank line")
    if line.kind is None:
        raise BankRefused("input.bankLineId", "NOT_APPLICABLE", "this bank line is unexplained")
    linked = await conn.fetch(
        "DELETE FROM deposit_links WHERE company_id = $1 AND line_id = $2 "
        "RETURNING store_id, order_id",
        company_id,
        line_id,
    )
    ids = [line_id]
    if line.kind == "TRANSFER" and line.other_line_id:
        ids.append(line.other_line_id)
    elif line.kind == "TRANSFER_SIDE" and line.other_line_id:
        await conn.execute(
            "UPDATE bank_explanations SET other_line_id = NULL "
            "WHERE company_id = $1 AND line_id = $2",
            company_id,
            line.other_line_id,
        )
    await conn.execute(
        "DELETE FROM bank_explanations WHERE company_id = $1 AND line_id = ANY($2::uuid[])",
        company_id,
        ids,
    )
    for r in sorted(linked, key=lambda r: (r["store_id"], r["order_id"])):
        await repost_order(conn, company_id, r["store_id"], r["order_id"])
    for i in ids:
        await repost_line(conn, company_id, i)


async def open_lines(conn: asyncpg.Connection, company_id: UUID, ids: list[UUID]) -> list[LineRow]:
    rows = await conn.fetch(
        LINE_SQL + " WHERE l.company_id = $1 AND l.line_id = ANY($2::uuid[]) AND x.kind IS NULL",
        company_id,
        ids,
    )
    return [line_row(r) for r in rows]
