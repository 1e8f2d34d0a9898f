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
