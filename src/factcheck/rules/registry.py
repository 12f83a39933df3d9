"""Find rules: Python rules through the `factcheck.rules` entry points, YAML rules in folders."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Collection, Iterable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.errors import ConfigError
from factcheck.findings import Severity
from factcheck.rules.base import Rule

if TYPE_CHECKING:
    from factcheck.cache import Cache

ENTRY_POINT_GROUP = "factcheck.rules"
INTERNAL_ERROR = "FC000"  # reserved for a rule that raised; no rule may use it

_CODE = re.compile(r"^[A-Z]{2,4}[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DOC_FIELDS = ("summary", "rationale", "example", "fix")


def builtin_rules_dir() -> Path:
    """Return the folder of built-in YAML rules: in the wheel, or the repository's rules/."""
    from factcheck.vocab import data_dir

    return data_dir()


def load_rules(
    rule_dirs: Sequence[str | Path] = (), *, plugins: bool = True, cache: Cache | None = None
) -> list[Rule]:
    """Return every rule sorted by code: entry-point rules, built-in YAML, then `rule_dirs`.

    With `plugins=False` only factcheck's own rules are loaded (for its documentation). With a
    `cache`, YAML rule files that were valid before are not parsed or validated again (see
    `load_rule_file`); without one, nothing is written anywhere.
    """
    from factcheck.rules.declarative import load_rule_dir

    found: list[Rule] = []
    if plugins:
        for name, value in _entry_points(cache):
            found.extend(_from_entry_point(name, value))
    else:
        from factcheck.rules.builtin import RULES

        found.extend(_as_rules(RULES, "factcheck.rules.builtin:RULES"))
    for directory in (builtin_rules_dir(), *map(Path, rule_dirs)):
        found.extend(load_rule_dir(directory, cache=cache))
    by_code: dict[str, Rule] = {}
    by_name: dict[str, Rule] = {}
    for rule in found:
        _check_identity(rule)
        for key, seen in ((rule.code, by_code), (rule.name, by_name)):
            if key in seen:
                path, line, column = seen[key].defined_at()
                raise ConfigError(*rule.defined_at(),
                                  f"rule {key} is already defined at {path}:{line}:{column}")
            seen[key] = rule
    return sorted(found, key=lambda r: r.code)


_ENTRY_POINT_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(?::\s*(?P<attr>[\w.]+)\s*)?"
                                r"(?:\[.*\]\s*)?$")


def _entry_points(cache: Cache | None) -> list[tuple[str, str]]:
    """Return the (name, value) of every `factcheck.rules` entry point, sorted.

    Scanning the installed distributions costs about 20 ms a run. With a `cache` the list is
    kept under a key of the import path's folders and their modification times, which change
    whenever a distribution is installed or removed there.
    """
    key = None
    if cache is not None and cache.enabled:
        from factcheck.cache import key_of

        stamps = []
        for folder in sys.path:
            try:
                stamps.append(f"{folder} {os.stat(folder or '.').st_mtime_ns}")
            except OSError:
                stamps.append(f"{folder} missing")
        key = key_of(ENTRY_POINT_GROUP, sys.version, *stamps)
        raw = cache.get("entry-points", key)
        if raw is not None:
            try:
                return [(str(name), str(value)) for name, value in json.loads(raw)]
            except (ValueError, TypeError):
                pass
    from importlib.metadata import entry_points

    found = sorted({(ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP)})
    if key is not None and cache is not None:
        cache.put("entry-points", key, json.dumps(found).encode())
    return found


def _from_entry_point(name: str, value: str) -> list[Rule]:
    where = f"{name} = {value}"
    try:
        obj = _load_object(value)
    except Exception as exc:  # a broken plugin is a configuration error, not a crash
        raise ConfigError(f"entry point {where}", 1, 1,
                          f"cannot load: {type(exc).__name__}: {exc}") from None
    return _as_rules(obj, f"entry point {where}")


def _load_object(value: str) -> Any:
    """Import what an entry point names, `module` or `module:attribute.path`."""
    match = _ENTRY_POINT_VALUE.match(value)
    if match is None:
        raise ValueError(f"not an entry point reference: {value!r}")
    obj: Any = import_module(match["module"])
    for part in filter(None, (match["attr"] or "").split(".")):
        obj = getattr(obj, part)
    return obj


def _as_rules(obj: Any, where: str) -> list[Rule]:
    """Accept a Rule class, a Rule instance, or an iterable of them."""
    items: Iterable[Any] = obj if isinstance(obj, Iterable) and not isinstance(obj, str) else [obj]
    rules: list[Rule] = []
    for item in items:
        if isinstance(item, type) and issubclass(item, Rule):
            rules.append(item())
        elif isinstance(item, Rule):
            rules.append(item)
        else:
            raise ConfigError(where, 1, 1,
                              f"expected Rule classes or instances, got {type(item).__name__}")
    return rules


def _check_identity(rule: Rule) -> None:
    """Check the fields every rule must have, so docs and output never lack one."""
    def fail(reason: str) -> ConfigError:
        return ConfigError(*rule.defined_at(), f"{type(rule).__name__}: {reason}")

    code = getattr(rule, "code", None)
    if not isinstance(code, str) or not _CODE.match(code) or code == INTERNAL_ERROR:
        raise fail(f"code {code!r} is not two to four capitals and three digits "
                   f"(and not {INTERNAL_ERROR})")
    name = getattr(rule, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail(f"{code}: name {name!r} is not kebab-case")
    if not isinstance(getattr(rule, "severity", None), Severity):
        raise fail(f"{code}: severity must be a Severity")
    if getattr(rule, "scope", None) not in ("document", "set"):
        raise fail(f"{code}: scope must be 'document' or 'set'")
    for field in _DOC_FIELDS:
        value = getattr(rule, field, None)
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{code}: `{field}` is missing; every rule documents itself")


def find_rule(rules: Iterable[Rule], code_or_name: str) -> Rule | None:
    """Return the rule with this code (any case) or name, or None."""
    wanted = code_or_name.strip()
    return next((r for r in rules if wanted.upper() == r.code or wanted == r.name), None)


def select_rules(
    rules: Sequence[Rule],
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
) -> list[Rule]:
    """Keep rules matching a `select` entry and no `ignore` entry.

    An entry is a code, a code prefix such as `FC2`, or a rule name; one that matches no
    rule raises ValueError, so a typo does not silently select nothing.
    """
    def matching(selector: str) -> set[str]:
        hits = {r.code for r in rules
                if selector == r.name or r.code.startswith(selector.upper())}
        if not selector or not hits:
            raise ValueError(f"unknown rule or rule prefix: {selector!r}")
        return hits

    chosen = {r.code for r in rules} if select is None else set().union(*map(matching, select))
    dropped: set[str] = set().union(*map(matching, ignore or ()))
    return [r for r in rules if r.code in chosen - dropped]
