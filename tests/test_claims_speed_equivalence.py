"""Claim extraction: its prefilters never skip what the full scans would find."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck import quantities as q
from factcheck.claims import extract as x
from factcheck.vocab import default_vocabulary, normalise_label

# Pieces that exercise the prefilters: rank and count forms in odd cases, the characters that
# re.IGNORECASE matches to ASCII letters, digits of other scripts, separators and sentence ends.
_PIECES = [
    "#", "# ", "#2", "No.", "no. ", "NO.4", "top", "Top-3", "TOP ", "3rd", "3RD", "3Rd",
    "2\u017ft", "21st", "1st-2nd", "ranks", "ranked", "globally", "tied", "among",
    "one", "Twenty-One", "\u017fix", "e\u0131ght", "n\u0130ne", "dozen", "hundred",
    "12", "1,000", "12+", "2024", "\u0663", "\uff13", "models", "Cities", "people", "\u212aM",
    " ", "  ", "\t", "\n", "-", "\u2013", ".", ". ", "! ", "? ", ".\n", "(", "*", "_", "\u00a0",
    "total", "TOTAL", "raised", "funding", "to date", " to date", "Se*ries", "é", "开源",
]
_PARTS = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=10)
# Pieces run together, or as words.
_TEXTS = st.one_of(_PARTS.map("".join), _PARTS.map(" ".join))
_P = x._patterns(default_vocabulary())


def test_no_other_character_lowers_to_or_onto_ascii() -> None:
    """Outside the odd folds, `str.lower` keeps ASCII in ASCII and the rest out of it."""
    for code in range(128, 0x110000):
        char = chr(code)
        if not x._ODD_FOLDS.search(char):
            assert not any(c.isascii() for c in char.lower()), hex(code)


@given(_TEXTS)
def test_words_of_a_sentence_are_its_lower_cased_tokens(text: str) -> None:
    words = x._Words(text, _P)
    assert words.digit == (x._DIGIT.search(text) is not None)
    if x._ODD_FOLDS.search(text):
        assert words.words is None
        return
    tokens = frozenset(x._TOKEN.findall(text.lower()))
    assert words.words == tokens & _P.watched


@settings(max_examples=1000)
@given(_TEXTS)
def test_a_sentence_with_a_rank_may_hold_one(text: str) -> None:
    if q.find_ranks(text):
        assert x._Words(text, _P).may_rank()


@settings(max_examples=1000)
@given(_TEXTS)
def test_a_sentence_with_a_count_may_hold_one(text: str) -> None:
    if q.find_counts(text):
        assert x._Words(text, _P).may_count()


def test_extraction_and_quantities_know_the_same_number_words() -> None:
    assert frozenset(q._NUMBER_WORDS) == x._NUMBER_WORDS


@given(_TEXTS, st.integers(0, 12))
def test_sentence_ends_follow_the_first_mark(text: str, body: int) -> None:
    body = min(body, len(text))
    every = [m.span() for m in x._SENTENCE_END.finditer(text, body)]
    assert [m.span() for m in x._sentence_ends(text, body)] == every


@pytest.mark.parametrize("text", ["ranked. Cities", "ranked. No.", "a\nb", "a.\nB", "x. Y. Z"])
def test_sentence_ends_from_every_position(text: str) -> None:
    for body in range(len(text) + 1):
        every = [m.span() for m in x._SENTENCE_END.finditer(text, body)]
        assert [m.span() for m in x._sentence_ends(text, body)] == every, body


@given(_TEXTS)
def test_a_total_label_spells_total_or_to_date(text: str) -> None:
    label = normalise_label(text)
    if x._TOTAL_LABEL.search(label):
        assert "total" in label or " to date" in label


@given(_TEXTS)
def test_a_lead_name_starts_with_a_capital(text: str) -> None:
    if x._LEAD_HINT.match(text) or x._LEAD_NAME.match(text):
        assert "A" <= text[0] <= "Z"


def test_the_rank_and_count_hints_ignore_case_as_the_scanners_do() -> None:
    assert x._ORDINAL_HINT.flags & re.IGNORECASE
    assert x._COUNT_HINT.flags & re.IGNORECASE
    assert q._RANKS().flags & re.IGNORECASE
    assert q._COUNTS().flags & re.IGNORECASE
