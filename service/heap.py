"""A server's long-lived objects, kept out of the cycle collector's way."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Leave what start-up made out of every later collection.

    A server makes most of its objects once, at start-up: modules, the
    GraphQL schema, pools. Left in the collector's generations, each full
    collection under load walks all of them again, and those pauses were
    the tail of the webhook endpoint: p99 73 ms at 64 connections, 17 ms
    with them frozen (bench/README.md). Only a process's first start-up
    freezes, so a process that starts many apps (the test suite) freezes
    once, not once per app.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
