"""An on-disk cache of derived data, keyed by content hashes: `.factcheck_cache/` by default.

Entries are immutable files named by the hash of everything that determines them (input bytes,
factcheck version, rule and vocabulary versions, options), so a changed input is a new key, never
a stale hit. Writes go to a temporary file that is renamed into place: readers see a whole entry
or none, and two runs writing the same key at once both succeed. A damaged or unreadable entry is
a miss. The cache never raises: when the folder cannot be written, factcheck works without it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

from factcheck._version import __version__

CACHE_DIR_NAME = ".factcheck_cache"
ENV_CACHE_DIR = "FACTCHECK_CACHE_DIR"
ENV_NO_CACHE = "FACTCHECK_NO_CACHE"

# Each entry starts with this magic and the hash of the rest, so a truncated or foreign file is a
# miss, not garbage handed back to the caller.
_MAGIC = b"FCC1"
_DIGEST = 16


#: Entries for the files factcheck ships (its rule files and vocabulary), made when they were
#: written by `python scripts/prevalidate.py` (a test checks that it is up to date). Their keys
#: are the same as the cache's: a shipped file is not parsed as YAML or checked against the
#: schema at run time, with or without a cache. A file that differs from the shipped one has
#: another key, so it is parsed and validated as any other.
PREVALIDATED_PATH = Path(__file__).parent / "_prevalidated.json"


def prevalidated(namespace: str, key: str) -> bytes | None:
    """Return the shipped entry of `namespace` at `key`, or None."""
    text = _prevalidated().get(f"{namespace}/{key}")
    return None if text is None else text.encode()


@functools.cache
def _prevalidated() -> dict[str, str]:
    try:
        data = json.loads(PREVALIDATED_PATH.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def key_of(*parts: str | bytes) -> str:
    """Return a hex key for the parts (length-prefixed, so ('ab', 'c') != ('a', 'bc'))."""
    h = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Cache:
    """A folder of entries grouped by namespace; `Cache(None)` is a cache that is always empty."""

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        self.root = None if root is None else Path(root)
        self.hits = 0
        self.misses = 0
        self._counts: dict[str, list[int]] = {}

    def counts(self, namespace: str) -> tuple[int, int]:
        """Return the (hits, misses) of one namespace in this process."""
        hits, misses = self._counts.get(namespace, (0, 0))
        return hits, misses

    def _count(self, namespace: str, hit: bool) -> None:
        if hit:
            self.hits += 1
        else:
            self.misses += 1
        self._counts.setdefault(namespace, [0, 0])[0 if hit else 1] += 1

    @property
    def enabled(self) -> bool:
        """Whether entries are read and written at all."""
        return self.root is not None

    def _path(self, namespace: str, key: str) -> Path:
        assert self.root is not None
        return self.root / namespace / key[:2] / key

    def get(self, namespace: str, key: str) -> bytes | None:
        """Return the entry's bytes, or None if it is missing, damaged or the cache is off."""
        if self.root is None:
            return None
        try:
            raw = self._path(namespace, key).read_bytes()
        except OSError:
            self._count(namespace, False)
            return None
        head = len(_MAGIC) + _DIGEST
        body = raw[head:]
        if raw[:len(_MAGIC)] != _MAGIC or raw[len(_MAGIC):head] != _digest(body):
            self._count(namespace, False)
            return None
        self._count(namespace, True)
        return body

    def put(self, namespace: str, key: str, data: bytes) -> None:
        """Store an entry atomically; silently do nothing if the folder cannot be written."""
        if self.root is None:
            return
        target = self._path(namespace, key)
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MAGIC + _digest(data) + data)
            os.replace(temp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        _sweep(target.parent)

    def _prepare(self) -> None:
        """Create the root with a CACHEDIR.TAG and a .gitignore, as other tools' caches do."""
        assert self.root is not None
        if (self.root / ".gitignore").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        for name, text in (
            ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                             "# This file is a cache directory tag created by factcheck.\n"),
            (".gitignore", "# Created by factcheck automatically.\n*\n"),
        ):
            path = self.root / name
            if not path.exists():
                fd, temp = tempfile.mkstemp(dir=self.root, prefix=".", suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temp, path)


# A temporary file older than this was left by a writer that died; it is removed.
_ABANDONED_AFTER_S = 600.0


def _sweep(folder: Path) -> None:
    """Remove temporary files that killed writers left in one folder of the cache."""
    import time

    now = time.time()
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        if now - entry.stat().st_mtime > _ABANDONED_AFTER_S:
                            os.unlink(entry.path)
    except OSError:
        return


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def default_cache(root: str | os.PathLike[str] | None = None, *, enabled: bool = True) -> Cache:
    """Return the cache to use: off when disabled or FACTCHECK_NO_CACHE is set; else in
    FACTCHECK_CACHE_DIR, or `.factcheck_cache` in `root` (the configuration's folder) or the
    current folder."""
    if not enabled or os.environ.get(ENV_NO_CACHE, "") not in ("", "0"):
        return Cache(None)
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Cache(explicit)
    return Cache(Path(root if root is not None else os.getcwd()) / CACHE_DIR_NAME)
