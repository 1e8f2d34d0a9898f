"""A local Goflow that speaks its v1 API."""

from tests.fakes.goflow.server import FakeGoflow, GoflowAccount

__all__ = ["FakeGoflow", "GoflowAccount"]
