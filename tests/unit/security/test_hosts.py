"""Stores and inventory systems may point only at the providers' real hosts in production."""

from __future__ import annotations

import httpx
import pytest

from service.connectors.hosts import url_problem
from service.connectors.shopify.client import RetryLater, ShopifyClient
from service.connectors.shopify.errors import ShopifyError


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",
        "https://127.0.0.1",
        "https://localhost:5432",
        "https://evil.example.com",
        "https://shop.myshopify.com.evil.com",
        "https://user:pw@shop.myshopify.com",
        "http://shop.myshopify.com",
        "https://shop.myshopify.com:8443",
        "gopher://shop.myshopify.com",
        "https://[::1",
    ],
)
def test_internal_and_foreign_hosts_are_refused(url: str) -> None:
    assert url_problem(url, "shopify", allow_any=False) is not None


def test_the_providers_hosts_pass() -> None:
    assert url_problem("https://shop.myshopify.com", "shopify", allow_any=False) is None
    assert url_problem("https://app.finaleinventory.com", "FINALE", allow_any=False) is None
    assert url_problem("https://acme.api.goflow.com", "GOFLOW", allow_any=False) is None
    assert url_problem("http://127.0.0.1:9000", "GOFLOW", allow_any=True) is None


async def test_a_reply_body_is_never_repeated() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(400, text="SECRET internal page"))
    async with httpx.AsyncClient(transport=transport) as http:
        client = ShopifyClient("s.myshopify.com", "t", "https://s.myshopify.com", http=http)
        with pytest.raises(ShopifyError) as raised:
            await client.graphql("{ shop { name } }")
    assert "SECRET" not in str(raised.value) and "400" in str(raised.value)


async def test_a_long_wait_is_deferred_not_slept() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    transport = httpx.MockTransport(lambda _: httpx.Response(503))
    async with httpx.AsyncClient(transport=transport) as http:
        client = ShopifyClient(
            "s.myshopify.com", "t", None, http=http, sleep=sleep, sleep_budget=5.0
        )
        with pytest.raises(RetryLater):
            await client.graphql("{ shop { name } }")
    assert sum(slept) <= 5.0
