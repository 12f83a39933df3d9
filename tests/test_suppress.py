"""Inline suppressions: disable/enable ranges, disable-next-line, unused and unknown ones."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from factcheck import Finding, Rule, RuleContext, Severity, lint
from factcheck.cli import main
from factcheck.findings import Span
from factcheck.suppress import SUPPRESSION_RULES

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus" / "ailabs"


class WordRule(Rule):
    """Flag every line holding a word; a stand-in for any rule, independent of the extractors."""

    severity = Severity.ERROR
    summary = "Flags a word."
    rationale = "For tests."
    example = "WRONG"
    fix = "Remove it."

    def __init__(self, code: str, name: str, word: str) -> None:
        self.code, self.name, self.word = code, name, word

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for doc in ctx.documents:
            for number, line in enumerate(doc.original.split("\n"), 1):
                column = line.find(self.word)
                if column >= 0:
                    at = Span(doc.path, number, column + 1, number,
                              column + 1 + len(self.word), line)
                    yield ctx.finding_at(self, f"found {self.word}", at, subject=self.word)


RULES: list[Rule] = [WordRule("TT001", "wrong-word", "WRONG"),
                     WordRule("TT002", "bad-word", "BAD"), *SUPPRESSION_RULES]


def check(tmp_path: Path, text: str, **options: list[str]) -> list[tuple[str, int]]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    report = lint([path], rules=RULES, extract=lambda doc: [], **options)  # type: ignore[arg-type]
    return [(f.rule, f.line) for f in report.findings]


def test_range_covers_the_lines_between_disable_and_enable(tmp_path: Path) -> None:
    text = ("WRONG before\n\n<!-- factcheck: disable TT001 -->\n\nWRONG inside\n\n"
            "WRONG and BAD inside\n\n<!-- factcheck: enable TT001 -->\n\nWRONG after\n")
    assert check(tmp_path, text) == [("TT001", 1), ("TT002", 7), ("TT001", 11)]


def test_disable_without_enable_runs_to_the_end(tmp_path: Path) -> None:
    text = "WRONG\n\n<!-- factcheck: disable wrong-word -->\n\nWRONG\n\nWRONG\n"
    assert check(tmp_path, text) == [("TT001", 1)]


def test_next_line_skips_blank_lines_and_covers_one_line(tmp_path: Path) -> None:
    text = ("<!-- factcheck: disable-next-line TT001 -- the table lags the announcement -->\n"
            "\n\nWRONG here\nWRONG again\n")
    assert check(tmp_path, text) == [("TT001", 5)]


def test_several_codes_and_names_in_one_comment(tmp_path: Path) -> None:
    text = "<!-- factcheck: disable-next-line TT001, bad-word -->\nWRONG and BAD\n"
    assert check(tmp_path, text) == []


def test_unused_suppression_is_reported_at_the_comment(tmp_path: Path) -> None:
    text = "Fine.\n\n<!-- factcheck: disable-next-line TT001,TT002 -->\nBAD only\n"
    assert check(tmp_path, text) == [("FC900", 3)]
    path = tmp_path / "doc.md"
    report = lint([path], rules=RULES, extract=lambda doc: [])
    (unused,) = report.findings
    assert (unused.severity, unused.column) == (Severity.WARNING, 1)
    assert "TT001" in unused.message


def test_unknown_rule_is_an_error(tmp_path: Path) -> None:
    text = "<!-- factcheck: disable-next-line TT0O1 -->\nWRONG\n"
    assert check(tmp_path, text) == [("FC901", 1), ("TT001", 2)]


def test_suppression_of_a_rule_not_selected_is_not_unused(tmp_path: Path) -> None:
    text = "<!-- factcheck: disable-next-line TT001 -->\nBAD\n"
    assert check(tmp_path, text, select=["TT002", "FC9"]) == [("TT002", 2)]
    assert check(tmp_path, text, ignore=["FC900"]) == [("TT002", 2)]


def test_other_comments_are_ignored(tmp_path: Path) -> None:
    text = "<!-- expect: TT001 -->\nWRONG\n<!-- factcheckers: disable TT001 -->\nWRONG\n"
    assert check(tmp_path, text) == [("TT001", 2), ("TT001", 4)]


def test_cli_suppresses_a_real_contradiction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("llm-chinese-stepfun.md", "llm-chinese-stepfun-strategy.md"):
        shutil.copy(CORPUS / name, tmp_path / name)
    main_file = tmp_path / "llm-chinese-stepfun.md"
    main(["check", str(tmp_path), "--select", "FC101,FC900", "--format", "json"])
    before = json.loads(capsys.readouterr().out)["findings"]
    lines = main_file.read_text(encoding="utf-8").split("\n")
    table = [f["line"] for f in before if f["path"] == str(main_file)]
    if not table:
        pytest.skip("the built-in rules find no FC101 contradiction in the main file")
    # Wrap the whole table: a comment line inside it would end the table.
    first = max(i for i in range(min(table)) if not lines[i].startswith("|")) + 1
    last = min(i for i in range(max(table), len(lines)) if not lines[i].startswith("|")) + 1
    lines.insert(last, "\n<!-- factcheck: enable FC101 -->")
    lines.insert(first, "<!-- factcheck: disable open-weights-conflict -- checked 2025-01 -->\n")
    main_file.write_text("\n".join(lines), encoding="utf-8")
    main(["check", str(tmp_path), "--select", "FC101,FC900", "--format", "json"])
    after = json.loads(capsys.readouterr().out)["findings"]
    assert [f for f in after if f["path"] == str(main_file)] == []
    assert len(after) == len(before) - len(table)
