"""Every rule id the engine emits is registered, and every registered poster is exercised."""

from __future__ import annotations

import re

import pytest

from service.domain.processor import RecordKind
from service.posting.rules import RULES, find_rule, processor_rule_id, rule_for
from tests.unit.posting.rule_usage import rule_usage

# Registered ahead of the engine (function None): nothing emits them yet.
NOT_EMITTED_YET: set[str] = set()


def test_every_emitted_rule_is_registered() -> None:
    unknown = sorted(rid for rid in rule_usage() if find_rule(rid) is None)
    assert unknown == []


def test_every_registered_poster_is_exercised_by_a_scenario() -> None:
    used = rule_usage()
    idle = sorted(r.id for r in RULES if r.function is not None and r.id not in used)
    assert idle == []


def test_rules_registered_ahead_have_no_function() -> None:
    ahead = {r.id for r in RULES if r.function is None}
    assert ahead == NOT_EMITTED_YET


def test_ids_are_unique_and_records_complete() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for r in RULES:
        assert re.fullmatch(r"\d+(\.\d+)?", r.section), r
        assert r.title and len(r.explanation) > 60, r
        assert "POSTING" not in r.explanation and "/" not in r.section, r


def test_every_processor_kind_resolves() -> None:
    for kind in RecordKind:
        assert rule_for(processor_rule_id(kind)).section == "11"
    assert rule_for("processor.CHARGE") is rule_for("processor.charge")


def test_unknown_ids_are_refused() -> None:
    with pytest.raises(KeyError):
        rule_for("cash.nothing")
    assert find_rule("processor.nothing") is None


def test_posted_by_names_the_module() -> None:
    assert rule_for("cash.payment").posted_by == "service.posting.cash.payment"
    assert rule_for("period.adjustment").posted_by == (
        "service.posting.period_lock.fold_into_closed_period"
    )
