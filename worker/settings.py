"""arq worker settings.

Timeouts stay short because arq picks up a job of a killed worker only when
its in-progress key expires: the longest function timeout plus 10 seconds.
"""

from __future__ import annotations

import asyncio
import functools
import signal
from typing import Any, ClassVar

from arq import cron
from arq.worker import Worker, func

from service.config import Settings, get_settings
from service.db.connect import create_pool, resolve_endpoints
from service.db.migrate import migrate
from service.db.queue import events_queue, redis_settings
from service.heap import freeze_startup_heap
from worker.jobs import (
    MAX_TRIES,
    cleanup_journal_versions,
    process_shopify_event,
    recost_moved_skus,
    recost_skus,
    refetch_waiting_orders,
    repost_channel,
    repost_company,
    repost_orders,
    requeue_stale_jobs,
    schedule_incremental_syncs,
    schedule_inventory_syncs,
    schedule_marketplace_syncs,
    sync_inventory_costs,
    sync_marketplace,
    sync_shopify_store,
)
from worker.observability import instrument_all, job_started, serve_metrics
from worker.processor_jobs import schedule_processor_syncs, sync_processor_account


async def startup(ctx: dict[str, Any]) -> None:
    settings = ctx.setdefault("settings", get_settings())
    serve_metrics(settings.worker_metrics_port)
    if "pool" not in ctx:
        endpoints = await resolve_endpoints(settings)
        ctx["pool"] = await create_pool(endpoints.database_url)
        async with ctx["pool"].acquire() as conn:
            await migrate(conn)
        ctx["owns_pool"] = True
    freeze_startup_heap()


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("owns_pool"):
        await ctx["pool"].close()


# Every function gets the same timeout: arq re-runs a killed worker's job only
# after the longest timeout of any function, so one long timeout delays all.
TIMEOUT = get_settings().job_timeout_seconds


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        func(repost_company, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(process_shopify_event, max_tries=MAX_TRIES, timeout=TIMEOUT, keep_result=0),
        func(repost_channel, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(recost_skus, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(repost_orders, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(sync_inventory_costs, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(sync_shopify_store, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(sync_marketplace, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(sync_processor_account, max_tries=MAX_TRIES, timeout=TIMEOUT),
        func(cleanup_journal_versions, max_tries=MAX_TRIES, timeout=TIMEOUT, keep_result=0),
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(requeue_stale_jobs, second={0}, run_at_startup=True, unique=True, timeout=TIMEOUT),
        cron(schedule_incremental_syncs, minute=set(range(0, 60, 5)), second={30}, timeout=TIMEOUT),
        cron(cleanup_journal_versions, minute=set(range(7, 60, 10)), second={15}, timeout=TIMEOUT),
        cron(schedule_inventory_syncs, minute={42}, second={0}, timeout=TIMEOUT),
        cron(schedule_marketplace_syncs, minute={23}, second={0}, timeout=TIMEOUT),
        cron(schedule_processor_syncs, minute={17}, second={0}, timeout=TIMEOUT),
        cron(refetch_waiting_orders, second={45}, unique=True, timeout=TIMEOUT),
        cron(recost_moved_skus, second=set(range(5, 60, 10)), unique=True, timeout=TIMEOUT),
    ]
    on_startup = startup
    on_shutdown = shutdown
    # arq polls every 0.5 s for at most max_jobs jobs by default: about 8
    # webhooks a second. Polling often and running many small jobs at once
    # keeps a steady webhook stream in the statements within a second.
    max_jobs = 16
    poll_delay = 0.05
    health_check_interval = 30
    job_timeout = TIMEOUT


def build_worker(
    settings: Settings, redis_url: str, *, ctx: dict[str, Any] | None = None, **overrides: Any
) -> Worker:
    """A worker for this deployment's queue, outside arq's own CLI."""
    options: dict[str, Any] = {
        "functions": WorkerSettings.functions,
        "cron_jobs": WorkerSettings.cron_jobs,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": WorkerSettings.max_jobs,
        "poll_delay": WorkerSettings.poll_delay,
        "health_check_interval": WorkerSettings.health_check_interval,
        "job_timeout": WorkerSettings.job_timeout,
        "redis_settings": redis_settings(redis_url),
        "queue_name": settings.queue_name,
        "ctx": {**(ctx or {}), "settings": settings},
    }
    options.update(overrides)
    options["functions"] = instrument_all(options["functions"])
    options["cron_jobs"] = instrument_all(options["cron_jobs"] or [])
    options.setdefault("on_job_start", job_started)
    # The fairness cap counts a company's jobs per queue: the job must know its queue.
    options["ctx"] = {**options["ctx"], "queue_name": options["queue_name"]}
    return Worker(**options)


# A stored event is one order's re-post: seconds at most. A short timeout is
# what brings a killed worker's event back quickly: arq hands it to another
# worker once its in-progress key expires, this timeout plus 10 seconds.
EVENT_TIMEOUT = 15
EVENT_FUNCTIONS = [
    func(process_shopify_event, max_tries=MAX_TRIES, timeout=EVENT_TIMEOUT, keep_result=0)
]


def build_event_worker(
    settings: Settings, redis_url: str, *, ctx: dict[str, Any] | None = None, **overrides: Any
) -> Worker:
    """The worker of the events queue: webhooks only, never behind a long sync."""
    overrides.pop("cron_jobs", None)
    return build_worker(
        settings,
        redis_url,
        ctx=ctx,
        **{
            "functions": EVENT_FUNCTIONS,
            "cron_jobs": [],
            "queue_name": events_queue(settings.queue_name),
            "job_timeout": EVENT_TIMEOUT,
            **overrides,
        },
    )


def build_workers(
    settings: Settings, redis_url: str, *, ctx: dict[str, Any] | None = None, **overrides: Any
) -> list[Worker]:
    """The main worker and the events worker, run together by `storebooks worker`."""
    return [
        build_worker(settings, redis_url, ctx=ctx, **overrides),
        build_event_worker(settings, redis_url, ctx=ctx, **overrides),
    ]


async def run_workers(workers: list[Worker], *, stop_on_signals: bool = True) -> None:
    """Run the workers until they finish (burst) or a signal stops them all.

    One handler stops every worker: arq's own handlers would replace each
    other, the last worker built taking the signal from the others. Build the
    workers with handle_signals=False."""
    if stop_on_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, functools.partial(_stop_all, workers, sig))
    try:
        await asyncio.gather(*(w.async_run() for w in workers))
    except asyncio.CancelledError:
        pass
    finally:
        for w in workers:
            await w.close()


def _stop_all(workers: list[Worker], sig: signal.Signals) -> None:
    for w in workers:
        w.handle_sig_wait_for_completion(sig)
