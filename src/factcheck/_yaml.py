"""Safe YAML loading that remembers where every node came from, for file:line:column errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from factcheck.errors import ConfigError


def load_yaml(path: Path) -> Any:
    """Load a YAML file with ruamel.yaml's round-trip loader, refusing Python-object tags."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), 1, 1, f"cannot read: {exc}") from None
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError(str(path), line, col, str(exc.problem or exc.context)) from None
    except YAMLError as exc:
        raise ConfigError(str(path), 1, 1, str(exc).splitlines()[0]) from None


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
