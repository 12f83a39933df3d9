"""Baselines: the file format, atomic writes, comparing and pruning."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from factcheck import Finding, Report, Severity
from factcheck.baseline import compare, entries_of, read_baseline, write_baseline
from factcheck.cli import main
from factcheck.errors import ConfigError


def finding(path: str, rule: str, fp: str, line: int = 1) -> Finding:
    return Finding(rule=rule, name="x-y", severity=Severity.ERROR, message=f"{rule} in {path}",
                   path=path, line=line, column=1, end_line=line, end_column=2, fingerprint=fp)


def test_file_is_sorted_indented_and_ends_with_a_newline(tmp_path: Path) -> None:
    out = tmp_path / "base.json"
    findings = [finding("b.md", "FC101", "2"), finding("a.md", "FC301", "9"),
                finding("a.md", "FC101", "5"), finding("a.md", "FC101", "1")]
    write_baseline(out, entries_of(findings, out))
    text = out.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "version": 1,\n  "findings": [\n')
    data = json.loads(text)
    assert [(e["path"], e["rule"], e["fingerprint"]) for e in data["findings"]] == [
        ("a.md", "FC101", "1"), ("a.md", "FC101", "5"), ("a.md", "FC301", "9"),
        ("b.md", "FC101", "2")]
    assert list(data["findings"][0]) == ["fingerprint", "rule", "path", "message"]
    assert read_baseline(out) == entries_of(findings, out)


def test_paths_are_relative_to_the_baseline_file(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    entries = entries_of([finding(str(tmp_path / "docs" / "a.md"), "FC101", "1")],
                         tmp_path / "base.json")
    assert entries[0].path == "docs/a.md"


def test_rewrite_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "base.json"
    out.write_text("{}", encoding="utf-8")
    os.chmod(out, 0o640)
    write_baseline(out, [])
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["base.json"]


def test_compare_splits_new_findings_and_stale_entries(tmp_path: Path) -> None:
    out = tmp_path / "base.json"
    old = entries_of([finding("a.md", "FC101", "1"), finding("a.md", "FC101", "2")], out)
    report = Report(findings=(finding("a.md", "FC101", "1", line=40),
                              finding("a.md", "FC301", "3")), files=1)
    new, stale = compare(report, old)
    assert [f.fingerprint for f in new.findings] == ["3"]
    assert [e.fingerprint for e in stale] == ["2"]


@pytest.mark.parametrize(
    ("content", "where"),
    [("{\n  \"version\": 1,\n  oops", ":3:3: "), ('{"version": 2, "findings": []}', ":1:1: "),
     ('{"version": 1, "findings": [{"rule": 1}]}', ":1:1: findings[0]")],
)
def test_a_bad_baseline_is_an_error_with_a_place(
    tmp_path: Path, content: str, where: str
) -> None:
    out = tmp_path / "base.json"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"base.json{where}")):
        read_baseline(out)


def test_check_with_a_missing_baseline_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_text("# A\n\nNothing here.\n", encoding="utf-8")
    assert main(["check", "a.md", "--baseline", "missing.json"]) == 2
    assert "missing.json:1:1: no such baseline file" in capsys.readouterr().err


def test_baseline_is_not_written_when_files_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", "missing.md"]) == 2
    assert not Path(".factcheck-baseline.json").exists()
