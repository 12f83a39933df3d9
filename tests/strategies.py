"""Hypothesis strategies for quantities: texts of known values, model instances, corpus lines."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

from hypothesis import strategies as st

from factcheck.quantities import DatePrecision, DateValue, Money, Qualifier, Size

__all__ = [
    "COMPANY",
    "CORPUS_LINES",
    "CURRENCY_FORMS",
    "EN_DASH",
    "Dossier",
    "Plant",
    "QuantityCase",
    "amounts",
    "company_names",
    "corpus_lines",
    "count_cases",
    "damaged",
    "date_cases",
    "date_models",
    "dossiers",
    "duration_cases",
    "embedded",
    "money_cases",
    "money_models",
    "mutated_lines",
    "noisy_text",
    "ordinal",
    "percent_cases",
    "rank_cases",
    "size_cases",
    "size_models",
]

EN_DASH = "\u2013"  # ranges are often written with an en dash: "2023<EN DASH>2025"
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "ailabs"
CORPUS_LINES: tuple[str, ...] = tuple(
    line
    for path in sorted(CORPUS.glob("*.md"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
)


@dataclass(frozen=True)
class QuantityCase:
    """A text built from known values: every point must lie in the interval parsed from `text`.

    `unit` is what else the parse must agree on: the currency of money, the singular noun of a
    count, the unit of a duration, the precision of a date.
    """

    text: str
    points: tuple[Any, ...]
    qualifier: str
    unit: str = ""


# -- numbers ----------------------------------------------------------------------------------

def _grouped(value: Decimal) -> str:
    """A positive decimal as dossiers write it: "1,400", "5.58"."""
    whole, _, frac = format(value, "f").partition(".")
    text = f"{int(whole):,}"
    return f"{text}.{frac}" if frac else text


@st.composite
def _mantissas(draw: st.DrawFn, low: int = 1, high: int = 999) -> Decimal:
    """A number as written before a scale: 1..999 with up to two decimals."""
    whole = draw(st.integers(low, high))
    places = draw(st.sampled_from([0, 0, 1, 2]))
    frac = draw(st.integers(0, 10**places - 1)) if places else 0
    return Decimal(whole) + Decimal(frac) / Decimal(10**places) if places else Decimal(whole)


def amounts() -> st.SearchStrategy[Decimal]:
    """Amounts of money or parameters: a mantissa times a power of 1,000 (exact decimals)."""
    return st.builds(
        lambda m, e: m * Decimal(10) ** e, _mantissas(), st.sampled_from([0, 3, 6, 9, 12])
    )


# -- money ------------------------------------------------------------------------------------

# (currency, prefix, suffix): every way the dossiers write a currency.
CURRENCY_FORMS: tuple[tuple[str, str, str], ...] = (
    ("USD", "$", ""), ("USD", "US$", ""), ("USD", "USD ", ""), ("USD", "", " USD"),
    ("USD", "", " dollars"), ("USD", "", " US dollars"),
    ("CNY", "¥", ""), ("CNY", "RMB ", ""), ("CNY", "", " yuan"), ("CNY", "", " RMB"),
    ("CNY", "", " Chinese yuan"), ("CNY", "", "元"),
    ("EUR", "€", ""), ("EUR", "", " euros"), ("GBP", "£", ""), ("HKD", "HK$", ""),
    ("JPY", "JPY ", ""), ("JPY", "", " yen"),
)
_SCALE_FORMS: tuple[tuple[str, int], ...] = (
    ("", 0), ("K", 3), ("k", 3), ("M", 6), ("m", 6), ("mn", 6), ("B", 9), ("b", 9), ("bn", 9),
    ("T", 12), (" thousand", 3), (" million", 6), (" billion", 9), (" trillion", 12),
)
_CHINESE_SCALE_FORMS: tuple[tuple[str, int], ...] = (("万", 4), ("亿", 8))


@st.composite
def money_cases(draw: st.DrawFn) -> QuantityCase:
    """An amount written in one of the dossiers' forms, with the values it states."""
    currency, prefix, suffix = draw(st.sampled_from(CURRENCY_FORMS))
    scales = _SCALE_FORMS + (_CHINESE_SCALE_FORMS if currency == "CNY" else ())
    scale, exponent = draw(st.sampled_from(scales))
    unit = Decimal(10) ** exponent
    a = draw(_mantissas(1, 999_999 if exponent == 0 else 999))
    shape = draw(st.sampled_from(["exact", "plus", "approx", "over", "under", "range", "range2"]))

    def amount(value: Decimal) -> str:
        return f"{_grouped(value)}{scale}"

    if shape in {"range", "range2"}:
        b = a + draw(_mantissas(1, 999))
        if shape == "range2" and prefix:  # "$500M-$900M"
            text = f"{prefix}{amount(a)}-{prefix}{amount(b)}{suffix}"
        elif shape == "range2" or not scale:  # "$500M-900M"
            text = f"{prefix}{amount(a)}-{amount(b)}{suffix}"
        else:  # "$200-400M": the first number takes the second's scale
            text = f"{prefix}{_grouped(a)}-{amount(b)}{suffix}"
        return QuantityCase(text, (a * unit, b * unit), "range", currency)
    body = f"{prefix}{amount(a)}{'+' if shape == 'plus' else ''}{suffix}"
    lead, qualifier = {
        "exact": ("", "exact"), "plus": ("", "at_least"), "approx": ("~", "approx"),
        "over": ("over ", "at_least"), "under": ("under ", "at_most"),
    }[shape]
    return QuantityCase(lead + body, (a * unit,), qualifier, currency)


