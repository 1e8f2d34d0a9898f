from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from service.api.context import Info
from service.api.errors import ClientError
from service.api.ids import decode_uuid
from service.api.loaders import load_books
from service.api.types.connection import Connection, check_first, decode_cursor, page
from service.api.types.journal import JournalEntry
from service.api.types.order import parse_order_id
from service.domain.accounts import ACCOUNTS_BY_KEY
from service.ledger.journal import order_subject
from service.ledger.journal_reads import EntryFilter, count_entries, entries_page


@strawberry.input
class JournalEntryFilter:
    order_id: strawberry.ID | None = None
    account_key: str | None = None
    from_: Annotated[dt.date | None, strawberry.argument(name="from")] = strawberry.field(
        default=None, name="from"
    )
    to: dt.date | None = None
    store_id: strawberry.ID | None = strawberry.field(
        default=None, description="Entries with a line in this store (a statement's store column)."
    )
    channel: str | None = strawberry.field(
        default=None, description="Entries with a line on this channel (a channel column)."
    )


async def journal_entries(
    info: Info, first: int = 50, after: str | None = None, filter: JournalEntryFilter | None = None
) -> Connection[JournalEntry]:
    ctx = info.context
    check_first(first)
    f = filter or JournalEntryFilter()
    subject = None
    if f.order_id is not None:
        key = parse_order_id(f.order_id)
        if key is None:
            raise ClientError(
                f"filter.orderId: {f.order_id!r} is not an order id", "BAD_USER_INPUT"
            )
        subject = order_subject(*key)
    if f.account_key is not None and f.account_key not in ACCOUNTS_BY_KEY:
        raise ClientError(
            f"filter.accountKey: unknown account key {f.account_key!r}; see chartOfAccounts",
            "BAD_USER_INPUT",
        )
    if f.from_ is not None and f.to is not None and f.from_ > f.to:
        raise ClientError(
            f"invalid date range: from {f.from_} is after to {f.to}", "BAD_USER_INPUT"
        )
    store = None
    if f.store_id is not None:
        store = decode_uuid(f.store_id, "Store")
        if store is None:
            raise ClientError(f"filter.storeId: {f.store_id!r} is not a store id", "BAD_USER_INPUT")
    where = EntryFilter(
        subject=subject,
        account_key=f.account_key,
        start=f.from_,
        end=f.to,
        store_id=store,
        channel=f.channel,
    )
    position = None
    raw = decode_cursor(after)
    if raw is not None:
        try:
            position = (dt.date.fromisoformat(raw[0]), int(raw[1]))
            if not 0 <= position[1] < 2**63:
                raise ValueError(raw)
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise ClientError(
                f"after: {after!r} is not a journal cursor", "BAD_USER_INPUT"
            ) from exc
    version, _ = await load_books(ctx)
    rows = await entries_page(
        ctx.pool, ctx.company_id, version, where, limit=first + 1, after=position
    )
    total = await count_entries(ctx.pool, ctx.company_id, version, where)
    result: Connection[JournalEntry] = page(
        rows, first, lambda e: [e.date.isoformat(), e.entry_id], total, JournalEntry.from_record
    )
    return result
