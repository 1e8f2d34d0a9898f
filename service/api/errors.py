"""Errors a client is meant to see.

Expected refusals of a mutation are `userErrors` in its payload. These
exceptions are for the rest: a request the API cannot serve at all, with a
message that says what to fix. Anything else is masked as "Unexpected
error." so internals never leak.
"""

from __future__ import annotations

from graphql import GraphQLError

from service.commands.idempotency import IdempotencyKeyReused


class ClientError(Exception):
    """A problem with the request that the client can fix; shown as is."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


def should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:  # syntax and validation errors name the problem already
        return False
    return not isinstance(original, ClientError | GraphQLError | IdempotencyKeyReused)
