"""Finale Inventory connector: what each shipped sale cost, read from
Finale's stock history (posting rule 9, seed 001)."""

from service.connectors.finale.client import FinaleClient

__all__ = ["FinaleClient"]
