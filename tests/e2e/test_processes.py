"""The real commands, as separate processes: CLI, API server and worker.

This is the path a merchant's integration takes: create a company with the
CLI, call the API over HTTP with its token, change a setting, and watch the
worker's job complete through the API.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from tests.conftest import Servers
from tests.fakes.local_server import free_port

STOREBOOKS = [sys.executable, "-m", "service.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def processes(servers: Servers) -> Iterator[str]:
    port = free_port()
    env = servers.env()
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
        _wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60, "the API server")
        yield base
    finally:
        for proc in (serve, worker):
            proc.terminate()
        for proc in (serve, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_cli_api_and_worker_end_to_end(servers: Servers, processes: str) -> None:
    created = subprocess.run(
        [*STOREBOOKS, "company", "create", "Acme Outdoor"],
        env=servers.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = created.stdout.strip().splitlines()
    assert len(lines) == 1
    company = json.loads(lines[0])
    assert set(company) == {"companyId", "apiToken"}

    graphql = f"{processes}/graphql"
    query = {"query": "{ booksStatus { upToDate } }"}
    assert httpx.post(graphql, json=query).status_code == 401
    headers = {"Authorization": f"Bearer {company['apiToken']}"}
    answer = httpx.post(graphql, json=query, headers=headers).json()
    assert answer == {"data": {"booksStatus": {"upToDate": True}}}

    change = httpx.post(
        graphql,
        headers=headers,
        json={
            "query": "mutation { updateBookkeepingSettings(input: {accountingBasis: ACCRUAL}) "
            "{ repostJob { id status } userErrors { message } } }"
        },
    ).json()["data"]["updateBookkeepingSettings"]
    assert change["userErrors"] == [] and change["repostJob"]["status"] == "QUEUED"

    status_query = {"query": "{ booksStatus { upToDate recentJobs(first: 1) { id status } } }"}

    def job_done() -> bool:
        status = httpx.post(graphql, json=status_query, headers=headers).json()
        books = status["data"]["booksStatus"]
        return bool(books["upToDate"]) and books["recentJobs"][0] == {
            "id": change["repostJob"]["id"],
            "status": "SUCCEEDED",
        }

    _wait_until(job_done, 30, "the worker to finish the re-post")


def test_migrate_command_reports_nothing_pending(servers: Servers) -> None:
    result = subprocess.run(
        [*STOREBOOKS, "migrate"],
        env=servers.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "applied 0 migration(s)"


def test_export_schema_prints_the_schema_file() -> None:
    result = subprocess.run(
        [*STOREBOOKS, "export-schema"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def test_company_create_refuses_an_empty_name(servers: Servers) -> None:
    result = subprocess.run(
        [*STOREBOOKS, "company", "create", "  "],
        env=servers.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "company name must not be empty" in result.stderr
    assert result.stdout == ""


def test_verify_command_reports_clean_books_and_finds_a_broken_balance(servers: Servers) -> None:
    import asyncio

    import asyncpg

    created = subprocess.run(
        [*STOREBOOKS, "company", "create", "Verified"],
        env=servers.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    company = json.loads(created.stdout)["companyId"]
    command = [*STOREBOOKS, "verify", "--company", company]
    clean = subprocess.run(command, env=servers.env(), cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert ": clean" in clean.stdout

    async def break_a_balance() -> None:
        conn = await asyncpg.connect(servers.database_url)
        try:
            await conn.execute(
                "INSERT INTO daily_balances (company_id, journal_version, day, account_key, "
                "store_id, channel, amount) VALUES ($1, 1, '2025-01-01', 'BANK', $1, '', 100)",
                UUID(company),
            )
        finally:
            await conn.close()

    asyncio.run(break_a_balance())
    broken = subprocess.run(command, env=servers.env(), cwd=ROOT, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "daily balance 2025-01-01 BANK" in broken.stdout
