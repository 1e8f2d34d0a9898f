"""Goflow connector: shipped orders, costed at the product cost Goflow
keeps for the ship date (Goflow publishes no cost per order; posting rule 9,
seed 004)."""

from service.connectors.goflow.client import GoflowClient

__all__ = ["GoflowClient"]
