"""Every table can be distributed by company over a Citus cluster.

Citus can keep a company's rows on one node only if company_id is in every
table's primary key, in every unique constraint or index, and on both sides
of every foreign key. This test reads the migrated schema's catalog and
holds every table to that rule (or to the explicit list of reference and
coordinator-only tables), and checks that deploy/citus/distribute.sql
distributes exactly the tables of the schema, in an order Citus accepts.
Citus itself cannot be installed on this project's machines: this catalog
check is the guard.
"""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

from service.ledger.companies import create_company
from tests.conftest import GraphQL, Tenant

DISTRIBUTE_SQL = Path(__file__).resolve().parents[2] / "deploy" / "citus" / "distribute.sql"

# Small global tables copied to every node (create_reference_table): none yet.
REFERENCE_TABLES: dict[str, str] = {}
# Tables that stay on the coordinator, with the reason.
COORDINATOR_ONLY = {
    "schema_migrations": "the migration runner's own record; DDL goes through the coordinator",
}

TABLES_SQL = """
SELECT c.oid, c.relname FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""
# Every unique index (primary keys and unique constraints have one) with its columns.
UNIQUE_SQL = """
SELECT i.indexrelid::regclass::text AS name,
       array(SELECT a.attname FROM unnest(i.indkey) k
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k)::text[] AS columns
FROM pg_index i WHERE i.indrelid = $1 AND i.indisunique
"""
# Every foreign key as (column here, column there) pairs.
FOREIGN_SQL = """
SELECT con.conname, con.confrelid::regclass::text AS target,
       array(SELECT a.attname FROM unnest(con.conkey) k
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k)::text[] AS here,
       array(SELECT a.attname FROM unnest(con.confkey) k
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k)::text[] AS there
FROM pg_constraint con WHERE con.conrelid = $1 AND con.contype = 'f'
"""
COLUMN_SQL = """
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = $1 AND attname = 'company_id' AND NOT attisdropped
"""
# Columns filled from a sequence: Citus gives each node its own range of a
# bigint sequence, so such columns must be bigint.
SEQUENCE_COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
  AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
"""


async def _problems(conn: asyncpg.Connection, oid: int, table: str) -> list[str]:
    found: list[str] = []
    if await conn.fetchval(COLUMN_SQL, oid) != "uuid":
        found.append(f"{table}: no company_id uuid column")
    if not await conn.fetchval(
        "SELECT 1 FROM pg_constraint WHERE conrelid = $1 AND contype = 'p'", oid
    ):
        found.append(f"{table}: no primary key")
    for index in await conn.fetch(UNIQUE_SQL, oid):
        if "company_id" not in index["columns"]:
            found.append(f"{table}: unique index {index['name']} lacks company_id")
    for fk in await conn.fetch(FOREIGN_SQL, oid):
        if fk["target"] in REFERENCE_TABLES:
            continue
        if ("company_id", "company_id") not in zip(fk["here"], fk["there"], strict=True):
            found.append(f"{table}: foreign key {fk['conname']} does not pair company_id")
    for column in await conn.fetch(SEQUENCE_COLUMNS_SQL, oid):
        if column["type"] != "bigint":
            found.append(f"{table}.{column['attname']}: sequence column is {column['type']}")
    return found


async def test_every_table_is_distributable_by_company(pool: asyncpg.Pool) -> None:
    problems: list[str] = []
    async with pool.acquire() as conn:
        tables = await conn.fetch(TABLES_SQL)
        assert len(tables) > 30
        for t in tables:
            if t["relname"] in COORDINATOR_ONLY or t["relname"] in REFERENCE_TABLES:
                continue
            problems += await _problems(conn, t["oid"], t["relname"])
    assert problems == []


def _distributed_in_order() -> list[str]:
    sql = DISTRIBUTE_SQL.read_text()
    calls = re.findall(r"create_(distributed|reference)_table\('(\w+)'(?:, '(\w+)')?", sql)
    for kind, table, column in calls:
        assert kind == "reference" or column == "company_id", table
    return [table for _, table, _ in calls]


async def test_distribute_sql_names_every_table_after_what_it_references(
    pool: asyncpg.Pool,
) -> None:
    order = _distributed_in_order()
    assert len(order) == len(set(order)), "a table is distributed twice"
    tables = {r["relname"] for r in await pool.fetch(TABLES_SQL)}
    assert set(order) == tables - set(COORDINATOR_ONLY)
    rows = await pool.fetch(
        "SELECT conrelid::regclass::text AS here, confrelid::regclass::text AS there "
        "FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
    )
    position = {table: n for n, table in enumerate(order)}
    for r in rows:
        if r["there"] == r["here"]:
            continue  # a table pointing at its own rows (a reversal at the entry it undoes)
        assert position[r["there"]] < position[r["here"]], f"{r['here']} -> {r['there']}"
    sql = DISTRIBUTE_SQL.read_text()
    colocated = re.findall(r"colocate_with => '(\w+)'", sql)
    assert set(colocated) == {"companies"} and len(colocated) == len(order) - 1


async def test_a_shop_domain_still_belongs_to_one_company(
    gql: GraphQL, pool: asyncpg.Pool, tenant: Tenant
) -> None:
    """The unique index on the domain alone is gone; the lock keeps the rule."""
    from tests.integration.shopify_helpers import connect

    async with pool.acquire() as conn:
        other = await create_company(conn, "Other company")
    other_tenant = Tenant(other.company_id, other.api_token, tenant.store_id)
    first = await connect(gql, "one-owner.myshopify.com")
    assert first["userErrors"] == []
    again = await connect(gql, "one-owner.myshopify.com")
    assert again["userErrors"] == [] and again["store"]["id"] == first["store"]["id"]
    taken = await connect(gql, "one-owner.myshopify.com", as_tenant=other_tenant)
    assert [e["code"] for e in taken["userErrors"]] == ["CONFLICT"]
