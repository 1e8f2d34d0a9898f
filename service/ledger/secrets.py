"""Encryption of stored channel credentials.

Access tokens and webhook secrets open a merchant's store; a copy of the
database alone must not. They are sealed with a key derived from the
deployment's secret key (Fernet: AES-128-CBC with HMAC-SHA256).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"storebooks credentials\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret_key: str, value: dict[str, Any]) -> bytes:
    return _fernet(secret_key).encrypt(json.dumps(value, sort_keys=True).encode())


def unseal(secret_key: str, sealed: bytes) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(_fernet(secret_key).decrypt(sealed))
    except InvalidToken as exc:
        raise ValueError("stored credentials do not open with this secret key") from exc
    return data
