"""Keeping to a provider's request limits: so many a minute, so many at once."""

from __future__ import annotations

import asyncio
import time


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
