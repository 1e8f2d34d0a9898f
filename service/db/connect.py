"""Where the database and the queue are, and how to open them.

With DATABASE_URL and REDIS_URL set, those servers are used as they are.
Without them, the embedded servers are started (or found) and the
application database is created in the embedded PostgreSQL on first use.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service.config import Settings
from service.db.embedded import ensure_embedded


@dataclass(frozen=True, slots=True)
class Endpoints:
    database_url: str
    redis_url: str


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server lacks it."""
    name = database_name(url)
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Another process may create it between our check and our CREATE.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def resolve_endpoints(settings: Settings) -> Endpoints:
    db_url = settings.database_url
    redis_url = settings.redis_url
    if db_url is None or redis_url is None:
        embedded = ensure_embedded(settings.data_dir)
        if db_url is None:
            db_url = with_database(embedded.postgres_admin_url, settings.database_name)
            await ensure_database(db_url)
        if redis_url is None:
            redis_url = embedded.redis_url
    return Endpoints(database_url=db_url, redis_url=redis_url)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(database_url: str, **kwargs: Any) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        database_url, init=_init_connection, min_size=1, max_size=10, **kwargs
    )
    assert pool is not None
    return pool
