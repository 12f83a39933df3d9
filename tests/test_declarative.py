"""Declarative YAML rules: the schema, errors at file:line:column, and each check kind."""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck import ConfigError, Finding, RuleContext
from factcheck.claims.models import Claim
from factcheck.document import parse_text
from factcheck.quantities import DateValue, Money, Percent
from factcheck.rules import find_rule, load_rules
from factcheck.rules.base import Rule
from factcheck.rules.declarative import DeclarativeRule, Template, compare, load_rule_file
from factcheck.testing import make_claim
from samples import RULE_HEADER as HEADER

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "src" / "factcheck" / "schemas"
SCHEMA = json.loads((SCHEMA_PATH / "rules.schema.json").read_text(encoding="utf-8"))



def money(low: int, high: int | None = None, currency: str = "USD",
          converted: Money | None = None) -> Money:
    return Money(text=f"{currency} {low}", currency=currency, low=Decimal(low),
                 high=Decimal(low if high is None else high), converted=converted)


def date(first: str, last: str | None = None) -> DateValue:
    return DateValue(text=first, first=dt.date.fromisoformat(first),
                     last=dt.date.fromisoformat(last or first), precision="day")


def one_rule(tmp_path: Path, body: str) -> Rule:
    path = tmp_path / "rules.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    [rule] = load_rule_file(path)
    return rule


def run(rule: Rule, *claims: Claim) -> list[Finding]:
    return list(rule.check(RuleContext(documents=(), claims=claims)))


# -- the schema -----------------------------------------------------------------------------


def _properties(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            yield key, value
        for key, value in node.items():
            if key != "if":  # a condition, not a documented property
                yield from _properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value)


def test_schema_is_valid_and_every_property_is_described() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    undescribed = [k for k, v in _properties(SCHEMA) if v is not False and "description" not in v]
    assert undescribed == []


def test_schema_has_one_branch_per_kind_and_knows_every_claim_kind() -> None:
    rule = SCHEMA["$defs"]["rule"]
    branches = [b["if"]["properties"]["kind"]["const"] for b in rule["allOf"]]
    assert branches == rule["properties"]["kind"]["enum"]
    kinds = [m.model_fields["kind"].default for m in typing.get_args(Claim)]
    assert SCHEMA["$defs"]["selection"]["properties"]["kind"]["enum"] == kinds


def test_builtin_rule_files_load() -> None:
    codes = {r.code: r for r in load_rules()}
    fc501 = codes["FC501"]
    assert isinstance(fc501, DeclarativeRule) and fc501.kind == "sum"
    assert codes["FC205"].scope == "set"


@pytest.mark.parametrize(
    ("body", "line", "column", "reason"),
    [
        pytest.param("    message: m\n    kind: existence\n    tokens: [x]\n    colour: red\n",
                     12, 5, "rules[0].colour: unknown field `colour`", id="unknown-field"),
        pytest.param("    message: m\n    kind: existence\n    tokens: [x]\n    group_by: [x]\n",
                     12, 5, "rules[0].group_by: `group_by` does not apply to `existence` rules",
                     id="field-of-another-kind"),
        pytest.param("    message: m\n    kind: consistency\n    select: {kind: valuation}\n"
                     "    compare: {field: value, as: interval}\n",
                     2, 5, "rules[0]: 'group_by' is a required property", id="missing-field"),
        pytest.param("    message: m\n    kind: existence\n    tokens: []\n",
                     11, 5, "rules[0].tokens: [] should be non-empty", id="empty-list"),
        pytest.param("    message: m\n    kind: consistency\n    select: {kind: valuation}\n"
                     "    group_by: [subject_key]\n    compare: {field: valeu, as: interval}\n",
                     13, 15, "rules[0].compare.field: `valeu`: no field `valeu` here",
                     id="unknown-path"),
        pytest.param("    message: m\n    kind: sum\n    select:\n      kind: probabilities\n"
                     "      where: {origin: list, itemz: 3}\n    sum_of: items[].percent\n"
                     "    target: 100\n    tolerance: 1\n",
                     13, 29, "rules[0].select.where: `itemz`: no field `itemz`", id="where-path"),
        pytest.param("    message: m\n    kind: sum\n    select: {kind: valuation}\n"
                     "    sum_of: value[].low\n    target: 1\n    tolerance: 0\n",
                     12, 5, "`value` is not a list", id="not-a-list"),
        pytest.param("    message: '{c.subject} differs'\n    kind: existence\n    tokens: [x]\n",
                     9, 5, "unknown placeholder {c} in `existence` rules (known: {match})",
                     id="unknown-placeholder"),
        pytest.param("    message: '{match} {'\n    kind: existence\n    tokens: [x]\n",
                     9, 5, "stray brace", id="stray-brace"),
        pytest.param("    message: m\n    kind: pair\n    left: {kind: status}\n"
                     "    right: {kind: valuation}\n    join: [subject_key]\n"
                     "    when:\n      - {left: threshold, right: value, value: 1, op: '<'}\n",
                     15, 9, "has too many properties", id="three-operands"),
        pytest.param("    message: m\n    kind: existence\n"
                     "    tokens: !!python/object:os.system [x]\n",
                     11, 5, "YAML tag tag:yaml.org,2002:python/object:os.system is not allowed",
                     id="python-tag"),
        pytest.param("    message: m\n    kind: existence\n    tokens: [x\n",
                     12, 1, "expected ',' or ']'", id="yaml-syntax"),
    ],
)
def test_invalid_rule_files_point_at_the_node(
    tmp_path: Path, body: str, line: int, column: int, reason: str
) -> None:
    with pytest.raises(ConfigError) as info:
        one_rule(tmp_path, body)
    error = info.value
    assert reason in error.reason
    assert (error.path, error.line, error.column) == (str(tmp_path / "rules.yaml"), line, column)


