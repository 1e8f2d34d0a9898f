"""The /graphql endpoint: authentication first, then Strawberry.

Authentication happens before Strawberry sees the request, so a request
without a valid token gets a 401 and an error naming the problem, and no
resolver runs. The GraphiQL page itself is served without a token (it holds
no data); the queries it sends need one like any other client's.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from arq.connections import ArqRedis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from service.api.body import BodyRefused, checked_body, replay
from service.api.context import Context
from service.api.schema import schema
from service.api.web import graphiql_html
from service.ledger.tokens import Caller, MalformedToken, caller_for_token

NO_COMPANY = UUID(int=0)


class AuthenticationFailed(Exception):
    pass


async def authenticate(pool: asyncpg.Pool, header: str | None) -> Caller:
    if not header:
        raise AuthenticationFailed(
            "authentication required: send the header 'Authorization: Bearer <api token>'"
        )
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise AuthenticationFailed("malformed Authorization header: expected 'Bearer <api token>'")
    try:
        caller = await caller_for_token(pool, credentials.strip())
    except MalformedToken as exc:
        raise AuthenticationFailed(str(exc)) from exc
    if caller is None:
        raise AuthenticationFailed("invalid API token: it is unknown, expired or was revoked")
    return caller


def _unauthenticated(message: str) -> Response:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="storebooks"'},
    )


class StorebooksGraphQL(GraphQL[Context, None]):
    def __init__(self, *, graphiql: bool) -> None:
        # Multipart uploads (restock CSV files) are safe from cross-site
        # forgery here: every request must carry a bearer token, which a
        # browser never attaches on its own.
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=True,
        )
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions: refuse websockets outright
            await WebSocket(scope, receive, send).close(code=4403)
            return
        request = Request(scope, receive)
        if not self._is_ide_page(request):
            try:
                caller = await authenticate(
                    request.app.state.pool, request.headers.get("authorization")
                )
            except AuthenticationFailed as exc:
                await _unauthenticated(str(exc))(scope, receive, send)
                return
            scope.setdefault("state", {})["caller"] = caller
        if request.method == "POST":
            try:
                body = await checked_body(request)
            except BodyRefused as exc:
                await exc.response()(scope, receive, send)
                return
            receive = replay(body)
        await super().__call__(scope, receive, send)

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL from this package's own files, not a CDN."""
        return graphiql_html()

    def _is_ide_page(self, request: Request) -> bool:
        return (
            self.graphiql
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | None = None
    ) -> Context:
        assert isinstance(request, Request)
        state: Any = request.app.state
        queue: ArqRedis = state.queue
        # The GraphiQL page is rendered without a token and runs no resolver;
        # the nil UUID belongs to no company, so nothing could be read with it.
        caller = getattr(request.state, "caller", None) or Caller(NO_COMPANY, None, "READ_ONLY")
        return Context(
            request=request,
            company_id=caller.company_id,
            token_id=caller.token_id,
            role=caller.role,
            pool=state.pool,
            queue=queue,
            secret_key=state.secret_key,
            allow_any_api_host=getattr(state, "allow_any_api_host", False),
            public_url=getattr(state, "public_url", ""),
        )
