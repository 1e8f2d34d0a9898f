"""Metrics and log context for every job a worker runs.

Each job function is wrapped once, when the worker is built: the wrapper
times the job, counts how it ended, and for a webhook measures the time
from its intake (when the API enqueued it) to the end of its processing.
The job's id is put on every log line written while it runs, arq's own
lines included (`on_job_start` runs in the job's own task).

A worker serves its metrics on STOREBOOKS_WORKER_METRICS_PORT when set (one
worker per container or pod, so one port each).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from arq import Retry
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function
from prometheus_client import start_http_server

from service import logs
from service.metrics import JOB_DURATION, JOB_FAILURES, JOB_WAIT, WEBHOOK_LAG
from service.sync.shopify_events import PROCESS_EVENT_FUNCTION

log = logging.getLogger("storebooks.worker")


def _since(moment: Any) -> float | None:
    if not isinstance(moment, datetime):
        return None
    return max(0.0, (datetime.now(UTC) - moment).total_seconds())


def instrument(name: str, coroutine: WorkerCoroutine) -> WorkerCoroutine:
    """The same job, timed and counted under its function name."""

    @functools.wraps(coroutine)
    async def run(ctx: dict[Any, Any], *args: Any, **kwargs: Any) -> Any:
        waited = _since(ctx.get("enqueue_time"))
        if waited is not None and not name.startswith("cron:"):
            JOB_WAIT.labels(name).observe(waited)
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await coroutine(ctx, *args, **kwargs)
            outcome = "success"
            return result
        except Retry:
            outcome = "retry"
            JOB_FAILURES.labels(name, "retry").inc()
            raise
        except Exception:
            JOB_FAILURES.labels(name, "error").inc()
            raise
        finally:
            JOB_DURATION.labels(name, outcome).observe(time.perf_counter() - started)
            lag = _since(ctx.get("enqueue_time"))
            if name == PROCESS_EVENT_FUNCTION and outcome == "success" and lag is not None:
                WEBHOOK_LAG.observe(lag)

    return cast(WorkerCoroutine, run)


def instrument_all(jobs: Sequence[Any]) -> list[Any]:
    """arq Functions and CronJobs with their coroutines instrumented."""
    out: list[Any] = []
    for job in jobs:
        if isinstance(job, Function | CronJob):
            job = dataclasses.replace(job, coroutine=instrument(job.name, job.coroutine))
        out.append(job)
    return out


async def job_started(ctx: dict[str, Any]) -> None:
    """Runs in the job's own task: the id stays with this job's log lines."""
    logs.job_id.set(str(ctx.get("job_id")))


_serving: set[int] = set()


def serve_metrics(port: int | None) -> None:
    """Expose this worker's job metrics to Prometheus, on all interfaces of the pod."""
    if port is None or port in _serving:
        return
    start_http_server(port)
    _serving.add(port)
    log.info("worker metrics on port %d", port)
