"""Opaque global ids ("Type:local-id", base64) for every node the API serves."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.relay import GlobalID, GlobalIDValueError


def global_id(type_name: str, local_id: str | UUID) -> strawberry.ID:
    return strawberry.ID(str(GlobalID(type_name, str(local_id))))


def decode_id(value: str, type_name: str) -> str | None:
    """The local id inside a global id of the expected type, or None."""
    try:
        gid = GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError):
        return None
    return gid.node_id if gid.type_name == type_name else None


def decode_uuid(value: str, type_name: str) -> UUID | None:
    local = decode_id(value, type_name)
    if local is None:
        return None
    try:
        return UUID(local)
    except ValueError:
        return None
