"""node(id:): any object of the caller's company by its global id, or null.

Strawberry's own node field fails on an id it cannot decode or a type it
does not know, which a client sees as "Unexpected error."; a forged,
foreign or unknown id is simply not found here.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.relay import GlobalID, GlobalIDValueError

from service.api.context import Info
from service.api.types.api_token import ApiToken
from service.api.types.job import Job
from service.api.types.order import Order
from service.api.types.store import Store

NODE_TYPES: dict[str, Any] = {"Store": Store, "Job": Job, "ApiToken": ApiToken, "Order": Order}


async def node(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")],
) -> relay.Node | None:
    try:
        gid = GlobalID.from_id(id)
    except (GlobalIDValueError, ValueError, UnicodeError):
        return None
    kind = NODE_TYPES.get(gid.type_name)
    if kind is None:
        return None
    found = await kind.resolve_nodes(info=info, node_ids=[gid.node_id])
    result: relay.Node | None = next(iter(found), None)
    return result
