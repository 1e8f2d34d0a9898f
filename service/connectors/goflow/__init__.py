"""Goflow connector: the cost Goflow gives each order line (its average
cost at the time of the order, POSTING.md 9, seed 004)."""

from service.connectors.goflow.client import GoflowClient

__all__ = ["GoflowClient"]
