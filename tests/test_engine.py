"""The engine: findings and fingerprints, rule scopes, failures, registry and fixture harness."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import factcheck.encoding
from factcheck import ConfigError, Finding, Report, Rule, RuleContext, Severity, lint, rule
from factcheck.claims.models import OpenWeightsClaim
from factcheck.engine import InputProblem, discover
from factcheck.errors import InputError
from factcheck.findings import RelatedLocation, Span, fingerprint, make_finding
from factcheck.quantities import Money
from factcheck.rules import find_rule, load_rules, select_rules
from factcheck.testing import check_fixture, make_claim, parse_annotations


def usd(amount: int, text: str = "") -> Money:
    return Money(text=text or f"${amount}", currency="USD", low=Decimal(amount),
                 high=Decimal(amount))


class OpenWeightsConflict(Rule):
    """Flag an entity whose open-weights claims disagree (a test rule; the lead writes FC101)."""

    code = "TT101"
    name = "open-weights-conflict"
    severity = Severity.ERROR
    summary = "Flags an entity whose weights are called open in one place and closed in another."
    rationale = "Both cannot be true."
    example = "Step-X is open-source. | Step-X | ❌ |"
    fix = "Correct the wrong one."
    scope = "set"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        claims = ctx.of_kind("open_weights")
        narrowed = [c for c in claims if isinstance(c, OpenWeightsClaim)]
        assert len(narrowed) == len(claims), "of_kind returned a claim of another kind"
        for i, later in enumerate(narrowed):
            for earlier in narrowed[:i]:
                if earlier.subject_key == later.subject_key and earlier.value != later.value:
                    message = (f"{later.subject}: {later.value} (line {later.line}) but "
                               f"{earlier.value} (line {earlier.line})")
                    yield ctx.finding(self, message, later, [(earlier, "the other claim")])


@rule(code="TT102", name="any-claim", severity="info", summary="Flags every claim.",
      rationale="For tests.", example="Anything.", fix="Nothing.")
def any_claim(ctx: RuleContext) -> Iterator[Finding]:
    for claim in ctx.claims:
        yield ctx.finding(any_claim, f"{claim.kind} of {claim.subject}", claim)


@rule(code="TT103", name="always-fails", severity="error", summary="Raises.",
      rationale="For tests.", example="Anything.", fix="Nothing.")
def always_fails(ctx: RuleContext) -> Iterator[Finding]:
    raise RuntimeError("boom\nsecond line")


# Long enough for the lines the fake claims below point at: findings must lie in their file.
DOSSIER = "# Dossier\n\nSome text.\n" + "".join(f"\nLine {n}.\n" for n in range(5, 20, 2))


def write(path: Path, text: str = DOSSIER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def extractor(claims_by_name: dict[str, list[dict[str, Any]]]) -> Callable[[Any], list[Any]]:
    """Return an extractor giving each document (by file name) the claims described."""

    def extract(doc: Any) -> list[Any]:
        specs = claims_by_name.get(Path(doc.path).name, [])
        return [make_claim(path=doc.path, **spec) for spec in specs]

    return extract


# -- findings and fingerprints --------------------------------------------------------------


def test_fingerprint_ignores_lines_whitespace_and_side_order() -> None:
    a = fingerprint("FC101", "step-x", [("d/a.md", "Step-X is open-source"), ("d/a.md", "❌")])
    moved = fingerprint("FC101", "step-x", [("a.md", "❌"), ("a.md", "Step-X  is\nopen-source")])
    assert a == moved
    assert a != fingerprint("FC101", "step-x", [("a.md", "Step-X is open"), ("a.md", "❌")])
    assert a != fingerprint("FC102", "step-x", [("a.md", "Step-X is open-source"), ("a.md", "❌")])
    assert a != fingerprint("FC101", "step-y", [("a.md", "Step-X is open-source"), ("a.md", "❌")])


@given(st.lists(st.text(alphabet="ab ❌", min_size=1), min_size=1, max_size=5),
       st.sampled_from([" ", "\n", "  \n\t"]))
def test_fingerprint_survives_reflowing(words: list[str], gap: str) -> None:
    evidence = " ".join(words)
    reflowed = gap.join(words)
    assert fingerprint("FC1", "s", [("a.md", evidence)]) == fingerprint(
        "FC1", "s", [("elsewhere/a.md", reflowed)])


def test_finding_from_claims_uses_their_locations() -> None:
    prose = make_claim("open_weights", value="open", line=217, subject="Step-X",
                       evidence="Step-X is open-source")
    table = make_claim("open_weights", value="closed", line=110, subject="Step-X",
                       evidence="❌", origin="table")
    ctx = RuleContext(documents=(), claims=(table, prose))
    [finding] = OpenWeightsConflict().check(ctx)
    assert (finding.rule, finding.name, finding.severity) == (
        "TT101", "open-weights-conflict", Severity.ERROR)
    assert (finding.path, finding.line, finding.column, finding.end_column) == (
        "dossier.md", 217, 1, 22)
    assert finding.related == (RelatedLocation(path="dossier.md", line=110, column=1, end_line=110,
                                               end_column=2, message="the other claim"),)
    shifted = [c.model_copy(update={"line": c.line + 40, "end_line": c.line + 40})
               for c in (table, prose)]
    [again] = OpenWeightsConflict().check(RuleContext(documents=(), claims=tuple(shifted)))
    assert again.fingerprint == finding.fingerprint and again.line == 257


def test_sort_key_orders_by_path_line_column_rule_message() -> None:
    def at(path: str, line: int, code: str) -> Finding:
        return make_finding(rule=code, name="x", severity=Severity.INFO, message="m",
                            primary=Span(path, line, 1, line, 2, "e"), subject="s")

    findings = [at("b.md", 1, "FC1"), at("a.md", 9, "FC2"), at("a.md", 9, "FC1"),
                at("a.md", 2, "Z")]
    ordered = sorted(findings, key=lambda f: f.sort_key)
    assert [(f.path, f.line, f.rule) for f in ordered] == [
        ("a.md", 2, "Z"), ("a.md", 9, "FC1"), ("a.md", 9, "FC2"), ("b.md", 1, "FC1")]


@pytest.mark.parametrize(
    ("severities", "errors", "fail_level", "code"),
    [
        ([], False, "error", 0),
        (["warning"], False, "error", 0),
        (["warning"], False, "warning", 1),
        (["info"], False, "warning", 0),
        (["info"], False, "info", 1),
        (["error"], False, "error", 1),
        ([], True, "error", 2),
        (["error"], True, "info", 2),
    ],
)
def test_exit_code(severities: list[str], errors: bool, fail_level: str, code: int) -> None:
    findings = tuple(make_finding(rule="FC1", name="x", severity=Severity(s), message="m",
                                  primary=Span("a.md", 1, 1, 1, 1, ""), subject="")
                     for s in severities)
    problems = (InputProblem(path="x.md", reason="unreadable"),) if errors else ()
    assert Report(findings=findings, errors=problems).exit_code(fail_level) == code


# -- the engine -----------------------------------------------------------------------------


def test_set_scope_sees_the_folder_and_document_scope_one_file(tmp_path: Path) -> None:
    write(tmp_path / "set" / "a.md")
    write(tmp_path / "set" / "b.md")
    write(tmp_path / "other" / "c.md")
    extract = extractor({
        "a.md": [{"kind": "open_weights", "value": "closed", "line": 3, "subject": "Step-X"}],
        "b.md": [{"kind": "open_weights", "value": "open", "line": 5, "subject": "Step-X"}],
        "c.md": [{"kind": "open_weights", "value": "open", "line": 5, "subject": "Step-X"}],
    })
    seen: list[tuple[str, ...]] = []

    @rule(code="TT104", name="scope-probe", severity="info", summary="s", rationale="r",
          example="e", fix="f")
    def probe(ctx: RuleContext) -> Iterator[Finding]:
        seen.append(tuple(Path(d.path).name for d in ctx.documents))
        return iter(())

    report = lint([tmp_path], rules=[OpenWeightsConflict(), probe], extract=extract)
    assert report.files == 3 and report.errors == ()
    [finding] = report.findings
    assert Path(finding.path).name == "b.md" and Path(finding.related[0].path).name == "a.md"
    assert sorted(seen) == [("a.md",), ("b.md",), ("c.md",)]


def test_read_errors_are_reported_and_other_files_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = write(tmp_path / "good.md"), write(tmp_path / "bad.md")
    real_read = factcheck.encoding.read

    def read(path: Any, max_bytes: int | None = None) -> Any:
        if Path(path).name == "bad.md":
            raise InputError(str(path), "cannot decode")
        return real_read(path, max_bytes)

    monkeypatch.setattr(factcheck.encoding, "read", read)
    extract = extractor({"good.md": [{"kind": "link", "target": "x", "text": "x"}]})
    missing = tmp_path / "missing.md"
    report = lint([bad, good, missing], rules=[any_claim], extract=extract)
    assert [str(e) for e in report.errors] == [f"{missing}: no such file or directory",
                                                f"{bad}: cannot decode"]
    assert [f.path for f in report.findings] == [str(good)]
    assert report.files == 1 and report.exit_code() == 2


def test_failing_rule_becomes_internal_error_and_others_run(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md")
    extract = extractor({"a.md": [{"kind": "link", "target": "x", "text": "x"}]})
    report = lint([path], rules=[always_fails, any_claim], extract=extract)
    assert [(f.rule, f.name, f.severity) for f in report.findings] == [
        ("FC000", "internal-error", Severity.ERROR), ("TT102", "any-claim", Severity.INFO)]
    assert report.findings[0].message == (
        "rule TT103 (always-fails) failed: RuntimeError: boom second line")


def test_failing_extractor_becomes_internal_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md")

    def extract(doc: Any) -> list[Any]:
        raise ValueError("bad table")

    [finding] = lint([path], rules=[any_claim], extract=extract).findings
    assert finding.rule == "FC000"
    assert finding.message == "claim extraction failed: ValueError: bad table"


def test_output_is_deterministic(tmp_path: Path) -> None:
    for name in ("z.md", "a.md", "m.md"):
        write(tmp_path / name)
    specs = [{"kind": "link", "target": "x", "text": "x", "line": n} for n in (9, 2, 5)]
    extract = extractor(dict.fromkeys(("z.md", "a.md", "m.md"), specs))
    first = lint([tmp_path / "z.md", tmp_path], rules=[any_claim], extract=extract)
    second = lint([tmp_path], rules=[any_claim], extract=extract)
    assert first == second
    assert [(Path(f.path).name, f.line) for f in first.findings] == [
        (n, line) for n in ("a.md", "m.md", "z.md") for line in (2, 5, 9)]
    assert len({f.fingerprint for f in first.findings}) == 9  # repeats are numbered


def test_discover_walks_folders_sorted_and_keeps_paths_as_given(tmp_path: Path) -> None:
    write(tmp_path / "d" / "b.md")
    write(tmp_path / "d" / "sub" / "a.markdown")
    write(tmp_path / "d" / "notes.txt")
    write(tmp_path / "d" / ".hidden" / "x.md")
    write(tmp_path / "empty" / "x.txt")
    base = str(tmp_path)
    files, problems = discover([f"{base}/d/", f"{base}/d/b.md", f"{base}/empty"])
    assert files == [f"{base}/d/b.md", f"{base}/d/sub/a.markdown"]
    assert problems == [InputProblem(path=f"{base}/empty", reason="no Markdown files found")]


def test_select_and_ignore_by_code_prefix_and_name() -> None:
    rules = [OpenWeightsConflict(), any_claim, always_fails]

    def codes(rs: list[Rule]) -> list[str]:
        return [r.code for r in rs]

    assert codes(select_rules(rules, ["TT10"], ["always-fails"])) == ["TT101", "TT102"]
    assert codes(select_rules(rules, ["any-claim", "tt101"])) == ["TT101", "TT102"]
    assert codes(select_rules(rules, None, ["TT1"])) == []
    with pytest.raises(ValueError, match="TT9"):
        select_rules(rules, ["TT9"])
    assert find_rule(rules, "tt102") is any_claim and find_rule(rules, "any-claim") is any_claim


# -- registry -------------------------------------------------------------------------------


def test_builtin_registry_is_sorted_and_documented() -> None:
    rules = load_rules()
    assert [r.code for r in rules] == sorted(r.code for r in rules)
    assert {"FC205", "FC206", "FC501"} <= {r.code for r in rules}


def test_duplicate_code_names_both_sources(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", """rules:
  - code: FC501
    name: my-sum
    severity: info
    summary: s
    rationale: r
    example: e
    fix: f
    message: m
    kind: existence
    tokens: [foo]
