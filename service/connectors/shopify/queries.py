"""The GraphQL documents the connector sends (Admin API, see API_VERSION).

Field selections are shared strings, so the bulk backfill and the
incremental sync read exactly the same fields and the normalizer sees the
same shape from both. Every document's requested cost stays within
Shopify's single-query limit (``MAX_QUERY_COST``) by Shopify's cost rules:
small nested limits in pages, and what overflows them read by per-order,
per-refund and per-fulfilment documents (see complete.py).
"""

from __future__ import annotations

_SHOP_MONEY = "shopMoney { amount currencyCode }"


def _bag(field: str) -> str:
    return f"{field} {{ {_SHOP_MONEY} }}"


TAX_LINE = f"title rate channelLiable {_bag('priceSet')}"

DISCOUNT_ALLOCATION = (
    f"{_bag('allocatedAmountSet')} discountApplication {{ index allocationMethod targetSelection"
    " targetType ... on DiscountCodeApplication { code }"
    " ... on AutomaticDiscountApplication { title }"
    " ... on ManualDiscountApplication { title }"
    " ... on ScriptDiscountApplication { title } }"
)

LINE_ITEM = (
    f"id name title sku quantity currentQuantity isGiftCard {_bag('originalUnitPriceSet')}"
    f" discountAllocations {{ {DISCOUNT_ALLOCATION} }} taxLines {{ {TAX_LINE} }}"
)

SHIPPING_LINE = (
    f"id title code {_bag('originalPriceSet')}"
    f" discountAllocations {{ {DISCOUNT_ALLOCATION} }} taxLines {{ {TAX_LINE} }}"
)

TRANSACTION = (
    "id kind status gateway manualPaymentGateway test createdAt processedAt"
    f" {_bag('amountSet')}"
    " parentTransaction { id }"
)

ORDER_CORE = (
    "id legacyResourceId name createdAt processedAt updatedAt cancelledAt cancelReason test"
    " sourceName currencyCode taxesIncluded"
    f" {_bag('totalTipReceivedSet')} {_bag('totalPriceSet')}"
)
"""The order's own fields: the core of every order document."""

REFUND_FIELDS = "id createdAt note"
FULFILLMENT_FIELDS = "id status createdAt"

_PAGE = "pageInfo { hasNextPage endCursor }"


def _conn(field: str, first: int, selection: str, after: str = "") -> str:
    paging = f", after: {after}" if after else ""
    return f"{field}(first: {first}{paging}) {{ edges {{ node {{ {selection} }} }} {_PAGE} }}"


# Limits of the order page. ``transactions``, ``refunds`` and
# ``fulfillments`` are plain lists: ``first`` cuts them with no pageInfo to
# say so, so a list that comes back exactly this long is read again whole
# (sync.py); the connections say ``hasNextPage`` and are paged.
PAGE_TRANSACTIONS = 10
PAGE_LINES = 10
PAGE_SHIPPING = 3
PAGE_CHILDREN = 10

ORDER_PAGE_NODE = (
    f"{ORDER_CORE} transactions(first: {PAGE_TRANSACTIONS}) {{ {TRANSACTION} }}"
    f" {_conn('lineItems', PAGE_LINES, LINE_ITEM)}"
    f" {_conn('shippingLines', PAGE_SHIPPING, SHIPPING_LINE)}"
    f" refunds(first: {PAGE_CHILDREN}) {{ {REFUND_FIELDS} }}"
    f" fulfillments(first: {PAGE_CHILDREN}) {{ {FULFILLMENT_FIELDS} }}"
)
"""An order as a page of orders carries it: everything but the refunds'
and fulfilments' own lines, with small nested limits; what overflows them
is read by the documents below."""

ORDER_PAGE_NODE_COST = 199
"""Requested cost of one ``ORDER_PAGE_NODE`` by Shopify's rules (object 1,
connection 2 + first x node, a list sized by ``first`` that many items):
1 order + 2 + 2 money bags + 10 x 4 transactions + (2 + 10 x 10) lines
+ (2 + 3 x 10) shipping lines + 10 refunds + 10 fulfilments. A test checks
it against the fake Shopify's calculator."""

MAX_QUERY_COST = 1000
"""Shopify refuses any single query above this requested cost."""

