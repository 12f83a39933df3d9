"""Company rules: the annotated fixtures, and unit tests of each rule on hand-made claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from factcheck import Finding, RuleContext, lint
from factcheck.claims.models import Claim
from factcheck.document import parse_text
from factcheck.quantities import Count, DateValue, Duration, Money
from factcheck.rules import explain, select_rules
from factcheck.rules.base import Rule
from factcheck.rules.company_rules import RULES
from factcheck.rules.declarative import load_rule_dir, load_rule_file
from factcheck.rules.registry import _check_identity, builtin_rules_dir
from factcheck.testing import assert_fixture, make_claim

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "fixtures" / "rules" / "company").glob("*.md"))
YAML_RULES = [r for name in ("scenarios.yaml", "funding.yaml", "status.yaml")
              if (ROOT / "rules" / name).exists()
              for r in load_rule_file(ROOT / "rules" / name)]
ALL = [*RULES, *YAML_RULES]


def rule_of(code: str) -> Rule:
    [found] = select_rules(RULES, [code])
    return found


def run(code: str, *claims: Claim) -> list[Finding]:
    return list(rule_of(code).check(RuleContext(documents=(), claims=claims)))


def lint_text(code: str, text: str) -> list[Finding]:
    return list(lint([parse_text(text, "dossier.md")], rules=[rule_of(code)]).findings)


def money(low: float, high: float | None = None, currency: str = "USD",
          converted: Money | None = None, qualifier: Any = "exact") -> Money:
    hi = low if high is None else high
    return Money(text=f"{currency} {low}", currency=currency, low=Decimal(str(low)),
                 high=None if hi == -1 else Decimal(str(hi)), converted=converted,
                 qualifier=qualifier)


def date(first: str, last: str, precision: Any = "range") -> DateValue:
    return DateValue(text=first, first=dt.date.fromisoformat(first),
                     last=dt.date.fromisoformat(last), precision=precision)


def month(text: str) -> DateValue:
    first = dt.date.fromisoformat(text + "-01")
    following = (first + dt.timedelta(days=31)).replace(day=1)
    return date(first.isoformat(), (following - dt.timedelta(days=1)).isoformat(), "month")


def year(y: int) -> DateValue:
    return date(f"{y}-01-01", f"{y}-12-31", "year")


def funding(line: int, round: str = "series-b", amount: Money | None = None,
            valuation: Money | None = None, when: DateValue | None = None, **fields: Any
            ) -> Claim:
    return make_claim("funding_round", line=line, round=round, round_label=round.title(),
                      amount=amount, valuation=valuation, date=when, **fields)


def valuation(line: int, value: Money, when: DateValue | None, **fields: Any) -> Claim:
    return make_claim("valuation", line=line, value=value, date=when, **fields)


# -- fixtures and identity ------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture(path: Path) -> None:
    assert_fixture(path, rules=ALL)


def test_every_rule_has_an_identity_and_a_page() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    for found in RULES:
        _check_identity(found)
        assert explain(found).startswith(f"# {found.code}: {found.name}\n")


@pytest.mark.parametrize("found", RULES, ids=[r.code for r in RULES])
def test_every_rule_fires_on_its_own_example(found: Rule) -> None:
    doc = parse_text("# Acme\n\n" + found.example, "example.md")
    assert [f.rule for f in lint([doc], rules=[found]).findings] == [found.code]


def test_codes_do_not_collide_with_the_yaml_rules() -> None:
    yaml_codes = {r.code for r in load_rule_dir(builtin_rules_dir())}
    assert yaml_codes.isdisjoint(r.code for r in RULES)
    assert yaml_codes.isdisjoint({"FC205", "FC206"})  # moved to Python


# -- FC201 funding-round-conflict -----------------------------------------------------------


def test_fc201_amounts_dates_and_valuations_of_one_round() -> None:
    table = funding(10, amount=money(120e6, currency="EUR"), when=month("2024-03"),
                    valuation=money(1.2e9, currency="EUR"))
    prose = funding(20, amount=money(150e6, currency="EUR"))
    [finding] = run("FC201", table, prose)
    assert finding.line == 20 and finding.related[0].line == 10
    assert finding.message == "Acme: Series-B raised €150M here but €120M (line 10)"
    later = funding(30, amount=money(120e6, currency="EUR"), when=month("2024-09"))
    [finding] = run("FC201", table, later)
    assert "dated Sep 2024 here but Mar 2024" in finding.message
    other = funding(30, valuation=money(900e6, currency="EUR"))
    assert "valued at €900M here but €1.2B" in run("FC201", table, other)[0].message


def test_fc201_quiet_on_other_rounds_vagueness_and_unstated_conversions() -> None:
    b = funding(10, amount=money(100e6, -1))  # "$100M+"
    assert run("FC201", b, funding(20, amount=money(200e6, 900e6))) == []
    assert run("FC201", b, funding(20, "series-b+additional", amount=money(20e6))) == []
    assert run("FC201", b, funding(20, "series-c", amount=money(20e6))) == []
    eur = funding(10, amount=money(300e6, currency="EUR"))
    assert run("FC201", eur, funding(20, amount=money(325e6))) == []
    stated = funding(20, amount=money(300e6, currency="EUR", converted=money(325e6)))
    assert run("FC201", eur, stated) == []
    assert run("FC201", funding(10, amount=money(325e6)), stated) == []
    assert run("FC201", funding(10, amount=money(300e6)), stated) != []
    assert run("FC201", funding(10, amount=money(1e6), is_total=True), b) == []


# -- FC202 round-exceeds-valuation ----------------------------------------------------------


def test_fc202_round_above_its_post_money_valuation() -> None:
    row = funding(10, "series-a", amount=money(45e6, currency="EUR"),
                  valuation=money(38e6, currency="EUR"))
    [finding] = run("FC202", row)
    assert finding.message == ("Acme: Series-A raised €45M, more than its post-money valuation "
                               "of €38M")
    # a valuation stated on its own for the round, e.g. "priced at a $45m post-money valuation"
    amount = funding(10, "series-a", amount=money(60e6), when=month("2019-06"))
    priced = funding(20, "series-a", valuation=money(45e6), when=month("2019-06"))
    [finding] = run("FC202", amount, priced)
    assert finding.related[0].line == 20
    assert run("FC202", amount, funding(20, "series-a", valuation=money(45e6),
                                        when=month("2020-06"))) == []


def test_fc202_quiet_within_bounds_in_other_currencies_and_for_pre_money() -> None:
    assert run("FC202", funding(10, amount=money(45e6), valuation=money(45e6))) == []
    assert run("FC202", funding(10, amount=money(200e6, 900e6), valuation=money(450e6))) == []
    assert run("FC202", funding(10, amount=money(45e6), valuation=money(38e6, currency="EUR"))
               ) == []
    assert run("FC202", funding(10, amount=money(60e6), valuation=money(45e6),
                                evidence="$60M at a $45M pre-money valuation")) == []


# -- FC203 funding-total-mismatch -----------------------------------------------------------

TOTAL_DOSSIER = """\
# Acme Robotics

