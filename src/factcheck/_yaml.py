"""Safe YAML loading that remembers where every node came from, for file:line:column errors.

Rule and vocabulary files are read with ruamel.yaml's safe loader, which is C-backed when
ruamel.yaml.clib is installed and builds plain dicts, lists and scalars only. The round-trip
loader, pure Python and several times slower, records the line and column of every node: it runs
only to place an error (`Located.position`), and for a file that holds a `!` at all, because only
such a file can carry a tag and the round-trip loader keeps tags so that they are refused at their
node. Neither loader ever builds a Python object from a tag such as `!!python/object/apply:...`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factcheck.errors import ConfigError

Loc = tuple[str | int, ...]

# Plain data never needs more than a few levels; deeper input is hostile or broken, and would
# exhaust the interpreter's stack in the validators.
MAX_DEPTH = 50
# Aliases let a short file stand for an exponentially large tree ("billion laughs").
MAX_NODES = 100_000


def read_source(path: Path) -> tuple[bytes, str]:
    """Return a YAML file's bytes and its text decoded as UTF-8; errors are ConfigErrors."""
    try:
        raw = path.read_bytes()
        return raw, raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), 1, 1, f"cannot read: {exc}") from None


def load_yaml(path: Path) -> Any:
    """Load a YAML file with ruamel.yaml's round-trip loader; nodes keep their positions."""
    return _load_round_trip(str(path), read_source(path)[1])


def load_data(where: str, text: str) -> Any:
    """Load YAML text as plain data, fast; errors name `where`:line:column.

    Tags are refused, as are data nested deeper than MAX_DEPTH and aliases that expand to more
    than MAX_NODES nodes. A file with a `!` is loaded with the round-trip loader, so the result
    may be ruamel's dict and list subclasses.
    """
    data = _load_round_trip(where, text) if "!" in text else _load_safe(where, text)
    located = Located(where, text, data)
    _check_shape(located, data, (), 0, {})
    return data


def _load_safe(where: str, text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="safe").load(text)
    except (YAMLError, RecursionError) as exc:
        error: BaseException = exc
    # Report the error as the round-trip loader words and places it; it refuses the same input.
    _load_round_trip(where, text)
    if isinstance(error, MarkedYAMLError):
        raise _marked(where, error) from None
    raise ConfigError(where, 1, 1, _first_line(error)) from None


def _load_round_trip(where: str, text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        raise _marked(where, exc) from None
    except YAMLError as exc:
        raise ConfigError(where, 1, 1, _first_line(exc)) from None
    except RecursionError:
        raise ConfigError(where, 1, 1, f"nested more than {MAX_DEPTH} levels deep") from None


def _marked(where: str, exc: Any) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return ConfigError(where, line, col, str(exc.problem or exc.context))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def _check_shape(located: Located, node: Any, loc: Loc, depth: int, sizes: dict[int, int]) -> int:
    """Refuse tags, deep nesting and alias bombs; return the number of nodes under `node`."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag is not None:
        raise located.error(loc, f"YAML tag {tag} is not allowed: factcheck reads plain data")
    if not isinstance(node, dict | list):
        return 1
    if depth >= MAX_DEPTH:
        raise located.error(loc, f"nested more than {MAX_DEPTH} levels deep")
    known = sizes.get(id(node))
    if known is not None:
        if known < 0:
            raise located.error(loc, "an alias refers to a node that contains it")
        return known
    sizes[id(node)] = -1  # in progress: meeting it again below is a cycle
    items = node.items() if isinstance(node, dict) else enumerate(node)
    total = 1
    for key, value in items:
        total += _check_shape(located, value, (*loc, key), depth + 1, sizes)
        if total > MAX_NODES:
            raise located.error(loc, f"more than {MAX_NODES} nodes once aliases are expanded")
    sizes[id(node)] = total
    return total


@dataclass
class Located:
    """Data loaded from a YAML file, and the means to say where any of its nodes is."""

    path: str
    text: str
    data: Any
    _tree: Any = field(default=None, repr=False)

    def position(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Return the 1-based line and column of the node at `loc` (or its nearest ancestor).

        Plain data has no positions: the text is composed again, once, into YAML nodes, which
        record them (fast: ruamel's C composer, where ruamel.yaml.clib is installed).
        """
        if hasattr(self.data, "lc"):
            return node_position(self.data, loc)
        if self._tree is None:
            from ruamel.yaml import YAML
            from ruamel.yaml.error import YAMLError

            try:
                self._tree = YAML(typ="safe").compose(self.text)
            except (YAMLError, RecursionError):
                self._tree = False
        return _mark_position(self._tree, loc) if self._tree else (1, 1)

    def error(self, loc: Sequence[str | int], reason: str) -> ConfigError:
        """Return a ConfigError at the node at `loc`."""
        return ConfigError(self.path, *self.position(loc), reason)


def node_position(root: Any, loc: Sequence[str | int]) -> tuple[int, int]:
    """Return the 1-based line and column of the node at `loc`, or of its nearest ancestor."""
    line, col = 0, 0
    node = root
    for key in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(key, int) and isinstance(node, list):
                line, col = lc.item(key)
                node = node[key]
            elif isinstance(node, dict) and key in node:
                line, col = lc.key(key)
                node = node[key]
            else:
                line, col = lc.line, lc.col
                break
        except (KeyError, IndexError, TypeError):
            break
    return line + 1, col + 1


def _mark_position(node: Any, loc: Sequence[str | int]) -> tuple[int, int]:
    """Return where the node at `loc` of a composed node tree starts, as `node_position` does:
    a mapping entry at its key, a list item at the item, else the nearest ancestor."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    mark = node.start_mark
    for key in loc:
        if isinstance(node, MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if entry is None:
                break
            mark, node = entry[0].start_mark, entry[1]
        elif isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def plain_json(data: Any) -> bytes | None:
    """Return `data` as JSON when it is plain (string keys, no other types), else None.

    Such JSON loads back as data equal to the original, so it can stand in for the YAML file.
    """
    import json

    def plain(node: Any, depth: int) -> bool:
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            return all(isinstance(k, str) and plain(v, depth + 1) for k, v in node.items())
        if isinstance(node, list):
            return all(plain(v, depth + 1) for v in node)
        return node is None or isinstance(node, str | int | float | bool)

    if not plain(data, 0):
        return None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