@st.composite
def money_models(draw: st.DrawFn, with_conversion: bool = True) -> Money:
    """A Money of any qualifier shape, for format/parse round trips."""
    currency = draw(st.sampled_from(["USD", "CNY", "EUR", "GBP", "HKD", "JPY"]))
    value = draw(amounts())
    shape: Qualifier = draw(st.sampled_from(["exact", "at_least", "range", "approx", "at_most"]))
    low: Decimal = value
    high: Decimal | None = value
    if shape == "at_least":
        high = None
    elif shape == "range":
        high = value + draw(amounts())
    elif shape == "approx":
        low, high = value * Decimal("0.9"), value * Decimal("1.1")
    elif shape == "at_most":
        low = Decimal(0)
    per = draw(st.sampled_from([None, None, "month", "year", "M tokens"]))
    converted = None
    if with_conversion and draw(st.booleans()):
        other = draw(money_models(with_conversion=False).filter(lambda m: m.currency != currency))
        converted = other.model_copy(update={"per": None})
    return Money(text="", currency=currency, low=low, high=high, qualifier=shape, per=per,
                 converted=converted)


# -- sizes ------------------------------------------------------------------------------------

_SIZE_SCALES: tuple[tuple[str, int], ...] = (
    ("B", 9), ("T", 12), ("M", 6), (" billion", 9), (" trillion", 12),
)


@st.composite
def size_cases(draw: st.DrawFn, prose: bool = False) -> QuantityCase:
    """A model size as a Parameters cell writes it, or (prose=True) with parameter context."""
    scale, exponent = draw(st.sampled_from(_SIZE_SCALES))
    n = draw(_mantissas(1, 999))
    value = n * Decimal(10) ** exponent
    shape = draw(st.sampled_from(["exact", "plus", "approx", "dense", "moe", "active"]))
    text = f"{_grouped(n)}{scale}"
    qualifier = {"plus": "at_least", "approx": "approx"}.get(shape, "exact")
    unit = ""
    if shape == "plus":
        text += "+"
    elif shape == "approx":
        text = "~" + text
    if shape == "dense":
        text += " dense" if prose else " (dense)"
        unit = "dense"
    elif shape == "moe":
        text += " MoE" if prose else " (MoE)"
        unit = "moe"
    elif shape == "active":
        active = draw(st.integers(1, max(1, int(n))))
        text += f" ({active}{scale} active)"
        unit = "moe"
    elif prose:
        text += draw(st.sampled_from([" parameters", " params", " parameter", "-parameter"]))
    return QuantityCase(text, (value,), qualifier, unit)


@st.composite
def size_models(draw: st.DrawFn) -> Size:
    """A Size of any shape, for format/parse round trips."""
    value = draw(amounts().filter(lambda v: v >= 1000))
    shape = draw(st.sampled_from(["exact", "at_least", "range", "approx", "active"]))
    high: Decimal | None = value
    low = value
    active = None
    arch: Literal["dense", "moe"] | None = draw(st.sampled_from([None, "dense", "moe"]))
    if shape == "at_least":
        high = None
    elif shape == "range":
        high = value + draw(amounts().filter(lambda v: v >= 1000))
    elif shape == "approx":
        low, high = value * Decimal("0.9"), value * Decimal("1.1")
    elif shape == "active":
        active = draw(amounts().filter(lambda v: 1000 <= v <= value))
        arch = "moe"
    return Size(text="", low=low, high=high, qualifier="exact", active_low=active,
                active_high=active, architecture=arch)


# -- dates ------------------------------------------------------------------------------------

_MONTH_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")
_FULL_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _month_text(draw: st.DrawFn, month: int) -> str:
    options = [_MONTH_ABBR[month], _FULL_MONTHS[month]]
    if month == 9:
        options.append("Sept")
    return draw(st.sampled_from(options))


