"""Stored histories read back exactly, by the fast path and the general one."""

from __future__ import annotations

import json

from service.connectors.shopify.assemble import flatten
from service.connectors.shopify.normalize_graphql import history_from_graphql
from service.domain.events import Transaction, TransactionKind, TransactionStatus
from service.domain.history import OrderHistory
from service.ledger.codec import (
    _general_decoder,
    _hints,
    decode_json_record,
    decode_record,
    encode,
)
from tests.fakes.shopify.generate import generate_shop
from tests.fakes.shopify.graphql import graphql_order


def _histories(n: int) -> list[OrderHistory]:
    shop = generate_shop(n, seed=7)
    return [
        history_from_graphql(flatten(graphql_order(o)), store_id="s1", timezone="Europe/Paris")
        for o in shop.orders
    ]


def test_every_history_reads_back_as_it_was_stored() -> None:
    for history in _histories(60):
        stored = json.dumps(encode(history))
        assert decode_json_record(stored) == history
        assert decode_record(json.loads(stored)) == history
        general = _general_decoder(OrderHistory, _hints(OrderHistory))
        assert general(json.loads(stored)) == history


def test_a_record_stored_before_a_field_existed_takes_its_default() -> None:
    history = _histories(1)[0]
    stored = encode(history)
    del stored["order"]["taxes_included"]
    for line in stored["order"]["lines"]:
        del line["exchange_for"]
    assert decode_record(stored) == history


def test_enum_values_read_as_members_and_unknown_ones_still_fail() -> None:
    payment = {
        "@type": "Transaction",
        "id": "t1",
        "at": "2026-01-02T03:04:05+00:00",
        "kind": "sale",
        "amount": 100,
        "gateway": "shopify_payments",
        "method": "processor",
        "status": "success",
        "currency": None,
        "parent_id": None,
        "converted_from": "",
    }
    decoded = decode_record(payment)
    assert isinstance(decoded, Transaction)
    assert decoded.kind is TransactionKind.SALE and decoded.status is TransactionStatus.SUCCESS
    try:
        decode_record({**payment, "kind": "teleport"})
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown transaction kind was accepted")
