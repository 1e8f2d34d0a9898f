"""The journal as an hledger journal and as a beancount ledger.

Pure: transactions in, text out. Accounts are named under the five roots
both tools know (Assets, Liabilities, Equity, Income, Expenses) from the
account's type, and the storebooks key in title case, words joined by
``-`` (``UNDEPOSITED_FUNDS`` -> ``Assets:Undeposited-Funds``), which both
tools accept and which maps back to the key one to one.

Every transaction carries where it came from: the entry id, rule, order,
store and channel (hledger tags, beancount metadata), and each posting
its SKU when it has one. Balance assertions at each month's end come from
storebooks' own balances, not from adding up the file, so the checker
proves the file and the books agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from service.domain.accounts import AccountType, Chart
from service.domain.money import exponent

ROOTS = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.EQUITY: "Equity",
    AccountType.INCOME: "Income",
    AccountType.EXPENSE: "Expenses",
}
OPEN_DATE = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Posting:
    account_key: str
    amount: int  # minor units, debit positive
    currency: str
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Txn:
    date: dt.date
    narration: str
    postings: tuple[Posting, ...]
    meta: Mapping[str, str] = field(default_factory=dict)


def account_name(chart: Chart, key: str) -> str:
    words = "-".join(w.capitalize() for w in key.split("_") if w)
    return f"{ROOTS[chart.get(key).type]}:{words}"


class Names:
    """Account names of one chart, each worked out once (a large export
    names the same few dozen accounts millions of times)."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self._names: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = account_name(self.chart, key)
        return name


def _one_line(text: str) -> str:
    return " ".join(text.split())


_EXPONENTS: dict[str, int] = {}


def _amount(minor: int, currency: str) -> str:
    """ "-12.30 USD": the same text as ``format_amount``, by integer arithmetic."""
    places = _EXPONENTS.get(currency)
    if places is None:
        places = _EXPONENTS[currency] = exponent(currency)
    if not places:
        return f"{minor} {currency}"
    whole, part = divmod(abs(minor), 10**places)
    sign = "-" if minor < 0 else ""
    return f"{sign}{whole}.{part:0{places}d} {currency}"


# -- hledger ----------------------------------------------------------------


def _tag_value(text: str) -> str:
    # A tag's value ends at a comma; a newline would end the comment.
    return _one_line(text).replace(",", " ")


def _tags(meta: Mapping[str, str]) -> str:
    items = [f"{k}:{_tag_value(v)}" for k, v in meta.items() if v]
    return ("  ; " + ", ".join(items)) if items else ""


def hledger_txn(names: Names, txn: Txn) -> str:
    head = _one_line(txn.narration).replace(";", ",") or "entry"
    out = [f"{txn.date.isoformat()} * {head}{_tags(txn.meta)}"]
    for p in txn.postings:
        out.append(f"    {names(p.account_key)}  {_amount(p.amount, p.currency)}{_tags(p.meta)}")
    return "\n".join(out) + "\n\n"


def hledger_assertions(
    chart: Chart, day: dt.date, balances: Mapping[str, int], currency: str
) -> str:
    """A transaction of zero postings asserting each account's balance at
    the end of ``day`` (hledger checks assertions in date, then file, order)."""
    if not balances:
        return ""
    out = [f"{day.isoformat()} storebooks balances at the end of {day.isoformat()}"]
    for key in sorted(balances, key=lambda k: account_name(chart, k)):
        out.append(
            f"    {account_name(chart, key)}  0 {currency} = {_amount(balances[key], currency)}"
        )
    return "\n".join(out) + "\n\n"


def hledger_header(company: str, currency: str) -> str:
    return f"; {_one_line(company)}: journal exported by storebooks ({currency})\n\n"


# -- beancount --------------------------------------------------------------


def _string(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _meta_lines(meta: Mapping[str, str], indent: str) -> list[str]:
    return [f"{indent}{k}: {_string(v)}" for k, v in meta.items() if v]


def beancount_header(company: str, currency: str, chart: Chart, extra: Iterable[str]) -> str:
    keys = [a.key for a in chart.accounts] + sorted(set(extra) - set(chart.by_key))
    out = [
        f"option {_string('title')} {_string(company)}",
        f'option "operating_currency" "{currency}"',
        "",
    ]
    out += [f"{OPEN_DATE.isoformat()} open {account_name(chart, k)}" for k in keys]
    return "\n".join(out) + "\n\n"


def beancount_txn(names: Names, txn: Txn) -> str:
    out = [f"{txn.date.isoformat()} * {_string(txn.narration or 'entry')}"]
    out += _meta_lines(txn.meta, "  ")
    for p in txn.postings:
        out.append(f"  {names(p.account_key)}  {_amount(p.amount, p.currency)}")
        out += _meta_lines(p.meta, "    ")
    return "\n".join(out) + "\n\n"


def beancount_assertions(
    chart: Chart, day: dt.date, balances: Mapping[str, int], currency: str
) -> str:
    """Beancount checks a balance at the start of its date: the end of
    ``day`` is asserted on the day after."""
    after = (day + dt.timedelta(days=1)).isoformat()
    lines = [
        f"{after} balance {account_name(chart, k)}  {_amount(balances[k], currency)}"
        for k in sorted(balances, key=lambda k: account_name(chart, k))
    ]
    return ("\n".join(lines) + "\n\n") if lines else ""
