"""The GraphQL documents the connector sends (Admin API, see API_VERSION).

Field selections are shared strings, so the bulk backfill and the
incremental sync read exactly the same fields and the normalizer sees the
same shape from both. Nested ``first:`` limits keep a page's requested cost
bounded; an order that overflows one is fetched again on its own with
``ORDER_BY_ID``'s wider limits (see sync.py).
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

ORDER_FIELDS = (
    "id legacyResourceId name createdAt processedAt updatedAt cancelledAt cancelReason test"
    " sourceName currencyCode taxesIncluded"
    f" {_bag('totalTipReceivedSet')} {_bag('totalPriceSet')}"
    f" transactions(first: 100) {{ {TRANSACTION} }}"
)
"""The order's own fields and plain lists: what a bulk operation's order
line carries, and the core of every order query."""

REFUND_FIELDS = "id createdAt note"
FULFILLMENT_FIELDS = "id status createdAt"

_PAGE = "pageInfo { hasNextPage endCursor }"


def _conn(field: str, first: int, selection: str) -> str:
    return f"{field}(first: {first}) {{ edges {{ node {{ {selection} }} }} {_PAGE} }}"


_REFUND_SHIPPING = f"{_bag('subtotalAmountSet')} {_bag('taxAmountSet')}"
_ADJUSTMENT = f"reason {_bag('amountSet')} {_bag('taxAmountSet')}"


def _refund_detail(n: int) -> str:
    return (
        f"{REFUND_FIELDS}"
        f" {_conn('refundLineItems', n, 'quantity restockType lineItem { id }')}"
        f" {_conn('refundShippingLines', 10, _REFUND_SHIPPING)}"
        f" {_conn('orderAdjustments', 10, _ADJUSTMENT)}"
        f" {_conn('transactions', 20, TRANSACTION)}"
    )


def _fulfillment_detail(n: int) -> str:
    return f"{FULFILLMENT_FIELDS} {_conn('fulfillmentLineItems', n, 'quantity lineItem { id }')}"


def _order_selection(lines: int, refunds: int, nested: int) -> str:
    return (
        f"{ORDER_FIELDS} {_conn('lineItems', lines, LINE_ITEM)}"
        f" {_conn('shippingLines', 10, SHIPPING_LINE)}"
        f" refunds(first: {refunds}) {{ {_refund_detail(nested)} }}"
        f" fulfillments(first: {refunds}) {{ {_fulfillment_detail(nested)} }}"
    )


BULK_ORDERS = (
    "{ orders(sortKey: ID) { edges { node { "
    f"{ORDER_FIELDS} refunds {{ {REFUND_FIELDS} }} fulfillments {{ {FULFILLMENT_FIELDS} }}"
    f" lineItems {{ edges {{ node {{ {LINE_ITEM} }} }} }}"
    f" shippingLines {{ edges {{ node {{ {SHIPPING_LINE} }} }} }}"
    " } } } }"
)
"""The bulk query: orders in id order (resuming skips by id), line items and
shipping lines as JSONL children; refunds and fulfillments only by id,
since a bulk query cannot select a connection inside a list field."""

BULK_RUN = (
    "mutation RunBulk($query: String!) { bulkOperationRunQuery(query: $query) {"
    " bulkOperation { id status } userErrors { field message } } }"
)

BULK_POLL = (
    "query PollBulk($id: ID!) { node(id: $id) { ... on BulkOperation {"
    " id status errorCode objectCount url partialDataUrl } } }"
)

ORDER_DETAILS = (
    "query OrderDetails($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id"
    f" refunds(first: 50) {{ {_refund_detail(50)} }}"
    f" fulfillments(first: 50) {{ {_fulfillment_detail(50)} }} }} }} }}"
)
"""Refunds and fulfillments, with their nested connections, of the orders
of a bulk batch that have any."""

ORDERS_PAGE = (
    "query OrdersPage($first: Int!, $after: String, $query: String) {"
    " orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {"
    f" {_PAGE} edges {{ cursor node {{ {_order_selection(30, 10, 30)} }} }} }} }}"
)

ORDER_BY_ID = (
    "query OrderById($id: ID!) { node(id: $id) { ... on Order {"
    f" {_order_selection(250, 50, 100)} }} }} }}"
)

SHOP = "query Shop { shop { name ianaTimezone currencyCode } }"

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
