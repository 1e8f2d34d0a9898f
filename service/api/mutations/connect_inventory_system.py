"""connectInventorySystem and syncInventoryCosts: costs from Finale Inventory or Goflow."""

from __future__ import annotations

import re
from enum import Enum

import strawberry

from service.api.context import Info
from service.api.types.job import Job
from service.api.types.user_error import UserError, UserErrorCode
from service.commands import connections as commands
from service.commands.runner import Outcome
from service.connectors.hosts import url_problem
from service.ledger.jobs import get_job


@strawberry.enum(
    description=(
        "An inventory system that records the cost of goods when they ship: FINALE reads "
        "each sale shipment's cost from Finale's stock history; GOFLOW, which publishes no "
        "cost per order, uses the product cost Goflow holds for the ship date."
    )
)
class InventoryProvider(Enum):
    FINALE = "FINALE"
    GOFLOW = "GOFLOW"


@strawberry.input
class ConnectInventorySystemInput:
    provider: InventoryProvider
    account: str | None = strawberry.field(default=None, description="Finale account name.")
    api_key: str | None = strawberry.field(default=None, description="Finale API key.")
    api_secret: str | None = strawberry.field(default=None, description="Finale API secret.")
    subdomain: str | None = strawberry.field(default=None, description="Goflow subdomain.")
    token: str | None = strawberry.field(default=None, description="Goflow API token.")
    beta_contact: str | None = strawberry.field(
        default=None, description="Goflow: e-mail sent as X-Beta-Contact for its beta endpoints."
    )
    base_url: str | None = strawberry.field(default=None, description="Override the API host.")
    idempotency_key: str | None = None


@strawberry.type
class InventorySyncPayload:
    sync_job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# Both go into the provider's URL: a host label or a path segment, nothing else.
ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")

REQUIRED = {
    InventoryProvider.FINALE: ("account", "api_key", "api_secret"),
    InventoryProvider.GOFLOW: ("subdomain", "token"),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def _job(info: Info, outcome: Outcome) -> Job | None:
    ctx = info.context
    job_id = outcome.result.get("jobId")
    record = await get_job(ctx.pool, ctx.company_id, job_id) if job_id else None
    return Job.from_record(record) if record else None


async def connect_inventory_system(
    info: Info, input: ConnectInventorySystemInput
) -> InventorySyncPayload:
    """Store the credentials (encrypted) and fetch costs for the books' orders."""
    errors = [
        UserError(
            field=f"input.{_camel(name)}",
            code=UserErrorCode.REQUIRED,
            message=f"{_camel(name)} is required for {input.provider.value}",
        )
        for name in REQUIRED[input.provider]
        if not (getattr(input, name) or "").strip()
    ]
    for name in ("account", "subdomain"):
        value = (getattr(input, name) or "").strip()
        if value and not ACCOUNT_NAME.match(value):
            errors.append(
                UserError(
                    field=f"input.{name}",
                    code=UserErrorCode.INVALID,
                    message=f"{name} is a name of letters, digits and dashes (as in the address)",
                )
            )
    if input.base_url is not None:
        problem = url_problem(
            input.base_url, input.provider.value, allow_any=info.context.allow_any_api_host
        )
        if problem is not None:
            errors.append(
                UserError(field="input.baseUrl", code=UserErrorCode.INVALID, message=problem)
            )
    if errors:
        return InventorySyncPayload(user_errors=errors)
    ctx = info.context
    if input.provider is InventoryProvider.FINALE:
        settings = {"account": (input.account or "").strip()}
        credentials = {"apiKey": input.api_key, "apiSecret": input.api_secret}
    else:
        settings = {"subdomain": (input.subdomain or "").strip()}
        if input.beta_contact and input.beta_contact.strip():
            settings["betaContact"] = input.beta_contact.strip()
        credentials = {"token": input.token}
    if input.base_url:
        settings["baseUrl"] = input.base_url.rstrip("/")
    outcome = await commands.connect_inventory_system(
        ctx.pool,
        ctx.queue,
        ctx.company_id,
        ctx.secret_key,
        input.provider.value,
        settings,
        credentials,
    )
    return InventorySyncPayload(sync_job=await _job(info, outcome))


async def sync_inventory_costs(info: Info, provider: InventoryProvider) -> InventorySyncPayload:
    """Fetch costs again now ("sync with provider"), e.g. after bills were entered."""
    ctx = info.context
    connected = await ctx.pool.fetchval(
        "SELECT 1 FROM inventory_connections WHERE company_id = $1 AND provider = $2",
        ctx.company_id,
        provider.value,
    )
    if not connected:
        return InventorySyncPayload(
            user_errors=[
                UserError(
                    field="provider",
                    code=UserErrorCode.NOT_APPLICABLE,
                    message=f"{provider.value} is not connected",
                )
            ]
        )
    outcome = await commands.sync_inventory_costs(
        ctx.pool, ctx.queue, ctx.company_id, provider.value
    )
    return InventorySyncPayload(sync_job=await _job(info, outcome))
