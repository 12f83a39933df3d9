"""Safe fixes: rewrite files whose encoding damage factcheck can repair exactly."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from factcheck.errors import InputError

__all__ = ["Fix", "apply_fix", "plan_fixes", "unified_diff", "write_atomic"]


@dataclass(frozen=True)
class Fix:
    """A file's bytes as read and the bytes it should have."""

    path: str
    before: bytes
    after: bytes
    old_text: str
    new_text: str


def plan_fixes(files: Iterable[str]) -> tuple[list[Fix], list[InputError]]:
    """Return the fixes the files need (only those that change bytes) and unreadable files."""
    from factcheck.encoding import decode

    fixes: list[Fix] = []
    problems: list[InputError] = []
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            decoded = decode(data, path)
        except OSError as exc:
            problems.append(InputError(path, (exc.strerror or type(exc).__name__).lower()))
            continue
        except InputError as exc:
            problems.append(exc)
            continue
        if decoded.repair is None:
            continue
        after = decoded.repaired_bytes()
        if after != data:
            fixes.append(Fix(path, data, after, decoded.original, decoded.text))
    return fixes, problems


def apply_fix(fix: Fix) -> bool:
    """Write a fix unless the file changed since it was read; return whether it was written."""
    try:
        with open(fix.path, "rb") as handle:
            if handle.read() != fix.before:
                return False
    except OSError:
        return False
    write_atomic(fix.path, fix.after)
    return True


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace a file's bytes all at once (temp file beside it, then rename), keeping its mode.

    Readers see the old file or the new one, never half of it, and a crash leaves the old one.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            # mkstemp creates 0600; a new file gets the usual mode the umask allows.
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


def unified_diff(fix: Fix) -> str:
    """Return the fix as a unified diff of the file's text."""
    return "".join(difflib.unified_diff(
        fix.old_text.splitlines(keepends=True), fix.new_text.splitlines(keepends=True),
        fromfile=f"a/{fix.path}", tofile=f"b/{fix.path}",
    ))
