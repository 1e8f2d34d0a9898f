"""A local PayPal that speaks its OAuth2 and Transaction Search APIs."""

from tests.fakes.paypal.server import FakePayPal, PayPalAccount

__all__ = ["FakePayPal", "PayPalAccount"]
