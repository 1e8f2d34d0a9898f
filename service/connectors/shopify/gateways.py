"""Shopify's gateway names, and the payment method each defaults to.

Shopify names a transaction's gateway freely ("manual", "Cash on Delivery
(COD)", "shopify_store_credit", a processor's name): these names decide
how a transaction posts until the merchant maps the gateway themselves
(a store's gateway mapping, ``PostingContext.gateways``, overrides them).
"""

from __future__ import annotations

from service.domain.events import PaymentMethod, gateway_key

_OFFLINE_GATEWAYS = frozenset(
    {
        "",
        "manual",
        "cash",
        "cash on delivery (cod)",
        "cod",
        "bank deposit",
        "bank transfer",
        "money order",
        "cheque",
        "check",
        "unknown",
        "other",
        "external",
    }
)
_GIFT_CARD_GATEWAYS = frozenset({"gift_card", "gift card", "store_credit", "shopify_store_credit"})


def classify_gateway(gateway: str, manual_gateway: bool = False) -> PaymentMethod:
    """The default payment method of a transaction (posting rule 13.2).

    What Shopify says wins over the name: a transaction it marks
    ``manual_payment_gateway`` is offline whatever the gateway is called
    (bank transfer, "Zelle", cash on delivery...). The names below are the
    defaults for sources that do not say; a store's own gateway mapping
    overrides both (``PostingContext.gateways``).
    """
    g = gateway_key(gateway)
    if g in _GIFT_CARD_GATEWAYS:
        return PaymentMethod.GIFT_CARD
    if manual_gateway or g in _OFFLINE_GATEWAYS:
        return PaymentMethod.MANUAL
    return PaymentMethod.PROCESSOR
