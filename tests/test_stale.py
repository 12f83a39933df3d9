"""Staleness after an edit: `check --since REF` names each place the old value survives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck.cli import main
from factcheck.stale import claim_key, claim_value

ROOT = Path(__file__).resolve().parents[1]
AILABS = ROOT / "fixtures" / "corpus" / "ailabs"
PAIR = ("llm-chinese-stepfun.md", "llm-chinese-stepfun-strategy.md")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dossiers = tmp_path / "dossiers"
    dossiers.mkdir()
    for name in PAIR:
        shutil.copy(AILABS / name, dossiers / name)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "corpus")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def stale_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if " FC801 " in line]


def test_corrected_valuation_names_every_stale_copy(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    strategy = Path("dossiers") / PAIR[1]
    edit(
        strategy,
        "- **Valuation**: $2 billion (June 2024)",
        "- **Valuation**: $450 million (June 2024)",
    )
    main(["check", "--since", "HEAD", "--select", "FC801", "dossiers"])
    lines = stale_lines(capsys)
    assert lines == [
        f"{strategy}:300:36: FC801 [error] StepFun: changed in {PAIR[1]}:12 from $2B to $450M;"
        " still $2B here"
    ]


def test_no_edit_no_finding(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    assert main(["check", "--since", "HEAD", "--select", "FC801", "dossiers"]) == 0
    assert stale_lines(capsys) == []


def test_unknown_revision_is_a_one_line_error(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    assert main(["check", "--since", "no-such-ref", "dossiers"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown git revision 'no-such-ref'" in err[0]


def test_keys_tell_rounds_apart_and_values_ignore_wording() -> None:
    from factcheck.claims import extract_claims
    from factcheck.document import parse_text

    claims = extract_claims(
        parse_text(
            "# Acme - Profile\n\n- **Series A (2021)**: $10 million\n- **Series B (2023)**: $10M\n"
        )
    )
    rounds = [c for c in claims if c.kind == "funding_round"]
    assert len({claim_key(c) for c in rounds}) == 2
    assert len({claim_value(c) for c in rounds}) == 1
