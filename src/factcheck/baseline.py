"""Baselines: record today's findings so a check fails only on new ones."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from factcheck.engine import Report
from factcheck.errors import ConfigError
from factcheck.findings import Finding

__all__ = ["DEFAULT_BASELINE", "BaselineEntry", "compare", "entries_of", "read_baseline",
           "write_baseline"]

DEFAULT_BASELINE = ".factcheck-baseline.json"
VERSION = 1


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One accepted finding; fields in the order entries are sorted."""

    path: str
    rule: str
    fingerprint: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Return the entry as the file stores it."""
        return {"fingerprint": self.fingerprint, "rule": self.rule, "path": self.path,
                "message": self.message}


def entries_of(findings: Iterable[Finding], baseline_file: str | os.PathLike[str]
               ) -> list[BaselineEntry]:
    """Return baseline entries for findings, paths relative to the baseline file's folder."""
    folder = Path(os.path.abspath(baseline_file)).parent
    out = []
    for f in findings:
        path = Path(os.path.abspath(f.path))
        try:
            shown = path.relative_to(folder).as_posix()
        except ValueError:
            shown = Path(f.path).as_posix()
        out.append(BaselineEntry(shown, f.rule, f.fingerprint, f.message))
    return sorted(set(out))


def write_baseline(path: str | os.PathLike[str], entries: Sequence[BaselineEntry]) -> None:
    """Write entries sorted, 2-space indented with a trailing newline, atomically."""
    from factcheck.fix import write_atomic

    data = {"version": VERSION, "findings": [e.to_json() for e in sorted(entries)]}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


def read_baseline(path: str | os.PathLike[str]) -> list[BaselineEntry]:
    """Read a baseline file; raise ConfigError saying where it is wrong."""
    name = os.fspath(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(name, 1, 1, "no such baseline file; `factcheck baseline` writes "
                          "one") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(name, 1, 1, f"cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(name, exc.lineno, exc.colno, exc.msg) from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ConfigError(name, 1, 1, f"not a factcheck baseline (expected version {VERSION})")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise ConfigError(name, 1, 1, "`findings` must be a list")
    entries = []
    for index, item in enumerate(findings):
        keys = ("path", "rule", "fingerprint", "message")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
            raise ConfigError(name, 1, 1, f"findings[{index}] needs the strings "
                              f"{', '.join(keys)}")
        entries.append(BaselineEntry(*(item[k] for k in keys)))
    return entries


def compare(report: Report, entries: Sequence[BaselineEntry]
            ) -> tuple[Report, list[BaselineEntry]]:
    """Split a report against a baseline: the report of new findings, and stale entries."""
    known = {e.fingerprint for e in entries}
    seen = {f.fingerprint for f in report.findings}
    new = tuple(f for f in report.findings if f.fingerprint not in known)
    stale = [e for e in entries if e.fingerprint not in seen]
    return report.model_copy(update={"findings": new}), stale
