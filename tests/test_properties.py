"""Property tests over whole generated dossiers (tests/strategies.py `dossiers`).

For any dossier: linting raises nothing and reports no internal error; every span lies inside
its file; the same input gives the same findings in the same order; the contradictions the
strategy planted are found; `check --fix` of a mojibake-damaged copy never adds a finding; and
renaming the company or reordering the sections changes no finding.

The number of examples comes from the hypothesis profile (tests/conftest.py): a few dozen per
test by default, 100,000 with HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from factcheck import Finding, Report, lint
from factcheck.cli import main
from factcheck.engine import with_suppression_rules
from factcheck.fix import plan_fixes
from factcheck.rules import load_rules
from strategies import COMPANY, Dossier, Plant, company_names, damaged, dossiers

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
WHOLE_DOSSIER_TESTS = 4
# The long profile runs 100,000 whole dossiers in all, shared evenly by the whole-dossier tests;
# the default profile a short run. FACTCHECK_PROPERTY_EXAMPLES=N sets N examples per test (to
# measure throughput, or for a longer run).
EXAMPLES = int(os.environ.get("FACTCHECK_PROPERTY_EXAMPLES",
                              100_000 // WHOLE_DOSSIER_TESTS if LONG else 25))
WHOLE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
RULES = with_suppression_rules(load_rules())
NEWLINES = re.compile(r"\r\n|\r|\n")


def _write(tmp_path: Path, text: str, name: str = "dossier.md") -> Path:
    """Write one dossier into a folder of its own (a dossier set of one file), replacing the
    previous example's."""
    folder = tmp_path / "set"
    folder.mkdir(exist_ok=True)
    path = folder / name
    # Unlinking first is ten times faster than truncating on ext4 (no flush on truncate).
    path.unlink(missing_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _lint(path: Path) -> Report:
    report = lint([path], rules=RULES)
    assert report.errors == ()
    internal = [f for f in report.findings if f.rule == "FC000"]
    assert internal == [], internal
    return report


def _spans(finding: Finding) -> list[tuple[str, int, int, int, int]]:
    return [(finding.path, finding.line, finding.column, finding.end_line, finding.end_column),
            *((r.path, r.line, r.column, r.end_line, r.end_column) for r in finding.related)]


def _assert_spans_inside(report: Report, path: Path) -> None:
    """Every span: lines of the file, columns within their line (end exclusive), start first."""
    lines = NEWLINES.split(path.read_bytes().decode("utf-8"))
    for finding in report.findings:
        for where, line, column, end_line, end_column in _spans(finding):
            assert where == str(path), finding
            assert 1 <= line <= end_line <= len(lines), finding
            assert 1 <= column <= len(lines[line - 1]) + 1, finding
            assert 1 <= end_column <= len(lines[end_line - 1]) + 1, finding
            assert (line, column) <= (end_line, end_column), finding


def _assert_planted_found(report: Report, plants: tuple[Plant, ...], company: str) -> None:
    for plant in plants:
        marker = plant.marker.replace(COMPANY, company)
        found = [f for f in report.findings if f.rule == plant.rule and marker in f.message]
        assert found, (plant, [f.message for f in report.findings])


def _comparable(report: Report, rename: tuple[str, str] | None = None,
                lines: bool = True) -> list[tuple[object, ...]]:
    """Findings as rule, message and related messages (names mapped, and without line numbers
    unless `lines`), in report order."""
    def text(message: str) -> str:
        if rename is not None:
            message = message.replace(*rename)
        return message if lines else re.sub(r"\bline \d+", "line N", message)

    return [(f.rule, f.line if lines else 0, text(f.message),
             tuple(text(r.message) for r in f.related)) for f in report.findings]


@WHOLE
@given(dossier=dossiers())
def test_any_dossier_lints_deterministically_inside_its_file(
    tmp_path: Path, dossier: Dossier
) -> None:
    path = _write(tmp_path, dossier.text)
    first = _lint(path)
    _assert_spans_inside(first, path)
    _assert_planted_found(first, dossier.plants, dossier.company)
    # Everything else in a generated dossier agrees with itself: nothing unplanted is reported.
    unplanted = [f.message for f in first.findings
                 if not any(f.rule == p.rule and p.marker in f.message for p in dossier.plants)]
    assert unplanted == []
    again = _lint(path)
    assert again.findings == first.findings  # same findings, same order, same fingerprints


@WHOLE
@given(dossier=dossiers(plant=True))
def test_planted_contradictions_are_found(tmp_path: Path, dossier: Dossier) -> None:
    assert dossier.plants
    path = _write(tmp_path, dossier.text)
    _assert_planted_found(_lint(path), dossier.plants, dossier.company)


@WHOLE
@given(dossier=dossiers(), other=company_names(), data=st.data())
def test_renaming_the_company_or_reordering_sections_changes_no_finding(
    tmp_path: Path, dossier: Dossier, other: str, data: st.DataObject
) -> None:
    old = dossier.company
    assume(old not in other and other not in old)
    original = _lint(_write(tmp_path, dossier.text))
    renamed = _lint(_write(tmp_path, dossier.render(company=other)))
    # Lines stay where they were; only the name (and so some columns) changed.
    assert _comparable(renamed) == _comparable(original, rename=(old, other))
    order = data.draw(st.permutations(range(len(dossier.sections))), label="order")
    reordered = _lint(_write(tmp_path, dossier.render(order=order)))
    assert (Counter(_comparable(reordered, lines=False))
            == Counter(_comparable(original, lines=False)))


def _check_fix(path: Path) -> list[tuple[object, ...]]:
    """Run `factcheck check --fix --format json` on a file; return its findings (after the fix)
    as `_comparable` does."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["check", "--fix", "--format", "json", str(path)])
    assert status in (0, 1), err.getvalue()
    findings = json.loads(out.getvalue())["findings"]
    assert not [f for f in findings if f["rule"] == "FC000"], findings
    return [(f["rule"], f["line"], f["message"], tuple(r["message"] for r in f["related"]))
            for f in findings]


@WHOLE
@given(dossier=dossiers(), codec=st.sampled_from(["mac_roman", "cp1252"]), data=st.data())
def test_fixing_then_rechecking_never_adds_a_finding(
    tmp_path: Path, dossier: Dossier, codec: str, data: st.DataObject
) -> None:
    # Damage the whole file, or one section pasted from a damaged copy.
    whole = data.draw(st.booleans(), label="whole file damaged")
    if whole:
        text = damaged(dossier.text, codec)
    else:
        hurt = data.draw(st.integers(0, len(dossier.sections) - 1), label="damaged section")
        sections = list(dossier.sections)
        sections[hurt] = damaged(sections[hurt].replace(COMPANY, dossier.company), codec)
        text = Dossier(dossier.company, dossier.alias, dossier.head, tuple(sections), (),
                       dossier.newline).text
    path = _write(tmp_path, text)
    before = _lint(path)
    after = _check_fix(path)  # the findings of the check that follows the fix
    added = Counter(after) - Counter(_comparable(before))
    assert not added, added
    assert plan_fixes([str(path)]) == ([], [])  # nothing left to fix
    if whole:  # the repair is exact: the file is the dossier as written
        assert path.read_bytes() == dossier.text.encode("utf-8")


SMALL = ("# Quillara Labs (阶跃星辰)\n\n| Model | Open weights |\n|---|---|\n| Plume-2 | ❌ |\n\n"
         "Plume-2 was released on Hugging Face alongside its paper.\n")


def test_fix_repairs_a_damaged_dossier_exactly(tmp_path: Path) -> None:
    path = _write(tmp_path, damaged(SMALL, "mac_roman"))
    assert [f.rule for f in _lint(path).findings] == ["FC001", "FC101"]
    _check_fix(path)
    assert path.read_bytes() == SMALL.encode("utf-8")
    assert [f.rule for f in _lint(path).findings] == ["FC101"]


@pytest.mark.parametrize("codec", ["mac_roman", "cp1252"])
def test_the_damage_helper_makes_mojibake(codec: str) -> None:
    assert damaged("❌ 阶跃", codec) != "❌ 阶跃"
    assert damaged("plain ASCII", codec) == "plain ASCII"
