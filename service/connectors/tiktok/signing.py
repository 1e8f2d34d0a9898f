"""Signing a TikTok Shop API request, as TikTok Shop's "Sign your API request" guide says.

1. Take the query parameters except ``sign`` and ``access_token``, sorted
   by name, and join them as ``{name}{value}`` with nothing between.
2. Put the request's path in front of that string.
3. Unless the request is multipart/form-data, append the raw body.
4. Wrap the whole in the app secret (secret + string + secret).
5. The signature is the hex HMAC-SHA256 of it, keyed with the app secret,
   sent as the ``sign`` query parameter (with ``app_key`` and the
   ``timestamp`` in seconds); the access token goes in the
   ``x-tts-access-token`` header.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

UNSIGNED = frozenset({"sign", "access_token"})


def signature(secret: str, path: str, params: Mapping[str, str], body: bytes = b"") -> str:
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in UNSIGNED)
    text = secret.encode() + path.encode() + joined.encode() + body + secret.encode()
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()
