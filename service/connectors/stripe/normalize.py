"""Stripe balance transactions and payouts as the books' processor records.

A balance transaction (Stripe API reference, "The Balance Transaction
object"; guide "Balance transaction types") has a ``type``, a gross
``amount`` in minor units (positive: money into the balance), the ``fee``
Stripe took and ``net``; disputes are ``adjustment`` records whose
``reporting_category`` says ``dispute`` or ``dispute_reversal``. The
payout's own line (``payout``) and its undoing (``payout_cancel``,
``payout_failure``) are left out: the payout record posts the move to the
bank, and only a paid payout is one. Types the rules do not know keep
their name and post for review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from service.connectors.processor_http import Linked, ProcessorDataError
from service.domain.processor import BalanceTransaction, Payout

STRIPE = "stripe"
MAX_MINOR = 10**14  # a billion in a 5-decimal currency: anything above is not money

_PAYOUT_ITSELF = {"payout", "payout_cancel", "payout_failure"}
_TYPES = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "payment_failure_refund": "refund",
    "payment_network_reserve_hold": "reserve_hold",
    "payment_network_reserve_release": "reserve_release",
    "reserve_transaction": "reserve",
    "reserved_funds": "reserve",
}
_CATEGORIES = {"dispute": "dispute", "dispute_reversal": "dispute_won"}
# Stripe's own charges to the account (billing, Radar, currency conversion,
# tax on fees): no customer money, only a fee, posted as one.
_FEES = {"stripe_fee", "stripe_fx_fee", "tax_fee"}


def _int(obj: Mapping[str, Any], key: str, path: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_MINOR:
        raise ProcessorDataError(f"{path}.{key}", "not an amount in minor units")
    return value


def _time(obj: Mapping[str, Any], key: str, path: str) -> dt.datetime:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**33:
        raise ProcessorDataError(f"{path}.{key}", "not a Unix time")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _currency(obj: Mapping[str, Any], path: str) -> str:
    value = obj.get("currency")
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise ProcessorDataError(f"{path}.currency", "not a currency code")
    return value.upper()


def record_type(bt: Mapping[str, Any]) -> str:
    t = str(bt.get("type") or "")
    if t == "adjustment":
        return _CATEGORIES.get(str(bt.get("reporting_category") or ""), "stripe_adjustment")
    return _TYPES.get(t, t)


def _charge_and_order(source: Any) -> tuple[str | None, str | None]:
    """The charge a record comes from and the order the charge names.

    A charge is its own; a refund or a dispute names its ``charge`` (an id,
    or an expanded object). The order is ``metadata.order_id``, as store
    platforms' Stripe integrations write it.
    """
    if isinstance(source, str):
        return (source if source.startswith(("ch_", "py_")) else None), None
    if not isinstance(source, dict):
        return None, None
    metadata = source.get("metadata")
    order = metadata.get("order_id") if isinstance(metadata, dict) else None
    order_ref = str(order).strip() if isinstance(order, str | int) and str(order).strip() else None
    if source.get("object") == "charge":
        return source.get("id") if isinstance(source.get("id"), str) else None, order_ref
    charge = source.get("charge")
    if isinstance(charge, dict):
        inner, inner_order = _charge_and_order(charge)
        return inner, order_ref or inner_order
    return (charge if isinstance(charge, str) else None), order_ref


def normalize_balance_transaction(
    bt: Mapping[str, Any], path: str = "balance_transaction", payout_id: str | None = None
) -> Linked | None:
    """One balance transaction (``payout_id``: the paid payout that took it
    to the bank), or None for a payout's own lines."""
    bid = bt.get("id")
    if not isinstance(bid, str) or not bid:
        raise ProcessorDataError(f"{path}.id", "missing")
    if bt.get("type") in _PAYOUT_ITSELF:
        return None
    charge, order_ref = _charge_and_order(bt.get("source"))
    source = bt.get("source")
    intent = source.get("payment_intent") if isinstance(source, dict) else None
    amount, fee = _int(bt, "amount", path), _int(bt, "fee", path)
    type_ = record_type(bt)
    if bt.get("type") in _FEES:
        amount, fee, type_ = 0, fee - amount, "charge"
    record = BalanceTransaction(
        id=f"{STRIPE}:{bid}",
        processor=STRIPE,
        type=type_,
        at=_time(bt, "created", path),
        amount=amount,
        fee=fee,
        currency=_currency(bt, path),
        source_order_transaction_id=charge,
        payout_id=f"{STRIPE}:{payout_id}" if payout_id else None,
    )
    aliases = (intent,) if isinstance(intent, str) and intent else ()
    return Linked(record, order_ref, aliases)


def normalize_payout(p: Mapping[str, Any], path: str = "payout") -> Linked | None:
    """A paid payout, dated by its arrival (UTC); None until it is paid."""
    pid = p.get("id")
    if not isinstance(pid, str) or not pid:
        raise ProcessorDataError(f"{path}.id", "missing")
    if p.get("status") != "paid":
        return None
    payout = Payout(
        id=f"{STRIPE}:{pid}",
        processor=STRIPE,
        date=_time(p, "arrival_date", path).date(),
        amount=_int(p, "amount", path),
        currency=_currency(p, path),
    )
    return Linked(payout)
