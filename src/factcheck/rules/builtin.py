"""Built-in Python rules, registered through the `factcheck.rules` entry point like a plugin."""

from __future__ import annotations

from factcheck.rules.base import Rule
from factcheck.rules.company_rules import RULES as COMPANY_RULES
from factcheck.rules.model_rules import RULES as MODEL_RULES
from factcheck.stale import RULES as STALE_RULES

# Built-in checks that YAML can express live in rules/*.yaml; Python rules are added here.
RULES: list[type[Rule] | Rule] = [*MODEL_RULES, *COMPANY_RULES, *STALE_RULES]
