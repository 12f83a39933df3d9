"""The CI story on a real git repository: baseline, a new contradiction, a fix, a prune."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck.cli import main

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "ailabs"
MAIN = "llm-chinese-stepfun.md"
STRATEGY = "llm-chinese-stepfun-strategy.md"
BROKEN_LINK = "(ailabs-llm-chinese-stepfun-strategy.md)"
NEW_CONTRADICTION = "\n- Step-1 is open-source, with weights on Hugging Face.\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True)


def check(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["check", "dossiers", "--baseline", ".factcheck-baseline.json",
                 "--format", "json"])
    out, err = capsys.readouterr()
    return code, [f["rule"] for f in json.loads(out)["findings"]], err


def test_baseline_new_finding_fix_and_prune(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "dossiers").mkdir(parents=True)
    for name in (MAIN, STRATEGY):
        shutil.copy(CORPUS / name, repo / "dossiers" / name)
    monkeypatch.chdir(repo)
    git(repo, "init", "-q")
    main_file = repo / "dossiers" / MAIN
    original = main_file.read_text(encoding="utf-8")
    assert BROKEN_LINK in original

    # First commit: accept every finding there is today.
    assert main(["baseline", "dossiers"]) == 0
    capsys.readouterr()
    recorded = json.loads(Path(".factcheck-baseline.json").read_text())["findings"]
    assert any(e["rule"] == "FC701" for e in recorded)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dossiers and their baseline")
    assert check(capsys)[:2] == (0, [])

    # Second commit: lines above every old finding, and one new contradiction.
    lines = original.split("\n")
    lines[1:1] = ["", "A note added later, moving everything down.", "", "Another one."]
    main_file.write_text("\n".join(lines) + NEW_CONTRADICTION, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "notes and a claim")
    code, rules, err = check(capsys)
    assert (code, rules, err) == (1, ["FC101"], "")

    # Third commit: drop the claim again and fix an old finding (the broken link).
    main_file.write_text("\n".join(lines).replace(BROKEN_LINK, f"({STRATEGY})"),
                         encoding="utf-8")
    git(repo, "commit", "-q", "-am", "fix the link")
    code, rules, err = check(capsys)
    assert (code, rules) == (0, [])
    assert err == "1 baseline entry no longer occurs; run `factcheck baseline --prune`\n"

    assert main(["baseline", "--prune", "dossiers"]) == 0
    assert capsys.readouterr().err == ".factcheck-baseline.json: removed 1 entry, kept " \
        f"{len(recorded) - 1}\n"
    kept = json.loads(Path(".factcheck-baseline.json").read_text())["findings"]
    assert len(kept) == len(recorded) - 1 and all(e["rule"] != "FC701" for e in kept)
    assert check(capsys) == (0, [], "")