""")
    with pytest.raises(ConfigError) as info:
        load_rules([tmp_path])
    assert (Path(info.value.path).name, info.value.line, info.value.column) == ("mine.yaml", 2, 5)
    assert "FC501 is already defined at" in info.value.reason
    assert "scenarios.yaml:3:5" in info.value.reason


def test_rule_without_documentation_is_refused() -> None:
    class Undocumented(Rule):
        code = "TT200"
        name = "undocumented"
        severity = Severity.INFO
        summary = "s"

    with pytest.raises(ConfigError, match="`rationale` is missing") as info:
        from factcheck.rules.registry import _check_identity

        _check_identity(Undocumented())
    assert info.value.path == __file__


# -- the fixture harness --------------------------------------------------------------------

FIXTURE = """# Fixture

<!-- expect: TT101 -->
Step-X is open-source.

<!-- ok: TT101 -->
<!-- todo: TT102 -->
| Model | Open |
| Step-Y | ❌ |

<!-- expect: TT101, TT102 -->
Line one
line two.
"""


def finding_at(code: str, path: Path, line: int, related: int | None = None) -> Finding:
    rel = [(Span(str(path), related, 1, related, 2, "r"), "other")] if related else []
    return make_finding(rule=code, name="x", severity=Severity.ERROR, message=f"{code}@{line}",
                        primary=Span(str(path), line, 1, line, 2, "e"), related=rel, subject="s")


def test_annotations_cover_the_next_block() -> None:
    annotations, problems = parse_annotations(FIXTURE)
    assert problems == []
    assert [(a.kind, a.code, a.first, a.last) for a in annotations] == [
        ("expect", "TT101", 4, 4), ("ok", "TT101", 8, 9), ("todo", "TT102", 8, 9),
        ("expect", "TT101", 12, 13), ("expect", "TT102", 12, 13)]


def test_check_fixture_reports_every_kind_of_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "f.md", FIXTURE)
    good = [finding_at("TT101", path, 4), finding_at("TT101", path, 20, related=13),
            finding_at("TT102", path, 12)]
    assert check_fixture(path, good) == []
    bad = [finding_at("TT101", path, 4), finding_at("TT101", path, 9), finding_at("TT102", path, 8),
           finding_at("TT103", path, 1), finding_at("TT102", tmp_path / "elsewhere.md", 1)]
    assert check_fixture(path, bad) == [
        f"{path}:9:1: TT101 fired in lines 8-9 marked ok: TT101@9",
        f"{path}:7: TT102 now fires in lines 8-9 marked todo; change the annotation to expect",
        f"{path}:11: expected TT101 in lines 12-13; it did not fire",
        f"{path}:11: expected TT102 in lines 12-13; it did not fire",
        f"{path}:9:1: unexpected TT101: TT101@9",
        f"{path}:8:1: unexpected TT102: TT102@8",
        f"{path}:1:1: unexpected TT103: TT103@1",
    ]


def test_malformed_annotations_are_problems() -> None:
    _, problems = parse_annotations("<!-- expect: fc1 -->\ntext\n\n<!-- ok: FC101 -->\n")
    assert problems == ["1: annotation `<!-- expect: fc1 -->`: bad rule code 'fc1'",
                        "4: annotation `<!-- ok: FC101 -->`: no block after it"]


@given(st.lists(st.sampled_from(["", "text", "| a | b |", "<!-- expect: FC101 -->", "  "]),
                max_size=12))
def test_annotation_blocks_are_non_blank_runs(lines: list[str]) -> None:
    annotations, _ = parse_annotations("\n".join(lines))
    for a in annotations:
        block = lines[a.first - 1 : a.last]
        assert a.line < a.first and all(line.strip() for line in block)
        assert a.last == len(lines) or not lines[a.last].strip()
        between = lines[a.line : a.first - 1]
        assert all(not s.strip() or "<!--" in s for s in between)
