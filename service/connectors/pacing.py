"""Keeping to a provider's request limits: so many a minute, so many at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx


class Pace:
    """At most ``per_minute`` request starts in any minute, evenly spaced,
    and ``at_once`` requests in flight (hold ``slots`` around a request)."""

    def __init__(self, per_minute: int, at_once: int) -> None:
        self.gap = 60.0 / per_minute
        self.next = 0.0
        self.slots = asyncio.Semaphore(at_once)

    async def start(self) -> None:
        now = time.monotonic()
        wait, self.next = max(0.0, self.next - now), max(self.next, now) + self.gap
        if wait:
            await asyncio.sleep(wait)


class OAuthApi:
    """An accounting system's API behind OAuth 2 tokens, kept to its limits.

    QuickBooks Online and Xero both hand out an access token that expires
    and a refresh token that replaces it, answer 401 when the access token
    has expired and 429 (with Retry-After) past their rate limit. One
    request loop serves both: refresh once on a 401 (and hand the new tokens
    to ``on_tokens`` to be stored), wait on a 429, give up after six tries.
    """

    name = "the accounting system"
    error: type[Exception] = RuntimeError
    # The system's published limits: requests a minute, requests at once.
    per_minute = 60
    at_once = 5

    def __init__(
        self,
        base_url: str,
        account_id: str,
        tokens: dict[str, str],
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        on_tokens: Callable[[dict[str, str]], Awaitable[None]],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        """``account_id``: the company in the system the tokens open
        (QuickBooks' realm, Xero's tenant)."""
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.tokens = dict(tokens)
        self.token_url = token_url
        self.auth = (client_id, client_secret)
        self.on_tokens = on_tokens
        self.sleep = sleep
        self.http = http or httpx.AsyncClient(timeout=60)
        self.pace = Pace(self.per_minute, self.at_once)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _refresh(self) -> None:
        got = await self.http.post(
            self.token_url,
            data={"grant_type": "refresh_token", "refresh_token": self.tokens["refresh_token"]},
            auth=self.auth,
            headers={"Accept": "application/json"},
        )
        if got.status_code != 200:
            raise self.error(f"token refresh refused ({got.status_code}): {got.text[:300]}")
        body = got.json()
        self.tokens = {"access_token": body["access_token"], "refresh_token": body["refresh_token"]}
        await self.on_tokens(self.tokens)

    async def send(
        self,
        method: str,
        url: str,
        params: dict[str, str],
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        refreshed = False
        for _ in range(6):
            async with self.pace.slots:
                await self.pace.start()
                got = await self.http.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers={
                        "Authorization": f"Bearer {self.tokens['access_token']}",
                        "Accept": "application/json",
                        **(headers or {}),
                    },
                )
            if got.status_code == 401 and not refreshed:
                await self._refresh()
                refreshed = True
                continue
            if got.status_code == 429:
                await self.sleep(float(got.headers.get("Retry-After") or 1))
                continue
            if got.status_code != 200:
                raise self.error(f"{self.name} answered {got.status_code}: {got.text[:500]}")
            answer: dict[str, Any] = got.json()
            return answer
        raise self.error(f"{self.name} kept throttling; try again later")
