"""The Dockerfile, read as Docker would build it.

No Docker engine runs where the tests run, so the image is checked by
reading its recipe: two stages, a base pinned by version tag, the build's
tools left in the first stage, a non-root user, a health check on /healthz,
`storebooks` as the entrypoint, and every file the build copies present in
the repository and let through .dockerignore. hadolint, when installed
(the `test` extra brings it on x86-64 Linux), lints it as well.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
# The test extra installs hadolint beside the interpreter running the tests.
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
    "hadolint"
)
BUILD_TOOLS = ("gcc", "g++", "build-essential", "make", "clang", "git", "curl", "wget")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for k, args in self.instructions if k == keyword]


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        lines.append(current + line)
        current = ""
    return lines


def parse() -> tuple[dict[str, str], list[Stage]]:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in _logical_lines(DOCKERFILE.read_text()):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m[1]], parts[0])
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        else:
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def test_two_stages_on_a_slim_python_pinned_by_version() -> None:
    _, stages = parse()
    assert len(stages) >= 2
    for stage in stages:
        image, _, tag = stage.base.partition(":")
        assert image == "python", stage.base
        assert re.fullmatch(r"\d+\.\d+\.\d+-slim-\w+", tag), f"pin {stage.base} by version"
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(n) for n in python.removeprefix(">=").split("."))
    assert tuple(int(n) for n in stages[-1].base.split(":")[1].split("-")[0].split(".")) >= minimum


def test_the_final_stage_runs_as_a_user_and_carries_no_build_tools() -> None:
    _, stages = parse()
    final = stages[-1]
    users = final.all("USER")
    assert users, "the final stage must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    keywords = [k for k, _ in final.instructions]
    assert keywords.index("USER") > max(
        (i for i, k in enumerate(keywords) if k == "RUN"), default=-1
    ), "nothing may run as root after the switch"
    for command in final.all("RUN"):
        assert "pip install" not in command and "apt-get install" not in command, command
        for tool in BUILD_TOOLS:
            assert not re.search(rf"\b{re.escape(tool)}\b", command), (tool, command)
    copies = final.all("COPY")
    assert copies and all(c.startswith("--from=") for c in copies), "only built output is copied"


def test_healthcheck_entrypoint_and_port() -> None:
    _, stages = parse()
    final = stages[-1]
    (check,) = final.all("HEALTHCHECK")
    assert "/healthz" in check and "CMD" in check
    (entrypoint,) = final.all("ENTRYPOINT")
    assert json.loads(entrypoint) == ["storebooks"]
    (cmd,) = final.all("CMD")
    assert json.loads(cmd) == ["serve"]
    env = " ".join(final.all("ENV"))
    port = re.search(r"STOREBOOKS_PORT=(\d+)", env)
    assert port and final.all("EXPOSE") == [port[1]]
    assert "STOREBOOKS_HOST=0.0.0.0" in env and "STOREBOOKS_LOG_FORMAT=json" in env
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "storebooks" in scripts


def _ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics, enough for this file: last match wins, ! re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) for p in prefixes):
            ignored = not negate
    return ignored


def test_every_copied_file_exists_and_passes_dockerignore() -> None:
    _, stages = parse()
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    build = stages[0]
    sources = [s for c in build.all("COPY") if not c.startswith("--") for s in c.split()[:-1]]
    assert {"pyproject.toml", "service", "worker"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not _ignored(source, patterns), source
    for private in (".venv", ".storebooks", ".git", "tests", "bench", "deploy"):
        assert _ignored(private, patterns), private
    assert _ignored("service/__pycache__/x.pyc", patterns)
    assert not _ignored("service/db/migrations/0001_foundation.sql", patterns)
    installs = [r for r in build.all("RUN") if "pip install" in r]
    assert installs and all("--no-cache-dir" in r for r in installs)


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed")
def test_hadolint_finds_nothing() -> None:
    assert HADOLINT is not None
    result = subprocess.run(
        [HADOLINT, "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
