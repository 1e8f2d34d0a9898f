from __future__ import annotations

from service.api.types.posting_rule import PostingRule
from service.posting.rules import RULES, find_rule


def posting_rules(id: str | None = None) -> list[PostingRule]:
    """Every rule, or the one named by ``id`` (empty when unknown): a client
    explaining one entry need not download the whole registry."""
    if id is None:
        return [PostingRule.from_rule(r) for r in RULES]
    rule = find_rule(id)
    return [] if rule is None else [PostingRule.from_rule(rule)]
