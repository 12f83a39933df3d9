"""Rules: the Rule base class, the `@rule` decorator, YAML rule kinds and the registry."""

from __future__ import annotations

from factcheck.rules.base import Rule, RuleContext, Scope, explain, rule
from factcheck.rules.registry import find_rule, load_rules, select_rules

__all__ = [
    "Rule",
    "RuleContext",
    "Scope",
    "explain",
    "find_rule",
    "load_rules",
    "rule",
    "select_rules",
]
