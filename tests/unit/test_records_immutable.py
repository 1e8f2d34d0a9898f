"""The engine's records refuse changes, compiled and from source alike."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from service.domain.context import PostingContext
from service.domain.events import Fulfillment, FulfillmentLine
from service.domain.history import OrderHistory
from service.domain.journal import JournalEntry, JournalLine
from service.domain.order import LineItem, Order

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def _records() -> list[tuple[object, str]]:
    line = JournalLine("COGS", 100, "store", "web", "o1", "SKU")
    order = Order("o1", "store", "USD", "UTC", AT, (LineItem("l1", "SKU", 1, 500),))
    return [
        (line, "amount"),
        (JournalEntry("o1/r/e", AT.date(), "o1", "e", "r", "memo", (line,)), "lines"),
        (order, "lines"),
        (OrderHistory(order, (Fulfillment("f1", AT, (FulfillmentLine("l1", 1),)),)), "events"),
        (PostingContext(), "costs"),
    ]


@pytest.mark.parametrize(("record", "name"), _records())
def test_a_record_refuses_assignment_and_deletion(record: object, name: str) -> None:
    before = getattr(record, name)
    with pytest.raises(AttributeError):
        setattr(record, name, None)
    with pytest.raises(AttributeError):
        delattr(record, name)
    assert getattr(record, name) == before


def test_records_from_source_refuse_assignment_too() -> None:
    script = (
        "import dataclasses, pickle\n"
        "from service.domain.order import LineItem\n"
        "line = LineItem('l1', 'SKU', 2, 500)\n"
        "assert pickle.loads(pickle.dumps(line)) == line\n"
        "assert dataclasses.replace(line, quantity=3).quantity == 3\n"
        "try:\n"
        "    line.quantity = 5\n"
        "except dataclasses.FrozenInstanceError:\n"
        "    print(LineItem.__module__, type(LineItem.__init__).__name__, line.quantity)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"STOREBOOKS_INTERPRETED": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["service.domain.order", "function", "2"]
