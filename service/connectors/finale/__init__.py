"""Finale Inventory connector: the cost Finale gives each sales-order line
(its average cost when the order shipped, POSTING.md 9, seed 001)."""

from service.connectors.finale.client import FinaleClient

__all__ = ["FinaleClient"]
