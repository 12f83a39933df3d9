"""Write src/factcheck/_prevalidated.json: the shipped rule files and vocabulary, validated.

factcheck then neither parses its own YAML files nor validates them against the schema at run
time (see `factcheck.cache.prevalidated`). Run it after editing a file under `rules/`, the rule
schema or the version; `tests/test_prevalidated.py` fails until then.

    python scripts/prevalidate.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from factcheck import cache as cache_module
from factcheck.cache import Cache
from factcheck.rules.declarative import load_rule_dir
from factcheck.vocab import data_dir, load_vocabulary_file


def entries() -> str:
    """Return the text of `_prevalidated.json` for the files as they are now."""
    saved = cache_module.PREVALIDATED_PATH
    cache_module.PREVALIDATED_PATH = Path("/nonexistent/prevalidated.json")
    cache_module._prevalidated.cache_clear()
    try:
        with tempfile.TemporaryDirectory() as folder:
            # Loading through an empty cache validates every file for real and stores it.
            cache = Cache(folder)
            load_rule_dir(data_dir(), cache=cache)
            load_vocabulary_file(data_dir() / "vocabulary.yaml", cache=cache)
            found = {}
            for entry in sorted(Path(folder).glob("*/*/*")):
                namespace, key = entry.parent.parent.name, entry.name
                data = cache.get(namespace, key)
                assert data is not None
                found[f"{namespace}/{key}"] = data.decode()
    finally:
        cache_module.PREVALIDATED_PATH = saved
        cache_module._prevalidated.cache_clear()
    return json.dumps(found, indent=0, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with --check say whether it is up to date (exit 1 if not)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    wanted = entries()
    path = cache_module.PREVALIDATED_PATH
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if args.check:
        if current != wanted:
            print(f"{path} is out of date: run python scripts/prevalidate.py", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        temp = path.with_suffix(".tmp")
        temp.write_text(wanted, encoding="utf-8")
        temp.replace(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
