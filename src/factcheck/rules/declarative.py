"""Declarative rules: YAML files of consistency, pair, sum, existence and substitution checks."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from factcheck.errors import ConfigError
from factcheck.findings import Finding, Severity, Span, collapse, describe
from factcheck.quantities import Count, DateValue, Duration, Money, Percent, Rank, Size
from factcheck.records import Record
from factcheck.rules.base import Rule, RuleContext, Scope

if TYPE_CHECKING:
    from factcheck._yaml import Located
    from factcheck.cache import Cache
    from factcheck.claims.models import Claim
    from factcheck.document import Document, Inline

# Vocabularies live beside rule files in the same folder but are not rules.
NOT_RULE_FILES = frozenset({"vocabulary.yaml"})

Loc = tuple[str | int, ...]
# Where a rule is defined: (path, line, column), or a function that works it out when asked
# (positions cost a second, slower parse of the file, needed only for error messages).
Source = tuple[str, int, int] | Callable[[], tuple[str, int, int]]


# -- field paths ----------------------------------------------------------------------------


# `{a.file}` in a message: the file name of a claim's path.
_FILE = "file"


@dataclass(frozen=True)
class FieldPath:
    """A dotted path into a claim; a step written `name[]` maps the rest over a list."""

    text: str
    steps: tuple[tuple[str, bool], ...]

    @classmethod
    def parse(cls, text: str) -> FieldPath:
        """Parse a path the schema has already checked, e.g. `items[].percent.low`."""
        steps = tuple((s.removesuffix("[]"), s.endswith("[]")) for s in text.split("."))
        return cls(text, steps)

    def get(self, obj: Any) -> Any:
        """Return the value at this path, a list after a `[]` step, or None when missing."""
        return _resolve(obj, self.steps)


def _resolve(obj: Any, steps: Sequence[tuple[str, bool]]) -> Any:
    for i, (name, each) in enumerate(steps):
        if obj is None:
            return None
        if name == _FILE and hasattr(obj, "path"):
            obj = PurePath(obj.path).name  # messages name files, not paths as typed
            continue
        obj = getattr(obj, name, None)
        if each:
            if obj is None:
                return None
            return [_resolve(item, steps[i + 1 :]) for item in obj]
    return obj


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _claim_models() -> dict[str, type[Record]]:
    from factcheck.claims.models import Claim

    return {m.model_fields["kind"].default: m for m in typing.get_args(Claim)}


def _path_error(model: type[Record], path: FieldPath) -> str | None:
    """Say why `path` does not name a field of `model`, or return None when it does."""
    current: list[Any] = [model]
    for name, each in path.steps:
        models = [t for t in current if isinstance(t, type) and issubclass(t, Record)]
        if name == _FILE and any("path" in m.model_fields for m in models) and not each:
            current = [str]
            continue
        found = [m.model_fields[name].annotation for m in models if name in m.model_fields]
        if not found:
            fields = sorted({f for m in models for f in m.model_fields})
            where = ", ".join(f"`{f}`" for f in fields) if fields else "none"
            return f"`{path.text}`: no field `{name}` here (fields: {where})"
        current = [t for a in found for t in _members(a)]
        if each:
            items = [_item_type(t) for t in current]
            if None in items:
                return f"`{path.text}`: `{name}` is not a list, so `{name}[]` does not apply"
            current = [t for a in items for t in _members(a)]
    return None


def _members(annotation: Any) -> list[Any]:
    """Split `X | Y | None` into its member types."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [annotation]


def _item_type(annotation: Any) -> Any:
    if annotation is type(None):
        return type(None)
    if typing.get_origin(annotation) in (tuple, list):
        return typing.get_args(annotation)[0]
    return None


# -- values and comparisons -----------------------------------------------------------------

Interval = tuple[Any, Any]  # (low, high); high None means unbounded above


def _literal(value: Any) -> Any:
    """Turn a YAML scalar into a plain value: numbers become Decimal."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        return str(value)
    return value


def _interval(value: Any) -> tuple[str, Interval] | None:
    """Return a quantity's unit and interval, or None for a value that is not a quantity."""
    # The quantity classes are imported with the module, not here: this runs twice for every
    # pair of values a rule compares, and an import statement costs a lookup each time.
    if isinstance(value, Money):
        return f"money:{value.currency}", (value.low, value.high)
    if isinstance(value, DateValue):
        return "date", (value.first, value.last)
    if isinstance(value, Duration):
        return "duration", (value.low_months, value.high_months)
    if isinstance(value, Size | Percent | Count | Rank):
        return value.kind, (value.low, value.high)
    return None


