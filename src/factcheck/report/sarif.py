"""The SARIF 2.1.0 reporter, for code-scanning services such as GitHub's."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from factcheck._version import __version__
from factcheck.engine import Report
from factcheck.findings import Finding, RelatedLocation, Severity
from factcheck.rules.base import Rule, explain

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "factcheck/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def report_to_sarif(report: Report, rules: Sequence[Rule]) -> dict[str, Any]:
    """Return a SARIF log with one run: the rules as metadata and one result per finding."""
    index = {r.code: i for i, r in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "factcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(r) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index) for f in report.findings],
        }],
    }


def render_sarif(report: Report, rules: Sequence[Rule]) -> str:
    """Return the SARIF log as indented JSON text with a trailing newline."""
    return json.dumps(report_to_sarif(report, rules), indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary.strip()},
        "fullDescription": {"text": rule.rationale.strip()},
        "help": {"text": rule.fix.strip(), "markdown": explain(rule)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
    }


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": _LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [_location(f)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    if f.related:
        result["relatedLocations"] = [
            {"id": i, **_location(r), "message": {"text": r.message}}
            for i, r in enumerate(f.related)
        ]
    return result


def _location(at: Finding | RelatedLocation) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": artifact_uri(at.path)},
        "region": {"startLine": at.line, "startColumn": at.column,
                   "endLine": at.end_line, "endColumn": at.end_column},
    }}


def artifact_uri(path: str) -> str:
    """Return a path as a URI reference relative to the working directory where it can be."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_uri()
    return quote(relative)
