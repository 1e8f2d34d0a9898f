"""The PayPal and Stripe clients against fakes that refuse what the real APIs refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from service.connectors.hosts import url_problem
from service.connectors.paypal.client import PayPalClient
from service.connectors.processor_http import ProcessorAuthError, ProcessorError
from service.connectors.stripe.client import StripeClient
from tests.fakes.paypal import FakePayPal, PayPalAccount
from tests.fakes.stripe import FakeStripe, StripeAccount

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


async def _no_sleep(_: float) -> None:
    return None


async def test_paypal_reads_a_long_span_in_31_day_windows_and_pages() -> None:
    account = PayPalAccount()
    for day in range(0, 95, 5):
        account.sale(T0 + dt.timedelta(days=day, hours=3), Decimal("10"), Decimal("0.59"), "#1")
    async with FakePayPal(account) as fake:
        async with PayPalClient("CLIENT", "SECRET", fake.base_url, page_size=2) as client:
            seen = [i async for i in client.transactions(T0, T0 + dt.timedelta(days=95))]
        spans = {(q["start_date"], q["end_date"]) for q in fake.requests}
    assert len({i["transaction_id"] for i in seen}) == 19
    assert len(spans) == 4  # 31 + 31 + 31 + 2 days
    assert len(fake.tokens) == 1  # one token for the whole read


async def test_paypal_refuses_more_than_31_days_bad_credentials_and_waits_out_429() -> None:
    async with FakePayPal() as fake:
        async with httpx.AsyncClient() as http:
            token = (
                await http.post(
                    f"{fake.base_url}/v1/oauth2/token",
                    auth=("CLIENT", "SECRET"),
                    data={"grant_type": "client_credentials"},
                )
            ).json()["access_token"]
            wide = await http.get(
                f"{fake.base_url}/v1/reporting/transactions",
                params={"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-02-05T00:00:00Z"},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert wide.status_code == 400
        assert wide.json()["details"][0]["issue"] == "Date range is greater than 31 days"
        with pytest.raises(ProcessorAuthError, match="invalid_client"):
            async with PayPalClient("CLIENT", "WRONG", fake.base_url) as bad:
                _ = [i async for i in bad.transactions(T0, T0 + dt.timedelta(days=1))]
        fake.fail_next = [(429, "1"), 503]
        async with PayPalClient("CLIENT", "SECRET", fake.base_url, sleep=_no_sleep) as client:
            assert [i async for i in client.transactions(T0, T0 + dt.timedelta(days=1))] == []


async def test_stripe_pages_with_starting_after_and_expands_sources() -> None:
    account = StripeAccount()
    for n in range(7):
        account.charge(T0 + dt.timedelta(hours=n), 1000 + n, 59, str(1000 + n))
    account.payout(T0 + dt.timedelta(days=1))
    async with (
        FakeStripe(account) as fake,
        StripeClient("sk_test_KEY", fake.base_url, page_size=3) as client,
    ):
        bts = [b async for b in client.balance_transactions(T0)]
        payouts = [p async for p in client.payouts(None)]
        of_payout = [b async for b in client.balance_transactions(None, payouts[0]["id"])]
    assert len(bts) == 8 and len({b["id"] for b in bts}) == 8
    charges = [b for b in bts if b["type"] == "charge"]
    assert all(b["source"]["object"] == "charge" for b in charges)
    assert payouts[0]["amount"] == sum(b["net"] for b in charges)
    assert len(of_payout) == 8


async def test_stripe_refuses_a_limit_over_100_and_a_bad_key() -> None:
    async with FakeStripe() as fake:
        async with StripeClient("sk_test_KEY", fake.base_url, page_size=101) as client:
            with pytest.raises(ProcessorError, match="less than or equal to 100"):
                _ = [b async for b in client.balance_transactions(None)]
        async with StripeClient("sk_test_OTHER", fake.base_url) as client:
            with pytest.raises(ProcessorAuthError, match="Invalid API Key"):
                _ = [p async for p in client.payouts(None)]


def test_only_the_processors_own_hosts_are_allowed_outside_development() -> None:
    assert url_problem("https://api-m.paypal.com", "paypal", allow_any=False) is None
    assert url_problem("https://api-m.sandbox.paypal.com", "paypal", allow_any=False) is None
    assert url_problem("https://api.stripe.com", "stripe", allow_any=False) is None
    assert url_problem("https://api.stripe.com.evil.io", "stripe", allow_any=False)
    assert url_problem("http://169.254.169.254", "paypal", allow_any=False)
