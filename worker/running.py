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
from worker.fairness import CompanyTurn, company_slot, put_back

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
        if queue.endswith(":events"):  # short jobs: twice the share, taken in turns
            cap = settings.company_jobs * 2
            turn = CompanyTurn(redis, queue, fn.__name__, company_id, cap, ttl)
            return await _in_turn(turn, fn, ctx, company_id, args)
        async with company_slot(redis, queue, company_id, settings.company_jobs, ttl) as ok:
            if not ok:
                return await put_back(ctx, fn.__name__, company_id, *args)
            return await fn(ctx, company_id, *args)

    return cast(JobFunction, run)


# How long one job goes on taking its company's handed-over jobs: well
# within the events queue's job timeout.
TURN_SECONDS = 5.0


async def _in_turn(
    turn: CompanyTurn,
    fn: Callable[..., Awaitable[Any]],
    ctx: dict[str, Any],
    company_id: str,
    args: tuple[Any, ...],
) -> Any:
    """The job, then the company's handed-over jobs until none is left or the
    turn's time is up; what is left then is enqueued again. A handed-over
    job that fails is enqueued as a job of its own, which retries it with
    its own count of tries."""
    if not await turn.admit(args):
        return "HANDED_OVER"
    try:
        result = await fn(ctx, company_id, *args)
        deadline = asyncio.get_running_loop().time() + TURN_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            more = await turn.next()
            if more is None:
                break
            try:
                await fn(ctx, company_id, *more)
            except Exception:
                log.warning("handed-over job %s%s enqueued on its own", fn.__name__, more)
                await put_back(ctx, fn.__name__, company_id, *more)
        return result
    finally:
        for rest in await turn.leave():
            await put_back(ctx, fn.__name__, company_id, *rest, defer=0)


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
