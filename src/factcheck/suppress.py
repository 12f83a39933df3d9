"""Inline suppressions: `<!-- factcheck: disable … -->` comments that silence findings by line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from factcheck.findings import Finding, Severity, Span, make_finding
from factcheck.rules.base import Rule, RuleContext

if TYPE_CHECKING:
    from factcheck.document import Comment, Document

__all__ = [
    "UNKNOWN_RULE",
    "UNUSED_SUPPRESSION",
    "Directive",
    "SuppressionRule",
    "apply_suppressions",
    "directives",
]

_DIRECTIVE = re.compile(
    r"^factcheck:\s*(?P<action>disable-next-line|disable|enable)\b(?P<codes>.*?)"
    r"(?:\s+--\s+(?P<reason>.*))?$",
    re.DOTALL,
)
Action = Literal["disable", "enable", "disable-next-line"]


class SuppressionRule(Rule):
    """A rule about suppression comments; the engine reports it, `check` finds nothing itself."""

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        """Find nothing: suppressions are judged after every other rule has run."""
        return ()


class UnusedSuppression(SuppressionRule):
    code = "FC900"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = ("Flags a `factcheck: disable` comment that suppresses no finding of the rule it "
               "names.")
    rationale = ("A suppression outlives the problem it hid: once the facts agree, the comment "
                 "only hides the next real contradiction on those lines.")
    example = ("<!-- factcheck: disable-next-line FC101 -- table lags the announcement -->\n"
               "| Step-1 | ✅ |")
    fix = "Delete the comment, or the code in it that no longer suppresses anything."


class UnknownRuleInSuppression(SuppressionRule):
    code = "FC901"
    name = "unknown-rule-in-suppression"
    severity = Severity.ERROR
    summary = "Flags a suppression comment that names a rule code or name that does not exist."
    rationale = ("A misspelt code suppresses nothing, so the finding it was meant to silence "
                 "still fails the check, or the comment silently stops working after a rename.")
    example = "<!-- factcheck: disable FC1O1 -->"
    fix = "Use a code or name from `factcheck rules`."


UNUSED_SUPPRESSION = UnusedSuppression()
UNKNOWN_RULE = UnknownRuleInSuppression()
SUPPRESSION_RULES: tuple[Rule, ...] = (UNUSED_SUPPRESSION, UNKNOWN_RULE)


@dataclass
class Directive:
    """One rule named in a suppression comment, the lines it covers, and whether it was used."""

    path: str
    code: str
    written: str
    lines: range
    where: Span
    used: bool = field(default=False)


@dataclass(frozen=True)
class _Parsed:
    action: Action
    names: tuple[str, ...]
    comment: Comment


def _parse(comment: Comment) -> _Parsed | None:
    match = _DIRECTIVE.match(comment.text)
    if match is None:
        return None
    action: Action = match["action"]  # type: ignore[assignment]  # the regex allows only these
    names = tuple(n.strip() for n in re.split(r"[,\s]+", match["codes"]) if n.strip())
    return _Parsed(action, names, comment)


def directives(
    doc: Document, rules: Sequence[Rule]
) -> tuple[list[Directive], list[tuple[Span, str]]]:
    """Read a document's suppression comments: the directives, and names matching no rule."""
    comments = [parsed for parsed in map(_parse, doc.comments) if parsed is not None]
    if not comments:
        return [], []  # most documents: their text is not split into lines at all
    by_key = {key: r.code for r in rules for key in (r.code, r.name)}
    lines = doc.original.split("\n")
    out: list[Directive] = []
    unknown: list[tuple[Span, str]] = []
    open_ranges: dict[str, tuple[int, str, Span]] = {}
    for parsed in comments:
        loc = doc.location(parsed.comment.start, parsed.comment.end)
        where = Span(doc.path, loc.line, loc.column, loc.end_line, loc.end_column,
                     parsed.comment.text)
        for name in parsed.names:
            code = by_key.get(name, by_key.get(name.upper()))
            if code is None:
                unknown.append((where, name))
                continue
            if parsed.action == "disable-next-line":
                target = _next_non_blank(lines, loc.end_line)
                out.append(Directive(doc.path, code, name, range(target, target + 1), where))
            elif parsed.action == "disable":
                open_ranges.setdefault(code, (loc.line, name, where))
            elif code in open_ranges:
                start, written, opened = open_ranges.pop(code)
                out.append(Directive(doc.path, code, written, range(start, loc.end_line + 1),
                                     opened))
    # A range never enabled again runs to the end of the file.
    for code, (start, written, opened) in open_ranges.items():
        out.append(Directive(doc.path, code, written, range(start, len(lines) + 1), opened))
    return out, unknown


def _next_non_blank(lines: Sequence[str], after: int) -> int:
    """Return the 1-based number of the first non-blank line after line `after`."""
    for number in range(after + 1, len(lines) + 1):
        if lines[number - 1].strip():
            return number
    return after + 1


def apply_suppressions(
    findings: Sequence[Finding],
    documents: Sequence[Document],
    known: Sequence[Rule],
    active: Sequence[Rule],
) -> list[Finding]:
    """Drop suppressed findings; add FC900/FC901 findings when those rules are active.

    `known` decides which names a comment may use; a suppression of a rule that is not
    `active` is never reported unused, since its findings were not looked for.
    """
    active_codes = {r.code for r in active}
    found: list[Directive] = []
    kept: list[Finding] = []
    extra: list[Finding] = []
    for doc in documents:
        ds, unknown = directives(doc, known)
        found.extend(ds)
        if UNKNOWN_RULE.code in active_codes:
            extra.extend(
                _meta(UNKNOWN_RULE, where, f"suppression names unknown rule {name!r}; "
                      "`factcheck rules` lists the codes and names", name)
                for where, name in unknown
            )
    by_path: dict[str, list[Directive]] = {}
    for d in found:
        by_path.setdefault(d.path, []).append(d)
    for finding in findings:
        hits = [d for d in by_path.get(finding.path, ())
                if d.code == finding.rule and finding.line in d.lines]
        for d in hits:
            d.used = True
        if not hits:
            kept.append(finding)
    if UNUSED_SUPPRESSION.code in active_codes:
        extra.extend(
            _meta(UNUSED_SUPPRESSION, d.where,
                  f"suppression of {d.written} is unused: no {d.code} finding on the lines "
                  "it covers", d.code)
            for d in found if not d.used and d.code in active_codes
        )
    return kept + extra


def _meta(rule: Rule, where: Span, message: str, subject: str) -> Finding:
    return make_finding(rule=rule.code, name=rule.name, severity=rule.severity,
                        message=message, primary=where, subject=subject)