@pytest.mark.parametrize(("old", "new", "line"), [("TT301", "T1", 2), ("warning", "fatal", 4)])
def test_header_values_are_checked(tmp_path: Path, old: str, new: str, line: int) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(HEADER.replace(old, new) + "    message: m\n    kind: existence\n"
                    "    tokens: [x]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=new) as info:
        load_rule_file(path)
    assert (info.value.line, info.value.column) == (line, 5)


# -- consistency ----------------------------------------------------------------------------

CONSISTENCY = """\
    message: "{b.subject}: {b.amount.low} (line {b.line}) vs {a.amount.low} (line {a.line})"
    kind: consistency
    scope: set
    select: {kind: funding_round, where: {is_total: false}}
    group_by: [subject_key, round]
    compare: {field: amount, as: interval}
"""


def round_claim(line: int, amount: Money | None, **extra: Any) -> Claim:
    return make_claim("funding_round", line=line, round="series-b", round_label="Series B",
                      amount=amount, **extra)


def test_consistency_flags_disjoint_intervals_at_the_later_claim(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, CONSISTENCY)
    a, b = round_claim(3, money(100, 200)), round_claim(9, money(150))
    c = round_claim(12, money(600))
    findings = run(rule, a, b, c)
    assert [(f.line, [r.line for r in f.related]) for f in findings] == [(12, [3, 9])]
    assert findings[0].message == "Acme: 600 (line 12) vs 100 (line 3)"
    assert findings[0].related[0].message == "Acme funding_round"


def test_consistency_compares_currencies_only_through_a_stated_conversion(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, CONSISTENCY)
    usd, cny = round_claim(3, money(100)), round_claim(5, money(2000, currency="CNY"))
    assert run(rule, usd, cny) == []
    converted = round_claim(5, money(2000, currency="CNY", converted=money(280)))
    assert len(run(rule, usd, converted)) == 1
    assert run(rule, usd, round_claim(5, money(700, currency="CNY", converted=money(100)))) == []


def test_consistency_options(tmp_path: Path) -> None:
    dated = one_rule(tmp_path, CONSISTENCY + "    unless_dates_differ: true\n"
                                           "    cross_origin_only: true\n")
    a = round_claim(3, money(100), date=date("2023-01-01"), origin="table")
    b = round_claim(9, money(300), date=date("2024-01-01"), origin="prose")
    assert run(dated, a, b) == []
    assert len(run(dated, a, b.model_copy(update={"date": None}))) == 1
    assert run(dated, a, b.model_copy(update={"date": None, "origin": "table"})) == []
    excluded = b.model_copy(update={"is_total": True, "date": None})
    assert run(dated, a, excluded) == []


def test_consistency_equal_flags_unequal_values(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, """\
    message: "{b.subject}: weights {b.value} here but {a.value} at line {a.line}"
    kind: consistency
    select: {kind: open_weights}
    group_by: [subject_key]
    compare: {field: value, as: equal}
    cross_origin_only: true
""")
    table = make_claim("open_weights", value="closed", line=110, origin="table", subject="Step-X")
    prose = make_claim("open_weights", value="open", line=217, subject="Step-X")
    other = make_claim("open_weights", value="open", line=300, subject="Step-Y")
    [finding] = run(rule, table, prose, other)
    assert finding.message == "Step-X: weights open here but closed at line 110"


# -- pair: the built-in unicorn rules -------------------------------------------------------


def status(line: int, negated: bool, when: DateValue | None) -> Claim:
    return make_claim("status", line=line, status="unicorn", negated=negated, date=when,
                      threshold=money(1_000_000_000), evidence="not a unicorn as of late 2024")


def valuation(line: int, value: Money, when: DateValue | None) -> Claim:
    return make_claim("valuation", line=line, value=value, date=when, path="other.md",
                      evidence="valued at $2 billion")


def test_fc205_denied_unicorn_against_an_earlier_large_valuation() -> None:
    rule = find_rule(load_rules(), "FC205")
    assert rule is not None
    late_2024 = date("2024-09-01", "2024-12-31")
    denial = status(40, True, late_2024)
    june = date("2024-06-01", "2024-06-30")
    [finding] = run(rule, denial, valuation(12, money(2_000_000_000), june))
    assert (finding.path, finding.line, finding.related[0].path) == ("dossier.md", 40, "other.md")
    assert finding.message.startswith(
        'Acme: the text says "not a unicorn as of late 2024" (line 40)')
    assert run(rule, denial, valuation(12, money(2_000_000_000), date("2025-03-01"))) == []
    assert run(rule, denial, valuation(12, money(450_000_000), date("2024-12-01"))) == []
    assert run(rule, denial, valuation(12, money(2_000_000_000), None)) == []
    assert run(rule, denial, valuation(12, money(9_000_000_000, currency="CNY"),
                                       date("2024-06-01"))) == []
    assert run(rule, status(40, False, late_2024),
               valuation(12, money(2_000_000_000), date("2024-06-01"))) == []


def test_fc206_claimed_unicorn_against_a_small_valuation_at_the_same_time() -> None:
    rule = find_rule(load_rules(), "unicorn-status-unsupported")
    assert rule is not None
    claim = status(40, False, date("2024-06-01", "2024-06-30"))
    assert len(run(rule, claim, valuation(12, money(450_000_000), date("2024-06-15")))) == 1
    assert run(rule, claim, valuation(12, money(450_000_000), date("2023-06-15"))) == []
    assert run(rule, claim, valuation(12, money(900_000_000, 1_100_000_000),
                                      date("2024-06-15"))) == []


def test_pair_with_literal_operand(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, """\
    message: "{left.subject} valued at {left.value.low} {left.value.currency}"
    kind: pair
    left: {kind: valuation}
    right: {kind: status, where: {status: [unicorn, decacorn]}}
    join: [subject_key]
    when:
      - {right: negated, op: "==", value: true}
      - {left: value.currency, op: "==", value: USD}
      - {left: date.first, op: "<=", value: "2024-12-31"}
""")
    value = valuation(12, money(5), date("2024-06-01"))
    [finding] = run(rule, value, status(40, True, None))
    assert finding.message == "Acme valued at 5 USD" and finding.line == 12
    assert run(rule, value, status(40, False, None)) == []
    assert run(rule, valuation(12, money(5), date("2025-01-01")), status(40, True, None)) == []


# -- sum ------------------------------------------------------------------------------------


def scenarios(*percents: tuple[int, int]) -> Claim:
    items = [{"label": f"s{i}", "percent": Percent(text=f"{lo}%", low=Decimal(lo),
                                                    high=Decimal(hi))}
             for i, (lo, hi) in enumerate(percents)]
    return make_claim("probabilities", items=items, subject="Exit scenarios")


def test_fc501_probabilities_must_sum_to_100() -> None:
    rule = find_rule(load_rules(), "probabilities-sum")
    assert rule is not None
    [finding] = run(rule, scenarios((50, 50), (30, 30), (30, 30)))
    assert finding.message == "Exit scenarios: scenario probabilities add up to 110%, not 100% (±1)"
    assert run(rule, scenarios((50, 50), (30, 30), (21, 21))) == []
    assert run(rule, scenarios((40, 60), (20, 30), (10, 20))) == []
    [ranged] = run(rule, scenarios((10, 20), (10, 20)))
    assert "20-40%" in ranged.message


# -- existence and substitution -------------------------------------------------------------

PHRASES = """\
    message: "use {good} instead of {match}"
    kind: substitution
    swap: {world-class: leading, "state of the art": current best}
"""


def test_substitution_finds_whole_words_in_every_block(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, PHRASES)
    doc = parse_text("# A World-Class lab\n\nIts *state of the art*\nmodel, not world-classy.\n\n"
                     "| Model | Note |\n| --- | --- |\n| X | world-class |\n", path="d.md")
    findings = list(rule.check(RuleContext(documents=(doc,), claims=())))
    assert [(f.line, f.column, f.end_column, f.message) for f in findings] == [
        (1, 5, 16, "use leading instead of World-Class"),
        (3, 6, 22, "use current best instead of state of the art"),
        (8, 7, 18, "use leading instead of world-class"),
    ]


def test_existence_patterns_are_literal(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, '    message: "avoid {match}"\n    kind: existence\n'
                              '    tokens: ["a.b", "(x+"]\n')
    doc = parse_text("aXb is fine; a.b is not; (x+ neither.\n", path="d.md")
    findings = list(rule.check(RuleContext(documents=(doc,), claims=())))
    assert [f.message for f in findings] == ["avoid a.b", "avoid (x+"]


def test_existence_regex_patterns(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, '    message: "avoid {match}"\n    kind: existence\n'
                              '    tokens: [a.b]\n'
                              "    patterns: ['\\bbest[- ]in[- ]class\\b', 'x*y']\n")
    doc = parse_text("Ünïcode first: Best-in-class, a.b and xxy; y.\n", path="d.md")
    findings = list(rule.check(RuleContext(documents=(doc,), claims=())))
    assert [(f.column, f.end_column, f.message) for f in findings] == [
        (16, 29, "avoid Best-in-class"),
        (31, 34, "avoid a.b"),
        (39, 42, "avoid xxy"),
        (44, 45, "avoid y"),
    ]


def test_substitution_regex_patterns(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, '    message: "use {good} instead of {match}"\n'
                              "    kind: substitution\n"
                              "    patterns: {'\\bstate[- ]of[- ]the[- ]art\\b': current best}\n")
    doc = parse_text("A State-of-the-art model.\n", path="d.md")
    findings = list(rule.check(RuleContext(documents=(doc,), claims=())))
    assert [(f.column, f.end_column, f.message) for f in findings] == [
        (3, 19, "use current best instead of State-of-the-art"),
    ]


@pytest.mark.parametrize(
    ("body", "line", "column", "reason"),
    [
        pytest.param("    message: m\n    kind: existence\n", 2, 5,
                     "rules[0]: {'code': 'TT301'", id="neither-tokens-nor-patterns"),
        pytest.param("    message: m\n    kind: existence\n    patterns: {a: b}\n", 11, 5,
                     "rules[0].patterns: {'a': 'b'} is not of type 'array'", id="list-expected"),
        pytest.param("    message: m\n    kind: substitution\n    patterns: [a]\n", 11, 5,
                     "rules[0].patterns: ['a'] is not of type 'object'", id="mapping-expected"),
        pytest.param("    message: m\n    kind: sum\n    select: {kind: probabilities}\n"
                     "    sum_of: items[].percent\n    target: 100\n    tolerance: 1\n"
                     "    patterns: [a]\n", 15, 5,
                     "rules[0].patterns: `patterns` does not apply to `sum` rules",
                     id="not-for-sum"),
        pytest.param("    message: m\n    kind: existence\n    patterns: ['(?<=a)b']\n", 11, 16,
                     "rules[0].patterns[0]: not a valid RE2 regular expression: "
                     "invalid perl operator: (?<=", id="lookbehind"),
    ],
)
def test_invalid_patterns_point_at_the_node(
    tmp_path: Path, body: str, line: int, column: int, reason: str
) -> None:
    with pytest.raises(ConfigError) as info:
        one_rule(tmp_path, body)
    assert reason in info.value.reason
    assert (info.value.line, info.value.column) == (line, column)


# -- the language's building blocks ---------------------------------------------------------

values = st.integers(0, 100)


@given(values, values, values, values)
def test_interval_comparisons_agree(a1: int, a2: int, b1: int, b2: int) -> None:
    a, b = money(min(a1, a2), max(a1, a2)), money(min(b1, b2), max(b1, b2))
    assert compare(a, "disjoint", b) == (not compare(a, "overlaps", b))
    assert compare(a, "disjoint", b) == compare(b, "disjoint", a)
    assert compare(a, "disjoint", b) == (compare(a, "<", b) or compare(a, ">", b))
    assert not (compare(a, "<", b) and compare(b, "<", a))


def test_incomparable_values_never_hold() -> None:
    ops = ["<", "<=", ">", ">=", "==", "!=", "overlaps", "disjoint"]
    for op in ops:
        assert not compare(None, op, 1)
        assert not compare(money(1), op, money(1, currency="EUR"))
        assert not compare("a", op, Decimal(1))
    assert compare(date("2024-01-01"), "<", "2024-02-01")


@given(st.text())
def test_templates_parse_or_refuse_stray_braces(text: str) -> None:
    try:
        template = Template.parse(text)
    except ValueError:
        return
    rendered = template.render(dict.fromkeys((r for r, _ in template.placeholders()), "V"))
    if "{" not in text and "}" not in text:
        assert rendered == " ".join(text.split())
