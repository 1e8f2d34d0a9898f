"""Webhook signatures: only Shopify's exact bytes with the right secret pass."""

from __future__ import annotations

import json

from service.connectors.shopify.webhook import ORDER_TOPICS, TOPICS, sign, verify_hmac
from tests.fakes.shopify import webhook_request

SECRET = "hush-hush"


def _request() -> tuple[dict[str, str], bytes]:
    return webhook_request(
        "orders/create",
        {"id": 820982911946154508, "note": "café ☕"},
        secret=SECRET,
        shop_domain="fake.myshopify.com",
        webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    )


def test_good_signature_passes() -> None:
    headers, body = _request()
    assert verify_hmac(body, SECRET, headers["X-Shopify-Hmac-Sha256"])


def test_signature_matches_the_fakes_independent_one() -> None:
    headers, body = _request()
    assert sign(body, SECRET) == headers["X-Shopify-Hmac-Sha256"]


def test_wrong_secret_fails() -> None:
    headers, body = _request()
    assert not verify_hmac(body, "another-secret", headers["X-Shopify-Hmac-Sha256"])


def test_tampered_or_reserialised_body_fails() -> None:
    headers, body = _request()
    assert not verify_hmac(body + b" ", SECRET, headers["X-Shopify-Hmac-Sha256"])
    reserialised = json.dumps(json.loads(body), indent=1).encode()
    assert not verify_hmac(reserialised, SECRET, headers["X-Shopify-Hmac-Sha256"])


def test_missing_empty_or_malformed_header_fails() -> None:
    _, body = _request()
    assert not verify_hmac(body, SECRET, None)
    assert not verify_hmac(body, SECRET, "")
    assert not verify_hmac(body, SECRET, "not base64 at all!!")
    assert not verify_hmac(body, "", sign(body, ""))


def test_headers_are_shopifys() -> None:
    headers, body = _request()
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == "fake.myshopify.com"
    assert headers["X-Shopify-Webhook-Id"] == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert headers["Content-Type"] == "application/json"
    assert {"X-Shopify-API-Version", "X-Shopify-Triggered-At"} <= headers.keys()
    assert json.loads(body)["note"] == "café ☕"


def test_topics() -> None:
    assert {
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/fulfilled",
        "orders/cancelled",
        "refunds/create",
        "order_transactions/create",
        "fulfillments/create",
        "fulfillments/update",
    } <= TOPICS
    assert ORDER_TOPICS < TOPICS


def test_the_intake_reads_which_order_a_webhook_names() -> None:
    from service.connectors.shopify.topics import order_hint

    order = b'{"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",'
    order += b'"id":820982911946154508,"line_items":[{"id":466157049}]}'
    assert order_hint("orders/create", order) == "820982911946154508"
    piece = b'{"id":389404469,"order_id":450789469,"kind":"sale"}'
    assert order_hint("order_transactions/create", piece) == "450789469"
    assert order_hint("refunds/create", b'{"id":1, "note":"no order named"}') is None
    assert order_hint("products/update", order) is None
