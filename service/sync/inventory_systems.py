"""Reading costs from an inventory system (Finale Inventory, Goflow).

Builds the system's client from its stored connection, asks it for every
unit shipped since the books began, and hands the units to the ledger,
which stores one cost per order and SKU and re-posts what changed
(``service.ledger.inventory_systems``).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.connectors.finale.client import FinaleClient
from service.connectors.goflow.client import GoflowClient
from service.connectors.inventory import (
    FINALE,
    CostSample,
    InventoryAuthError,
    InventorySystemError,
    order_ref,
)
from service.connectors.retry import CONNECTION_TEST_SECONDS, RetryLater, SleepBudget
from service.ledger.inventory_systems import (
    Connection,
    apply_shipped_costs,
    books_span,
    finish_inventory_sync,
    load_connection,
)
from service.ledger.jobs import start_job

# A sync sleeps at most this long for the system in all; a longer wait defers
# the job (RetryLater) so the worker's slot serves other companies meanwhile.
INLINE_WAIT_SECONDS = 5.0


def client_for(c: Connection, *, sleep: Any = None) -> FinaleClient | GoflowClient:
    base = c.settings.get("baseUrl")
    extra = {} if sleep is None else {"sleep": sleep}
    if c.provider == FINALE:
        return FinaleClient(
            c.settings["account"],
            c.credentials["apiKey"],
            c.credentials["apiSecret"],
            base,
            **extra,
        )
    return GoflowClient(
        c.settings["subdomain"],
        c.credentials["token"],
        base,
        beta_contact=c.settings.get("betaContact"),
        **extra,
    )


async def run_inventory_sync(
    pool: asyncpg.Pool, secret_key: str, company_id: UUID, job_id: str
) -> bool:
    """Fetch what shipped since the books began, store its costs, re-post what changed."""
    async with pool.acquire() as conn, conn.transaction():
        job = await start_job(conn, company_id, job_id)
    if job is None:
        return False
    provider = job.payload["provider"]
    connection = await load_connection(pool, company_id, provider, secret_key)
    span = await books_span(pool, company_id)
    if connection is not None and span is not None:
        client = client_for(connection, sleep=SleepBudget(INLINE_WAIT_SECONDS))
        try:
            shipped = await client.shipped_units(*span)
        finally:
            await client.aclose()
        await apply_shipped_costs(pool, company_id, provider, shipped, partial(order_ref, provider))
    await finish_inventory_sync(pool, company_id, provider, job_id)
    return True


class NotConnected(LookupError):
    """The company has not connected that inventory system."""


class ConnectionProblem(RuntimeError):
    """The system refused the credentials (``auth``) or answered something
    unusable; the message is the system's own, for the merchant to read."""

    def __init__(self, message: str, *, auth: bool) -> None:
        super().__init__(message)
        self.auth = auth


async def sample_inventory_cost(
    pool: asyncpg.Pool, secret_key: str, company_id: UUID, provider: str
) -> CostSample | None:
    """One shipped product's cost from the system, fetched now."""
    connection = await load_connection(pool, company_id, provider, secret_key)
    if connection is None:
        raise NotConnected(f"{provider} is not connected")
    client = client_for(connection, sleep=SleepBudget(INLINE_WAIT_SECONDS))
    try:
        async with asyncio.timeout(CONNECTION_TEST_SECONDS):
            return await client.sample_cost()
    except TimeoutError as exc:
        reason = f"{provider} did not answer within {CONNECTION_TEST_SECONDS:.0f} s"
        raise ConnectionProblem(reason, auth=False) from exc
    except RetryLater as exc:
        reason = f"{provider} is not answering now ({exc}); try again in a few minutes"
        raise ConnectionProblem(reason, auth=False) from exc
    except InventoryAuthError as exc:
        raise ConnectionProblem(str(exc), auth=True) from exc
    except InventorySystemError as exc:
        raise ConnectionProblem(str(exc), auth=False) from exc
    except (httpx.HTTPError, ValueError) as exc:  # unreachable host, or not a host at all
        reason = f"{provider} could not be reached ({type(exc).__name__})"
        raise ConnectionProblem(reason, auth=False) from exc
    finally:
        await client.aclose()
