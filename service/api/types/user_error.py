from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Why a mutation refused (part of) its input.")
class UserErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    PERIOD_LOCKED = "PERIOD_LOCKED"
    FORBIDDEN = "FORBIDDEN"
    UNKNOWN_FORMAT = "UNKNOWN_FORMAT"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    ALREADY_EXPLAINED = "ALREADY_EXPLAINED"


@strawberry.type(description="An expected refusal, naming the input field at fault.")
class UserError:
    field: str | None = strawberry.field(description="Path of the input field, e.g. input.storeId")
    code: UserErrorCode
    message: str
