"""Cross-file rules index claims by entity and key: the comparisons grow linearly with a set.

One folder of N tiny dossiers is one dossier set, so every set-scope rule sees the claims of
all N files together. The rules count the pairs of claims they examine
(`RuleContext.compared`); a rule that paired every claim of a kind with every other would make
about 100 times the comparisons at 1,000 dossiers that it makes at 100.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from factcheck import Finding, RuleContext, Severity, lint
from factcheck.rules import Rule, load_rules
from factcheck.rules.base import counting_comparisons, group_by

_SYLLABLES = ["ka", "lo", "mi", "ru", "te", "vo", "sa", "ne", "di", "po", "fu", "ze"]


def company(i: int) -> str:
    """A distinct made-up company name for every i below 12**4."""
    parts = [_SYLLABLES[(i // 12**k) % 12] for k in range(4)]
    return "".join(parts).capitalize() + " Robotics"


def dossier(name: str, i: int) -> str:
    return (f"# {name}\n\n{name} builds warehouse robots.\n\n"
            f"- **Valuation**: ${400 + i % 7 * 10} million (June 2024)\n"
            f"- Series A (March 2023): ${40 + i % 5} million\n"
            f"- {name} runs {3 + i % 4} pilot sites.\n\n"
            "## Outcome scenarios\n\n"
            "- 60%: acquisition by a logistics group\n"
            "- 40%: independent growth\n")


def companion(name: str, i: int) -> str:
    """A strategy file about the same company, disagreeing with its main file."""
    return (f"# {name}: strategy\n\n"
            f"- **Valuation**: ${450 + i % 7 * 10} million (June 2024)\n"
            f"- Series A (March 2023): ${40 + i % 5} million\n"
            f"- {name} runs {9 + i % 4} pilot sites.\n\n"
            "## Outcome scenarios\n\n"
            "- 50%: acquisition by a logistics group\n"
            "- 50%: independent growth\n")


def write_set(folder: Path, n: int) -> None:
    """Write n dossiers in one folder; every fifth has a `-strategy` companion."""
    folder.mkdir()
    for i in range(n):
        name = company(i)
        slug = name.split()[0].casefold()
        (folder / f"{slug}.md").write_text(dossier(name, i), encoding="utf-8")
        if i % 5 == 0:
            (folder / f"{slug}-strategy.md").write_text(companion(name, i), encoding="utf-8")


class NaivePairs(Rule):
    """A rule that pairs every claim of a kind with every other across the set: quadratic."""

    code, name, scope = "ZZ999", "naive-pairs", "set"
    severity = Severity.INFO
    summary = rationale = example = fix = "For the test only."

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for group in group_by(ctx.claims, lambda c: c.kind):
            for _a, _b in itertools.combinations(group, 2):
                ctx.compared(self)
        return iter(())


def set_scope_rules() -> list[Rule]:
    return [r for r in load_rules() if r.scope == "set"]


def comparisons(folder: Path, rules: list[Rule]) -> tuple[Counter[str], list[Finding]]:
    with counting_comparisons() as counted:
        report = lint([folder], rules=rules)
    assert not report.errors
    return counted, list(report.findings)


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Counter[str]]:
    found: dict[int, Counter[str]] = {}
    for n in (100, 1000):
        folder = tmp_path_factory.mktemp("cross") / f"set{n}"
        write_set(folder, n)
        counted, findings = comparisons(folder, [*set_scope_rules(), NaivePairs()])
        # The companions' contradictions are found across files, each naming both files.
        cross = [f for f in findings if f.related and f.related[0].path != f.path]
        assert {f.rule for f in cross} >= {"FC207", "FC503", "FC504"}
        assert len([f for f in cross if f.rule == "FC504"]) == n // 5
        found[n] = counted
    return found


def grows_linearly(small: int, large: int) -> bool:
    """Ten times the dossiers may cost at most eleven times the comparisons."""
    return small > 0 and large <= 11 * small


def test_cross_file_rules_grow_linearly(counts: dict[int, Counter[str]]) -> None:
    builtin = [r.code for r in set_scope_rules()]
    small = sum(counts[100][code] for code in builtin)
    large = sum(counts[1000][code] for code in builtin)
    assert grows_linearly(small, large), (small, large)
    for code in builtin:  # and each rule on its own
        assert counts[1000][code] <= 11 * counts[100][code], code
    assert {"FC201", "FC202", "FC204", "FC503", "FC504"} <= {
        code for code in builtin if counts[100][code] > 0}


def test_a_rule_comparing_all_pairs_fails_the_check(counts: dict[int, Counter[str]]) -> None:
    small, large = counts[100]["ZZ999"], counts[1000]["ZZ999"]
    assert small > 0
    assert not grows_linearly(small, large), (small, large)


def test_counting_is_off_outside_the_block(tmp_path: Path) -> None:
    write_set(tmp_path / "few", 3)
    with counting_comparisons() as counted:
        pass
    lint([tmp_path / "few"], rules=[NaivePairs()])
    assert counted == Counter()
