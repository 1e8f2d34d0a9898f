"""Every kind of recorded job, in one place: its kind (the jobs row) and its arq function.

The sweep that re-enqueues lost work and the API both read kinds from here,
so a new kind of job cannot be recorded under one name and looked for under
another.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.ledger.inventory import RECOST, RECOST_FUNCTION
from service.ledger.inventory_systems import INVENTORY_FUNCTION, INVENTORY_SYNC
from service.ledger.marketplace_accounts import MARKETPLACE_FUNCTION, MARKETPLACE_SYNC
from service.ledger.order_actions import (
    CHANNEL_FUNCTION,
    CHANNEL_REPOST,
    ORDERS_FUNCTION,
    ORDERS_REPOST,
)
from service.ledger.reposting import FULL_REPOST, REPOST_FUNCTION


@dataclass(frozen=True, slots=True)
class JobKind:
    kind: str
    function: str


JOB_KINDS = (
    JobKind(FULL_REPOST, REPOST_FUNCTION),
    JobKind(CHANNEL_REPOST, CHANNEL_FUNCTION),
    JobKind(RECOST, RECOST_FUNCTION),
    JobKind(INVENTORY_SYNC, INVENTORY_FUNCTION),
    JobKind(ORDERS_REPOST, ORDERS_FUNCTION),
    JobKind(MARKETPLACE_SYNC, MARKETPLACE_FUNCTION),
)
BY_KIND = {k.kind: k for k in JOB_KINDS}


def function_for(kind: str) -> str | None:
    found = BY_KIND.get(kind)
    return None if found is None else found.function
