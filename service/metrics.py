"""Prometheus metrics of every storebooks process.

Counters and histograms are updated where the work happens (HTTP requests
in the API, jobs in the workers). What is a state rather than an event
(queue depth, webhooks waiting, re-posts under way) is read when Prometheus
scrapes, from the queue and the database, so any one API process reports
the same figures for the whole deployment and nothing goes stale.

Every name starts with ``storebooks_``. Label values are bounded: GraphQL
operations are named by their root field (checked against the schema),
jobs by their function name, never by ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.asyncio import Redis

log = logging.getLogger("storebooks.metrics")

# Webhook intake answers in milliseconds; GraphQL statements in tens of ms;
# exports and uploads can take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

REQUEST_LATENCY = Histogram(
    "storebooks_http_request_duration_seconds",
    "Time to answer an HTTP request, by operation (GraphQL root field or route).",
    ["operation", "status"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOKS_RECEIVED = Counter(
    "storebooks_webhooks_received_total",
    "Webhook deliveries received, by HTTP status answered (200 once stored).",
    ["source", "status"],
)
WEBHOOK_LAG = Histogram(
    "storebooks_webhook_processing_lag_seconds",
    "From a webhook's intake to the end of its processing (when it shows in the books).",
    buckets=JOB_BUCKETS,
)
JOB_DURATION = Histogram(
    "storebooks_job_duration_seconds",
    "Run time of one background job, by function and outcome.",
    ["function", "outcome"],
    buckets=JOB_BUCKETS,
)
JOB_WAIT = Histogram(
    "storebooks_job_queue_wait_seconds",
    "Time a job waited in the queue before a worker started it.",
    ["function"],
    buckets=JOB_BUCKETS,
)
JOB_FAILURES = Counter(
    "storebooks_job_failures_total",
    "Jobs that raised: 'retry' will run again, 'error' may be retried by arq or fail for good.",
    ["function", "kind"],
)


@dataclass
class Snapshot:
    """The deployment's state at scrape time; empty parts could not be read."""

    queue_depth: dict[str, int] = field(default_factory=dict)
    webhooks_pending: int | None = None
    oldest_pending_seconds: float | None = None
    jobs_unfinished: dict[tuple[str, str], int] = field(default_factory=dict)
    reposts: list[tuple[str, int, int]] = field(default_factory=list)


async def queue_depths(queue: Redis, names: Sequence[str]) -> dict[str, int]:
    """Jobs waiting in each arq queue (a sorted set of job ids)."""
    return {name: int(await queue.zcard(name)) for name in names}


PENDING_SQL = """
SELECT count(*) AS pending,
       coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8 AS oldest
FROM raw_events WHERE status = 'PENDING'
"""
JOBS_SQL = """
SELECT kind, status, count(*) AS n FROM jobs
WHERE status IN ('QUEUED', 'RUNNING') GROUP BY kind, status
"""
# Orders of the version being built so far, against the company's orders.
REPOSTS_SQL = """
SELECT b.company_id::text AS company,
       (SELECT count(*) FROM order_summaries s
         WHERE s.company_id = b.company_id AND s.journal_version = b.building_version) AS done,
       (SELECT count(*) FROM order_sources o WHERE o.company_id = b.company_id) AS total
FROM books b WHERE b.building_version IS NOT NULL
"""


async def database_state(pool: asyncpg.Pool, snapshot: Snapshot) -> None:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(PENDING_SQL)
        snapshot.webhooks_pending = int(row["pending"])
        snapshot.oldest_pending_seconds = float(row["oldest"])
        for r in await conn.fetch(JOBS_SQL):
            snapshot.jobs_unfinished[(r["kind"], r["status"])] = int(r["n"])
        for r in await conn.fetch(REPOSTS_SQL):
            snapshot.reposts.append((r["company"], int(r["done"]), int(r["total"])))


async def take_snapshot(
    pool: asyncpg.Pool, queue: Redis, queue_names: Sequence[str], seconds: float = 2.0
) -> Snapshot:
    """Read the state; a part that fails or is slow is left out, never fatal:
    a scrape must answer even while the database is in trouble."""
    snapshot = Snapshot()
    try:
        async with asyncio.timeout(seconds):
            snapshot.queue_depth = await queue_depths(queue, queue_names)
    except Exception as exc:
        log.warning("metrics: queue depth unavailable: %s", type(exc).__name__)
    try:
        async with asyncio.timeout(seconds):
            await database_state(pool, snapshot)
    except Exception as exc:
        log.warning("metrics: database state unavailable: %s", type(exc).__name__)
    return snapshot


class SnapshotCollector(Collector):
    """Gauges for one scrape, built from a snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterable[Metric]:
        return list(self._metrics())

    def _metrics(self) -> Iterator[Metric]:
        s = self.snapshot
        depth = GaugeMetricFamily(
            "storebooks_queue_depth", "Jobs waiting in the queue.", labels=["queue"]
        )
        for name, n in s.queue_depth.items():
            depth.add_metric([name], n)
        yield depth
        if s.webhooks_pending is not None:
            yield GaugeMetricFamily(
                "storebooks_webhooks_pending",
                "Stored webhooks not processed yet.",
                value=s.webhooks_pending,
            )
            yield GaugeMetricFamily(
                "storebooks_webhook_oldest_pending_seconds",
                "Age of the oldest webhook not processed yet (0 when none waits).",
                value=s.oldest_pending_seconds or 0.0,
            )
        jobs = GaugeMetricFamily(
            "storebooks_jobs_unfinished",
            "Recorded jobs queued or running, by kind and status.",
            labels=["kind", "status"],
        )
        for (kind, status), n in s.jobs_unfinished.items():
            jobs.add_metric([kind, status], n)
        yield jobs
        yield from self._repost_metrics()

    def _repost_metrics(self) -> Iterator[Metric]:
        done = GaugeMetricFamily(
            "storebooks_repost_orders_done",
            "Orders posted so far into the journal version being built.",
            labels=["company"],
        )
        total = GaugeMetricFamily(
            "storebooks_repost_orders_total",
            "Orders of a company whose full re-post is under way.",
            labels=["company"],
        )
        for company, n_done, n_total in self.snapshot.reposts:
            done.add_metric([company], n_done)
            total.add_metric([company], n_total)
        yield GaugeMetricFamily(
            "storebooks_reposts_running",
            "Full re-posts under way.",
            value=len(self.snapshot.reposts),
        )
        yield done
        yield total


def snapshot_registry(snapshot: Snapshot) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot))
    return registry