def _inside(draw: st.DrawFn, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))


@st.composite
def date_cases(draw: st.DrawFn) -> QuantityCase:
    """A date in one of the dossiers' forms; `unit` is the precision it must parse to."""
    year = draw(st.integers(1900, 2098))
    month = draw(st.integers(1, 12))
    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    precision = draw(st.sampled_from(
        ["day", "month", "quarter", "half", "part", "year", "range", "as_of"]))
    if precision == "day":
        day = draw(st.integers(1, month_end.day))
        name = _month_text(draw, month)
        text = draw(st.sampled_from([
            f"{name} {day}, {year}", f"{day} {name} {year}", f"{year}-{month:02d}-{day:02d}",
        ]))
        point = dt.date(year, month, day)
        return QuantityCase(text, (point,), "exact", "day")
    if precision in {"month", "as_of"}:
        text = f"{_month_text(draw, month)} {year}"
        if precision == "as_of":
            text = draw(st.sampled_from(["as of ", "As of "])) + text
        return QuantityCase(text, (_inside(draw, dt.date(year, month, 1), month_end),), "exact",
                            precision)
    if precision == "quarter":
        q = draw(st.integers(1, 4))
        first = dt.date(year, 3 * q - 2, 1)
        last = dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
        text = draw(st.sampled_from([f"Q{q} {year}", f"{year} Q{q}"]))
        return QuantityCase(text, (first, last), "exact", "quarter")
    if precision == "half":
        h = draw(st.integers(1, 2))
        first = dt.date(year, 6 * h - 5, 1)
        last = dt.date(year, 6 * h, 30 if h == 1 else 31)
        word = "first" if h == 1 else "second"
        text = draw(st.sampled_from([f"H{h} {year}", f"{word} half of {year}"]))
        return QuantityCase(text, (first, last), "exact", "half")
    if precision == "part":
        part, months = draw(st.sampled_from(
            [("early", (1, 4)), ("mid", (5, 8)), ("late", (9, 12))]))
        spelled = draw(st.sampled_from([f"{part} ", f"{part.capitalize()} ", f"{part}-"]))
        first = dt.date(year, months[0], 1)
        last = dt.date(year, months[1], calendar.monthrange(year, months[1])[1])
        return QuantityCase(f"{spelled}{year}", (first, last), "exact", "part")
    if precision == "year":
        return QuantityCase(str(year), (dt.date(year, 1, 1), dt.date(year, 12, 31)), "exact",
                            "year")
    end_year = draw(st.integers(year + 1, 2099))
    shape = draw(st.sampled_from(["years", "month_part", "year_part", "months"]))
    if shape == "years":
        text = f"{year}{draw(st.sampled_from(['-', ' - ', EN_DASH]))}{end_year}"
        first, last = dt.date(year, 1, 1), dt.date(end_year, 12, 31)
    elif shape == "month_part":  # "April 2023 - Mid 2024"
        text = f"{_month_text(draw, month)} {year} - Mid {end_year}"
        first, last = dt.date(year, month, 1), dt.date(end_year, 8, 31)
    elif shape == "year_part":  # "2023 - Early 2025"
        text = f"{year} - Early {end_year}"
        first, last = dt.date(year, 1, 1), dt.date(end_year, 4, 30)
    else:  # "June - September 2023"
        later = draw(st.integers(month, 12))
        text = f"{_FULL_MONTHS[month]} - {_FULL_MONTHS[later]} {year}"
        first = dt.date(year, month, 1)
        last = dt.date(year, later, calendar.monthrange(year, later)[1])
    return QuantityCase(text, (first, last), "range", "range")


@st.composite
def date_models(draw: st.DrawFn) -> DateValue:
    """A DateValue of any precision, for format/parse round trips."""
    case = draw(date_cases())
    first, last = min(case.points), max(case.points)
    precision = "month" if case.unit == "as_of" else case.unit
    if precision in {"day", "month"}:
        point = case.points[0]
        first = point if precision == "day" else point.replace(day=1)
        last = point if precision == "day" else point.replace(
            day=calendar.monthrange(point.year, point.month)[1])
    if precision == "year":
        first, last = dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)
    return DateValue(text="", first=first, last=last, precision=cast(DatePrecision, precision),
                     as_of=case.unit == "as_of")


# -- percentages, ranks, counts, durations ----------------------------------------------------

