"""The pre-commit hook, through the real `pre-commit` with this project as the hook repository.

The project's files (tracked, and untracked but not ignored, so uncommitted work is what is
tested) are committed to a temporary repository; a dossier repository's
`.pre-commit-config.yaml`, the README's snippet pointed at it, installs it as pre-commit
does for any user: a virtualenv and `pip install` of the hook repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from factcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "corpus" / "ailabs"
MAIN = "llm-chinese-stepfun.md"
STRATEGY = "llm-chinese-stepfun-strategy.md"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def readme_snippet() -> str:
    """Return the `.pre-commit-config.yaml` the README's Pre-commit section shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Pre-commit\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```yaml\n(repos:\n.*?)```", section, re.DOTALL)
    assert found, "the README's Pre-commit section shows a .pre-commit-config.yaml"
    return found[1]


def run(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)


def git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(repo, env, "git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
               "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args)


def hook_repository(target: Path, env: dict[str, str]) -> str:
    """Commit this project's working tree to `target`; return the commit's sha."""
    listed = run(ROOT, env, "git", "ls-files", "-co", "--exclude-standard", "-z")
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "hook repository")):
        done = git(target, env, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    return git(target, env, "rev-parse", "HEAD").stdout.strip()


def test_commit_with_a_contradiction_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pre_commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("NO_COLOR", None)
    hooks = tmp_path / "factcheck"
    sha = hook_repository(hooks, env)
    config = readme_snippet()
    config = re.sub(r"(?m)^(\s*- repo: ).*$", lambda m: f"{m[1]}{hooks}", config, count=1)
    config = re.sub(r"(?m)^(\s*rev: ).*$", lambda m: f"{m[1]}{sha}", config, count=1)

    repo = tmp_path / "repo"
    (repo / "dossiers").mkdir(parents=True)
    for name in (MAIN, STRATEGY):
        shutil.copy(CORPUS / name, repo / "dossiers" / name)
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (repo / "notes.txt").write_text("not Markdown\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert main(["baseline", "dossiers"]) == 0
    assert git(repo, env, "init", "-q").returncode == 0
    installed = run(repo, env, sys.executable, "-m", "pre_commit", "install", "--install-hooks")
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

    # The staged change is compared with the last commit: a value corrected in one place but
    # still asserted in another is refused, naming the edit.
    corrected = strategy.read_text(encoding="utf-8").replace(
        "- **Valuation**: $2 billion (June 2024)", "- **Valuation**: $450 million (June 2024)")
    strategy.write_text(corrected, encoding="utf-8")
    git(repo, env, "add", "-A")
    stale = git(repo, env, "commit", "-m", "correct the valuation in one place only")
    assert stale.returncode != 0
    shown = stale.stdout + stale.stderr
    assert f"dossiers/{STRATEGY}:300:36: FC801 [error] StepFun: changed in {STRATEGY}:12 " \
           "from $2B to $450M; still $2B here" in shown
