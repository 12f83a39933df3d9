"""factcheck: lint research dossiers for facts that contradict each other."""

from __future__ import annotations

from factcheck._version import __version__
from factcheck.baseline import BaselineEntry, read_baseline
from factcheck.config import Config, find_config, load_config
from factcheck.engine import InputProblem, Report, lint
from factcheck.errors import ConfigError, FactcheckError, InputError
from factcheck.findings import Finding, RelatedLocation, Severity
from factcheck.report.github import render_github
from factcheck.report.json import render_json
from factcheck.report.sarif import render_sarif
from factcheck.report.text import render_text
from factcheck.rules import Rule, RuleContext, explain, load_rules, rule

__all__ = [
    "BaselineEntry",
    "Config",
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
    "find_config",
    "lint",
    "load_config",
    "load_rules",
    "read_baseline",
    "render_github",
    "render_json",
    "render_sarif",
    "render_text",
    "rule",
]
