"""`check --fix` and `--diff`: exact encoding repair, atomic writes, files changed meanwhile."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from factcheck.cli import main
from factcheck.fix import apply_fix, plan_fixes

FIXTURES = Path(__file__).parent.parent / "fixtures" / "corpus"
DAMAGED = FIXTURES / "received" / "stepfun.md"
REPAIRED = FIXTURES / "ailabs" / "llm-chinese-stepfun.md"


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "stepfun.md"
    shutil.copy(DAMAGED, path)
    os.chmod(path, 0o640)
    return path


def test_fix_makes_the_received_copy_identical_to_the_clean_one(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--fix", str(damaged), "--format", "json"])
    assert damaged.read_bytes() == REPAIRED.read_bytes()
    assert stat.S_IMODE(damaged.stat().st_mode) == 0o640
    assert [p.name for p in damaged.parent.iterdir()] == ["stepfun.md"]
    assert f"{damaged}: fixed encoding damage" in capsys.readouterr().err
    # A second run has nothing left to fix.
    assert plan_fixes([str(damaged)]) == ([], [])


def test_diff_shows_the_repair_and_writes_nothing(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--diff", str(damaged)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"--- a/{damaged}\n+++ b/{damaged}\n")
    assert "+# StepFun (阶跃星辰) - Deep Dive\n" in out
    assert damaged.read_bytes() == DAMAGED.read_bytes()
    assert main(["check", "--diff", str(REPAIRED)]) == 0
    assert capsys.readouterr().out == ""


def test_a_file_changed_since_it_was_read_is_left_alone(damaged: Path) -> None:
    (fix,) = plan_fixes([str(damaged)])[0]
    damaged.write_bytes(DAMAGED.read_bytes() + b"\nEdited meanwhile.\n")
    assert not apply_fix(fix)
    assert damaged.read_bytes().endswith(b"Edited meanwhile.\n")


def test_unreadable_files_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"a\x00b")
    assert main(["check", "--diff", str(binary)]) == 2
    assert "binary file" in capsys.readouterr().err