@st.composite
def percent_cases(draw: st.DrawFn) -> QuantityCase:
    """A percentage: "50%", "50%+", "30-40%", "~35-40%", "88.5 percent"."""
    a = draw(_mantissas(0, 100))
    shape = draw(st.sampled_from(["exact", "plus", "range", "approx_range", "word", "approx"]))
    if shape in {"range", "approx_range"}:
        b = a + draw(_mantissas(1, 50))
        sep = draw(st.sampled_from(["-", EN_DASH, "% to ", "%-"]))
        text = f"{'~' if shape == 'approx_range' else ''}{_grouped(a)}{sep}{_grouped(b)}%"
        return QuantityCase(text, (a, b), "range" if shape == "range" else "approx")
    text = {
        "exact": f"{_grouped(a)}%", "plus": f"{_grouped(a)}%+", "word": f"{_grouped(a)} percent",
        "approx": f"~{_grouped(a)}%",
    }[shape]
    return QuantityCase(text, (a,), {"plus": "at_least", "approx": "approx"}.get(shape, "exact"))


def ordinal(n: int) -> str:
    """1 -> "1st", 12 -> "12th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@st.composite
def rank_cases(draw: st.DrawFn, prose: bool = False) -> QuantityCase:
    """A rank: "#1", "#2-3", "Tied #1-2", "5th", "Top 3", "No. 1" (prose: with rank context)."""
    low = draw(st.integers(1, 200))
    high = low + draw(st.sampled_from([0, 0, 1, 2]))
    shape = draw(st.sampled_from(["hash", "tied", "ordinal", "top", "number"]))
    if shape == "hash":
        text = f"#{low}" if low == high else f"#{low}-{high}"
        return QuantityCase(text, (low, high), "exact")
    if shape == "tied":
        return QuantityCase(f"Tied #{low}-{high}", (low, high), "tied")
    if shape == "ordinal":
        text = ordinal(low)
        return QuantityCase(f"ranks {text}" if prose else text, (low,), "exact")
    if shape == "top":
        text = draw(st.sampled_from([f"Top {high}", f"top-{high}", f"Top-{high}"]))
        return QuantityCase(text, (1, high), "top")
    return QuantityCase(f"No. {low}", (low,), "exact")


_NOUNS: tuple[tuple[str, str], ...] = (
    ("models", "model"), ("cities", "city"), ("repositories", "repository"),
    ("hospitals", "hospital"), ("doctors", "doctor"), ("people", "person"),
    ("employees", "employee"), ("countries", "country"), ("LLMs", "llm"),
    ("branches", "branch"), ("boxes", "box"), ("specialists", "specialist"),
)
_MODIFIERS = ("foundation", "county", "US", "enterprise", "renowned", "open-source", "pediatric")
_WORD_NUMBERS = (
    ("two", 2), ("three", 3), ("five", 5), ("eleven", 11), ("twelve", 12), ("twenty", 20),
    ("twenty-five", 25), ("forty", 40), ("Eleven", 11),
)


@st.composite
def count_cases(draw: st.DrawFn) -> QuantityCase:
    """A count of things: "11 foundation models", "12+ models", "eleven US cities"."""
    plural, singular = draw(st.sampled_from(_NOUNS))
    modifiers = draw(st.lists(st.sampled_from(_MODIFIERS), max_size=2))
    words = " ".join([*modifiers, plural])
    shape = draw(st.sampled_from(["exact", "plus", "range", "word"]))
    n = draw(st.integers(2, 99_999).filter(lambda v: not 1900 <= v <= 2099))
    if shape == "word":
        word, value = draw(st.sampled_from(_WORD_NUMBERS))
        return QuantityCase(f"{word} {words}", (value,), "exact", singular)
    if shape == "range":
        m = n + draw(st.integers(1, 500))
        return QuantityCase(f"{n:,}-{m:,} {words}", (n, m), "range", singular)
    plus = "+" if shape == "plus" else ""
    qualifier = "at_least" if plus else "exact"
    return QuantityCase(f"{n:,}{plus} {words}", (n,), qualifier, singular)


_DURATION_UNITS: tuple[tuple[str, Decimal], ...] = (
    ("year", Decimal(12)), ("month", Decimal(1)), ("quarter", Decimal(3)),
)


@st.composite
def duration_cases(draw: st.DrawFn) -> QuantityCase:
    """A duration: "16-year", "18 months", "48+ months", "2-3 years", "18-24 month"."""
    unit, months = draw(st.sampled_from(_DURATION_UNITS))
    n = draw(st.integers(1, 99))
    shape = draw(st.sampled_from(["plain", "hyphen", "plus", "range", "word"]))
    plural = unit if n == 1 else unit + "s"
    if shape == "hyphen":
        return QuantityCase(f"{n}-{unit}", (n * months,), "exact", unit)
    if shape == "plus":
        return QuantityCase(f"{n}+ {unit}s", (n * months,), "at_least", unit)
    if shape == "range":
        m = n + draw(st.integers(1, 12))
        return QuantityCase(f"{n}-{m} {draw(st.sampled_from([unit, unit + 's']))}",
                            (n * months, m * months), "range", unit)
    if shape == "word":
        word, value = draw(st.sampled_from(_WORD_NUMBERS))
        return QuantityCase(f"{word} {unit}s", (value * months,), "exact", unit)
    return QuantityCase(f"{n} {plural}", (n * months,), "exact", unit)


# -- embedding and noise ----------------------------------------------------------------------

_LEADS = ("", "The company reported ", "Sources put it at ", "- **Key**: ", "| Row | ", "(")
_TAILS = ("", " in the report.", ", according to filings", " | next |", ")", ".")


@st.composite
def embedded(draw: st.DrawFn, cases: st.SearchStrategy[QuantityCase]
             ) -> tuple[str, int, QuantityCase]:
    """A case's text inside neutral prose; returns the sentence and where the case starts."""
    case = draw(cases)
    lead = draw(st.sampled_from(_LEADS))
    tail = draw(st.sampled_from(_TAILS))
    return lead + case.text + tail, len(lead), case


