"""The Rule base class, the context a rule checks, and the `@rule` decorator for functions."""

from __future__ import annotations

import inspect
import os
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from factcheck.findings import Finding, Located, Severity, make_finding

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.document import Document

Scope = Literal["document", "set"]
C = TypeVar("C")


class Rule:
    """A check over claims; its identity and documentation are the class fields, not docstrings.

    `scope = "document"` checks one document at a time; `scope = "set"` sees every document of
    a dossier set (the Markdown files of one folder) together.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    example: str
    fix: str
    scope: Scope = "document"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        """Yield the findings of this rule in `ctx`."""
        raise NotImplementedError

    def defined_at(self) -> tuple[str, int, int]:
        """Return the file, line and column that define this rule, for configuration errors."""
        return source_of(type(self))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'code', '?')} {getattr(self, 'name', '?')}>"


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the documents in scope and their claims sorted by (path, offset).

    `previous` holds the claims of the same files at an earlier revision, when the check
    compares against one (`factcheck check --since REF`); it is empty otherwise. `root` is the
    absolute path of the checked tree, which rules that look at the file system must not
    leave; "" means the common parent folder of the documents (see `tree`).

    Set-scope rules find the claims to compare through `index` (claims grouped by kind, by
    class and by subject, built once per context) rather than by pairing every claim of a kind
    with every other, and report how many pairs they examined with `compared`, so that a test
    can show the cross-file stage grows linearly with the size of a set.
    """

    documents: tuple[Document, ...]
    claims: tuple[Claim, ...]
    previous: tuple[Claim, ...] = ()
    root: str = ""

    @cached_property
    def index(self) -> ClaimIndex:
        """The claims of this context grouped by kind, class and subject; built on first use."""
        return ClaimIndex(self.claims)

    @cached_property
    def tree(self) -> str:
        """The absolute, normalised path of the checked tree.

        It is `root` when given, otherwise the common parent folder of the documents (of the
        claims' files when the context has no documents), or the working directory when there
        are neither.
        """
        if self.root:
            return os.path.normpath(os.path.abspath(self.root))
        paths = [d.path for d in self.documents] or sorted({c.path for c in self.claims})
        folders = [os.path.dirname(os.path.abspath(p)) for p in paths]
        return os.path.commonpath(folders) if folders else os.path.abspath(os.curdir)

    def of_kind(self, kind: str) -> list[Claim]:
        """Return the claims of one kind, e.g. 'open_weights', in source order."""
        return list(self.index.of_kind(kind))

    def compared(self, rule: Rule, pairs: int = 1) -> None:
        """Count `pairs` comparisons of two claims made by `rule` (see `counting_comparisons`)."""
        if _COUNTERS:
            _COUNTERS[-1][rule.code] += pairs

    def earlier(self, rule: Rule, group: Sequence[C]) -> Iterator[tuple[C, Sequence[C]]]:
        """Yield each claim of a group with the claims before it, counting those pairs.

        This is the loop of a rule that compares each statement with the earlier statements
        of the same thing; the group should come from `index`, never be a whole kind of a set.
        """
        for i, claim in enumerate(group):
            self.compared(rule, i)
            yield claim, group[:i]

    def finding(
        self,
        rule: Rule,
        message: str,
        primary: Claim,
        related: Sequence[tuple[Claim, str]] = (),
    ) -> Finding:
        """Build a finding of `rule` at the `primary` claim, with (claim, message) related sides."""
        return self.finding_at(rule, message, primary, related, subject=primary.subject_key)

    def finding_at(
        self,
        rule: Rule,
        message: str,
        primary: Located,
        related: Sequence[tuple[Located, str]] = (),
        *,
        subject: str,
    ) -> Finding:
        """Build a finding at any located span, e.g. a phrase found in a block's text."""
        return make_finding(
            rule=rule.code,
            name=rule.name,
            severity=rule.severity,
            message=message,
            primary=primary,
            related=related,
            subject=subject,
        )


