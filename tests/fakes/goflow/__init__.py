"""A local Goflow that speaks the v1 orders API."""

from tests.fakes.goflow.server import FakeGoflow

__all__ = ["FakeGoflow"]
