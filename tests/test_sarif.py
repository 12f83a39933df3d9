"""SARIF output, validated against the official SARIF 2.1.0 schema committed beside the code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from factcheck import Finding, RelatedLocation, Report, Severity
from factcheck.cli import main
from factcheck.report.sarif import report_to_sarif
from factcheck.rules import load_rules

SCHEMA = Path(__file__).parent.parent / "src" / "factcheck" / "schemas" / "sarif-2.1.0.json"
CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "ailabs"


def validate(log: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # Not check_schema(): the official schema's `language` pattern starts with `(?i)` after
    # `^`, which Python's re rejects as a regex; factcheck never writes that property.
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == ("https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/"
                             "Schemata/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {}}]})


def test_corpus_check_as_sarif_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dossiers").mkdir()
    for name in ("llm-chinese-stepfun.md", "llm-chinese-stepfun-strategy.md"):
        shutil.copy(CORPUS / name, tmp_path / "dossiers" / name)
    monkeypatch.chdir(tmp_path)
    main(["check", "dossiers", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    code = main(["check", "dossiers", "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    validate(log)
    assert code == (1 if any(f["severity"] == "error" for f in findings) else 0)
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "factcheck" and "informationUri" not in driver
    assert run["columnKind"] == "unicodeCodePoints"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids) and {"FC900", "FC901"} <= set(ids)
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in driver["rules"])
    results = run["results"]
    assert [r["partialFingerprints"]["factcheck/v1"] for r in results] == [
        f["fingerprint"] for f in findings]
    for result, finding in zip(results, findings, strict=True):
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"],
                                                                finding["column"])
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == finding["path"]
        assert len(result.get("relatedLocations", [])) == len(finding["related"])


def test_levels_related_messages_and_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.chdir(tmp_path)
    finding = Finding(
        rule="FC101", name="open-weights-conflict", severity=Severity.INFO, message="m",
        path="dir with space/a.md", line=3, column=2, end_line=3, end_column=9,
        related=(RelatedLocation(path="b.md", line=1, column=1, end_line=1, end_column=4,
                                 message="other side"),),
        fingerprint="abc")
    log = report_to_sarif(Report(findings=(finding,), files=1), load_rules())
    validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["level"] == "note"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%20with%20space/a.md")
    assert result["relatedLocations"][0]["message"] == {"text": "other side"}
    assert result["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 4}


def test_whole_corpus_as_sarif_is_valid(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(CORPUS.parents[2])
    main(["check", "fixtures/corpus", "fixtures/dossiers", "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) > 40
    assert {r["ruleId"] for r in results} >= {"FC001", "FC101", "FC205", "FC301", "FC401"}
