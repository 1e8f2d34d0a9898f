"""The two GraphQL queries storebooks sends to Finale, and what it reads back.

Every field below is named in Finale's developer reference or in public
code that runs these queries against Finale (docs/inventory-systems.md
lists the source of each). Finale's collections are Relay connections
named ``{collection}ViewConnection`` with ``first``/``after`` paging and
``pageInfo { hasNextPage endCursor }`` (reference: "ViewConnections").

* ``shipmentViewConnection`` filtered by ``shipDate: {begin, end}``: a
  shipment's ``shipmentId``, ``type`` ("Sale" for sales), ``status``
  ("Shipped" once it left), ``shipDate``, and the sales order it ships,
  ``order { orderId }``; for a channel order Finale's order id is the
  channel's order reference.
* ``stockHistoryViewConnection`` filtered by ``recordDate: {begin, end}``:
  the permanent ledger of stock movements (reference: "Stock History").
  Each row has ``transactionUpdateType`` (the stage, e.g. "Sales shipment
  shipped"), ``recordDate``, ``unitsOut``, the cost Finale recorded,
  ``transactionCostPerUnit`` and ``averageCostPerUnit``, the
  ``product { productId }`` and the ``shipment { shipmentId }`` it belongs to.
  The reference describes the two costs and the shipment link without
  printing their field names; the names follow the one rule every printed
  stock-history field obeys (column "Units out" is ``unitsOut``), and
  ``testInventoryConnection`` shows at once whether an account answers them.
"""

from __future__ import annotations

SHIPMENTS = """
query Shipments($first: Int!, $after: String, $begin: String!, $end: String!) {
  shipmentViewConnection(first: $first, after: $after, shipDate: {begin: $begin, end: $end}) {
    pageInfo { hasNextPage endCursor }
    edges { node { shipmentId type status shipDate order { orderId } } }
  }
}
"""

STOCK_HISTORY = """
query StockHistory($first: Int!, $after: String, $begin: String!, $end: String!) {
  stockHistoryViewConnection(first: $first, after: $after, recordDate: {begin: $begin, end: $end}) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        transactionUpdateType recordDate unitsOut transactionCostPerUnit averageCostPerUnit
        product { productId }
        shipment { shipmentId }
      }
    }
  }
}
"""

SALE = "Sale"
SHIPPED = "Shipped"
# The stages at which a sale's stock leaves (Finale's stock history data set
# lists the update types); "packed" alone only moves stock to the packing area.
STOCK_LEAVES = frozenset({"Sales shipment shipped", "Sales shipment packed shipped"})
