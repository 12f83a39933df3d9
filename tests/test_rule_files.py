"""Broken and hostile rule files: each is one ConfigError at path:line:column, never a traceback.

Every case runs the command line (`factcheck check --rules DIR FILE`: exit 2 and exactly one line
on stderr) and, where that says more, the loader. The rule cache is exercised too: a file that
was valid and then changed is validated again and its error placed as before.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from factcheck import ConfigError
from factcheck.cache import PREVALIDATED_PATH, Cache
from factcheck.cli import main
from factcheck.rules import find_rule, load_rules
from factcheck.rules.declarative import PhraseRule, load_rule_dir, load_rule_file
from factcheck.vocab import data_dir
from samples import RULE_HEADER as HEADER

ROOT = Path(__file__).resolve().parents[1]

EXISTENCE = '    message: "avoid {match}"\n    kind: existence\n'
TOKENS = EXISTENCE + "    tokens: [x]\n"


def rule_text(code: str = "TT301", name: str = "test-rule", body: str = TOKENS) -> str:
    return HEADER.replace("TT301", code).replace("test-rule", name) + body


def check_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str],
                where: tuple[str, int, int], reason: str) -> None:
    """Write rule files to tmp_path/rules, run `factcheck check` and expect one error line."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    for name, text in files.items():
        (rules / name).write_text(text, encoding="utf-8")
    dossier = tmp_path / "d.md"
    dossier.write_text("# Acme\n\nAcme is fine.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--rules", str(rules), str(dossier)]) == 2
    out, err = capsys.readouterr()
    path, line, column = where
    assert err == f"{rules / path}:{line}:{column}: {reason}\n"
    assert out == ""


def test_yaml_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": HEADER + EXISTENCE + "    tokens: [x\n"},
                ("a.yaml", 12, 1), "expected ',' or ']', but got '<stream end>'")


def test_yaml_syntax_error_in_a_scalar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": HEADER + '    message: "unclosed\n'},
                ("a.yaml", 10, 1), "found unexpected end of stream")


def test_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": HEADER + EXISTENCE + "    tokens: 5\n"},
                ("a.yaml", 11, 5), "rules[0].tokens: 5 is not of type 'array'")


def test_top_level_is_not_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": "- just\n- a list\n"},
                ("a.yaml", 1, 1), "['just', 'a list'] is not of type 'object'")


def test_unknown_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys,
                {"a.yaml": HEADER + EXISTENCE + "    tokens: [x]\n    colour: red\n"},
                ("a.yaml", 12, 5), "rules[0].colour: unknown field `colour`")


def test_duplicate_key_in_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys,
                {"a.yaml": HEADER + EXISTENCE + "    tokens: [x]\n    tokens: [y]\n"},
                ("a.yaml", 12, 5), 'found duplicate key "tokens" with value "[\'y\']" '
                                   '(original value: "[\'x\']")')


def test_duplicate_code_within_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = rule_text(name="other-rule").removeprefix("rules:\n")
    check_fails(tmp_path, capsys, {"a.yaml": rule_text() + second},
                ("a.yaml", 12, 5), f"rule TT301 is already defined at {tmp_path}/rules/a.yaml:2:5")


def test_duplicate_code_across_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": rule_text(), "b.yaml": rule_text(name="other-rule")},
                ("b.yaml", 2, 5), f"rule TT301 is already defined at {tmp_path}/rules/a.yaml:2:5")


def test_duplicate_name_across_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": rule_text(), "b.yaml": rule_text(code="TT302")},
                ("b.yaml", 2, 5),
                f"rule test-rule is already defined at {tmp_path}/rules/a.yaml:2:5")


def test_code_of_a_builtin_python_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builtin = find_rule(load_rules(), "FC101")
    assert builtin is not None
    path, line, column = builtin.defined_at()
    assert path.endswith("model_rules.py")
    check_fails(tmp_path, capsys, {"a.yaml": rule_text(code="FC101")},
                ("a.yaml", 2, 5), f"rule FC101 is already defined at {path}:{line}:{column}")


