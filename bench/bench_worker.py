"""`storebooks worker`, with arq's polling settings overridable (for the benchmarks).

Same as service/cli.py's cmd_worker (same functions, crons, startup), but
``--poll-delay`` and ``--max-jobs`` are passed to ``build_worker`` as
overrides, to measure the proposed worker settings without changing
worker/settings.py.

    .venv/bin/python bench/bench_worker.py --poll-delay 0.02 --max-jobs 16
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from service.cli import _log_to_stderr  # noqa: E402
from service.config import get_settings  # noqa: E402
from service.db.connect import resolve_endpoints  # noqa: E402


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--poll-delay", type=float, default=None)
    ap.add_argument("--max-jobs", type=int, default=None)
    args = ap.parse_args()
    from worker.settings import build_workers, run_workers

    _log_to_stderr()
    settings = get_settings()
    endpoints = await resolve_endpoints(settings)
    overrides: dict[str, object] = {}
    if args.poll_delay is not None:
        overrides["poll_delay"] = args.poll_delay
    if args.max_jobs is not None:
        overrides["max_jobs"] = args.max_jobs
    workers = build_workers(settings, endpoints.redis_url, handle_signals=False, **overrides)
    await run_workers(workers)


if __name__ == "__main__":
    asyncio.run(main())
