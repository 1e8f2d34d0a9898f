"""Stripe as a payment processor: balance transactions and payouts."""
