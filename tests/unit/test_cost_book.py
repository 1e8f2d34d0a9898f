"""A line's cost moves read as a posting process gets them: JSON text."""

from __future__ import annotations

import json
import uuid

from service.ledger.costs import cost_book

MOVES = {"line-1": [["2025-01-02", 2, 1500]]}


def _moves_of(text: str) -> object:
    store = uuid.uuid4()
    book = cost_book([(store, "1001", "TEE", "PRODUCT_COSTING", 750, False, text)], {})
    [row] = book.by_order[(store, "1001")]
    return row.moves


def test_moves_stored_as_an_object_are_read() -> None:
    assert _moves_of(json.dumps(MOVES)) == MOVES


def test_moves_stored_as_json_text_inside_the_json_are_read_too() -> None:
    """How the product costing wrote them before migration 0027."""
    assert _moves_of(json.dumps(json.dumps(MOVES))) == MOVES
