"""A local Finale Inventory that speaks the REST order API."""

from tests.fakes.finale.server import FakeFinale

__all__ = ["FakeFinale"]
