"""schemathesis against /graphql: wrong input never gives a 500 or "Unexpected error.".

Bounded: a few generated requests per query and mutation field, against a
real API server in production mode (no host outside the providers' own may
be called), so that generated URLs are refused rather than fetched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.conftest import Servers
from tests.fakes.local_server import free_port

schemathesis = pytest.importorskip("schemathesis")

STOREBOOKS = [sys.executable, "-m", "service.cli"]
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_PER_FIELD = 10


@pytest.fixture
def server(servers: Servers) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**servers.env(), "STOREBOOKS_ALLOW_ANY_API_HOST": "false"}
    made = subprocess.run(
        [*STOREBOOKS, "company", "create", "Fuzzed"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    token = json.loads(made.stdout)["apiToken"]
    port = free_port()
    proc = subprocess.Popen(
        [*STOREBOOKS, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield f"{base}/graphql", {"Authorization": f"Bearer {token}"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _register_scalars() -> None:
    """Our custom scalars, with wrong values among the right ones."""
    from hypothesis import strategies as st

    nodes = schemathesis.graphql.nodes
    text = st.text(max_size=40)
    dates = st.dates().map(lambda d: d.isoformat())
    amounts = st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.sampled_from(["1e450000", "-1e-999999", "9" * 30, "NaN", ""]),
    )
    for name, values in (
        ("Date", st.one_of(dates, text)),
        ("DateTime", st.one_of(st.datetimes().map(lambda d: d.isoformat()), text)),
        ("Decimal", st.one_of(amounts, text)),
        ("CurrencyCode", st.one_of(st.sampled_from(["USD", "EUR", "JPY"]), text)),
        ("Upload", text),
        ("JSON", text),
    ):
        schemathesis.graphql.scalar(name, values.map(nodes.String))


def _fuzz(operation: Any, headers: dict[str, str], failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call(headers=headers, timeout=30)
        if response.status_code >= 500 or "Unexpected error." in response.text:
            failures.append(f"{operation.label}: {response.status_code} {case.body!r:.300}")

    check()


def test_no_500_and_no_unexpected_error(server: tuple[str, dict[str, str]]) -> None:
    url, headers = server
    _register_scalars()
    schema = schemathesis.graphql.from_url(url, headers=headers, timeout=30)
    failures: list[str] = []
    for result in schema.get_all_operations():
        _fuzz(result.ok(), headers, failures)
    assert failures == [], "\n".join(failures[:15])
