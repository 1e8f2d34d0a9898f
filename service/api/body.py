"""Request bodies of /graphql: bounded in size and shaped as GraphQL expects.

The body is read here, before Strawberry, so that a 70 MB upload is cut off
at the limit instead of being buffered whole, and a JSON body that is not an
object (`42`, `null`, arrays nested a million deep) is a 400 that says so
rather than an exception inside the server.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive

MAX_JSON_BYTES = 1_000_000
# Multipart requests carry CSV files (restocks, purchases): a larger bound.
MAX_MULTIPART_BYTES = 10_000_000


class BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def response(self) -> JSONResponse:
        return JSONResponse(
            {
                "data": None,
                "errors": [{"message": str(self), "extensions": {"code": "BAD_REQUEST"}}],
            },
            status_code=self.status,
        )


def _limit(request: Request) -> int:
    kind = request.headers.get("content-type", "")
    return MAX_MULTIPART_BYTES if kind.startswith("multipart/") else MAX_JSON_BYTES


async def _read_bounded(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyRefused(413, f"request body over the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyRefused(413, f"request body over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_json(body: bytes) -> None:
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BodyRefused(400, "the request body is not valid JSON") from exc
    if not isinstance(decoded, dict):
        raise BodyRefused(400, "the request body must be a JSON object with a 'query' field")


async def checked_body(request: Request) -> bytes:
    """The whole body, once it is known to be within bounds and, for JSON, an object."""
    body = await _read_bounded(request, _limit(request))
    if "json" in request.headers.get("content-type", ""):
        _check_json(body)
    return body


def replay(body: bytes) -> Receive:
    """A receive callable that hands the already-read body on to Strawberry."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
