"""THE property: webhooks and backfill give the same order histories.

For every generated order, the history read from its REST webhook bodies
(refunds and fulfillments merged in from their own webhooks) equals the
one read from its GraphQL node, both as a paginated query returns it and
as a bulk operation's JSONL reassembles it.
"""

from __future__ import annotations

import pytest

from service.connectors.shopify.assemble import assemble_bulk, flatten
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.connectors.shopify.normalize_rest import history_from_rest
from service.domain.context import PostingContext
from service.domain.events import Refund, Transaction, TransactionKind
from service.domain.history import OrderHistory
from service.domain.settings import AccountingBasis, FulfillmentTracking, Settings
from service.posting.engine import post_order
from tests.fakes.shopify import (
    FakeShopData,
    FOrder,
    bulk_lines,
    generate_shop,
    graphql_order,
    rest_fulfillment,
    rest_order,
    rest_refund,
    rest_transactions,
)

SEEDS = (1, 2, 3)


def from_webhooks(data: FakeShopData, o: FOrder) -> OrderHistory:
    """As the webhook side sees it: an orders/create body from before
    anything happened, with refunds/create and fulfillments/* bodies merged
    in, and every order_transactions/create body."""
    body = rest_order(o)
    body["refunds"] = [rest_refund(o, i) for i in range(len(o.refunds))]
    body["fulfillments"] = [rest_fulfillment(o, i) for i in range(len(o.fulfillments))]
    return history_from_rest(body, rest_transactions(o), store_id="store", timezone=data.timezone)


def from_query(data: FakeShopData, o: FOrder) -> OrderHistory:
    node = flatten(graphql_order(o))
    return history_from_graphql(node, store_id="store", timezone=data.timezone)


def from_bulk(data: FakeShopData, o: FOrder) -> OrderHistory:
    [order] = list(assemble_bulk(iter(bulk_lines(o))))
    details = flatten(graphql_order(o))
    order.update(refunds=details["refunds"], fulfillments=details["fulfillments"])
    return history_from_graphql(order, store_id="store", timezone=data.timezone)


@pytest.fixture(scope="module", params=SEEDS)
def shop(request: pytest.FixtureRequest) -> FakeShopData:
    return generate_shop(300, request.param)


def test_rest_and_graphql_histories_are_equal(shop: FakeShopData) -> None:
    for o in shop.orders:
        rest = from_webhooks(shop, o)
        assert rest == from_query(shop, o), o.name
        assert rest == from_bulk(shop, o), o.name


def test_refund_money_is_represented_once(shop: FakeShopData) -> None:
    for o in shop.orders:
        h = from_webhooks(shop, o)
        inside = {t.id for e in h.events if isinstance(e, Refund) for t in e.transactions}
        top = {
            e.id
            for e in h.events
            if isinstance(e, Transaction) and e.kind is TransactionKind.REFUND
        }
        assert not inside & top
        assert inside == {str(t.id) for t in o.refund_transactions}


def test_generated_data_covers_the_cases(shop: FakeShopData) -> None:
    orders = shop.orders
    assert any(o.test for o in orders)
    assert any(o.cancelled_at for o in orders)
    assert any(o.tip for o in orders)
    assert any(ln.gift_card for o in orders for ln in o.lines)
    assert any(t.channel_liable for o in orders for ln in o.lines for t in ln.taxes)
    assert any(a.target_selection == "all" for o in orders for a in o.apps)
    assert any(a.target_selection == "entitled" for o in orders for a in o.apps)
    assert {rl.restock_type for o in orders for r in o.refunds for rl in r.lines} >= {
        "return",
        "cancel",
        "no_restock",
    }
    assert any(r.shipping for o in orders for r in o.refunds)
    assert any(r.discrepancy > 0 for o in orders for r in o.refunds)  # money kept back
    assert any(t.gateway == "gift_card" for o in orders for t in o.refund_transactions)
    assert any(0 < o.paid < o.total_price for o in orders)  # partially paid
    assert {"manual", "Cash on Delivery (COD)", "Bank Deposit"} & {
        t.gateway for o in orders for t in o.payments
    }
    assert len({o.source_name for o in orders}) >= 4
    assert any(
        f.status == "success" and len(o.fulfillments) > 1 for o in orders for f in o.fulfillments
    )
    assert shop.payouts and shop.balance_transactions


def test_generated_totals_add_up(shop: FakeShopData) -> None:
    for o in shop.orders:
        assert o.total_price == (
            o.line_gross
            - o.line_discounts
            + o.shipping_price
            - o.shipping_discounts
            + o.total_tax
            + o.tip
        )
        assert o.refunded <= o.paid
        for ln in o.lines:
            assert (
                sum(rl.quantity for r in o.refunds for rl in r.lines if rl.line_id == ln.id)
                <= ln.quantity
            )
            assert 0 <= ln.discount <= ln.gross


def test_every_generated_history_posts_balanced(shop: FakeShopData) -> None:
    """The fake's data is consistent enough for the posting engine on both
    bases and both fulfillment trackings (it refuses inconsistent input)."""
    contexts = [
        PostingContext(settings=Settings(basis=b, fulfillment_tracking=f))
        for b in AccountingBasis
        for f in FulfillmentTracking
    ]
    for o in shop.orders[:150]:
        h = from_webhooks(shop, o)
        for ctx in contexts:
            assert all(e.balanced for e in post_order(h, ctx))


def test_balance_transactions_tie_to_order_transactions(shop: FakeShopData) -> None:
    txn_ids = {t.id for o in shop.orders for t in o.transactions if t.gateway == "shopify_payments"}
    payout_ids = {p.id for p in shop.payouts}
    for b in shop.balance_transactions:
        if b.type in ("CHARGE", "REFUND"):
            assert b.source_order_transaction_id in txn_ids
        if b.payout_id is not None:
            assert b.payout_id in payout_ids
    for p in shop.payouts:
        net = sum(
            b.net for b in shop.balance_transactions if b.payout_id == p.id and b.type != "PAYOUT"
        )
        assert abs(net) == p.amount
