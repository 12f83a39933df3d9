"""Quantities: table-driven examples from the dossiers, and properties of parsing and formatting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from factcheck.quantities import (
    Count,
    DateValue,
    Duration,
    Money,
    Percent,
    Quantity,
    Rank,
    Size,
    find_counts,
    find_dates,
    find_durations,
    find_money,
    find_percents,
    find_ranks,
    find_sizes,
    format_date,
    format_money,
    format_size,
    overlaps,
    parse_date,
    parse_money,
    parse_rank,
    parse_size,
)
from strategies import (
    CORPUS_LINES,
    QuantityCase,
    count_cases,
    date_cases,
    date_models,
    duration_cases,
    embedded,
    money_cases,
    money_models,
    noisy_text,
    percent_cases,
    rank_cases,
    size_cases,
    size_models,
)

D = Decimal
M = D(10) ** 6
B = D(10) ** 9
T = D(10) ** 12
STEPFUN = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "ailabs" / (
    "llm-chinese-stepfun.md")

FINDERS: tuple[Callable[[str], Sequence[Quantity]], ...] = (
    find_money, find_sizes, find_dates, find_percents, find_ranks, find_counts, find_durations,
)
PARSERS: tuple[Callable[[str], Quantity | None], ...] = (
    parse_money, parse_size, parse_date, parse_rank,
)


def interval(q: Quantity) -> tuple[Any, Any]:
    """The (low, high) of any quantity."""
    if isinstance(q, DateValue):
        return q.first, q.last
    if isinstance(q, Duration):
        return q.low_months, q.high_months
    assert isinstance(q, Money | Size | Percent | Rank | Count)
    return q.low, q.high


def contains(q: Quantity, point: Any) -> bool:
    low, high = interval(q)
    return bool(low <= point and (high is None or point <= high))


def check_invariants(text: str, found: Sequence[Quantity]) -> None:
    """Offsets point at the matched text, finds are in order, intervals are not inverted."""
    last_start = -1
    for q in found:
        assert text[q.start : q.end] == q.text
        assert q.start >= last_start
        last_start = q.start
        low, high = interval(q)
        assert high is None or low <= high
        if isinstance(q, Money) and q.converted is not None:
            c = q.converted
            assert c.high is None or c.low <= c.high
        if isinstance(q, Size) and q.active_low is not None:
            assert q.active_high is not None and q.active_low <= q.active_high


# -- money ------------------------------------------------------------------------------------

MONEY = [
    # text, currency, low, high, qualifier, per
    ("$450 million", "USD", 450 * M, 450 * M, "exact", None),
    ("$2 billion", "USD", 2 * B, 2 * B, "exact", None),
    ("$2B+", "USD", 2 * B, None, "at_least", None),
    ("$100M+", "USD", 100 * M, None, "at_least", None),
    ("$500M+", "USD", 500 * M, None, "at_least", None),
    ("~$12 million", "USD", D("10.8") * M, D("13.2") * M, "approx", None),
    ("$500M-1B", "USD", 500 * M, B, "range", None),
    ("$500M-$1B", "USD", 500 * M, B, "range", None),
    ("~$500M-1B", "USD", 450 * M, D("1.1") * B, "approx", None),
    ("$200-400M", "USD", 200 * M, 400 * M, "range", None),
    ("$3-5B", "USD", 3 * B, 5 * B, "range", None),
    ("5-8B RMB", "CNY", 5 * B, 8 * B, "range", None),
    ("8-10B yuan", "CNY", 8 * B, 10 * B, "range", None),
    ("over $2B", "USD", 2 * B, None, "at_least", None),
    ("more than $2B", "USD", 2 * B, None, "at_least", None),
    ("just under $50M", "USD", 45 * M, 50 * M, "at_most", None),
    ("under $50M", "USD", D(0), 50 * M, "at_most", None),
    ("less than $50M", "USD", D(0), 50 * M, "at_most", None),
    ("several hundred million dollars", "USD", 200 * M, 900 * M, "vague", None),
    ("Several hundred million dollars", "USD", 200 * M, 900 * M, "vague", None),
    ("Several $100M", "USD", 200 * M, 900 * M, "vague", None),
    ("hundreds of millions of dollars", "USD", 100 * M, 999 * M, "vague", None),
    ("$1,400", "USD", D(1400), D(1400), "exact", None),
    ("~$1,400", "USD", D(1260), D(1540), "approx", None),
    ("$5.58M", "USD", D("5.58") * M, D("5.58") * M, "exact", None),
    ("$1.04B", "USD", D("1.04") * B, D("1.04") * B, "exact", None),
    ("$0.14/M tokens", "USD", D("0.14"), D("0.14"), "exact", "M tokens"),
    ("$0.14-0.27/M tokens", "USD", D("0.14"), D("0.27"), "range", "M tokens"),
    ("$0.11-0.14/M tokens", "USD", D("0.11"), D("0.14"), "range", "M tokens"),
    ("$2-10/M", "USD", D(2), D(10), "range", "M"),
    ("$15M a month", "USD", 15 * M, 15 * M, "exact", "month"),
    ("$10M/month", "USD", 10 * M, 10 * M, "exact", "month"),
    ("$1 billion per year", "USD", B, B, "exact", "year"),
    ("1 billion yuan", "CNY", B, B, "exact", None),
    ("20 billion Chinese yuan", "CNY", 20 * B, 20 * B, "exact", None),
    ("~5 billion yuan", "CNY", D("4.5") * B, D("5.5") * B, "approx", None),
    ("10 Billion Yuan", "CNY", 10 * B, 10 * B, "exact", None),
    ("¥10B", "CNY", 10 * B, 10 * B, "exact", None),
    ("10亿元", "CNY", B, B, "exact", None),
    ("5000万元", "CNY", 50 * M, 50 * M, "exact", None),
    ("RMB 5 billion", "CNY", 5 * B, 5 * B, "exact", None),
    ("US$1.2bn", "USD", D("1.2") * B, D("1.2") * B, "exact", None),
    ("USD 450M", "USD", 450 * M, 450 * M, "exact", None),
    ("450 million US dollars", "USD", 450 * M, 450 * M, "exact", None),
    ("€5M", "EUR", 5 * M, 5 * M, "exact", None),
    ("£3bn", "GBP", 3 * B, 3 * B, "exact", None),
    ("HK$3B", "HKD", 3 * B, 3 * B, "exact", None),
    ("JPY 500M", "JPY", 500 * M, 500 * M, "exact", None),
    ("100 billion yen", "JPY", 100 * B, 100 * B, "exact", None),
    ("$50K", "USD", D(50_000), D(50_000), "exact", None),
    ("$1,400-$2M", "USD", D(1400), 2 * M, "range", None),
]


@pytest.mark.parametrize(("text", "currency", "low", "high", "qualifier", "per"), MONEY)
def test_parse_money_table(text: str, currency: str, low: Decimal, high: Decimal | None,
                           qualifier: str, per: str | None) -> None:
    money = parse_money(text)
    assert money is not None, text
    assert (money.currency, money.low, money.high, money.qualifier, money.per) == (
        currency, low, high, qualifier, per)
    assert money.converted is None


@pytest.mark.parametrize(("text", "currency", "low", "high", "qualifier", "per"), MONEY)
def test_find_money_in_a_sentence(text: str, currency: str, low: Decimal, high: Decimal | None,
                                  qualifier: str, per: str | None) -> None:
    sentence = f"The filing (2024) says {text}, per sources."
    [money] = find_money(sentence)
    assert money.text == text and sentence[money.start : money.end] == text
    assert (money.currency, money.low, money.high) == (currency, low, high)


def test_amounts_are_whole_decimals_without_exponents() -> None:
    money = parse_money("$450 million")
    assert money is not None and str(money.low) == "450000000"
    assert money.model_dump(mode="json")["low"] == "450000000"
    small = parse_money("$0.14/M tokens")
    assert small is not None and str(small.low) == "0.14"


@pytest.mark.parametrize(("text", "primary", "converted"), [
    ("10 billion yuan (~$1.4B)", ("CNY", 10 * B, 10 * B), ("USD", D("1.26") * B, D("1.54") * B)),
    ("$2.8B (20 billion Chinese yuan)", ("USD", D("2.8") * B, D("2.8") * B),
     ("CNY", 20 * B, 20 * B)),
    ("~2 billion yuan (~$280M)", ("CNY", D("1.8") * B, D("2.2") * B),
     ("USD", 252 * M, 308 * M)),
    ("10 Billion Yuan (~$1.4 Billion)", ("CNY", 10 * B, 10 * B),
     ("USD", D("1.26") * B, D("1.54") * B)),
])
def test_explicit_conversion_is_kept_not_reported(
    text: str, primary: tuple[str, Decimal, Decimal], converted: tuple[str, Decimal, Decimal]
) -> None:
    sentence = f"- **Revenue Target**: {text} for 2025"
    [money] = find_money(sentence)
    assert (money.currency, money.low, money.high) == primary
    assert money.converted is not None
    assert (money.converted.currency, money.converted.low, money.converted.high) == converted
    assert money.text == text
    assert parse_money(text) is not None


def test_conversion_inside_a_longer_parenthesis() -> None:
    [money] = find_money("2025 revenue: 5 billion yuan (~$700M, 50% of target)")
    assert money.currency == "CNY" and money.text == "5 billion yuan"
    assert money.converted is not None and money.converted.currency == "USD"
    assert money.converted.low == 630 * M


def test_same_currency_in_parentheses_is_not_a_conversion() -> None:
    found = find_money("$1B ($1.1B adjusted)")
    assert [m.text for m in found] == ["$1B", "$1.1B"]
    assert all(m.converted is None for m in found)


@pytest.mark.parametrize("text", [
    "2.6T tokens", "RTX 4090", "Step-2", "2024", "2025-2027", "GPT-4o", "20 trillion tokens",
    "13M+ users", "300B+ parameters", "several hundred million users", "S$5M", "A$3B",
    "1,000+ hospital deployments", "$", "yuan", "Q4 2025", "88.5%",
])
def test_not_money(text: str) -> None:
    assert find_money(text) == []
    assert parse_money(text) is None


@pytest.mark.parametrize("text", ["$2B+ (with Zhipu, Baichuan)", "**$1.04B**", "$1B (Unicorn)"])
def test_parse_money_ignores_notes_in_a_cell(text: str) -> None:
    assert parse_money(text) is not None


@pytest.mark.parametrize("text", ["-", "Undisclosed", "raised $50M in 2023", "$50M and $60M", ""])
def test_parse_money_needs_exactly_one_amount(text: str) -> None:
    assert parse_money(text) is None


def test_spaced_comparison_is_not_a_qualifier() -> None:
    found = find_money("(10B yuan target > $200M trajectory)")
    assert [(m.text, m.qualifier) for m in found] == [("10B yuan", "exact"), ("$200M", "exact")]
    [attached] = find_money("burn >$200M")
    assert attached.qualifier == "at_least" and attached.high is None


def test_a_year_later_is_not_a_rate() -> None:
    [money] = find_money("raised $2B a year later")
    assert money.per is None and money.text == "$2B"


# -- sizes ------------------------------------------------------------------------------------

SIZE_CELLS = [
    # text, low, high, qualifier, active, architecture
    ("130B (dense)", 130 * B, 130 * B, "exact", None, "dense"),
    ("1T+ (MoE)", T, None, "at_least", None, "moe"),
    ("355B (32B active)", 355 * B, 355 * B, "exact", 32 * B, "moe"),
    ("321B (38B active)", 321 * B, 321 * B, "exact", 38 * B, "moe"),
    ("100B+", 100 * B, None, "at_least", None, None),
    ("14.5B", D("14.5") * B, D("14.5") * B, "exact", None, None),
    ("7B", 7 * B, 7 * B, "exact", None, None),
    ("130B", 130 * B, 130 * B, "exact", None, None),
    ("130B dense", 130 * B, 130 * B, "exact", None, "dense"),
    ("1T+ MoE", T, None, "at_least", None, "moe"),
    ("456B (MoE)", 456 * B, 456 * B, "exact", None, "moe"),
    ("~7B", D("6.3") * B, D("7.7") * B, "approx", None, None),
    ("7B-13B", 7 * B, 13 * B, "range", None, None),
    ("**32B**", 32 * B, 32 * B, "exact", None, None),
    ("14.5 billion parameters", D("14.5") * B, D("14.5") * B, "exact", None, None),
]


@pytest.mark.parametrize(("text", "low", "high", "qualifier", "active", "arch"), SIZE_CELLS)
def test_parse_size_table(text: str, low: Decimal, high: Decimal | None, qualifier: str,
                          active: Decimal | None, arch: str | None) -> None:
    size = parse_size(text)
    assert size is not None
    assert (size.low, size.high, size.qualifier, size.active_low, size.architecture) == (
        low, high, qualifier, active, arch)


@pytest.mark.parametrize("text", [
    "Unknown", "-", "Various", "", "2.6T tokens", "1T+ tokens", "7B & 13B", "Medical-enhanced",
])
def test_parse_size_rejects(text: str) -> None:
    assert parse_size(text) is None


SIZE_PROSE = [
    ("Step-Video-T2V: World's largest open-source video model (30B params)", "30B params",
     30 * B, 30 * B),
    ("Medical AI with 14.5 billion parameters", "14.5 billion parameters",
     D("14.5") * B, D("14.5") * B),
    ("32B parameter medical reasoning model", "32B parameter", 32 * B, 32 * B),
    ("| **Step 3** | 321B (38B active) | Latest |", "321B (38B active)", 321 * B, 321 * B),
    ("the Step-2 trillion-parameter MoE model", "trillion-parameter", T, 999 * T),
    ("| **Step-2** | 1T+ MoE | Trillion", "1T+ MoE", T, None),
    ("MiniMax-Text-01: 456B parameters (MoE), 4M context", "456B parameters (MoE)",
     456 * B, 456 * B),
    ("- **Step-1**: Dense 130B parameter architecture", "Dense 130B parameter", 130 * B, 130 * B),
    ("(100B+ parameters)", "100B+ parameters", 100 * B, None),
    ("a 7-billion-parameter model", "7-billion-parameter", 7 * B, 7 * B),
]


@pytest.mark.parametrize(("text", "span", "low", "high"), SIZE_PROSE)
def test_find_sizes_with_parameter_context(text: str, span: str, low: Decimal,
                                           high: Decimal | None) -> None:
    [size] = find_sizes(text)
    assert (size.text, size.low, size.high) == (span, low, high)


@pytest.mark.parametrize("text", [
    "competitive performance at 7B/13B params", "Dense 7B/13B params", "~7B and 13B parameters",
])
def test_size_lists_share_the_parameter_context(text: str) -> None:
    found = find_sizes(text)
    check_invariants(text, found)
    assert [s.high for s in found] == [D("7.7") * B if "~" in text else 7 * B, 13 * B]


@pytest.mark.parametrize("text", [
    "$2B", "2.6T tokens", "20 trillion tokens", "RTX 4090", "Qwen2.5-32B base",
    "checkpoints at 200B, 500B, 1T, 2.6T tokens", "(14.5B vs 300B+)", "a $2B-parameter fund",
])
def test_find_sizes_needs_parameter_context(text: str) -> None:
    assert find_sizes(text) == []


# -- dates ------------------------------------------------------------------------------------

DATES = [
    # text, first, last, precision, as_of
    ("Apr 2023", dt.date(2023, 4, 1), dt.date(2023, 4, 30), "month", False),
    ("April 2023", dt.date(2023, 4, 1), dt.date(2023, 4, 30), "month", False),
    ("Dec 2024", dt.date(2024, 12, 1), dt.date(2024, 12, 31), "month", False),
    ("Sept 2024", dt.date(2024, 9, 1), dt.date(2024, 9, 30), "month", False),
    ("Feb 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month", False),
    ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year", False),
    ("Aug 27, 2024", dt.date(2024, 8, 27), dt.date(2024, 8, 27), "day", False),
    ("27 August 2024", dt.date(2024, 8, 27), dt.date(2024, 8, 27), "day", False),
    ("2024-08-27", dt.date(2024, 8, 27), dt.date(2024, 8, 27), "day", False),
    ("August 11, 2025", dt.date(2025, 8, 11), dt.date(2025, 8, 11), "day", False),
    ("February 19, 2025", dt.date(2025, 2, 19), dt.date(2025, 2, 19), "day", False),
    ("late 2024", dt.date(2024, 9, 1), dt.date(2024, 12, 31), "part", False),
    ("early 2025", dt.date(2025, 1, 1), dt.date(2025, 4, 30), "part", False),
    ("mid-2025", dt.date(2025, 5, 1), dt.date(2025, 8, 31), "part", False),
    ("mid 2024", dt.date(2024, 5, 1), dt.date(2024, 8, 31), "part", False),
    ("Mid 2024", dt.date(2024, 5, 1), dt.date(2024, 8, 31), "part", False),
    ("Q3 2024", dt.date(2024, 7, 1), dt.date(2024, 9, 30), "quarter", False),
    ("Q4 2025", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "quarter", False),
    ("H1 2024", dt.date(2024, 1, 1), dt.date(2024, 6, 30), "half", False),
    ("H2 2024", dt.date(2024, 7, 1), dt.date(2024, 12, 31), "half", False),
    ("as of April 2025", dt.date(2025, 4, 1), dt.date(2025, 4, 30), "month", True),
    ("(as of July 2024)", dt.date(2024, 7, 1), dt.date(2024, 7, 31), "month", True),
    ("As of August 2025", dt.date(2025, 8, 1), dt.date(2025, 8, 31), "month", True),
    ("by 2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year", False),
    ("2025-2027", dt.date(2025, 1, 1), dt.date(2027, 12, 31), "range", False),
    ("2023-2024", dt.date(2023, 1, 1), dt.date(2024, 12, 31), "range", False),
    ("2026-2027", dt.date(2026, 1, 1), dt.date(2027, 12, 31), "range", False),
    ("2023-24", dt.date(2023, 1, 1), dt.date(2024, 12, 31), "range", False),
    ("April 2023 - Mid 2024", dt.date(2023, 4, 1), dt.date(2024, 8, 31), "range", False),
    ("2023 - Early 2025", dt.date(2023, 1, 1), dt.date(2025, 4, 30), "range", False),
    ("June - September 2023", dt.date(2023, 6, 1), dt.date(2023, 9, 30), "range", False),
    ("January - March 2025", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "range", False),
    ("**Dec 2024**", dt.date(2024, 12, 1), dt.date(2024, 12, 31), "month", False),
    ("2025+", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year", False),
]


@pytest.mark.parametrize(("text", "first", "last", "precision", "as_of"), DATES)
def test_parse_date_table(text: str, first: dt.date, last: dt.date, precision: str,
                          as_of: bool) -> None:
    date = parse_date(text)
    assert date is not None
    assert (date.first, date.last, date.precision, date.as_of) == (first, last, precision, as_of)


@pytest.mark.parametrize(("text", "first", "last", "precision", "as_of"), DATES)
def test_find_dates_in_a_sentence(text: str, first: dt.date, last: dt.date, precision: str,
                                  as_of: bool) -> None:
    [date] = find_dates(f"Released ({text}) on the platform.")
    assert (date.first, date.last, date.precision, date.as_of) == (first, last, precision, as_of)


@pytest.mark.parametrize("text", [
    "TBD", "Series B (2024)", "Valuation (July 2024)", "Founded", "Feb 30, 2024", "2024-13",
    "Early", "-", "",
])
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", [
    "$2025M", "RTX 4090", "RTX 2080", "2,000", "Qwen2.5-32B", "Step-2", "GPT-4o", "Step-2025",
    "arXiv:2012.12345", "2024.5", "1999 dollars", "2000+ hospitals", "¥2025", "1,000+",
    "H20's dual-node setup", "4096 tokens", "150-200K English tokens", "#2024",
])
def test_find_dates_skips_numbers_that_are_not_years(text: str) -> None:
    assert find_dates(text) == []


def test_two_dates_joined_by_and_stay_apart() -> None:
    found = find_dates("Between August 2024 and March 2025, Baichuan pivoted")
    assert [d.text for d in found] == ["August 2024", "March 2025"]


def test_inverted_year_pair_is_not_a_range() -> None:
    assert [d.precision for d in find_dates("2025-2023")] == ["year", "year"]


# -- percentages ------------------------------------------------------------------------------

PERCENTS = [
    ("50%", D(50), D(50), "exact"),
    ("50%+", D(50), None, "at_least"),
    ("30-40%", D(30), D(40), "range"),
    ("30%-40%", D(30), D(40), "range"),
    ("~35-40%", D("31.5"), D(44), "approx"),
    ("95%", D(95), D(95), "exact"),
    ("88.5%", D("88.5"), D("88.5"), "exact"),
    ("(30% probability)", D(30), D(30), "exact"),
    ("over 50%", D(50), None, "at_least"),
    ("12 percent", D(12), D(12), "exact"),
    ("-5%", D(-5), D(-5), "exact"),
]


@pytest.mark.parametrize(("text", "low", "high", "qualifier"), PERCENTS)
def test_find_percents_table(text: str, low: Decimal, high: Decimal | None,
                             qualifier: str) -> None:
    [percent] = find_percents(text)
    assert (percent.low, percent.high, percent.qualifier) == (low, high, qualifier)


def test_percents_in_a_table_row() -> None:
    row = "| **Survival odds** | **StepFun** (85% vs 70%) | State backing > market volatility |"
    assert [(p.text, p.low) for p in find_percents(row)] == [("85%", D(85)), ("70%", D(70))]


# -- ranks ------------------------------------------------------------------------------------

RANK_CELLS = [
    # text, low, high, tied, top
    ("#1", 1, 1, False, False),
    ("**#1**", 1, 1, False, False),
    ("Tied #1-2", 1, 2, True, False),
    ("#5-6", 5, 6, False, False),
    ("#2-3", 2, 3, False, False),
    ("5th", 5, 5, False, False),
    ("1st-2nd", 1, 2, False, False),
    ("Top 3", 1, 3, False, True),
    ("top-3", 1, 3, False, True),
    ("top", 1, 1, False, True),
    ("Top three", 1, 3, False, True),
    ("first", 1, 1, False, False),
    ("second", 2, 2, False, False),
    ("No. 1", 1, 1, False, False),
    ("#1 (tied)", 1, 1, True, False),
    ("3", 3, 3, False, False),
]


@pytest.mark.parametrize(("text", "low", "high", "tied", "top"), RANK_CELLS)
def test_parse_rank_table(text: str, low: int, high: int, tied: bool, top: bool) -> None:
    rank = parse_rank(text)
    assert rank is not None
    assert (rank.low, rank.high, rank.tied, rank.top) == (low, high, tied, top)


@pytest.mark.parametrize("text", ["Unranked", "N/A", "-", "", "Behind Moonshot", "#0"])
def test_parse_rank_rejects(text: str) -> None:
    assert parse_rank(text) is None


RANK_PROSE = [
    ("- **#2-3** in technical capability", "#2-3", 2, 3),
    ("(Previously claimed #1 revenue target)", "#1", 1, 1),
    ("- **Step-2-16k**: Ranks 5th globally on LiveBench", "5th", 5, 5),
    ("Step-2 ranks 5th, outperforming many Western models", "5th", 5, 5),
    ("(world #1, surpassing GPT-oss120b at 57.6)", "#1", 1, 1),
    ("Top-3 most downloaded Chinese-origin models", "Top-3", 1, 3),
    ("among the Top 3 labs", "Top 3", 1, 3),
    ("Kimi = #2 chatbot in China", "#2", 2, 2),
    ("| **Valuation** | Tied #1-2 | $2B+ |", "Tied #1-2", 1, 2),
    ("the No. 1 player", "No. 1", 1, 1),
]


@pytest.mark.parametrize(("text", "span", "low", "high"), RANK_PROSE)
def test_find_ranks_in_prose(text: str, span: str, low: int, high: int) -> None:
    [rank] = find_ranks(text)
    assert (rank.text, rank.low, rank.high) == (span, low, high)


@pytest.mark.parametrize("text", [
    "first open-source model", "second globally to exceed", "China's second-largest engine",
    "the 5th generation", "top 10% of labs", "C#1", "&#123;", "1/57th of the cost",
    "top-tier VC", "issue #12345",
])
def test_find_ranks_skips_non_ranks(text: str) -> None:
    assert find_ranks(text) == []


# -- counts -----------------------------------------------------------------------------------

COUNTS = [
    # text, span, low, high, noun
    ("released 11 foundation models in its first year", "11 foundation models", 11, 11, "model"),
    ("12+ models in first 2 years", "12+ models", 12, None, "model"),
    ("eleven US cities", "eleven US cities", 11, 11, "city"),
    ("18 repositories under stepfun-ai", "18 repositories", 18, 18, "repository"),
    ("150+ county hospitals", "150+ county hospitals", 150, None, "hospital"),
    ("30+ doctors on medical product team", "30+ doctors", 30, None, "doctor"),
    ("| TBD | 11+ models total | Various |", "11+ models", 11, None, "model"),
    ("Estimated 200-500 people", "200-500 people", 200, 500, "person"),
    ("50,000+ enterprise customers", "50,000+ enterprise customers", 50_000, None, "customer"),
    ("300+ renowned pediatric specialists", "300+ renowned pediatric specialists", 300, None,
     "specialist"),
    ("Two versions: Basic and Expert", "Two versions", 2, 2, "version"),
    ("4 modalities", "4 modalities", 4, 4, "modality"),
    ("~150-200 employees", "~150-200 employees", 135, 220, "employee"),
    ("over 200 employees", "over 200 employees", 200, None, "employee"),
    ("5 LLMs", "5 LLMs", 5, 5, "llm"),
]


@pytest.mark.parametrize(("text", "span", "low", "high", "noun"), COUNTS)
def test_find_counts_table(text: str, span: str, low: int, high: int | None, noun: str) -> None:
    [count] = find_counts(text)
    assert (count.text, count.low, count.high, count.noun) == (span, low, high, noun)


@pytest.mark.parametrize("text", [
    "16 years", "6 months", "2.6T tokens", "13M+ users", "200K-500K developer community",
    "7 billion parameters", "$5 models", "the 2024 models", "Top 3 models", "the Six Tigers",
    "TIME's 100 Most Influential People", "3 of the models", "20 trillion tokens", "57x cheaper",
    "350,000 Chinese character context", "top-3 most downloaded models", "90% of users",
])
def test_find_counts_skips_units_and_names(text: str) -> None:
    assert find_counts(text) == []


# -- durations --------------------------------------------------------------------------------

DURATIONS = [
    ("a 16-year Microsoft veteran", "16-year", D(192), D(192), "year"),
    ("16 years of experience", "16 years", D(192), D(192), "year"),
    ("9 years", "9 years", D(108), D(108), "year"),
    ("18 months", "18 months", D(18), D(18), "month"),
    ("48+ months runway", "48+ months", D(48), None, "month"),
    ("within 2-3 years", "within 2-3 years", D(0), D(36), "year"),
    ("2-3 years", "2-3 years", D(24), D(36), "year"),
    ("(18-24 month cycles)", "18-24 month", D(18), D(24), "month"),
    ('"over 48 months" cash runway', "over 48 months", D(48), None, "month"),
    ("six months", "six months", D(6), D(6), "month"),
    ("3 quarters", "3 quarters", D(9), D(9), "quarter"),
]


@pytest.mark.parametrize(("text", "span", "low", "high", "unit"), DURATIONS)
def test_find_durations_table(text: str, span: str, low: Decimal, high: Decimal | None,
                              unit: str) -> None:
    [duration] = find_durations(text)
    assert (duration.text, duration.low_months, duration.high_months, duration.unit) == (
        span, low, high, unit)


@pytest.mark.parametrize("text", ["2023-2025", "year 1", "16 years old", "Step-2 years"])
def test_find_durations_skips(text: str) -> None:
    assert find_durations(text) == []


# -- formatting -------------------------------------------------------------------------------

@pytest.mark.parametrize(("money", "text"), [
    (Money(text="", currency="USD", low=450 * M, high=450 * M), "$450M"),
    (Money(text="", currency="CNY", low=10 * B, high=10 * B), "¥10B"),
    (Money(text="", currency="USD", low=2 * B, high=None, qualifier="at_least"), "$2B+"),
    (Money(text="", currency="USD", low=D("10.8") * M, high=D("13.2") * M), "~$12M"),
    (Money(text="", currency="USD", low=500 * M, high=B), "$500M-$1B"),
    (Money(text="", currency="USD", low=D(0), high=50 * M, qualifier="at_most"), "under $50M"),
    (Money(text="", currency="USD", low=D(1400), high=D(1400)), "$1,400"),
    (Money(text="", currency="USD", low=D("0.14"), high=D("0.14"), per="M tokens"),
     "$0.14/M tokens"),
    (Money(text="", currency="CNY", low=10 * B, high=10 * B,
           converted=Money(text="", currency="USD", low=D("1.26") * B, high=D("1.54") * B)),
     "¥10B (~$1.4B)"),
    (Money(text="", currency="JPY", low=5 * B, high=5 * B), "JPY 5B"),
])
def test_format_money(money: Money, text: str) -> None:
    assert format_money(money) == text


@pytest.mark.parametrize(("text", "formatted"), [
    ("130B (dense)", "130B (dense)"), ("1T+ (MoE)", "1T+ (MoE)"),
    ("355B (32B active)", "355B (32B active)"), ("14.5B", "14.5B"), ("~7B", "~7B"),
])
def test_format_size(text: str, formatted: str) -> None:
    size = parse_size(text)
    assert size is not None and format_size(size) == formatted


@pytest.mark.parametrize(("text", "formatted"), [
    ("December 2024", "Dec 2024"), ("Aug 27, 2024", "Aug 27, 2024"), ("2025", "2025"),
    ("Q3 2024", "Q3 2024"), ("H2 2024", "H2 2024"), ("late 2024", "late 2024"),
    ("mid-2025", "mid 2025"), ("2025-2027", "2025-2027"),
    ("April 2023 - Mid 2024", "Apr 2023 - Aug 2024"), ("as of April 2025", "as of Apr 2025"),
])
def test_format_date(text: str, formatted: str) -> None:
    date = parse_date(text)
    assert date is not None and format_date(date) == formatted


# -- intervals --------------------------------------------------------------------------------

def test_overlaps() -> None:
    assert overlaps(D(1), D(2), D(2), D(3))
    assert not overlaps(D(1), D(2), D(3), D(4))
    assert overlaps(1, None, 100, 200)
    assert not overlaps(300, None, 100, 200)
    assert overlaps(D(5), D(5), 5, 5)
    assert overlaps(dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 9, 1), None)
    assert not overlaps(dt.date(2024, 1, 1), dt.date(2024, 6, 30),
                        dt.date(2024, 9, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize("make", [
    lambda: Money(text="", currency="USD", low=D(2), high=D(1)),
    lambda: Size(text="", low=D(2), high=D(1)),
    lambda: Size(text="", low=D(2), high=D(2), active_low=D(3), active_high=D(1)),
    lambda: DateValue(text="", first=dt.date(2024, 2, 1), last=dt.date(2024, 1, 1),
                      precision="day"),
    lambda: Percent(text="", low=D(50), high=D(40)),
    lambda: Rank(text="", low=3, high=2),
    lambda: Count(text="", low=3, high=2),
    lambda: Duration(text="", low_months=D(3), high_months=D(2), unit="month"),
])
def test_inverted_intervals_are_refused(make: Callable[[], Quantity]) -> None:
    with pytest.raises(ValueError, match="is above"):
        make()


def test_ordered_pairs_are_the_fields_of_each_class() -> None:
    assert Money._ordered_pairs == Percent._ordered_pairs == Count._ordered_pairs == (
        ("low", "high"),
    )
    assert Size._ordered_pairs == (("low", "high"), ("active_low", "active_high"))
    assert DateValue._ordered_pairs == (("first", "last"),)
    assert Duration._ordered_pairs == (("low_months", "high_months"),)


# -- the corpus -------------------------------------------------------------------------------

def test_stepfun_corpus_values() -> None:
    text = STEPFUN.read_text(encoding="utf-8")
    money = find_money(text)
    assert {(m.text, m.low) for m in money} >= {
        ("$450 million", 450 * M), ("~$12 million", D("10.8") * M),
        ("several hundred million dollars", 200 * M), ("~$500M-1B", 450 * M),
    }
    assert {s.text for s in find_sizes(text)} >= {
        "trillion-parameter", "Dense 130B parameter", "100B+ parameters", "30B params",
    }
    assert {r.text for r in find_ranks(text)} == {"5th", "#1", "#2-3", "#5-6"}
    assert {(c.text, c.noun) for c in find_counts(text)} == {
        ("11 foundation models", "model"), ("11 models", "model"), ("11+ models", "model"),
    }
    as_of = [d for d in find_dates(text) if d.as_of]
    assert {d.text for d in as_of} == {"as of late 2024", "as of April 2025"}


def test_every_corpus_line_keeps_the_invariants() -> None:
    assert len(CORPUS_LINES) > 1000  # the strategies sample these: they must be there
    for line in CORPUS_LINES:
        for finder in FINDERS:
            check_invariants(line, finder(line))


@pytest.mark.parametrize("piece", [
    "$1", "1,", "~ ", "# ", "1 ", "1-", "$1-", "Jan ", "a ", "12 a b c ", "(", "1B/",
    "$1B ($2B (", "over ", "2024-", "#1-", "Top ", "several ", "1.1.", "亿", "1%-",
])
def test_no_catastrophic_backtracking(piece: str) -> None:
    text = piece * (10_000 // len(piece))
    for finder in FINDERS:
        check_invariants(text, finder(text))
    for parser in PARSERS:
        parser(text)


# -- properties -------------------------------------------------------------------------------

PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def assert_case(q: Quantity | None, case: QuantityCase) -> None:
    assert q is not None, case.text
    for point in case.points:
        assert contains(q, point), (case.text, point, interval(q))


@PROPERTY
@given(money_cases())
def test_money_texts_parse_to_their_values(case: QuantityCase) -> None:
    money = parse_money(case.text)
    assert_case(money, case)
    assert money is not None and money.currency == case.unit
    assert money.qualifier == case.qualifier


@PROPERTY
@given(embedded(money_cases()))
def test_money_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_money(sentence)
    check_invariants(sentence, found)
    [money] = [m for m in found if m.start == start]
    assert_case(money, case)
    assert money.text == case.text


@PROPERTY
@given(money_models())
def test_format_money_parses_back(money: Money) -> None:
    text = format_money(money)
    parsed = parse_money(text)
    assert parsed is not None, text
    assert (parsed.currency, parsed.low, parsed.high, parsed.per) == (
        money.currency, money.low, money.high, money.per), text
    if money.converted is None:
        assert parsed.converted is None
    else:
        assert parsed.converted is not None
        assert (parsed.converted.currency, parsed.converted.low, parsed.converted.high) == (
            money.converted.currency, money.converted.low, money.converted.high)


@PROPERTY
@given(size_cases())
def test_size_cells_parse_to_their_values(case: QuantityCase) -> None:
    size = parse_size(case.text)
    assert_case(size, case)
    assert size is not None and size.qualifier == case.qualifier
    if case.unit:
        assert size.architecture == case.unit


@PROPERTY
@given(embedded(size_cases(prose=True)))
def test_sizes_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_sizes(sentence)
    check_invariants(sentence, found)
    [size] = [s for s in found if s.start == start]
    assert_case(size, case)


@PROPERTY
@given(size_models())
def test_format_size_parses_back(size: Size) -> None:
    text = format_size(size)
    parsed = parse_size(text)
    assert parsed is not None, text
    assert (parsed.low, parsed.high, parsed.active_low) == (size.low, size.high, size.active_low)
    assert parsed.architecture == size.architecture


@PROPERTY
@given(date_cases())
def test_date_texts_parse_to_their_values(case: QuantityCase) -> None:
    date = parse_date(case.text)
    assert_case(date, case)
    assert date is not None
    assert date.precision == ("month" if case.unit == "as_of" else case.unit)
    assert date.as_of == (case.unit == "as_of")


@PROPERTY
@given(embedded(date_cases()))
def test_dates_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_dates(sentence)
    check_invariants(sentence, found)
    [date] = [d for d in found if d.start == start]
    assert_case(date, case)


@PROPERTY
@given(date_models())
def test_format_date_parses_back(date: DateValue) -> None:
    text = format_date(date)
    parsed = parse_date(text)
    assert parsed is not None, text
    assert (parsed.first, parsed.last, parsed.as_of) == (date.first, date.last, date.as_of)


@PROPERTY
@given(embedded(percent_cases()))
def test_percents_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_percents(sentence)
    check_invariants(sentence, found)
    [percent] = [p for p in found if p.start == start]
    assert_case(percent, case)
    assert percent.qualifier == case.qualifier


@PROPERTY
@given(rank_cases())
def test_rank_cells_parse_to_their_values(case: QuantityCase) -> None:
    rank = parse_rank(case.text)
    assert_case(rank, case)
    assert rank is not None
    assert rank.tied == (case.qualifier == "tied") and rank.top == (case.qualifier == "top")


@PROPERTY
@given(embedded(rank_cases(prose=True)))
def test_ranks_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_ranks(sentence)
    check_invariants(sentence, found)
    [rank] = [r for r in found if start <= r.start < start + len(case.text)]
    assert_case(rank, case)


@PROPERTY
@given(embedded(count_cases()))
def test_counts_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_counts(sentence)
    check_invariants(sentence, found)
    [count] = [c for c in found if c.start == start]
    assert_case(count, case)
    assert count.noun == case.unit and count.text == case.text


@PROPERTY
@given(embedded(duration_cases()))
def test_durations_found_in_sentences(sample: tuple[str, int, QuantityCase]) -> None:
    sentence, start, case = sample
    found = find_durations(sentence)
    check_invariants(sentence, found)
    [duration] = [d for d in found if d.start == start]
    assert_case(duration, case)
    assert duration.unit == case.unit


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noisy_text())
def test_never_raises_and_keeps_invariants(text: str) -> None:
    for finder in FINDERS:
        check_invariants(text, finder(text))
    for parser in PARSERS:
        parsed = parser(text)
        if parsed is not None:
            assert text[parsed.start : parsed.end] == parsed.text
            low, high = interval(parsed)
            assert high is None or low <= high
