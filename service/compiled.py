"""The posting engine compiled with mypyc, loaded in place of its sources.

`make install` compiles service/domain and service/posting (the pure
engine: no I/O) with mypyc into build/compiled, next to a manifest of the
sources' hashes, and adds a one-line .pth file to the virtual environment
that calls `install()` at start-up. From then on an import of one of those
modules loads its compiled form, but only while every compiled source is
unchanged: the modules of one build call each other directly, so one
edited file makes the whole build stale, and then every module runs from
its source (with one warning saying so) until `make install` compiles
again. Without a C compiler nothing is built and everything runs from
source, as it does with STOREBOOKS_INTERPRETED=1.

    python -m service.compile_engine build     # what `make install` runs
    python -m service.compile_engine status    # compiled, stale or absent
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("service/domain", "service/posting")
BUILD = ROOT / "build" / "compiled"
MANIFEST = "manifest.json"


def sources() -> list[Path]:
    """The compiled modules' sources (package __init__ files stay Python)."""
    return sorted(
        p for pkg in PACKAGES for p in (ROOT / pkg).glob("*.py") if p.name != "__init__.py"
    )


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX"))


def read_manifest(build: Path = BUILD) -> dict[str, object] | None:
    try:
        data = json.loads((build / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("suffix") == _suffix() else None


def is_current(manifest: dict[str, object]) -> bool:
    hashes = manifest.get("sources")
    if not isinstance(hashes, dict):
        return False
    now = {module_name(p): digest(p) for p in sources()}
    return hashes == now


class CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules of a current build, and nothing else."""

    def __init__(self, build: Path, manifest: dict[str, object]) -> None:
        files = manifest.get("files")
        self.build = build
        self.files: dict[str, str] = dict(files) if isinstance(files, dict) else {}
        self.manifest = manifest
        self.checked: bool | None = None

    def _usable(self) -> bool:
        if self.checked is None:
            self.checked = is_current(self.manifest)
            if not self.checked:
                warnings.warn(
                    "storebooks: service/domain or service/posting changed since it was "
                    "compiled; running it from source (`make install` compiles it again)",
                    RuntimeWarning,
                    stacklevel=2,
                )
        return self.checked

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        relative = self.files.get(fullname)
        if relative is None or not self._usable():
            return None
        location = str(self.build / relative)
        loader = importlib.machinery.ExtensionFileLoader(fullname, location)
        spec: importlib.machinery.ModuleSpec | None = importlib.util.spec_from_file_location(
            fullname, location, loader=loader
        )
        return spec


def install(build: Path = BUILD) -> None:
    """Put the finder first on the import path, if a build exists (start-up hook)."""
    if os.environ.get("STOREBOOKS_INTERPRETED") or any(
        isinstance(f, CompiledFinder) for f in sys.meta_path
    ):
        return
    manifest = read_manifest(build)
    if manifest is not None:
        sys.meta_path.insert(0, CompiledFinder(build, manifest))


def active() -> bool:
    """Whether the engine this process runs is the compiled one."""
    import service.posting.engine as engine

    return not str(getattr(engine, "__file__", "")).endswith(".py")
