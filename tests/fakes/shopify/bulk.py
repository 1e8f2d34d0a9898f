"""Bulk operations of the fake: the query is checked by the bulk rules when
the operation starts and run when it completes; its answer is written as
Shopify writes a bulk result, one JSON object a line.

Shopify's JSONL is the query's answer flattened: each node of a root
connection on a line of its own, with its nested connections taken out
and their nodes written on the following lines with ``__parentId`` (the id
of the node they belong to); plain list fields stay inline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode


@dataclass
class BulkOp:
    id: str
    token: str
    query: str
    document: DocumentNode
    created_at: str
    polls: int = 0
    lines: list[str] = field(default_factory=list)
    status: str = "CREATED"
    root_count: int = 0
    grouped: bool = True
    version: str = "2025-10"

    @property
    def running(self) -> bool:
        return self.status in ("CREATED", "RUNNING")


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("edges"), list)


def _flatten(node: dict[str, Any], parent: str | None) -> Iterator[dict[str, Any]]:
    own = {k: v for k, v in node.items() if not _is_connection(v)}
    if parent is not None:
        own["__parentId"] = parent
    yield own
    for value in node.values():
        if _is_connection(value):
            for edge in value["edges"]:
                yield from _flatten(edge["node"], node.get("id"))


def jsonl_objects(data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The result file's objects and how many of them are root nodes."""
    objects: list[dict[str, Any]] = []
    roots = 0
    for value in data.values():
        if _is_connection(value):
            for edge in value["edges"]:
                roots += 1
                objects.extend(_flatten(edge["node"], None))
        elif isinstance(value, dict):  # node(id:) and other single roots
            roots += 1
            objects.extend(_flatten(value, None))
    return objects, roots


def jsonl_lines(data: dict[str, Any], grouped: bool = True) -> tuple[list[str], int]:
    """The result file's lines. Ungrouped (``groupObjects: false``) Shopify
    promises no order between parents and children; the fake writes the
    least convenient one: every root first, then every child."""
    objects, roots = jsonl_objects(data)
    if not grouped:
        objects = [o for o in objects if "__parentId" not in o] + [
            o for o in objects if "__parentId" in o
        ]
    return [json.dumps(o, separators=(",", ":")) for o in objects], roots
