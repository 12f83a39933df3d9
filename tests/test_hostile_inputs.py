"""Hostile inputs: each is checked, or refused with one line `path: reason`; never a traceback.

Every test runs `factcheck check` in-process on the hostile input together with a good dossier
in another folder, and shows that the good dossier is still checked (its finding is reported),
that the exit status is 2 when something could not be checked, and that stderr holds exactly
one line per refused input.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck import encoding
from factcheck.cli import main
from factcheck.document import parse_text
from factcheck.engine import lint

GOOD = (
    "# Acme\n\n"
    "| Model | Open Weights |\n|---|---|\n| Foo-1 | ❌ |\n\n"
    "- Foo-1: open-source model\n"
)
# The finding the good dossier always yields: FC101 on its list item.
GOOD_FINDING = ("FC101", 7, 10)


class Run:
    """The outcome of one `factcheck check --format json` run."""

    def __init__(self, code: int, out: str, err: str, seconds: float) -> None:
        self.code = code
        self.err_lines = err.splitlines()
        self.data: dict[str, Any] = json.loads(out) if out.strip() else {}
        self.seconds = seconds

    def findings_in(self, path: Path) -> list[tuple[str, int, int]]:
        return [(f["rule"], f["line"], f["column"]) for f in self.data.get("findings", [])
                if f["path"] == str(path)]


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    folder = tmp_path / "good"
    folder.mkdir()
    path = folder / "good.md"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    """A folder of its own for the hostile input (so it forms a dossier set alone)."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    return folder


def check(capsys: pytest.CaptureFixture[str], *paths: Path | str) -> Run:
    start = time.perf_counter()
    code = main(["check", "--no-config", "--format", "json", *map(str, paths)])
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return Run(code, out, err, seconds)


def assert_refused(run: Run, path: Path | str, reason: str, good: Path) -> None:
    """One line `path: reason...` on stderr, exit 2, and the good dossier still checked."""
    assert run.err_lines == [run.err_lines[0]], run.err_lines
    assert run.err_lines[0].startswith(f"{path}: {reason}"), run.err_lines
    assert run.code == 2
    assert run.findings_in(good) == [GOOD_FINDING]


def assert_checked(run: Run, good: Path) -> None:
    """Nothing refused, and the good dossier's finding reported (exit 1 for it)."""
    assert run.err_lines == []
    assert run.code == 1
    assert run.findings_in(good) == [GOOD_FINDING]


# ---------------------------------------------------------------- encodings and content


def test_invalid_utf8(capsys: pytest.CaptureFixture[str], hostile: Path, good: Path) -> None:
    bad = hostile / "bad.md"
    bad.write_bytes(b"# Acme\n\nRevenue \xff\xfe was high.\n")
    run = check(capsys, bad, good)
    assert_refused(run, bad, "invalid UTF-8 at byte 16 (line 3: invalid start byte, "
                             "byte 0xFF)", good)


