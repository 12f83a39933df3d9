"""Records: the frozen, slotted dataclasses that hold factcheck's typed data.

Claims, quantities, findings, reports, the configuration and the vocabulary are records.
Making, copying, comparing, pickling and dumping them to JSON needs no third-party module, so
a check does not pay for importing pydantic and building its validators at start-up (about
0.1 s, a third of a pre-commit run on one file).

pydantic stays where it is the right tool, imported on first use: validating data from
outside (`model_validate`: configuration and vocabulary files, JSON handed to the library)
and describing records as JSON Schema (`json_schema`). pydantic reads a record's dataclass
fields as it reads its own models: `meta("...", ge=1)` puts a description and constraints in
the field's metadata, where pydantic finds them; `__pydantic_config__` holds model settings.

Records keep the part of pydantic's model interface that factcheck and its users call:
`model_dump`, `model_copy`, `model_validate` and `model_fields`.

Data this program wrote itself (cache entries) or checked before is rebuilt by `build`,
which converts JSON values to the declared types without validating them again; `conforms`
tells whether data already has exactly the declared types and constraints, so that valid
input can skip pydantic altogether (`validate`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import operator
import re
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

R = TypeVar("R", bound="Record")

__all__ = ["FieldSpec", "Invalid", "Record", "build", "conforms", "dump", "json_schema", "meta",
           "record", "validate"]


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """A record field as callers of pydantic's `model_fields` read it."""

    name: str
    annotation: Any
    default: Any
    description: str | None
    metadata: Mapping[str, Any]

    @property
    def required(self) -> bool:
        """Return whether the field has no default."""
        return self.default is dataclasses.MISSING


class _FieldsOf:
    """`Record.model_fields`: the fields of the class it is read on, types resolved."""

    def __get__(self, obj: object, owner: type[Record]) -> dict[str, FieldSpec]:
        return fields_of(owner)


class Record:
    """Base of the records; subclasses are made with the `record` decorator."""

    __slots__ = ()

    if typing.TYPE_CHECKING:
        model_fields: ClassVar[dict[str, FieldSpec]]
        # The record's field values as a tuple, set by `record`.
        _values: ClassVar[operator.attrgetter[Any]]
    else:
        model_fields = _FieldsOf()

    # Equality, hashing and repr by field values, as dataclasses make them, written once here
    # rather than generated and compiled for every record class (half the cost of making one,
    # at every start-up).
    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._values(self) == self._values(other))

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _names(type(self)))
        return f"{type(self).__qualname__}({values})"

    def model_dump(self, *, mode: Literal["python", "json"] = "python") -> dict[str, Any]:
        """Return the fields as a dict; `mode="json"` gives JSON values (as pydantic does:
        decimals and dates as strings, tuples as lists, enums as their values)."""
        if mode == "json":
            return _dump_record(self)
        return {name: _python(getattr(self, name)) for name in _names(type(self))}

    def model_copy(self: R, *, update: Mapping[str, Any] | None = None) -> R:
        """Return a copy with the fields of `update` replaced."""
        if not update:
            return self
        return typing.cast(R, dataclasses.replace(typing.cast(Any, self), **update))

    @classmethod
    def model_validate(cls: type[R], data: Any) -> R:
        """Return a record of this class from untrusted data, or raise `Invalid` (a
        `ValueError`) with the first problem."""
        return validate(cls, data)


def _python(value: Any) -> Any:
    if isinstance(value, Record):
        return value.model_dump()
    if isinstance(value, tuple):
        return tuple(_python(v) for v in value)
    return value


def meta(description: str | None = None, *, default: Any = dataclasses.MISSING,
         **constraints: Any) -> Any:
    """A record field with a description and constraints (`ge`, `gt`, `alias`) for pydantic's
    validation and JSON Schema; records themselves do not check them."""
    metadata = dict(constraints)
    if description is not None:
        metadata["description"] = description
    return dataclasses.field(default=default, metadata=metadata)


@dataclass_transform(frozen_default=True, kw_only_default=True,
                     field_specifiers=(dataclasses.field, dataclasses.Field, meta))
