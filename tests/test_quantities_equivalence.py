"""Quantities: the fast forms of patterns and helpers answer exactly as their plain forms."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck import quantities as q

# The plain forms, as the scanners first spelled them.
_PLAIN_INT = r"(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,9})(?![.,]?\d)"
_PLAIN_NUM = r"(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.\d{1,6})?(?!\.?\d)"

# Pieces that exercise the patterns: every number word and currency prefix in odd cases, the
# characters that re.IGNORECASE matches to ASCII letters, separators and digits.
_PIECES = [
    *q._NUMBER_WORDS, "Twenty-One", "SIXTY", "sixtyish", "\u017fix", "\u017feventeen", "e\u0131ght",
    "n\u0130ne",
    "US$", "us$", "HK$", "JP¥", "jp¥", "USD", "usd", "Cny", "RMB", "eur", "GBP", "hkd", "\u212aD",
    "$", "€", "¥", "￥", "1", "12", "1,000", "1,0000", "3.5", ".5", " ", "-", "–", "\t", "x", "_",
]
_TEXTS = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=2)), max_size=8).map("".join)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int] | None]:
    found = []
    for pos in range(len(text) + 1):
        m = pattern.match(text, pos)
        found.append(None if m is None else m.span())
    return found


@given(_TEXTS)
def test_patterns_by_initial_match_as_their_plain_forms(text: str) -> None:
    # With and without a boundary after them: the order of the alternatives is kept.
    pairs = [
        (q._NUMBER_WORD_BY_INITIAL, q._NUMBER_WORD),
        (q._NUMBER_WORD_BY_INITIAL + r"\b", q._NUMBER_WORD + r"\b"),
        (q._NUMBER_WORD_BY_INITIAL + r"(?:\s?to\s?\w+)?", q._NUMBER_WORD + r"(?:\s?to\s?\w+)?"),
        (q._CUR_PREFIX_BY_INITIAL, q._CUR_PREFIX),
        (q._CUR_PREFIX_BY_INITIAL + r"\s?\d", q._CUR_PREFIX + r"\s?\d"),
        (q._INT, _PLAIN_INT),
        (q._NUM, _PLAIN_NUM),
        (q._NUM + r"[,.]\d", _PLAIN_NUM + r"[,.]\d"),
    ]
    for fast, plain in pairs:
        assert _matches(re.compile(fast, re.IGNORECASE), text) == _matches(
            re.compile(plain, re.IGNORECASE), text
        ), (fast, text)


_QUALIFIED = st.lists(
    st.sampled_from([
        "about", "ABOUT", "approx.", "close  to", "just\tunder", "no more than", "(over", "of",
        "~", "≈", "\u223c", "<", ">", "<=", "≤", "≥", "\n", " ", "  ", "w\u0130thin", "w\u0131thin",
        "lea\u017ft", "x", "5", "$", "Upwards of", "in excess of", "north", "to",
    ]),
    max_size=8,
).map("".join)


@given(_QUALIFIED)
def test_qualifier_before_answers_as_its_search(text: str) -> None:
    for start in range(len(text) + 1):
        m = q._QUAL_BEFORE().search(text, max(0, start - q._QUAL_WINDOW), start)
        expected: tuple[int, str | None] = (start, None)
        if m is not None:
            word = m.group("qw") or m.group("qs") or m.group("qs2")
            expected = m.start(), q._QUAL_KIND.get(q._SPACES.sub(" ", word.casefold()))
        assert q._qualifier_before(text, start) == expected, (text, start)


@given(
    st.integers(0, 10**15), st.integers(0, 10**15), st.booleans(),
    st.sampled_from([None, "approx", "just_under", "just_over", "at_most", "at_least"]),
    st.booleans(),
)
def test_whole_counts_apply_as_decimals_rounded_outwards(
    low: int, span: int, is_range: bool, qual: str | None, plus: bool
) -> None:
    high = low + span
    dlow, dhigh, qualifier = q._apply(Decimal(low), Decimal(high), is_range, qual, plus)
    expected = (
        int(dlow.to_integral_value(rounding="ROUND_FLOOR")),
        None if dhigh is None else int(dhigh.to_integral_value(rounding="ROUND_CEILING")),
        qualifier,
    )
    assert q._apply_whole(low, high, is_range, qual, plus) == expected


def test_remembered_answers_are_fresh_lists() -> None:
    text = "About 12 models cost $5M in early 2024, ranked #2."
    for find in (q.find_counts, q.find_money, q.find_dates, q.find_ranks):
        first = find(text)
        assert first
        first.clear()
        assert find(text)


def test_forget_drops_the_remembered_answers() -> None:
    q.find_dates("Series B in March 2024")
    assert any(cached.cache_info().currsize for cached in q._MEMOISED)
    q.forget()
    assert not any(cached.cache_info().currsize for cached in q._MEMOISED)
    assert q.find_dates("Series B in March 2024")  # and answers again from scratch


def test_each_dossier_set_starts_with_no_remembered_answers(tmp_path: Path) -> None:
    """The engine forgets before each set: no set is checked faster for another's text."""
    from factcheck.engine import lint

    sizes = []
    original = q.forget

    def spy() -> None:
        original()
        sizes.append(sum(cached.cache_info().currsize for cached in q._MEMOISED))

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.md").write_text(
            f"# {name.upper()} Labs\n\nIt raised $5M in March 2024 and has 12 models.\n",
            encoding="utf-8")
    q.find_dates("in March 2024")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(q, "forget", spy)
        lint([str(tmp_path)], cache=None, jobs=1)
    assert sizes == [0, 0]


_DATE_TOKENS = ("Jan", "January", "Sept.", "Sep", "December", "mid", "late", "early", "Q1",
                "Q4'24", "3Q24", "H2", "2H24", "FY", "FY2024", "CY2025", "2024", "'24", "2023-24",
                "2024/25", "2024-03", "03/2024", "1999", "2030", "as of", "in", "since", "end of",
                "(", ")", "-", "\u2013", "to", "Spring", "20th", "3", "2025E", "circa", "~")


@given(st.lists(st.sampled_from(_DATE_TOKENS), min_size=1, max_size=4), st.sampled_from(" /"))
def test_a_parsed_date_is_also_found(tokens: list[str], sep: str) -> None:
    """The extractor reads a label's date with `parse_date` only where `find_dates` finds one:
    so every text `parse_date` reads must hold a date `find_dates` finds."""
    for text in (sep.join(tokens), "".join(tokens)):
        assert q.parse_date(text) is None or q.find_dates(text), text
