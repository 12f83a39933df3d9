"""Test annotated Markdown fixtures: `<!-- expect: FC101 -->` before a block that must fire.

Annotations are HTML comments on their own line(s) before a block (the lines from the next
non-blank line to the next blank line):

- `<!-- expect: FC101, FC205 -->`: each rule fires with its primary or a related location there;
- `<!-- ok: FC101 -->`: the rule does not fire there;
- `<!-- todo: FC101 -->`: a known gap; the rule must not fire yet (strict, like xfail_strict).

Every finding whose primary location is in the fixture must be expected somewhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from factcheck.findings import Finding

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.engine import Extractor
    from factcheck.rules.base import Rule

__all__ = ["Annotation", "assert_fixture", "check_fixture", "make_claim", "parse_annotations"]

Kind = Literal["expect", "ok", "todo"]
_COMMENT = re.compile(r"<!--\s*(expect|ok|todo)\s*:\s*(.*?)\s*-->")
_CODE = re.compile(r"^[A-Z]{2,4}[0-9]{3}$")


@dataclass(frozen=True)
class Annotation:
    """One rule code of one annotation comment, and the block (first..last line) it covers."""

    kind: Kind
    code: str
    line: int
    first: int
    last: int


def parse_annotations(text: str) -> tuple[list[Annotation], list[str]]:
    """Return the annotations of a fixture and the problems with malformed ones (as `line: ...`)."""
    lines = text.splitlines()
    annotations: list[Annotation] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not _is_annotation(line):
            continue
        block = _next_block(lines, number)
        for m in _COMMENT.finditer(line):
            codes = [c.strip() for c in m.group(2).split(",")]
            bad = [c for c in codes if not _CODE.match(c)]
            if bad or block is None:
                reason = f"bad rule code {bad[0]!r}" if bad else "no block after it"
                problems.append(f"{number}: annotation `{m.group(0)}`: {reason}")
                continue
            kind = cast(Kind, m.group(1))
            annotations.extend(Annotation(kind, c, number, *block) for c in codes)
    return annotations, problems


def _is_annotation(line: str) -> bool:
    return bool(_COMMENT.search(line)) and not _COMMENT.sub("", line).strip()


def _next_block(lines: Sequence[str], after: int) -> tuple[int, int] | None:
    """Return the 1-based first and last line of the block after line `after`."""
    index = after  # 0-based index of the line after the annotation
    while index < len(lines) and (not lines[index].strip() or _is_annotation(lines[index])):
        index += 1
    if index == len(lines):
        return None
    last = index
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    return index + 1, last + 1


def check_fixture(path: str | os.PathLike[str], findings: Iterable[Finding]) -> list[str]:
    """Return the problems of `findings` against the annotations of the fixture at `path`."""
    fixture = Path(path)
    text = fixture.read_bytes().decode("utf-8", errors="replace")
    annotations, malformed = parse_annotations(text)
    problems = [f"{path}:{p}" for p in malformed]
    here = os.path.realpath(fixture)
    mine = [f for f in findings if os.path.realpath(f.path) == here]

    def lines_of(f: Finding) -> list[int]:
        related = [r.line for r in f.related if os.path.realpath(r.path) == here]
        return [f.line, *related]

    def fired(a: Annotation) -> list[Finding]:
        return [f for f in mine if f.rule == a.code
                and any(a.first <= n <= a.last for n in lines_of(f))]

    expected: set[int] = set()
    for a in annotations:
        hits = fired(a)
        where = f"lines {a.first}-{a.last}"
        if a.kind == "expect":
            expected.update(id(f) for f in hits)
            if not hits:
                problems.append(f"{path}:{a.line}: expected {a.code} in {where}; it did not fire")
        elif a.kind == "ok":
            problems.extend(f"{path}:{f.line}:{f.column}: {a.code} fired in {where} marked ok: "
                            f"{f.message}" for f in hits)
        elif hits:
            problems.append(f"{path}:{a.line}: {a.code} now fires in {where} marked todo; "
                            "change the annotation to expect")
    problems.extend(f"{path}:{f.line}:{f.column}: unexpected {f.rule}: {f.message}"
                    for f in mine if id(f) not in expected)
    return problems


def assert_fixture(
    path: str | os.PathLike[str],
    *,
    rules: Sequence[Rule] | None = None,
    extract: Extractor | None = None,
) -> None:
    """Lint one fixture and fail with every problem its annotations reveal."""
    __tracebackhide__ = True  # pytest shows the assertion, not this frame
    from factcheck.engine import lint

    report = lint([path], rules=rules, extract=extract)
    problems = [str(e) for e in report.errors] + check_fixture(path, report.findings)
    if problems:
        raise AssertionError("\n".join(problems))


def make_claim(
    kind: str,
    *,
    path: str = "dossier.md",
    line: int = 1,
    subject: str = "Acme",
    evidence: str | None = None,
    origin: str = "prose",
    **fields: Any,
) -> Claim:
    """Build a claim for a rule's unit test: `make_claim("valuation", value=money, line=12)`.

    The span covers `evidence` on `line`; offsets grow with the line so claims sort by it.
    """
    from factcheck.claims.models import claim_classes
    from factcheck.records import validate

    text = evidence if evidence is not None else f"{subject} {kind}"
    data = {
        "kind": kind,
        "subject": subject,
        "subject_key": "-".join(subject.casefold().split()),
        "evidence": text,
        "origin": origin,
        "path": path,
        "line": line,
        "column": 1,
        "end_line": line,
        "end_column": len(text) + 1,
        "offset": line * 1000,
        "end_offset": line * 1000 + len(text),
        **fields,
    }
    return validate(claim_classes()[kind], data)  # type: ignore[return-value]
