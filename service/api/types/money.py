"""Money on the wire: a decimal string and an ISO 4217 code, never a float."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NewType

import strawberry

from service.domain.money import to_decimal

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _parse_currency(value: object) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code such as USD")
    return value


CurrencyCode = NewType("CurrencyCode", str)

CURRENCY_CODE_SCALAR = strawberry.scalar(
    name="CurrencyCode",
    description="An ISO 4217 currency code, e.g. USD.",
    serialize=str,
    parse_value=_parse_currency,
)


@strawberry.type(description="An exact amount of money in a currency.")
class Money:
    amount: Decimal
    currency_code: CurrencyCode

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(amount=to_decimal(minor, currency), currency_code=CurrencyCode(currency))
