"""Workflows: the baseline CI story on a git repository, --siblings, GitHub and text output."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck import Finding, Report, Severity
from factcheck.cli import main
from factcheck.report.github import render_github
from factcheck.report.text import render_text, use_colour

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


# -- other output formats and --siblings ----------------------------------------------------

def test_siblings_are_read_but_only_findings_touching_given_files_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (MAIN, STRATEGY):
        shutil.copy(CORPUS / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    main(["check", MAIN, STRATEGY, "--format", "json"])
    together = json.loads(capsys.readouterr().out)["findings"]
    main(["check", STRATEGY, "--siblings", "--format", "json"])
    siblings = json.loads(capsys.readouterr().out)["findings"]
    touching = [f for f in together
                if STRATEGY in (f["path"], *(r["path"] for r in f["related"]))]
    assert siblings == touching
    assert any(f["path"] == MAIN for f in siblings) or all(f["path"] == STRATEGY
                                                            for f in together)


def finding(severity: Severity, message: str, path: str = "a,b:c.md") -> Finding:
    return Finding(rule="FC101", name="open-weights-conflict", severity=severity,
                   message=message, path=path, line=2, column=3, end_line=2, end_column=6,
                   fingerprint="f")


def test_github_annotations_escape_data_and_properties() -> None:
    report = Report(findings=(finding(Severity.ERROR, "50% open\r\nreally"),
                              finding(Severity.INFO, "note")), files=1)
    assert render_github(report).splitlines() == [
        "::error file=a%2Cb%3Ac.md,line=2,col=3,endLine=2,endColumn=6,"
        "title=FC101 open-weights-conflict::50%25 open%0D%0Areally",
        "::notice file=a%2Cb%3Ac.md,line=2,col=3,endLine=2,endColumn=6,"
        "title=FC101 open-weights-conflict::note",
    ]


def test_text_shows_the_source_line_with_a_caret(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# T\n阶跃 Step-1 is open\n", encoding="utf-8")
    report = Report(findings=(finding(Severity.WARNING, "m", str(path)),), files=1)
    lines = render_text(report, source=True).splitlines()
    assert lines[0] == f"{path}:2:3: FC101 [warning] m"
    # Each CJK character takes two terminal cells, so four cells precede column 3.
    assert lines[1:3] == [" 2 | 阶跃 Step-1 is open", "   |     ^^^"]
    coloured = render_text(report, source=True, colour=True)
    assert "\x1b[33m[warning]\x1b[0m" in coloured
    assert render_text(report).splitlines()[0] == lines[0]


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(True) and not use_colour(False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(True)


# -- the README's examples ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "docs" / "examples" / "github-workflow.yml"


def readme_block(section: str, language: str) -> str:
    """Return the first `language` code block of a README section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return text.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def ci_repository(root: Path) -> None:
    """A dossier repository as CI checks it out: configuration, dossiers and a baseline."""
    (root / "dossiers").mkdir(parents=True)
    for name in (MAIN, STRATEGY):
        shutil.copy(CORPUS / name, root / "dossiers" / name)
    (root / "pyproject.toml").write_text('[tool.factcheck]\npaths = ["dossiers"]\n',
                                         encoding="utf-8")


def test_the_readme_shows_the_example_workflow() -> None:
    assert readme_block("CI", "yaml") == WORKFLOW.read_text(encoding="utf-8")


def test_the_example_workflow_passes_on_the_baseline_and_fails_on_a_new_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ruamel.yaml import YAML

    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["factcheck"]["steps"]
    commands = [shlex.split(s["run"]) for s in steps
                if "run" in s and s["run"].startswith("factcheck ")]
    assert len(commands) == 2
    assert workflow["permissions"]["security-events"] == "write"
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/"))
    assert upload["with"]["sarif_file"] == commands[1][-1] and upload["if"] == "always()"

    ci_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["baseline"]) == 0
    capsys.readouterr()

    def run_steps() -> list[tuple[int, str]]:
        results = []
        for command in commands:
            args, _, target = " ".join(command[1:]).partition(" > ")
            code = main(shlex.split(args))
            out = capsys.readouterr().out
            if target:
                Path(target).write_text(out, encoding="utf-8")
            results.append((code, out))
        return results

    (github, _), (sarif, _) = run_steps()
    assert (github, sarif) == (0, 0)
    assert json.loads(Path("factcheck.sarif").read_text())["runs"][0]["results"] == []

    with (tmp_path / "dossiers" / STRATEGY).open("a", encoding="utf-8") as f:
        f.write(NEW_CONTRADICTION)
    (github, annotations), (sarif, _) = run_steps()
    assert (github, sarif) == (1, 1)
    assert annotations.startswith(f"::error file=dossiers/{STRATEGY},")
    results = json.loads(Path("factcheck.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["FC101"]


def test_the_readme_python_api_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ci_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["baseline"]) == 0
    with (tmp_path / "dossiers" / STRATEGY).open("a", encoding="utf-8") as f:
        f.write(NEW_CONTRADICTION)
    capsys.readouterr()
    exec(compile(readme_block("Python API", "python"), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "FC101" in out and out.endswith("\n1\n")