def corpus_lines() -> st.SearchStrategy[str]:
    """Non-blank lines of the real dossiers."""
    return st.sampled_from(CORPUS_LINES)


_TOKENS = (
    "$", "¥", "€", "~", "+", "-", EN_DASH, "%", "#", "B", "M", "K", "T", "2024", "1999", "Q3", "H2",
    "(", ")", "as of ", "over ", "several ", " yuan", " params", " MoE", ",", ".", " ", "0", "9",
    "亿", "元", "Top ", "th", " years", "\n", "**", "Sept ", "mid-", " active)", "/M tokens",
    "(~$", "e", "Tied ", "hundreds of millions of ", "12+ ", " models",
)


@st.composite
def mutated_lines(draw: st.DrawFn) -> str:
    """A corpus line with random insertions, deletions, duplications and swaps."""
    line = draw(corpus_lines())
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "swap"]))
        at = draw(st.integers(0, len(line)))
        if op == "insert":
            token = draw(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=3)))
            line = line[:at] + token + line[at:]
        elif op == "delete":
            line = line[:at] + line[at + draw(st.integers(1, 8)):]
        elif op == "duplicate":
            piece = line[at: at + draw(st.integers(1, 20))]
            line = line[:at] + piece + piece + line[at + len(piece):]
        elif at + 1 < len(line):
            line = line[:at] + line[at + 1] + line[at] + line[at + 2:]
    return line


def noisy_text() -> st.SearchStrategy[str]:
    """Any text: arbitrary unicode, mutated corpus lines, and runs of value-like tokens."""
    return st.one_of(
        st.text(),
        mutated_lines(),
        st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join),
    )


# -- whole dossiers ---------------------------------------------------------------------------
#
# A generated dossier is a title, an intro and independent sections, kept as templates in which
# COMPANY stands for the company's name, so the same dossier can be rendered under another name or
# with its sections in another order (the metamorphic tests). `plants` are the contradictions the
# strategy put in on purpose; each must be found.
#
# What matters to the rules (which sections, which models, open or closed, the amounts, what is
# planted) is drawn by hypothesis, so it shrinks; the layout (heading and table styles, column
# names and order, bullet markers, date forms, sentence choices) comes from a seeded
# random.Random drawn once. That keeps an example to a few dozen draws: generation costs about as
# much as one lint run, which the long profile's 100,000 examples need.

COMPANY = "\ue000"  # a private-use character: never in generated text, replaced by the name
_NAME_HEADS = ("Quill", "Verd", "Halv", "Corr", "Tess", "Brin", "Oru", "Lum", "Sev", "Kest",
               "Mir", "Dun", "Ash", "Pell", "Tor", "Wyn")
_NAME_TAILS = ("ara", "ance", "ard", "allis", "era", "wick", "ora", "ion", "eth", "osk", "ent")
_NAME_SUFFIXES = ("Labs", "AI", "Robotics", "Energy", "Therapeutics", "Systems", "Technologies",
                  "")
_ALIASES = ("阶跃星辰", "光源精機", "深度求索", "QFL", "VRD", "月之暗面", "HLX")
_MODEL_BASES = ("Plume", "Spire", "Barb", "Nimbus", "Tern", "Argo", "Fathom", "Kite", "Ember",
                "Sable", "Onyx", "Wren", "Heron", "Cobalt")
_CITIES = ("Lyon", "Oslo", "Nagoya", "Austin", "Shanghai", "Berlin", "Toronto", "Leeds")

