"""A year of bank lines imported and matched: 20,000 lines, 5,000 payouts, 100,000 orders.

A company of N synthetic orders (bench/books_generator.py, posted once by
a full re-post so the books and the Unpaid tab are real), 5,000 Shopify
Payments payouts over one year stored as the sync stores them, and one
CSV statement of 20,000 lines: one line per payout (dated 0 to 3 days
after it, as banks book them), and the rest deposits and payments of
other kinds, some of them caught by saved rules. The timed part is
``import_and_explain`` in one transaction (parse, dedupe, store, match
every line against the payouts, apply the rules, post what was
explained), rolled back after each round so each round does the same
work; the figure is the median round. Parsing the same lines as an OFX
file is timed on its own.

    .venv/bin/python bench/bank_matching.py [--orders 100000] [--lines 20000]
        [--payouts 5000] [--rounds 5] [--server URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1]))

import asyncpg
from books_generator import bench_database, drop_database, generate_company

from service.db.connect import create_pool
from service.domain.accounts import AccountType
from service.domain.bank_files import CsvMapping, read_statement
from service.domain.processor import Payout
from service.ledger.accounts import NewAccount, create_account
from service.ledger.bank_accounts import create_bank_account, set_csv_mapping
from service.ledger.bank_feed import import_and_explain
from service.ledger.bank_rules import create_rule
from service.ledger.codec import encode
from service.ledger.reposting import BATCH_ORDERS, request_full_repost, run_full_repost

YEAR = 2025
PAYEES = ["ACME OFFICE RENT", "GUSTO PAYROLL", "AWS", "UPS COD REMITTANCE", "CASH DEPOSIT"]


class Rollback(Exception):
    """Leaves the round's work undone, so every round does the same."""


