"""Runtime settings, read from the environment.

Every process (server, worker, CLI, tests) reads the same settings, so that
leaving DATABASE_URL and REDIS_URL unset means one thing everywhere: use the
embedded PostgreSQL and Valkey whose data lives under the data directory.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    secret_key: str | None = Field(default=None, alias="STOREBOOKS_SECRET_KEY")
    data_dir: Path = Field(default=Path(".storebooks"), alias="STOREBOOKS_DATA_DIR")
    database_name: str = Field(default="storebooks", alias="STOREBOOKS_DATABASE")
    queue_name: str = Field(default="storebooks:queue", alias="STOREBOOKS_QUEUE")
    graphiql: bool = Field(default=True, alias="STOREBOOKS_GRAPHIQL")
    host: str = Field(default="127.0.0.1", alias="STOREBOOKS_HOST")
    port: int = Field(default=8000, alias="STOREBOOKS_PORT")
    job_timeout_seconds: int = Field(default=300, alias="STOREBOOKS_JOB_TIMEOUT")
    shopify_poll_seconds: float = Field(default=2.0, alias="STOREBOOKS_SHOPIFY_POLL_SECONDS")
    repost_batch_orders: int = Field(default=2000, alias="STOREBOOKS_REPOST_BATCH")
    # Operations (deploy/README.md): JSON log lines, the API's /metrics and
    # the port on which a worker serves its own job metrics (none when unset).
    log_format: str = Field(default="text", alias="STOREBOOKS_LOG_FORMAT")
    metrics_enabled: bool = Field(default=True, alias="STOREBOOKS_METRICS")
    worker_metrics_port: int | None = Field(default=None, alias="STOREBOOKS_WORKER_METRICS_PORT")
    # Seconds a stopping worker lets its running jobs finish before handing
    # them back to the queue (within Kubernetes' default 30 s grace period).
    worker_grace_seconds: int = Field(default=20, alias="STOREBOOKS_WORKER_GRACE")
    # Where clients reach this server (e.g. https://books.example.com), for
    # the links in responses; unset, links are paths on the same server.
    public_url: str | None = Field(default=None, alias="STOREBOOKS_PUBLIC_URL")
    # Jobs one company may run at once on each queue (the others wait their
    # turn), so that no company holds every slot of a worker.
    company_jobs: int = Field(default=4, alias="STOREBOOKS_COMPANY_JOBS")
    # Off in production: stores and inventory systems may then only point at
    # the providers' real API hosts. `storebooks dev` and the tests turn it on
    # to talk to local fakes.
    allow_any_api_host: bool = Field(default=False, alias="STOREBOOKS_ALLOW_ANY_API_HOST")

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.redis_url is None

    def resolved_secret_key(self) -> str:
        """The key that encrypts stored credentials.

        In production it comes from STOREBOOKS_SECRET_KEY. A developer's
        machine gets one generated once and kept beside the embedded data,
        so that credentials stored yesterday still decrypt today.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
