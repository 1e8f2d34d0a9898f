"""GET /reports/cogs.csv and /reports/cogs.xlsx: the COGS report as a file.

Large lists are served as files, not GraphQL lists (STACK-NOTES); the
`cogsReport` query gives the links. The same bearer token is required.
"""

from __future__ import annotations

import datetime as dt
import re
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.api.graphql_app import AuthenticationFailed, authenticate
from service.ledger.cogs_report import report_rows
from service.ledger.reports.cogs import cogs_csv, cogs_xlsx
from service.ledger.reports.settlement_cogs import settlement_cogs_csv, settlement_cogs_xlsx
from service.ledger.settlements import settlement_cogs_rows

TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from exc


def safe_filename(name: str) -> str:
    """A file name fit for a header: the payout id is the client's text, so
    quotes, CR/LF and anything else outside a plain name become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]


async def cogs_file(request: Request) -> Response:
    state = request.app.state
    try:
        caller = await authenticate(state.pool, request.headers.get("authorization"))
    except AuthenticationFailed as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    company_id = caller.company_id
    kind = request.path_params["kind"]
    if kind not in TYPES:
        return JSONResponse({"error": "the report comes as cogs.csv or cogs.xlsx"}, 404)
    q = request.query_params
    try:
        start, end = _date(q.get("from"), "from"), _date(q.get("to"), "to")
        store = UUID(q["storeId"]) if q.get("storeId") else None
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    if start and end and start > end:
        return JSONResponse({"error": f"invalid date range: {start} is after {end}"}, 400)
    version, currency = await state.pool.fetchrow(
        "SELECT b.current_version, coalesce((SELECT min(currency_code) FROM stores s "
        "WHERE s.company_id = b.company_id), 'USD') FROM books b WHERE b.company_id = $1",
        company_id,
    )
    rows = await report_rows(
        state.pool,
        company_id,
        version,
        start=start,
        end=end,
        store_id=store,
        payout_id=q.get("payoutId"),
    )
    body = cogs_csv(rows, currency) if kind == "csv" else cogs_xlsx(rows, currency)
    name = f"cogs-{q.get('payoutId') or (str(start or 'all') + '-' + str(end or 'all'))}"
    name = f"{safe_filename(name)}.{kind}"
    return Response(
        body,
        media_type=TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def settlement_cogs_file(request: Request) -> Response:
    """GET /reports/settlement-cogs.csv|xlsx?settlementId=&storeId=: one settlement's COGS."""
    state = request.app.state
    try:
        caller = await authenticate(state.pool, request.headers.get("authorization"))
    except AuthenticationFailed as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    kind = request.path_params["kind"]
    if kind not in TYPES:
        return JSONResponse({"error": "the report comes as .csv or .xlsx"}, 404)
    q = request.query_params
    settlement_id = q.get("settlementId")
    if not settlement_id:
        return JSONResponse({"error": "settlementId is required"}, status_code=400)
    try:
        store = UUID(q["storeId"]) if q.get("storeId") else None
    except ValueError as exc:
        return JSONResponse({"error": f"storeId: {exc}"}, status_code=400)
    rows, currency = await settlement_cogs_rows(state.pool, caller.company_id, store, settlement_id)
    body = (
        settlement_cogs_csv(rows, currency)
        if kind == "csv"
        else settlement_cogs_xlsx(rows, currency)
    )
    name = f"{safe_filename('cogs-settlement-' + settlement_id)}.{kind}"
    return Response(
        body,
        media_type=TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
