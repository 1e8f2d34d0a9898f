"""hledger and beancount files, checked by the real tools: bean-check
accepts the ledger (balance assertions included) and hledger's trial
balance equals storebooks' own, account by account."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from service.ledger.exports.ledger_text import account_name
from service.ledger.exports.plaintext import TextFormat, ledger_text
from service.ledger.exports.reading import Books, balances_through
from service.ledger.exports.summary import SummaryKind
from service.ledger.statements import period_sums, trial_balance
from tests.conftest import Tenant
from tests.integration.exports_company import demo_books, far_end, first_day

HLEDGER = shutil.which("hledger")
BEAN_CHECK = Path(sys.executable).with_name("bean-check")


def _bean_check(text: str, tmp_path: Path) -> None:
    path = tmp_path / "books.beancount"
    path.write_text(text)
    done = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("summary", [None, SummaryKind.DAY, SummaryKind.MONTH])
async def test_bean_check_accepts_the_ledger(
    pool: asyncpg.Pool, tenant: Tenant, tmp_path: Path, summary: SummaryKind | None
) -> None:
    books = await demo_books(pool, tenant)
    text = await ledger_text(
        pool, books, TextFormat.BEANCOUNT, start=None, end=far_end(), summary=summary
    )
    assert " balance Assets:Inventory " in text
    if summary is None:
        assert 'rule: "' in text and 'order: "' in text and 'sku: "' in text
    _bean_check(text, tmp_path)


async def test_bean_check_refuses_a_ledger_that_disagrees(
    pool: asyncpg.Pool, tenant: Tenant, tmp_path: Path
) -> None:
    books = await demo_books(pool, tenant)
    text = await ledger_text(pool, books, TextFormat.BEANCOUNT, start=None, end=far_end())
    tampered = text.replace("  Income:Gross-Sales  -", "  Income:Gross-Sales  -1", 1)
    tampered = tampered.replace("  Assets:Undeposited-Funds  ", "  Assets:Undeposited-Funds  1", 1)
    with pytest.raises(AssertionError, match="Balance failed"):
        _bean_check(tampered, tmp_path)


async def test_a_later_start_opens_with_the_balances_before_it(
    pool: asyncpg.Pool, tenant: Tenant, tmp_path: Path
) -> None:
    books = await demo_books(pool, tenant)
    start = await first_day(pool, tenant.company_id) + dt.timedelta(days=20)
    text = await ledger_text(pool, books, TextFormat.BEANCOUNT, start=start, end=far_end())
    assert '* "Opening balances"' in text
    _bean_check(text, tmp_path)


def _hledger_balances(path: Path, *args: str) -> dict[str, Decimal]:
    assert HLEDGER is not None
    done = subprocess.run(
        [HLEDGER, "-f", str(path), "balance", "--flat", "-O", "csv", "--no-total", *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))[1:]
    out: dict[str, Decimal] = {}
    for account, amount in rows:
        value = amount.split()[0] if amount.strip() not in ("", "0") else "0"
        out[account] = Decimal(value.replace(",", ""))
    return out


async def _storebooks_trial(
    pool: asyncpg.Pool, books: Books, start: dt.date, end: dt.date
) -> dict[str, Decimal]:
    def flat(sums: dict[tuple[str, str], int]) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, k), v in sums.items():
            out[k] = out.get(k, 0) + v
        return out

    period = flat(await period_sums(pool, books.company_id, books.version, start, end))
    through = await balances_through(pool, books, end)
    before = {k: through.get(k, 0) - period.get(k, 0) for k in set(through) | set(period)}
    lines = trial_balance(before, period, through, books.chart)
    return {account_name(books.chart, k): Decimal(v) / 100 for k, v in lines if v}


@pytest.mark.skipif(
    HLEDGER is None,
    reason="hledger is not installed on this machine (Debian: apt-get install hledger)",
)
@pytest.mark.parametrize("summary", [None, SummaryKind.MONTH])
async def test_hledger_trial_balance_equals_storebooks(
    pool: asyncpg.Pool, tenant: Tenant, tmp_path: Path, summary: SummaryKind | None
) -> None:
    books = await demo_books(pool, tenant)
    end = far_end()
    start = await first_day(pool, tenant.company_id) + dt.timedelta(days=15)
    path = tmp_path / "books.journal"
    path.write_text(
        await ledger_text(pool, books, TextFormat.HLEDGER, start=None, end=end, summary=summary)
    )
    after = (end + dt.timedelta(days=1)).isoformat()
    sheet = _hledger_balances(path, "-e", after, "^(Assets|Liabilities|Equity)")
    earnings = _hledger_balances(path, "-b", start.isoformat(), "-e", after, "^(Income|Expenses)")
    earlier = _hledger_balances(path, "-e", start.isoformat(), "^(Income|Expenses)")
    theirs = {k: v for k, v in {**sheet, **earnings}.items() if v}
    retained = account_name(books.chart, "RETAINED_EARNINGS")
    theirs[retained] = theirs.get(retained, Decimal(0)) + sum(earlier.values(), Decimal(0))
    theirs = {k: v for k, v in theirs.items() if v}
    ours = await _storebooks_trial(pool, books, start, end)
    assert theirs == ours
    assert len(ours) >= 5
