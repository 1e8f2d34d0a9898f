"""Posting processes for full re-posts.

A full re-post is two kinds of work taking turns: posting a batch (Python,
CPU) and writing it (mostly the database's time). Posting in other
processes lets the two overlap: while the writer COPies one batch, the
next is being posted; and with more cores, several parts of a batch post
at once.

The processes are started once per process that re-posts (a worker, the
command line) and kept for the next re-post. They are spawned, never
forked: a fork would copy an event loop and open database connections
into the child. A spawned child starts the virtual environment's
interpreter, so it loads the compiled engine exactly as its parent does.
They receive plain data and return plain rows.

STOREBOOKS_POSTING_PROCESSES sets how many (0: post in the re-posting
process itself, as on a single core); by default one per core, at most 8.
One per core rather than leaving the database a core: the re-posting
process and the database wait on each other between statements, and on 2
cores a second posting process takes up that slack (bench/README.md).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from service.ledger.batch_posting import BatchRows, OrderBatch, post_order_batch

MAX_PROCESSES = 8
_executor: ProcessPoolExecutor | None = None
_executor_size = 0


def posting_processes(cores: int | None = None) -> int:
    """How many posting processes a re-post uses: 0 posts in-process."""
    raw = os.environ.get("STOREBOOKS_POSTING_PROCESSES", "").strip()
    if raw:
        if not raw.isdigit():
            raise ValueError(f"STOREBOOKS_POSTING_PROCESSES: {raw!r} is not a whole number")
        return min(int(raw), MAX_PROCESSES)
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return 0 if cores < 2 else min(cores, MAX_PROCESSES)


def _pool(size: int) -> ProcessPoolExecutor:
    global _executor, _executor_size
    if _executor is None or _executor_size != size:
        close_posting_pool()
        context = multiprocessing.get_context("spawn")
        _executor = ProcessPoolExecutor(
            max_workers=size, mp_context=context, initializer=_end_with_parent
        )
        _executor_size = size
    return _executor


def _end_with_parent() -> None:
    """In a posting process: exit as soon as the process that started it
    is gone (a worker killed with -9 would otherwise leave it waiting for
    work forever)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def warm_up() -> None:
    """Start the posting processes now, if they are not running: they take
    a moment to load the engine, which then overlaps the first read."""
    size = posting_processes()
    if size > 0 and (_executor is None or _executor_size != size):
        pool = _pool(size)
        for _ in range(size):
            pool.submit(_ready)


def _ready() -> None:
    """Nothing: run in a new posting process, it has loaded this module."""


def close_posting_pool() -> None:
    """Stop the posting processes (they are started again when next needed)."""
    global _executor, _executor_size
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
    _executor, _executor_size = None, 0


def split(orders_count: int, parts: int) -> list[tuple[int, int]]:
    """Ranges cutting a batch into ``parts`` nearly equal pieces, in order."""
    parts = max(1, min(parts, orders_count))
    size, extra = divmod(orders_count, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append((start, end))
        start = end
    return out


def start_posting(batches: list[OrderBatch]) -> asyncio.Future[list[BatchRows]]:
    """The batches' rows, posted in the posting processes (or, without
    any, right here before this returns)."""
    loop = asyncio.get_running_loop()
    size = posting_processes()
    if size == 0:
        done: asyncio.Future[list[BatchRows]] = loop.create_future()
        try:
            done.set_result([post_order_batch(b) for b in batches])
        except Exception as exc:
            done.set_exception(exc)
        return done
    pool = _pool(size)
    parts = [loop.run_in_executor(pool, post_order_batch, b) for b in batches]
    return asyncio.ensure_future(_gather(parts))


async def _gather(parts: list[asyncio.Future[BatchRows]]) -> list[BatchRows]:
    results = await asyncio.gather(*parts, return_exceptions=True)
    for result in results:
        if isinstance(result, BrokenProcessPool):
            # A posting process died (killed, out of memory): the next
            # re-post starts new ones; this one fails and its job is retried.
            close_posting_pool()
        if isinstance(result, BaseException):
            raise result
    return [r for r in results if isinstance(r, BatchRows)]


def drop(posting: asyncio.Future[list[BatchRows]] | None) -> None:
    """Give up a batch being posted (the re-post stops short of writing it)."""
    if posting is None:
        return
    if posting.done():
        if not posting.cancelled():
            posting.exception()  # seen, so that it is not reported as lost
    else:
        posting.cancel()