def payouts(n: int, rng: random.Random) -> list[Payout]:
    start = dt.date(YEAR, 1, 1)
    return [
        Payout(
            f"po{i}",
            "shopify_payments",
            start + dt.timedelta(days=i * 365 // n),
            rng.randint(5_000, 900_000),
            0,
            "USD",
        )
        for i in range(n)
    ]


def statement_rows(paid: list[Payout], n_lines: int, rng: random.Random) -> list[tuple[str, ...]]:
    rows = [
        (
            (p.date + dt.timedelta(days=rng.randint(0, 3))).isoformat(),
            f"SHOPIFY TRANSFER {p.id}",
            "SHOPIFY",
            f"{p.amount / 100:.2f}",
            f"REF{i}",
        )
        for i, p in enumerate(paid)
    ]
    for i in range(n_lines - len(paid)):
        payee = rng.choice(PAYEES)
        cents = rng.randint(100, 500_000) * (1 if "DEPOSIT" in payee or "COD" in payee else -1)
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        rows.append((day.isoformat(), f"{payee} {i}", payee, f"{cents / 100:.2f}", f"X{i}"))
    rng.shuffle(rows)
    return rows


def as_csv(rows: list[tuple[str, ...]]) -> bytes:
    lines = ["Date,Description,Payee,Amount,Reference"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def as_ofx(rows: list[tuple[str, ...]]) -> bytes:
    head = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
        "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        "<DTSERVER>20260101120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        "<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>1<ACCTTYPE>CHECKING"
        "</BANKACCTFROM><BANKTRANLIST><DTSTART>20250101<DTEND>20251231\n"
    )
    body = "".join(
        f"<STMTTRN><TRNTYPE>OTHER<DTPOSTED>{d.replace('-', '')}120000<TRNAMT>{a}"
        f"<FITID>{ref}<NAME>{payee}<MEMO>{text}</STMTTRN>\n"
        for d, text, payee, a, ref in rows
    )
    tail = (
        "</BANKTRANLIST><LEDGERBAL><BALAMT>0.00<DTASOF>20251231</LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    return (head + body + tail).encode()


async def post_orders(pool: asyncpg.Pool, company_id: UUID) -> float:
    async with pool.acquire() as conn, conn.transaction():
        version = await conn.fetchval(
            "UPDATE bookkeeping_settings SET version = version + 1 WHERE company_id = $1 "
            "RETURNING version",
            company_id,
        )
        job = await request_full_repost(conn, company_id, version, "bench: bank matching")
    t0 = time.perf_counter()
    while (
        await run_full_repost(
            pool, company_id, job.job_id, step_seconds=1e9, batch_orders=BATCH_ORDERS
        )
        != "DONE"
    ):
        pass
    return time.perf_counter() - t0


async def setup(pool: asyncpg.Pool, company_id: UUID, store_id: UUID, paid: list[Payout]) -> UUID:
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO processor_records (company_id, store_id, record_type, record_id, record)"
            " VALUES ($1, $2, 'payout', $3, $4)",
            [(company_id, store_id, p.id, encode(p)) for p in paid],
        )
        for key in ("RENT", "PAYROLL", "HOSTING"):
            await create_account(
                conn, company_id, NewAccount(key, key.title(), AccountType.EXPENSE)
            )
        account = await create_bank_account(
            conn, company_id, "BANK_CHECKING", "Checking", "USD", dt.date(YEAR, 1, 1), 0
        )
        mapping = CsvMapping("Date", "Description", "Amount", payee="Payee", reference="Reference")
        await set_csv_mapping(conn, company_id, account.id, mapping)
        for payee, key in (("RENT", "RENT"), ("GUSTO", "PAYROLL"), ("AWS", "HOSTING")):
            await create_rule(conn, company_id, payee, None, key, account.id)
    return account.id


def server_cpu(pid: int) -> float:
    """CPU seconds a PostgreSQL backend on this machine has used (0 if not local)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    wall: float
    cpu: float  # this process and its database backend: what a busy machine does not inflate
    counts: tuple[int, int, int]


async def one_round(pool: asyncpg.Pool, company_id: UUID, account_id: UUID, data: bytes) -> Round:
    async with pool.acquire() as conn:
        pid = conn.get_server_pid()
        c0, s0, t0 = time.process_time(), server_cpu(pid), time.perf_counter()
        try:
            async with conn.transaction():
                report = await import_and_explain(conn, company_id, account_id, data)
                wall = time.perf_counter() - t0
                cpu = time.process_time() - c0 + server_cpu(pid) - s0
                counts = (report.result.lines_new, report.matched, report.categorised)
                raise Rollback
        except Rollback:
            pass
    return Round(wall, cpu, counts)


async def profile_round(pool: asyncpg.Pool, cid: UUID, account_id: UUID, data: bytes) -> None:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    await one_round(pool, cid, account_id, data)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--payouts", type=int, default=5_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--db", default="storebooks_bench_bank")
    ap.add_argument("--server", default=None, help="admin URL of another PostgreSQL")
    ap.add_argument("--profile", action="store_true", help="cProfile one round and stop")
    args = ap.parse_args()
    rng = random.Random(20261206)
    db_url = await bench_database(args.db, fresh=True, url=args.server)
    company = await generate_company(db_url, args.orders, years=1.0)
    cid, store = company.company_id, company.store_ids[0]
    pool = await create_pool(db_url)
    try:
        posted = await post_orders(pool, cid)
        paid = payouts(args.payouts, rng)
        account_id = await setup(pool, cid, store, paid)
        rows = statement_rows(paid, args.lines, rng)
        csv_data, ofx_data = as_csv(rows), as_ofx(rows)
        if args.profile:
            await profile_round(pool, cid, account_id, csv_data)
            return
        rounds = [await one_round(pool, cid, account_id, csv_data) for _ in range(args.rounds)]
        ofx_times, ofx_cpu = [], []
        for _ in range(args.rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            parsed = read_statement(ofx_data, "USD", None)
            ofx_times.append(time.perf_counter() - t0)
            ofx_cpu.append(time.process_time() - c0)
        assert len(parsed.lines) == args.lines
    finally:
        await pool.close()
    await drop_database(db_url)
    new, matched, categorised = rounds[-1].counts
    times = [r.wall for r in rounds]
    cpus = [r.cpu for r in rounds]
    print(f"\n{args.orders:,} orders posted by a full re-post in {posted:.1f} s (not timed below)")
    print(f"{args.lines:,} CSV lines against {args.payouts:,} payouts, {args.rounds} rounds:")
    print(f"  import + match + rules + post, median: {statistics.median(times):6.2f} s")
    print(f"    rounds: {', '.join(f'{t:.2f}' for t in times)}")
    print(f"  CPU (this process + its database backend), median: {statistics.median(cpus):6.2f} s")
    print(f"  load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(f"  lines stored {new:,}, matched {matched:,}, categorised by rules {categorised:,}")
    print(f"  the same lines as OFX, parsed, median: {statistics.median(ofx_times):6.2f} s")
    print(f"    CPU, median: {statistics.median(ofx_cpu):6.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
