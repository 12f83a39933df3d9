"""factcheck: lint research dossiers for facts that contradict each other.

The public names below are imported on first use, so that `import factcheck` (and the command
line's start-up) pays only for what a run needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from factcheck._version import __version__

if TYPE_CHECKING:
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

_WHERE = {
    "BaselineEntry": "factcheck.baseline",
    "read_baseline": "factcheck.baseline",
    "Config": "factcheck.config",
    "find_config": "factcheck.config",
    "load_config": "factcheck.config",
    "InputProblem": "factcheck.engine",
    "Report": "factcheck.engine",
    "lint": "factcheck.engine",
    "ConfigError": "factcheck.errors",
    "FactcheckError": "factcheck.errors",
    "InputError": "factcheck.errors",
    "Finding": "factcheck.findings",
    "RelatedLocation": "factcheck.findings",
    "Severity": "factcheck.findings",
    "render_github": "factcheck.report.github",
    "render_json": "factcheck.report.json",
    "render_sarif": "factcheck.report.sarif",
    "render_text": "factcheck.report.text",
    "Rule": "factcheck.rules",
    "RuleContext": "factcheck.rules",
    "explain": "factcheck.rules",
    "load_rules": "factcheck.rules",
    "rule": "factcheck.rules",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'factcheck' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
