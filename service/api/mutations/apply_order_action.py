"""applyOrderAction: void, give away, close a balance... on up to 250 orders at once."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from uuid import UUID

import strawberry

from service.api.context import Info
from service.api.ids import decode_uuid
from service.api.loaders import load_books
from service.api.types.order import Order, parse_order_id
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import bank
from service.commands.order_actions import apply_order_action as command
from service.commands.runner import Outcome
from service.ledger.orders import orders_by_keys

MAX_ORDERS = 250


@strawberry.enum(description="What to do with the orders (the order statuses of posting rule 3).")
class OrderAction(Enum):
    VOID = "VOID"
    CLOSE_UNCOLLECTED = "CLOSE_UNCOLLECTED"
    CLOSE_OVERCOLLECTED = "CLOSE_OVERCOLLECTED"
    GIVEAWAY = "GIVEAWAY"
    COGS_ONLY = "COGS_ONLY"
    EXCLUDE = "EXCLUDE"
    INCLUDE = "INCLUDE"
    LINK_PAYMENT = "LINK_PAYMENT"
    UNLINK_PAYMENT = "UNLINK_PAYMENT"


@strawberry.input
class ApplyOrderActionInput:
    order_ids: list[strawberry.ID]
    action: OrderAction
    date: dt.date | None = strawberry.field(
        default=None, description="When the balance is closed (CLOSE_* actions); required there."
    )
    bank_line_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="LINK_PAYMENT: the bank deposit that paid the orders (required there).",
    )
    difference_account: str | None = strawberry.field(
        default=None,
        description="LINK_PAYMENT: where a difference between the deposit and the orders'"
        " open balances goes (BANK_FEES, DISCOUNTS, BAD_DEBT...); required when they differ.",
    )
    idempotency_key: str | None = None


@strawberry.type
class ApplyOrderActionPayload:
    orders: list[Order] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _parse(input: ApplyOrderActionInput) -> tuple[dict[int, tuple[UUID, str]], list[UserError]]:
    """The order keys by their position in the input, and what cannot even be parsed."""
    errors: list[UserError] = []
    if not 1 <= len(input.order_ids) <= MAX_ORDERS:
        errors.append(
            UserError(
                field="input.orderIds",
                code=UserErrorCode.INVALID,
                message=f"give between 1 and {MAX_ORDERS} order ids",
            )
        )
        return {}, errors
    closing = input.action in (OrderAction.CLOSE_UNCOLLECTED, OrderAction.CLOSE_OVERCOLLECTED)
    if closing and input.date is None:
        errors.append(
            UserError(
                field="input.date",
                code=UserErrorCode.REQUIRED,
                message=f"{input.action.value} needs the date the balance is closed",
            )
        )
    if (
        input.action is OrderAction.LINK_PAYMENT
        and decode_uuid(input.bank_line_id or "", "BankLine") is None
    ):
        errors.append(
            UserError(
                field="input.bankLineId",
                code=UserErrorCode.REQUIRED,
                message="LINK_PAYMENT needs the bank line of the deposit",
            )
        )
    keys: dict[int, tuple[UUID, str]] = {}
    for i, raw in enumerate(input.order_ids):
        key = parse_order_id(raw)
        if key is None:
            errors.append(
                UserError(
                    field=f"input.orderIds.{i}",
                    code=UserErrorCode.NOT_FOUND,
                    message=f"no order with id {raw[:100]!r}",
                )
            )
        else:
            keys[i] = key
    return keys, errors


async def _run(
    info: Info, input: ApplyOrderActionInput, keys: dict[int, tuple[UUID, str]]
) -> Outcome:
    ctx = info.context
    key = input.idempotency_key
    if input.action is OrderAction.LINK_PAYMENT:
        line_id = decode_uuid(input.bank_line_id or "", "BankLine")
        assert line_id is not None  # checked by _parse
        return await bank.link(
            ctx.pool, ctx.queue, ctx.company_id, key, line_id, keys, input.difference_account
        )
    if input.action is OrderAction.UNLINK_PAYMENT:
        return await bank.unlink_orders(ctx.pool, ctx.queue, ctx.company_id, key, keys)
    return await command(
        ctx.pool, ctx.queue, ctx.company_id, keys, input.action.value, input.date, key
    )


async def apply_order_action(info: Info, input: ApplyOrderActionInput) -> ApplyOrderActionPayload:
    """All or nothing: any refused order means no order is changed."""
    ctx = info.context
    keys, errors = _parse(input)
    if errors:
        return ApplyOrderActionPayload(user_errors=errors)
    outcome = await _run(info, input, keys)
    if outcome.refusals:
        return ApplyOrderActionPayload(
            user_errors=[
                UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals
            ]
        )
    ctx.loaders.clear()
    version, _ = await load_books(ctx)
    updated = await orders_by_keys(ctx.pool, ctx.company_id, version, list(keys.values()))
    return ApplyOrderActionPayload(
        orders=[Order.from_summary(updated[k]) for k in keys.values() if k in updated]
    )
