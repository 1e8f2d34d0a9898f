"""How a recorded job runs: retried when worth it, FAILED otherwise, never stuck.

arq retries only on `Retry`; a lost database, queue or network connection
is transient, so it becomes a Retry with a delay instead of a failed job.
Anything else marks the job's row FAILED with its reason, so that the books
never wait for ever on work that will not happen.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar, cast
from uuid import UUID

import asyncpg
import httpx
from arq import Retry

from service.config import Settings
from service.connectors.retry import RetryLater
from service.ledger.jobs import fail_job
from worker.fairness import company_slot, put_back

log = logging.getLogger("storebooks.worker")
T = TypeVar("T")
JobFunction = TypeVar("JobFunction", bound=Callable[..., Awaitable[Any]])

# Worth another try: lost connections, and the losing side of a deadlock or
# serialization conflict between two jobs re-posting the same orders (its
# transaction was rolled back whole, so running it again is safe).
TRANSIENT = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    httpx.TransportError,
)
MAX_TRIES = 5


def transient_retry(ctx: dict[str, Any], exc: BaseException) -> Retry:
    log.warning("job will be retried after %s: %s", type(exc).__name__, exc)
    return Retry(defer=min(60, 2 ** ctx.get("job_try", 1)))


def capped(fn: JobFunction) -> JobFunction:
    """Run the job only while its company holds fewer than its share of slots."""

    @functools.wraps(fn)
    async def run(ctx: dict[str, Any], company_id: str, *args: Any) -> Any:
        redis = ctx.get("redis")
        settings: Settings | None = ctx.get("settings")
        if redis is None or settings is None:  # called directly, outside a worker
            return await fn(ctx, company_id, *args)
        queue = ctx.get("queue_name", settings.queue_name)
        ttl = settings.job_timeout_seconds + 10
        # Webhook events are short: twice the share, and a shorter wait when over it.
        events = queue.endswith(":events")
        cap = settings.company_jobs * (2 if events else 1)
        async with company_slot(redis, queue, company_id, cap, ttl) as ok:
            if not ok:
                wait = 0.2 if events else 1.0
                return await put_back(ctx, fn.__name__, company_id, *args, defer=wait)
            return await fn(ctx, company_id, *args)

    return cast(JobFunction, run)


def failure_reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


async def guarded(
    ctx: dict[str, Any], company_id: str, job_id: str, work: Callable[[], Awaitable[T]]
) -> T:
    """Run a recorded job so that it never stays RUNNING: transient errors are
    retried (deferred, not slept) until the last try, and any other error, or
    the last try's, marks the job FAILED with its reason before arq drops it.
    The job's own deadline comes a little before arq's timeout, which
    would cancel it without a word (and arq never retries a timeout)."""
    settings: Settings | None = ctx.get("settings")
    timeout = float(settings.job_timeout_seconds) if settings else None
    limit = timeout - min(5.0, timeout / 4) if timeout else None
    deadline = asyncio.timeout(limit)
    try:
        async with deadline:
            return await work()
    except Retry:
        raise
    except TimeoutError as exc:
        if not deadline.expired():  # a query's or a request's own timeout: transient
            await _transient(ctx, company_id, job_id, exc)
        reason = f"the job took longer than {limit or 0:.0f} s"
        await fail_job(ctx["pool"], UUID(company_id), job_id, reason)
        raise RuntimeError(reason) from exc
    except RetryLater as exc:  # the provider asks for a wait: free the slot meanwhile
        if ctx.get("job_try", 1) < MAX_TRIES:
            raise Retry(defer=min(120.0, max(1.0, exc.wait))) from exc
        await fail_job(ctx["pool"], UUID(company_id), job_id, failure_reason(exc))
        raise
    except TRANSIENT as exc:
        await _transient(ctx, company_id, job_id, exc)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        await fail_job(ctx["pool"], UUID(company_id), job_id, failure_reason(exc))
        raise


async def _transient(ctx: dict[str, Any], company_id: str, job_id: str, exc: Exception) -> NoReturn:
    """Another try, deferred; the last try's failure is the job's."""
    if ctx.get("job_try", 1) < MAX_TRIES:
        raise transient_retry(ctx, exc) from exc
    await fail_job(ctx["pool"], UUID(company_id), job_id, failure_reason(exc))
    raise exc
