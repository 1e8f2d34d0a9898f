"""Bookkeeping settings: the company's basis and each store's fulfillment tracking.

Each change bumps a version number. The books record the version they were
last fully posted under, which is how a client can tell that the books it
reads still reflect an older setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

ACCOUNTING_BASES = ("CASH", "ACCRUAL")
FULFILLMENT_TRACKINGS = ("ORDER_PLACED_DATE", "ORDER_FULFILLED_DATE")
COSTING_METHODS = ("MOVING_AVERAGE", "FIFO")


async def set_costing_method(conn: asyncpg.Connection, company_id: UUID, method: str) -> bool:
    """Store the method; True when it changed (every product is then costed again)."""
    if method not in COSTING_METHODS:
        raise ValueError(f"unknown costing method {method!r}")
    status = await conn.execute(
        "UPDATE bookkeeping_settings SET costing_method = $2, updated_at = now() "
        "WHERE company_id = $1 AND costing_method <> $2",
        company_id,
        method,
    )
    return not status.endswith(" 0")


@dataclass(frozen=True, slots=True)
class StoreTracking:
    store_id: UUID
    fulfillment_tracking: str


@dataclass(frozen=True, slots=True)
class BookkeepingSettings:
    accounting_basis: str
    costing_method: str
    version: int
    posted_version: int
    stores: tuple[StoreTracking, ...]


@dataclass(frozen=True, slots=True)
class SettingsChange:
    settings: BookkeepingSettings
    changed: bool


async def load_settings(
    conn: asyncpg.Connection | asyncpg.Pool, company_id: UUID
) -> BookkeepingSettings:
    row = await conn.fetchrow(
        "SELECT accounting_basis, costing_method, version, posted_version "
        "FROM bookkeeping_settings "
        "WHERE company_id = $1",
        company_id,
    )
    if row is None:
        raise LookupError(f"company {company_id} has no bookkeeping settings")
    stores = await conn.fetch(
        "SELECT store_id, fulfillment_tracking FROM stores WHERE company_id = $1 "
        "ORDER BY created_at, store_id",
        company_id,
    )
    return BookkeepingSettings(
        accounting_basis=row["accounting_basis"],
        costing_method=row["costing_method"],
        version=row["version"],
        posted_version=row["posted_version"],
        stores=tuple(StoreTracking(s["store_id"], s["fulfillment_tracking"]) for s in stores),
    )


async def update_settings(
    conn: asyncpg.Connection,
    company_id: UUID,
    *,
    accounting_basis: str | None,
    fulfillment_tracking: str | None,
    store_ids: list[UUID],
) -> SettingsChange:
    """Apply a settings change inside the caller's transaction.

    The version moves only when something really changed, so that saving
    the same settings twice does not trigger a second full re-post.
    """
    if accounting_basis is not None and accounting_basis not in ACCOUNTING_BASES:
        raise ValueError(f"unknown accounting basis {accounting_basis!r}")
    if fulfillment_tracking is not None and fulfillment_tracking not in FULFILLMENT_TRACKINGS:
        raise ValueError(f"unknown fulfillment tracking {fulfillment_tracking!r}")
    current = await conn.fetchval(
        "SELECT accounting_basis FROM bookkeeping_settings WHERE company_id = $1 FOR UPDATE",
        company_id,
    )
    changed = False
    if accounting_basis is not None and accounting_basis != current:
        await conn.execute(
            "UPDATE bookkeeping_settings SET accounting_basis = $2 WHERE company_id = $1",
            company_id,
            accounting_basis,
        )
        changed = True
    if fulfillment_tracking is not None and store_ids:
        status = await conn.execute(
            "UPDATE stores SET fulfillment_tracking = $3 WHERE company_id = $1 "
            "AND store_id = any($2::uuid[]) AND fulfillment_tracking <> $3",
            company_id,
            store_ids,
            fulfillment_tracking,
        )
        changed = changed or not status.endswith(" 0")
    if changed:
        await conn.execute(
            "UPDATE bookkeeping_settings SET version = version + 1, updated_at = now() "
            "WHERE company_id = $1",
            company_id,
        )
    return SettingsChange(settings=await load_settings(conn, company_id), changed=changed)
