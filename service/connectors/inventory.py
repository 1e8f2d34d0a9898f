"""What every inventory-system connector (Finale, Goflow) hands back.

An inventory system's cost for an order line outranks the product's own
costing (POSTING.md 9). The systems report "no cost" as 0 (a bill not
entered yet); that must never be posted as a real cost, so it is carried
as ``missing=True`` and the line falls through to the next source.

The HTTP plumbing shared by the connectors lives here too: both APIs rate
limit with 429 + Retry-After and have the odd 5xx, and both send money as
JSON numbers, which must be read as ``Decimal`` (never float) to stay exact.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Self

import httpx

from service.domain.costs import CostSource, LineCost
from service.domain.money import MoneyError, exponent

Sleep = Callable[[float], Awaitable[None]]

_MAX_BACKOFF = 30.0


@dataclass(frozen=True, slots=True)
class InventoryLineCost:
    """The cost of one order line as an inventory system reports it.

    ``unit_cost`` is in minor units per unit, rounded half up from what the
    system sent (averages often have more decimals than the currency);
    ``exact_unit_cost`` keeps the figure as sent, for the report.
    """

    order_ref: str
    sku: str
    quantity: int
    unit_cost: int
    missing: bool
    source: str  # "finale", "goflow"
    exact_unit_cost: Decimal | None = None

    def line_cost(self, line_id: str) -> LineCost:
        """As a posting candidate for the order line the caller matched."""
        return LineCost(
            line_id=line_id,
            unit_cost=self.unit_cost,
            source=CostSource.INVENTORY_SYSTEM,
            missing=self.missing,
        )


class InventorySystemError(RuntimeError):
    """The inventory system answered something the connector cannot use
    (a bad request, retries exhausted). Transient trouble is retried first."""


class InventoryAuthError(InventorySystemError):
    """The credentials were refused: a person must reconnect the system."""


class InventoryDataError(InventorySystemError):
    """A payload without what costing needs; ``path`` names the field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[InventoryDataError], tuple[str, str]]:
        return (InventoryDataError, (self.path, self.problem))


def unit_cost_minor(value: object, currency: str, path: str) -> tuple[int, bool, Decimal | None]:
    """(minor units, missing, exact) from a cost as sent: 0, null or absent
    is missing; a negative or non-numeric cost is refused."""
    if value is None or value == "":
        return 0, True, None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise InventoryDataError(path, f"not a number: {value!r}")
    try:
        dec = Decimal(value)
    except ArithmeticError as exc:
        raise InventoryDataError(path, f"not a number: {value!r}") from exc
    if not dec.is_finite() or dec < 0:
        raise InventoryDataError(path, f"not a usable cost: {value!r}")
    if dec == 0:
        return 0, True, dec
    try:
        exp = exponent(currency)
    except MoneyError as exc:
        raise InventoryDataError("currency", str(exc)) from exc
    minor = int(dec.scaleb(exp).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # A cost that rounds to nothing is as good as no cost.
    return minor, minor == 0, dec


def whole_units(value: object, path: str) -> int:
    """Quantities arrive as JSON numbers ("2" or 2.0); fractions are refused
    because costing counts whole units."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise InventoryDataError(path, f"not a quantity: {value!r}")
    try:
        dec = Decimal(value)
    except ArithmeticError as exc:
        raise InventoryDataError(path, f"not a quantity: {value!r}") from exc
    if not dec.is_finite() or dec != dec.to_integral_value():
        raise InventoryDataError(path, f"not a whole number of units: {value!r}")
    return int(dec)


def decode_json(response: httpx.Response) -> Any:
    """JSON with numbers as ``Decimal``, so a cost like 4.10 stays 4.10."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise InventorySystemError(f"not JSON from {response.request.url}: {exc}") from exc


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


async def get_with_retry(
    http: httpx.AsyncClient,
    url: str,
    *,
    system: str,
    headers: Mapping[str, str],
    params: Mapping[str, str | list[str]] | None = None,
    auth: httpx.Auth | None = None,
    sleep: Sleep,
    max_retries: int,
    not_found_ok: bool = False,
) -> httpx.Response | None:
    """GET ``url``, waiting out 429 (as long as Retry-After says) and 5xx or
    transport failures (exponential backoff). 401/403 raise
    ``InventoryAuthError``; 404 returns None when ``not_found_ok``; any
    other status raises ``InventorySystemError`` naming it."""
    attempt = 0
    while True:
        try:
            response = await http.get(url, headers=headers, params=params, auth=auth)
        except httpx.TransportError as exc:
            wait, reason = _backoff(attempt), f"transport error {exc!r}"
        else:
            status = response.status_code
            if status == 200:
                return response
            if status in (401, 403):
                raise InventoryAuthError(
                    f"{system} refused the credentials (HTTP {status}) for {url}"
                )
            if status == 404 and not_found_ok:
                return None
            if status == 429:
                wait = _retry_after(response) or _backoff(attempt)
                reason = "HTTP 429 Too Many Requests"
            elif status >= 500:
                wait, reason = _backoff(attempt), f"HTTP {status}"
            else:
                raise InventorySystemError(
                    f"{system} answered HTTP {status} for {url}: {response.text[:300]}"
                )
        attempt += 1
        if attempt > max_retries:
            raise InventorySystemError(
                f"{system}: gave up after {attempt} attempts, last: {reason}"
            )
        await sleep(wait)


def _backoff(attempt: int) -> float:
    return float(min(_MAX_BACKOFF, 0.5 * 2**attempt))


class InventoryHttpClient:
    """What every inventory-system client shares: an HTTP client it may own,
    retry settings, and closing what it opened (`async with`)."""

    def __init__(self, http: httpx.AsyncClient | None, sleep: Sleep, max_retries: int) -> None:
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))
        self.sleep = sleep
        self.max_retries = max_retries

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()