- **Total raised:** $480m across four rounds

## Funding

- Seed — 2016: $8m
- Series A — May 2018: $42m
- Series B — Q2 2021: $115m
- Series C — Q1 2024: {series_c}

The Series C closed in 2024.
"""


def test_fc203_total_against_the_listed_rounds() -> None:
    [finding] = lint_text("FC203", TOTAL_DOSSIER.format(series_c="$190m"))
    assert finding.message == ("Acme Robotics: stated total $480M, but the 4 rounds listed at "
                               "lines 7-10 add up to $355M")
    assert [r.line for r in finding.related] == [7, 8, 9, 10]


def test_fc203_quiet_when_it_adds_up_or_a_round_has_no_amount() -> None:
    assert lint_text("FC203", TOTAL_DOSSIER.format(series_c="$315m")) == []
    assert lint_text("FC203", TOTAL_DOSSIER.format(series_c="$300m")) == []  # within 5%
    assert lint_text("FC203", TOTAL_DOSSIER.format(series_c="undisclosed")) == []
    assert lint_text("FC203", TOTAL_DOSSIER.format(series_c="€190m")) == []


def test_fc203_uses_the_listing_that_names_the_most_rounds() -> None:
    text = TOTAL_DOSSIER.format(series_c="$315m") + (
        "\n## Timeline\n\n- 2016: seed round of $8m\n- 2024: Series C of $315m closes\n")
    assert lint_text("FC203", text) == []


# -- FC204 implausible-raise ----------------------------------------------------------------


def test_fc204_raise_against_a_valuation_at_the_same_time() -> None:
    several = funding(10, amount=money(200e6, 900e6), when=year(2024))
    small = valuation(20, money(450e6), month("2024-12"))
    [finding] = run("FC204", several, small)
    assert finding.message == ("Acme: Series-B (2024) raised $200M-$900M, more than 40% of the "
                               "valuation of $450M (Dec 2024, line 20)")
    assert run("FC204", several, valuation(20, money(450e6), month("2023-12"))) == []
    assert run("FC204", several, valuation(20, money(450e6), None)) == []
    assert run("FC204", several, valuation(20, money(2e9), month("2024-06"))) == []


def test_fc204_own_valuation_pre_money_and_the_fc202_case() -> None:
    assert len(run("FC204", funding(10, amount=money(50e6), valuation=money(100e6)))) == 1
    assert run("FC204", funding(10, amount=money(40e6), valuation=money(100e6))) == []
    pre = funding(10, amount=money(50e6), valuation=money(100e6),
                  evidence="$50M at a $100M pre-money valuation")
    assert run("FC204", pre) == []
    # a round above its own post-money valuation is reported by FC202 only
    assert run("FC204", funding(10, amount=money(45e6), valuation=money(38e6))) == []


# -- FC205 unicorn-status-conflict, FC206 unicorn-status-unsupported ------------------------


def status(line: int, negated: bool, when: DateValue | None) -> Claim:
    return make_claim("status", line=line, status="unicorn", negated=negated, date=when,
                      threshold=money(1e9), evidence="not a unicorn as of late 2024")


def other_file(line: int, value: Money, when: DateValue | None) -> Claim:
    return valuation(line, value, when, path="other.md", evidence="valued at $2 billion")


def test_fc205_denied_unicorn_against_an_earlier_large_valuation() -> None:
    late_2024 = date("2024-09-01", "2024-12-31")
    denial = status(40, True, late_2024)
    [finding] = run("FC205", denial, other_file(12, money(2e9), month("2024-06")))
    assert (finding.path, finding.line, finding.related[0].path) == ("dossier.md", 40, "other.md")
    assert finding.message == ('Acme: the text says "not a unicorn as of late 2024" (line 40) but '
                               "reports a valuation of $2B in Jun 2024 (other.md:12)")
    assert run("FC205", denial, other_file(12, money(2e9), month("2025-03"))) == []
    assert run("FC205", denial, other_file(12, money(450e6), month("2024-12"))) == []
    assert run("FC205", denial, other_file(12, money(2e9), None)) == []
    assert run("FC205", status(40, False, late_2024),
               other_file(12, money(2e9), month("2024-06"))) == []


def test_fc205_other_currencies() -> None:
    denial = status(40, True, date("2024-06-01", "2024-06-30"))
    march = month("2024-03")
    [finding] = run("FC205", denial, valuation(12, money(1.2e9, currency="EUR"), march))
    assert "€1.2B (at least $1.14B at any rate since 2015)" in finding.message
    assert len(run("FC205", denial, valuation(12, money(700e6, currency="GBP"), march))) == 0
    assert len(run("FC205", denial, valuation(12, money(1e9, currency="GBP"), march))) == 1
    assert run("FC205", denial, valuation(12, money(1e9, currency="EUR"), march)) == []
    assert run("FC205", denial, valuation(12, money(9e9, currency="CNY"), march)) == []
    stated = money(10e9, currency="CNY", converted=money(1.4e9))
    assert len(run("FC205", denial, valuation(12, stated, march))) == 1


def test_fc206_claimed_unicorn_against_a_small_valuation_at_the_same_time() -> None:
    claim = status(40, False, date("2024-06-01", "2024-06-30"))
    june = date("2024-06-15", "2024-06-15", "day")
    [finding] = run("FC206", claim, other_file(12, money(450e6), june))
    assert finding.message == ("Acme: called a unicorn (line 40) but valued at $450M on "
                               "Jun 15, 2024 (other.md:12)")
    assert run("FC206", claim, other_file(12, money(450e6), month("2023-06"))) == []
    assert run("FC206", claim, other_file(12, money(900e6, 1.1e9), june)) == []
    assert run("FC206", claim, other_file(12, money(900e6, currency="EUR"), june)) == []
    assert len(run("FC206", claim, other_file(12, money(700e6, currency="EUR"), june))) == 1
    assert run("FC206", claim, other_file(12, money(5e9, currency="CNY"), june)) == []


# -- FC502 arithmetic-error -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("Acme held $180M in cash. At $15M a month, that lasts 18 months.",
     "$180M at $15M a month lasts about 12 months, not 18 months"),
    ("- $310m of cash; at a quarterly burn of about $38m, that funds roughly 11 quarters",
     "$310m at about $38m a quarter lasts about 8.2 quarters, not roughly 11 quarters"),
    ("We sold 140 units at €85k each, €15.5M in all.", "140 units at €85k each is €11.9M, "
     "not €15.5M"),
])
def test_fc502_wrong_arithmetic(text: str, message: str) -> None:
    [finding] = lint_text("FC502", "# Acme\n\n" + text + "\n")
    assert finding.message == f"Acme: {message}" and finding.line == 3


@pytest.mark.parametrize("text", [
    "At ~$8M a month, $240M of cash gives Acme about 30 months of runway.",
    "Based on $500M+ raised, Acme has 48+ months of runway (assuming $10M/month burn).",
    "140 units at an average selling price of €85k each implies roughly €11.9M of revenue.",
    "At €1,500 per robot per month, the 140 robots carry about €2.5M of annual revenue.",
    "Roughly $25m (60 patients at $420,000).",
    "Acme raised $180M over 18 months at $15M a month.",  # no runway statement
    "Acme held $180M in cash. Separately, it burns $15M a month and plans 18 months ahead.",
    "Acme raised $50M from 12 investors at a $300M valuation.",
])
def test_fc502_quiet(text: str) -> None:
    assert lint_text("FC502", "# Acme\n\n" + text + "\n") == []


# -- FC503 count-conflict -------------------------------------------------------------------


def test_fc503_same_phrase_different_numbers() -> None:
    text = ("# Acme\n\n## HLX-1\n\nThe trial runs at nine clinical sites in the US.\n\n"
            "## Risks\n\n- HLX-1 runs at eleven clinical sites.\n- HLX-2 runs at four sites.\n"
            "- HLX-3 runs at eleven clinical sites in Canada.\n")
    [finding] = lint_text("FC503", text)
    assert finding.message == ('Acme: "eleven clinical sites" here but "nine clinical sites" '
                               "(line 5)")


@pytest.mark.parametrize("second", [
    "Acme opened 9 stores in its first year.",  # a time qualifier the other lacks
    "Acme had 9 stores in 2019.",  # dated apart from the other
    "The last 9 stores opened in Spain.",  # a selector: not all of them
    "Acme Pay opened 9 stores with Brightline.",  # named things with nothing in common
])
def test_fc503_quiet(second: str) -> None:
    first = "Acme Book now runs 11 stores with Brightmill (2024)."
    assert lint_text("FC503", f"# Acme\n\n{first}\n\n{second}\n") == []


def test_fc503_counts_from_claims_need_their_document() -> None:
    count = Count(text="11 sites", low=11, high=11, noun="site")
    claim = make_claim("count", noun="site", count=count)
    assert run("FC503", claim, claim.model_copy(update={"line": 3})) == []


# -- FC601 person-conflict ------------------------------------------------------------------


def person(line: int, name: str, role: str, since: DateValue | None = None,
           employer: str = "Acme", **fields: Any) -> Claim:
    return make_claim("person", line=line, subject=name, role=role, employer=employer,
                      since=since, **fields)


def test_fc601_one_person_two_start_dates() -> None:
    table = person(10, "Ingrid Solberg", "chief operating officer", year(2021))
    prose = person(20, "Ingrid Solberg", "COO", year(2023))
    [finding] = run("FC601", table, prose)
    assert finding.message == ("Ingrid Solberg: COO at Acme since 2023 here but since 2021 "
                               "(line 10)")
    assert run("FC601", table, person(20, "Ingrid Solberg", "COO", year(2021))) == []
    assert run("FC601", table, person(20, "Ingrid Solberg", "COO", year(2023),
                                      employer="Zalando")) == []
    assert run("FC601", person(10, "Ingrid Solberg", "co-founder and coo", year(2021)),
               prose) == []  # two roles: the start date may be the other one's


def test_fc601_tenures_and_names() -> None:
    def tenure(years: int) -> Duration:
        return Duration(text=f"{years} years", low_months=Decimal(12 * years),
                        high_months=Decimal(12 * years), unit="year")

    a = person(10, "Dr. Jiang Daxin", "chief scientist", tenure=tenure(16))
    b = person(20, "Jiang Daxin", "vp", tenure=tenure(12))
    assert len(run("FC601", a, b)) == 1
    assert run("FC601", a, person(20, "Jiang Daxin", "vp", tenure=tenure(16))) == []


def test_fc601_two_people_in_a_sole_role() -> None:
    vogel = person(10, "Dr. Katrin Vogel", "co-founder and chief executive", year(2018))
    [finding] = run("FC601", vogel, person(20, "Markus Lenz", "CEO"))
    assert finding.message == ("Acme: Markus Lenz and Dr. Katrin Vogel are both named CEO at the "
                               "same time (line 10)")
    assert len(run("FC601", vogel, person(20, "Markus Lenz", "ceo", year(2021)))) == 1
    handover = person(20, "Markus Lenz", "CEO", date=date("2015-01-01", "2018-12-31", "range"))
    assert run("FC601", vogel, handover) == []
    for role in ("co-founder", "co-CEO", "former Sogou CEO", "interim CEO", "chief scientist"):
        assert run("FC601", vogel, person(20, "Markus Lenz", role)) == [], role
    assert run("FC601", vogel, person(20, "Markus Lenz", "CEO", employer="Sogou")) == []
    assert run("FC601", vogel, person(20, "Katrin Vogel", "CEO")) == []


# -- FC502 prefilters -----------------------------------------------------------------------


def test_fc502_currency_hints_cover_every_currency_find_money_knows() -> None:
    from factcheck import quantities
    from factcheck.quantities import find_money
    from factcheck.rules.company_rules import CURRENCY_HINTS

    for token in quantities._CURRENCY_CODES:
        assert any(h in token.casefold() for h in CURRENCY_HINTS), token
    for text in ["US$5M", "HK$3bn", "JP¥2B", "¥2B", "￥5亿", "5亿元", "3 million 人民币", "EUR 4M",
                 "4 euros", "£3M", "2 pounds sterling", "6 million yen", "5円", "7 RMB",
                 "several million dollars", "tens of millions of renminbi", "3 CNY", "2 GBP"]:
        for found in find_money(text):
            assert any(h in found.text.casefold() for h in CURRENCY_HINTS), text


def test_fc502_digits_are_those_of_str_isdigit() -> None:
    from factcheck.rules.company_rules import _has_digit

    for text in ["no digits", "x²", "٣ items", "12", "", "naïve", "①"]:
        assert _has_digit(text) == any(ch.isdigit() for ch in text), text


# -- FC504 probabilities-conflict -----------------------------------------------------------


def pct(value: int) -> dict[str, str]:
    return {"text": f"{value}%", "low": str(value), "high": str(value)}


def outcomes(line: int, *items: tuple[str, int], path: str = "dossier.md",
             **fields: Any) -> Claim:
    return make_claim("probabilities", line=line, path=path, origin="list",
                      items=[{"label": label, "percent": pct(p)} for label, p in items],
                      **fields)


def test_fc504_same_outcomes_other_probabilities_across_files() -> None:
    main = outcomes(10, ("IPO on Nasdaq", 30), ("acquired by a larger group", 50),
                    ("wind-down", 20), path="acme.md")
    summary = outcomes(3, ("independent IPO", 50), ("acquisition", 50), path="acme-strategy.md")
    [finding] = run("FC504", summary, main)
    assert (finding.path, finding.line) == ("acme.md", 10)
    assert [(r.path, r.line) for r in finding.related] == [("acme-strategy.md", 3)]
    assert finding.message == (
        'Acme: outcome probabilities disagree with those at acme-strategy.md:3: "IPO on Nasdaq" '
        '30% here but "independent IPO" 50% there; 3 outcomes here but 2 there ("wind-down" '
        "20% only here)")


def test_fc504_one_outcome_more_is_a_conflict_even_with_equal_shares() -> None:
    a = outcomes(1, ("IPO", 40), ("acquisition", 60))
    b = outcomes(5, ("IPO", 40), ("acquisition", 59), ("wind-down", 10))
    [finding] = run("FC504", a, b)
    assert finding.message.endswith('3 outcomes here but 2 there ("wind-down" 10% only here)')
    rounded = outcomes(5, ("IPO", 41), ("acquisition", 59), ("wind-down", 1))
    assert run("FC504", a, rounded) == []  # within a point, and a 1% extra outcome


def test_fc504_quiet_on_revisions_other_questions_and_other_companies() -> None:
    march = outcomes(1, ("licensing deal", 40), ("no deal", 60), date=month("2025-03"))
    september = outcomes(9, ("licensing deal", 70), ("no deal", 30), date=month("2025-09"))
    undated = outcomes(12, ("licensing deal", 70), ("no deal", 30))
    assert run("FC504", march, september) == []
    assert run("FC504", september, undated) == []
    in_titles = [outcomes(1, ("licensing deal", 40), ("no deal", 60),
                          section=("Acme", "Outlook (March 2025)")),
                 outcomes(9, ("licensing deal", 70), ("no deal", 30),
                          section=("Acme", "Outlook (September 2025)"))]
    assert run("FC504", *in_titles) == []
    trial = outcomes(20, ("the trial meets its endpoint", 60), ("the trial misses it", 40))
    assert run("FC504", march, trial) == []
    cases = [outcomes(30, ("Bull case", 30), ("Base case", 50), ("Bear case", 20)),
             outcomes(40, ("Bull case", 20), ("Base case", 60), ("Bear case", 20))]
    assert run("FC504", *cases) == []  # generic case names name no outcome
    other = outcomes(50, ("licensing deal", 10), ("no deal", 90), subject="Other Co")
    assert run("FC504", march, other) == []
    one_word = [outcomes(1, ("IPO", 40), ("acquisition", 60)), outcomes(5, ("IPO", 70))]
    assert run("FC504", *one_word) == []  # one outcome in common is not a question in common


def test_fc504_on_the_stepfun_pair() -> None:
    # The strategy file's "Survival Probability: 50% independent success, 50% acquisition
    # within 2-3 years" (line 16) contradicts both 30/50/20 lists (main file line 241,
    # strategy file line 567); those two agree with each other.
    from factcheck.claims import extract_claims
    from factcheck.document import load

    folder = ROOT / "fixtures" / "corpus" / "ailabs"
    docs = tuple(load(folder / f"llm-chinese-stepfun{s}.md") for s in ("", "-strategy"))
    claims = sorted((c for d in docs for c in extract_claims(d)), key=lambda c: (c.path, c.offset))
    [line16] = [c for c in claims if c.kind == "probabilities" and c.line == 16]
    assert [(i.label, int(i.percent.low)) for i in line16.items] == [
        ("independent success", 50), ("acquisition within 2-3 years", 50)]
    found = list(rule_of("FC504").check(RuleContext(documents=docs, claims=tuple(claims))))
    assert [(Path(f.path).name, f.line, [(Path(r.path).name, r.line) for r in f.related])
            for f in found] == [
        ("llm-chinese-stepfun-strategy.md", 567, [("llm-chinese-stepfun-strategy.md", 16)]),
        ("llm-chinese-stepfun.md", 241, [("llm-chinese-stepfun-strategy.md", 16)]),
    ]
    assert "llm-chinese-stepfun-strategy.md:16" in found[1].message
    assert list(rule_of("FC504").check(RuleContext(
        documents=docs, claims=tuple(c for c in claims if c is not line16)))) == []