ORDERS_PAGE = (
    "query OrdersPage($first: Int!, $after: String, $query: String) {"
    " orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {"
    f" {_PAGE} edges {{ cursor node {{ {ORDER_PAGE_NODE} }} }} }} }}"
)

ORDER_BY_ID = (
    f"query OrderById($id: ID!) {{ node(id: $id) {{ ... on Order {{ {ORDER_PAGE_NODE} }} }} }}"
)
"""One order, as a page carries it (then completed like one)."""


def _order_part(name: str, selection: str) -> str:
    return (
        f"query {name}($id: ID!, $after: String) {{ node(id: $id) {{ ... on Order {{ id"
        f" {selection} }} }} }}"
    )


ORDER_LINE_ITEMS = _order_part("OrderLineItems", _conn("lineItems", 90, LINE_ITEM, "$after"))
ORDER_SHIPPING_LINES = _order_part(
    "OrderShippingLines", _conn("shippingLines", 90, SHIPPING_LINE, "$after")
)
"""The rest of an order's lines after the page's cursor (903 points)."""

WHOLE_TRANSACTIONS = 240
WHOLE_CHILDREN = 250
ORDER_TRANSACTIONS = (
    "query OrderTransactions($id: ID!) { node(id: $id) { ... on Order { id"
    f" transactions(first: {WHOLE_TRANSACTIONS}) {{ {TRANSACTION} }} }} }} }}"
)
ORDER_CHILDREN = (
    "query OrderChildren($id: ID!) { node(id: $id) { ... on Order { id"
    f" refunds(first: {WHOLE_CHILDREN}) {{ {REFUND_FIELDS} }}"
    f" fulfillments(first: {WHOLE_CHILDREN}) {{ {FULFILLMENT_FIELDS} }} }} }} }}"
)
"""A plain list read whole (961 and 501 points): as many items as one query
may cost. An order with more than that cannot be read by the Admin API's
order documents at all; the sync says so instead of posting part of it."""

_REFUND_SHIPPING = f"{_bag('subtotalAmountSet')} {_bag('taxAmountSet')}"
_ADJUSTMENT = f"reason {_bag('amountSet')} {_bag('taxAmountSet')}"
_REFUND_LINE = "quantity restockType lineItem { id }"
_FULFILLMENT_LINE = "quantity lineItem { id }"

REFUND_PARTS = {
    "refundLineItems": (20, _REFUND_LINE),
    "refundShippingLines": (5, _REFUND_SHIPPING),
    "orderAdjustments": (5, _ADJUSTMENT),
    "transactions": (10, TRANSACTION),
}
"""A refund's connections and the first page of each in ``REFUND_DETAILS``."""

REFUND_DETAIL = f"{REFUND_FIELDS} return {{ id }} " + " ".join(
    _conn(field, first, sel) for field, (first, sel) in REFUND_PARTS.items()
)
REFUND_DETAIL_COST = 140
"""1 refund + 1 return + (2 + 20 x 2) + (2 + 5 x 5) + (2 + 5 x 5) + (2 + 10 x 4)."""

REFUNDS_PER_QUERY = MAX_QUERY_COST // REFUND_DETAIL_COST
REFUND_DETAILS = (
    "query RefundDetails($ids: [ID!]!) { nodes(ids: $ids) {"
    f" ... on Refund {{ {REFUND_DETAIL} }} }} }}"
)


def _refund_part(name: str, field: str, selection: str) -> str:
    return (
        f"query {name}($id: ID!, $after: String) {{ node(id: $id) {{ ... on Refund {{ id"
        f" {_conn(field, 150, selection, '$after')} }} }} }}"
    )


REFUND_LINE_ITEMS = _refund_part("RefundLineItems", "refundLineItems", _REFUND_LINE)
REFUND_SHIPPING_LINES = _refund_part("RefundShippingLines", "refundShippingLines", _REFUND_SHIPPING)
REFUND_ADJUSTMENTS = _refund_part("RefundAdjustments", "orderAdjustments", _ADJUSTMENT)
REFUND_TRANSACTIONS = _refund_part("RefundTransactions", "transactions", TRANSACTION)
REFUND_PART_PAGES = {
    "refundLineItems": REFUND_LINE_ITEMS,
    "refundShippingLines": REFUND_SHIPPING_LINES,
    "orderAdjustments": REFUND_ADJUSTMENTS,
    "transactions": REFUND_TRANSACTIONS,
}
"""The rest of one refund's connection after the first page (at most
2 + 150 x 5 + 1 = 753 points)."""

