"""The command line as an operator uses it: version, tokens, a worker that stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import Servers

STOREBOOKS = [sys.executable, "-m", "service.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _run(servers: Servers, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*STOREBOOKS, *args],
        env=servers.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version_and_help(servers: Servers) -> None:
    version = _run(servers, "--version")
    assert version.returncode == 0 and version.stdout.startswith("storebooks ")
    helped = _run(servers, "serve", "--help")
    assert "default:" in helped.stdout and "STOREBOOKS_PORT" in helped.stdout


def test_token_create_list_revoke(servers: Servers) -> None:
    company = json.loads(_run(servers, "company", "create", "CLI tokens").stdout)["companyId"]
    made = _run(
        servers, "token", "create", "--company", company, "--name", "ci", "--role", "READ_ONLY"
    )
    assert made.returncode == 0, made.stderr
    token_id = json.loads(made.stdout)["tokenId"]
    listed = _run(servers, "token", "list", "--company", company).stdout
    assert token_id in listed and "READ_ONLY" in listed and "ADMIN" in listed
    assert _run(servers, "token", "revoke", "--company", company, token_id).returncode == 0
    assert "revoked" in _run(servers, "token", "list", "--company", company).stdout
    assert _run(servers, "token", "revoke", "--company", company, token_id).returncode == 1


def test_worker_exits_on_sigterm(servers: Servers) -> None:
    worker = subprocess.Popen(
        [*STOREBOOKS, "worker"],
        env=servers.env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = threading.Event()

    def watch() -> None:
        assert worker.stderr is not None
        for line in worker.stderr:
            if "Starting worker" in line:
                started.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        assert started.wait(60), "the worker did not start"
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=40) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


def test_stop_touches_only_this_checkouts_servers(servers: Servers, tmp_path: Path) -> None:
    """With no embedded server under the data directory there is nothing to stop."""
    env = {**servers.env(), "STOREBOOKS_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [*STOREBOOKS, "stop"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "no embedded server" in done.stdout