def record(cls: type[R]) -> type[R]:
    """Make `cls` (a subclass of `Record`) a frozen, slotted, keyword-only dataclass."""
    made = dataclasses.dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)(cls)
    names = _names(made)
    if not names:
        raise TypeError(f"record {cls.__qualname__} has no fields")
    made._values = operator.attrgetter(*names)
    return made


def fields_of(cls: type) -> dict[str, FieldSpec]:
    """Return the fields of a record (or dataclass) class, with resolved annotations."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = _fields_of(cls)
    return found


# (Plain dicts rather than `functools.cache`: typing sees record classes as unhashable.)
_FIELDS: dict[type, dict[str, FieldSpec]] = {}
_NAMES: dict[type, tuple[str, ...]] = {}


def _fields_of(cls: type) -> dict[str, FieldSpec]:
    # Without `Annotated` extras, as pydantic's `FieldInfo.annotation` reads.
    hints = typing.get_type_hints(cls)
    out = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default: Any = f.default
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        out[f.name] = FieldSpec(f.name, hints[f.name], default, f.metadata.get("description"),
                                f.metadata)
    return out


# -- to JSON --------------------------------------------------------------------------------


def dump(value: Any) -> Any:
    """Return `value` (a record, or anything a record holds) as JSON data."""
    if isinstance(value, Record):
        return _dump_record(value)
    if isinstance(value, str | int | float | bool) or value is None:
        if isinstance(value, enum.Enum):
            return value.value
        return value
    if isinstance(value, tuple | list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {dump(k): dump(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def _dump_record(value: Record) -> dict[str, Any]:
    out = {}
    for name in _names(type(value)):
        v = getattr(value, name)
        # Most fields hold a str, int or None: answer those without the general function.
        out[name] = v if type(v) in _PLAIN else dump(v)
    return out


_PLAIN = frozenset({str, int, bool, type(None)})


def _names(cls: type) -> tuple[str, ...]:
    found = _NAMES.get(cls)
    if found is None:
        found = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return found


# -- from JSON ----------------------------------------------------------------------------


def build(cls: type[R], data: Any) -> R:
    """Rebuild a record from JSON data that is known to be valid (it was dumped by `dump` or
    passed `conforms`): convert, do not check. Wrong data raises TypeError, KeyError or
    ValueError, or makes a record with wrong values."""
    return typing.cast(R, _builder(cls)(data))


def _builder(tp: Any) -> Callable[[Any], Any]:
    return _BUILDERS.get(tp) or _BUILDERS.setdefault(tp, _make_builder(tp))


_BUILDERS: dict[Any, Callable[[Any], Any]] = {}


def _identity(value: Any) -> Any:
    return value


def _make_builder(tp: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _builder(args[0])
    if isinstance(tp, type) and issubclass(tp, Record):
        return _record_builder(tp)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            inner = _builder(options[0])
            return lambda v: None if v is None else inner(v)
        return _union_builder(options)
    if origin is tuple:
        item = _builder(args[0])
        return lambda v: tuple(item(x) for x in v)
    if origin is dict:
        key, value = _builder(args[0]), _builder(args[1])
        return lambda v: {key(k): value(x) for k, x in v.items()}
    if tp is Decimal:
        return lambda v: v if isinstance(v, Decimal) else Decimal(str(v))
    if tp is dt.date:
        return lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(v)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if tp is float:
        return float
    return _identity  # str, int, bool, Literal, Any


def _record_builder(cls: type[Record]) -> Callable[[Any], Any]:
    specs = fields_of(cls)
    parts: list[tuple[str, Callable[[Any], Any]]] = []

    def make(data: Any) -> Any:
        if not parts:
            parts.extend((name, _builder(spec.annotation)) for name, spec in specs.items())
        if isinstance(data, cls):
            return data
        return cls(**{name: convert(data[name]) for name, convert in parts if name in data})

    return make


def _union_builder(options: list[Any]) -> Callable[[Any], Any]:
    """Records told apart by their `kind` field, as pydantic's discriminated unions are."""
    kinds = {fields_of(o)["kind"].default: o for o in options
             if isinstance(o, type) and issubclass(o, Record)}
    if len(kinds) != len(options):
        raise TypeError(f"cannot build a union of {options}")
    return lambda v: _builder(kinds[v["kind"]])(v)


# -- checking -------------------------------------------------------------------------------


