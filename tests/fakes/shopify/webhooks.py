"""Webhook requests exactly as Shopify sends them.

The signature is computed here independently of the connector's own code,
so a test that verifies it checks the connector against the spec rather
than against itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from typing import Any

API_VERSION = "2025-10"


def webhook_request(
    topic: str,
    payload: dict[str, Any],
    *,
    secret: str,
    shop_domain: str,
    webhook_id: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of one delivery of ``payload`` on ``topic``."""
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode("ascii"),
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Triggered-At": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    return headers, body