def test_utf16_with_bom_is_checked(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    wide = hostile / "wide.md"
    wide.write_bytes(GOOD.encode("utf-16"))  # with its BOM
    assert wide.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    run = check(capsys, wide, good)
    assert_checked(run, good)
    assert run.findings_in(wide) == [GOOD_FINDING]  # same lines and columns as in UTF-8


def test_binary_file_named_md(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    image = hostile / "image.md"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64)
    run = check(capsys, image, good)
    assert_refused(run, image, "binary file (NUL byte at byte 8)", good)


def test_empty_file_is_checked(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    empty = hostile / "empty.md"
    empty.write_bytes(b"")
    run = check(capsys, empty, good)
    assert_checked(run, good)
    assert run.findings_in(empty) == []
    assert run.data["summary"]["files"] == 2


# ---------------------------------------------------------------- size


def test_fifty_megabyte_dossier_is_refused_unread(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = hostile / "big.md"
    paragraph = ("Acme raised $10M in a Series A in June 2024 at a $100M valuation. " * 15
                 + "\n\n").encode()
    with big.open("wb") as f:
        f.write(b"# Acme\n\n")
        f.write(paragraph * (50_000_000 // len(paragraph) + 1))
        f.write(b"end\n")
    size = big.stat().st_size
    assert 50_000_000 <= size < 50_050_000
    opened: list[str] = []
    real_fdopen = os.fdopen

    def spy(fd: int, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.isdir("/proc") else "")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", spy)  # the `os` that `encoding` reads through
    run = check(capsys, big, good)
    limit = encoding.DEFAULT_MAX_BYTES / 1_000_000
    assert_refused(run, big, f"file too large (50.0 MB, limit {limit:.1f} MB)", good)
    assert str(big) not in opened  # refused on its size alone, never read
    assert run.seconds < 10


def test_table_of_100000_rows_is_refused_by_size(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    table = hostile / "models.md"
    rows = "".join(f"| Model-{i} | ❌ | 7B | 2024-01 |\n" for i in range(100_000))
    table.write_text("# Models\n\n| Model | Open Weights | Size | Released |\n"
                     "|---|---|---|---|\n" + rows, encoding="utf-8")
    run = check(capsys, table, good)
    assert_refused(run, table, "file too large (3.7 MB, limit", good)


def test_one_megabyte_line_is_checked(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    """A line of 1 MB: links, emphasis, code, entities and escapes."""
    line = hostile / "line.md"
    unit = "word **bold** [link](http://x.example) `code` &amp; \\* "
    text = "# Acme\n\n" + unit * (1_000_000 // len(unit) + 1) + "Foo-1 is open-source.\n"
    assert 1_000_000 < len(text.encode()) < encoding.DEFAULT_MAX_BYTES
    assert text.count("\n") == 3
    line.write_text(text, encoding="utf-8")
    run = check(capsys, line, good)
    assert_checked(run, good)
    assert run.seconds < 20


def test_one_byte_over_the_limit_is_refused(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    over = hostile / "over.md"
    over.write_bytes(b"# Acme\n\n" + b"a" * (encoding.DEFAULT_MAX_BYTES - 7))
    limit = encoding.DEFAULT_MAX_BYTES
    run = check(capsys, over, good)
    assert_refused(run, over, f"file too large ({limit + 1:,} bytes, limit {limit:,})", good)


# ---------------------------------------------------------------- nesting


@pytest.mark.parametrize(
    "text",
    [
        "- " * 10_000 + "Foo-1: open-source model\n",
        ">" * 10_000 + " Foo-1: open-source model\n",
        "> - " * 5_000 + "Foo-1: open-source model\n",
        "1. " * 10_000 + "Foo-1: open-source model\n",
        ("- " * 10_000 + "x\n\n") * 20 + (">" * 10_000 + " x\n\n") * 20,
    ],
    ids=["list", "quote", "quoted-list", "ordered", "many-lines"],
)
def test_nesting_10000_deep_is_checked(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path, text: str
) -> None:
    deep = hostile / "deep.md"
    deep.write_text(GOOD + text, encoding="utf-8")
    run = check(capsys, deep, good)
    assert_checked(run, good)
    assert GOOD_FINDING in run.findings_in(deep)  # the text before the nesting still counts
    assert run.seconds < 10


MARKERS = st.sampled_from(["- ", "* ", "+ ", "> ", "1. ", "2) ", "  ", "\t", "[", "*", "`"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=st.lists(MARKERS, min_size=1, max_size=4), depth=st.integers(1, 10_000),
       lines=st.integers(1, 3))
def test_any_deep_nesting_is_checked(pattern: list[str], depth: int, lines: int) -> None:
    line = ("".join(pattern) * depth)[: depth * 2] + "Foo-1 is open-source.\n"
    doc = parse_text(GOOD + line * lines, "deep.md")
    report = lint([doc])
    assert not report.errors
    assert [f.rule for f in report.findings if f.rule == "FC000"] == []


# ---------------------------------------------------------------- files that cannot be read


def test_symlink_loop_is_walked_once(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    (hostile / "a.md").write_text(GOOD, encoding="utf-8")
    (hostile / "loop").symlink_to(hostile, target_is_directory=True)
    (hostile / "sub").mkdir()
    (hostile / "sub" / "back").symlink_to(hostile, target_is_directory=True)
    run = check(capsys, hostile, good)
    assert run.code in (1, 2)
    assert run.findings_in(hostile / "a.md") == [GOOD_FINDING]
    assert run.findings_in(good) == [GOOD_FINDING]
    assert run.seconds < 10


def test_named_pipe_is_refused_without_waiting(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    pipe = hostile / "pipe.md"
    os.mkfifo(pipe)  # nobody ever writes to it: reading it would wait forever
    run = check(capsys, pipe, good)
    assert_refused(run, pipe, "not a regular file (named pipe)", good)


def test_permission_denied(
    capsys: pytest.CaptureFixture[str], hostile: Path, good: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unreadable file. Tests may run as root, who reads any file whatever its mode, so
    opening it is made to fail as it does for other users."""
    secret = hostile / "secret.md"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    real_open = os.open

    def deny(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == str(secret):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)  # the `os` that `encoding` reads through
    run = check(capsys, secret, good)
    assert_refused(run, secret, "permission denied", good)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads a file whatever its mode (see test_permission_denied)")
def test_chmod_000(capsys: pytest.CaptureFixture[str], hostile: Path, good: Path) -> None:
    secret = hostile / "secret.md"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    run = check(capsys, secret, good)
    assert_refused(run, secret, "permission denied", good)


def test_folder_named_md(capsys: pytest.CaptureFixture[str], hostile: Path, good: Path) -> None:
    folder = hostile / "notes.md"
    folder.mkdir()
    run = check(capsys, folder, good)
    assert_refused(run, folder, "no Markdown files found", good)


def test_path_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, good: Path
) -> None:
    missing = tmp_path / "nowhere" / "missing.md"
    run = check(capsys, missing, good)
    assert_refused(run, missing, "no such file or directory", good)


def test_everything_at_once(capsys: pytest.CaptureFixture[str], hostile: Path, good: Path,
                            tmp_path: Path) -> None:
    """Hostile files beside a good dossier in the same folder: one line each, and the good
    one (and the UTF-16 and empty ones) still checked."""
    (hostile / "a-good.md").write_text(GOOD, encoding="utf-8")
    (hostile / "bad.md").write_bytes(b"caf\xe9\n")
    (hostile / "binary.md").write_bytes(b"\x00\x01\x02")
    (hostile / "empty.md").write_bytes(b"")
    (hostile / "wide.md").write_bytes(GOOD.encode("utf-16"))
    (hostile / "huge.md").write_bytes(b"x" * (encoding.DEFAULT_MAX_BYTES + 1))
    missing = tmp_path / "missing.md"
    run = check(capsys, hostile, missing, good)
    assert run.code == 2
    assert sorted(run.err_lines) == sorted([
        f"{hostile / 'bad.md'}: invalid UTF-8 at byte 3 (line 1: invalid continuation byte, "
        "byte 0xE9)",
        f"{hostile / 'binary.md'}: binary file (NUL byte at byte 0)",
        f"{hostile / 'huge.md'}: file too large ({encoding.DEFAULT_MAX_BYTES + 1:,} bytes, "
        f"limit {encoding.DEFAULT_MAX_BYTES:,})",
        f"{missing}: no such file or directory",
    ])
    assert run.findings_in(hostile / "a-good.md") == [GOOD_FINDING]
    assert run.findings_in(hostile / "wide.md") == [GOOD_FINDING]
    assert run.findings_in(good) == [GOOD_FINDING]
