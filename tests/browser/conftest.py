"""A real server on a demo company, and a real Chromium driven by Playwright.

The server is `storebooks serve` and `storebooks worker` as separate
processes over the test database; the browser is the system's Chromium
(Debian's `chromium` package; `.ci/run` installs it). Screenshots go to
.artifacts/screenshots (kept out of the repository).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import Servers
from tests.fakes.local_server import free_port

ROOT = Path(__file__).resolve().parents[2]
STOREBOOKS = [sys.executable, "-m", "service.cli"]
CHROMIUM = os.environ.get("STOREBOOKS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"


@dataclass(frozen=True)
class Dashboard:
    base: str
    token: str


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the API server")


@pytest.fixture(scope="module")
def dashboard(servers: Servers) -> Iterator[Dashboard]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    env = servers.env()
    env["STOREBOOKS_QUEUE"] = f"{servers.settings.queue_name}:browser:{os.getpid()}"
    made = subprocess.run(
        [sys.executable, "-m", "tests.browser.demo_company", "Demo Company"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    token = json.loads(made.stdout.strip().splitlines()[-1])["apiToken"]
    port = free_port()
    serve = subprocess.Popen(
        [*STOREBOOKS, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    worker = subprocess.Popen(
        [*STOREBOOKS, "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, serve)
        yield Dashboard(base, token)
    finally:
        for proc in (serve, worker):
            proc.terminate()
        for proc in (serve, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
