"""What every inventory-system connector (Finale, Goflow) hands back.

Finale Inventory and Goflow record the cost of goods when stock leaves the
warehouse, per product, not per sales-order line. So a connector reports
``ShippedUnits``: so many units of a product, shipped on a day for a
channel order, at the unit cost the system recorded (or none). Turning
those into a cost per store SKU (packs, bundles, product ids that are not
the store's SKU) is ``service.domain.inventory_costs``.

The systems report "no cost" as 0 or leave it blank (a receipt not entered
yet); that is carried as ``unit_cost=None`` and never posted as a real cost.

The HTTP plumbing shared by the connectors lives here too: both APIs rate
limit with 429 + Retry-After and have the odd 5xx, and both send numbers
that must be read as ``Decimal`` (never float) to stay exact.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from service.connectors.retry import OwnedHttpClient
from service.domain.inventory_costs import ShippedUnits as ShippedUnits

Sleep = Callable[[float], Awaitable[None]]

FINALE = "FINALE"
GOFLOW = "GOFLOW"


def order_ref(provider: str, name: str) -> str:
    """The reference a system keeps for a books order named ``name``:
    Finale keeps the channel's order name ("#1001"), Goflow its number ("1001")."""
    return name if provider == FINALE else name.lstrip("#")


_MAX_BACKOFF = 30.0
# No real unit cost or quantity comes near these; anything beyond is a
# payload error, refused before it is converted.
MAX_UNIT_COST = Decimal(10) ** 9
MAX_UNITS = 10**7


@dataclass(frozen=True, slots=True)
class CostSample:
    """One shipped product's cost, shown by a connection test."""

    order_ref: str
    product_id: str
    units: int
    unit_cost: Decimal | None
    shipped_on: dt.date
    where: str  # the endpoint and field the cost was read from


def latest_sample(rows: Sequence[ShippedUnits], where: str) -> CostSample | None:
    """The latest shipped sale of ``rows`` as a connection test shows it."""
    if not rows:
        return None
    latest = max(rows, key=lambda r: (r.shipped_on, r.order_ref))
    return CostSample(
        latest.order_ref,
        latest.product_id,
        latest.units,
        latest.unit_cost,
        latest.shipped_on,
        where,
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


def bounded_cost(value: Decimal | None, path: str) -> Decimal | None:
    """A unit cost as sent, checked: 0 means none; negative or huge is refused."""
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_UNIT_COST:
        raise InventoryDataError(path, f"not a usable unit cost: {value}")
    return None if value == 0 else value


def bounded_units(value: Decimal | None, path: str) -> int:
    """Whole units within bounds; fractions are refused because costing counts units."""
    if value is None:
        raise InventoryDataError(path, "missing quantity")
    if not value.is_finite() or value != value.to_integral_value():
        raise InventoryDataError(path, f"not a whole number of units: {value}")
    if abs(value) > MAX_UNITS:
        raise InventoryDataError(path, f"too many units: {value}")
    return int(value)


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


async def send_with_retry(
    http: httpx.AsyncClient,
    url: str,
    *,
    system: str,
    headers: Mapping[str, str],
    params: Mapping[str, str | list[str]] | None = None,
    json_body: Mapping[str, Any] | None = None,
    auth: httpx.Auth | None = None,
    sleep: Sleep,
    max_retries: int,
    not_found_ok: bool = False,
) -> httpx.Response | None:
    """GET ``url`` (or POST ``json_body`` to it), waiting out 429 (as long as
    Retry-After says) and 5xx or transport failures (exponential backoff).
    401/403 raise ``InventoryAuthError``; 404 returns None when
    ``not_found_ok``; any other status raises ``InventorySystemError``
    naming it."""
    attempt = 0
    while True:
        try:
            if json_body is None:
                response = await http.get(url, headers=headers, params=params, auth=auth)
            else:
                response = await http.post(
                    url,
                    headers=headers,
                    json=json_body,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
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
                raise InventorySystemError(f"{system} answered HTTP {status} for {url}")
        attempt += 1
        if attempt > max_retries:
            raise InventorySystemError(
                f"{system}: gave up after {attempt} attempts, last: {reason}"
            )
        await sleep(wait)


def _backoff(attempt: int) -> float:
    return float(min(_MAX_BACKOFF, 0.5 * 2**attempt))


class InventoryHttpClient(OwnedHttpClient):
    """What every inventory-system client shares: an HTTP client it may own,
    retry settings, and closing what it opened (`async with`)."""
