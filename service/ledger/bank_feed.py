"""An import as one step: store the file's new lines, match them to
payouts, then put the rest through the saved rules."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.ledger.bank_accounts import ImportResult, import_statement
from service.ledger.bank_match import match_rows
from service.ledger.bank_posting import post_line_rows
from service.ledger.bank_rules import rule_rows


@dataclass(frozen=True, slots=True)
class ImportReport:
    result: ImportResult
    matched: int
    categorised: int


async def import_and_explain(
    conn: asyncpg.Connection, company_id: UUID, bank_account_id: UUID, data: bytes
) -> ImportReport:
    result = await import_statement(conn, company_id, bank_account_id, data)
    new = list(result.new_lines)
    matched = await match_rows(conn, company_id, new)
    taken = {x.line_id for x in matched}
    categorised = await rule_rows(conn, company_id, [x for x in new if x.line_id not in taken])
    await post_line_rows(conn, company_id, matched + categorised)
    return ImportReport(result, len(matched), len(categorised))
