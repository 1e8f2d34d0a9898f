"""Per-request context: who is asking, and the shared pool and queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis
from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo


@dataclass
class Context:
    request: Request
    company_id: UUID
    pool: asyncpg.Pool
    queue: ArqRedis
    secret_key: str = ""
    token_id: UUID | None = None
    allow_any_api_host: bool = False
    public_url: str = ""
    # Direct callers (tests, scripts) act with full rights; requests carry their token's role.
    role: str = "ADMIN"
    loaders: dict[str, Any] = field(default_factory=dict)


Info = StrawberryInfo[Context, None]
