"""The marketplaces keep the layers apart: provider knowledge in the
connectors, orchestration in service/sync, neutral storage in the ledger,
pure posting in the engine."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[3] / "service"
LEDGER = [
    "ledger/settlements.py",
    "ledger/settlement_payouts.py",
    "ledger/payouts.py",
    "ledger/marketplace_accounts.py",
    "ledger/marketplace_overlaps.py",
    "ledger/reports/settlement_cogs.py",
]


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _under(names: set[str], *prefixes: str) -> list[str]:
    return sorted(n for n in names if n.startswith(prefixes))


def test_the_marketplace_ledger_imports_no_connector_nor_sync() -> None:
    for rel in LEDGER:
        assert _under(imports(ROOT / rel), "service.connectors", "service.sync") == [], rel


def test_marketplace_posting_is_pure() -> None:
    names = imports(ROOT / "posting/marketplace.py") | imports(ROOT / "domain/marketplace.py")
    assert _under(names, "service.") == _under(names, "service.domain")
    assert not {"asyncpg", "httpx", "service.ledger"} & names


def test_connectors_know_only_the_domain() -> None:
    for pkg in ("amazon", "tiktok"):
        for path in (ROOT / "connectors" / pkg).glob("*.py"):
            bad = _under(imports(path), "service.ledger", "service.sync", "service.api")
            assert bad == [], path


def test_sync_does_not_reach_up_to_the_api() -> None:
    for path in (ROOT / "sync").glob("*.py"):
        assert _under(imports(path), "service.api", "service.commands") == [], path
