"""A local Stripe that speaks its balance transactions and payouts API."""

from tests.fakes.stripe.server import FakeStripe, StripeAccount

__all__ = ["FakeStripe", "StripeAccount"]
