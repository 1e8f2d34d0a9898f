"""connectShopifyStore: store the shop's credentials (encrypted) and start its backfill."""

from __future__ import annotations

import re
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import strawberry

from service.api.context import Info
from service.api.types.store import Store
from service.api.types.sync import SyncRun
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import connections as commands
from service.connectors.hosts import url_problem
from service.ledger.companies import get_store
from service.ledger.sync_runs import get_run

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


@strawberry.input
class ConnectShopifyStoreInput:
    shop_domain: str = strawberry.field(description="The shop's myshopify.com domain.")
    webhook_secret: str = strawberry.field(description="The app's secret that signs webhooks.")
    access_token: str = strawberry.field(description="An Admin API access token for the shop.")
    api_base_url: str | None = strawberry.field(
        default=None, description="Where the Admin API is; defaults to https://{shopDomain}."
    )
    timezone: str = strawberry.field(default="UTC", description="The shop's IANA time zone.")
    currency_code: str = strawberry.field(default="USD", description="The shop's currency.")
    idempotency_key: str | None = None


@strawberry.type
class ConnectShopifyStorePayload:
    store: Store | None = None
    sync_run: SyncRun | None = strawberry.field(
        default=None, description="The backfill this connection started."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _validate(input: ConnectShopifyStoreInput, allow_any_host: bool) -> list[UserError]:
    errors: list[UserError] = []

    def bad(field: str, code: UserErrorCode, message: str) -> None:
        errors.append(UserError(field=f"input.{field}", code=code, message=message))

    if not SHOP_DOMAIN.match(input.shop_domain.strip().lower()):
        bad(
            "shopDomain",
            UserErrorCode.INVALID,
            f"{input.shop_domain!r} is not a shop domain like my-shop.myshopify.com",
        )
    if not input.webhook_secret.strip():
        bad(
            "webhookSecret",
            UserErrorCode.REQUIRED,
            "the webhook secret is required to verify webhooks",
        )
    if not input.access_token.strip():
        bad("accessToken", UserErrorCode.REQUIRED, "an Admin API access token is required")
    if input.api_base_url is not None:
        problem = url_problem(input.api_base_url, "shopify", allow_any=allow_any_host)
        if problem is not None:
            bad("apiBaseUrl", UserErrorCode.INVALID, problem)
    try:
        ZoneInfo(input.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        bad("timezone", UserErrorCode.INVALID, f"{input.timezone!r} is not an IANA time zone")
    if not CURRENCY.match(input.currency_code):
        bad(
            "currencyCode",
            UserErrorCode.INVALID,
            f"{input.currency_code!r} is not an ISO 4217 currency code",
        )
    return errors


async def connect_shopify_store(
    info: Info, input: ConnectShopifyStoreInput
) -> ConnectShopifyStorePayload:
    ctx = info.context
    errors = _validate(input, ctx.allow_any_api_host)
    if errors:
        return ConnectShopifyStorePayload(user_errors=errors)
    domain = input.shop_domain.strip().lower()
    outcome = await commands.connect_shopify_store(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        ctx.secret_key,
        {
            "shop_domain": domain,
            "access_token": input.access_token.strip(),
            "webhook_secret": input.webhook_secret.strip(),
            "api_base_url": input.api_base_url.rstrip("/") if input.api_base_url else None,
            "timezone": input.timezone,
            "currency_code": input.currency_code,
        },
        input.idempotency_key,
    )
    if outcome.refusals:
        return ConnectShopifyStorePayload(
            user_errors=[
                UserError(field=f, code=UserErrorCode(c), message=m) for f, c, m in outcome.refusals
            ]
        )
    store = await get_store(ctx.pool, ctx.company_id, UUID(outcome.result["storeId"]))
    run = await get_run(ctx.pool, ctx.company_id, UUID(outcome.result["runId"]))
    return ConnectShopifyStorePayload(
        store=Store.from_record(store) if store else None,
        sync_run=SyncRun.from_record(run) if run else None,
    )
