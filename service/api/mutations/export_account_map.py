"""setExportAccountMap and exportAccountMap: which account of QuickBooks
Online or Xero each storebooks account goes to, and which accounts with
activity still go nowhere (an export or push names them and sends nothing)."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.api.context import Info
from service.api.types.user_error import UserError, UserErrorCode
from service.commands.exports import set_export_account_map as command
from service.ledger.exports.pushes import account_map


@strawberry.enum(description="An accounting system storebooks exports to.")
class ExportTarget(Enum):
    QBO = "QBO"
    XERO = "XERO"


@strawberry.type(description="A storebooks account and its counterpart in the accounting system.")
class ExportAccountMapping:
    account_key: str
    remote_account: str = strawberry.field(
        description="QuickBooks Online: the account's Id. Xero: the account code."
    )
    remote_name: str = strawberry.field(
        description="QuickBooks Online: the account's name (the journal import CSV names "
        "accounts by name). Xero: the tax rate's name for the import CSV (blank: Tax Exempt)."
    )


@strawberry.type
class ExportAccountMap:
    target: ExportTarget
    accounts: list[ExportAccountMapping]
    unmapped_account_keys: list[str] = strawberry.field(
        description="Accounts with activity in the books and no counterpart yet."
    )


@strawberry.input
class ExportAccountMappingInput:
    account_key: str
    remote_account: str
    remote_name: str = ""


@strawberry.input
class SetExportAccountMapInput:
    target: ExportTarget
    accounts: list[ExportAccountMappingInput]
    idempotency_key: str | None = None


@strawberry.type
class SetExportAccountMapPayload:
    account_map: ExportAccountMap | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


MAX_ROWS = 500


async def export_account_map(info: Info, target: ExportTarget) -> ExportAccountMap:
    ctx = info.context
    mapping = await account_map(ctx.pool, ctx.company_id, target.value)
    active = await ctx.pool.fetch(
        "SELECT DISTINCT account_key FROM monthly_balances WHERE company_id = $1 "
        "AND journal_version = (SELECT current_version FROM books WHERE company_id = $1)",
        ctx.company_id,
    )
    return ExportAccountMap(
        target=target,
        accounts=[
            ExportAccountMapping(account_key=k, remote_account=a, remote_name=n)
            for k, (a, n) in sorted(mapping.items())
        ],
        unmapped_account_keys=sorted(
            r["account_key"] for r in active if r["account_key"] not in mapping
        ),
    )


async def set_export_account_map(
    info: Info, input: SetExportAccountMapInput
) -> SetExportAccountMapPayload:
    ctx = info.context
    if not input.accounts or len(input.accounts) > MAX_ROWS:
        return SetExportAccountMapPayload(
            user_errors=[
                UserError(
                    field="input.accounts",
                    code=UserErrorCode.INVALID,
                    message=f"1 to {MAX_ROWS} accounts",
                )
            ]
        )
    rows = [(a.account_key, a.remote_account, a.remote_name) for a in input.accounts]
    outcome = await command(
        ctx.pool, ctx.queue, ctx.company_id, input.target.value, rows, input.idempotency_key
    )
    if outcome.refusals:
        return SetExportAccountMapPayload(
            user_errors=[
                UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals
            ]
        )
    return SetExportAccountMapPayload(account_map=await export_account_map(info, input.target))
