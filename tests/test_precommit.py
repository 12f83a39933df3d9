"""The pre-commit hook: a commit adding a contradiction is refused, a harmless one accepted.

The hook runs through the real `pre-commit` against a temporary git repository. It is a
`repo: local` hook running this checkout's interpreter: a hook repository would be cloned at
a committed revision and so miss uncommitted work under test, and needs no network this way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from factcheck.cli import main

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "ailabs"
MAIN = "llm-chinese-stepfun.md"
STRATEGY = "llm-chinese-stepfun-strategy.md"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

CONFIG = f"""\
repos:
  - repo: local
    hooks:
      - id: factcheck
        name: factcheck
        entry: {sys.executable} -m factcheck check --siblings --baseline .factcheck-baseline.json
        language: system
        types: [markdown]
        require_serial: true
"""


def run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)


def git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(repo, env, "git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
               "-c", "commit.gpgsign=false", *args)


def test_commit_with_a_contradiction_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pre_commit")
    repo = tmp_path / "repo"
    (repo / "dossiers").mkdir(parents=True)
    for name in (MAIN, STRATEGY):
        shutil.copy(CORPUS / name, repo / "dossiers" / name)
    (repo / ".pre-commit-config.yaml").write_text(CONFIG, encoding="utf-8")
    (repo / "notes.txt").write_text("not Markdown\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert main(["baseline", "dossiers"]) == 0
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("NO_COLOR", None)
    assert git(repo, env, "init", "-q").returncode == 0
    installed = run(repo, env, sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(repo, env, "add", "-A")
    first = git(repo, env, "commit", "-q", "-m", "dossiers and baseline")
    assert first.returncode == 0, first.stdout + first.stderr

    # Only the strategy file is passed to the hook; its sibling's table is read with it.
    strategy = repo / "dossiers" / STRATEGY
    original = strategy.read_text(encoding="utf-8")
    strategy.write_text(original + "\n- Step-1 is open-source, with weights released.\n",
                        encoding="utf-8")
    git(repo, env, "add", "-A")
    refused = git(repo, env, "commit", "-m", "claim Step-1 is open")
    assert refused.returncode != 0
    shown = refused.stdout + refused.stderr
    assert f"dossiers/{STRATEGY}:" in shown and "FC101" in shown and "Step-1" in shown

    strategy.write_text(original + "\nA sentence that claims nothing new.\n", encoding="utf-8")
    git(repo, env, "add", "-A")
    accepted = git(repo, env, "commit", "-m", "harmless")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
