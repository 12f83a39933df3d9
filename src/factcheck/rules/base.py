"""The Rule base class, the context a rule checks, and the `@rule` decorator for functions."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from factcheck.findings import Finding, Located, Severity, make_finding

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.document import Document

Scope = Literal["document", "set"]


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
    compares against one (`factcheck check --since REF`); it is empty otherwise.
    """

    documents: tuple[Document, ...]
    claims: tuple[Claim, ...]
    previous: tuple[Claim, ...] = ()

    def of_kind(self, kind: str) -> list[Claim]:
        """Return the claims of one kind, e.g. 'open_weights', in source order."""
        return [c for c in self.claims if c.kind == kind]

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