def _point(value: Any, unit: str) -> Interval | None:
    """Read a literal as a one-point interval of a quantity's unit."""
    if unit == "date" and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return None
        return (day, day)
    if unit != "date" and isinstance(value, Decimal | int) and not isinstance(value, bool):
        return (value, value)
    return None


def _intervals(a: Any, ia: tuple[str, Interval] | None, b: Any,
               ib: tuple[str, Interval] | None) -> tuple[Interval, Interval] | None:
    """Return comparable intervals of two values, given their `_interval`s, or None when they
    cannot be compared."""
    if ia is not None and ib is not None:
        if ia[0] == ib[0]:
            return ia[1], ib[1]
        if isinstance(a, Money) and isinstance(b, Money):
            # Compare across currencies only through a conversion the text states.
            if a.converted is not None and a.converted.currency == b.currency:
                return (a.converted.low, a.converted.high), ib[1]
            if b.converted is not None and b.converted.currency == a.currency:
                return ia[1], (b.converted.low, b.converted.high)
        return None
    if ia is not None:
        point = _point(b, ia[0])
        return None if point is None else (ia[1], point)
    if ib is not None:
        point = _point(a, ib[0])
        return None if point is None else (point, ib[1])
    return None


def _below(x: Interval, y: Interval, strict: bool) -> bool:
    if x[1] is None:
        return False
    return bool(x[1] < y[0]) if strict else bool(x[1] <= y[0])


def _compare_intervals(a: Interval, op: str, b: Interval) -> bool:
    if op == "disjoint":
        return _below(a, b, True) or _below(b, a, True)
    if op == "overlaps":
        return not (_below(a, b, True) or _below(b, a, True))
    if op == "<" or op == "<=":
        return _below(a, b, op == "<")
    if op == ">" or op == ">=":
        return _below(b, a, op == ">")
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    raise KeyError(op)


def _scalar(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


_SCALAR_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda x, y: bool(x < y),
    "<=": lambda x, y: bool(x <= y),
    ">": lambda x, y: bool(x > y),
    ">=": lambda x, y: bool(x >= y),
    "==": lambda x, y: bool(x == y),
    "!=": lambda x, y: bool(x != y),
    "overlaps": lambda x, y: bool(x == y),
    "disjoint": lambda x, y: bool(x != y),
}


def _coerce(value: Any, other: Any) -> Any:
    """Read an ISO date literal compared with a date as a date."""
    if isinstance(value, str) and isinstance(other, dt.date):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def compare(a: Any, op: str, b: Any) -> bool:
    """Return whether `a op b` certainly holds; missing or incomparable values give False."""
    if a is None or b is None:
        return False
    kind = type(a)
    if kind is type(b):
        # The commonest pairs, read as the general path below reads them: two dates or two
        # amounts in one currency are intervals of one unit (see `_interval`); two plain
        # strings or two booleans are no quantities, and `_scalar` and `_coerce` keep them.
        if kind is DateValue:
            return _compare_intervals((a.first, a.last), op, (b.first, b.last))
        if kind is Money and a.currency == b.currency:
            return _compare_intervals((a.low, a.high), op, (b.low, b.high))
        if kind is str or kind is bool:
            return _SCALAR_OPS[op](a, b)
    ia, ib = _interval(a), _interval(b)
    if ia is not None or ib is not None:
        pair = _intervals(a, ia, b, ib)
        return pair is not None and _compare_intervals(pair[0], op, pair[1])
    x, y = _coerce(_scalar(a), b), _coerce(_scalar(b), a)
    if isinstance(x, bool) != isinstance(y, bool) or isinstance(x, str) != isinstance(y, str):
        return False
    try:
        return _SCALAR_OPS[op](x, y)
    except (TypeError, InvalidOperation):
        return False


# -- templates ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)((?:\.[a-z][a-z0-9_]*)*)\}")


