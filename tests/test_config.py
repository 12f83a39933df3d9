"""Configuration: each key of [tool.factcheck] and .factcheck.yaml, discovery, and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck import Config, ConfigError, find_config, lint, load_config
from factcheck.cli import main
from samples import WORLD_CLASS_RULE

ROOT = Path(__file__).resolve().parents[1]

MODELS = ("# Models\n\n| Model | Open Weights |\n| --- | --- |\n| Foo-1 | ❌ |\n\n"
          "- Foo-1 is open-source.\n")
NOT_UNICORN = "# Acme\n\nAcme was not a unicorn as of late 2024.\n"
VALUATION = "# Acme\n\n- Valuation: $2 billion (June 2024)\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    """Run `factcheck check --format json`; return the status, the findings' rules and stderr."""
    code = main(["check", *args, "--format", "json"])
    out, err = capsys.readouterr()
    rules = [f"{f['rule']}:{f['severity']}" for f in json.loads(out)["findings"]] if out else []
    return code, rules, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one contradiction (FC101) in dossiers/models.md."""
    write(tmp_path / "dossiers" / "models.md", MODELS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- discovery ------------------------------------------------------------------------------

def test_found_by_walking_up_yaml_before_pyproject_and_pyproject_only_with_the_table(
    tmp_path: Path,
) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(deep) is None
    write(tmp_path / "pyproject.toml", "[tool.factcheck]\n")
    assert find_config(deep / "x.md") == tmp_path / "pyproject.toml"
    write(tmp_path / "a" / "pyproject.toml", "[tool.factcheck]\nignore = ['FC7']\n")
    write(tmp_path / "a" / ".factcheck.yaml", "ignore: [FC1]\n")
    assert find_config(deep) == tmp_path / "a" / ".factcheck.yaml"
    assert load_config(tmp_path / "a" / "pyproject.toml").ignore == ("FC7",)


def test_first_path_with_a_configuration_wins_and_flags_choose_or_disable_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "other" / "models.md", MODELS)
    write(project / "other" / ".factcheck.yaml", "ignore: [FC101]\n")
    write(project / "strict.yaml", "fail-level: info\nseverity: {FC101: info}\n")
    assert run(capsys, "dossiers", "other")[:2] == (0, [])
    write(project / "dossiers" / ".factcheck.yaml", "severity: {FC101: warning}\n")
    assert run(capsys, "other", "dossiers")[:2] == (0, [])
    assert run(capsys, "dossiers", "other")[:2] == (0, ["FC101:warning", "FC101:warning"])
    assert run(capsys, "other", "--no-config")[:2] == (1, ["FC101:error"])
    assert run(capsys, "other", "--config", "strict.yaml")[:2] == (1, ["FC101:info"])


# -- each key -------------------------------------------------------------------------------

def test_paths_are_the_default_paths_relative_to_the_configuration(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.factcheck]\npaths = ["dossiers"]\n')
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    code = main(["check"])
    out = capsys.readouterr().out
    # Paths outside the current folder are shown in full.
    assert code == 1 and out.startswith(f"{project}/dossiers/models.md:7:3: FC101 [error]")


def test_exclude_skips_matching_files_and_folders(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "dossiers" / "drafts" / "x.md", MODELS)
    write(project / "dossiers" / "old.draft.md", MODELS)
    assert run(capsys, "dossiers")[0] == 1
    assert len(run(capsys, "dossiers")[1]) == 3
    write(project / ".factcheck.yaml", "exclude: [drafts, '*.draft.md']\n")
    code, rules, _ = run(capsys, "dossiers", "dossiers/old.draft.md")
    assert (code, rules) == (1, ["FC101:error"])


def test_select_and_ignore_and_flags_override_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / ".factcheck.yaml", "select: [FC2, FC7]\n")
    assert run(capsys, "dossiers")[:2] == (0, [])
    assert run(capsys, "dossiers", "--select", "open-weights-conflict")[:2] == (1, ["FC101:error"])
    write(project / ".factcheck.yaml", "ignore: [open-weights-conflict]\n")
    assert run(capsys, "dossiers")[:2] == (0, [])
    assert run(capsys, "dossiers", "--ignore", "FC7")[:2] == (1, ["FC101:error"])


def test_severity_by_code_prefix_or_name_the_most_specific_winning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml",
          '[tool.factcheck.severity]\nFC1 = "info"\nFC101 = "warning"\n')
    assert run(capsys, "dossiers")[:2] == (0, ["FC101:warning"])
    write(project / "pyproject.toml",
          '[tool.factcheck]\nseverity = { open-weights-conflict = "info", FC = "error" }\n')
    assert run(capsys, "dossiers")[:2] == (0, ["FC101:info"])


def test_fail_level_and_the_flag_overriding_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / ".factcheck.yaml", "severity: {FC101: warning}\nfail-level: warning\n")
    assert run(capsys, "dossiers")[0] == 1
    assert run(capsys, "dossiers", "--fail-level", "error")[0] == 0


def test_rules_folders_are_relative_to_the_configuration_and_add_to_the_flag(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "style" / "words.yaml", WORLD_CLASS_RULE)
    write(project / "dossiers" / "lab.md", "# Lab\n\nA world-class lab.\n")
    write(project / ".factcheck.yaml", "rules: [style]\n")
    monkeypatch.chdir(project / "dossiers")
    assert run(capsys, ".")[1] == ["TT900:warning", "FC101:error"]
    assert main(["explain", "TT900"]) == 0
    assert "world-class" in capsys.readouterr().out


def test_vocabulary_files_extend_the_built_in_one(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built_in = (ROOT / "rules" / "vocabulary.yaml").read_text(encoding="utf-8")
    extended = built_in.replace("  open_weights: [open weights,", "  open_weights: [downloadable,",
                                1)
    assert extended != built_in
    write(project / "vocab" / "house.yaml", extended)
    write(project / "dossiers" / "models.md", MODELS.replace("Open Weights", "Downloadable"))
    assert run(capsys, "dossiers")[:2] == (0, [])
    write(project / ".factcheck.yaml", "vocabulary: [vocab/house.yaml]\n")
    assert run(capsys, "dossiers")[:2] == (1, ["FC101:error"])
    assert main(["claims", "dossiers"]) == 0
    assert "open_weights Foo-1: closed" in capsys.readouterr().out


def test_groups_join_files_of_different_folders_into_one_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "profiles" / "acme.md", NOT_UNICORN)
    write(tmp_path / "funding" / "acme-rounds.md", VALUATION)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "profiles", "funding")[:2] == (0, [])
    write(tmp_path / ".factcheck.yaml", "groups:\n  - [profiles/acme.md, 'funding/acme-*.md']\n")
    assert run(capsys, "profiles", "funding")[:2] == (1, ["FC205:error"])
    # The pre-commit hook's --siblings reads the other members of a changed file's group.
    assert run(capsys, "--siblings", "profiles/acme.md")[:2] == (1, ["FC205:error"])


def test_python_api_takes_a_configuration(project: Path) -> None:
    write(project / ".factcheck.yaml", "severity: {FC101: info}\n")
    config = load_config(".factcheck.yaml")
    assert config.source == ".factcheck.yaml"
    assert [f.severity for f in lint(["dossiers"], config=config).findings] == ["info"]
    assert [f.severity for f in lint(["dossiers"], config=Config()).findings] == ["error"]


# -- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (".factcheck.yaml", "select: [FC1]\nfail_lvl: warning\n",
         ".factcheck.yaml:2:1: fail_lvl: Extra inputs are not permitted"),
        (".factcheck.yaml", "severity:\n  FC101: fatal\n",
         ".factcheck.yaml:2:3: severity.FC101: Input should be 'error', 'warning' or 'info'"),
        (".factcheck.yaml", "groups:\n  - [a.md]\n  - b.md\n",
         ".factcheck.yaml:3:5: groups.1: Input should be a valid tuple"),
        (".factcheck.yaml", "select: [FC1\n", ".factcheck.yaml:2:1: "),
        (".factcheck.yaml", "- a\n", ".factcheck.yaml:1:1: expected a mapping of settings"),
        (".factcheck.yaml", "ignore: [FC1, XX123]\n",
         ".factcheck.yaml:1:15: ignore.1: unknown rule or rule prefix: 'XX123'"),
        (".factcheck.yaml", "severity: {FC101: info, nope: info}\n",
         ".factcheck.yaml:1:25: severity.nope: unknown rule or rule prefix: 'nope'"),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.factcheck]\npaths = ["a"]\n'
         'exclude = "drafts"\n', "pyproject.toml:6:1: exclude: Input should be a valid tuple"),
        ("pyproject.toml", '[tool.factcheck]\nfail-level = "warning"\n\n'
         '[tool.factcheck.severity]\nFC1 = "info"\n  "FC101" = "loud"\n',
         "pyproject.toml:6:3: severity.FC101: Input should be 'error', 'warning' or 'info'"),
        ("pyproject.toml", '[tool.factcheck]\nseverity = { FC1 = "info", FC2 = 3 }\n',
         "pyproject.toml:2:28: severity.FC2: Input should be 'error', 'warning' or 'info'"),
        ("pyproject.toml", "[tool.factcheck]\nselect = [\n",
         "pyproject.toml:3:1: Invalid value"),
    ],
)
def test_errors_name_the_file_line_and_column_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    write(project / name, text)
    assert main(["check", "dossiers"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message) and err.count("\n") == 1, err


def test_an_explicit_toml_file_needs_the_table(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml:1:1: no \[tool.factcheck\] table$"):
        load_config("pyproject.toml")
    assert main(["check", "dossiers", "--config", "missing.yaml"]) == 2
    assert capsys.readouterr().err.startswith("missing.yaml:1:1: cannot read:")
