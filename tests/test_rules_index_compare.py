"""The claim index's groupings and `compare`'s fast paths give what the general code gives."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest

from factcheck.quantities import DateValue, Money, find_dates, find_money
from factcheck.rules.base import ClaimIndex
from factcheck.rules.declarative import compare

OPS = ("<", "<=", ">", ">=", "==", "!=", "overlaps", "disjoint")


@dataclass
class _Fake:
    kind: str
    subject_key: str = "acme"


class _OtherFake(_Fake):
    pass


def _by_filter(claims: list[Any], kind: str) -> list[Any]:
    return [c for c in claims if c.kind == kind]


def test_of_kind_is_each_kind_in_source_order_whatever_the_classes() -> None:
    # One class of two kinds, and one kind in two classes: both fall back to a filter.
    claims: list[Any] = [_Fake("a"), _OtherFake("b"), _Fake("b"), _Fake("a"), _OtherFake("c"),
                         _OtherFake("b"), _Fake("d")]
    index = ClaimIndex(claims)
    for kind in ("a", "b", "c", "d", "missing"):
        assert list(index.of_kind(kind)) == _by_filter(claims, kind)


def test_of_kind_and_of_type_share_one_grouping() -> None:
    claims: list[Any] = [_Fake("a"), _OtherFake("b"), _Fake("a"), _OtherFake("b")]
    index = ClaimIndex(claims)
    assert index.of_type(_OtherFake) == [claims[1], claims[3]]
    assert list(index.of_kind("a")) == [claims[0], claims[2]]
    assert index.of_type(_Fake) == claims  # a base class of both: picked out in order


class _Str(str):
    """A str subclass: `compare` takes its general path for it."""


def _reference(a: tuple[Any, Any], op: str, b: tuple[Any, Any]) -> bool:
    """The comparison of two intervals, written out from the rule file documentation."""
    a_below = a[1] is not None and a[1] < b[0]
    b_below = b[1] is not None and b[1] < a[0]
    return {
        "<": a_below,
        "<=": a[1] is not None and a[1] <= b[0],
        ">": b_below,
        ">=": b[1] is not None and b[1] <= a[0],
        "==": a == b,
        "!=": a != b,
        "overlaps": not (a_below or b_below),
        "disjoint": a_below or b_below,
    }[op]


@pytest.mark.parametrize("op", OPS)
def test_strings_and_booleans_compare_as_in_the_general_path(op: str) -> None:
    words = ["day", "month", "quarter", ""]
    for x, y in itertools.product(words, repeat=2):
        assert compare(x, op, y) == compare(_Str(x), op, _Str(y))
    for p, q in itertools.product([True, False], repeat=2):
        assert compare(p, op, q) == {"<": p < q, "<=": p <= q, ">": p > q, ">=": p >= q,
                                     "==": p == q, "!=": p != q, "overlaps": p == q,
                                     "disjoint": p != q}[op]


@pytest.mark.parametrize("op", OPS)
def test_dates_and_amounts_compare_as_intervals(op: str) -> None:
    dates: list[DateValue] = [d for text in ("March 2024", "2024", "Q1 2024", "2023-2025",
                                             "12 March 2024", "mid-2024")
                              for d in find_dates(text)]
    assert len(dates) >= 5
    for x, y in itertools.product(dates, repeat=2):
        assert compare(x, op, y) == _reference((x.first, x.last), op, (y.first, y.last))
    amounts: list[Money] = [m for text in ("$45M", "$40-50M", "$2B+", "about $45 million",
                                           "$1B", "€45M")
                            for m in find_money(text)]
    assert len(amounts) >= 5
    for p, q in itertools.product(amounts, repeat=2):
        if p.currency == q.currency:
            assert compare(p, op, q) == _reference((p.low, p.high), op, (q.low, q.high))
        else:  # no conversion stated: not comparable
            assert compare(p, op, q) is False


def test_an_unknown_operator_is_an_error() -> None:
    date = find_dates("March 2024")[0]
    with pytest.raises(KeyError):
        compare(date, "~", date)
    with pytest.raises(KeyError):
        compare("a", "~", "b")
