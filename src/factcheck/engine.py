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
from factcheck.rules.registry import INTERNAL_ERROR, load_rules

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.config import Config
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


def discover(
    inputs: Iterable[str | os.PathLike[str]], config: Config | None = None
) -> tuple[list[str], list[InputProblem]]:
    """Expand folders to their Markdown files (recursively, sorted); keep paths as given.

    Files that `config` excludes are dropped, whether found in a folder or given.
    """
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
            if key not in seen and not (config is not None and config.excluded(file)):
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
    config: Config | None = None,
    since: str | None = None,
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

    `config` supplies what the other arguments leave out: rule folders, `select` and
    `ignore`, severities, vocabulary files, excluded files and extra dossier sets.

    `since` names a git revision: rules then also see the claims of each file at that
    revision (`RuleContext.previous`), which is how FC801 finds values an edit left stale.
    A path outside a git work tree or an unknown revision raises FactcheckError.
    """
    from factcheck.config import Config
    from factcheck.suppress import apply_suppressions

    settings = config or Config()
    if rules is None:
        known = with_suppression_rules(load_rules([settings.resolve(d) for d in settings.rules]))
    else:
        known = list(rules)
    active = settings.rule_selection(known, select, ignore)
    severities = settings.severities(known)
    if extract is None:
        extract = settings.extractor()
    documents, problems = _load(inputs, settings)
    previous: dict[str, list[Claim]] = {}
    if since is not None:
        from factcheck.stale import claims_at

        previous = claims_at(since, [doc.path for doc in documents])
    findings: list[Finding] = []
    for group in _dossier_sets(documents, settings):
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
                before = tuple(c for doc in docs for c in previous.get(doc.path, ()))
                ctx = RuleContext(documents=tuple(docs), claims=in_scope, previous=before)
                try:
                    found.extend(rule.check(ctx))
                except Exception as exc:  # a failing rule is reported; the others still run
                    what = f"rule {rule.code} ({rule.name})"
                    found.append(_internal_error(docs[0].path, what, exc))
        findings.extend(f if f.rule not in severities
                        else f.model_copy(update={"severity": severities[f.rule]})
                        for f in apply_suppressions(found, group, known, active))
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


def _load(inputs: Iterable[Input], config: Config
          ) -> tuple[list[Document], list[InputProblem]]:
    documents: list[Document] = []
    paths: list[str | os.PathLike[str]] = []
    for item in inputs:
        if isinstance(item, str | os.PathLike):
            paths.append(item)
        else:
            documents.append(item)
    files, problems = discover(paths, config)
    if files:
        from factcheck.document import load

        for file in files:
            try:
                documents.append(load(file))
            except InputError as exc:
                problems.append(InputProblem(path=file, reason=exc.reason))
    return documents, problems


def _dossier_sets(documents: Sequence[Document], config: Config) -> list[list[Document]]:
    """Group documents by folder, joined by the configuration's groups; each set and the sets
    in path order."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def folder(doc: Document) -> str:
        return "dir:" + os.path.dirname(os.path.abspath(doc.path))

    for doc in documents:
        group = config.group_of(doc.path)
        if group is not None:
            # A file in a group joins that group's set with its whole folder's set.
            mine, theirs = root(folder(doc)), root(f"group:{group}")
            parent[max(mine, theirs)] = min(mine, theirs)
    sets: dict[str, list[Document]] = {}
    for doc in documents:
        sets.setdefault(root(folder(doc)), []).append(doc)
    ordered = [sorted(s, key=lambda d: d.path) for s in sets.values()]
    return sorted(ordered, key=lambda s: s[0].path)


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
