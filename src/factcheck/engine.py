"""lint(): find dossiers, read their claims, run the rules and collect findings in a Report."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from pydantic import BaseModel, ConfigDict

from factcheck.errors import InputError
from factcheck.findings import Finding, Severity, Span, collapse, make_finding
from factcheck.rules.base import Rule, RuleContext
from factcheck.rules.registry import INTERNAL_ERROR, load_rules, select_rules

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.document import Document

    Extractor: TypeAlias = Callable[[Document], Sequence[Claim]]
    Input: TypeAlias = str | os.PathLike[str] | Document

MARKDOWN_SUFFIXES = (".md", ".markdown")


class InputProblem(BaseModel):
    """A file that could not be checked, and why, in one line."""

    model_config = ConfigDict(frozen=True)

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class Report(BaseModel):
    """The outcome of a lint run: sorted findings, input problems and counts."""

    model_config = ConfigDict(frozen=True)

    findings: tuple[Finding, ...] = ()
    errors: tuple[InputProblem, ...] = ()
    files: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Return the number of findings per severity, every severity present."""
        counted = Counter(f.severity for f in self.findings)
        return {s.value: counted[s] for s in Severity}

    def exit_code(self, fail_level: Severity | str = Severity.ERROR) -> int:
        """Return 2 after input errors, 1 if a finding reaches `fail_level`, else 0."""
        if self.errors:
            return 2
        level = Severity(fail_level).rank
        return 1 if any(f.severity.rank >= level for f in self.findings) else 0


def discover(inputs: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[InputProblem]]:
    """Expand folders to their Markdown files (recursively, sorted); keep paths as given."""
    files: list[str] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()
    for given in inputs:
        text = os.fspath(given)
        path = Path(text)
        if path.is_dir():
            found = [
                os.path.join(text, *p.relative_to(path).parts)
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file()
                # Hidden folders hold tool state (.git, .venv), never dossiers.
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
            if not found:
                problems.append(InputProblem(path=text, reason="no Markdown files found"))
        elif path.exists():
            found = [text]
        else:
            problems.append(InputProblem(path=text, reason="no such file or directory"))
            continue
        for file in found:
            key = Path(file).resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, problems


def lint(
    inputs: Iterable[Input],
    *,
    rules: Sequence[Rule] | None = None,
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
    extract: Extractor | None = None,
) -> Report:
    """Check files, folders or loaded Documents and return a Report.

    Markdown files of one folder form a dossier set: set-scope rules see all their claims
    together, document-scope rules one document at a time. `rules` defaults to every
    registered rule and `extract` to `factcheck.claims.extract_claims`. Unreadable files
    become `Report.errors`; a rule or extractor that raises becomes an FC000 finding.
    Invalid rule files raise ConfigError (when `rules` is None); unknown `select` or
    `ignore` entries raise ValueError. Findings on lines that a `factcheck: disable`
    comment covers are dropped; suppressions naming any of `rules` are valid, and unused
    or unknown ones are reported when FC900 or FC901 is among the selected rules.
    """
    from factcheck.suppress import apply_suppressions

    known = load_rules() if rules is None else list(rules)
    if rules is None:
        known = with_suppression_rules(known)
    active = select_rules(known, select, ignore)
    if extract is None:
        from factcheck.claims import extract_claims

        extract = extract_claims
    documents, problems = _load(inputs)
    findings: list[Finding] = []
    for group in _dossier_sets(documents):
        found: list[Finding] = []
        claims: dict[str, list[Claim]] = {}
        for doc in group:
            try:
                claims[doc.path] = sorted(extract(doc), key=lambda c: (c.path, c.offset))
            except Exception as exc:  # one broken document must not stop the others
                claims[doc.path] = []
                found.append(_internal_error(doc.path, "claim extraction", exc))
        for rule in active:
            scopes = [group] if rule.scope == "set" else [[doc] for doc in group]
            for docs in scopes:
                in_scope = tuple(c for doc in docs for c in claims[doc.path])
                ctx = RuleContext(documents=tuple(docs), claims=in_scope)
                try:
                    found.extend(rule.check(ctx))
                except Exception as exc:  # a failing rule is reported; the others still run
                    what = f"rule {rule.code} ({rule.name})"
                    found.append(_internal_error(docs[0].path, what, exc))
        findings.extend(apply_suppressions(found, group, known, active))
    return Report(
        findings=_unique_fingerprints(sorted(findings, key=lambda f: f.sort_key)),
        errors=tuple(problems),
        files=len(documents),
    )


def with_suppression_rules(rules: Sequence[Rule]) -> list[Rule]:
    """Add FC900 and FC901 (the rules about suppression comments) unless already there."""
    from factcheck.suppress import SUPPRESSION_RULES

    codes = {r.code for r in rules}
    extra = [r for r in SUPPRESSION_RULES if r.code not in codes]
    return sorted([*rules, *extra], key=lambda r: r.code)


def _load(inputs: Iterable[Input]) -> tuple[list[Document], list[InputProblem]]:
    documents: list[Document] = []
    paths: list[str | os.PathLike[str]] = []
    for item in inputs:
        if isinstance(item, str | os.PathLike):
            paths.append(item)
        else:
            documents.append(item)
    files, problems = discover(paths)
    if files:
        from factcheck.document import load

        for file in files:
            try:
                documents.append(load(file))
            except InputError as exc:
                problems.append(InputProblem(path=file, reason=exc.reason))
    return documents, problems


def _dossier_sets(documents: Sequence[Document]) -> list[list[Document]]:
    """Group documents by folder, each group and the groups in path order."""
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        groups.setdefault(os.path.dirname(os.path.abspath(doc.path)), []).append(doc)
    return [sorted(g, key=lambda d: d.path) for _, g in sorted(groups.items())]


def _internal_error(path: str, what: str, exc: Exception) -> Finding:
    message = collapse(f"{what} failed: {type(exc).__name__}: {exc}")
    return make_finding(
        rule=INTERNAL_ERROR,
        name="internal-error",
        severity=Severity.ERROR,
        message=message,
        primary=Span(path, 1, 1, 1, 1, ""),
        subject=what,
    )


def _unique_fingerprints(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Number repeated fingerprints (the same phrase twice in a paragraph) in report order."""
    seen: Counter[str] = Counter()
    out = []
    for finding in findings:
        seen[finding.fingerprint] += 1
        n = seen[finding.fingerprint]
        out.append(finding if n == 1 else
                   finding.model_copy(update={"fingerprint": f"{finding.fingerprint}-{n}"}))
    return tuple(out)
