"""The client against the fake: auth, throttling, 429, backoff, errors."""

from __future__ import annotations

import pytest

from service.connectors.shopify import API_VERSION, ShopifyError
from service.connectors.shopify.client import ShopifyClient, ShopInfo
from tests.fakes.shopify import FakeShopify
from tests.unit.shopify.conftest import TOKEN, Sleeps


async def test_shop_info_and_wire_details(client: ShopifyClient, fake: FakeShopify) -> None:
    info = await client.shop()
    assert info == ShopInfo("Fake Outfitters", "America/New_York", "USD")
    assert fake.requests[-1]["version"] == API_VERSION
    assert (
        client.last_cost is not None and client.last_cost["throttleStatus"]["restoreRate"] == 100.0
    )


async def test_throttled_waits_for_the_bucket(
    client: ShopifyClient, fake: FakeShopify, sleeps: Sleeps
) -> None:
    fake.throttle_every = 2
    await client.shop()
    await client.shop()  # the 2nd request is throttled, the 3rd passes
    # needed 752, available 152, restoring 100 a second
    assert sleeps.waits == [6.0]
    assert len(fake.requests) == 3


async def test_429_honours_retry_after(
    client: ShopifyClient, fake: FakeShopify, sleeps: Sleeps
) -> None:
    fake.rate_limit_every = 2
    fake.retry_after = "3.5"
    await client.shop()
    await client.shop()
    assert sleeps.waits == [3.5]


async def test_5xx_backs_off_exponentially(
    client: ShopifyClient, fake: FakeShopify, sleeps: Sleeps
) -> None:
    fake.fail_next = [502, 503, 500, 504]
    assert (await client.shop()).currency_code == "USD"
    assert sleeps.waits == [0.5, 1.0, 2.0, 4.0]


async def test_gives_up_after_max_retries(fake: FakeShopify, sleeps: Sleeps) -> None:
    fake.throttle_every = 1
    async with ShopifyClient(
        fake.data.domain, TOKEN, fake.base_url, sleep=sleeps, max_retries=3
    ) as c:
        with pytest.raises(ShopifyError, match="gave up after 4 attempts, last: THROTTLED"):
            await c.shop()
    assert len(sleeps.waits) == 3


async def test_transport_errors_are_retried_then_reported(sleeps: Sleeps) -> None:
    async with ShopifyClient(
        "x.myshopify.com", TOKEN, "http://127.0.0.1:9", sleep=sleeps, max_retries=2
    ) as c:
        with pytest.raises(ShopifyError, match="transport error"):
            await c.shop()
    assert sleeps.waits == [0.5, 1.0]


async def test_wrong_token_is_an_error_not_a_retry(fake: FakeShopify, sleeps: Sleeps) -> None:
    async with ShopifyClient(fake.data.domain, "wrong", fake.base_url, sleep=sleeps) as c:
        with pytest.raises(ShopifyError, match="HTTP 401"):
            await c.shop()
    assert sleeps.waits == []


async def test_graphql_errors_are_named(client: ShopifyClient) -> None:
    expected = "GraphQL error: Field 'somethingElse' doesn't exist on type 'QueryRoot'"
    with pytest.raises(ShopifyError, match=expected):
        await client.graphql("query { somethingElse { id } }")
