"""The account mapping exports use, as a command (one transaction, idempotent)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis

from service.commands.runner import Outcome, run_command
from service.ledger.accounts import load_chart
from service.ledger.exports.pushes import set_account_map

MAX_REMOTE = 100


async def set_export_account_map(
    pool: asyncpg.Pool,
    queue: ArqRedis | None,
    company_id: UUID,
    target: str,
    rows: Sequence[tuple[str, str, str]],
    idempotency_key: str | None,
) -> Outcome:
    """rows: (storebooks account key, remote account id or code, remote name or tax rate)."""

    async def body(conn: asyncpg.Connection) -> Outcome:
        chart = await load_chart(conn, company_id)
        refusals: list[tuple[str | None, str, str]] = []
        for i, (key, remote, name) in enumerate(rows):
            where = f"input.accounts[{i}]"
            if key not in chart.by_key:
                refusals.append((f"{where}.accountKey", "NOT_FOUND", f"no account {key!r}"))
            if not remote.strip() or len(remote) > MAX_REMOTE or "\x00" in remote:
                refusals.append(
                    (f"{where}.remoteAccount", "INVALID", f"1 to {MAX_REMOTE} characters")
                )
            if len(name) > MAX_REMOTE or "\x00" in name:
                refusals.append((f"{where}.remoteName", "INVALID", f"at most {MAX_REMOTE}"))
        if refusals:
            return Outcome(refusals=refusals)
        await set_account_map(
            conn, company_id, target, {k: (r.strip(), n.strip()) for k, r, n in rows}
        )
        return Outcome(result={"saved": len(rows)})

    return await run_command(pool, queue, company_id, "setExportAccountMap", idempotency_key, body)
