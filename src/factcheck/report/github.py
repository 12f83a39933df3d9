"""The GitHub Actions reporter: one workflow command per finding, shown as an annotation."""

from __future__ import annotations

from factcheck.engine import Report
from factcheck.findings import Finding, Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(report: Report) -> str:
    """Return `::error file=…,line=…::message` lines, one per finding."""
    return "".join(_command(f) + "\n" for f in report.findings)


def _command(f: Finding) -> str:
    properties = {
        "file": f.path,
        "line": str(f.line),
        "col": str(f.column),
        "endLine": str(f.end_line),
        "endColumn": str(f.end_column),
        "title": f"{f.rule} {f.name}",
    }
    text = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
    return f"::{_COMMANDS[f.severity]} {text}::{escape_data(f.message)}"


def escape_data(text: str) -> str:
    """Escape a command's message the way the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property: as a message, and also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