def conforms(tp: Any, value: Any, metadata: Mapping[str, Any] | None = None) -> bool:
    """Return whether JSON-like `value` has exactly the type `tp` (a list for a tuple, an
    enum's value for an enum, no extra keys for a record) and meets the constraints of
    `metadata` (`ge`, `gt`). A value that conforms is valid as it is, and `build` makes the
    record pydantic would; one that does not may still be valid after pydantic's coercion."""
    if metadata and not _within(value, metadata):
        return False
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return conforms(args[0], value, metadata)
    if isinstance(tp, type) and issubclass(tp, Record):
        return _record_conforms(tp, value)
    if origin in (types.UnionType, typing.Union):
        return any(conforms(a, value) for a in args)
    if origin is tuple:
        return isinstance(value, list | tuple) and all(conforms(args[0], v) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            conforms(args[0], k) and conforms(args[1], v) for k, v in value.items())
    if origin is Literal:
        return any(type(value) is type(a) and value == a for a in args)
    if tp is type(None):
        return value is None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return any(type(value) is type(m.value) and value == m.value for m in tp)
    if tp is bool:
        return type(value) is bool
    if tp is int:
        return type(value) is int
    if tp is float:
        return type(value) in (int, float)
    if tp is str:
        return type(value) is str
    if tp is Decimal:
        # Whole numbers and plain decimal strings, which pydantic reads as `Decimal(value)`.
        return type(value) is int or (type(value) is str
                                      and _PLAIN_DECIMAL.match(value) is not None)
    return False  # floats, dates and the rest: let pydantic decide


_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")


def _within(value: Any, metadata: Mapping[str, Any]) -> bool:
    if value is None:
        return True
    if type(value) not in (int, float):
        return "ge" not in metadata and "gt" not in metadata
    return (("ge" not in metadata or value >= metadata["ge"])
            and ("gt" not in metadata or value > metadata["gt"]))


def _record_conforms(cls: type[Record], value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    specs = fields_of(cls)
    aliases = {spec.metadata.get("alias", name): name for name, spec in specs.items()}
    seen = set()
    for key, item in value.items():
        name = aliases.get(key, key if key in specs else None)
        if name is None or name in seen:
            return False
        seen.add(name)
        spec = specs[name]
        if not conforms(spec.annotation, item, spec.metadata):
            return False
    return all(spec.default is not dataclasses.MISSING for name, spec in specs.items()
               if name not in seen)


class Invalid(ValueError):
    """Data that does not make a valid record: the first problem, where it is and what."""

    def __init__(self, loc: tuple[str | int, ...], msg: str) -> None:
        super().__init__(f"{'.'.join(map(str, loc))}: {msg}" if loc else msg)
        self.loc = loc
        self.msg = msg


def validate(cls: type[R], data: Any) -> R:
    """Return a record of `cls` from untrusted data, or raise `Invalid`.

    Data that `conforms` is built directly; anything else goes through pydantic, which
    coerces what it can and reports the first problem with its location.
    """
    if _record_conforms(cls, data):
        specs = fields_of(cls)
        aliases = {spec.metadata.get("alias", name): name for name, spec in specs.items()}
        return build(cls, {aliases.get(k, k): v for k, v in data.items()})
    from pydantic import ValidationError

    try:
        return typing.cast(R, _adapter(cls).validate_python(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        # Records are dataclasses, about which pydantic speaks of arguments: say it as it
        # does of its models' fields.
        msg = _MESSAGES.get(first["type"], first["msg"])
        raise Invalid(tuple(first["loc"]), msg) from None


_MESSAGES = {
    "unexpected_keyword_argument": "Extra inputs are not permitted",
    "missing_argument": "Field required",
    "missing_keyword_only_argument": "Field required",
}


def _adapter(tp: Any) -> Any:
    found = _ADAPTERS.get(tp)
    if found is None:
        from pydantic import TypeAdapter

        found = _ADAPTERS[tp] = TypeAdapter(tp)
    return found


_ADAPTERS: dict[Any, Any] = {}


def json_schema(tp: Any, ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """Return the JSON Schema of `tp` (a record class or a union of them), from pydantic."""
    return typing.cast(dict[str, Any], _adapter(tp).json_schema(ref_template=ref_template))
