"""An Admin GraphQL client that rides out Shopify's rate limits.

Shopify meters GraphQL by query cost in a leaky bucket: a THROTTLED answer
says how much the query needs and how fast the bucket refills, so the wait
is computed instead of guessed. HTTP 429 carries Retry-After; 5xx and
transport failures are retried with exponential backoff. Everything else
is an error a person must look at, raised as ``ShopifyError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from service.connectors.retry import OwnedHttpClient, RetryLater
from service.connectors.shopify import API_VERSION
from service.connectors.shopify.errors import ShopifyError
from service.connectors.shopify.queries import SHOP

Sleep = Callable[[float], Awaitable[None]]

_MAX_BACKOFF = 30.0

__all__ = ["BulkUrlExpired", "QueryTooCostly", "RetryLater", "ShopInfo", "ShopifyClient"]


class BulkUrlExpired(ShopifyError):
    """A bulk operation's result URL no longer serves the file (results
    are kept for a week, and the signed URL can lapse sooner)."""


class QueryTooCostly(ShopifyError):
    """MAX_COST_EXCEEDED: the query asks for more than one query may cost,
    however long one waits; the caller must ask for less (a smaller page)."""


class AccessDenied(ShopifyError):
    """ACCESS_DENIED: the app was not granted the scope a field needs
    (the message names it); asking again will not help."""


@dataclass(frozen=True, slots=True)
class ShopInfo:
    name: str
    iana_timezone: str
    currency_code: str


def _has_code(errors: object, code: str) -> bool:
    if not isinstance(errors, list):
        return False
    for err in errors:
        if isinstance(err, Mapping):
            ext = err.get("extensions")
            if isinstance(ext, Mapping) and ext.get("code") == code:
                return True
    return False


def _messages(errors: object) -> str:
    """Shopify's own error messages, cut short: they name the field at fault."""
    if isinstance(errors, list):
        text = "; ".join(
            str(e.get("message", "")) if isinstance(e, Mapping) else "error" for e in errors[:5]
        )
    else:
        text = "error"
    return text[:300]


def throttle_wait(payload: Mapping[str, Any]) -> float | None:
    """Seconds until the bucket holds what the throttled query needs, from
    ``extensions.cost`` (None when Shopify did not say)."""
    ext = payload.get("extensions")
    cost = ext.get("cost") if isinstance(ext, Mapping) else None
    status = cost.get("throttleStatus") if isinstance(cost, Mapping) else None
    if not isinstance(cost, Mapping) or not isinstance(status, Mapping):
        return None
    try:
        needed = float(cost["requestedQueryCost"])
        available = float(status["currentlyAvailable"])
        rate = float(status["restoreRate"])
    except (KeyError, TypeError, ValueError):
        return None
    if rate <= 0:
        return None
    # Never zero: the bucket was short when Shopify answered, so at least
    # one point must refill before a retry can pass.
    return max(needed - available, 1.0) / rate


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


