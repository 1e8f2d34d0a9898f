"""A provider's long wait becomes a deferred job, not a sleep in a worker slot."""

from __future__ import annotations

import pytest

from service.connectors.retry import RetryLater, SleepBudget


async def test_short_waits_are_slept_and_a_long_one_is_deferred() -> None:
    budget = SleepBudget(0.05)
    await budget(0.01)
    await budget(0.02)
    with pytest.raises(RetryLater) as raised:
        await budget(30.0)
    assert raised.value.wait == 30.0
