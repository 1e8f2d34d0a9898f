"""A store's gateway mapping applied to an order's history (posting rule 13.2).

The channel's word decides a transaction's payment method by default
(Shopify's ``manual_payment_gateway`` flag, gift cards); the merchant may
map a gateway otherwise (a "Bank Transfer" app that really is a
processor, a custom "Zelle" gateway that is money into the bank). The
mapping is an input of posting like the settings, so changing it re-posts
and the history itself stays as the channel told it.
"""

from __future__ import annotations

from dataclasses import replace

from service.domain.context import PostingContext
from service.domain.events import Event, PaymentMethod, Refund, Transaction, gateway_key
from service.domain.history import OrderHistory


def _remap_txn(t: Transaction, kinds: dict[str, PaymentMethod]) -> Transaction:
    method = kinds.get(gateway_key(t.gateway))
    if method is None or method is t.method:
        return t
    return replace(t, method=method)


def _remap(ev: Event, kinds: dict[str, PaymentMethod]) -> Event:
    if isinstance(ev, Transaction):
        return _remap_txn(ev, kinds)
    if isinstance(ev, Refund) and ev.transactions:
        txns = tuple(_remap_txn(t, kinds) for t in ev.transactions)
        if txns != ev.transactions:
            return replace(ev, transactions=txns)
    return ev


def effective_history(history: OrderHistory, ctx: PostingContext) -> OrderHistory:
    """The history with the store's gateway mapping applied (itself when
    the mapping changes nothing, so the common case costs one check)."""
    if not ctx.gateways:
        return history
    kinds = dict(ctx.gateways)
    events = tuple(_remap(ev, kinds) for ev in history.events)
    if events == history.events:
        return history
    return OrderHistory(history.order, events)
