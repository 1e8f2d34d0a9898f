"""inventorySystems: the connected inventory systems and their last syncs, never their secrets."""

from __future__ import annotations

import datetime as dt

import strawberry

from service.api.context import Info
from service.api.mutations.connect_inventory_system import InventoryProvider
from service.api.types.job import Job
from service.ledger.inventory_systems import INVENTORY_SYNC
from service.ledger.jobs import JOB_COLUMNS, JobRecord


@strawberry.type(description="A connected inventory system (Finale, Goflow).")
class InventorySystem:
    provider: InventoryProvider
    account: str = strawberry.field(description="Finale's account name or Goflow's subdomain.")
    connected_at: dt.datetime
    last_synced_at: dt.datetime | None
    recent_syncs: list[Job] = strawberry.field(
        description="Its latest cost syncs, newest first, with their errors."
    )


async def inventory_systems(info: Info) -> list[InventorySystem]:
    ctx = info.context
    rows = await ctx.pool.fetch(
        "SELECT provider, settings, connected_at, last_synced_at FROM inventory_connections "
        "WHERE company_id = $1 ORDER BY provider",
        ctx.company_id,
    )
    jobs = await ctx.pool.fetch(
        f"SELECT {JOB_COLUMNS} FROM jobs WHERE company_id = $1 AND kind = $2 "
        "ORDER BY enqueued_at DESC LIMIT 20",
        ctx.company_id,
        INVENTORY_SYNC,
    )
    records = [JobRecord(**dict(j)) for j in jobs]
    return [
        InventorySystem(
            provider=InventoryProvider(r["provider"]),
            account=str(r["settings"].get("account") or r["settings"].get("subdomain") or ""),
            connected_at=r["connected_at"],
            last_synced_at=r["last_synced_at"],
            recent_syncs=[
                Job.from_record(j) for j in records if j.payload.get("provider") == r["provider"]
            ][:5],
        )
        for r in rows
    ]
