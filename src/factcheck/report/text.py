"""The text reporter: one `path:line:col: CODE [severity] message` line per finding."""

from __future__ import annotations

from factcheck.engine import Report


def render_text(report: Report) -> str:
    """Return findings with their related locations indented, then a summary line."""
    lines: list[str] = []
    for f in report.findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity}] {f.message}")
        lines.extend(f"  {r.path}:{r.line}:{r.column}: {r.message}" for r in f.related)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def summary_line(report: Report) -> str:
    """Say how many findings of each severity were found in how many files."""
    files = _plural(report.files, "file")
    if report.findings:
        counts = ", ".join(_plural(n, s) for s, n in report.counts.items())
        text = f"Found {_plural(len(report.findings), 'finding')} ({counts}) in {files}."
    else:
        text = f"No findings in {files}."
    if report.errors:
        text += f" {_plural(len(report.errors), 'input error')}."
    return text


def _plural(n: int, noun: str) -> str:
    # "info" is a mass noun: "2 info", not "2 infos".
    return f"{n} {noun}" if n == 1 or noun == "info" else f"{n} {noun}s"
