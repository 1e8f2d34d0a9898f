"""Webhook events stored in batches, each request answered after its batch's commit.

Under a burst every request would otherwise pay a statement, a commit (a
disk flush) and a queue round trip of its own. Here requests that arrive
while a batch is being written wait for the next batch, which is written
as one INSERT and one commit, then enqueued in one Valkey round trip.
Nothing is acknowledged before its commit: a request's 200 still means
its event is durably stored. Alone, a request is a batch of one and waits
for nobody.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from arq.connections import ArqRedis

from service.db.queue import enqueue_new_events, order_marker
from service.ledger.ingest import NewEvent, store_events
from service.sync.shopify_events import PROCESS_EVENT_FUNCTION, event_job_id

log = logging.getLogger("storebooks.webhooks")

MAX_BATCH = 256
# Batches written at once: one commit waiting on the disk while the next
# batch is built keeps both the database and this process busy.
MAX_IN_FLIGHT = 2

Waiting = tuple[NewEvent, "asyncio.Future[int | None]"]


class EventWriter:
    def __init__(self, pool: asyncpg.Pool, queue: ArqRedis) -> None:
        self.pool = pool
        self.queue = queue
        self._waiting: list[Waiting] = []
        self._in_flight = 0

    async def store(self, event: NewEvent) -> int | None:
        """The event's id once committed (and enqueued), None for a duplicate."""
        done: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, done))
        if self._in_flight < MAX_IN_FLIGHT:
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[:MAX_BATCH]
                del self._waiting[:MAX_BATCH]
                await self._write(batch)
        finally:
            self._in_flight -= 1

    async def _write(self, batch: list[Waiting]) -> None:
        try:
            ids = await store_events(self.pool, [event for event, _ in batch])
        except BaseException as exc:  # each waiting request fails with the batch
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc if isinstance(exc, Exception) else RuntimeError(exc))
            if not isinstance(exc, Exception):
                raise
            return
        await self._enqueue([(e, i) for (e, _), i in zip(batch, ids, strict=True) if i])
        for (_, done), event_id in zip(batch, ids, strict=True):
            if not done.done():
                done.set_result(event_id)

    async def _enqueue(self, stored: list[tuple[NewEvent, int]]) -> None:
        if not stored:
            return
        jobs = []
        for event, event_id in stored:
            company = str(event.company_id)
            marker = ""
            if event.order_hint is not None:
                marker = order_marker(self.queue, company, str(event.store_id), event.order_hint)
            job_id = event_job_id(event.company_id, event_id)
            jobs.append((job_id, (company, event_id, marker), marker))
        try:
            await enqueue_new_events(self.queue, PROCESS_EVENT_FUNCTION, jobs)
        except Exception:  # stored is what counts; the worker's sweep enqueues them later
            log.exception("could not enqueue %d events; the sweep will pick them up", len(stored))