class ShopifyClient(OwnedHttpClient):
    """One shop's Admin API. ``api_base_url`` points it elsewhere (a fake
    Shopify in tests, a proxy); ``sleep`` is injectable so tests can see
    the waits without waiting."""

    def __init__(
        self,
        shop_domain: str,
        access_token: str,
        api_base_url: str | None = None,
        *,
        api_version: str = API_VERSION,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 8,
        sleep_budget: float | None = None,
    ) -> None:
        self.shop_domain = shop_domain
        self.api_version = api_version
        base = (api_base_url or f"https://{shop_domain}").rstrip("/")
        self.endpoint = f"{base}/admin/api/{api_version}/graphql.json"
        self._token = access_token
        super().__init__(http, sleep, max_retries)
        # Seconds one call may sleep in all; beyond it the call raises
        # RetryLater. None: sleep as long as the retries take (scripts, tests).
        self.sleep_budget = sleep_budget
        self.last_cost: Mapping[str, Any] | None = None
        self.queries = 0  # answered queries, for a sync run's totals
        self.cost_spent = 0  # their actualQueryCost (requested when not said)

    @staticmethod
    def _backoff(attempt: int) -> float:
        return float(min(_MAX_BACKOFF, 0.5 * 2**attempt))

    async def graphql(
        self, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a query, retried through throttling and
        transient failures up to ``max_retries`` times."""
        headers = {
            "X-Shopify-Access-Token": self._token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        body = {"query": query, "variables": dict(variables or {})}
        attempt = 0
        slept = 0.0
        while True:
            try:
                response = await self.http.post(self.endpoint, json=body, headers=headers)
            except httpx.TransportError as exc:
                wait, reason = self._backoff(attempt), f"transport error {exc!r}"
            else:
                status = response.status_code
                if status == 429:
                    wait = _retry_after(response) or self._backoff(attempt)
                    reason = "HTTP 429 Too Many Requests"
                elif status >= 500:
                    wait, reason = self._backoff(attempt), f"HTTP {status}"
                elif status != 200:
                    # The status only: the body is the remote host's text, never shown on.
                    raise ShopifyError(f"Shopify answered HTTP {status}")
                else:
                    try:
                        payload = response.json()
                    except ValueError as exc:
                        raise ShopifyError(
                            "Shopify answered with something that is not JSON"
                        ) from exc
                    if not isinstance(payload, dict):
                        raise ShopifyError("Shopify answered with JSON that is not an object")
                    self._count(payload)
                    errors = payload.get("errors")
                    if not errors:
                        data = payload.get("data")
                        if not isinstance(data, dict):
                            raise ShopifyError("Shopify answered without data")
                        return data
                    if _has_code(errors, "MAX_COST_EXCEEDED"):
                        raise QueryTooCostly(f"GraphQL error: {_messages(errors)}")
                    if _has_code(errors, "ACCESS_DENIED"):
                        raise AccessDenied(f"GraphQL error: {_messages(errors)}")
                    if not _has_code(errors, "THROTTLED"):
                        raise ShopifyError(f"GraphQL error: {_messages(errors)}")
                    wait = throttle_wait(payload) or self._backoff(attempt)
                    reason = "THROTTLED"
            attempt += 1
            if attempt > self.max_retries:
                raise ShopifyError(f"gave up after {attempt} attempts, last: {reason}")
            if self.sleep_budget is not None and slept + wait > self.sleep_budget:
                raise RetryLater(wait, reason)
            slept += wait
            await self.sleep(wait)

    def _count(self, payload: Mapping[str, Any]) -> None:
        """Keep what Shopify said the query cost (``extensions.cost``)."""
        ext = payload.get("extensions")
        cost = ext.get("cost") if isinstance(ext, Mapping) else None
        self.last_cost = cost if isinstance(cost, Mapping) else None
        self.queries += 1
        if self.last_cost is not None:
            spent = self.last_cost.get("actualQueryCost")
            if spent is None:
                spent = self.last_cost.get("requestedQueryCost")
            if isinstance(spent, int | float):
                self.cost_spent += int(spent)

    async def shop(self) -> ShopInfo:
        data = await self.graphql(SHOP)
        shop = data.get("shop")
        if not isinstance(shop, Mapping):
            raise ShopifyError("shop query returned no shop")
        try:
            return ShopInfo(
                name=str(shop["name"]),
                iana_timezone=str(shop["ianaTimezone"]),
                currency_code=str(shop["currencyCode"]),
            )
        except KeyError as exc:
            raise ShopifyError(f"shop query lacks {exc}") from exc

    async def download_lines(self, url: str) -> AsyncIterator[str]:
        """The lines of a bulk result file, streamed (constant memory).

        The URL is a pre-signed storage URL: the access token is not sent
        to it. An expired URL raises ``BulkUrlExpired`` so the caller can
        start a new operation.
        """
        async with self.http.stream("GET", url) as response:
            if response.status_code in (401, 403, 404, 410):
                raise BulkUrlExpired(f"bulk result URL answered HTTP {response.status_code}")
            if response.status_code != 200:
                raise ShopifyError(f"bulk result download failed: HTTP {response.status_code}")
            async for line in response.aiter_lines():
                if line.strip():
                    yield line
