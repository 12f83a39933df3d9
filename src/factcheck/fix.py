"""Safe fixes: rewrite files whose encoding damage factcheck can repair exactly."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import socket
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


def plan_fixes(files: Iterable[str], max_bytes: int | None = None
               ) -> tuple[list[Fix], list[InputError]]:
    """Return the fixes the files need (only those that change bytes) and unreadable files.

    Files are read as `factcheck.encoding.read_bytes` reads them: regular files only, none
    larger than `max_bytes` (default: `encoding.DEFAULT_MAX_BYTES`; 0 for no limit)."""
    from factcheck.encoding import DEFAULT_MAX_BYTES, decode, read_bytes

    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    fixes: list[Fix] = []
    problems: list[InputError] = []
    for path in files:
        try:
            data = read_bytes(path, limit or None)
            decoded = decode(data, path)
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

    Readers see the old file or the new one, never half of it, and a crash (even SIGKILL or
    power loss: the data and then the folder are synced) leaves the old one or the new one. A
    symbolic link is written through: the file it points to is replaced, the link stays. The
    temp file is `.NAME.HOST-PID.RANDOM.tmp`; one left by a killed writer is removed by the
    next write of the same file once no process of that id runs on this host (see
    docs/reliability.md).
    """
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    _remove_orphans(folder, name)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f"{_temp_prefix(name)}{os.getpid()}.",
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
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _temp_prefix(name: str) -> str:
    """The start of the temp files' names for `name` on this host: `.NAME.HOST-`."""
    return f".{name}.{_HOST}-"


def _remove_orphans(folder: str, name: str) -> None:
    """Remove temp files for `name` left by writers on this host that no longer run."""
    prefix = _temp_prefix(name)
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        pid, dot, _ = entry[len(prefix):].partition(".")
        if not (dot and pid.isdigit()) or _running(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, entry))


def _running(pid: int) -> bool:
    """Whether a process with this id exists on this host (a live one of another user too)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _sync_folder(folder: str) -> None:
    """Make the rename durable: sync the folder's entry list (where the platform allows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems and platforms cannot sync a folder; the rename still happened
    finally:
        os.close(fd)


def unified_diff(fix: Fix) -> str:
    """Return the fix as a unified diff of the file's text."""
    return "".join(difflib.unified_diff(
        fix.old_text.splitlines(keepends=True), fix.new_text.splitlines(keepends=True),
        fromfile=f"a/{fix.path}", tofile=f"b/{fix.path}",
    ))
