"""The dashboard's files at `/` and GraphiQL's page, all from this package.

The dashboard is static files (HTML, CSS, JavaScript modules) that talk to
/graphql like any other client; nothing here reads the books. GraphiQL and
React come from service/web/vendor (committed builds of their npm
packages), so the pages work on a machine without internet.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


# The dashboard runs only its own scripts and talks only to this server.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


class DashboardFiles(StaticFiles):
    """Static files that a browser re-checks before use (they change with
    each release; an ETag makes the check cheap), that no frame embeds, and
    that may load nothing from elsewhere."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


def graphiql_html() -> str:
    return (WEB_DIR / "graphiql.html").read_text(encoding="utf-8")


def dashboard_mount() -> Mount:
    return Mount("/", app=DashboardFiles(directory=WEB_DIR, html=True), name="dashboard")
