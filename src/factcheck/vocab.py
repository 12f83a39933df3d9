"""The vocabulary: which headers, cell values and phrases mean which claim field."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from factcheck._yaml import Located, load_data, plain_json, read_source
from factcheck.errors import ConfigError
from factcheck.records import Invalid, Record, meta, record, validate

if TYPE_CHECKING:
    from factcheck.cache import Cache

T = TypeVar("T")


class _Strict(Record):
    __slots__ = ()
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


@record
class Threshold(_Strict):
    currency: str
    amount: Decimal


@record
class MaturityStage(_Strict):
    stage: str
    level: int
    phrases: tuple[str, ...]


@record
class StatusTerm(_Strict):
    status: str
    threshold: Threshold | None = None
    phrases: tuple[str, ...]


@record
class Retraction(_Strict):
    markers: tuple[str, ...]


@record
class Revenue(_Strict):
    revenue_target: tuple[str, ...]
    arr: tuple[str, ...]
    revenue: tuple[str, ...]


@record
class Phrases(_Strict):
    open_weights: dict[str, tuple[str, ...]]
    negations: tuple[str, ...]
    maturity: tuple[MaturityStage, ...]
    status: tuple[StatusTerm, ...]
    retraction: Retraction
    revenue: Revenue
    valuation: tuple[str, ...]
    superlatives: tuple[str, ...]
    hypothetical: tuple[str, ...]
    funding_rounds: tuple[str, ...]
    round_additional: tuple[str, ...]
    total_funding: tuple[str, ...]
    roles: tuple[str, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Vocabulary(_Strict):
    """Column names, cell values and phrases, all compared case-insensitively."""

    columns: dict[str, tuple[str, ...]] = meta("Claim field -> header texts.")
    values: dict[str, dict[str, tuple[str, ...]]] = meta("Field -> value -> cells.")
    phrases: Phrases

    # Derived from the fields, and patterns compiled from them: not fields. Declared as class
    # variables, which dataclasses and pydantic leave alone, and set on each instance.
    _columns: ClassVar[dict[str, str]]
    _memo: ClassVar[dict[str, Any]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_columns", {
            normalise_label(h): field for field, headers in self.columns.items() for h in headers
        })
        object.__setattr__(self, "_memo", {})

    def memo(self, key: str, build: Callable[[Vocabulary], T]) -> T:
        """Return `build(self)`, computed once per vocabulary (e.g. compiled patterns)."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return cast(T, self._memo[key])

    def column_field(self, header: str) -> str | None:
        """Return the field a table header names, or None."""
        label = normalise_label(header)
        # "Scenario, to end-2027" and "Valuation (post-money)" name their first words' column.
        return self._columns.get(label) or self._columns.get(re.split(r"\s*[,(]", label)[0])

    def cell_value(self, field: str, cell: str) -> str | None:
        """Return the vocabulary value a cell denotes for `field`, or None."""
        text = normalise_label(cell)
        for value, cells in self.values.get(field, {}).items():
            if text in cells:
                return value
        # A cell like "✅ Yes (Apache 2.0)" starts with a known value.
        for value, cells in self.values.get(field, {}).items():
            for known in cells:
                if text.startswith(known + " ") or text.startswith(known + "("):
                    return value
        return None

    def merged(self, other: Vocabulary) -> Vocabulary:
        """Return this vocabulary extended by `other` (lists are concatenated)."""
        columns = {
            k: tuple(dict.fromkeys(self.columns.get(k, ()) + other.columns.get(k, ())))
            for k in self.columns.keys() | other.columns.keys()
        }
        values: dict[str, dict[str, tuple[str, ...]]] = {}
        for field in self.values.keys() | other.values.keys():
            mine, theirs = self.values.get(field, {}), other.values.get(field, {})
            values[field] = {
                v: tuple(dict.fromkeys(mine.get(v, ()) + theirs.get(v, ())))
                for v in mine.keys() | theirs.keys()
            }
        return Vocabulary(columns=columns, values=values, phrases=other.phrases)


def normalise_label(text: str) -> str:
    """Lower-case, drop markup characters and collapse whitespace."""
    # Most labels hold no markup: testing for it is cheaper than replacing nothing.
    if "*" in text:
        text = text.replace("*", "")
    if "_" in text:
        text = text.replace("_", " ")
    if "`" in text:
        text = text.replace("`", "")
    return " ".join(text.split()).casefold()


def data_dir() -> Path:
    """Return the folder of built-in rules and vocabularies (in the wheel or the repository)."""
    packaged = Path(__file__).parent / "_data" / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def _normalise_lists(vocab: Vocabulary) -> Vocabulary:
    """Fold the case of every header and value once, so lookups need not."""
    return vocab.model_copy(
        update={
            "columns": {k: tuple(normalise_label(h) for h in v) for k, v in vocab.columns.items()},
            "values": {
                f: {v: tuple(normalise_label(c) for c in cells) for v, cells in vals.items()}
                for f, vals in vocab.values.items()
            },
        }
    )


# Cache namespace of vocabulary files known to be valid; an entry holds the file's data as JSON.
CACHE_NAMESPACE = "vocabulary"


def load_vocabulary_file(path: Path, *, cache: Cache | None = None) -> Vocabulary:
    """Load and validate one vocabulary file; errors name path:line:column.

    A file whose exact bytes were valid before is not parsed as YAML again: its data comes as
    JSON from the entry shipped for factcheck's own vocabulary
    (`factcheck.cache.prevalidated`) or from the `cache` (and is checked again: without
    pydantic when it conforms).
    """
    from factcheck.cache import key_of, prevalidated

    raw, text = read_source(path)
    key = key_of(CACHE_NAMESPACE, raw)
    hit = prevalidated(CACHE_NAMESPACE, key)
    if hit is None and cache is not None:
        hit = cache.get(CACHE_NAMESPACE, key)
    if hit is not None:
        try:
            return _validated(Located(str(path), text, json.loads(hit)))
        except (ValueError, ConfigError):
            pass  # a foreign or outdated entry: load the file as if it were not cached
    located = Located(str(path), text, load_data(str(path), text))
    vocab = _validated(located)
    if cache is not None:
        blob = plain_json(located.data)
        if blob is not None:
            cache.put(CACHE_NAMESPACE, key, blob)
    return vocab


def _validated(located: Located) -> Vocabulary:
    try:
        return _normalise_lists(validate(Vocabulary, located.data))
    except Invalid as exc:
        loc = [str(p) if not isinstance(p, int) else p for p in exc.loc]
        where = ".".join(str(p) for p in exc.loc)
        raise located.error(loc, f"{where}: {exc.msg}") from None


_DEFAULT: list[Vocabulary] = []


def default_vocabulary(cache: Cache | None = None) -> Vocabulary:
    """Return the built-in vocabulary; a configuration's `vocabulary` files extend it.

    It is loaded once per process (through `cache` when one is given, on the first call).
    """
    if not _DEFAULT:
        _DEFAULT.append(load_vocabulary_file(data_dir() / "vocabulary.yaml", cache=cache))
    return _DEFAULT[0]