_MODEL_COLUMNS = {
    "model": ("Model", "Model name", "Models"),
    "released": ("Released", "Release date", "Launch"),
    "size": ("Parameters", "Params", "Size"),
    "weights": ("Open weights", "Open Source", "Weights", "Open-source"),
}
_WEIGHT_CELLS = {
    "open": ("✅", "Yes", "Open", "✅ Yes", "Apache 2.0"),
    "closed": ("❌", "No", "Closed", "Proprietary", "API-only"),
    "partial": ("Partial", "Research only"),
}
_OPEN_STATEMENTS = (
    "{m} is open-source under Apache 2.0.",
    "{m} was released on Hugging Face alongside its paper.",
    "{m} is open-source and is the usual baseline in papers.",
)
_CLOSED_STATEMENTS = (
    "{m} is proprietary and served only through the " + COMPANY + " API.",
    "{m} is API-only.",
    "{m} is closed-source; only an API is offered.",
)
_FUNDING_COLUMNS = {
    "round": ("Round", "Funding round", "Stage"),
    "date": ("Date", "Closed", "Announced"),
    "amount": ("Raised", "Amount", "Amount raised"),
    "valuation": ("Post-money valuation", "Valuation", "Post-money"),
    "lead": ("Lead investor", "Investors", "Lead"),
}
_ROUNDS = ("Seed", "Series A", "Series B", "Series C", "Series D")
_INVESTORS = ("Rhône Capital", "Calanque Partners", "Lumen Growth", "Alder Ventures",
              "Halyard Ventures", "Torrey Bio Fund")
_CURRENCIES = ("$", "€", "£", "US$")
_SECTION_KINDS = ("models", "funding", "links", "facts", "prose")
_PLANTABLE = ("FC101", "FC202", "FC701")


@dataclass(frozen=True)
class Plant:
    """A contradiction put in on purpose: `rule` must report a finding whose message contains
    `marker` (a model name, a round, a link target)."""

    rule: str
    marker: str


@dataclass(frozen=True)
class Dossier:
    """A generated dossier: templates (COMPANY stands for the name) and what was planted."""

    company: str
    alias: str | None
    head: str
    sections: tuple[str, ...]
    plants: tuple[Plant, ...]
    newline: str = "\n"

    def render(self, company: str | None = None, order: Sequence[int] | None = None) -> str:
        """The Markdown text, under `company` (default: its own) and in section `order`."""
        picked = [self.sections[i] for i in (order if order is not None
                                             else range(len(self.sections)))]
        text = "\n".join([self.head, *picked])
        text = text.replace(COMPANY, company if company is not None else self.company)
        return text.replace("\n", self.newline) if self.newline != "\n" else text

    @property
    def text(self) -> str:
        """The Markdown text as generated."""
        return self.render()


def company_names() -> st.SearchStrategy[str]:
    """Invented company names: "Quillara Labs", "Sevion"."""
    return st.builds(
        lambda head, tail, suffix: f"{head}{tail} {suffix}".strip(),
        st.sampled_from(_NAME_HEADS), st.sampled_from(_NAME_TAILS), st.sampled_from(_NAME_SUFFIXES),
    )


def _money(symbol: str, millions: int) -> str:
    if millions >= 1000 and millions % 100 == 0:
        return f"{symbol}{millions / 1000:g}B"
    return f"{symbol}{millions}M"


