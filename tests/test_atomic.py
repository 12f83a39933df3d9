"""Writes survive being killed: fixes, baselines and cache entries are whole or absent.

Each test kills writers with SIGKILL at random moments (bounded in count and in time, with a
minimum number of kills so that no run passes vacuously) and checks the file every time: the old
bytes or the new ones, never a part, never missing. Temp files: a killed `write_atomic` leaves
its temp file (nothing can run after SIGKILL); the next write of the same file removes it, so at
most one is ever there (see docs/reliability.md).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from multiprocessing.context import ForkProcess
from pathlib import Path

import pytest

from factcheck.baseline import BaselineEntry, read_baseline
from factcheck.cache import Cache
from factcheck.cli import main
from factcheck.fix import _temp_prefix, write_atomic

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked writers")

FORK = multiprocessing.get_context("fork")
SEED = int(os.environ.get("FACTCHECK_KILL_SEED", "7"))
KILLS = int(os.environ.get("FACTCHECK_KILLS", "40"))  # kills per test (docs/reliability.md)
TIME_LIMIT = 20.0  # seconds per test at most, whatever KILLS says
MIN_KILLS = 10
OPEN = "| Model | Open weights |\n|---|---|\n| Plume-{n} | ❌ |\n\nPlume-{n} is open-source.\n"


def _payload(tag: bytes, size: int) -> bytes:
    """A recognisable file of `size` bytes: any mix of two payloads or a cut one differs."""
    block = (tag * 64)[:64]
    return block * (size // len(block))


def _temps(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def _forked(target: Callable[[], None]) -> ForkProcess:
    process = FORK.Process(target=target, daemon=True)
    process.start()
    return process


def _kill(process: ForkProcess) -> None:
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join()


def _rounds(rng: random.Random) -> Iterator[int]:
    """Count the kills: KILLS of them, fewer if TIME_LIMIT runs out (but MIN_KILLS at least)."""
    started = time.monotonic()
    for index in range(KILLS):
        if index >= MIN_KILLS and time.monotonic() - started > TIME_LIMIT:
            return
        yield index


def test_a_killed_write_atomic_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    target = tmp_path / "dossier.md"
    old, new = _payload(b"old ", 4 << 20), _payload(b"new!", 4 << 20)
    target.write_bytes(old)
    os.chmod(target, 0o640)

    def loop() -> None:
        while True:
            write_atomic(target, new)
            write_atomic(target, old)

    rng = random.Random(SEED)
    orphans_seen = 0
    kills = 0
    for _ in _rounds(rng):
        writer = _forked(loop)
        time.sleep(rng.uniform(0, 0.05))
        _kill(writer)
        kills += 1
        assert target.read_bytes() in (old, new)  # whole, never missing
        assert oct(target.stat().st_mode & 0o777) == oct(0o640)
        temps = _temps(tmp_path, target.name)
        assert len(temps) <= 1, temps  # the next write removed the previous writer's orphan
        orphans_seen += len(temps)
    assert kills >= MIN_KILLS
    # Some kills landed inside a write (else this test shows nothing): their temp files stayed.
    assert orphans_seen > 0
    write_atomic(target, old)
    assert _temps(tmp_path, target.name) == []
    assert target.read_bytes() == old


def test_only_temp_files_of_writers_that_are_gone_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "dossier.md"
    target.write_bytes(b"old")
    dead_pid = 2**22 + 12345  # above Linux's largest possible process id
    live = tmp_path / f"{_temp_prefix(target.name)}{os.getppid()}.abc.tmp"
    dead = tmp_path / f"{_temp_prefix(target.name)}{dead_pid}.abc.tmp"
    other_file = tmp_path / f"{_temp_prefix('other.md')}{dead_pid}.abc.tmp"
    other_host = tmp_path / f".dossier.md.00000000-{dead_pid}.abc.tmp"
    for path in (live, dead, other_file, other_host):
        path.write_bytes(b"partial")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert not dead.exists()
    assert live.exists() and other_file.exists() and other_host.exists()


def test_write_atomic_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def _dossier_sets(tmp_path: Path) -> tuple[Path, Path]:
    """Two folders whose baselines differ: 1 and 40 contradictions."""
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir()
    large.mkdir()
    (small / "a.md").write_text("# Quillara Labs\n\n" + OPEN.format(n=1), encoding="utf-8")
    for i in range(40):
        (large / f"d{i}.md").write_text(f"# Sevion {i}\n\n" + OPEN.format(n=i), encoding="utf-8")
    return small, large


def _baseline(output: Path, folder: Path) -> None:
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    main(["baseline", "--output", str(output), str(folder)])


# Built-in calls that touch the file system: the points between which a write can be killed.
IO_CALLS = frozenset({"open", "write", "flush", "fsync", "close", "chmod", "replace", "rename",
                      "unlink", "stat", "listdir", "umask", "fdopen", "truncate", "ftruncate"})


def _calls_in(function: Callable[[], None], kill_at: int | None = None) -> int:
    """Run `function` counting the built-in file system calls it makes (IO_CALLS); with
    `kill_at`, SIGKILL this process just before that call instead."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event == "c_call" and getattr(arg, "__name__", "") in IO_CALLS:
            count += 1
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    sys.setprofile(profile)
    try:
        function()
    finally:
        sys.setprofile(None)
    return count


