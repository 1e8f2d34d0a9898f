"""Every section of the posting rules has a scenario, and the generated docs are current."""

from __future__ import annotations

import re

from tests.unit.posting import rules_doc
from tests.unit.posting.rules_table import BEGIN, DOC, END, RULES, render, scenario_rules


def test_every_rule_is_covered() -> None:
    by_rule = scenario_rules()
    known = {rid for rid, _, _ in RULES}
    assert set(by_rule) <= known, f"scenarios name unknown rules: {set(by_rule) - known}"
    uncovered = [rid for rid, _, other in RULES if not by_rule.get(rid) and not other]
    assert uncovered == []


def test_docs_table_is_current() -> None:
    text = DOC.read_text()
    m = re.search(re.escape(BEGIN) + "\n(.*?)\n" + re.escape(END), text, flags=re.S)
    assert m, "docs/posting-rules.md lost its generated table markers"
    assert m.group(1) == render(), "run: .venv/bin/python -m tests.unit.posting.rules_table"


def test_docs_rule_sections_are_current() -> None:
    text = DOC.read_text()
    begin, end = re.escape(rules_doc.BEGIN), re.escape(rules_doc.END)
    m = re.search(begin + "\n(.*?)\n" + end, text, flags=re.S)
    assert m, "docs/posting-rules.md lost its generated rule sections markers"
    assert m.group(1) == rules_doc.render(), (
        "run: .venv/bin/python -m tests.unit.posting.rules_table"
    )


def test_docs_stand_alone() -> None:
    """The page names nothing outside the repository."""
    text = DOC.read_text()
    for outside in ("POSTING.md", "/work/", "../", "shared/docs", "http://", "https://"):
        assert outside not in text, outside