def _table(rng: random.Random, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GFM table, with or without outer pipes, padded or not."""
    outer, pad = rng.random() < 0.5, rng.random() < 0.5
    rule = rng.choice(["---", ":---", "---:", ":-:"])

    def line(cells: Sequence[str]) -> str:
        inner = (" | " if pad else "|").join(cells)
        if outer:
            return f"| {inner} |" if pad else f"|{inner}|"
        return inner

    return "\n".join([line(header), line([rule] * len(header)), *(line(r) for r in rows)])


def _heading(rng: random.Random, *titles: str) -> str:
    title = rng.choice(titles)
    if rng.random() < 0.25:  # setext
        return f"{title}\n{'-' * max(3, len(title))}"
    return f"{rng.choice(['##', '###'])} {title}"


def _bullets(rng: random.Random, items: Sequence[str]) -> str:
    marker = rng.choice(["-", "*", "+"])
    return "\n".join(f"{marker} {item}" for item in items)


def _date(rng: random.Random, year: int) -> str:
    month = rng.randint(1, 12)
    return rng.choice([f"{_MONTH_ABBR[month]} {year}", f"{_FULL_MONTHS[month]} {year}",
                       f"Q{(month + 2) // 3} {year}", str(year)])


_WEIGHTS = st.lists(st.sampled_from(["open", "closed", "partial"]), min_size=1, max_size=4)


def _model_section(draw: st.DrawFn, rng: random.Random, plant: bool
                   ) -> tuple[list[str], list[Plant]]:
    """A model table with an open-weights column, and notes that agree with it (or, planted,
    call the first model open when the table says closed, or closed when it says open: FC101)."""
    weights = draw(_WEIGHTS)
    if plant and weights[0] == "partial":
        weights[0] = "closed"
    names = rng.sample(_MODEL_BASES, len(weights))
    models = [(f"{name}-{rng.randint(1, 9)}", weight)
              for name, weight in zip(names, weights, strict=True)]
    keys = ["model", "released", "size", "weights"]
    rng.shuffle(keys)
    header = [rng.choice(_MODEL_COLUMNS[k]) for k in keys]
    rows = []
    for model, weight in models:
        cells = {
            "model": model,
            "released": _date(rng, rng.randint(2019, 2025)),
            "size": f"{rng.randint(1, 400)}{rng.choice(['B', 'M'])}",
            "weights": rng.choice(_WEIGHT_CELLS[weight]),
        }
        rows.append([cells[k] for k in keys])
    blocks = [_heading(rng, "Models", "Model lineup", "Products"), _table(rng, header, rows)]
    notes: list[str] = []
    plants: list[Plant] = []
    for index, (model, weight) in enumerate(models):
        if plant and index == 0:
            opposite = _OPEN_STATEMENTS if weight == "closed" else _CLOSED_STATEMENTS
            notes.append(rng.choice(opposite).format(m=model))
            plants.append(Plant("FC101", f"{model}:"))
        elif weight != "partial" and rng.random() < 0.5:
            agree = _OPEN_STATEMENTS if weight == "open" else _CLOSED_STATEMENTS
            notes.append(rng.choice(agree).format(m=model))
    rng.shuffle(notes)
    if notes:
        blocks.append(_bullets(rng, notes) if rng.random() < 0.5 else " ".join(notes))
    return blocks, plants


_ROUND_COUNTS = st.integers(1, 4)
_FIRST_AMOUNTS = st.integers(2, 40)
_GROWTH = st.integers(2, 4)
_MULTIPLES = st.integers(4, 12)


def _funding_section(draw: st.DrawFn, rng: random.Random, plant: bool
                     ) -> tuple[list[str], list[Plant]]:
    """A funding table whose rounds raise a fraction of their valuation (or, planted, one round
    more than its post-money valuation: FC202), and prose that restates a round."""
    count = draw(_ROUND_COUNTS)
    bad = draw(st.integers(0, count - 1)) if plant else -1
    amount = draw(_FIRST_AMOUNTS)
    symbol = rng.choice(_CURRENCIES)
    keys = ["date", "amount", "valuation", "lead"]
    rng.shuffle(keys)
    keys.insert(0, "round")
    header = [rng.choice(_FUNDING_COLUMNS[k]) for k in keys]
    year = rng.randint(2012, 2020)
    rows = []
    facts = []
    plants: list[Plant] = []
    for i, name in enumerate(_ROUNDS[:count]):
        if i == bad:
            valuation = max(1, amount * rng.randint(3, 9) // 10)
            plants.append(Plant("FC202", f"{name} raised"))
        else:
            valuation = amount * draw(_MULTIPLES)
        date = _date(rng, year)
        cells = {"round": name, "date": date, "amount": _money(symbol, amount),
                 "valuation": _money(symbol, valuation), "lead": rng.choice(_INVESTORS)}
        rows.append([cells[k] for k in keys])
        facts.append((name, date, cells["amount"]))
        year += rng.randint(1, 2)
        amount *= draw(_GROWTH)
    blocks = [_heading(rng, "Funding", "Funding history", "Financing"),
              _table(rng, header, rows)]
    if rng.random() < 0.5:
        name, date, money = rng.choice(facts)
        blocks.append(rng.choice([
            f"The {name} of {money} closed in {date}.",
            f"{COMPANY} raised {money} in its {name}, which closed in {date}.",
        ]))
    return blocks, plants


def _facts_section(draw: st.DrawFn, rng: random.Random, plant: bool
                   ) -> tuple[list[str], list[Plant]]:
    """A bullet list of key facts."""
    items = [
        f"**Headquarters:** {rng.choice(_CITIES)}",
        f"**Founded:** {rng.randint(1995, 2022)}",
        f"**Employees:** about {rng.randint(12, 4000)}",
        f"**Focus:** {rng.choice(['enzyme design', 'grid storage', 'robot arms'])}",
    ]
    chosen = rng.sample(items, rng.randint(1, len(items)))
    return [_heading(rng, "Snapshot", "Key facts", "At a glance"), _bullets(rng, chosen)], []


def _prose_section(draw: st.DrawFn, rng: random.Random, plant: bool
                   ) -> tuple[list[str], list[Plant]]:
    """Prose with money, dates and percentages."""
    symbol = rng.choice(_CURRENCIES)
    year = rng.randint(2015, 2025)
    sentences = [
        f"In {_date(rng, year)}, {COMPANY} reported revenue of "
        f"{_money(symbol, rng.randint(1, 900))}, up {rng.randint(1, 300)}% on the year before.",
        f"About {rng.randint(1, 99)}% of its staff work in research.",
        f"Its largest customer accounts for {rng.randint(1, 60)}% of sales.",
        f"Gross margin was {rng.randint(5, 80)}.{rng.randint(0, 9)}% in {year}.",
        f"The company was founded in {year - rng.randint(1, 10)} in {rng.choice(_CITIES)}.",
    ]
    chosen = rng.sample(sentences, rng.randint(1, 4))
    return [_heading(rng, "Business", "Overview", "Operations", "Financials"),
            " ".join(chosen)], []


def _links_section(draw: st.DrawFn, rng: random.Random, plant: bool
                   ) -> tuple[list[str], list[Plant]]:
    """Links: external, anchors, mail; planted, a relative link to a missing file (FC701)."""
    parts = [
        f"See the [product page](https://example.com/{rng.choice(['a', 'b/c'])}) and the "
        "[overview](#overview).",
        "Write to [the team](mailto:team@example.com) for the data room.",
    ]
    plants: list[Plant] = []
    if plant:
        target = f"missing-{rng.choice(['annex', 'financials', 'pilots'])}-{rng.randint(1, 99)}.md"
        parts.append(f"The [annex]({target}) was renamed when the data room moved.")
        plants.append(Plant("FC701", f"`{target}`"))
    rng.shuffle(parts)
    body = _bullets(rng, parts) if rng.random() < 0.5 else " ".join(parts)
    return [_heading(rng, "Sources", "Further reading", "Links"), body], plants


_MAKERS = {"models": _model_section, "funding": _funding_section, "links": _links_section,
           "facts": _facts_section, "prose": _prose_section}
_PLANTED_IN = {"FC101": "models", "FC202": "funding", "FC701": "links"}
_ALIAS = st.one_of(st.none(), st.sampled_from(_ALIASES))
# Which sections and which plants: one flag each (unique lists would retry draws, and a retry
# that fails makes the whole example invalid).
_KINDS = st.tuples(*[st.booleans()] * len(_SECTION_KINDS))
_PLANTS = st.tuples(*[st.booleans()] * len(_PLANTABLE))
_SEEDS = st.integers(0, 2**32 - 1)


@st.composite
def dossiers(draw: st.DrawFn, plant: bool | None = None) -> Dossier:
    """A small whole dossier in a varied layout; with `plant` (default: drawn), one to three
    contradictions put in on purpose, listed in `Dossier.plants`."""
    company = draw(company_names())
    alias = draw(_ALIAS)
    planted: set[str] = set()
    if draw(st.booleans()) if plant is None else plant:
        flags = draw(_PLANTS)
        planted = {code for code, on in zip(_PLANTABLE, flags, strict=True) if on} or {"FC101"}
    kinds = [kind for kind, on in zip(_SECTION_KINDS, draw(_KINDS), strict=True)
             if on or kind in {_PLANTED_IN[code] for code in planted}] or ["prose"]
    rng = random.Random(draw(_SEEDS))
    rng.shuffle(kinds)
    named = f"{COMPANY} ({alias})" if alias else COMPANY
    title = rng.choice([f"# {named} - Deep Dive", f"# {named}: company profile",
                        f"# Company profile: {named}", f"{named}\n==="])
    intro = rng.choice([
        f"{COMPANY} builds software for {rng.choice(_CITIES)} hospitals.",
        f"*Private company profile of {COMPANY}.*",
        f"{COMPANY} is a {rng.choice(_CITIES)}-based maker of robot arms.",
    ])
    gap = rng.choice(["\n", "\n\n"])
    sections: list[str] = []
    plants: list[Plant] = []
    for kind in kinds:
        wanted = any(_PLANTED_IN[code] == kind for code in planted)
        blocks, found = _MAKERS[kind](draw, rng, wanted)
        sections.append("\n" + "\n\n".join(blocks) + gap)
        plants.extend(found)
    newline = rng.choice(["\n", "\n", "\n", "\r\n"])
    return Dossier(company, alias, f"{title}\n\n{intro}\n", tuple(sections), tuple(plants),
                   newline)


def damaged(text: str, codec: str) -> str:
    """`text` as it reads after its UTF-8 bytes were decoded with `codec` (mac_roman, cp1252
    passing its undefined bytes through as C1 controls, latin-1): mojibake to be repaired."""
    data = text.encode("utf-8")
    if codec == "cp1252":
        return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else
                       bytes([b]).decode("cp1252") for b in data)
    return data.decode(codec)
