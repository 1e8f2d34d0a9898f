"""A local Finale Inventory that speaks its GraphQL API."""

from tests.fakes.finale.server import FakeFinale, FinaleAccount

__all__ = ["FakeFinale", "FinaleAccount"]
