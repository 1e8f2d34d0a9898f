"""What the API tells its operators: /metrics, request latency, request ids.

The middleware times every HTTP request and labels it with its operation:
for /graphql the operation type and its first root field (``query
profitAndLoss``), for other routes the route. It gives each request an id
(the caller's ``X-Request-Id`` when it sends a sane one), puts it on every
log line written for the request and returns it in the response.

``/metrics`` answers without a token: expose it only inside the cluster (the
Kubernetes and compose files do not publish it), or turn it off with
STOREBOOKS_METRICS=false.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql.language import FieldNode
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import logs
from service.config import Settings
from service.db.queue import events_queue
from service.metrics import (
    REQUEST_LATENCY,
    WEBHOOKS_RECEIVED,
    snapshot_registry,
    take_snapshot,
)

ROUTES = ("/graphql", "/webhooks/shopify", "/healthz", "/readyz", "/metrics")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_MAX_BODY_FOR_LABEL = 1_000_000
_MAX_CACHED_QUERY = 10_000


def _root_fields() -> dict[str, frozenset[str]]:
    from service.api.schema import schema

    gql = schema._schema
    types = {"query": gql.query_type, "mutation": gql.mutation_type}
    return {kind: frozenset(t.fields) if t else frozenset() for kind, t in types.items()}


@lru_cache(maxsize=1024)
def graphql_operation(query: str, operation_name: str | None) -> str:
    """``<type> <root field>`` of the operation that will run; bounded by the schema."""
    try:
        document = parse(query)
    except GraphQLError:
        return "graphql invalid"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if not chosen:
        return "graphql invalid"
    operation = chosen[0]
    kind = operation.operation.value
    fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    name = fields[0].name.value if fields else ""
    if name not in _root_fields().get(kind, frozenset()) and name != "__typename":
        name = "other"
    return f"{kind} {name}"


def operation_label(query: str, operation_name: str | None) -> str:
    """Long documents are named without the cache, so it stays small."""
    if len(query) > _MAX_CACHED_QUERY:
        return graphql_operation.__wrapped__(query, operation_name)
    return graphql_operation(query, operation_name)


def _operation_from_body(body: bytes) -> str:
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError):  # nested too deep is refused by the API itself
        return "graphql invalid"
    if isinstance(payload, list):
        return "graphql batch"
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "graphql invalid"
    name = payload.get("operationName")
    return operation_label(payload["query"], name if isinstance(name, str) else None)


def route_operation(scope: Scope) -> str:
    path: str = scope.get("path", "")
    if path in ROUTES:
        return path
    if path.startswith("/reports/"):
        return "/reports"
    return "other"


class ObservabilityMiddleware:
    """Times requests, labels them, and carries a request id through the logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _request_id(scope)
        token = logs.request_id.set(rid)
        operation = route_operation(scope)
        status = 500
        if operation == "/graphql":
            operation, receive = await _graphql_label(scope, receive)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.request_id.reset(token)
            elapsed = time.perf_counter() - started
            REQUEST_LATENCY.labels(operation, str(status)).observe(elapsed)
            if operation == "/webhooks/shopify":
                WEBHOOKS_RECEIVED.labels("shopify", str(status)).inc()


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            text: str = value.decode("latin-1")
            if _REQUEST_ID.match(text):
                return text
    return uuid.uuid4().hex


async def _graphql_label(scope: Scope, receive: Receive) -> tuple[str, Receive]:
    """Read a JSON GraphQL body to name the operation, then hand it on unchanged."""
    if scope.get("method") == "GET":
        query: str | None = Request(scope).query_params.get("query")
        return (operation_label(query, None) if query else "/graphql"), receive
    headers = dict(scope.get("headers", []))
    if b"application/json" not in headers.get(b"content-type", b""):
        return "mutation upload", receive
    chunks: list[bytes] = []
    messages: list[Message] = []
    more = True
    while more:
        message = await receive()
        messages.append(message)
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False) and message["type"] == "http.request"
    body = b"".join(chunks)
    label = _operation_from_body(body) if len(body) <= _MAX_BODY_FOR_LABEL else "graphql large"

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return label, replay


def metrics_endpoint(settings: Settings) -> Any:
    async def metrics(request: Request) -> Response:
        """Prometheus text format: this process's counters, then the deployment's state."""
        if not settings.metrics_enabled:
            return Response("metrics are turned off", status_code=404)
        state: Any = request.app.state
        snapshot = await take_snapshot(state.pool, state.queue, queue_names(settings))
        body = generate_latest(REGISTRY) + generate_latest(snapshot_registry(snapshot))
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics


def queue_names(settings: Settings) -> list[str]:
    """The arq queues whose depth is reported: jobs, and webhook events
    on their own queue."""
    return [settings.queue_name, events_queue(settings.queue_name)]
