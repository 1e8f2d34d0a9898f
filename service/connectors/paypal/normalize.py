"""PayPal Transaction Search records as the books' processor records.

Each ``transaction_info`` carries a transaction event code (T-code,
PayPal developer docs "Transaction event codes"): ``T00nn`` a payment
received, ``T1107`` a refund, ``T1201``/``T1202`` a chargeback and its
reversal, ``T1110``/``T1111`` a hold for a dispute and its release,
``T15nn`` and ``T21nn`` holds and reserves, ``T01nn`` fees charged on
their own, ``T04nn`` a withdrawal to the
bank (a payout), ``T0300`` money brought in from the bank. Amounts are
signed from the account's side and ``fee_amount`` is negative when PayPal
takes a fee, positive when it gives one back. Codes the rules do not know
keep their T-code as their type, so they post for review, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from service.connectors.processor_http import Linked, ProcessorDataError
from service.domain.money import MoneyError, to_minor
from service.domain.processor import BalanceTransaction, Payout

PAYPAL = "paypal"

# Holds and releases by T-code (a hold takes money out of the balance).
_HOLDS = {"T1110", "T1501", "T1502", "T1503", "T2101", "T2103"}
_RELEASES = {"T1105", "T1111", "T2102", "T2104"}
_NAMED = {"T1107": "refund", "T1201": "chargeback", "T1202": "chargeback_reversal"}
# Only completed records move the balance: S (success). P (pending) is read
# again by the next sync's overlap; D (denied) and V (reversed) never moved it.
_POSTED_STATUS = "S"


def _text(info: Mapping[str, Any], key: str) -> str | None:
    value = info.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _money(info: Mapping[str, Any], key: str, path: str) -> tuple[int, str | None]:
    node = info.get(key)
    if node is None:
        return 0, None
    if not isinstance(node, dict):
        raise ProcessorDataError(f"{path}.{key}", "not an object")
    currency, value = node.get("currency_code"), node.get("value")
    if not isinstance(currency, str) or not isinstance(value, str):
        raise ProcessorDataError(f"{path}.{key}", "needs currency_code and value")
    try:
        return to_minor(value, currency.upper()), currency.upper()
    except MoneyError as exc:
        raise ProcessorDataError(f"{path}.{key}", str(exc)) from exc


def _when(info: Mapping[str, Any], path: str) -> dt.datetime:
    text = _text(info, "transaction_initiation_date")
    if text is None:
        raise ProcessorDataError(f"{path}.transaction_initiation_date", "missing")
    try:
        # PayPal writes offsets without a colon: 2024-01-31T10:00:00+0000.
        at = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ProcessorDataError(f"{path}.transaction_initiation_date", text) from exc
    if at.tzinfo is None:
        raise ProcessorDataError(f"{path}.transaction_initiation_date", "no time zone")
    return at


def record_type(code: str, amount: int) -> str:
    """The type the posting rules read for a T-code (the T-code itself when unknown)."""
    if code.startswith("T00") and amount > 0:
        return "payment"
    if code in _NAMED:
        return _NAMED[code]
    if code in _HOLDS:
        return "reserve_hold"
    if code in _RELEASES:
        return "reserve_release"
    return code


def is_bank_transfer(code: str) -> bool:
    """A withdrawal to the bank (T04nn) or a deposit from it (T0300)."""
    return code.startswith("T04") or code == "T0300"


def normalize(info: Mapping[str, Any], path: str = "transaction_info") -> Linked | None:
    """One ``transaction_info`` as a processor record, or None when it moved no money."""
    tid = _text(info, "transaction_id")
    code = _text(info, "transaction_event_code")
    if tid is None or code is None:
        raise ProcessorDataError(path, "needs transaction_id and transaction_event_code")
    if (_text(info, "transaction_status") or _POSTED_STATUS) != _POSTED_STATUS:
        return None
    amount, currency = _money(info, "transaction_amount", path)
    fee, _ = _money(info, "fee_amount", path)
    at = _when(info, path)
    if is_bank_transfer(code):
        payout = Payout(
            id=f"{PAYPAL}:{tid}",
            processor=PAYPAL,
            date=at.astimezone(dt.UTC).date(),
            amount=-amount,
            fee=-fee,
            currency=currency,
        )
        return Linked(payout)
    reference = _text(info, "paypal_reference_id") if code in _NAMED else None
    type_, fee = record_type(code, amount), -fee
    if code.startswith("T01") and amount <= 0:  # a fee PayPal charged on its own
        type_, fee, amount = "payment", fee - amount, 0
    bt = BalanceTransaction(
        id=f"{PAYPAL}:{tid}",
        processor=PAYPAL,
        type=type_,
        at=at,
        amount=amount,
        fee=fee,
        currency=currency,
        source_order_transaction_id=reference or tid,
    )
    return Linked(bt, _text(info, "invoice_id") or _text(info, "custom_field"))
