"""Every document the connector sends fits Shopify's single-query cost
limit by Shopify's rules, at the largest variables the connector uses."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from service.connectors.shopify import queries as q
from service.connectors.shopify.sync import PAGE_SIZE, fitting_page_size
from tests.fakes.shopify import FakeShopify
from tests.fakes.shopify.cost import MAX_QUERY_COST, shopify_cost
from tests.unit.shopify.test_fake_schema import DOCUMENTS

_LARGEST: dict[str, dict[str, Any]] = {
    "ORDERS_PAGE": {"first": PAGE_SIZE},
    "REFUND_DETAILS": {"ids": ["gid://shopify/Refund/1"] * q.REFUNDS_PER_QUERY},
    "FULFILLMENT_DETAILS": {"ids": ["gid://shopify/Fulfillment/1"] * q.FULFILLMENTS_PER_QUERY},
    "PAYOUTS_PAGE": {"first": 100},
    "BALANCE_TRANSACTIONS_PAGE": {"first": 100},
    "PRODUCT_VARIANTS_PAGE": {"first": 100},
}


def test_the_rules_on_a_worked_example() -> None:
    doc = (
        "{ orders(first: 10) { edges { node { id"
        " lineItems(first: 5) { edges { node { id } } } } } } }"
    )
    assert shopify_cost(parse(doc), {}) == 82
    assert (
        shopify_cost(
            parse('mutation { bulkOperationRunQuery(query: "x") { bulkOperation { id } } }'), {}
        )
        == 10
    )


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_fits_one_query(name: str) -> None:
    short = name.split(".", 1)[1]
    requested = shopify_cost(parse(DOCUMENTS[name]), _LARGEST.get(short, {}))
    assert requested <= MAX_QUERY_COST


def test_the_connector_knows_what_its_order_documents_cost() -> None:
    """The constants the sync sizes its pages by agree with the rules."""
    page = parse(q.ORDERS_PAGE)
    for n in (1, PAGE_SIZE):
        assert shopify_cost(page, {"first": n}) == 2 + n * q.ORDER_PAGE_NODE_COST
    refunds = parse(q.REFUND_DETAILS)
    assert shopify_cost(refunds, {"ids": ["x"]}) == q.REFUND_DETAIL_COST
    fulfillments = parse(q.FULFILLMENT_DETAILS)
    assert shopify_cost(fulfillments, {"ids": ["x"]}) == q.FULFILLMENT_DETAIL_COST
    assert shopify_cost(page, {"first": PAGE_SIZE + 1}) > MAX_QUERY_COST


async def test_shopify_charges_what_an_answer_holds(fake: FakeShopify) -> None:
    body = fake.answer(
        "{ orders(first: 3) { edges { node { id lineItems(first: 5) { nodes { id } } } } } }", {}
    )
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 3 * (1 + 2 + 5)
    lines = sum(len(e["node"]["lineItems"]["nodes"]) for e in body["data"]["orders"]["edges"])
    assert cost["actualQueryCost"] == 2 + 3 * (1 + 2) + lines


def test_page_size_follows_the_cost_shopify_reports() -> None:
    assert fitting_page_size(None, 5) == 5
    assert fitting_page_size({"requestedQueryCost": 997}, 5) == 5
    # Shopify counted 400 an order: two fit.
    assert fitting_page_size({"requestedQueryCost": 2002}, 5) == 2
    assert fitting_page_size({"requestedQueryCost": 5000}, 1) == 1
