"""Configuration: `[tool.factcheck]` in pyproject.toml or `.factcheck.yaml`, found by walking up."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from factcheck.errors import ConfigError
from factcheck.findings import Severity
from factcheck.records import Invalid, Record, meta, validate

if TYPE_CHECKING:
    from factcheck.cache import Cache
    from factcheck.claims.models import Claim
    from factcheck.document import Document
    from factcheck.rules.base import Rule
    from factcheck.vocab import Vocabulary

__all__ = ["CONFIG_FILES", "Config", "find_config", "load_config"]

# Looked for in this order in each folder; a pyproject.toml counts only with [tool.factcheck].
CONFIG_FILES = (".factcheck.yaml", "pyproject.toml")

Locator = Callable[[Sequence[str | int]], tuple[int, int]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Config(Record):
    """The settings of a project; relative paths and globs are relative to its file's folder."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "populate_by_name": True}

    paths: tuple[str, ...] = meta("What `check` reads when no PATH is given.", default=())
    exclude: tuple[str, ...] = meta("Globs of files and folders to skip.", default=())
    select: tuple[str, ...] | None = meta("Rule codes, prefixes or names.", default=None)
    ignore: tuple[str, ...] = meta("Rule codes, prefixes or names to skip.", default=())
    severity: dict[str, Severity] = dataclasses.field(
        default_factory=dict,
        metadata={"description": "Rule code, prefix or name -> severity of its findings."})
    fail_level: Severity = meta("Lowest severity that fails a check.", default=Severity.ERROR,
                                alias="fail-level")
    rules: tuple[str, ...] = meta("Extra folders of YAML rules.", default=())
    vocabulary: tuple[str, ...] = meta("Extra vocabulary files.", default=())
    groups: tuple[tuple[str, ...], ...] = meta(
        "Lists of globs; the files of one list are checked as one dossier set.", default=())
    jobs: int | None = meta("Worker processes (default: the machine's cores).", default=None,
                            ge=1)
    cache: bool = meta("Keep results of unchanged dossier sets in `.factcheck_cache/` beside "
                       "this file.", default=True)
    max_file_size: int = meta("Bytes; larger files are not read but reported (0: no limit).",
                              default=2_000_000, ge=0, alias="max-file-size")
    rule_timeout: float = meta("Seconds one rule may spend on one document or set before it "
                               "is stopped and reported (FC000).", default=30.0, gt=0,
                               alias="rule-timeout")

    # Where the settings came from: not settings, so not fields. Declared as class variables,
    # which dataclasses and pydantic leave alone, and set on each instance (`load_config`).
    _source: ClassVar[str | None] = None
    _root: ClassVar[Path]
    _locate: ClassVar[functools.partial[tuple[int, int]] | None] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_root", Path.cwd())

    @property
    def root(self) -> Path:
        """Return the folder relative paths and globs are resolved from."""
        return self._root

    @property
    def source(self) -> str | None:
        """Return the file this configuration was read from, or None."""
        return self._source

    def error(self, loc: Sequence[str | int], reason: str) -> ConfigError:
        """Return a ConfigError pointing at the key `loc` of the configuration file."""
        line, column = self._locate(loc) if self._locate is not None else (1, 1)
        where = ".".join(str(p) for p in loc)
        return ConfigError(self._source or "configuration", line, column, f"{where}: {reason}")

    def resolve(self, path: str) -> str:
        """Return `path`, relative to the configuration's folder, as shown to a user."""
        return _shown(self._root / path)

    def excluded(self, file: str) -> bool:
        """Return whether `file` or one of its folders matches an `exclude` glob."""
        rel = self._relative(file)
        if rel is None:
            return False
        prefixes = ["/".join(rel.split("/")[:n]) for n in range(1, rel.count("/") + 2)]
        return any(_glob(p).fullmatch(prefix) for p in self.exclude for prefix in prefixes)

    def group_of(self, file: str) -> int | None:
        """Return the index of the first group with a glob matching `file`, or None."""
        rel = self._relative(file)
        if rel is None:
            return None
        return next((i for i, globs in enumerate(self.groups)
                     if any(_glob(g).fullmatch(rel) for g in globs)), None)

    def group_members(self, file: str) -> list[str]:
        """Return the Markdown files below the configuration's folder in `file`'s group."""
        from factcheck.engine import discover

        group = self.group_of(file)
        if group is None:
            return []
        found, _ = discover([self.resolve(".")])
        return [f for f in found if self.group_of(f) == group and not self.excluded(f)]

    def rule_selection(self, rules: Sequence[Rule], select: Iterable[str] | None,
                       ignore: Iterable[str] | None) -> list[Rule]:
        """Select rules: `select`/`ignore` when given, else this configuration's entries."""
        from factcheck.rules.registry import select_rules

        for key in ("select", "ignore"):
            for i, entry in enumerate(getattr(self, key) or ()):
                self._matching(rules, entry, (key, i))
        return select_rules(rules, list(select) if select is not None else self.select,
                            list(ignore) if ignore is not None else self.ignore)

    def severities(self, rules: Sequence[Rule]) -> dict[str, Severity]:
        """Return rule code -> configured severity; a code beats a prefix, a longer prefix a
        shorter one."""
        matched = [(self._matching(rules, key, ("severity", key)), level)
                   for key, level in self.severity.items()]
        out: dict[str, Severity] = {}
        for codes, level in sorted(matched, key=lambda m: -len(m[0])):
            out.update(dict.fromkeys(codes, level))
        return out

    def extractor(self, cache: Cache | None = None) -> Callable[[Document], list[Claim]]:
        """Return extract_claims, reading with this configuration's vocabulary files too
        (loaded through `cache` when one is given)."""
        if not self.vocabulary:
            return _extract_claims
        from factcheck.claims import extract_claims

        files = tuple(os.path.abspath(self._root / v) for v in self.vocabulary)
        return functools.partial(extract_claims, vocab=_vocabulary(files, cache))

    def _matching(self, rules: Sequence[Rule], entry: str, loc: tuple[str | int, ...]
                  ) -> list[str]:
        from factcheck.rules.registry import select_rules

        try:
            return [r.code for r in select_rules(rules, [entry])]
        except ValueError as exc:
            raise self.error(loc, str(exc)) from None

    def _relative(self, file: str) -> str | None:
        try:
            return Path(os.path.abspath(file)).relative_to(os.path.abspath(self._root)).as_posix()
        except ValueError:
            return None


