"""Marketplaces: connect an Amazon seller account or a TikTok shop, upload an Amazon
settlement, sync now."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import strawberry
from strawberry.file_uploads import Upload

from service.api.context import Info
from service.api.ids import decode_uuid, global_id
from service.api.types.job import Job
from service.api.types.settlement import Settlement
from service.api.types.store import Store
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import marketplaces as commands
from service.commands.runner import Outcome
from service.connectors.amazon.settlement import parse_settlement
from service.connectors.hosts import url_problem
from service.domain.marketplace import LineKind, SettlementError
from service.ledger.companies import get_store
from service.ledger.jobs import get_job
from service.ledger.marketplace_accounts import account_key
from service.ledger.settlements import list_settlements

CURRENCY = re.compile(r"^[A-Z]{3}$")
MARKETPLACE_ID = re.compile(r"^[A-Z0-9]{10,16}$")
MAX_FILE_BYTES = 64 * 1024 * 1024


@strawberry.enum(description="Selling Partner API regions: North America, Europe, Far East.")
class AmazonRegion(Enum):
    NA = "na"
    EU = "eu"
    FE = "fe"


@strawberry.input
class ConnectAmazonAccountInput:
    name: str = strawberry.field(description="A name for the seller account in the books.")
    region: AmazonRegion
    marketplace_ids: list[str] = strawberry.field(description="e.g. ATVPDKIKX0DER (amazon.com).")
    client_id: str = strawberry.field(description="The app's Login with Amazon client id.")
    client_secret: str = strawberry.field(description="The app's Login with Amazon secret.")
    refresh_token: str = strawberry.field(description="The seller's authorization (Atzr|...).")
    api_base_url: str | None = strawberry.field(
        default=None, description="The region's Selling Partner API address by default."
    )
    lwa_url: str | None = strawberry.field(
        default=None, description="Login with Amazon's token address by default."
    )
    timezone: str = "UTC"
    currency_code: str = "USD"
    idempotency_key: str | None = None


@strawberry.input
class ConnectTiktokShopInput:
    name: str = strawberry.field(description="A name for the shop in the books.")
    app_key: str = strawberry.field(description="The TikTok Shop app's key.")
    app_secret: str = strawberry.field(description="The app's secret: it signs every request.")
    access_token: str = strawberry.field(description="The shop's access token.")
    refresh_token: str = strawberry.field(description="The shop's refresh token.")
    shop_cipher: str = strawberry.field(description="The shop's cipher (Get Authorized Shops).")
    api_base_url: str | None = strawberry.field(
        default=None, description="https://open-api.tiktokglobalshop.com by default."
    )
    auth_base_url: str | None = strawberry.field(
        default=None, description="https://auth.tiktok-shops.com by default."
    )
    timezone: str = "UTC"
    currency_code: str = "USD"
    idempotency_key: str | None = None


@strawberry.type
class ConnectMarketplacePayload:
    store: Store | None = None
    sync_job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ImportAmazonSettlementInput:
    store_id: strawberry.ID
    file: Upload = strawberry.field(
        description="The settlement report as Amazon writes it (flat file V2, tab-separated)."
    )
    idempotency_key: str | None = None


@strawberry.type
class ImportSettlementPayload:
    settlement: Settlement | None = None
    created: bool = strawberry.field(
        default=False, description="False: the same settlement was already there (API or file)."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SyncMarketplaceInput:
    store_id: strawberry.ID


@strawberry.type
class SyncMarketplacePayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _error(field: str, code: UserErrorCode, message: str) -> UserError:
    return UserError(field=field, code=code, message=message)


def check_common(timezone: str, currency: str) -> list[UserError]:
    errors: list[UserError] = []
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            _error("input.timezone", UserErrorCode.INVALID, f"{timezone!r} is not a time zone")
        )
    if not CURRENCY.match(currency):
        errors.append(
            _error(
                "input.currencyCode", UserErrorCode.INVALID, f"{currency!r} is not a currency code"
            )
        )
    return errors


def check_url(url: str | None, field: str, provider: str, allow_any: bool) -> list[UserError]:
    problem = url_problem(url, provider, allow_any=allow_any) if url else None
    return [_error(field, UserErrorCode.INVALID, problem)] if problem else []


def _validate_amazon(input: ConnectAmazonAccountInput, allow_any: bool) -> list[UserError]:
    errors = check_common(input.timezone, input.currency_code)
    if not input.name.strip():
        errors.append(_error("input.name", UserErrorCode.REQUIRED, "a name is required"))
    if not input.marketplace_ids:
        errors.append(
            _error("input.marketplaceIds", UserErrorCode.REQUIRED, "at least one marketplace id")
        )
    for n, mid in enumerate(input.marketplace_ids):
        if not MARKETPLACE_ID.match(mid):
            errors.append(
                _error(
                    f"input.marketplaceIds.{n}",
                    UserErrorCode.INVALID,
                    f"{mid!r} is not a marketplace id",
                )
            )
    for field, value in (
        ("clientId", input.client_id),
        ("clientSecret", input.client_secret),
        ("refreshToken", input.refresh_token),
    ):
        if not value.strip():
            errors.append(_error(f"input.{field}", UserErrorCode.REQUIRED, f"{field} is required"))
    errors += check_url(input.api_base_url, "input.apiBaseUrl", "amazon", allow_any)
    errors += check_url(input.lwa_url, "input.lwaUrl", "amazon", allow_any)
    return errors


async def connected(info: Info, outcome: Outcome) -> ConnectMarketplacePayload:
    ctx = info.context
    if outcome.refusals:
        return ConnectMarketplacePayload(
            user_errors=[_error(f or "input", UserErrorCode(c), m) for f, c, m in outcome.refusals]
        )
    store = await get_store(ctx.pool, ctx.company_id, UUID(outcome.result["storeId"]))
    job = await get_job(ctx.pool, ctx.company_id, outcome.result["jobId"])
    return ConnectMarketplacePayload(
        store=Store.from_record(store) if store else None,
        sync_job=Job.from_record(job) if job else None,
    )


async def connect_amazon_account(
    info: Info, input: ConnectAmazonAccountInput
) -> ConnectMarketplacePayload:
    ctx = info.context
    errors = _validate_amazon(input, ctx.allow_any_api_host)
    if errors:
        return ConnectMarketplacePayload(user_errors=errors)
    settings: dict[str, Any] = {
        "region": input.region.value,
        "marketplaceIds": list(input.marketplace_ids),
        "accountKey": account_key("amazon", input.refresh_token.strip()),
    }
    if input.api_base_url:
        settings["apiBaseUrl"] = input.api_base_url.rstrip("/")
    if input.lwa_url:
        settings["lwaUrl"] = input.lwa_url
    outcome = await commands.connect_marketplace(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        ctx.secret_key,
        {
            "marketplace": "amazon",
            "name": input.name.strip(),
            "timezone": input.timezone,
            "currency": input.currency_code,
            "settings": settings,
            "credentials": {
                "clientId": input.client_id.strip(),
                "clientSecret": input.client_secret.strip(),
                "refreshToken": input.refresh_token.strip(),
            },
        },
        input.idempotency_key,
    )
    return await connected(info, outcome)


def _validate_tiktok(input: ConnectTiktokShopInput, allow_any: bool) -> list[UserError]:
    errors = check_common(input.timezone, input.currency_code)
    for field, value in (
        ("name", input.name),
        ("appKey", input.app_key),
        ("appSecret", input.app_secret),
        ("accessToken", input.access_token),
        ("refreshToken", input.refresh_token),
        ("shopCipher", input.shop_cipher),
    ):
        if not value.strip():
            errors.append(_error(f"input.{field}", UserErrorCode.REQUIRED, f"{field} is required"))
    errors += check_url(input.api_base_url, "input.apiBaseUrl", "tiktok", allow_any)
    errors += check_url(input.auth_base_url, "input.authBaseUrl", "tiktok", allow_any)
    return errors


async def connect_tiktok_shop(
    info: Info, input: ConnectTiktokShopInput
) -> ConnectMarketplacePayload:
    ctx = info.context
    errors = _validate_tiktok(input, ctx.allow_any_api_host)
    if errors:
        return ConnectMarketplacePayload(user_errors=errors)
    settings: dict[str, Any] = {
        "shopCipher": input.shop_cipher.strip(),
        "accountKey": account_key("tiktok", input.shop_cipher.strip()),
    }
    if input.api_base_url:
        settings["apiBaseUrl"] = input.api_base_url.rstrip("/")
    if input.auth_base_url:
        settings["authBaseUrl"] = input.auth_base_url.rstrip("/")
    outcome = await commands.connect_marketplace(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        ctx.secret_key,
        {
            "marketplace": "tiktok",
            "name": input.name.strip(),
            "timezone": input.timezone,
            "currency": input.currency_code,
            "settings": settings,
            "credentials": {
                "appKey": input.app_key.strip(),
                "appSecret": input.app_secret.strip(),
                "accessToken": input.access_token.strip(),
                "refreshToken": input.refresh_token.strip(),
            },
        },
        input.idempotency_key,
    )
    return await connected(info, outcome)


async def marketplace_store(info: Info, raw: str, marketplace: str | None) -> UUID | UserError:
    """The store an id names, if it is a connected marketplace account."""
    ctx = info.context
    store_id = decode_uuid(raw, "Store")
    platform = None
    if store_id is not None:
        platform = await ctx.pool.fetchval(
            "SELECT platform FROM stores WHERE company_id = $1 AND store_id = $2",
            ctx.company_id,
            store_id,
        )
    if store_id is None or platform is None:
        return _error("input.storeId", UserErrorCode.NOT_FOUND, f"no store with id {raw!r}")
    if platform not in ("amazon", "tiktok") or (marketplace and platform != marketplace):
        return _error(
            "input.storeId",
            UserErrorCode.NOT_APPLICABLE,
            f"this store is a {platform} store, not a {marketplace or 'marketplace'} account",
        )
    return store_id


async def import_amazon_settlement(
    info: Info, input: ImportAmazonSettlementInput
) -> ImportSettlementPayload:
    ctx = info.context
    store = await marketplace_store(info, input.store_id, "amazon")
    if isinstance(store, UserError):
        return ImportSettlementPayload(user_errors=[store])
    upload: Any = input.file
    if not hasattr(upload, "read"):
        return ImportSettlementPayload(
            user_errors=[
                _error("input.file", UserErrorCode.INVALID, "send the file as a multipart upload")
            ]
        )
    raw = await upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        return ImportSettlementPayload(
            user_errors=[_error("input.file", UserErrorCode.INVALID, "the file is too large")]
        )
    try:
        settlement = parse_settlement(raw)
    except SettlementError as exc:
        return ImportSettlementPayload(
            user_errors=[_error("input.file", UserErrorCode.INVALID, str(exc))]
        )
    outcome = await commands.import_settlement(
        ctx.pool, ctx.queue, ctx.company_id, store, settlement, input.idempotency_key
    )
    if outcome.refusals:
        return ImportSettlementPayload(
            user_errors=[_error(f or "input", UserErrorCode(c), m) for f, c, m in outcome.refusals]
        )
    found = await list_settlements(
        ctx.pool, ctx.company_id, store_id=store, settlement_id=settlement.settlement_id
    )
    return ImportSettlementPayload(
        settlement=Settlement.of(found[0], global_id("Store", store), ctx.public_url)
        if found
        else None,
        created=bool(outcome.result.get("created")),
    )


async def sync_marketplace(info: Info, input: SyncMarketplaceInput) -> SyncMarketplacePayload:
    ctx = info.context
    store = await marketplace_store(info, input.store_id, None)
    if isinstance(store, UserError):
        return SyncMarketplacePayload(user_errors=[store])
    outcome = await commands.sync_marketplace(ctx.pool, ctx.queue, ctx.company_id, store)
    job = await get_job(ctx.pool, ctx.company_id, outcome.result["jobId"])
    return SyncMarketplacePayload(job=Job.from_record(job) if job else None)


@strawberry.enum(description="What a settlement amount is, whatever the marketplace calls it.")
class SettlementLineKind(Enum):
    PRINCIPAL = "PRINCIPAL"
    SHIPPING = "SHIPPING"
    TAX = "TAX"
    FACILITATOR_TAX = "FACILITATOR_TAX"
    PROMOTION = "PROMOTION"
    PLATFORM_DISCOUNT = "PLATFORM_DISCOUNT"
    SELLING_FEE = "SELLING_FEE"
    FULFILLMENT_FEE = "FULFILLMENT_FEE"
    ADVERTISING = "ADVERTISING"
    RESERVE = "RESERVE"
    REIMBURSEMENT = "REIMBURSEMENT"
    OTHER_INCOME = "OTHER_INCOME"


@strawberry.input
class SetSettlementMappingInput:
    store_id: strawberry.ID
    description: str = strawberry.field(
        description="The marketplace's words, as settlements.linesToReview shows them."
    )
    kind: SettlementLineKind
    idempotency_key: str | None = None


@strawberry.type
class SetSettlementMappingPayload:
    changed: bool = strawberry.field(
        default=False, description="True: the store's settlements were posted again."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def set_settlement_mapping(
    info: Info, input: SetSettlementMappingInput
) -> SetSettlementMappingPayload:
    ctx = info.context
    store = await marketplace_store(info, input.store_id, None)
    if isinstance(store, UserError):
        return SetSettlementMappingPayload(user_errors=[store])
    description = input.description.strip()
    if not description or len(description) > 300:
        return SetSettlementMappingPayload(
            user_errors=[
                _error(
                    "input.description",
                    UserErrorCode.INVALID,
                    "the description is the marketplace's words, 1 to 300 characters",
                )
            ]
        )
    outcome = await commands.set_settlement_mapping(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        store,
        description,
        LineKind(input.kind.value),
        input.idempotency_key,
    )
    return SetSettlementMappingPayload(changed=bool(outcome.result.get("changed")))