def test_code_of_a_builtin_yaml_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builtin = find_rule(load_rules(), "FC501")
    assert builtin is not None
    path, line, column = builtin.defined_at()
    assert (Path(path).name, line, column) == ("scenarios.yaml", 3, 5)
    check_fails(tmp_path, capsys, {"a.yaml": rule_text(code="FC501")},
                ("a.yaml", 2, 5), f"rule FC501 is already defined at {path}:{line}:{column}")


@pytest.mark.parametrize(
    ("tagged", "tag"),
    [
        ("!!python/object/apply:os.system ['touch {marker}']",
         "tag:yaml.org,2002:python/object/apply:os.system"),
        ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
        ("!custom [x]", "!custom"),
        ("!!str x", "tag:yaml.org,2002:str"),
    ],
)
def test_tags_are_refused_and_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        tagged: str, tag: str) -> None:
    marker = tmp_path / "ran"
    check_fails(tmp_path, capsys,
                {"a.yaml": HEADER + EXISTENCE + f"    tokens: {tagged.format(marker=marker)}\n"},
                ("a.yaml", 11, 5), f"YAML tag {tag} is not allowed: factcheck reads plain data")
    assert not marker.exists()


def test_a_tag_on_the_document_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": "!!python/object:os.system\nrules: []\n"},
                ("a.yaml", 1, 1),
                "YAML tag tag:yaml.org,2002:python/object:os.system is not allowed: "
                "factcheck reads plain data")


def test_alias_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    check_fails(tmp_path, capsys, {"a.yaml": "\n".join(lines) + "\nrules: []\n"},
                ("a.yaml", 5, 1), "more than 100000 nodes once aliases are expanded")


def test_recursive_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": "loop: &x [*x]\nrules: []\n"},
                ("a.yaml", 1, 7), "an alias refers to a node that contains it")


def test_deep_nesting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_fails(tmp_path, capsys, {"a.yaml": "rules: " + "[" * 10_000 + "]" * 10_000 + "\n"},
                ("a.yaml", 1, 57), "nested more than 50 levels deep")


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_bytes(rule_text().encode("utf-16"))
    with pytest.raises(ConfigError) as info:
        load_rule_dir(rules)
    assert (info.value.line, info.value.column) == (1, 1)
    assert info.value.reason.startswith("cannot read: 'utf-8' codec can't decode byte 0xff")


# -- regular expressions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", r"invalid escape sequence: \1"),
        (r"foo(?=bar)", "invalid perl operator: (?="),
        ("(a", "missing ): (a"),
        ("a{2000}", "invalid repetition size: {2000}"),
    ],
)
def test_pattern_that_does_not_compile(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       pattern: str, reason: str) -> None:
    body = EXISTENCE + f"    patterns:\n      - ok\n      - '{pattern}'\n"
    check_fails(tmp_path, capsys, {"a.yaml": HEADER + body}, ("a.yaml", 13, 9),
                f"rules[0].patterns[1]: not a valid RE2 regular expression: {reason}")


