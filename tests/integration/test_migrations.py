"""The migration runner: ordered, recorded, safe when processes start together."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from service.db.connect import ensure_database, with_database
from service.db.migrate import MigrationError, load_migrations, migrate
from tests.conftest import Servers


@pytest.fixture
async def scratch_db(servers: Servers) -> AsyncIterator[str]:
    name = f"storebooks_scratch_{uuid.uuid4().hex[:8]}"
    url = with_database(servers.database_url, name)
    await ensure_database(url)
    yield url
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_files_are_numbered_and_ordered() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == sorted(versions) and versions[0] == 1


async def test_two_processes_migrating_together_apply_each_file_once(scratch_db: str) -> None:
    conns = [await asyncpg.connect(scratch_db) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        applied = [name for r in results for name in r]
        assert sorted(applied) == sorted(f"{m.version:04d}_{m.name}" for m in load_migrations())
        rows = await conns[0].fetchval("SELECT count(*) FROM schema_migrations")
        assert rows == len(load_migrations())
        assert await migrate(conns[0]) == []
    finally:
        for c in conns:
            await c.close()


async def test_an_edited_migration_is_refused(scratch_db: str, tmp_path: Path) -> None:
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE t (x int);")
    conn = await asyncpg.connect(scratch_db)
    try:
        assert await migrate(conn, tmp_path) == ["0001_first"]
        (tmp_path / "0001_first.sql").write_text("CREATE TABLE t (x bigint);")
        with pytest.raises(MigrationError, match="was edited after it was applied"):
            await migrate(conn, tmp_path)
    finally:
        await conn.close()


async def test_a_failing_migration_applies_nothing(scratch_db: str, tmp_path: Path) -> None:
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE good (x int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE bad (x no_such_type);")
    conn = await asyncpg.connect(scratch_db)
    try:
        with pytest.raises(asyncpg.UndefinedObjectError):
            await migrate(conn, tmp_path)
        assert await conn.fetchval("SELECT to_regclass('good')") is None
    finally:
        await conn.close()


async def test_badly_named_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "first.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
        load_migrations(tmp_path)
