"""Waiting on a provider without holding a worker slot.

A provider that throttles or is down answers "try later". A short wait is
slept where the request is; a longer one raises RetryLater, which the worker
turns into a deferred job (arq's Retry), so the slot serves other work
meanwhile.
"""

from __future__ import annotations

import asyncio


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
