"""The vocabulary: which headers, cell values and phrases mean which claim field."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from factcheck._yaml import load_yaml, node_position
from factcheck.errors import ConfigError

T = TypeVar("T")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    currency: str
    amount: Decimal


class MaturityStage(_Strict):
    stage: str
    level: int
    phrases: tuple[str, ...]


class StatusTerm(_Strict):
    status: str
    threshold: Threshold | None = None
    phrases: tuple[str, ...]


class Retraction(_Strict):
    markers: tuple[str, ...]


class Revenue(_Strict):
    revenue_target: tuple[str, ...]
    arr: tuple[str, ...]
    revenue: tuple[str, ...]


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


class Vocabulary(_Strict):
    """Column names, cell values and phrases, all compared case-insensitively."""

    columns: dict[str, tuple[str, ...]] = Field(description="Claim field -> header texts.")
    values: dict[str, dict[str, tuple[str, ...]]] = Field(description="Field -> value -> cells.")
    phrases: Phrases
    _columns: dict[str, str] = PrivateAttr(default_factory=dict)
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._columns = {
            normalise_label(h): field for field, headers in self.columns.items() for h in headers
        }

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
    return " ".join(text.replace("*", "").replace("_", " ").replace("`", "").split()).casefold()


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


def load_vocabulary_file(path: Path) -> Vocabulary:
    """Load and validate one vocabulary file; errors name path:line:column."""
    data = load_yaml(path)
    try:
        return _normalise_lists(Vocabulary.model_validate(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        line, col = node_position(
            data, [str(p) if not isinstance(p, int) else p for p in err["loc"]]
        )
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(str(path), line, col, f"{where}: {err['msg']}") from None


@functools.cache
def default_vocabulary() -> Vocabulary:
    """Return the built-in vocabulary; a configuration's `vocabulary` files extend it."""
    return load_vocabulary_file(data_dir() / "vocabulary.yaml")
