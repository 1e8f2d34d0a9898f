"""POST /webhooks/shopify: Shopify's own webhook requests.

The order of checks is the contract: the body is read (within a size
limit), the shop is found and the signature verified over the raw bytes,
and only then is anything written. The event is stored durably before the
200, so Shopify's retry schedule is never needed to recover from our
crash; processing happens in the worker. A repeated webhook id stores
nothing new.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.api.webhook_writer import EventWriter
from service.connectors.shopify.topics import order_hint
from service.connectors.shopify.webhook import verify_hmac
from service.ledger.ingest import WEBHOOK, NewEvent
from service.sync.shopify_stores import ShopifyConnection, connection_for_domain

# The two answers to a stored webhook, rendered once.
_STORED = b'{"status":"stored"}'
_DUPLICATE = b'{"status":"duplicate"}'

MAX_BODY_BYTES = 5 * 1024 * 1024
# Every webhook of a shop needs its secret; reading and decrypting it once
# per half minute instead of once per request. A rotated secret is picked up
# within that time (Shopify retries a refused delivery for hours).
CONNECTION_TTL_SECONDS = 30.0
_connections: dict[str, tuple[float, ShopifyConnection]] = {}


async def _connection(request: Request, shop: str) -> ShopifyConnection | None:
    now = time.monotonic()
    held = _connections.get(shop)
    if held is not None and held[0] > now:
        return held[1]
    state = request.app.state
    found = await connection_for_domain(state.pool, state.secret_key, shop)
    if found is not None:
        if len(_connections) > 10_000:
            _connections.clear()
        _connections[shop] = (now + CONNECTION_TTL_SECONDS, found)
    return found


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def shopify_webhook(request: Request) -> Response:
    body = await _read_body(request)
    if body is None:
        return _refuse(413, f"body over the limit of {MAX_BODY_BYTES} bytes")
    shop = (request.headers.get("x-shopify-shop-domain") or "").strip().lower()
    signature = request.headers.get("x-shopify-hmac-sha256")
    if not shop or not signature:
        return _refuse(401, "X-Shopify-Shop-Domain and X-Shopify-Hmac-Sha256 are required")
    connection = await _connection(request, shop)
    if connection is None:
        return _refuse(401, f"unknown shop {shop}")
    if not verify_hmac(body, connection.webhook_secret, signature):
        return _refuse(401, "signature does not match the body")
    topic = request.headers.get("x-shopify-topic")
    webhook_id = request.headers.get("x-shopify-webhook-id")
    if not topic or not webhook_id:
        return _refuse(400, "X-Shopify-Topic and X-Shopify-Webhook-Id are required")
    event_id = await _writer(request).store(
        NewEvent(
            connection.company_id,
            connection.store.store_id,
            WEBHOOK,
            topic,
            webhook_id,
            body,
            order_hint(topic, body),
        )
    )
    if event_id is None:
        return Response(_DUPLICATE, media_type="application/json")
    return Response(_STORED, media_type="application/json")


def _writer(request: Request) -> EventWriter:
    state = request.app.state
    writer: EventWriter | None = getattr(state, "event_writer", None)
    if writer is None or writer.pool is not state.pool:
        writer = state.event_writer = EventWriter(state.pool, state.queue)
    return writer
