"""Processes and data shared by the webhook benchmarks.

Starts a real API server (uvicorn on 127.0.0.1, free port) and, when asked,
a real worker process (``storebooks worker``), both on a benchmark
database and a queue name of their own, and stops exactly those processes
(by pid) at the end. Also makes the webhook deliveries: orders of the fake
Shopify generator, moved to "now", signed like Shopify signs them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from books_generator import BenchCompany, bench_database, make_company, redis_url  # noqa: E402

SECRET = "bench-webhook-secret"
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Stack:
    base_url: str
    db_url: str
    company: BenchCompany
    shop_domain: str
    queue: str
    server: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]


def _env(db_url: str, redis: str, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis,
        STOREBOOKS_QUEUE=queue,
        STOREBOOKS_GRAPHIQL="false",
        PYTHONPATH=str(ROOT),
    )
    return env


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@asynccontextmanager
async def stack(
    db_name: str,
    *,
    worker: bool,
    access_log: bool = False,
    server_workers: int = 1,
    fast_http: str | None = None,
    worker_args: list[str] | None = None,
    log_dir: Path = Path("/tmp"),
    server_root: Path | None = None,
    plain_http: bool = False,
    workers: int = 1,
) -> AsyncIterator[Stack]:
    """`fast_http`: a directory holding uvloop and httptools (e.g. made with
    ``pip install --target DIR uvloop httptools``), put on the server's
    PYTHONPATH only, with ``--loop uvloop --http httptools``.
    `server_root`: another checkout whose service the server runs (an older
    commit, for a before/after in one run), with this venv's packages.
    `plain_http`: ``--loop asyncio --http h11`` (uvicorn's pure-Python stack)."""
    db_url = await bench_database(db_name, fresh=True)
    import asyncpg

    domain = f"bench-{os.getpid()}.myshopify.com"
    conn = await asyncpg.connect(db_url)
    try:
        company = await make_company(conn, "Bench webhooks", shop_domains=[domain])
    finally:
        await conn.close()
    queue = f"storebooks:bench:{os.getpid()}"
    redis = await redis_url()
    env = _env(db_url, redis, queue)
    port = free_port()
    args = [
        str(VENV_BIN / "python"),
        "-m",
        "uvicorn",
        "service.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    if not access_log:
        args.append("--no-access-log")
    if server_workers > 1:
        args += ["--workers", str(server_workers)]
    server_env = dict(env)
    if server_root is not None:
        server_env["PYTHONPATH"] = str(server_root)
        # the same key as this checkout's, which sealed the store's secret
        server_env["STOREBOOKS_DATA_DIR"] = str(ROOT / ".storebooks")
    if plain_http:
        args += ["--loop", "asyncio", "--http", "h11"]
    if fast_http:
        server_env["PYTHONPATH"] = f"{ROOT}:{fast_http}"
        args += ["--loop", "uvloop", "--http", "httptools"]
    server_log = open(  # noqa: SIM115, ASYNC230
        log_dir / f"bench-server-{os.getpid()}.log", "wb"
    )
    server = subprocess.Popen(  # noqa: ASYNC220
        args, cwd=server_root or ROOT, env=server_env, stdout=server_log, stderr=server_log
    )
    worker_procs: list[subprocess.Popen[bytes]] = []
    try:
        for k in range(workers if worker else 0):
            worker_log = open(  # noqa: SIM115, ASYNC230
                log_dir / f"bench-worker-{os.getpid()}-{k}.log", "wb"
            )
            command = [str(VENV_BIN / "storebooks"), "worker"]
            if worker_args:  # the same worker with arq settings overridden
                command = [str(VENV_BIN / "python"), str(HERE / "bench_worker.py"), *worker_args]
            worker_procs.append(
                subprocess.Popen(  # noqa: ASYNC220
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=worker_log,
                    stderr=worker_log,
                )
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    r = await client.get(base + "/readyz")
                    if r.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"server did not start; see {server_log.name}")
                await asyncio.sleep(0.2)
        if worker_procs:
            await asyncio.sleep(2)  # let them connect and run their startup jobs
            if any(p.poll() is not None for p in worker_procs):
                raise RuntimeError("worker exited at startup")
        yield Stack(base, db_url, company, domain, queue, server, worker_procs)
    finally:
        for proc in worker_procs:
            _stop(proc)
        _stop(server)
        await _clean_queue(redis, queue)


async def _clean_queue(redis: str, queue: str) -> None:
    """Remove this run's queue and any job keys it left (its own names only)."""
    from redis.asyncio import Redis

    r = Redis.from_url(redis)
    try:
        for name in (queue, queue + ":events"):  # webhook events have a queue of their own
            ids = await r.zrange(name, 0, -1)
            keys = [b"arq:job:" + i for i in ids] + [b"arq:in-progress:" + i for i in ids]
            if keys:
                await r.delete(*keys)
            await r.delete(name, name + ":health-check")
    finally:
        await r.aclose()


def shift_times(obj: Any, delta: dt.timedelta) -> None:
    """Move every datetime inside a fake-model object graph by `delta`, in place."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, dt.datetime):
                setattr(obj, f.name, v + delta)
            else:
                shift_times(v, delta)
    elif isinstance(obj, list):
        for v in obj:
            shift_times(v, delta)


def live_orders(n: int, seed: int = 5) -> list[Any]:
    """n fake orders, placed over the last hour (so they post to today's balances)."""
    from tests.fakes.shopify.generate import generate_shop

    shop = generate_shop(n, seed)
    now = dt.datetime.now(dt.UTC)
    out = []
    for k, o in enumerate(shop.orders):
        latest = max(
            [o.created_at, o.updated_at]
            + [t.at for t in o.payments]
            + [f.at for f in o.fulfillments]
            + [r.at for r in o.refunds]
        )
        # the whole story ends a little before now, spread over the last hour
        shift_times(o, now - dt.timedelta(seconds=3600 * (n - k) / n) - latest)
        out.append(o)
    return out


def delivery(
    o: Any, shop_domain: str, webhook_id: str, topic: str = "orders/create", payload: Any = None
) -> tuple[dict[str, str], bytes]:
    from tests.fakes.shopify.rest import rest_order
    from tests.fakes.shopify.webhooks import webhook_request

    return webhook_request(
        topic,
        rest_order(o) if payload is None else payload,
        secret=SECRET,
        shop_domain=shop_domain,
        webhook_id=webhook_id,
    )


def order_stream(orders: list[Any]) -> list[tuple[str, Any, Any]]:
    """(topic, order, payload): each order's orders/create, then its transactions
    as order_transactions/create (a REST order payload carries no payments)."""
    from tests.fakes.shopify.rest import rest_order, rest_transaction

    out: list[tuple[str, Any, Any]] = []
    for o in orders:
        out.append(("orders/create", o, rest_order(o)))
        for t in o.transactions:
            out.append(("order_transactions/create", o, rest_transaction(o, t)))
    return out


def percentile(samples: list[float], q: float) -> float:
    s = sorted(samples)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]
