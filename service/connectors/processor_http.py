"""What the payment processors' clients (PayPal, Stripe) share.

Both answer JSON over HTTPS, throttle with 429 and fail now and then with
5xx: those are waited out (Retry-After when given, else exponential
backoff); a refused credential and a refused request are raised with the
processor's own words, so a sync run can show the merchant why.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from service.connectors.retry import OwnedHttpClient
from service.domain.processor import BalanceTransaction, Payout

Sleep = Callable[[float], Awaitable[None]]
_MAX_BACKOFF = 30.0


class ProcessorError(Exception):
    """The processor answered something unusable or refused the request."""


class ProcessorAuthError(ProcessorError):
    """The processor refused the credentials."""


class ProcessorDataError(ProcessorError):
    """A field of the processor's answer is missing or malformed."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


@dataclass(frozen=True, slots=True)
class Linked:
    """A processor record and the order reference the processor kept for it
    (PayPal's invoice id or custom field, Stripe's metadata ``order_id``),
    which the books resolve to one of the store's orders."""

    record: BalanceTransaction | Payout
    order_ref: str | None = None
    aliases: tuple[str, ...] = ()
    """Other ids of the same payment an order may carry (Stripe's payment
    intent next to its charge)."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _backoff(attempt: int) -> float:
    return float(min(_MAX_BACKOFF, 0.5 * 2**attempt))


def error_text(response: httpx.Response) -> str:
    """The processor's own explanation of a refusal, shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):  # Stripe
            return str(err.get("message") or err.get("type") or err)[:300]
        if isinstance(err, str):  # OAuth2
            return f"{err}: {body.get('error_description', '')}"[:300]
        details = body.get("details")
        issue = ""
        if isinstance(details, list) and details and isinstance(details[0], dict):
            issue = f" ({details[0].get('field', '')}: {details[0].get('issue', '')})"
        return f"{body.get('name', '')}: {body.get('message', '')}{issue}"[:300]
    return str(body)[:300]


class ProcessorHttpClient(OwnedHttpClient):
    """An HTTP client it may own, retry settings, and closing what it opened."""

    system = "processor"

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str | list[str]] | None = None,
        data: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Any:
        """The decoded JSON of a 200 answer, after waiting out throttling."""
        attempt = 0
        while True:
            try:
                response = await self.http.request(
                    method,
                    url,
                    headers=headers,
                    params=params,
                    data=data,
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as exc:
                wait, reason = _backoff(attempt), f"transport error {exc!r}"
            else:
                status = response.status_code
                if status == 200:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise ProcessorDataError(url, "the answer is not JSON") from exc
                if status in (401, 403):
                    raise ProcessorAuthError(
                        f"{self.system} refused the credentials (HTTP {status}): "
                        f"{error_text(response)}"
                    )
                if status == 429:
                    wait = _retry_after(response) or _backoff(attempt)
                    reason = "HTTP 429 Too Many Requests"
                elif status >= 500:
                    wait, reason = _backoff(attempt), f"HTTP {status}"
                else:
                    raise ProcessorError(
                        f"{self.system} refused the request (HTTP {status}): {error_text(response)}"
                    )
            attempt += 1
            if attempt > self.max_retries:
                raise ProcessorError(f"{self.system}: gave up after {attempt} attempts, {reason}")
            await self.sleep(wait)
