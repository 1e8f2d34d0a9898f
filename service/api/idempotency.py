"""Idempotency keys for mutations: the commands' rules, re-exported for resolvers."""

from __future__ import annotations

from service.commands.idempotency import IdempotencyKeyReused, remember, replay_or_none

__all__ = ["IdempotencyKeyReused", "remember", "replay_or_none"]
