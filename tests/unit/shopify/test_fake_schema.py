"""The fake Shopify refuses what Shopify refuses, in Shopify's words, and
answers exactly what a valid document selects; and every document the
connector sends is valid against the Admin API schema."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import httpx
import pytest

import service.connectors.shopify as connector
from service.connectors.shopify import API_VERSION
from service.connectors.shopify.queries import BULK_ORDERS
from tests.fakes.shopify import FakeShopData, FakeShopify
from tests.fakes.shopify.bulk import jsonl_objects
from tests.fakes.shopify.execute import run
from tests.fakes.shopify.root import AdminRoot
from tests.fakes.shopify.validation import check
from tests.unit.shopify.conftest import TOKEN


def _connector_documents() -> dict[str, str]:
    """Every module-level GraphQL document of the connector's package, by
    ``module.NAME`` (found by scanning, so a new document is checked too)."""
    found: dict[str, str] = {}
    modules = sorted(pkgutil.iter_modules(connector.__path__), key=lambda i: i.name != "queries")
    for info in modules:  # queries.py first: name a document by where it is written
        module = importlib.import_module(f"{connector.__name__}.{info.name}")
        for name, value in vars(module).items():
            if not (name.isupper() and isinstance(value, str)):
                continue
            if (
                value.lstrip().startswith(("query", "mutation", "{"))
                and value not in found.values()
            ):
                found[f"{info.name}.{name}"] = value
    return found


DOCUMENTS = _connector_documents()


def test_the_scan_finds_the_connector_documents() -> None:
    names = {n.split(".", 1)[1] for n in DOCUMENTS}
    assert {
        "BULK_ORDERS",
        "BULK_RUN",
        "BULK_POLL",
        "REFUND_DETAILS",
        "FULFILLMENT_DETAILS",
        "ORDERS_PAGE",
        "ORDER_BY_ID",
        "SHOP",
        "PAYOUTS_PAGE",
        "BALANCE_TRANSACTIONS_PAGE",
        "PRODUCT_VARIANTS_PAGE",
    } <= names


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_connector_document_is_valid(name: str) -> None:
    """BULK_ORDERS is sent as bulkOperationRunQuery's query, so the bulk
    rules apply to it; every other document is a paginated request."""
    query = DOCUMENTS[name]
    checked = check(query, bulk=query == BULK_ORDERS)
    assert checked.errors == ()
    assert checked.document is not None


# -- refusals over HTTP ----------------------------------------------------------


async def _post(fake: FakeShopify, query: str, variables: dict[str, Any] | None = None) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{fake.base_url}/admin/api/{API_VERSION}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": TOKEN},
        )
    assert response.status_code == 200  # Shopify refuses documents with HTTP 200
    return response.json()


async def test_unknown_field_is_refused_as_shopify_does(fake: FakeShopify) -> None:
    body = await _post(fake, "query Shop {\n  shop { name nope }\n}")
    assert body == {
        "errors": [
            {
                "message": "Field 'nope' doesn't exist on type 'Shop'",
                "locations": [{"line": 2, "column": 15}],
                "path": ["query Shop", "shop", "nope"],
                "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "nope"},
            }
        ]
    }


async def test_unknown_enum_value_is_refused(fake: FakeShopify) -> None:
    body = await _post(fake, "{ orders(first: 1, sortKey: NEWEST) { nodes { id } } }")
    [error] = body["errors"]
    assert error["message"] == (
        "Argument 'sortKey' on Field 'orders' has an invalid value (NEWEST)."
        " Expected type 'OrderSortKeys'."
    )
    assert error["path"] == ["query", "orders", "sortKey"]
    assert error["extensions"] == {
        "code": "argumentLiteralsIncompatible",
        "typeName": "Field",
        "argumentName": "sortKey",
    }
    assert "data" not in body


async def test_unknown_enum_value_in_a_variable_is_refused(fake: FakeShopify) -> None:
    query = "query Q($k: OrderSortKeys) { orders(first: 1, sortKey: $k) { nodes { id } } }"
    body = await _post(fake, query, {"k": "NEWEST"})
    [error] = body["errors"]
    assert error["message"] == "Variable $k of type OrderSortKeys was provided invalid value"
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["extensions"]["value"] == "NEWEST"


async def test_missing_required_argument_is_refused(fake: FakeShopify) -> None:
    body = await _post(fake, "query Poll { node { id } }")
    assert body["errors"] == [
        {
            "message": "Field 'node' is missing required arguments: id",
            "locations": [{"line": 1, "column": 14}],
            "path": ["query Poll", "node"],
            "extensions": {
                "code": "missingRequiredArguments",
                "className": "Field",
                "name": "node",
                "arguments": "id",
            },
        }
    ]


async def test_unknown_argument_is_refused(fake: FakeShopify) -> None:
    body = await _post(fake, '{ orders(first: 1, since: "2024-01-01") { nodes { id } } }')
    [error] = body["errors"]
    assert error["message"] == "Field 'orders' doesn't accept argument 'since'"
    assert error["extensions"] == {
        "code": "argumentNotAccepted",
        "name": "orders",
        "typeName": "Field",
        "argumentName": "since",
    }


@pytest.mark.parametrize(
    ("selection", "field", "type_"),
    [
        # Order.transactions is a plain list, not a connection
        ("transactions(first: 5) { edges { node { id } } }", "edges", "OrderTransaction"),
        # Order.lineItems is a connection, not a plain list
        ("lineItems(first: 5) { id }", "id", "LineItemConnection"),
        (
            "refunds(first: 5) { refundLineItems(first: 5) { id } }",
            "id",
            "RefundLineItemConnection",
        ),
        ("fulfillments { edges { node { id } } }", "edges", "Fulfillment"),
    ],
)
async def test_lists_and_connections_are_shopify_s(
    fake: FakeShopify, selection: str, field: str, type_: str
) -> None:
    body = await _post(fake, f"{{ orders(first: 1) {{ nodes {{ {selection} }} }} }}")
    assert [e["message"] for e in body["errors"]] == [
        f"Field '{field}' doesn't exist on type '{type_}'"
    ]


async def test_a_connection_needs_first_or_last(fake: FakeShopify) -> None:
    body = await _post(fake, "{ orders(first: 1) { nodes { lineItems { nodes { id } } } } }")
    assert [(e["message"], e["path"]) for e in body["errors"]] == [
        ("you must provide one of first or last", ["query", "orders", "nodes", "lineItems"])
    ]


async def test_a_syntax_error_is_named(fake: FakeShopify) -> None:
    body = await _post(fake, "{ shop { name }")
    [error] = body["errors"]
    assert error["message"].startswith("syntax error, ")
    assert error["locations"] == [{"line": 1, "column": 16}]


# -- bulk operations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("{ orders { edges { node { id nope } } } }", "Field 'nope' doesn't exist on type 'Order'"),
        (
            "{ orders { edges { node { id refunds {"
            " refundLineItems { edges { node { id } } } } } } } }",
            "Queries that contain a connection field within a list field are not"
            " currently supported.",
        ),
    ],
)
async def test_an_invalid_bulk_query_is_a_user_error(
    fake: FakeShopify, query: str, problem: str
) -> None:
    run_bulk = (
        "mutation Run($q: String!) { bulkOperationRunQuery(query: $q) {"
        " bulkOperation { id } userErrors { field message code } } }"
    )
    body = await _post(fake, run_bulk, {"q": query})
    assert body["data"]["bulkOperationRunQuery"] == {
        "bulkOperation": None,
        "userErrors": [
            {"field": ["query"], "message": f"Invalid bulk query: {problem}", "code": "INVALID"}
        ],
    }
    assert fake.bulk_ops == {}


def test_bulk_lines_hold_what_the_query_selects(fake: FakeShopify) -> None:
    query = (
        "{ orders(sortKey: ID) { edges { node {"
        " id n: name lineItems { edges { node { id sku } } } } } } }"
    )
    checked = check(query, bulk=True)
    assert checked.document is not None
    result = run(checked.document, AdminRoot(fake), {})
    objects, roots = jsonl_objects(result.data or {})
    first = min(fake.data.orders, key=lambda o: o.id)
    assert roots == len(fake.data.orders)
    assert objects[0] == {"id": f"gid://shopify/Order/{first.id}", "n": first.name}
    assert objects[1] == {
        "id": f"gid://shopify/LineItem/{first.lines[0].id}",
        "sku": first.lines[0].sku,
        "__parentId": f"gid://shopify/Order/{first.id}",
    }


# -- answers -------------------------------------------------------------------------


async def test_answers_hold_only_the_selected_fields_under_their_aliases(
    fake: FakeShopify, small_shop: FakeShopData
) -> None:
    query = (
        "{ s: shop { n: name } orders(first: 1, sortKey: ID) {"
        " edges { node { id firstTxn: transactions(first: 1) { kind } } }"
        " pageInfo { hasNextPage } } }"
    )
    body = await _post(fake, query)
    first = min(small_shop.orders, key=lambda o: o.id)
    assert body["data"] == {
        "s": {"n": small_shop.name},
        "orders": {
            "edges": [
                {
                    "node": {
                        "id": f"gid://shopify/Order/{first.id}",
                        "firstTxn": [{"kind": t.kind.upper()} for t in first.transactions[:1]],
                    }
                }
            ],
            "pageInfo": {"hasNextPage": True},
        },
    }
    # Shopify's rules: 1 shop + 2 + 1 x (1 order + 1 transaction).
    assert body["extensions"]["cost"]["requestedQueryCost"] == 5


async def test_nested_first_truncates_and_says_so(
    fake: FakeShopify, small_shop: FakeShopData
) -> None:
    order = next(o for o in small_shop.orders if len(o.lines) > 1)
    query = (
        "query One($id: ID!) { node(id: $id) { ... on Order {"
        " lineItems(first: 1) { nodes { id } pageInfo { hasNextPage } } } } }"
    )
    body = await _post(fake, query, {"id": f"gid://shopify/Order/{order.id}"})
    assert body["data"]["node"]["lineItems"] == {
        "nodes": [{"id": f"gid://shopify/LineItem/{order.lines[0].id}"}],
        "pageInfo": {"hasNextPage": True},
    }


async def test_a_cost_calculator_plugs_in(small_shop: FakeShopData) -> None:
    async with FakeShopify(small_shop, access_token=TOKEN, cost=lambda doc, v: 7) as fake:
        body = await _post(fake, "{ shop { name } }")
        assert body["extensions"]["cost"]["requestedQueryCost"] == 7
        fake.max_cost = 5
        body = await _post(fake, "{ shop { name } }")
        assert body["errors"][0]["extensions"] == {
            "code": "MAX_COST_EXCEEDED",
            "cost": 7,
            "maxCost": 5,
        }
