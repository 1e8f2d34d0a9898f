"""Which hosts the server may call for a merchant: the providers' real API hosts.

A store's `apiBaseUrl` or an inventory system's `baseUrl` is the client's
text; left open, it points the server at internal addresses (metadata
services, the database, the queue). In production only the providers' own
hosts are allowed; development and tests, which talk to local fakes, open
any host with STOREBOOKS_ALLOW_ANY_API_HOST.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Exact hosts, or suffixes starting with a dot.
ALLOWED_HOSTS = {
    "shopify": (".myshopify.com",),
    "FINALE": ("app.finaleinventory.com",),
    "GOFLOW": (".api.goflow.com",),
    "amazon": ("api.amazon.com", "api.amazon.co.uk", "api.amazon.co.jp", ".amazon.com"),
    "tiktok": ("open-api.tiktokglobalshop.com", "auth.tiktok-shops.com"),
    "paypal": ("api-m.paypal.com", "api-m.sandbox.paypal.com"),
    "stripe": ("api.stripe.com",),
}


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host.endswith(a) if a.startswith(".") else host == a for a in allowed)


def url_problem(url: str, provider: str, *, allow_any: bool) -> str | None:
    """Why the server must not call this URL for the provider, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"{url[:200]!r} is not an http(s) URL"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{url[:200]!r} is not an http(s) URL"
    if allow_any:
        return None
    if parts.scheme != "https" or port not in (None, 443) or parts.username or parts.password:
        return "only https on the standard port is allowed"
    if not _host_allowed(host, ALLOWED_HOSTS[provider]):
        hosts = ", ".join(a.lstrip(".") for a in ALLOWED_HOSTS[provider])
        return f"only the provider's own API hosts are allowed ({hosts})"
    return None


class HostNotAllowed(Exception):
    """A stored URL that this deployment may not call."""
