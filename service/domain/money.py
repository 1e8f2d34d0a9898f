"""Money as integer minor units.

posting rules section 4: amounts are exact, never float. Inside the engine every
amount is an ``int`` of the currency's minor unit (cents for USD, yen for
JPY, fils for KWD); the currency lives once on the order or the entry, not on
every number. Connectors hand us decimal strings, so the conversions below
are the only place where decimals meet the engine, and they refuse any
amount that cannot be represented exactly.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit exponents. Anything not listed is assumed to have 2
# (the overwhelming default) only if it is a well-formed three-letter code;
# listing the exceptions is what matters.
_ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_FOUR_DECIMAL = frozenset({"CLF", "UYW"})


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


# Bounds checked before any arithmetic: Decimal("1e450000") is parsed in no
# time, but turning it into an int takes seconds of the event loop. No store
# amount comes near a trillion, and PostgreSQL's bigint holds 9.2e18 minor
# units, so an amount and a quantity times an amount both fit.
MAX_AMOUNT_TEXT = 40
MAX_DIGITS = 24
MAX_MAJOR_UNITS = 10**12
MAX_MINOR_TOTAL = 2**62


def parse_amount(text: str) -> Decimal:
    """A decimal amount from a client or a source, refused before it can cost time."""
    text = text.strip()
    if len(text) > MAX_AMOUNT_TEXT:
        raise MoneyError(f"an amount has at most {MAX_AMOUNT_TEXT} characters")
    try:
        dec = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"not a decimal amount: {text!r}") from exc
    _check_bounds(dec)
    return dec


def _check_bounds(dec: Decimal) -> None:
    if not dec.is_finite():
        raise MoneyError(f"not a finite amount: {dec}")
    digits = dec.as_tuple()
    if len(digits.digits) > MAX_DIGITS or not -MAX_DIGITS <= int(digits.exponent) <= MAX_DIGITS:
        raise MoneyError("an amount has at most 24 digits")
    if dec != 0 and dec.adjusted() >= 12:
        raise MoneyError(f"an amount must be below {MAX_MAJOR_UNITS:,}")


def check_total(units: int, unit_amount_minor: int) -> int:
    """units x unit amount, refused when it would overflow the books' integers."""
    total = units * unit_amount_minor
    if abs(total) > MAX_MINOR_TOTAL:
        raise MoneyError("units times the amount is too large")
    return total


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise MoneyError(f"not an ISO 4217 currency code: {currency!r}")
    if currency in _ZERO_DECIMAL:
        return 0
    if currency in _THREE_DECIMAL:
        return 3
    if currency in _FOUR_DECIMAL:
        return 4
    return 2


def to_minor(amount: str | Decimal | int, currency: str) -> int:
    """Convert a decimal amount ("12.30") to integer minor units (1230).

    Raises MoneyError if the amount has more precision than the currency
    allows: silently rounding would make the books differ from the source.
    """
    if isinstance(amount, bool):
        raise MoneyError("a boolean is not an amount")
    if isinstance(amount, int):
        dec = Decimal(amount)
        _check_bounds(dec)
    elif isinstance(amount, Decimal):
        dec = amount
        _check_bounds(dec)
    elif isinstance(amount, str):
        dec = parse_amount(amount)
    else:  # pragma: no cover - guarded by the type checker
        raise MoneyError(f"unsupported amount type: {type(amount).__name__}")
    scaled = dec.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount!r} has more decimals than {currency} allows")
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    """Convert integer minor units back to an exact Decimal (1230 -> 12.30)."""
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_amount(minor: int, currency: str) -> str:
    """A plain decimal string ("-12.30"), the GraphQL Money amount format."""
    exp = exponent(currency)
    if exp == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exp)
    return f"{sign}{whole}.{frac:0{exp}d}"


def format_money(minor: int, currency: str) -> str:
    """Human form for memos: "12.30 USD"."""
    return f"{format_amount(minor, currency)} {currency}"


def convert_at_rate(amount: int, numerator: int, denominator: int) -> int:
    """``amount * numerator / denominator`` rounded half to even, exactly.

    Used to bring an amount in the customer's currency into the shop's at
    the order's own rate (shop total over presentment total, each in its
    own minor units), so the exponents of both currencies take care of
    themselves."""
    if denominator <= 0:
        raise MoneyError("a conversion rate needs a positive denominator")
    q, r = divmod(amount * numerator, denominator)
    twice = 2 * r
    if twice > denominator or (twice == denominator and q % 2 == 1):
        q += 1
    return q
