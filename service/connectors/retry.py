"""Waiting on a provider without holding a worker slot.

A provider that throttles or is down answers "try later". A short wait is
slept where the request is; a longer one raises RetryLater, which the worker
turns into a deferred job (arq's Retry), so the slot serves other work
meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Self

import httpx

# A connection test answers a person waiting at a screen: a provider that does
# not answer within this long is reported as unreachable, not waited on.
CONNECTION_TEST_SECONDS = 15.0


class RetryLater(Exception):
    """Run the job again after ``wait`` seconds."""

    def __init__(self, wait: float, reason: str) -> None:
        super().__init__(f"retry in {wait:.1f} s: {reason}")
        self.wait = wait


class SleepBudget:
    """A sleep function for the providers' clients that sleeps at most
    ``seconds`` in all, then raises RetryLater."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    async def __call__(self, wait: float) -> None:
        if wait > self.left:
            raise RetryLater(wait, "the provider asks to wait")
        self.left -= wait
        await asyncio.sleep(wait)


Sleep = Callable[[float], Awaitable[None]]


class OwnedHttpClient:
    """What every provider client shares: an HTTP client it may own (and
    then closes), retry settings, and ``async with``."""

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