@dataclass(frozen=True)
class Template:
    """A message with `{role.path}` placeholders; `{{` and `}}` are literal braces."""

    parts: tuple[str | tuple[str, FieldPath | None], ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        """Split a template into text and placeholders; raise ValueError on a stray brace."""
        parts: list[str | tuple[str, FieldPath | None]] = []
        last = 0
        for m in _PLACEHOLDER.finditer(text):
            parts.append(_literal_text(text[last : m.start()]))
            if m.group(1) is None:
                parts.append(m.group(0)[0])
            else:
                path = FieldPath.parse(m.group(2)[1:]) if m.group(2) else None
                parts.append((m.group(1), path))
            last = m.end()
        parts.append(_literal_text(text[last:]))
        return cls(tuple(p for p in parts if p != ""))

    def placeholders(self) -> Iterator[tuple[str, FieldPath | None]]:
        """Yield every (role, path) placeholder."""
        return (p for p in self.parts if isinstance(p, tuple))

    def render(self, values: Mapping[str, Any]) -> str:
        """Fill the placeholders from `values` and collapse whitespace to one line."""
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                role, path = part
                value = values[role] if path is None else path.get(values[role])
                out.append(describe(value))
        return collapse("".join(out))


def _literal_text(text: str) -> str:
    if "{" in text or "}" in text:
        raise ValueError("stray brace in message; write {{ or }} for a literal brace")
    return text


# -- selections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Claims of one kind whose fields match every `where` entry."""

    kind: str
    where: tuple[tuple[FieldPath, tuple[Any, ...]], ...]

    def pick(self, claims: Iterable[Claim]) -> list[Claim]:
        """Return the matching claims, in the order given."""
        return [c for c in claims if c.kind == self.kind and self._matches(c)]

    def _matches(self, claim: Claim) -> bool:
        return all(
            any(compare(path.get(claim), "==", v) for v in accepted)
            for path, accepted in self.where
        )


@dataclass(frozen=True)
class Condition:
    """`left op right`, where each side is a path into the left or right claim or a literal."""

    first: tuple[str, Any]
    op: str
    second: tuple[str, Any]

    def holds(self, left: Claim, right: Claim) -> bool:
        """Return whether the condition certainly holds for this pair."""
        sides = {"left": left, "right": right}

        def value(operand: tuple[str, Any]) -> Any:
            role, target = operand
            return target if role == "value" else target.get(sides[role])

        return compare(value(self.first), self.op, value(self.second))


# -- rules ----------------------------------------------------------------------------------


class DeclarativeRule(Rule):
    """A rule read from a YAML file; `kind` names its check."""

    kind: str

    def __init__(
        self, header: Mapping[str, Any], message: Template, source: Source
    ) -> None:
        self.code = str(header["code"])
        self.name = str(header["name"])
        self.severity = Severity(header["severity"])
        self.summary = str(header["summary"])
        self.rationale = str(header["rationale"])
        self.example = str(header["example"])
        self.fix = str(header["fix"])
        self.scope: Scope = header.get("scope", "document")
        self.message = message
        self._source = source

    def defined_at(self) -> tuple[str, int, int]:
        """Return the YAML file, line and column of the rule."""
        if callable(self._source):
            self._source = self._source()
        return self._source


class ConsistencyRule(DeclarativeRule):
    """Flag pairs of claims in a group whose compared values cannot both be true."""

    kind = "consistency"

    def __init__(self, header: Mapping[str, Any], message: Template, source: Source,
                 *, select: Selection, group_by: tuple[FieldPath, ...], field: FieldPath,
                 as_: str, unless_dates_differ: bool, cross_origin_only: bool, dated_only: bool,
                 related: Template) -> None:
        super().__init__(header, message, source)
        self.select, self.group_by, self.field, self.as_ = select, group_by, field, as_
        self.unless_dates_differ, self.cross_origin_only = unless_dates_differ, cross_origin_only
        self.dated_only = dated_only
        self.related = related

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Compare every earlier claim of a group with every later one."""
        groups: dict[tuple[Any, ...], list[Claim]] = {}
        for claim in self.select.pick(ctx.index.of_kind(self.select.kind)):
            key = tuple(_hashable(p.get(claim)) for p in self.group_by)
            if None not in key:
                groups.setdefault(key, []).append(claim)
        op = "disjoint" if self.as_ == "interval" else "!="
        for group in groups.values():
            for i, b in enumerate(group):
                # One finding per claim that contradicts earlier ones: it names the first
                # contradicted claim in its message and all of them as related locations.
                earlier = [a for a in group[:i] if self._conflict(a, b, op)]
                if earlier:
                    roles = {"a": earlier[0], "b": b}
                    related = [(a, self.related.render({"a": a, "b": b})) for a in earlier]
                    yield ctx.finding(self, self.message.render(roles), b, related)

    def _conflict(self, a: Claim, b: Claim, op: str) -> bool:
        if self.cross_origin_only and a.origin == b.origin:
            return False
        if self.dated_only and not compare(a.date, "overlaps", b.date):
            return False
        if self.unless_dates_differ and compare(a.date, "disjoint", b.date):
            return False
        return compare(self.field.get(a), op, self.field.get(b))


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


class PairRule(DeclarativeRule):
    """Flag a left and a right claim with equal join values when every condition holds."""

    kind = "pair"

    def __init__(self, header: Mapping[str, Any], message: Template, source: Source,
                 *, left: Selection, right: Selection, join: tuple[FieldPath, ...],
                 when: tuple[Condition, ...], related: Template) -> None:
        super().__init__(header, message, source)
        self.left, self.right, self.join, self.when = left, right, join, when
        self.related = related

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Join the two selections and test the conditions on every joined pair."""
        rights: dict[tuple[Any, ...], list[Claim]] = {}
        for claim in self.right.pick(ctx.index.of_kind(self.right.kind)):
            rights.setdefault(self._key(claim), []).append(claim)
        for left in self.left.pick(ctx.index.of_kind(self.left.kind)):
            key = self._key(left)
            if None in key:
                continue
            for right in rights.get(key, ()):
                if right is not left and all(c.holds(left, right) for c in self.when):
                    roles = {"left": left, "right": right}
                    yield ctx.finding(self, self.message.render(roles), left,
                                      [(right, self.related.render(roles))])

    def _key(self, claim: Claim) -> tuple[Any, ...]:
        return tuple(_hashable(p.get(claim)) for p in self.join)


class SumRule(DeclarativeRule):
    """Flag a claim whose listed numbers cannot add up to the target within the tolerance.

    Numbers are added as they are; quantities (e.g. `items[].percent`) as intervals, so
    "20-30%" items flag only when no choice within the ranges reaches the target.
    """

    kind = "sum"

    def __init__(self, header: Mapping[str, Any], message: Template, source: Source,
                 *, select: Selection, sum_of: FieldPath, target: Decimal,
                 tolerance: Decimal) -> None:
        super().__init__(header, message, source)
        self.select, self.sum_of, self.target, self.tolerance = select, sum_of, target, tolerance

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Add up the numbers of every selected claim."""
        for claim in self.select.pick(ctx.index.of_kind(self.select.kind)):
            bounds = [_bounds(v) for v in _flatten(self.sum_of.get(claim))]
            if not bounds or any(b is None for b in bounds):
                continue
            low = sum((b[0] for b in bounds if b is not None), Decimal(0))
            highs = [b[1] for b in bounds if b is not None]
            high = None
            if None not in highs:
                high = sum((h for h in highs if h is not None), Decimal(0))
            too_low = high is not None and high + self.tolerance < self.target
            if too_low or low - self.tolerance > self.target:
                total = describe(low) if low == high else f"{describe(low)}-{describe(high)}"
                roles = {"claim": claim, "total": total, "target": self.target,
                         "tolerance": self.tolerance}
                yield ctx.finding(self, self.message.render(roles), claim)


def _bounds(value: Any) -> tuple[Decimal, Decimal | None] | None:
    """Return a number or a count-like quantity as (low, high); None for anything else."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value), Decimal(value)
    found = _interval(value)
    if found is None or found[0] == "date" or found[0].startswith("money:"):
        return None
    low, high = found[1]
    return Decimal(low), None if high is None else Decimal(high)


class PhraseRule(DeclarativeRule):
    """Flag phrases and patterns in the plain text of every block; `good` is the better phrase.

    Phrases (`tokens`, `swap`) are literals, matched case-insensitively as whole words. Patterns
    are RE2 regular expressions, matched case-insensitively wherever they match; RE2 runs in
    time linear in the text, so no pattern can backtrack catastrophically.
    """

    def __init__(self, header: Mapping[str, Any], message: Template, source: Source,
                 *, swap: Mapping[str, str | None],
                 patterns: Sequence[tuple[Any, str | None]] = ()) -> None:
        super().__init__(header, message, source)
        self.kind = str(header["kind"])
        self.phrases = tuple(swap)
        self.good = tuple(swap.values())
        self.patterns = tuple(patterns)
        self.pattern: re.Pattern[str] | None = None
        if self.phrases:
            # Escaped literals only, so matching is linear; longest first so the longest wins.
            order = sorted(range(len(self.phrases)), key=lambda i: (-len(self.phrases[i]), i))
            alternatives = "|".join(f"(?P<p{i}>{re.escape(self.phrases[i])})" for i in order)
            self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Search every block of every document in scope."""
        for doc in ctx.documents:
            for inline in _inlines(doc):
                text = inline.text
                for start, end, good, subject in self._hits(text):
                    lo, hi = inline.span(start, end)
                    loc = doc.location(lo, hi)
                    span = Span(doc.path, loc.line, loc.column, loc.end_line, loc.end_column, text)
                    roles = {"match": text[start:end], "good": good}
                    yield ctx.finding_at(self, self.message.render(roles), span,
                                         subject=subject or text[start:end].casefold())

    def _hits(self, text: str) -> list[tuple[int, int, str | None, str | None]]:
        """Return (start, end, good, subject) of every phrase and pattern match, in order."""
        hits: list[tuple[int, int, str | None, str | None]] = []
        if self.pattern is not None:
            for m in self.pattern.finditer(text):
                index = int((m.lastgroup or "p0")[1:])
                hits.append((m.start(), m.end(), self.good[index],
                             self.phrases[index].casefold()))
        for regex, good in self.patterns:
            hits.extend((start, end, good, None) for start, end in regex_spans(regex, text))
        if self.patterns:
            hits.sort(key=lambda hit: (hit[0], -hit[1]))
        return hits


def compile_pattern(pattern: str) -> Any:
    """Compile an RE2 pattern, matched case-insensitively; raise ValueError saying why not.

    RE2 guarantees time linear in the text: it has no backreferences and no lookaround, and a
    pattern that uses them does not compile. A pattern that matches the empty text is refused,
    since it would match at every position.
    """
    try:
        re2: Any = importlib.import_module("re2")
    except ImportError:
        raise ValueError("patterns need the google-re2 package (`pip install google-re2`)"
                         ) from None
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(f"not a valid RE2 regular expression: {reason}") from None
    if compiled.search(b"") is not None:
        raise ValueError("the pattern matches the empty text, so it would match everywhere")
    return compiled


def regex_spans(compiled: Any, text: str) -> Iterator[tuple[int, int]]:
    """Yield the (start, end) character offsets of the non-empty matches of an RE2 pattern.

    The text is searched as UTF-8 bytes, encoded once, and byte offsets are turned into
    character offsets incrementally, so the whole search stays linear in the text.
    """
    data = text.encode("utf-8", "surrogatepass")
    if len(data) == len(text):  # ASCII: byte offsets are character offsets
        for m in compiled.finditer(data):
            start, end = m.span()
            if end > start:
                yield start, end
        return
    chars, done = 0, 0
    for m in compiled.finditer(data):
        start, end = m.span()
        if end == start:
            continue
        try:
            before = len(data[done:start].decode("utf-8", "surrogatepass"))
            length = len(data[start:end].decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:  # a match that splits a character cannot be placed
            continue
        chars, done = chars + before, start
        yield chars, chars + length


def _inlines(doc: Document) -> Iterator[Inline]:
    """Yield the plain text of every block: headings, paragraphs, list items, table cells."""
    from factcheck.document import Table

    for block in doc.blocks:
        if isinstance(block, Table):
            for row in (block.header, *block.rows):
                yield from (cell.inline for cell in row)
        else:
            yield block.inline


# -- loading --------------------------------------------------------------------------------

_ROLES: dict[str, dict[str, str | None]] = {
    # role -> the selection (field of the rule) its claims come from, None for plain values
    "consistency": {"a": "select", "b": "select"},
    "pair": {"left": "left", "right": "right"},
    "sum": {"claim": "select", "total": None, "target": None, "tolerance": None},
    "existence": {"match": None},
    "substitution": {"match": None, "good": None},
}
_DEFAULT_RELATED = {"consistency": "{a.evidence}", "pair": "{right.evidence}"}


# Cache namespace of rule files known to be valid; an entry holds the file's data as JSON.
CACHE_NAMESPACE = "rules"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "rules.schema.json"


def load_rule_dir(directory: Path, *, cache: Cache | None = None) -> list[DeclarativeRule]:
    """Load every rule file (`*.yaml`, `*.yml`) of a folder, in name order."""
    if not directory.is_dir():
        raise ConfigError(str(directory), 1, 1, "rules folder not found")
    files = sorted(
        p for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.name not in NOT_RULE_FILES and p.is_file()
    )
    return [r for p in files for r in load_rule_file(p, cache=cache)]


def load_rule_file(path: Path, *, cache: Cache | None = None) -> list[DeclarativeRule]:
    """Load, validate and compile one YAML rule file; errors name path:line:column.

    A file whose exact bytes were valid before (under this schema and factcheck version) is
    neither parsed as YAML nor checked against the schema again, so neither ruamel.yaml nor
    jsonschema is imported: its data comes as JSON from the entries shipped for factcheck's
    own rule files (`factcheck.cache.prevalidated`) or from the `cache`. Its rules are still
    compiled, which checks every field path, template and pattern. Without a cache nothing
    is written.
    """
    from factcheck._yaml import Located, load_data, plain_json, read_source
    from factcheck.cache import key_of, prevalidated

    raw, text = read_source(path)
    where = str(path)
    key = key_of(CACHE_NAMESPACE, _schema_bytes(), raw)
    hit = prevalidated(CACHE_NAMESPACE, key)
    if hit is None and cache is not None:
        hit = cache.get(CACHE_NAMESPACE, key)
    data = None
    if hit is not None:
        try:
            data = json.loads(hit)
        except ValueError:
            data = None
    known_valid = isinstance(data, dict)
    loader = _Loader(Located(where, text, data if known_valid else load_data(where, text)))
    if not known_valid:
        loader.validate()
    rules = [loader.build(i, spec) for i, spec in enumerate(loader.root["rules"])]
    if cache is not None and not known_valid:
        blob = plain_json(loader.root)
        if blob is not None:
            cache.put(CACHE_NAMESPACE, key, blob)
    return rules


@functools.cache
def _schema_bytes() -> bytes:
    return SCHEMA_PATH.read_bytes()


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(_schema_bytes()))


@dataclass
class _Loader:
    located: Located

    @property
    def path(self) -> str:
        return self.located.path

    @property
    def root(self) -> Any:
        return self.located.data

    def error(self, loc: Loc, reason: str) -> ConfigError:
        return self.located.error(loc, reason)

    def validate(self) -> None:
        """Check the file against the rules schema; report the most relevant error."""
        from jsonschema.exceptions import best_match

        error = best_match(_validator().iter_errors(self.root))
        if error is None:
            return
        loc: Loc = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [k for k in error.instance if k not in allowed]
            if extra:
                loc, message = (*loc, extra[0]), f"unknown field `{extra[0]}`"
        elif error.schema is False:
            node = self._node(loc)
            if isinstance(node, dict):
                # jsonschema leaves the key of a `false` property schema out of the path;
                # the only `false` schemas are the fields a kind's branch rules out.
                branch = next(b["then"]["properties"]
                              for b in _validator().schema["$defs"]["rule"]["allOf"]
                              if b["if"]["properties"]["kind"]["const"] == node.get("kind"))
                loc = (*loc, next(k for k in node if branch.get(k) is False))
            kind = self._node(loc[:-1]).get("kind", "?")
            message = f"`{loc[-1]}` does not apply to `{kind}` rules"
        where = _dotted(loc)
        raise self.error(loc, f"{where}: {message}" if where else message)

    def _node(self, loc: Loc) -> Any:
        node = self.root
        for key in loc:
            node = node[key]
        return node

    def build(self, index: int, spec: Mapping[str, Any]) -> DeclarativeRule:
        """Compile one validated rule."""
        at: Loc = ("rules", index)
        kind = str(spec["kind"])
        models = _claim_models()
        selections: dict[str, Selection] = {}
        for field in ("select", "left", "right"):
            if field in spec:
                selections[field] = self.selection(spec[field], (*at, field), models)

        def model(field: str) -> type[Record]:
            return models[selections[field].kind]

        def path(text: str, loc: Loc, *fields: str) -> FieldPath:
            parsed = FieldPath.parse(str(text))
            for field in fields:
                problem = _path_error(model(field), parsed)
                if problem is not None:
                    raise self.error(loc, f"{_dotted(loc)}: {problem}")
            return parsed

        def template(field: str, default: str | None = None) -> Template:
            text = spec.get(field, default)
            loc = (*at, field) if field in spec else (*at, "kind")
            try:
                parsed = Template.parse(str(text))
            except ValueError as exc:
                raise self.error(loc, f"{_dotted(loc)}: {exc}") from None
            roles = _ROLES[kind]
            for role, role_path in parsed.placeholders():
                if role not in roles:
                    known = ", ".join(f"{{{r}}}" for r in roles)
                    raise self.error(loc, f"{_dotted(loc)}: unknown placeholder {{{role}}} in "
                                          f"`{kind}` rules (known: {known})")
                source = roles[role]
                if role_path is not None:
                    if source is None:
                        raise self.error(loc, f"{_dotted(loc)}: {{{role}}} has no fields")
                    path(role_path.text, loc, source)
            return parsed

        def source() -> tuple[str, int, int]:
            return (self.path, *self._position(at))

        message = template("message")
        if kind == "consistency":
            return ConsistencyRule(
                spec, message, source,
                select=selections["select"],
                group_by=tuple(path(p, (*at, "group_by", i), "select")
                               for i, p in enumerate(spec["group_by"])),
                field=path(spec["compare"]["field"], (*at, "compare", "field"), "select"),
                as_=str(spec["compare"]["as"]),
                unless_dates_differ=bool(spec.get("unless_dates_differ", False)),
                dated_only=bool(spec.get("dated_only", False)),
                cross_origin_only=bool(spec.get("cross_origin_only", False)),
                related=template("related_message", _DEFAULT_RELATED[kind]),
            )
        if kind == "pair":
            conditions = []
            for i, cond in enumerate(spec["when"]):
                loc = (*at, "when", i)
                operands = [
                    (role, _literal(cond[role]) if role == "value"
                     else path(cond[role], (*loc, role), role))
                    for role in ("left", "right", "value") if role in cond
                ]
                conditions.append(Condition(operands[0], str(cond["op"]), operands[1]))
            return PairRule(
                spec, message, source,
                left=selections["left"],
                right=selections["right"],
                join=tuple(path(p, (*at, "join", i), "left", "right")
                           for i, p in enumerate(spec["join"])),
                when=tuple(conditions),
                related=template("related_message", _DEFAULT_RELATED[kind]),
            )
        if kind == "sum":
            return SumRule(
                spec, message, source,
                select=selections["select"],
                sum_of=path(spec["sum_of"], (*at, "sum_of"), "select"),
                target=_literal(spec["target"]),
                tolerance=_literal(spec["tolerance"]),
            )
        swap: dict[str, str | None]
        if kind == "existence":
            swap = dict.fromkeys((str(t) for t in spec.get("tokens", ())), None)
        else:
            swap = {str(k): str(v) for k, v in spec.get("swap", {}).items()}
        return PhraseRule(spec, message, source, swap=swap,
                          patterns=self.patterns(spec.get("patterns"), (*at, "patterns")))

    def patterns(self, spec: Any, loc: Loc) -> list[tuple[Any, str | None]]:
        """Compile `patterns`: a list (existence) or a pattern -> phrase mapping (substitution)."""
        if spec is None:
            return []
        items: list[tuple[str | int, str, str | None]]
        if isinstance(spec, dict):
            items = [(str(k), str(k), str(v)) for k, v in spec.items()]
        else:
            items = [(i, str(p), None) for i, p in enumerate(spec)]
        compiled = []
        for step, pattern, good in items:
            try:
                compiled.append((compile_pattern(pattern), good))
            except ValueError as exc:
                raise self.error((*loc, step), f"{_dotted(loc)}[{step!r}]: {exc}") from None
        return compiled

    def selection(self, spec: Mapping[str, Any], loc: Loc,
                  models: Mapping[str, type[Record]]) -> Selection:
        kind = str(spec["kind"])
        where = []
        for key, accepted in spec.get("where", {}).items():
            parsed = FieldPath.parse(str(key))
            problem = _path_error(models[kind], parsed)
            if problem is not None:
                raise self.error((*loc, "where", key), f"{_dotted((*loc, 'where'))}: {problem}")
            values = accepted if isinstance(accepted, list) else [accepted]
            where.append((parsed, tuple(_literal(v) for v in values)))
        return Selection(kind, tuple(where))

    def _position(self, loc: Loc) -> tuple[int, int]:
        return self.located.position(loc)


def _dotted(loc: Loc) -> str:
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
