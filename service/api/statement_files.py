"""GET /reports/statement.csv and /reports/statement.xlsx: a statement as a file.

The file is the API's own answer: the statement is read by running the same
GraphQL query a client would send, with the caller's token, and written as
rows (account, one column per month/store/channel if asked, total).
Parameters: statement=pl|bs|tb, from, to (YYYY-MM-DD; a balance sheet is as
of `to`), storeId (opaque id), columnsBy=MONTH|STORE|CHANNEL (pl only).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.api.context import Context
from service.api.graphql_app import AuthenticationFailed, authenticate
from service.api.reports import safe_filename
from service.api.schema import schema
from service.ledger.exports.files import TYPES
from service.ledger.exports.tables import Cell, Table, table_csv, table_xlsx


def number(amount: str) -> Decimal:
    """An amount as the API gives it (a decimal string), kept a number."""
    return Decimal(amount)


M = "{ amount }"
QUERIES = {
    "pl": f"""query($from: Date!, $to: Date!, $storeId: ID, $columnsBy: StatementColumns) {{
        s: profitAndLoss(from: $from, to: $to, storeId: $storeId, columnsBy: $columnsBy) {{
          lines {{ accountKey name amount {M} }} netSales {M} grossProfit {M} netIncome {M}
          columns {{ name lines {{ accountKey amount {M} }} netSales {M} grossProfit {M}
            netIncome {M} }} }} }}""",
    "bs": f"""query($to: Date!, $storeId: ID) {{ s: balanceSheet(asOf: $to, storeId: $storeId) {{
          lines {{ accountKey name amount {M} }} totalAssets {M} totalLiabilities {M}
          totalEquity {M} }} }}""",
    "tb": f"""query($from: Date!, $to: Date!, $storeId: ID) {{
        s: trialBalance(from: $from, to: $to, storeId: $storeId) {{
          lines {{ accountKey name debit {M} credit {M} }} totalDebit {M} totalCredit {M} }} }}""",
}
NAMES = {"pl": "Profit and loss", "bs": "Balance sheet", "tb": "Trial balance"}


def _rows(kind: str, s: dict[str, Any]) -> list[tuple[Cell, ...]]:
    if kind == "tb":
        table: list[tuple[Cell, ...]] = [("Account", "Key", "Debit", "Credit")]
        table += [
            (
                x["name"],
                x["accountKey"],
                number(x["debit"]["amount"]),
                number(x["credit"]["amount"]),
            )
            for x in s["lines"]
        ]
        table.append(
            ("Total", "", number(s["totalDebit"]["amount"]), number(s["totalCredit"]["amount"]))
        )
        return table
    if kind == "bs":
        table = [("Account", "Key", "Balance")]
        table += [(x["name"], x["accountKey"], number(x["amount"]["amount"])) for x in s["lines"]]
        for label, key in (
            ("Total assets", "totalAssets"),
            ("Total liabilities", "totalLiabilities"),
            ("Total equity", "totalEquity"),
        ):
            table.append((label, "", number(s[key]["amount"])))
        return table
    columns = s["columns"]
    by_column = [{x["accountKey"]: x["amount"]["amount"] for x in c["lines"]} for c in columns]
    table = [("Account", "Key", *(c["name"] for c in columns), "Total")]
    for x in s["lines"]:
        cells = [number(col.get(x["accountKey"], "0")) for col in by_column]
        table.append((x["name"], x["accountKey"], *cells, number(x["amount"]["amount"])))
    for label, key in (
        ("Net sales", "netSales"),
        ("Gross profit", "grossProfit"),
        ("Net income", "netIncome"),
    ):
        cells = [number(c[key]["amount"]) for c in columns]
        table.append((label, "", *cells, number(s[key]["amount"])))
    return table


async def statement_file(request: Request) -> Response:
    state = request.app.state
    try:
        caller = await authenticate(state.pool, request.headers.get("authorization"))
    except AuthenticationFailed as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    ext = request.path_params["kind"]
    q = request.query_params
    kind = q.get("statement", "pl")
    if ext not in TYPES or kind not in QUERIES:
        return JSONResponse(
            {"error": "the file is statement.csv or statement.xlsx, statement=pl|bs|tb"}, 404
        )
    if not q.get("to") or (kind != "bs" and not q.get("from")):
        return JSONResponse({"error": "from and to are required (YYYY-MM-DD)"}, 400)
    variables = {"from": q.get("from"), "to": q["to"], "storeId": q.get("storeId") or None}
    if kind == "pl":
        variables["columnsBy"] = q.get("columnsBy") or None
    if kind == "bs":
        variables.pop("from")
    context = Context(
        request=request,
        company_id=caller.company_id,
        token_id=caller.token_id,
        role=caller.role,
        pool=state.pool,
        queue=state.queue,
        secret_key=state.secret_key,
    )
    result = await schema.execute(QUERIES[kind], variable_values=variables, context_value=context)
    if result.errors or not result.data:
        message = "; ".join(e.message for e in result.errors or []) or "no statement"
        return JSONResponse({"error": message}, status_code=400)
    header, *rows = _rows(kind, result.data["s"])
    table = Table(NAMES[kind], tuple(str(c) for c in header), rows)
    body = table_csv(table) if ext == "csv" else table_xlsx(table)
    name = safe_filename(f"{kind}-{q.get('from') or 'start'}-{q['to']}") + f".{ext}"
    return Response(
        body,
        media_type=TYPES[ext],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