class ClaimIndex:
    """Claims grouped for lookup: by kind, by class, and by subject key.

    Each grouping is made on first use and kept; every list keeps source order (the order of
    the context's claims). Looking a group up compares nothing; rules count the pairs they
    then examine with `RuleContext.compared`.
    """

    def __init__(self, claims: Sequence[Claim]) -> None:
        self._claims = claims
        self._kinds: dict[str, tuple[Claim, ...]] | None = None
        self._subjects: dict[tuple[str, str], tuple[Claim, ...]] | None = None
        self._types: dict[type[Any], list[Any]] = {}
        self._classes: dict[type[Any], list[Claim]] | None = None
        self._by_subject: dict[type[Any], Mapping[str, tuple[Any, ...]]] = {}

    def _by_class(self) -> dict[type[Any], list[Claim]]:
        # The one pass over every claim that the groupings by class and by kind share.
        if self._classes is None:
            classes: dict[type[Any], list[Claim]] = {}
            for claim in self._claims:
                classes.setdefault(type(claim), []).append(claim)
            self._classes = classes
        return self._classes

    def of_kind(self, kind: str) -> Sequence[Claim]:
        """Return the claims of one kind ("valuation"), in source order."""
        if self._kinds is None:
            self._kinds = self._group_kinds()
        return self._kinds.get(kind, ())

    def _group_kinds(self) -> dict[str, tuple[Claim, ...]]:
        # Each claim class fixes its kind (a Literal field), so a kind's claims are usually
        # one class's group, already in source order. The kinds of each group are read, not
        # assumed: a kind met in several groups, or in a group of several kinds, is picked
        # out of all the claims instead, which keeps source order too.
        owners: dict[str, list[list[Claim]]] = {}
        mixed: set[str] = set()
        for group in self._by_class().values():
            kinds = {claim.kind for claim in group}
            if len(kinds) > 1:
                mixed |= kinds
            for kind in kinds:
                owners.setdefault(kind, []).append(group)
        return {kind: tuple(groups[0]) if len(groups) == 1 and kind not in mixed
                else tuple(claim for claim in self._claims if claim.kind == kind)
                for kind, groups in owners.items()}

    def of_type(self, cls: type[C]) -> list[C]:
        """Return the claims that are instances of a claim class, in source order."""
        found = self._types.get(cls)
        if found is None:
            found = self._types[cls] = self._instances(cls)
        return cast("list[C]", list(found))  # a copy: the index may be shared between rules

    def _instances(self, cls: type[Any]) -> list[Any]:
        # Claims grouped once by their exact class: a class asked for is then a lookup, not
        # an isinstance test of every claim per rule. A class that several claim classes
        # derive from is rare: its claims are picked out in one pass.
        groups = [group for kind, group in self._by_class().items() if issubclass(kind, cls)]
        if len(groups) > 1:
            return [claim for claim in self._claims if isinstance(claim, cls)]
        return groups[0] if groups else []

    def by_subject(self, cls: type[C]) -> Mapping[str, Sequence[C]]:
        """Return the claims of a claim class grouped by subject key, each in source order."""
        found = self._by_subject.get(cls)
        if found is None:
            groups: dict[str, list[Any]] = {}
            for claim in self.of_type(cls):
                groups.setdefault(cast("Claim", claim).subject_key, []).append(claim)
            found = self._by_subject[cls] = MappingProxyType(
                {key: tuple(group) for key, group in groups.items()})
        return cast("Mapping[str, Sequence[C]]", found)

    def about(self, kind: str, subject_key: str) -> Sequence[Claim]:
        """Return the claims of one kind about one subject, in source order."""
        if self._subjects is None:
            subjects: dict[tuple[str, str], list[Claim]] = {}
            for claim in self._claims:
                subjects.setdefault((claim.kind, claim.subject_key), []).append(claim)
            self._subjects = {key: tuple(group) for key, group in subjects.items()}
        return self._subjects.get((kind, subject_key), ())


def group_by(claims: Iterable[C], key: Callable[[C], Hashable]) -> list[list[C]]:
    """Group claims by `key`, the groups in the order of their first claim."""
    groups: dict[Hashable, list[C]] = {}
    for claim in claims:
        groups.setdefault(key(claim), []).append(claim)
    return list(groups.values())


_COUNTERS: list[Counter[str]] = []


@contextmanager
def counting_comparisons() -> Iterator[Counter[str]]:
    """Count the comparisons rules report with `RuleContext.compared`, by rule code.

    Within the `with` block, every comparison made in this process is added to the Counter it
    yields. Counting is off (and costs nothing) outside such a block.
    """
    counter: Counter[str] = Counter()
    _COUNTERS.append(counter)
    try:
        yield counter
    finally:
        _COUNTERS.remove(counter)


CheckFunction = Callable[[RuleContext], Iterable[Finding]]


class FunctionRule(Rule):
    """A rule made by `@rule` from a function of the context."""

    def __init__(self, function: CheckFunction, **fields: Any) -> None:
        self._function = function
        for key, value in fields.items():
            setattr(self, key, value)

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        """Call the decorated function."""
        return self._function(ctx)

    def defined_at(self) -> tuple[str, int, int]:
        """Return where the decorated function is defined."""
        return source_of(self._function)


def rule(
    *,
    code: str,
    name: str,
    severity: Severity | str,
    summary: str,
    rationale: str,
    example: str,
    fix: str,
    scope: Scope = "document",
) -> Callable[[CheckFunction], Rule]:
    """Turn `def check(ctx) -> Iterable[Finding]` into a Rule with this identity."""

    def decorate(function: CheckFunction) -> Rule:
        return FunctionRule(
            function,
            code=code,
            name=name,
            severity=Severity(severity),
            summary=summary,
            rationale=rationale,
            example=example,
            fix=fix,
            scope=scope,
        )

    return decorate


def source_of(obj: type[Any] | Callable[..., Any]) -> tuple[str, int, int]:
    """Return the source file and line of a class or function, or its module when unknown."""
    try:
        path = inspect.getsourcefile(obj) or obj.__module__
        line = inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return (obj.__module__, 1, 1)
    return (path, line, 1)


def explain(rule: Rule) -> str:
    """Return the documentation page of a rule, with the same headings for every rule."""
    fence = "```"
    while fence in rule.example:
        fence += "`"
    return (
        f"# {rule.code}: {rule.name}\n\n"
        f"Severity: {rule.severity} · Scope: {rule.scope}\n\n"
        f"## What it does\n\n{rule.summary.strip()}\n\n"
        f"## Why is this bad?\n\n{rule.rationale.strip()}\n\n"
        f"## Example\n\n{fence}markdown\n{rule.example.strip()}\n{fence}\n\n"
        f"## How to fix\n\n{rule.fix.strip()}\n"
    )
