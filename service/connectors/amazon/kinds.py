"""Amazon's (transaction-type, amount-type, amount-description) in neutral kinds.

The words are those of the settlement report V2 as Amazon writes it:
``ItemPrice`` Principal/Shipping/Tax/ShippingTax, ``ItemWithheldTax``
MarketplaceFacilitatorTax-*, ``Promotion``, ``ItemFees`` Commission,
RefundCommission, FBA fees, ``other-transaction`` reserves and storage,
``FBA Inventory Reimbursement``, ``Cost of Advertising``. A combination not
listed here is UNKNOWN: posted for review, never dropped.
"""

from __future__ import annotations

from service.domain.marketplace import Fulfillment, LineKind

K = LineKind

_ITEM_PRICE = {
    "principal": K.PRINCIPAL,
    "shipping": K.SHIPPING,
    "giftwrap": K.SHIPPING,
    "tax": K.TAX,
    "shippingtax": K.TAX,
    "giftwraptax": K.TAX,
    "restockingfee": K.PRINCIPAL,
}
_SELLING_FEES = {
    "commission",
    "refundcommission",
    "digitalservicesfee",
    "digitalservicesfeefba",
    "variableclosingfee",
    "fixedclosingfee",
    "salestaxcollectionfee",
    "subscription fee",
    "subscriptionfee",
}
_FULFILLMENT_FEES = {
    "fbaperunitfulfillmentfee",
    "fbaperorderfulfillmentfee",
    "fbaweightbasedfee",
    "fbapickpackfeeperunit",
    "shippingchargeback",
    "shippinghb",
    "giftwrapchargeback",
    "storage fee",
    "storagerenewalbilling",
    "fba inventory storage fee",
    "fbalongtermstoragefee",
    "fbainboundtransportationfee",
    "fbadisposalfee",
    "fbaremovalfee",
    "fba long-term storage fee",
}
_RESERVES = {"current reserve amount", "previous reserve amount balance"}
_REIMBURSEMENT_TYPES = {"fba inventory reimbursement"}
_ADVERTISING_TYPES = {"cost of advertising"}
_REFUNDS = {"refund", "chargeback refund", "a-to-z guarantee claim", "guarantee claim refund"}


def classify(transaction_type: str, amount_type: str, description: str) -> LineKind:
    """The neutral kind of one settlement amount."""
    ttype, atype, desc = (s.strip().lower() for s in (transaction_type, amount_type, description))
    if atype == "itemprice" and desc in _ITEM_PRICE:
        return _ITEM_PRICE[desc]
    if atype == "itemwithheldtax" and desc.startswith(
        ("marketplacefacilitatortax", "marketplacefacilitatorvat", "lowvaluegoodstax")
    ):
        return K.FACILITATOR_TAX
    if atype == "promotion" and desc in ("principal", "shipping"):
        return K.PROMOTION
    if atype in ("itemfees", "other-transaction") and desc in _SELLING_FEES:
        return K.SELLING_FEE
    if atype in ("itemfees", "other-transaction") and desc in _FULFILLMENT_FEES:
        return K.FULFILLMENT_FEE
    if atype == "other-transaction" and desc in _RESERVES:
        return K.RESERVE
    if atype in _REIMBURSEMENT_TYPES:
        return K.REIMBURSEMENT
    if atype in _ADVERTISING_TYPES or ttype in _ADVERTISING_TYPES:
        return K.ADVERTISING
    return K.UNKNOWN


def is_refund(transaction_type: str) -> bool:
    return transaction_type.strip().lower() in _REFUNDS


_FULFILLMENT = {"AFN": Fulfillment.MARKETPLACE, "MFN": Fulfillment.MERCHANT}


def fulfillment_of(fulfillment_id: str) -> Fulfillment:
    """AFN: fulfilled by Amazon (FBA); MFN: by the merchant (FBM)."""
    found = _FULFILLMENT.get(fulfillment_id)
    if found is None:
        found = _FULFILLMENT.get(fulfillment_id.strip().upper(), Fulfillment.UNKNOWN)
    return found
