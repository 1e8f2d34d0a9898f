"""Keyset-paginated connections: `first` up to 250, `after`, `totalCount`.

Cursors are opaque to clients; inside they hold the sort key of the last
row, so the next page is one indexed range scan however deep it is.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

import strawberry

from service.api.errors import ClientError

T = TypeVar("T")
MAX_PAGE = 250


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


def check_first(first: int) -> int:
    if not 0 <= first <= MAX_PAGE:
        raise ClientError(f"first must be between 0 and {MAX_PAGE}, got {first}", "BAD_USER_INPUT")
    return first


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, RecursionError) as exc:
        raise ClientError(
            f"after: {cursor!r} is not a cursor this API gave out", "BAD_USER_INPUT"
        ) from exc


def page(rows: list[Any], first: int, key: Any, total: int, node: Any) -> Any:
    """Build a connection from up to first + 1 rows (the extra one only says there is more)."""
    more = len(rows) > first
    rows = rows[:first]
    edges = [Edge(cursor=encode_cursor(key(r)), node=node(r)) for r in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
