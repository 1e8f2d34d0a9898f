"""Folding what Shopify says of an order into the order's stored views.

Each step locks the order's row, lets the connector fold the payload into
its views (``service.connectors.shopify.merge``, pure), and stores the views
with the history merged from them; a payload that tells nothing new
changes nothing. Runs in the caller's transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from service.connectors.shopify.merge import (
    Views,
    fold_graphql_order,
    fold_rest_order,
    fold_rest_piece,
    graphql_order_id,
    history_of_views,
    piece_order_id,
    rest_order_id,
    utc_iso,
)
from service.ledger.companies import Store
from service.ledger.order_sources import OrderUpdate, lock_views, save_views


async def save_order_views(
    conn: asyncpg.Connection, company_id: UUID, store: Store, order_id: str, views: Views
) -> None:
    history, updated_at = history_of_views(
        views, store_id=str(store.store_id), timezone=store.timezone
    )
    await save_views(conn, company_id, store.store_id, order_id, views, history, updated_at)


async def apply_rest_order(
    conn: asyncpg.Connection, company_id: UUID, store: Store, payload: dict[str, Any]
) -> OrderUpdate:
    order_id = rest_order_id(payload)
    views = await lock_views(conn, company_id, store.store_id, order_id)
    if not fold_rest_order(views, payload):
        return OrderUpdate(order_id, changed=False)
    await save_order_views(conn, company_id, store, order_id, views)
    return OrderUpdate(order_id, changed=True)


async def apply_rest_piece(
    conn: asyncpg.Connection, company_id: UUID, store: Store, kind: str, payload: dict[str, Any]
) -> OrderUpdate:
    order_id = piece_order_id(kind, payload)
    views = await lock_views(conn, company_id, store.store_id, order_id)
    if not fold_rest_piece(views, kind, payload):
        return OrderUpdate(order_id, changed=False)
    await save_order_views(conn, company_id, store, order_id, views)
    return OrderUpdate(order_id, changed=True)


async def apply_graphql_order(
    conn: asyncpg.Connection, company_id: UUID, store: Store, node: dict[str, Any]
) -> OrderUpdate:
    order_id = graphql_order_id(node)
    utc_iso(node.get("updatedAt"), "updatedAt")  # refused before the order is touched
    views = await lock_views(conn, company_id, store.store_id, order_id)
    if not fold_graphql_order(views, node):
        return OrderUpdate(order_id, changed=False)
    await save_order_views(conn, company_id, store, order_id, views)
    return OrderUpdate(order_id, changed=True)
