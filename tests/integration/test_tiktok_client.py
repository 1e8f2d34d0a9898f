"""The TikTok Shop client against the fake: signing, paging, refusals."""

from __future__ import annotations

import pytest

from service.connectors.tiktok.client import ShopCredentials, TikTokClient, TikTokError
from tests.fakes.tiktok.server import FakeTikTok
from tests.fakes.tiktok.shop import sample_shop


def _client(fake: FakeTikTok, secret: str | None = None) -> TikTokClient:
    s = fake.shop
    creds = ShopCredentials(
        s.app_key, secret or s.app_secret, s.access_token, s.refresh_token, s.shop_cipher
    )
    return TikTokClient(creds, api_url=fake.base_url, auth_url=fake.base_url)


async def test_finance_endpoints_page_and_answer() -> None:
    shop = sample_shop()
    shop.statements = shop.statements * 60  # more than one page of 100
    async with FakeTikTok(shop) as fake:
        client = _client(fake)
        try:
            assert len(await client.statements()) == 120
            assert [w["id"] for w in await client.withdrawals()] == ["wd-1"]
            rows = await client.order_statement_transactions("576000000000005001")
            assert [r["statement_id"] for r in rows] == ["st-0305", "st-0308"]
            assert [o["fulfillment_type"] for o in await client.orders(["576000000000005002"])] == [
                "FULFILLMENT_BY_SELLER"
            ]
        finally:
            await client.aclose()


async def test_a_wrong_secret_is_refused_as_tiktok_refuses_it() -> None:
    async with FakeTikTok(sample_shop()) as fake:
        client = _client(fake, secret="not-the-secret")
        try:
            with pytest.raises(TikTokError, match="106001") as info:
                await client.payments()
            assert info.value.auth
        finally:
            await client.aclose()