def _shown(path: Path) -> str:
    """Return a path relative to the current folder if it lies below it, else absolute."""
    full = Path(os.path.abspath(path))
    try:
        return full.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return str(full)


def _extract_claims(document: Document) -> list[Claim]:
    """`extract_claims`, imported on the first call: a run whose sets are all cached never
    loads the extractor and the Markdown parser."""
    from factcheck import claims

    return claims.extract_claims(document)


@functools.cache
def _vocabulary(files: tuple[str, ...], cache: Cache | None) -> Vocabulary:
    # Cached for the life of the process: the extractor keys compiled patterns by vocabulary.
    from factcheck.vocab import default_vocabulary, load_vocabulary_file

    vocab = default_vocabulary(cache)
    for file in files:
        vocab = vocab.merged(load_vocabulary_file(Path(file), cache=cache))
    return vocab


@functools.cache
def _glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob: `*` and `?` stay within a folder, `**/` spans folders; a pattern with
    no slash matches at any depth."""
    pattern = pattern.removeprefix("./").rstrip("/")
    if "/" not in pattern:
        pattern = "**/" + pattern
    out = []
    for part in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
        out.append({"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part)
                   or re.escape(part))
    return re.compile("".join(out))


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """Return the first configuration file in `start`'s folder or above it, or None."""
    here = Path(os.path.abspath(start))
    for folder in (here, *here.parents) if here.is_dir() else here.parents:
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_table(candidate)):
                return candidate
    return None


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a configuration file; errors name path:line:column."""
    file = Path(path)
    name = _shown(file)
    if file.suffix == ".toml":
        data, locate = _read_toml(file)
    else:
        from factcheck._yaml import load_yaml, node_position

        loaded = load_yaml(Path(name))
        data = {} if loaded is None else loaded
        if not isinstance(data, dict):
            raise ConfigError(name, 1, 1, "expected a mapping of settings")
        locate = functools.partial(node_position, data)
    try:
        config = validate(Config, data)
    except Invalid as exc:
        loc = [p if isinstance(p, int) else str(p) for p in exc.loc]
        line, column = locate(loc)
        where = ".".join(map(str, loc))
        raise ConfigError(name, line, column, f"{where}: {exc.msg}") from None
    object.__setattr__(config, "_source", name)
    object.__setattr__(config, "_root", Path(os.path.abspath(file.parent)))
    object.__setattr__(config, "_locate", locate)
    return config


def discover_config(paths: Sequence[str], explicit: str | None = None,
                    enabled: bool = True) -> Config:
    """Return the configuration for a run: `explicit`, else the first found from `paths`
    (or the current folder), else the defaults."""
    if explicit is not None:
        return load_config(explicit)
    if enabled:
        for start in paths or ["."]:
            found = find_config(start)
            if found is not None:
                return load_config(found)
    return Config()


def _has_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # an unreadable pyproject.toml is some other tool's business
    try:
        return "factcheck" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return "[tool.factcheck" in text  # ours, so the syntax error is reported


def _read_toml(path: Path) -> tuple[dict[str, Any], Locator]:
    name = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(name, 1, 1, f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        last = text.split("\n")
        line, column = ((int(match[1]), int(match[2])) if match
                        else (len(last), len(last[-1]) + 1))  # "(at end of document)"
        raise ConfigError(name, line, column, str(exc).split(" (at ")[0]) from None
    table = data.get("tool", {}).get("factcheck")
    if not isinstance(table, dict):
        raise ConfigError(name, 1, 1, "no [tool.factcheck] table")
    return table, functools.partial(_toml_position, text.splitlines())


# A table header starts its line; an indented `[` is an array inside a value.
_TABLE = re.compile(r"^\[\[?[A-Za-z]")


def _toml_position(lines: list[str], loc: Sequence[str | int]) -> tuple[int, int]:
    """Find the line and column of the key at `loc` in [tool.factcheck] by scanning the text;
    tomllib keeps no positions. Falls back to the nearest key found, or the table header."""
    header = re.compile(r"^\s*\[\s*tool\.factcheck\s*\]")
    start = next((i for i, text in enumerate(lines) if header.match(text)), None)
    if start is None:
        return 1, 1
    line, column = start + 1, 1
    section_end = next((i for i in range(start + 1, len(lines))
                        if _TABLE.match(lines[i])), len(lines))
    lo, hi = start + 1, section_end
    for key in (k for k in loc if isinstance(k, str)):
        alt = rf"{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}'"
        pattern = re.compile(rf"(?:^\s*|[{{,]\s*)(?P<key>{alt})\s*=")
        sub = re.compile(rf"^\s*\[\s*tool\.factcheck\.(?:{alt})\s*\]")
        found = next(((i, m.start("key") + 1) for i in range(lo, hi)
                      if (m := pattern.search(lines[i]))), None)
        if found is None:  # maybe a [tool.factcheck.KEY] sub-table
            found = next(((i, 1) for i in range(hi, len(lines)) if sub.match(lines[i])), None)
            if found is None:
                break
            hi = next((j for j in range(found[0] + 1, len(lines))
                       if _TABLE.match(lines[j])), len(lines))
        line, column = found[0] + 1, found[1]
        lo = found[0]
    return line, column
