"""Order sources keep each source view under its name: rows stored before
(Shopify's REST and GraphQL columns) come through the migration as the
views 'shopify.rest' and 'shopify.graphql', and their history merges the same."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from service.connectors.shopify.merge import GRAPHQL_VIEW, REST_VIEW
from service.db.connect import ensure_database, with_database
from service.db.migrate import MIGRATIONS_DIR, load_migrations, migrate
from tests.conftest import Servers

VIEWS_MIGRATION = "order_source_views"


@pytest.fixture
async def scratch_conn(servers: Servers) -> AsyncIterator[asyncpg.Connection]:
    name = f"storebooks_views_{uuid.uuid4().hex[:8]}"
    url = with_database(servers.database_url, name)
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()
        admin = await asyncpg.connect(with_database(url, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def _copy_through(target: Path, *, include_views: bool) -> None:
    for m in load_migrations():
        if m.name == VIEWS_MIGRATION and not include_views:
            return
        name = f"{m.version:04d}_{m.name}.sql"
        if not (target / name).exists():
            shutil.copy(MIGRATIONS_DIR / name, target / name)
        if m.name == VIEWS_MIGRATION:
            return


async def test_rest_and_graphql_columns_become_named_views(
    scratch_conn: asyncpg.Connection, tmp_path: Path
) -> None:
    conn = scratch_conn
    _copy_through(tmp_path, include_views=False)
    await migrate(conn, tmp_path)
    company = await conn.fetchval("INSERT INTO companies (name) VALUES ('c') RETURNING company_id")
    store = await conn.fetchval(
        "INSERT INTO stores (company_id, name) VALUES ($1, 's') RETURNING store_id", company
    )
    rest = '{"order": {"id": 1}, "updatedAt": "2025-01-01T00:00:00+00:00", "refunds": {}}'
    graphql = '{"id": "gid://shopify/Order/2", "updatedAt": "2025-01-02T00:00:00Z"}'
    await conn.execute(
        "INSERT INTO order_sources (company_id, store_id, order_id, rest, graphql) VALUES "
        "($1, $2, '1', $3::jsonb, NULL), ($1, $2, '2', NULL, $4::jsonb), "
        "($1, $2, '3', $3::jsonb, $4::jsonb), ($1, $2, '4', NULL, NULL)",
        company,
        store,
        rest,
        graphql,
    )
    _copy_through(tmp_path, include_views=True)
    assert await migrate(conn, tmp_path) == [
        f"{m.version:04d}_{m.name}" for m in load_migrations() if m.name == VIEWS_MIGRATION
    ]
    rows = await conn.fetch(
        "SELECT order_id, views::text AS views FROM order_sources ORDER BY order_id"
    )
    r, g = json.loads(rest), json.loads(graphql)
    assert {row["order_id"]: json.loads(row["views"]) for row in rows} == {
        "1": {REST_VIEW: r},
        "2": {GRAPHQL_VIEW: g},
        "3": {REST_VIEW: r, GRAPHQL_VIEW: g},
        "4": {},
    }
    columns = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'order_sources'"
    )
    assert {"rest", "graphql"}.isdisjoint(c["column_name"] for c in columns)