FULFILLMENT_DETAIL = f"{FULFILLMENT_FIELDS} {_conn('fulfillmentLineItems', 20, _FULFILLMENT_LINE)}"
FULFILLMENT_DETAIL_COST = 43
FULFILLMENTS_PER_QUERY = MAX_QUERY_COST // FULFILLMENT_DETAIL_COST
FULFILLMENT_DETAILS = (
    "query FulfillmentDetails($ids: [ID!]!) { nodes(ids: $ids) {"
    f" ... on Fulfillment {{ {FULFILLMENT_DETAIL} }} }} }}"
)
FULFILLMENT_LINE_ITEMS = (
    "query FulfillmentLineItems($id: ID!, $after: String) { node(id: $id) {"
    " ... on Fulfillment { id"
    f" {_conn('fulfillmentLineItems', 250, _FULFILLMENT_LINE, '$after')} }} }} }}"
)

BULK_ORDERS = (
    "{ orders(sortKey: ID) { edges { node { "
    f"{ORDER_CORE} transactions {{ {TRANSACTION} }}"
    f" refunds {{ {REFUND_FIELDS} }} fulfillments {{ {FULFILLMENT_FIELDS} }}"
    f" lineItems {{ edges {{ node {{ {LINE_ITEM} }} }} }}"
    f" shippingLines {{ edges {{ node {{ {SHIPPING_LINE} }} }} }}"
    " } } } }"
)
"""The bulk query: orders in id order (resuming skips by id), line items and
shipping lines as JSONL children; plain lists unsized, so whole; refunds
and fulfillments only by id, since a bulk query cannot select a
connection inside a list field (their details are read as above)."""

BULK_RUN = (
    "mutation RunBulk($query: String!) {"
    " bulkOperationRunQuery(query: $query, groupObjects: true) {"
    " bulkOperation { id status } userErrors { field message } } }"
)
"""``groupObjects: true`` said explicitly: from API version 2026-01 it
defaults to false, and ungrouped JSONL no longer puts an order's children
right after it (assemble.py reads one order at a time)."""

BULK_POLL = (
    "query PollBulk($id: ID!) { node(id: $id) { ... on BulkOperation {"
    " id status errorCode objectCount url partialDataUrl } } }"
)

SHOP = "query Shop { shop { name ianaTimezone currencyCode } }"

ORDERS_COUNT = "query OrdersCount { ordersCount(limit: null) { count precision } }"
"""How many orders the app can see (no cap: Shopify counts to 10,000 by
default), for a sync run's "orders seen of N"."""

_MONEY_V2 = "amount currencyCode"

PAYOUTS_PAGE = (
    "query Payouts($first: Int!, $after: String) { shopifyPaymentsAccount {"
    f" payouts(first: $first, after: $after) {{ {_PAGE} edges {{ cursor node {{"
    f" id legacyResourceId issuedAt status transactionType net {{ {_MONEY_V2} }} }} }} }} }} }}"
)

BALANCE_TRANSACTIONS_PAGE = (
    "query BalanceTransactions($first: Int!, $after: String) { shopifyPaymentsAccount {"
    f" balanceTransactions(first: $first, after: $after) {{ {_PAGE} edges {{ cursor node {{"
    f" id type test transactionDate sourceType sourceId sourceOrderTransactionId"
    f" amount {{ {_MONEY_V2} }} fee {{ {_MONEY_V2} }} net {{ {_MONEY_V2} }}"
    " adjustmentReason adjustmentsOrders { orderTransactionId }"
    " associatedOrder { id } associatedPayout { id status } } } } } }"
)

PRODUCT_VARIANTS_PAGE = (
    "query ProductVariants($first: Int!, $after: String) {"
    " productVariants(first: $first, after: $after, sortKey: SKU) {"
    f" {_PAGE} edges {{ cursor node {{"
    " id sku title displayName product { title }"
    f" inventoryItem {{ unitCost {{ {_MONEY_V2} }} }} }} }} }} }}"
)
"""Every variant of the shop's catalog, sorted by SKU so that variants
sharing a SKU come one after the other (see products.py). ``unitCost`` is
null when the merchant never entered a cost; reading it needs the
read_inventory scope (and, with granular permissions, "View product costs")."""
