"""The compiled engine is loaded only while it matches its sources."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from service import compiled


def _manifest(tmp_path: Path, sources: dict[str, str]) -> dict[str, object]:
    data: dict[str, object] = {
        "suffix": compiled._suffix(),
        "sources": sources,
        "files": {"service.posting.split": "service/posting/split.so"},
    }
    (tmp_path / compiled.MANIFEST).write_text(json.dumps(data))
    return data


def test_a_changed_source_makes_the_whole_build_stale(tmp_path: Path) -> None:
    current = {compiled.module_name(p): compiled.digest(p) for p in compiled.sources()}
    assert compiled.is_current(_manifest(tmp_path, current))
    edited = dict(current, **{"service.posting.split": "0" * 64})
    finder = compiled.CompiledFinder(tmp_path, _manifest(tmp_path, edited))
    with pytest.warns(RuntimeWarning, match="running it from source"):
        assert finder.find_spec("service.posting.split") is None
    assert finder.find_spec("service.posting.split") is None  # warned once
    assert finder.find_spec("service.ledger.costs") is None  # never a module it did not build


def test_a_build_for_another_python_is_ignored(tmp_path: Path) -> None:
    (tmp_path / compiled.MANIFEST).write_text(json.dumps({"suffix": ".cpython-27.so"}))
    assert compiled.read_manifest(tmp_path) is None


def test_the_suite_runs_what_make_install_ships() -> None:
    """With a current build, this process runs the compiled engine."""
    manifest = compiled.read_manifest()
    if os.environ.get("STOREBOOKS_INTERPRETED") or manifest is None:
        pytest.skip("no compiled engine in this checkout (no C compiler, or not asked for)")
    if not compiled.is_current(manifest):  # an edit since; `make test` compiles first
        pytest.skip("the compiled engine is stale: `make install` compiles it again")
    assert compiled.active()
