"""The command line: output formats, exit codes, errors, plugins, user rules and rule docs."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import factcheck.claims
import factcheck.rules.builtin
from factcheck import Finding, RuleContext, rule
from factcheck.cli import main
from factcheck.quantities import DateValue, Money
from factcheck.testing import make_claim
from samples import WORLD_CLASS_RULE

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SOURCE = Path(__file__).resolve().parent / "plugin_pkg"

DOSSIER_A = "# Acme\n\nAcme was not a unicorn as of late 2024.\n\nAcme is a world-class lab.\n"
DOSSIER_B = "# Acme funding\n\n- Valuation: $2 billion (June 2024), see http://example.com\n"

USER_RULE = WORLD_CLASS_RULE


def fake_extract(doc: Any) -> list[Any]:
    """Claims as the real extractor would read them from the two dossiers above."""
    name = Path(doc.path).name
    if name == "a.md":
        late_2024 = DateValue(text="late 2024", first=dt.date(2024, 9, 1),
                              last=dt.date(2024, 12, 31), precision="part", as_of=True)
        threshold = Money(text="$1B", currency="USD", low=Decimal(10**9), high=Decimal(10**9))
        return [make_claim("status", path=doc.path, line=3, status="unicorn", negated=True,
                           threshold=threshold, date=late_2024,
                           evidence="not a unicorn as of late 2024")]
    if name == "b.md":
        june = DateValue(text="June 2024", first=dt.date(2024, 6, 1), last=dt.date(2024, 6, 30),
                         precision="month")
        value = Money(text="$2 billion", currency="USD", low=Decimal(2 * 10**9),
                      high=Decimal(2 * 10**9))
        return [make_claim("valuation", path=doc.path, line=3, value=value, date=june,
                           evidence="Valuation: $2 billion (June 2024)"),
                make_claim("link", path=doc.path, line=3, target="http://example.com",
                           text="http://example.com", evidence="http://example.com")]
    return []


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a dossier set and a user rules folder; claims are faked."""
    (tmp_path / "dossiers").mkdir()
    (tmp_path / "dossiers" / "a.md").write_text(DOSSIER_A, encoding="utf-8")
    (tmp_path / "dossiers" / "b.md").write_text(DOSSIER_B, encoding="utf-8")
    (tmp_path / "style").mkdir()
    (tmp_path / "style" / "words.yaml").write_text(USER_RULE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(factcheck.claims, "extract_claims", fake_extract)
    return tmp_path


def test_check_text_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "dossiers", "--rules", "style"]) == 1
    excerpt = capsys.readouterr().out.splitlines()
    assert excerpt[1].startswith(" 3 | ") and set(excerpt[2].split("|")[1].strip()) == {"^"}
    assert main(["check", "dossiers", "--rules", "style", "--no-source"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("dossiers/a.md:3:1: FC205 [error] Acme: the text says ")
    assert lines[1].startswith("  dossiers/b.md:3:1: valuation ")
    assert lines[2:] == [
        "dossiers/a.md:5:11: TT900 [warning] avoid world-class",
        "Found 2 findings (1 error, 1 warning, 0 info) in 2 files.",
    ]
    assert err == ""


def test_check_json_output_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "dossiers/", "--format", "json", "--rules", "style"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["version", "findings", "summary"] and data["version"] == 1
    first = data["findings"][0]
    assert list(first) == ["rule", "name", "severity", "message", "path", "line", "column",
                           "end_line", "end_column", "related", "fingerprint"]
    assert (first["rule"], first["name"], first["path"]) == (
        "FC205", "unicorn-status-conflict", "dossiers/a.md")
    assert list(first["related"][0]) == ["path", "line", "column", "end_line", "end_column",
                                         "message"]
    assert data["summary"] == {"files": 2, "findings": 2, "error": 1, "warning": 1, "info": 0,
                               "errors": []}


@pytest.mark.parametrize(
    ("args", "code", "rules"),
    [
        (["--select", "TT900"], 0, ["TT900"]),
        (["--select", "TT900", "--fail-level", "warning"], 1, ["TT900"]),
        (["--ignore", "FC2,world-class"], 0, []),
        (["--select", "FC", "--fail-level", "info"], 1, ["FC205"]),
    ],
)
def test_select_ignore_and_fail_level(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int,
    rules: list[str]
) -> None:
    assert main(["check", "dossiers", "--rules", "style", "--format", "json", *args]) == code
    assert [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]] == rules


def test_input_errors_are_one_line_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "dossiers/a.md", "missing.md", "--select", "FC205"]) == 2
    out, err = capsys.readouterr()
    assert err == "missing.md: no such file or directory\n"
    assert out.endswith("No findings in 1 file. 1 input error.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "dossiers", "--select", "XX999"], "factcheck: unknown rule or rule prefix"),
        (["check", "dossiers", "--rules", "nowhere"], "nowhere:1:1: rules folder not found"),
        (["explain", "FC999"], "factcheck: unknown rule 'FC999'"),
        (["check"], "no PATH given and no `paths` in a configuration file"),
        ([], "usage: factcheck"),
    ],
)
def test_usage_and_configuration_errors_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_invalid_rule_file_is_reported_at_its_node(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "style" / "words.yaml").write_text(USER_RULE.replace("warning", "loud"))
    assert main(["check", "dossiers", "--rules", "style"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("style/words.yaml:4:5: rules[0].severity: 'loud' is not one of")


def test_failing_rule_is_a_finding_not_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    @rule(code="TT950", name="broken", severity="info", summary="s", rationale="r",
          example="e", fix="f")
    def broken(ctx: RuleContext) -> Iterator[Finding]:
        raise KeyError("oops")

    monkeypatch.setattr(factcheck.rules.builtin, "RULES", [broken])
    assert main(["check", "dossiers/a.md", "--select", "TT950"]) == 1
    assert capsys.readouterr().out.startswith(
        "dossiers/a.md:1:1: FC000 [error] rule TT950 (broken) failed: KeyError: 'oops'\n")


def test_rules_and_explain(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--rules", "style"]) == 0
    listing = capsys.readouterr().out.splitlines()
    codes = [line.split()[0] for line in listing]
    assert codes == sorted(codes) and {"FC101", "FC205", "FC501", "TT900"} <= set(codes)
    assert listing[-1].split(None, 3) == ["TT900", "world-class", "warning",
                                          "Flags the phrase world-class."]
    for key in ("FC205", "fc205", "unicorn-status-conflict"):
        assert main(["explain", key]) == 0
        page = capsys.readouterr().out
        assert page.startswith("# FC205: unicorn-status-conflict\n")
        headings = [line for line in page.splitlines() if line.startswith("## ")]
        assert headings == ["## What it does", "## Why is this bad?", "## Example",
                            "## How to fix"]


def test_claims_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", "dossiers", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == 1
    assert [(c["kind"], c["path"], c["line"]) for c in data["claims"]] == [
        ("status", "dossiers/a.md", 3), ("valuation", "dossiers/b.md", 3),
        ("link", "dossiers/b.md", 3)]
    assert main(["claims", "dossiers/b.md"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("dossiers/b.md:3:1: valuation Acme: ")
    assert lines[1] == ("dossiers/b.md:3:1: link Acme: target=http://example.com "
                        "text=http://example.com")
    assert main(["claims", "nothing.md"]) == 2


def test_user_rules_folder_needs_no_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "dossiers/a.md", "--rules", "style", "--select", "TT900",
                 "--fail-level", "warning"]) == 1
    assert "dossiers/a.md:5:11: TT900 [warning] avoid world-class" in capsys.readouterr().out


# -- plugins --------------------------------------------------------------------------------


@pytest.fixture
def plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make tests/plugin_pkg visible as an installed distribution with its entry point."""
    site = tmp_path / "site"
    info = site / "factcheck_example_plugin-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: factcheck-example-plugin\nVersion: 0.1.0\n")
    pyproject = tomllib.loads((PLUGIN_SOURCE / "pyproject.toml").read_text())
    entries = pyproject["project"]["entry-points"]["factcheck.rules"]
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[factcheck.rules]\n{lines}")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGIN_SOURCE))


def test_plugin_rule_is_listed_and_runs(
    project: Path, plugin_installed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules"]) == 0
    assert "EX101  insecure-link" in capsys.readouterr().out
    assert main(["check", "dossiers", "--select", "EX101", "--fail-level", "info"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "dossiers/b.md:3:1: EX101 [info] plain http link: http://example.com")


# -- start-up and documentation -------------------------------------------------------------


def test_cli_import_is_light() -> None:
    code = ("import sys, factcheck.cli; "
            "print([m for m in ('jsonschema', 'ruamel.yaml', 'markdown_it') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_rule_docs_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_rule_docs",
                                                  ROOT / "scripts" / "gen_rule_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run: python scripts/gen_rule_docs.py"
