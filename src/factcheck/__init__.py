"""factcheck: lint research dossiers for facts that contradict each other."""

from __future__ import annotations

from factcheck.engine import InputProblem, Report, lint
from factcheck.errors import ConfigError, FactcheckError, InputError
from factcheck.findings import Finding, RelatedLocation, Severity
from factcheck.rules import Rule, RuleContext, explain, load_rules, rule

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "FactcheckError",
    "Finding",
    "InputError",
    "InputProblem",
    "RelatedLocation",
    "Report",
    "Rule",
    "RuleContext",
    "Severity",
    "__version__",
    "explain",
    "lint",
    "load_rules",
    "rule",
]
