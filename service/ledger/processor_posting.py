"""Posting a processor's own records: balance transactions and payouts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from service.domain.errors import InconsistentHistory
from service.ledger.codec import decode_record
from service.ledger.journal import Posting, processor_subject, replace_subject
from service.ledger.order_posting import current_version
from service.posting.processor import post_processor_records


def processor_posting(
    store_id: UUID, timezone: str, currency: str, record_type: str, record_id: str, record: Any
) -> Posting:
    subject = processor_subject(store_id, record_type, record_id)
    try:
        entries = post_processor_records([decode_record(record)], str(store_id), timezone, currency)
    except InconsistentHistory:
        entries = ()  # a record in another currency waits for review; it posts nothing
    return Posting(subject, store_id, currency, entries)


async def repost_processor_record(
    conn: asyncpg.Connection,
    company_id: UUID,
    store_id: UUID,
    record_type: str,
    record_id: str,
    *,
    version: int | None = None,
) -> int:
    building = False
    if version is None:
        version, building = await current_version(conn, company_id)
    row = await conn.fetchrow(
        "SELECT p.record, s.timezone, s.currency_code FROM processor_records p "
        "JOIN stores s USING (company_id, store_id) WHERE p.company_id = $1 AND p.store_id = $2 "
        "AND p.record_type = $3 AND p.record_id = $4",
        company_id,
        store_id,
        record_type,
        record_id,
    )
    subject = processor_subject(store_id, record_type, record_id)
    if building:
        await conn.execute(
            "INSERT INTO books_dirty (company_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            company_id,
            subject,
        )
    if row is None:
        empty = Posting(subject, store_id, "USD", ())
        return await replace_subject(conn, company_id, version, empty)
    posting = processor_posting(
        store_id, row["timezone"], row["currency_code"], record_type, record_id, row["record"]
    )
    return await replace_subject(conn, company_id, version, posting)
