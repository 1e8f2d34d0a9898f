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
from service.sync.shopify_stores import ScopeCheck, check_scopes

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


@strawberry.type(
    description="An Admin API access scope storebooks uses that the shop did not grant."
)
class MissingScope:
    handle: str = strawberry.field(description="The scope, e.g. read_all_orders.")
    required: bool = strawberry.field(
        description="True: nothing can be synced without it (the connection is refused)."
    )
    why: str = strawberry.field(description="What storebooks reads with it.")


@strawberry.type
class ConnectShopifyStorePayload:
    store: Store | None = None
    sync_run: SyncRun | None = strawberry.field(
        default=None, description="The backfill this connection started."
    )
    scopes_checked: bool = strawberry.field(
        default=False,
        description="Whether Shopify answered which scopes the app was granted.",
    )
    missing_scopes: list[MissingScope] = strawberry.field(
        default_factory=list,
        description="Scopes the sync uses that the app lacks: what it will not read.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _missing(check: ScopeCheck) -> list[MissingScope]:
    return [MissingScope(handle=s.handle, required=s.required, why=s.why) for s in check.missing]


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
    api_base_url = input.api_base_url.rstrip("/") if input.api_base_url else None
    scopes = await check_scopes(domain, input.access_token.strip(), api_base_url)
    if scopes.refused:
        names = ", ".join(s.handle for s in scopes.refused)
        message = f"the access token lacks the {names} scope, which the sync needs to read orders"
        return ConnectShopifyStorePayload(
            scopes_checked=True,
            missing_scopes=_missing(scopes),
            user_errors=[
                UserError(field="input.accessToken", code=UserErrorCode.INVALID, message=message)
            ],
        )
    outcome = await commands.connect_shopify_store(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        ctx.secret_key,
        {
            "shop_domain": domain,
            "access_token": input.access_token.strip(),
            "webhook_secret": input.webhook_secret.strip(),
            "api_base_url": api_base_url,
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
        scopes_checked=scopes.checked,
        missing_scopes=_missing(scopes),
    )
