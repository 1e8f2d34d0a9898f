"""The GraphQL schema: the Query and Mutation roots, assembled from one file per field."""

from __future__ import annotations

import strawberry
from strawberry import relay

from service.api.limits import extensions
from service.api.mutations.update_bookkeeping_settings import (
    UpdateBookkeepingSettingsPayload,
    update_bookkeeping_settings,
)
from service.api.queries.bookkeeping_settings import bookkeeping_settings
from service.api.queries.books_status import books_status
from service.api.queries.chart_of_accounts import chart_of_accounts
from service.api.queries.stores import stores
from service.api.types.account import Account
from service.api.types.books_status import BooksStatus
from service.api.types.job import Job
from service.api.types.settings import BookkeepingSettings
from service.api.types.store import Store


@strawberry.type
class Query:
    node: relay.Node = relay.node()
    books_status: BooksStatus = strawberry.field(resolver=books_status)
    chart_of_accounts: list[Account] = strawberry.field(resolver=chart_of_accounts)
    bookkeeping_settings: BookkeepingSettings = strawberry.field(resolver=bookkeeping_settings)
    stores: list[Store] = strawberry.field(resolver=stores)


@strawberry.type
class Mutation:
    update_bookkeeping_settings: UpdateBookkeepingSettingsPayload = strawberry.mutation(
        resolver=update_bookkeeping_settings,
        description="Change the accounting basis or fulfillment tracking; re-posts the books.",
    )


schema = strawberry.Schema(
    query=Query, mutation=Mutation, types=[Job, Store], extensions=extensions()
)


def schema_sdl() -> str:
    return schema.as_str() + "\n"
