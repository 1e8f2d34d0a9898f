"""Errors the domain and the posting engine raise on bad input.

A history that contradicts itself must never produce books: posting stops
with one typed error naming the order and the problem, so the caller can
show it and nothing unbalanced or partial is ever written.
"""

from __future__ import annotations


class InconsistentHistory(ValueError):
    """An order history that cannot be posted as given.

    ``order_id`` names the order (or the processor record batch) and
    ``problem`` says, in words a person can act on, what is wrong.
    """

    def __init__(self, order_id: str | None, problem: str) -> None:
        super().__init__(f"order {order_id}: {problem}")
        self.order_id = order_id
        self.problem = problem

    def __reduce__(self) -> tuple[type[InconsistentHistory], tuple[str | None, str]]:
        return (InconsistentHistory, (self.order_id, self.problem))


class NeedsData(InconsistentHistory):
    """A history that cannot post *yet*: it points at something that has
    not arrived (a refund of a sale whose transaction is still on its way,
    a fulfilment of a line not seen yet). Webhooks come in any order, so
    this is a waiting state, not bad data: the order keeps its last good
    entries, shows NEEDS_DATA with this reason, and the missing part is
    fetched from the channel (posting rule 13.5)."""

    def __reduce__(self) -> tuple[type[InconsistentHistory], tuple[str | None, str]]:
        return (NeedsData, (self.order_id, self.problem))
