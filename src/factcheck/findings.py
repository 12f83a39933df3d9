"""Findings: what a rule reports, where, and a fingerprint that survives unrelated edits."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from factcheck import quantities
from factcheck.records import Record, meta, record


class Severity(StrEnum):
    """How serious a finding is; `--fail-level` compares by `rank`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Return 2 for error, 1 for warning, 0 for info."""
        return _RANKS[self]


_RANKS = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


@record
class RelatedLocation(Record):
    """The other side of a finding: a span elsewhere and what it says."""

    path: str
    line: int = meta(ge=1)
    column: int = meta(ge=1)
    end_line: int = meta(ge=1)
    end_column: int = meta(ge=1)
    message: str


@record
class Finding(Record):
    """One problem a rule found, at a primary span, with related spans for the other sides."""

    rule: str = meta("Rule code, e.g. 'FC101'.")
    name: str = meta("Rule name in kebab-case; reads as 'allow <name>'.")
    severity: Severity
    message: str
    path: str
    line: int = meta(ge=1)
    column: int = meta(ge=1)
    end_line: int = meta(ge=1)
    end_column: int = meta(ge=1)
    related: tuple[RelatedLocation, ...] = ()
    fingerprint: str = meta("Stable identity: independent of lines and columns.")

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Return the key findings are reported in: path, line, column, rule, message."""
        return (self.path, self.line, self.column, self.rule, self.message)


class Located(Protocol):
    """Anything with a source span and the text found there; claims are Located."""

    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...
    @property
    def evidence(self) -> str: ...


@dataclass(frozen=True)
class Span:
    """A located piece of text that is not a claim, e.g. a phrase a text rule matched."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    evidence: str


def make_finding(
    *,
    rule: str,
    name: str,
    severity: Severity,
    message: str,
    primary: Located,
    related: Sequence[tuple[Located, str]] = (),
    subject: str,
) -> Finding:
    """Build a finding at `primary` with `related` sides and its fingerprint."""
    return Finding(
        rule=rule,
        name=name,
        severity=severity,
        message=message,
        path=primary.path,
        line=primary.line,
        column=primary.column,
        end_line=primary.end_line,
        end_column=primary.end_column,
        related=tuple(
            RelatedLocation(
                path=loc.path,
                line=loc.line,
                column=loc.column,
                end_line=loc.end_line,
                end_column=loc.end_column,
                message=text,
            )
            for loc, text in related
        ),
        fingerprint=fingerprint(
            rule, subject, [(loc.path, loc.evidence) for loc in (primary, *(r for r, _ in related))]
        ),
    )


def collapse(text: str) -> str:
    """Collapse every run of whitespace to one space, so reflowing text changes nothing."""
    return " ".join(text.split())


def fingerprint(rule: str, subject: str, sides: Iterable[tuple[str, str]]) -> str:
    """Hash a rule code, a subject and the (path, evidence) of every side of a finding.

    Only file names count, not folders, so the same dossier checked from another working
    directory keeps its fingerprints; sides are sorted so moving one paragraph above the
    other does not swap them.
    """
    # `os.path.basename` is PurePath(path).name for a file's path, at a fraction of the cost
    parts = sorted((os.path.basename(path), collapse(evidence)) for path, evidence in sides)
    digest = hashlib.sha256()
    for piece in (rule, collapse(subject), *(p for side in parts for p in side)):
        digest.update(piece.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def describe(value: Any) -> str:
    """Return a short human form of a claim field for a message."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(describe(v) for v in value)
    if isinstance(value, quantities.Quantity):
        kind = getattr(value, "kind", "")
        # The formatters belong to quantities.py; use them when that module provides them.
        formatter = getattr(quantities, f"format_{kind}", None)
        if formatter is not None:
            return str(formatter(value))
        return value.text
    if isinstance(value, Record):
        return ", ".join(f"{k}={describe(v)}" for k in type(value).model_fields
                         if (v := getattr(value, k)) not in (None, (), ""))
    return str(value)

