"""GET /exports/<name>.<format> (and /reports/cogs.csv|xlsx,
/reports/settlement-cogs.csv|xlsx): files.

Large lists are served as files, not GraphQL lists; the
`cogsReport` query gives the COGS links. The same bearer token is
required. Every export goes through ``export_file``, as the CLI's do.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.api.graphql_app import AuthenticationFailed, authenticate
from service.ledger.exports.files import ExportError, export_file


def safe_filename(name: str) -> str:
    """A file name fit for a header: parameters are the client's text, so
    quotes, CR/LF and anything else outside a plain name become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]


async def _serve(request: Request, name: str, kind: str) -> Response:
    state = request.app.state
    try:
        caller = await authenticate(state.pool, request.headers.get("authorization"))
    except AuthenticationFailed as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    params = dict(request.query_params)
    try:
        made = await export_file(state.pool, caller.company_id, name, kind, params)
    except ExportError as exc:
        status = 404 if exc.field == "format" else 400
        return JSONResponse({"error": str(exc), "field": exc.field}, status_code=status)
    stem = "-".join(
        [
            name,
            *(
                params[k]
                for k in ("payoutId", "settlementId", "from", "to", "asOf")
                if params.get(k)
            ),
        ]
    )
    filename = f"{safe_filename(stem)}.{kind}"
    return Response(
        made.body,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def cogs_file(request: Request) -> Response:
    return await _serve(request, "cogs", request.path_params["kind"])


async def settlement_cogs_file(request: Request) -> Response:
    """GET /reports/settlement-cogs.csv|xlsx?settlementId=&storeId=."""
    return await _serve(request, "settlement-cogs", request.path_params["kind"])


async def export_download(request: Request) -> Response:
    return await _serve(request, request.path_params["name"], request.path_params["kind"])
