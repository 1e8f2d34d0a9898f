"""Subjects posted from rows a person keeps, not from a channel's orders.

Restocks reported by hand, manual entries and opening balances, purchases
and bill payments, stock adjustments and cost true-ups, bank accounts'
opening balances and explained bank lines, marketplace settlements: a full
re-post and ``verify`` post them all again from their rows, and a subject
of one of them that changed while a full re-post was building is posted
again into the new books.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.ledger.bank_explain import PREFIX as BANK_PREFIX
from service.ledger.bank_explain import bank_postings, bank_subject_posting
from service.ledger.journal import Posting, replace_subject
from service.ledger.manual_entries import OPENING_SUBJECT, kept_postings
from service.ledger.purchases import purchase_postings
from service.ledger.restocks import restock_postings
from service.ledger.settlements import settlement_postings
from service.ledger.stock import adjustment_postings, true_up_postings

PREFIXES = (
    "restock:",
    "manual:",
    "purchase:",
    "payment:",
    "adjustment:",
    "costing:",
    "settlement:",
    "bank:",
)


def is_kept_subject(subject: str) -> bool:
    return subject == OPENING_SUBJECT or subject.startswith(PREFIXES)


async def kept_subject_postings(conn: asyncpg.Connection, company_id: UUID) -> list[Posting]:
    """Every such subject, posted afresh."""
    postings = await restock_postings(conn, company_id)
    postings += await kept_postings(conn, company_id)
    postings += await purchase_postings(conn, company_id)
    postings += await adjustment_postings(conn, company_id)
    postings += await true_up_postings(conn, company_id)
    postings += await settlement_postings(conn, company_id)
    postings += await bank_postings(conn, company_id)
    return postings


async def repost_kept_subject(
    conn: asyncpg.Connection, company_id: UUID, subject: str, store_id: UUID, version: int
) -> None:
    """Post one such subject again into ``version`` (nothing left of it
    when its row is gone)."""
    if subject.startswith(BANK_PREFIX):
        one = await bank_subject_posting(conn, company_id, subject)
        empty = Posting(subject, store_id, "USD", ())
        await replace_subject(conn, company_id, version, one or empty)
        return
    for posting in await kept_subject_postings(conn, company_id):
        if posting.subject == subject:
            await replace_subject(conn, company_id, version, posting)
            return
    await replace_subject(conn, company_id, version, Posting(subject, store_id, "USD", ()))
