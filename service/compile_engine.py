"""`python -m service.compile_engine build|status`: the compiled engine's build.

See service/compiled.py for how the build is loaded and when it is not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from service.compiled import (
    BUILD,
    MANIFEST,
    PACKAGES,
    ROOT,
    active,
    digest,
    is_current,
    module_name,
    read_manifest,
    sources,
)

PTH_NAME = "storebooks_compiled.pth"


def _suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX"))


def _compiler() -> str | None:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc)


def build(python: str = sys.executable) -> str:
    """Compile into a scratch directory, then swap it in whole; says what it did."""
    manifest = read_manifest()
    if manifest is not None and is_current(manifest):
        return "compiled engine is up to date"
    if _compiler() is None:
        return "no C compiler found: the engine runs from source"
    scratch = BUILD.with_name("compiled.new")
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "service").mkdir(parents=True)
    (scratch / "service" / "__init__.py").touch()
    files = sources()
    for pkg in PACKAGES:
        (scratch / pkg).mkdir(parents=True)
        shutil.copy(ROOT / pkg / "__init__.py", scratch / pkg / "__init__.py")
    for path in files:
        shutil.copy(path, scratch / path.relative_to(ROOT))
    hashes = {module_name(p): digest(p) for p in files}  # what was copied is what is built
    rel = [str(p.relative_to(ROOT)) for p in files]
    env = dict(os.environ, MYPY_CACHE_DIR=str(scratch / ".mypy_cache"))
    done = subprocess.run(
        [python, "-m", "mypyc", *rel],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        return f"mypyc failed, the engine runs from source:\n{tail}"
    suffix = _suffix()
    out: dict[str, str] = {}
    for path in files:
        so = path.relative_to(ROOT).with_suffix(suffix)
        if not (scratch / so).exists():
            shutil.rmtree(scratch, ignore_errors=True)
            return f"mypyc made no {so}: the engine runs from source"
        out[module_name(path)] = str(so)
    for shared in scratch.glob(f"*__mypyc{suffix}"):  # the build's shared runtime
        out[shared.name.removesuffix(suffix)] = shared.name
    shutil.rmtree(scratch / "build", ignore_errors=True)
    shutil.rmtree(scratch / ".mypy_cache", ignore_errors=True)
    for path in files:
        (scratch / path.relative_to(ROOT)).unlink()
    (scratch / MANIFEST).write_text(
        json.dumps({"suffix": suffix, "sources": hashes, "files": out}, indent=1)
    )
    shutil.rmtree(BUILD, ignore_errors=True)
    scratch.rename(BUILD)
    return f"compiled {len(files)} modules of the engine with mypyc"


def write_pth() -> Path:
    """The start-up line in this environment's site-packages."""
    site = Path(sysconfig.get_paths()["purelib"])
    pth = site / PTH_NAME
    # A .pth line runs at every start of this environment's Python: it must
    # never fail it, even with the checkout moved or half edited.
    hook = "try:\n from service.compiled import install\n install()\nexcept Exception:\n pass"
    pth.write_text(f"import sys; exec({hook!r})\n")
    return pth


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "build":
        print(build())
        write_pth()
        return 0
    if command == "status":
        manifest = read_manifest()
        if manifest is None:
            print("absent: the engine runs from source")
        elif not is_current(manifest):
            print("stale: the engine runs from source until `make install`")
        else:
            print("compiled" if active() else "compiled, but not loaded in this process")
        return 0
    print(f"unknown command {command!r}: build or status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
