"""The JSON reporter: a versioned document with findings and a summary."""

from __future__ import annotations

import json
from typing import Any

from factcheck.engine import Report

FORMAT_VERSION = 1


def report_to_json(report: Report) -> dict[str, Any]:
    """Return the report as `{"version", "findings", "summary"}` plain data."""
    return {
        "version": FORMAT_VERSION,
        "findings": [f.model_dump(mode="json") for f in report.findings],
        "summary": {
            "files": report.files,
            "findings": len(report.findings),
            **report.counts,
            "errors": [e.model_dump(mode="json") for e in report.errors],
        },
    }


def render_json(report: Report) -> str:
    """Return the report as indented JSON text with a trailing newline."""
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"
