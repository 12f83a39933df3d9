"""The text reporter: one `path:line:col: CODE [severity] message` line per finding."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable

from factcheck.engine import Report
from factcheck.findings import Finding, Severity

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_colour(stream_is_tty: bool) -> bool:
    """Colour only a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream_is_tty and not os.environ.get("NO_COLOR")


def render_text(report: Report, *, source: bool = False, colour: bool = False) -> str:
    """Return findings with their related locations indented, then a summary line.

    With `source`, each finding also shows its source line with a caret under the span,
    and files are separated by a blank line; `colour` adds ANSI colours.
    """
    paint = _painter(colour)
    lines: list[str] = []
    read = _SourceCache()
    previous: str | None = None
    for f in report.findings:
        if source and previous is not None and f.path != previous:
            lines.append("")
        previous = f.path
        severity = paint(f"[{f.severity}]", _COLOURS[f.severity])
        lines.append(f"{paint(f'{f.path}:{f.line}:{f.column}:', '1')} {f.rule} {severity} "
                     f"{f.message}")
        if source:
            lines.extend(_snippet(f, read(f.path), paint))
        lines.extend(f"  {r.path}:{r.line}:{r.column}: {r.message}" for r in f.related)
    if source and report.findings:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _painter(colour: bool) -> Callable[[str, str], str]:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text
    return paint


class _SourceCache:
    """The on-disk lines of the file last asked for; empty for a file that cannot be read.

    Findings come sorted by path, so each file is read once while only one is held: memory
    stays that of the largest file, not of the corpus."""

    def __init__(self) -> None:
        self._path: str | None = None
        self._lines: list[str] = []

    def __call__(self, path: str) -> list[str]:
        if path != self._path:
            from factcheck.encoding import read
            from factcheck.errors import InputError

            self._path = path
            try:
                self._lines = read(path, None).original.splitlines()
            except InputError:
                self._lines = []
        return self._lines


def _snippet(f: Finding, lines: list[str], paint: Callable[[str, str], str]) -> list[str]:
    if not 1 <= f.line <= len(lines):
        return []
    text = lines[f.line - 1].expandtabs(1)
    end = f.end_column if f.end_line == f.line else len(text) + 1
    before = _width(text[: f.column - 1])
    width = max(1, _width(text[f.column - 1 : end - 1]))
    number = str(f.line)
    gutter = " " * len(number)
    caret = paint("^" * width, _COLOURS[f.severity])
    return [f" {number} | {text}", f" {gutter} | {' ' * before}{caret}"]


def _width(text: str) -> int:
    """Return how many terminal cells text takes: CJK and emoji two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


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
