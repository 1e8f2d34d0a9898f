"""An import as one step: store the file's new lines, match them to
payouts, then put the rest through the saved rules."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.bank_accounts import ImportResult, import_statement
from service.ledger.bank_match import match_payouts
from service.ledger.bank_rules import apply_rules


@dataclass(frozen=True, slots=True)
class ImportReport:
    result: ImportResult
    matched: int
    categorised: int


async def import_and_explain(
    conn: asyncpg.Connection, company_id: UUID, bank_account_id: UUID, data: bytes
) -> ImportReport:
    result = await import_statement(conn, company_id, bank_account_id, data)
    new = list(result.new_line_ids)
    matched = await match_payouts(conn, company_id, new) if new else 0
    categorised = await apply_rules(conn, company_id, new) if new else 0
    return ImportReport(result, matched, categorised)