def test_pattern_that_matches_the_empty_text(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    body = '    message: "use {good}"\n    kind: substitution\n    patterns: {"x*": y}\n'
    check_fails(tmp_path, capsys, {"a.yaml": HEADER + body}, ("a.yaml", 11, 16),
                "rules[0].patterns['x*']: the pattern matches the empty text, so it would "
                "match everywhere")


@pytest.mark.parametrize(
    ("pattern", "line", "matched"),
    [
        pytest.param("(a+)+$", "a" * 1_000_000 + "!", None, id="a-plus-plus-no-match"),
        pytest.param("(a+)+$", "a" * 1_000_000, (1, 1_000_001), id="a-plus-plus-match"),
        pytest.param("(x+x+)+y", "x" * 1_000_000, None, id="x-plus-x-plus-no-match"),
        pytest.param("(x+x+)+y", "x" * 999_999 + "y", (1, 1_000_001), id="x-plus-x-plus-match"),
    ],
)
def test_catastrophic_patterns_run_in_linear_time(
    tmp_path: Path, pattern: str, line: str, matched: tuple[int, int] | None
) -> None:
    """These patterns take hours on a backtracking engine on a 1 MB line; RE2 needs
    milliseconds (see docs/reliability.md), so the check simply completes."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_text(HEADER + EXISTENCE + f"    patterns: ['{pattern}']\n",
                                  encoding="utf-8")
    dossier = tmp_path / "d.md"
    dossier.write_text(f"# Acme\n\n{line}\n", encoding="utf-8")
    from factcheck.engine import lint

    [rule] = load_rule_dir(rules)
    assert isinstance(rule, PhraseRule)
    report = lint([dossier], rules=[rule])
    spans = [(f.line, f.column, f.end_column) for f in report.findings]
    assert spans == ([] if matched is None else [(3, *matched)])


# -- the cache ------------------------------------------------------------------------------


def test_cached_rules_equal_loaded_rules_and_changes_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(rule_text(body=EXISTENCE + "    patterns: ['w[a-z]+d']\n"), encoding="utf-8")
    cache = Cache(tmp_path / "cache")
    first = load_rule_file(path, cache=cache)
    second = load_rule_file(path, cache=cache)
    assert (cache.misses, cache.hits) == (1, 1)
    assert [(r.code, r.defined_at()) for r in second] == [(r.code, r.defined_at()) for r in first]
    assert second[0].defined_at() == (str(path), 2, 5)
    # The same file, changed: a new key, so it is parsed and validated again.
    path.write_text(rule_text(body=EXISTENCE + "    patterns: ['w[a-z]+d']\n    colour: red\n"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rule_file(path, cache=cache)
    assert (info.value.line, info.value.column, info.value.reason) == (
        12, 5, "rules[0].colour: unknown field `colour`")


def test_an_invalid_file_is_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(rule_text(code="FC000x"), encoding="utf-8")
    cache = Cache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(ConfigError):
            load_rule_file(path, cache=cache)
    assert not (tmp_path / "cache" / "rules").exists()


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(rule_text(), encoding="utf-8")
    load_rule_dir(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


def test_warm_cache_imports_neither_jsonschema_nor_ruamel(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.yaml").write_text(rule_text(), encoding="utf-8")
    script = (
        "import sys\n"
        "from factcheck.cache import Cache\n"
        "from factcheck.rules.registry import load_rules\n"
        "from factcheck.vocab import default_vocabulary\n"
        f"cache = Cache({str(tmp_path / 'cache')!r})\n"
        "load_rules(sys.argv[1:], cache=cache)\n"
        "default_vocabulary(cache)\n"
        "print(sorted(m for m in sys.modules\n"
        "      if m.split('.')[0] in ('jsonschema', 'ruamel', '_ruamel_yaml')))\n"
    )

    def run(*rule_dirs: Path) -> str:
        done = subprocess.run([sys.executable, "-c", script, *map(str, rule_dirs)],
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    # factcheck's own files are shipped validated: not even the first run parses them.
    assert run() == "[]"
    assert run(tmp_path / "mine") != "[]"  # a user's file is parsed and validated once
    assert run(tmp_path / "mine") == "[]"


def test_shipped_entries_are_up_to_date_and_only_for_the_shipped_bytes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("prevalidate",
                                                  ROOT / "scripts" / "prevalidate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wanted = module.entries()
    assert PREVALIDATED_PATH.read_text(encoding="utf-8") == wanted, (
        "run python scripts/prevalidate.py")
    rule_files = sorted(p for p in data_dir().glob("*.yaml") if p.name != "vocabulary.yaml")
    assert sorted(k.split("/")[0] for k in json.loads(wanted)) == (
        ["rules"] * len(rule_files) + ["vocabulary"])
    # A copy of a shipped file with one more (invalid) key is not the shipped file.
    shipped = rule_files[0]
    copy = tmp_path / shipped.name
    copy.write_text(shipped.read_text(encoding="utf-8").replace(
        "\n    severity:", "\n    colour: red\n    severity:", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown field `colour`"):
        load_rule_file(copy)