def _kill_inside_write_baseline(output: Path, folder: Path, kill_at: int) -> None:
    """In a child: run `factcheck baseline`, killed at the `kill_at`-th built-in call of the
    write (`factcheck.baseline.write_baseline`, which the command imports when it runs)."""
    import factcheck.baseline

    write = factcheck.baseline.write_baseline

    def killed(path: Path, entries: list[BaselineEntry]) -> None:
        _calls_in(functools.partial(write, path, entries), kill_at)

    factcheck.baseline.write_baseline = killed  # type: ignore[assignment]
    _baseline(output, folder)


def test_a_baseline_write_killed_at_any_point_leaves_a_whole_baseline(tmp_path: Path) -> None:
    small, large = _dossier_sets(tmp_path)
    output = tmp_path / "baseline.json"
    old = tmp_path / "old.json"
    _baseline_in_child(old, small)
    _baseline_in_child(output, large)
    new = output.read_bytes()
    entries = read_baseline(output)
    assert len(entries) == 40
    # Kill the command before its first file system call in the write, then before the second,
    # and so on until a run gets through (bounded: the write makes a dozen such calls).
    kills = 0
    for kill_at in range(1, 200):
        output.write_bytes(old.read_bytes())
        child = _forked(functools.partial(_kill_inside_write_baseline, output, large, kill_at))
        child.join()
        assert output.read_bytes() in (old.read_bytes(), new), kill_at
        assert len(_temps(tmp_path, output.name)) <= 1
        if child.exitcode != -signal.SIGKILL:
            assert child.exitcode == 0
            break
        kills += 1
    assert output.read_bytes() == new
    assert kills >= 5  # at least open, write, fsync, rename and the folder's fsync
    read_baseline(output)


def _baseline_in_child(output: Path, folder: Path) -> None:
    child = _forked(lambda: _baseline(output, folder))
    child.join()
    assert child.exitcode == 0


def test_two_baseline_runs_at_once_leave_a_valid_file(tmp_path: Path) -> None:
    small, large = _dossier_sets(tmp_path)
    output = tmp_path / "baseline.json"
    expected = set()
    for folder in (small, large):
        _baseline_in_child(output, folder)
        expected.add(output.read_bytes())
    command = [sys.executable, "-m", "factcheck", "baseline", "--output", str(output)]
    for _ in range(3):
        runs = [subprocess.Popen([*command, str(folder)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE) for folder in (small, large)]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
        assert output.read_bytes() in expected
        read_baseline(output)
        assert _temps(tmp_path, output.name) == []


def _value(key: str) -> bytes:
    """The one correct value of a key: large enough that writes take a while."""
    return key.encode() * (50_000 // len(key))


KEYS = [f"{i:02x}" * 32 for i in range(12)]


def _cache_worker(root: Path, seed: int) -> None:
    """Put and get the same keys as the other workers; exit 3 on a wrong value."""
    rng = random.Random(seed)
    cache = Cache(root)
    while True:
        key = rng.choice(KEYS)
        if rng.random() < 0.5:
            cache.put("findings", key, _value(key))
        got = cache.get("findings", key)
        if got is not None and got != _value(key):
            os._exit(3)


def test_two_processes_writing_the_same_cache_keys_never_corrupt_an_entry(
    tmp_path: Path
) -> None:
    root = tmp_path / "cache"
    rng = random.Random(SEED)
    workers = [_forked(functools.partial(_cache_worker, root, s)) for s in (1, 2)]
    cache = Cache(root)
    checked = 0
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline or checked < 200:
        key = rng.choice(KEYS)
        got = cache.get("findings", key)
        assert got is None or got == _value(key)
        checked += 1
    for worker in workers:
        assert worker.is_alive(), worker.exitcode  # a worker that saw a wrong value exited 3
    # Kill writers mid-put, over and over: every entry stays whole or missing.
    for _ in _rounds(rng):
        writer = _forked(functools.partial(_cache_worker, root, rng.randrange(1 << 30)))
        time.sleep(rng.uniform(0, 0.02))
        _kill(writer)
    for worker in workers:
        _kill(worker)
    fresh = Cache(root)
    values = {key: fresh.get("findings", key) for key in KEYS}
    assert all(v is None or v == _value(k) for k, v in values.items())
    assert sum(v is not None for v in values.values()) >= len(KEYS) // 2
