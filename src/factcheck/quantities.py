"""Money, model sizes, dates, percentages, ranks, counts and durations as typed intervals."""

# Interpretation choices, shared by every parser below:
# - "~", "about", "approximately", ... widen a value (or both ends of a range) by 10%:
#   "~$12 million" is [10.8M, 13.2M]. Dossiers round freely; 10% keeps "~$12M" consistent with
#   "$11.5M" but not with "$15M".
# - "+", "over", "more than", ... are open above ([v, None]); "under", "less than", "up to" are
#   [0, v]; "just under", "nearly", "almost" are [0.9v, v]; "just over" is [v, 1.1v].
# - vague money words: "several X" is [2X, 9X] ("several hundred million dollars" is
#   [200M, 900M]), "a few X" is [2X, 5X], "a couple of X" is [2X, 3X]; "hundreds of millions"
#   is [100M, 999M], "tens of millions" [10M, 99M], "millions of" [1M, 999M].
# - "¥" alone means CNY: in these dossiers it always precedes yuan amounts. Yen needs "JPY",
#   "JP¥", "円" or the word "yen".
# - An amount in parentheses right after an amount in another currency is its stated conversion
#   (`converted`), never reported as a separate amount; conversions are never invented.
# - "trillion-parameter" is the vague size [1T, 999T]; "N active" parameters imply MoE.
# - Date parts of a year: early = Jan-Apr, mid = May-Aug, late = Sep-Dec.

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Context, Decimal
from typing import Annotated, Any, ClassVar, Literal, TypeVar, overload

from factcheck.records import Record, record


class _DecimalText:
    """JSON Schema of a decimal: a string. Fixed here so that the schema does not change with
    the pydantic version that generates it (pydantic calls this hook; no import needed)."""

    @staticmethod
    def __get_pydantic_json_schema__(core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?(E[+-]?[0-9]+)?$",
                "description": "A decimal number, written as a string."}


# Decimals travel as strings in JSON.
Number = Annotated[Decimal, _DecimalText()]

Qualifier = Literal["exact", "approx", "at_least", "at_most", "range", "vague"]

# Pairs of (low, high) fields that must never be inverted; `None` as high means unbounded.
_ORDERED_FIELDS = (
    ("low", "high"),
    ("active_low", "active_high"),
    ("first", "last"),
    ("low_months", "high_months"),
)


@record
class Quantity(Record):
    """A value found in text: `text` is the matched source, `start`/`end` its offsets in it."""

    text: str
    start: int = 0
    end: int = 0

    # The pairs of `_ORDERED_FIELDS` that this class has, worked out once per subclass.
    _ordered_pairs: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init_subclass__(cls) -> None:
        # (No `super()` call: the zero-argument form fails in a slotted dataclass, whose class
        # is a copy; neither `Record` nor `object` has anything to do here.)
        names = set(cls.__annotations__) | {
            name for base in cls.__mro__[1:] for name in getattr(base, "__annotations__", {})}
        cls._ordered_pairs = tuple(
            (low, high) for low, high in _ORDERED_FIELDS if low in names and high in names
        )

    def __post_init__(self) -> None:
        # Comparison rules rely on low <= high; an inverted interval is a parser bug, not data.
        for low_name, high_name in self._ordered_pairs:
            low, high = getattr(self, low_name), getattr(self, high_name)
            if low is not None and high is not None and low > high:
                raise ValueError(f"{low_name} {low} is above {high_name} {high}")


@record
class Money(Quantity):
    """An amount of money as a closed interval [low, high]; high None means unbounded above."""

    kind: Literal["money"] = "money"
    currency: str  # ISO 4217: "USD", "CNY", "EUR", "GBP", "JPY"
    low: Number
    high: Number | None
    qualifier: Qualifier = "exact"
    converted: Money | None = None  # an explicit conversion given in the text, never invented
    per: str | None = None  # a rate: "month" for "$15M a month", "M tokens" for "$0.14/M tokens"


@record
class Size(Quantity):
    """A model size in parameters as an interval; `active_*` is the active interval of MoE."""

    kind: Literal["size"] = "size"
    low: Number
    high: Number | None
    qualifier: Qualifier = "exact"
    active_low: Number | None = None
    active_high: Number | None = None
    architecture: Literal["dense", "moe"] | None = None


DatePrecision = Literal["day", "month", "quarter", "half", "part", "year", "range"]


@record
class DateValue(Quantity):
    """A date as the interval of days it may denote, with its precision."""

    kind: Literal["date"] = "date"
    first: dt.date
    last: dt.date
    precision: DatePrecision
    as_of: bool = False  # "as of April 2025": a state at that time ("by 2026" is a deadline)


@record
class Percent(Quantity):
    """A percentage interval in percent units: "30-40%" is [30, 40]."""

    kind: Literal["percent"] = "percent"
    low: Number
    high: Number | None
    qualifier: Qualifier = "exact"


@record
class Rank(Quantity):
    """A rank position interval: "#2-3" is [2, 3]; "top" is [1, 1] with `top` set."""

    kind: Literal["rank"] = "rank"
    low: int
    high: int
    tied: bool = False
    top: bool = False


@record
class Count(Quantity):
    """A count of things: "11 models", "eleven US cities", "12+ models"."""

    kind: Literal["count"] = "count"
    low: int
    high: int | None
    qualifier: Qualifier = "exact"
    noun: str = ""


@record
class Duration(Quantity):
    """A duration in months as an interval: "16-year" is [192, 192]."""

    kind: Literal["duration"] = "duration"
    low_months: Number
    high_months: Number | None
    qualifier: Qualifier = "exact"
    unit: Literal["day", "week", "month", "quarter", "year"]


__all__ = [
    "Count",
    "DatePrecision",
    "DateValue",
    "Duration",
    "Money",
    "Percent",
    "Qualifier",
    "Quantity",
    "Rank",
    "Size",
    "find_counts",
    "find_dates",
    "find_durations",
    "find_money",
    "find_percents",
    "find_ranks",
    "find_sizes",
    "format_date",
    "format_money",
    "format_size",
    "overlaps",
    "parse_date",
    "parse_money",
    "parse_rank",
    "parse_size",
]

# -- shared pieces ----------------------------------------------------------------------------


def _lazy(source: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A pattern compiled on first use, so that importing this module compiles nothing big."""
    return functools.cache(lambda: re.compile(source, flags))


def _hint(*words: str) -> Callable[[], re.Pattern[str]]:
    """A prefilter for casefolded text: one alternation that finds whether any word occurs."""
    return _lazy("|".join(re.escape(word) for word in words))


# The scanners are pure and their results immutable (frozen models of immutable values), and a
# dossier repeats itself: a date label is read once per table row, the same sentence is read by
# several claim kinds, a companion restates the main file. Recent answers are kept until
# `forget()`, which the engine calls before each dossier set: what one set repeats pays, and
# no set is faster for text another set happened to contain.
_MEMO_SIZE = 4096
_T = TypeVar("_T")
_MEMOISED: list[functools._lru_cache_wrapper[Any]] = []


def _memo(fn: Callable[..., _T]) -> functools._lru_cache_wrapper[_T]:
    cached = functools.lru_cache(maxsize=_MEMO_SIZE)(fn)
    _MEMOISED.append(cached)
    return cached


def forget() -> None:
    """Drop the scanners' memoised answers."""
    for cached in _MEMOISED:
        cached.cache_clear()


# Arithmetic in a private context: the caller's decimal context must not change results, and
# amounts (at most 15 digits times 1e12) stay far below this precision, so every step is exact.
_CTX = Context(prec=60)
_APPROX_LOW = Decimal("0.9")
_APPROX_HIGH = Decimal("1.1")
_ZERO = Decimal(0)

# A number: bounded digit runs keep matching linear and values inside the decimal precision.
# `(?!\.?\d)` refuses to stop inside a longer number ("1.2345678" is not "$1"). The leading
# `\d` stands alone so that the engine rejects a non-digit before trying the rest.
_NUM = r"\d(?:\d{0,2}(?:,\d{3}){1,4}|\d{0,14})(?:\.\d{1,6})?(?!\.?\d)"
_INT = r"\d(?:\d{0,2}(?:,\d{3}){1,4}|\d{0,8})(?![.,]?\d)"

_QUAL_WORDS = (
    r"(?:approximately|approx\.?|about|around|roughly|circa|nearly|almost|close\s+to"
    r"|just\s+under|just\s+below|just\s+over|just\s+above|more\s+than|at\s+least|upwards\s+of"
    r"|in\s+excess\s+of|exceeding|north\s+of|over|above|less\s+than|fewer\s+than|at\s+most"
    r"|up\s+to|no\s+more\s+than|under|below|within)"
)
# A qualifier is read backwards from where a value starts, in a short window, so the scanners
# do not try ~30 words at every position of every paragraph. "~ $5M" may be spaced; "<"/">"
# only when attached: "target > $200M" compares, it does not qualify.
_QUAL_BEFORE = _lazy(
    rf"(?<!\w)(?:(?P<qw>{_QUAL_WORDS})\s+|(?P<qs>~|≈|\u223c)\s?|(?P<qs2><=|>=|<|>|≤|≥))$",
    re.IGNORECASE,
)
_QUAL_WINDOW = 24

_QUAL_KIND: dict[str, str] = {
    "approximately": "approx", "approx": "approx", "approx.": "approx", "about": "approx",
    "around": "approx", "roughly": "approx", "circa": "approx", "close to": "approx",
    "~": "approx", "≈": "approx", "\u223c": "approx",
    "nearly": "just_under", "almost": "just_under", "just under": "just_under",
    "just below": "just_under",
    "just over": "just_over", "just above": "just_over",
    "more than": "at_least", "at least": "at_least", "upwards of": "at_least",
    "in excess of": "at_least", "exceeding": "at_least", "north of": "at_least",
    "over": "at_least", "above": "at_least", ">": "at_least", ">=": "at_least", "≥": "at_least",
    "less than": "at_most", "fewer than": "at_most", "at most": "at_most", "up to": "at_most",
    "no more than": "at_most", "under": "at_most", "below": "at_most", "within": "at_most",
    "<": "at_most", "<=": "at_most", "≤": "at_most",
}

_NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12,
}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
# The ASCII letters that re.IGNORECASE also matches to a third character: "i" to "\u0130" and
# "\u0131", "k" to "\u212a", "s" to "\u017f".
_CASE_FOLDED = frozenset("iksIKS")


def _by_initial(words: Iterable[str], suffixed: Iterable[str] = (), suffix: str = "") -> str:
    """An alternation of case-insensitive words, grouped under their first letters.

    The engine tries case-insensitive alternatives one by one, but skips one whose first item is
    a case-sensitive class that the next character misses; so each first letter is spelled as the
    class of its two cases (a letter of `_CASE_FOLDED` stays case-insensitive: a class of a third,
    non-Latin-1 character is slow to compile). Only words of one letter can match at a position,
    and their order is kept, so the alternation matches exactly as the flat
    `(?:suffixed)suffix|words` would (or, where the words of a letter exclude one another, as any
    order of them would).
    """
    groups: dict[str, list[str]] = {}
    for word in suffixed:
        groups.setdefault(word[0], []).append(word[1:])
    for letter, rests in groups.items():
        groups[letter] = [f"(?:{'|'.join(rests)}){suffix}"]
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    return "(?:" + "|".join(
        (c if c in _CASE_FOLDED else f"(?-i:[{c.upper()}{c.lower()}])") + f"(?:{'|'.join(rests)})"
        for c, rests in groups.items()
    ) + ")"


_NUMBER_WORD = (
    rf"(?:(?:{_TENS})(?:-(?:{_UNITS}))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    rf"|seventeen|eighteen|nineteen|ten|hundred|dozen|{_UNITS})"
)
# The same, quicker to reject but slower to compile: for where a scan tries it at every word.
_NUMBER_WORD_BY_INITIAL = _by_initial(
    ("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
     "nineteen", "ten", "hundred", "dozen", *_UNITS.split("|")),
    _TENS.split("|"), rf"(?:-(?:{_UNITS}))?",
)
# Every number word above contains one of these; a false hit ("often") only costs a scan.
_NUMBER_WORD_HINT = _hint(
    "one", "two", "thre", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirt", "fift", "twent", "fort", "hundred", "dozen",
)
_ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}
_ORDINAL_WORD = "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))

_SEP = r"(?:\s?[-\u2013\u2014]\s?|\s+to\s+)"
_SPACES = re.compile(r"\s+")


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _clean(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (JSON shows str(Decimal))."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=_CTX)
    return value.normalize(_CTX)


def _mul(a: Decimal, b: Decimal) -> Decimal:
    return _CTX.multiply(a, b)


def _word_number(word: str) -> int | None:
    word = word.casefold()
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    tens, _, unit = word.partition("-")
    if tens in _NUMBER_WORDS and unit in _NUMBER_WORDS:
        return _NUMBER_WORDS[tens] + _NUMBER_WORDS[unit]
    return None


_QUAL_SIGNS = frozenset("~≈\u223c<>=≤≥")
# How the last word of each qualifier (or a sign before a line break) ends, in ASCII.
_QUAL_ENDS = (
    "approximately", "approx", "approx.", "about", "around", "roughly", "circa", "nearly", "almost",
    "to", "under", "below", "over", "above", "than", "least", "of", "exceeding", "most", "within",
    "~", "<", ">", "=",
)


def _qualifier_before(text: str, start: int) -> tuple[int, str | None]:
    """Where a qualifier right before `start` begins, and its kind (or `start`, None)."""
    # Every qualifier ends in a sign, or in a space after a sign or a qualifier word, right
    # before the value; most values have neither, and then the search below is not needed.
    if start == 0:
        return start, None
    window = max(0, start - _QUAL_WINDOW)
    before = text[start - 1]
    if before not in _QUAL_SIGNS:
        if not before.isspace():
            return start, None
        words = text[window:start].rsplit(None, 1)
        if not words:
            return start, None
        # Outside ASCII, case-insensitive matching is not `lower()` ("İ" matches "i").
        last = words[-1]
        if last.isascii() and not last.lower().endswith(_QUAL_ENDS):
            return start, None
    m = _QUAL_BEFORE().search(text, window, start)
    if m is None:
        return start, None
    word = m.group("qw") or m.group("qs") or m.group("qs2")
    return m.start(), _QUAL_KIND.get(_SPACES.sub(" ", word.casefold()))


def _apply(low: Decimal, high: Decimal, is_range: bool, qual: str | None, plus: bool
           ) -> tuple[Decimal, Decimal | None, Qualifier]:
    """Turn a stated value or range and its qualifier into a closed interval."""
    out_high: Decimal | None = high
    qualifier: Qualifier = "range" if is_range else "exact"
    if qual == "approx":
        low, out_high, qualifier = _mul(low, _APPROX_LOW), _mul(high, _APPROX_HIGH), "approx"
    elif qual == "just_under":
        low, qualifier = _mul(low, _APPROX_LOW), "at_most"
    elif qual == "just_over":
        out_high, qualifier = _mul(high, _APPROX_HIGH), "at_least"
    elif qual == "at_most":
        low, qualifier = _ZERO, "at_most"
    elif qual == "at_least":
        out_high, qualifier = None, "at_least"
    if plus:
        out_high, qualifier = None, "at_least"
    return _clean(low), None if out_high is None else _clean(out_high), qualifier


def _without_overlaps(items: Iterable[tuple[int, int, Any]]) -> list[Any]:
    """Keep the leftmost, then longest, of overlapping finds, in text order."""
    kept: list[Any] = []
    last_end = -1
    for start, end, item in sorted(items, key=lambda t: (t[0], -t[1])):
        if start >= last_end:
            kept.append(item)
            last_end = end
    return kept


def _strip_markup(text: str) -> tuple[int, int]:
    """Offsets of a cell's content without surrounding whitespace and emphasis markers."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or text[start] in "*_`"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "*_`"):
        end -= 1
    return start, end


_PARENTHETICAL = re.compile(r"\([^()]{0,200}\)")
_NOISE = r"\s*_`.,;:!?()\[\]\"'\u201c\u201d\u2018\u2019\u2014\u2013\-"


def _only_noise(text: str, noise: str = "") -> bool:
    """True when what is left of a cell beside its value carries no other value."""
    rest = _PARENTHETICAL.sub(" ", text)
    return not re.sub(rf"[{_NOISE}{noise}]+", "", rest)


# -- money ------------------------------------------------------------------------------------

_CUR_PREFIX = (
    r"(?:US\$|HK\$|JP¥|[$€£¥￥]|(?:USD|CNY|RMB|EUR|GBP|HKD|JPY)(?=\s?\d))"
)
# The same, quicker to reject but slower to compile: for where a scan tries it at every word.
_CUR_PREFIX_BY_INITIAL = "(?:[$€£¥￥]|" + _by_initial(
    (r"US\$", r"HK\$", "JP¥"), ("USD", "CNY", "RMB", "EUR", "GBP", "HKD", "JPY"), r"(?=\s?\d)",
)[3:]
_CUR_SUFFIX = (
    r"(?:(?:US|U\.S\.)\s+dollars?|(?:HK|Hong\s+Kong)\s+dollars?|dollars?|USD|(?:Chinese\s+)?yuan"
    r"|RMB|CNY|renminbi|人民币|元|euros?|EUR|pounds\s+sterling|GBP|HKD|(?:Japanese\s+)?yen|JPY|円)"
    r"(?![a-z])"
)
# Letter scales must touch the number ("$2B"), words may follow a space ("$2 billion").
_SCALE = (
    r"(?:\s?(?:thousand|million|billion|trillion|mn|bn|tn)(?![a-z0-9])"
    r"|(?:[kmbt]|万亿|亿|万)(?![a-z0-9]))"
)
_PER_UNIT = (
    r"(?:(?:1\s?)?(?:m|million)\s+tokens?\b|(?:1\s?)?(?:k|thousand)\s+tokens?\b|tokens?\b"
    r"|months?\b|mo\b|years?\b|yr\b|annum\b|quarters?\b|weeks?\b|days?\b|hours?\b|hr\b"
    r"|users?\b|seats?\b|devices?\b|queries\b|query\b|requests?\b|gpu[- ]hours?\b|m(?!\w)|k(?!\w))"
)
_PER = (
    rf"(?:\s?/\s?(?P<pu1>{_PER_UNIT})"
    rf"|\s+(?:per|a|an|each)\s+(?P<pu2>{_PER_UNIT})"
    r"(?!\s+(?:later|after|ago|earlier|before|prior|on|from|into|since|of)\b)"
    r"|\s+(?P<pu3>monthly|annually|yearly|weekly|daily|quarterly)\b)"
)
_MONEY = _lazy(
    rf"(?<![\w.,])"
    rf"(?:(?P<cur1>{_CUR_PREFIX_BY_INITIAL})\s?)?"
    rf"(?P<n1>{_NUM})"
    # After a scaled amount, a second amount needs a scale or a repeated currency: in
    # "$2B - 2024" the dash does not start a range.
    rf"(?:(?P<s1>{_SCALE})(?:{_SEP}(?:(?P<cur2>{_CUR_PREFIX})\s?(?P<n2>{_NUM})(?P<s2>{_SCALE})?"
    rf"|(?P<n2c>{_NUM})(?P<s2c>{_SCALE})))?"
    rf"|{_SEP}(?:(?P<cur2b>{_CUR_PREFIX})\s?)?(?P<n2b>{_NUM})(?P<s2b>{_SCALE})?)?"
    rf"(?P<plus>\+)?"
    rf"(?:\s{{0,3}}(?P<cur3>{_CUR_SUFFIX}))?"
    rf"(?P<per>{_PER})?",
    re.IGNORECASE,
)
_VAGUE_CURRENCY = (
    r"(?:(?:US|U\.S\.)\s+)?(?P<vc>dollars|yuan|RMB|renminbi|USD|CNY|euros|EUR|pounds\s+sterling"
    r"|yen)(?![a-z])"
)
_VAGUE_MONEY = _lazy(
    rf"(?<![\w$])(?:"
    rf"(?P<few>several|a\s+few|a\s+couple\s+of)\s+(?:(?P<mul>hundred|tens\s+of)\s+)?"
    rf"(?P<unit>thousand|million|billion|trillion)\s+(?:of\s+)?{_VAGUE_CURRENCY}"
    rf"|(?P<few2>several|a\s+few)\s+(?P<vcur>{_CUR_PREFIX})\s?(?P<vn>{_NUM})(?P<vs>{_SCALE})"
    rf"|(?P<many>hundreds|tens|dozens)\s+of\s+(?P<units>thousands|millions|billions)\s+of\s+"
    rf"{_VAGUE_CURRENCY.replace('vc', 'vc2')}"
    rf"|(?P<units2>millions|billions)\s+of\s+{_VAGUE_CURRENCY.replace('vc', 'vc3')}"
    rf")",
    re.IGNORECASE,
)
_CONVERSION_OPEN = _lazy(
    r"\s?\(\s?(?:(?:or|i\.e\.,?|equivalent\s+to|equal\s+to)\s+)?"
    rf"(?:(?:~|≈|\u223c)\s?|<|>|{_QUAL_WORDS}\s+)?",
    re.IGNORECASE,
)
_CONVERSION_CLOSE = re.compile(r"\s?([),;])")

_SCALES: dict[str, Decimal] = {
    "k": Decimal(10) ** 3, "thousand": Decimal(10) ** 3,
    "m": Decimal(10) ** 6, "million": Decimal(10) ** 6, "mn": Decimal(10) ** 6,
    "b": Decimal(10) ** 9, "billion": Decimal(10) ** 9, "bn": Decimal(10) ** 9,
    "t": Decimal(10) ** 12, "trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12,
    "万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12,
}
_CHINESE_SCALES = frozenset({"万", "亿", "万亿"})

_CURRENCY_CODES: dict[str, str] = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "us dollar": "USD", "us dollars": "USD", "u.s. dollar": "USD", "u.s. dollars": "USD",
    "¥": "CNY", "￥": "CNY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY", "chinese yuan": "CNY",
    "renminbi": "CNY", "元": "CNY", "人民币": "CNY",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pounds sterling": "GBP",
    "hk$": "HKD", "hkd": "HKD", "hk dollar": "HKD", "hk dollars": "HKD",
    "hong kong dollar": "HKD", "hong kong dollars": "HKD",
    "jp¥": "JPY", "jpy": "JPY", "yen": "JPY", "japanese yen": "JPY", "円": "JPY",
}
_PER_NAMES: dict[str, str] = {
    "mo": "month", "yr": "year", "annum": "year", "hr": "hour", "queries": "query",
    "monthly": "month", "annually": "year", "yearly": "year", "weekly": "week", "daily": "day",
    "quarterly": "quarter",
}


def _currency(token: str | None) -> str | None:
    if token is None:
        return None
    return _CURRENCY_CODES.get(_SPACES.sub(" ", token.casefold()))


def _scale(token: str | None) -> Decimal:
    if not token:
        return Decimal(1)
    return _SCALES[token.strip().casefold()]


_PER_TOKENS = re.compile(r"(?:1\s?)?(m|million|k|thousand)\s+tokens?", re.IGNORECASE)


def _per(match: re.Match[str]) -> str | None:
    unit = match.group("pu1") or match.group("pu2") or match.group("pu3")
    if unit is None:
        return None
    unit = _SPACES.sub(" ", unit.strip())
    tokens = _PER_TOKENS.fullmatch(unit)
    if tokens:
        return ("M" if tokens.group(1)[0] in "mM" else "K") + " tokens"
    if unit.casefold() in {"m", "k"}:
        return unit.upper()
    unit = unit.casefold()
    unit = _PER_NAMES.get(unit, unit)
    if unit.startswith("gpu"):
        return "GPU-hour"
    return unit.removesuffix("s")


def _money_at(text: str, pos: int) -> tuple[Money | None, int]:
    """Match one amount at or after `pos`; return it (or None) and where to search next."""
    m = _MONEY().search(text, pos)
    if m is None:
        return None, len(text) + 1
    money = _money_of(text, m)
    if money is None:
        return None, m.end("n1")
    end = money.end
    converted, conv_end = _conversion(text, m.end(), money.currency)
    if converted is not None:
        money = money.model_copy(update={
            "converted": converted, "end": conv_end, "text": text[money.start:conv_end],
        })
        end = max(end, conv_end, converted.end)
    return money, end


def _money_of(text: str, m: re.Match[str]) -> Money | None:
    """The amount a match of `_MONEY` states, or None when it is not money after all."""
    cur1, cur3 = _currency(m.group("cur1")), _currency(m.group("cur3"))
    currency = cur1 or cur3
    if currency is None or (cur1 and cur3 and cur1 != cur3):
        return None
    cur2 = _currency(m.group("cur2") or m.group("cur2b"))
    if cur2 is not None and cur2 != currency:
        return None
    scales = [m.group(g) for g in ("s1", "s2", "s2b", "s2c") if m.group(g)]
    if currency != "CNY" and any(s.strip() in _CHINESE_SCALES for s in scales):
        return None
    n2 = m.group("n2") or m.group("n2b") or m.group("n2c")
    s2 = m.group("s2") or m.group("s2b") or m.group("s2c")
    # "$200-400M": the first number takes the second's scale, unless the currency is repeated
    # ("$1,400-$2M" is 1,400 to 2 million).
    inherited = s2 if m.group("cur2b") is None else None
    low = _mul(_dec(m.group("n1")), _scale(m.group("s1") or inherited))
    high = low if n2 is None else _mul(_dec(n2), _scale(s2))
    if high < low:
        return None  # "$500-1B": which scale the first number has is unclear
    start, qual = _qualifier_before(text, m.start())
    qlow, qhigh, qualifier = _apply(low, high, n2 is not None, qual, bool(m.group("plus")))
    return Money(text=text[start:m.end()], start=start, end=m.end(), currency=currency,
                 low=qlow, high=qhigh, qualifier=qualifier, per=_per(m))


def _conversion(text: str, at: int, currency: str) -> tuple[Money | None, int]:
    """An amount in another currency in parentheses right after an amount: its conversion."""
    # What `_CONVERSION_OPEN` needs first, tested without compiling it: most amounts lack it.
    if not (text.startswith("(", at)
            or (text[at:at + 1].isspace() and text.startswith("(", at + 1))):
        return None, at
    opening = _CONVERSION_OPEN().match(text, at)
    if opening is None:
        return None, at
    m = _MONEY().match(text, opening.end())
    if m is None:
        return None, at
    converted = _money_of(text, m)
    if converted is None or converted.currency == currency:
        return None, at
    closing = _CONVERSION_CLOSE.match(text, converted.end)
    if closing is None:
        return None, at
    # The primary amount's span takes in the whole parenthesis only when it closes right after.
    end = closing.end() if closing.group(1) == ")" else at
    return converted, end


def _vague_money(text: str) -> Iterator[Money]:
    for m in _VAGUE_MONEY().finditer(text):
        few = m.group("few") or m.group("few2")
        if few is not None:
            word = _SPACES.sub(" ", few.casefold())
            lo, hi = {"several": (2, 9), "a few": (2, 5), "a couple of": (2, 3)}[word]
            if m.group("unit"):
                unit = _SCALES[m.group("unit").casefold()]
                mul = m.group("mul")
                if mul:
                    unit = _mul(unit, Decimal(100 if mul.casefold() == "hundred" else 10))
                currency = _currency(m.group("vc"))
            else:
                unit = _mul(_dec(m.group("vn")), _scale(m.group("vs")))
                currency = _currency(m.group("vcur"))
            low, high = _mul(unit, Decimal(lo)), _mul(unit, Decimal(hi))
        else:
            units = (m.group("units") or m.group("units2")).casefold()
            unit = _SCALES[units[:-1]]
            many = (m.group("many") or "").casefold()
            factor = {"hundreds": 100, "tens": 10, "dozens": 10}.get(many, 1)
            low = _mul(unit, Decimal(factor))
            high = _mul(unit, Decimal(factor * 10 - 1 if factor > 1 else 999))
            currency = _currency(m.group("vc2") or m.group("vc3"))
        if currency is None or unit == 0:
            continue
        yield Money(text=m.group(0), start=m.start(), end=m.end(), currency=currency,
                    low=_clean(low), high=_clean(high), qualifier="vague")


_ANY_DIGIT = re.compile(r"\d")
_MONEY_HINT = _hint(
    "$", "€", "£", "¥", "￥", "元", "円", "usd", "rmb", "cny", "eur", "gbp", "hkd", "jpy",
    "dollar", "yuan", "renminbi", "sterling", "yen", "人民币",
)
_VAGUE_HINT = _hint(
    "several", "few", "couple", "hundreds", "tens", "dozens", "millions", "billions"
)


def find_money(text: str) -> list[Money]:
    """Every amount of money in running text, in order, with offsets into `text`."""
    exact, vague = _money_hints(text)
    if not (exact or vague):
        return []
    return list(_money_in(text, exact, vague))


def _money_hints(text: str) -> tuple[bool, bool]:
    """Whether `text` may hold an amount, and a vague amount; most paragraphs hold neither."""
    # Every amount has a digit and a currency.
    lowered = text.casefold()
    digit = _ANY_DIGIT.search(text) is not None
    exact = digit and _MONEY_HINT().search(lowered) is not None
    # A vague amount also names a currency, and a scale word or a number. Casefolding keeps
    # what re.IGNORECASE matches, except "\u0130" and "\u0131" (for "i"): those skip the test.
    vague = _VAGUE_HINT().search(lowered) is not None and (
        "\u0130" in text or "\u0131" in text
        or ((exact or _MONEY_HINT().search(lowered) is not None)
            and (digit or "llion" in lowered or "thousand" in lowered))
    )
    return exact, vague


@_memo
def _money_in(text: str, exact: bool, vague: bool) -> tuple[Money, ...]:
    found: list[tuple[int, int, Money]] = []
    pos = 0 if exact else len(text) + 1
    while pos <= len(text):
        money, pos = _money_at(text, pos)
        if money is not None:
            found.append((money.start, money.end, money))
    if vague:
        found.extend((v.start, v.end, v) for v in _vague_money(text))
    return tuple(_without_overlaps(found))


@_memo
def parse_money(text: str) -> Money | None:
    """The amount of a cell whose whole content is one amount ("$2B+", "Several $100M")."""
    found = _money_in(text, *_money_hints(text))
    if len(found) != 1:
        return None
    money = found[0]
    if not _only_noise(text[: money.start] + " " + text[money.end :]):
        return None
    return money


# -- model sizes ------------------------------------------------------------------------------

_SIZE_NUM = r"\d{1,12}(?:\.\d{1,6})?(?!\.?\d)"
_SIZE_SCALE = r"(?:\s?(?:thousand|million|billion|trillion)(?![a-z])|[KMBT](?![A-Za-z0-9]))"
_SIZE_ITEM = rf"{_SIZE_NUM}\s?-?{_SIZE_SCALE}"
_PARAMS = r"param(?:eter)?s?\b"
_SIZES = _lazy(
    # A size in prose needs parameter context: "params", "(38B active)" or MoE/dense after it.
    rf"(?<![\w$€£¥.,])(?<![A-Za-z]-)"
    rf"(?:(?P<arch0>dense|MoE)\s+)?"
    rf"(?P<approx>~\s?)?"
    rf"(?P<list>(?:{_SIZE_ITEM}\s?(?:/|,|&|and|or)\s?){{1,4}})?"
    rf"(?:(?P<r>{_SIZE_NUM})(?P<rs>{_SIZE_SCALE})?\s?[-\u2013]\s?)?"
    rf"(?P<n>{_SIZE_NUM})\s?-?(?P<s>{_SIZE_SCALE})(?P<plus>\+)?"
    rf"(?:"
    rf"\s?-?\s?(?:total\s+)?{_PARAMS}(?:\s?\((?P<arch1>MoE|dense)\))?"
    rf"|\s?\(\s?(?P<an>{_SIZE_NUM})\s?(?P<as>{_SIZE_SCALE})\s+(?:active|activated)"
    rf"(?:\s+{_PARAMS})?\s?\)"
    rf"|\s?(?P<p>\()?(?P<arch2>MoE|dense)\b(?(p)\))"
    rf")"
    rf"|(?<![\w-])(?P<word>(?:multi-)?(?:trillion|billion))[- ](?:{_PARAMS})",
    re.IGNORECASE,
)
_SIZE_LIST_ITEM = _lazy(rf"({_SIZE_NUM})\s?-?({_SIZE_SCALE})", re.IGNORECASE)
_SIZE_CELL = _lazy(
    rf"(?P<lt><\s?)?(?P<approx>~\s?)?(?:(?P<r>{_SIZE_NUM})(?P<rs>{_SIZE_SCALE})?\+?\s?[-\u2013]\s?)?"
    rf"(?P<n>{_SIZE_NUM})\s?-?(?P<s>{_SIZE_SCALE})(?P<plus>\+)?(?:\s?{_PARAMS})?",
    re.IGNORECASE,
)
_ACTIVE = _lazy(
    rf"(?P<an>{_SIZE_NUM})\s?(?P<as>{_SIZE_SCALE})\s+(?:active|activated)(?:\s+{_PARAMS})?",
    re.IGNORECASE,
)
_ARCH = re.compile(r"\b(?P<arch>MoE|dense|mixture[- ]of[- ]experts)\b", re.IGNORECASE)
_SIZE_WORD_LOW: dict[str, Decimal] = {
    "trillion": Decimal(10) ** 12, "billion": Decimal(10) ** 9,
}


def _size_scale(token: str | None) -> Decimal:
    if not token:
        return Decimal(1)
    return _SCALES[token.strip().casefold()]


def _arch(token: str | None) -> Literal["dense", "moe"] | None:
    if not token:
        return None
    return "dense" if token.casefold() == "dense" else "moe"


def _size_interval(m: re.Match[str], approx: bool
                   ) -> tuple[Decimal, Decimal | None, Qualifier] | None:
    scale = _size_scale(m.group("s"))
    high = _mul(_dec(m.group("n")), scale)
    qual = "approx" if approx else None
    if m.group("r") is not None:
        low = _mul(_dec(m.group("r")), _size_scale(m.group("rs") or m.group("s")))
        if low > high:
            return None
        return _apply(low, high, True, qual, bool(m.group("plus")))
    return _apply(high, high, False, qual, bool(m.group("plus")))


_SIZE_HINT = _hint("param", "moe", "dense", "activ")


def find_sizes(text: str) -> list[Size]:
    """Model sizes in prose, only where parameter context says so ("30B params", "1T+ MoE")."""
    if not _SIZE_HINT().search(text.casefold()):
        return []
    return list(_sizes_in(text))


@_memo
def _sizes_in(text: str) -> tuple[Size, ...]:
    found: list[Size] = []
    for m in _SIZES().finditer(text):
        if m.group("word"):
            low = _SIZE_WORD_LOW[m.group("word").casefold().removeprefix("multi-")]
            found.append(Size(text=m.group(0), start=m.start(), end=m.end(), low=low,
                              high=_mul(low, Decimal(999)), qualifier="vague"))
            continue
        # In "~7B/13B params" the "~" belongs to the first size of the list only.
        interval = _size_interval(m, bool(m.group("approx")) and not m.group("list"))
        if interval is None:
            continue
        low, high, qualifier = interval
        arch = _arch(m.group("arch0") or m.group("arch1") or m.group("arch2"))
        active_low = active_high = None
        if m.group("an"):
            active_low = active_high = _clean(_mul(_dec(m.group("an")), _size_scale(m.group("as"))))
            if active_low > low:
                active_low = active_high = None
            else:
                arch = "moe"  # only a mixture of experts has fewer active than total parameters
        # The last size of a list ("7B/13B params") starts at its own number, after the others.
        start = m.start("r") if m.group("r") else m.start("n")
        if not m.group("list"):
            start = m.start() if m.group("arch0") else m.start("approx") if m.group(
                "approx") else start
        if m.group("list"):
            for item in _SIZE_LIST_ITEM().finditer(text, m.start("list"), m.end("list")):
                value = _mul(_dec(item.group(1)), _size_scale(item.group(2)))
                approx = bool(m.group("approx")) and item.start() == m.start("list")
                item_start = m.start("approx") if approx else item.start()
                item_low, item_high, item_qualifier = _apply(
                    value, value, False, "approx" if approx else None, False)
                found.append(Size(text=text[item_start:item.end()], start=item_start,
                                  end=item.end(), low=item_low, high=item_high,
                                  qualifier=item_qualifier, architecture=arch))
        found.append(Size(text=text[start:m.end()], start=start, end=m.end(), low=low,
                          high=high, qualifier=qualifier, active_low=active_low,
                          active_high=active_high, architecture=arch))
    return tuple(found)


@_memo
def parse_size(text: str) -> Size | None:
    """The size in a "Parameters" cell: "130B (dense)", "1T+ (MoE)", "355B (32B active)"."""
    start, end = _strip_markup(text)
    m = _SIZE_CELL().match(text, start, end)
    if m is None:
        return None
    interval = _size_interval(m, bool(m.group("approx")))
    if interval is None:
        return None
    low, high, qualifier = interval
    if m.group("lt"):
        low, qualifier = _ZERO, "at_most"
    rest = text[m.end():end]
    active = _ACTIVE().search(rest)
    active_low = active_high = None
    arch_match = _ARCH.search(rest)
    arch = _arch(arch_match.group("arch")) if arch_match else None
    if active is not None:
        value = _clean(_mul(_dec(active.group("an")), _size_scale(active.group("as"))))
        if value <= low:
            active_low = active_high = value
            arch = "moe"
        rest = rest[: active.start()] + rest[active.end():]
    if re.search(r"\d|token", rest, re.IGNORECASE):
        return None  # another number ("7B & 13B") or not parameters at all ("2.6T tokens")
    return Size(text=text[start:end], start=start, end=end, low=low, high=high,
                qualifier=qualifier, active_low=active_low, active_high=active_high,
                architecture=arch)


# -- dates ------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\.|(?![a-z]))"
)
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
# A bare year: not money ("$2025M"), not a product number ("RTX 2080"), not inside a number
# ("2,000", "2024.5", "arXiv:2012.12345") and not a model suffix ("Step-2025").
_BARE_YEAR_BEFORE = (
    r"(?<![\w$€£¥#.,:/])(?<![A-Za-z]-)(?<!RTX )(?<!GTX )(?<!RX )(?<!No\. )(?<![$€£¥] )"
)
_BARE_YEAR_AFTER = (
    r"(?![\w%]|[.,]\d|\+\s*[a-z]|\s?(?:yuan|dollars|元|RMB|USD|CNY)\b"
    r"|\s+(?:tokens?|params|parameters|users|MAU|GPUs?|employees|people|hospitals"
    r"|customers|devices|downloads|stars|times|characters|chars|words)\b)"
)
_DATE_ATOM = _lazy(
    rf"(?<![\w$€£¥#.,:/])(?:"
    rf"(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])(?:-(?P<id>0[1-9]|[12]\d|3[01]))?(?![\d-])"
    rf"|(?P<sy1>{_YEAR})[-\u2013](?P<sy2>\d{{2}})(?![\d.,%\w])"
    rf"|(?P<m1>{_MONTH})\s?(?P<d1>{_DAY}),?\s+(?P<y1>{_YEAR})"
    rf"|(?P<d2>{_DAY})\s+(?P<m2>{_MONTH}),?\s+(?P<y2>{_YEAR})"
    rf"|(?P<m4a>{_MONTH})\s?(?:-|\u2013|\u2014|to|through)\s?(?P<m4b>{_MONTH}),?\s+(?P<y4>{_YEAR})"
    rf"|(?P<m3>{_MONTH}),?\s+(?P<y3>{_YEAR})"
    rf"|Q(?P<q1>[1-4])\s?(?P<yq1>{_YEAR})|(?P<yq2>{_YEAR})\s?Q(?P<q2>[1-4])(?!\w)"
    rf"|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?(?P<yq3>{_YEAR})"
    rf"|H(?P<h1>[12])\s?(?P<yh1>{_YEAR})|(?P<yh2>{_YEAR})\s?H(?P<h2>[12])(?!\w)"
    rf"|(?P<hw>first|second|1st|2nd)\s+half\s+(?:of\s+)?(?P<yh3>{_YEAR})"
    rf"|(?P<part>early|mid|late|end\s+of|start\s+of|beginning\s+of|year-end)[\s-]?"
    rf"(?:(?P<pm>{_MONTH})\s?)?(?P<yp>{_YEAR})"
    rf")"
    rf"|{_BARE_YEAR_BEFORE}(?P<y>{_YEAR}){_BARE_YEAR_AFTER}",
    re.IGNORECASE,
)
_YEAR_HINT = re.compile(r"(?:19|20)\d\d")
_RANGE_GAP = re.compile(r"\s?(?:-|\u2013|\u2014|to|through|until|till)\s?", re.IGNORECASE)
_AS_OF = re.compile(r"\bas\s+(?:of|at)\s+$", re.IGNORECASE)
_PARTS: dict[str, tuple[int, int]] = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
_PART_WORDS: dict[str, str] = {
    "early": "early", "start of": "early", "beginning of": "early", "mid": "mid",
    "late": "late", "end of": "late", "year-end": "late",
}
_ORDINAL_NUMBERS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}


def _month(token: str) -> int:
    return _MONTHS[token[:3].casefold()]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _span_of(year: int, first_month: int, last_month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first_month, 1), _month_end(year, last_month)


def _date_atom(m: re.Match[str]) -> tuple[dt.date, dt.date, DatePrecision] | None:
    g = m.group
    if g("iy"):
        year, month = int(g("iy")), int(g("im"))
        if g("id"):
            day = int(g("id"))
            if day > calendar.monthrange(year, month)[1]:
                return None
            return dt.date(year, month, day), dt.date(year, month, day), "day"
        return *_span_of(year, month, month), "month"
    if g("sy1"):
        first = int(g("sy1"))
        last = first // 100 * 100 + int(g("sy2"))
        if last <= first:
            return None
        return dt.date(first, 1, 1), dt.date(last, 12, 31), "range"
    for mg, dg, yg in (("m1", "d1", "y1"), ("m2", "d2", "y2")):
        if g(mg) and g(dg):
            year, month = int(g(yg)), _month(g(mg))
            day = int(re.sub(r"\D", "", g(dg)))
            if day > calendar.monthrange(year, month)[1]:
                return None
            return dt.date(year, month, day), dt.date(year, month, day), "day"
    if g("m4a"):
        year, first, last = int(g("y4")), _month(g("m4a")), _month(g("m4b"))
        if last < first:
            return None
        return dt.date(year, first, 1), _month_end(year, last), "range"
    if g("m3"):
        year, month = int(g("y3")), _month(g("m3"))
        return *_span_of(year, month, month), "month"
    quarter = g("q1") or g("q2") or (str(_ORDINAL_NUMBERS[g("qw").casefold()]) if g("qw") else None)
    if quarter:
        year, q = int(g("yq1") or g("yq2") or g("yq3")), int(quarter)
        return *_span_of(year, 3 * q - 2, 3 * q), "quarter"
    half = g("h1") or g("h2") or (str(_ORDINAL_NUMBERS[g("hw").casefold()]) if g("hw") else None)
    if half:
        year, h = int(g("yh1") or g("yh2") or g("yh3")), int(half)
        return *_span_of(year, 6 * h - 5, 6 * h), "half"
    if g("part"):
        year = int(g("yp"))
        if g("pm"):  # "early March 2025": the month is the finest bound we keep
            month = _month(g("pm"))
            return *_span_of(year, month, month), "month"
        first, last = _PARTS[_PART_WORDS[_SPACES.sub(" ", g("part").casefold())]]
        return *_span_of(year, first, last), "part"
    if g("y"):
        year = int(g("y"))
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    return None


def find_dates(text: str) -> list[DateValue]:
    """Dates in running text, in order; "2025-2027" and "April 2023 - Mid 2024" are ranges."""
    # Every date names a year: most texts have none, and are not worth remembering.
    year = _YEAR_HINT.search(text)
    if year is None:
        return []
    return list(_dates_in(text, year.start()))


@_memo
def _dates_in(text: str, year: int) -> tuple[DateValue, ...]:
    """The dates of `text`, whose first year starts at `year`."""
    atoms: list[tuple[int, int, dt.date, dt.date, DatePrecision]] = []
    # Start scanning shortly before the first year.
    for m in _DATE_ATOM().finditer(text, max(0, year - 40)):
        atom = _date_atom(m)
        if atom is not None:
            atoms.append((m.start(), m.end(), *atom))
    found: list[DateValue] = []
    i = 0
    while i < len(atoms):
        start, end, first, last, precision = atoms[i]
        if i + 1 < len(atoms) and precision != "range":
            n_start, n_end, n_first, n_last, n_precision = atoms[i + 1]
            gap = _RANGE_GAP.fullmatch(text, end, n_start)
            if gap and n_precision != "range" and first <= n_first and last <= n_last:
                end, last, precision = n_end, n_last, "range"
                i += 1
        as_of = _AS_OF.search(text, max(0, start - 12), start)
        if as_of is not None:
            start = as_of.start()
        found.append(DateValue(text=text[start:end], start=start, end=end, first=first,
                               last=last, precision=precision, as_of=as_of is not None))
        i += 1
    return tuple(found)


_DATE_CELL_PREFIX = re.compile(r"(?:by|in|around|circa|c\.|~)\s?$", re.IGNORECASE)


@_memo
def parse_date(text: str) -> DateValue | None:
    """The date of a cell or label whose whole content is one date ("Dec 2024", "2023-2024")."""
    found = find_dates(text)
    if len(found) != 1:
        return None
    date = found[0]
    before = text[: date.start].strip(" \t*_`(")
    if before and not _DATE_CELL_PREFIX.fullmatch(before):
        return None
    if not _only_noise(text[date.end :], noise="+"):
        return None
    return date


# -- percentages ------------------------------------------------------------------------------

_PERCENT = _lazy(
    rf"(?<![\w.,])"
    rf"(?P<neg>(?<![\w%.)])[-\u2212])?(?P<a>{_NUM})(?:\s?(?:%|percent\b|per\s?cent\b))?"
    rf"(?:\s?(?:-|\u2013|\u2014|to)\s?(?P<b>{_NUM}))?"
    rf"\s?(?:%|percent\b|per\s?cent\b)(?P<plus>\+)?",
    re.IGNORECASE,
)


def find_percents(text: str) -> list[Percent]:
    """Percentages in running text: "50%", "50%+", "30-40%", "~35-40%", "88.5 percent"."""
    found: list[Percent] = []
    if "%" not in text and "cent" not in text.casefold():
        return found
    for m in _PERCENT().finditer(text):
        low = _dec(m.group("a"))
        if m.group("neg"):
            low = -low
        high = low if m.group("b") is None else _dec(m.group("b"))
        if high < low:
            continue
        start, qual = _qualifier_before(text, m.start())
        qlow, qhigh, qualifier = _apply(low, high, m.group("b") is not None, qual,
                                        bool(m.group("plus")))
        if qhigh is not None and qlow > qhigh:  # "~-5%": widening a negative value
            qlow, qhigh = qhigh, qlow
        found.append(Percent(text=text[start:m.end()], start=start, end=m.end(), low=qlow,
                             high=qhigh, qualifier=qualifier))
    return found


# -- ranks ------------------------------------------------------------------------------------

_RANK_NUMBER = rf"(?:\d{{1,3}}|{_NUMBER_WORD})"
_RANKS = _lazy(
    r"(?:(?<![\w-])(?P<tied>tied|joint)(?:\s+(?:for|at))?\s+)?"
    r"(?:"
    r"(?<![\w&#])\#\s?(?P<h1>\d{1,3})(?:\s?[-\u2013/]\s?\#?(?P<h2>\d{1,3}))?(?!\w|\.\d|%)"
    rf"|(?<![\w-])top[\s-](?P<t>{_RANK_NUMBER})(?![\w%]|\.\d)"
    r"|(?<![\w#])No\.\s?(?P<no>\d{1,3})(?!\w|\.\d)"
    r"|(?<![\w.#-])(?P<o1>\d{1,3})(?:st|nd|rd|th)(?:\s?[-\u2013]\s?(?P<o2>\d{1,3})(?:st|nd|rd|th))?"
    r"(?![\w-])"
    r")"
    r"(?:\s?\((?P<tied2>tied|joint)\))?",
    re.IGNORECASE,
)
# A numeric ordinal in prose is a rank only beside rank words: "ranks 5th", "5th globally".
_ORDINAL_BEFORE = _lazy(
    r"\b(?:rank(?:s|ed|ing)?|placed?|plac(?:es|ing)|came|comes|finish(?:ed|es)?|at|is|was"
    r"|sits|stands)\s+(?:(?:in|at)\s+)?$",
    re.IGNORECASE,
)
_ORDINAL_AFTER = re.compile(
    r"\s+(?:globally|worldwide|overall|place|position|in\s+the\s+world|among|on|in\s+China)\b",
    re.IGNORECASE,
)
_RANK_CELL = _lazy(
    r"(?:(?P<tied>tied|joint)\s*(?:for\s+|at\s+)?)?"
    r"(?:"
    r"(?:\#|no\.?\s?|number\s+)\s?(?P<h1>\d{1,4})(?:\s?[-\u2013/]\s?(?:\#|no\.?\s?)?(?P<h2>\d{1,4}))?"
    r"|(?P<o1>\d{1,4})(?:st|nd|rd|th)(?:\s?[-\u2013/]\s?(?P<o2>\d{1,4})(?:st|nd|rd|th)?)?"
    rf"|(?P<w1>{_ORDINAL_WORD})(?:\s?[-\u2013/]\s?(?P<w2>{_ORDINAL_WORD}))?"
    rf"|number\s+(?P<nw>{_NUMBER_WORD})"
    rf"|(?P<top>top)(?:[\s-]?(?P<t>\d{{1,4}}|{_NUMBER_WORD}))?"
    r"|(?P<bare>\d{1,3})(?:\s?[-\u2013]\s?(?P<bare2>\d{1,3}))?"
    r")"
    r"(?:\s?\(?(?P<tied2>tied|joint)\)?)?",
    re.IGNORECASE,
)


def _rank_number(token: str) -> int | None:
    return int(token) if token.isdigit() else _word_number(token)


def _make_rank(text: str, start: int, end: int, low: int | None, high: int | None,
               tied: bool, top: bool) -> Rank | None:
    if low is None or high is None or low < 1:
        return None
    if high < low:
        low, high = high, low
    return Rank(text=text[start:end], start=start, end=end, low=low, high=high, tied=tied,
                top=top)


_ORDINAL_HINT = re.compile(r"\d(?:st|nd|rd|th|ST|ND|RD|TH)")


def find_ranks(text: str) -> list[Rank]:
    """Ranks in prose: "#1", "#2-3", "ranks 5th", "top-3"; never word ordinals ("first")."""
    lowered = text.casefold()
    if not ("#" in text or "top" in lowered or "no." in lowered or _ORDINAL_HINT.search(text)):
        return []
    return list(_ranks_in(text))


@_memo
def _ranks_in(text: str) -> tuple[Rank, ...]:
    found: list[Rank] = []
    for m in _RANKS().finditer(text):
        tied = bool(m.group("tied") or m.group("tied2"))
        if m.group("h1"):
            low = int(m.group("h1"))
            found_rank = _make_rank(text, m.start(), m.end(), low,
                                    int(m.group("h2")) if m.group("h2") else low, tied, False)
        elif m.group("t"):
            n = _rank_number(m.group("t"))
            found_rank = _make_rank(text, m.start(), m.end(), 1, n, tied, True)
        elif m.group("no"):
            low = int(m.group("no"))
            found_rank = _make_rank(text, m.start(), m.end(), low, low, tied, False)
        else:
            before = _ORDINAL_BEFORE().search(text, max(0, m.start() - 24), m.start())
            after = _ORDINAL_AFTER.match(text, m.end())
            if not (before or after or tied):
                continue
            low = int(m.group("o1"))
            high = int(m.group("o2")) if m.group("o2") else low
            found_rank = _make_rank(text, m.start(), m.end(), low, high, tied, False)
        if found_rank is not None:
            found.append(found_rank)
    return tuple(found)


@_memo
def parse_rank(text: str) -> Rank | None:
    """The rank of a cell: "#1", "Tied #1-2", "#5-6", "5th", "Top 3", "top", "first", "No. 1"."""
    start, end = _strip_markup(text)
    m = _RANK_CELL().match(text, start, end)
    if m is None or not _only_noise(text[m.end():end]):
        return None
    tied = bool(m.group("tied") or m.group("tied2"))
    g = m.group
    if g("top"):
        n = _rank_number(g("t")) if g("t") else 1
        return _make_rank(text, start, end, 1, n, tied, True)
    if g("nw"):
        n = _word_number(g("nw"))
        return _make_rank(text, start, end, n, n, tied, False)
    pairs = (("h1", "h2"), ("o1", "o2"), ("bare", "bare2"))
    for lo_name, hi_name in pairs:
        if g(lo_name):
            low = int(g(lo_name))
            high = int(g(hi_name)) if g(hi_name) else low
            return _make_rank(text, start, end, low, high, tied, False)
    if g("w1"):
        low = _ORDINAL_WORDS[g("w1").casefold()]
        high = _ORDINAL_WORDS[g("w2").casefold()] if g("w2") else low
        return _make_rank(text, start, end, low, high, tied, False)
    return None


# -- counts -----------------------------------------------------------------------------------

_COUNT_NUMBER = rf"(?:{_INT}|\b{_NUMBER_WORD}\b)"
_COUNTS = _lazy(
    # The look-behind already puts a word boundary before a number word.
    rf"(?<![\w.,$€£¥#/\-])"
    rf"(?P<a>{_INT}|{_NUMBER_WORD_BY_INITIAL}\b)(?:\s?(?:-|\u2013|to)\s?(?P<b>{_COUNT_NUMBER}))?(?P<plus>\+)?"
    r"(?P<words>(?:[ \t]+[A-Za-z][A-Za-z'\u2019\-]{0,40}){1,3})",
    re.IGNORECASE,
)
_WORD = re.compile(r"[ \t]+([A-Za-z][A-Za-z'\u2019\-]*)")
# Units are measures, not counts of things; the other extractors read them.
_COUNT_UNITS = frozenset({
    "year", "month", "week", "day", "hour", "minute", "second", "decade", "quarter", "token",
    "parameter", "param", "percent", "point", "time", "dollar", "yuan", "euro", "cent", "pound",
    "character", "char", "byte", "word", "x", "yen", "usd", "rmb",
})
_SCALE_WORDS = frozenset({
    "thousand", "million", "billion", "trillion", "mn", "bn", "hundred", "dozen", "lakh", "crore",
    "k", "m", "b", "t",
})
_STOP_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or", "but",
    "vs", "versus", "than", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had",
    "its", "their", "this", "that", "these", "those", "into", "per", "each", "every", "across",
    "over", "under", "about", "after", "before", "since", "until", "within", "without", "via",
    "more", "less", "fewer", "most", "which", "who", "it", "they", "we", "not", "no",
})
_NOT_PLURAL = frozenset({
    "this", "was", "has", "does", "is", "its", "his", "plus", "thus", "less", "yes", "always",
    "perhaps", "whereas", "series", "species", "news", "various", "us", "gas", "bus", "chaos",
    "status", "campus", "corpus", "focus", "bonus", "basis", "analysis", "emphasis", "vs",
})
_IRREGULAR = {
    "people": "person", "children": "child", "men": "man", "women": "woman", "staff": "staff",
    "personnel": "personnel", "mice": "mouse", "geese": "goose", "feet": "foot",
}


def _singular(word: str) -> str | None:
    """The singular of a plural noun, or None when `word` is not a plural noun."""
    low = word.casefold().replace("\u2019", "'")
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if len(low) < 3 or low in _NOT_PLURAL or not low.endswith("s") or low.endswith("'s"):
        return None
    if low.endswith(("ss", "us", "is")):
        return None
    if word[:-1].isupper() and word[-1] == "s":  # "LLMs", "GPUs"
        return low[:-1]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes", "zes")):
        return low[:-2]
    return low[:-1]


def _apply_whole(low: int, high: int, is_range: bool, qual: str | None, plus: bool
                 ) -> tuple[int, int | None, Qualifier]:
    """`_apply` for whole counts, in integers: widening "about 30" gives [27, 33], rounded
    outwards (exactly what `_apply` and rounding its decimals give, without their cost)."""
    out_high: int | None = high
    qualifier: Qualifier = "range" if is_range else "exact"
    if qual == "approx":
        low, out_high, qualifier = low * 9 // 10, -(-high * 11 // 10), "approx"
    elif qual == "just_under":
        low, qualifier = low * 9 // 10, "at_most"
    elif qual == "just_over":
        out_high, qualifier = -(-high * 11 // 10), "at_least"
    elif qual == "at_most":
        low, qualifier = 0, "at_most"
    elif qual == "at_least":
        out_high, qualifier = None, "at_least"
    if plus:
        out_high, qualifier = None, "at_least"
    return low, out_high, qualifier


def _count_value(token: str) -> int | None:
    if token[0].isdigit():
        return int(token.replace(",", ""))
    return _word_number(token)


_TOP_BEFORE = re.compile(r"\btop[\s-]$", re.IGNORECASE)


def find_counts(text: str) -> list[Count]:
    """Counts of things: "11 foundation models", "12+ models", "eleven US cities"."""
    return list(_counts_in(text))


@_memo
def _counts_in(text: str) -> tuple[Count, ...]:
    found: list[Count] = []
    if not (_ANY_DIGIT.search(text) or _NUMBER_WORD_HINT().search(text.casefold())):
        return ()
    for m in _COUNTS().finditer(text):
        a, b = m.group("a"), m.group("b")
        low, high = _count_value(a), _count_value(b) if b else None
        if low is None or (b and high is None):
            continue
        if _YEAR_HINT.fullmatch(a) and not m.group("plus") and not b:
            continue  # a year, not a count: "2024 models"
        if _TOP_BEFORE.search(text[max(0, m.start() - 4): m.start()]):
            continue  # "top 3 models" is a rank
        noun_end, noun = _count_noun(m)
        if noun is None:
            continue
        high = low if high is None else high
        if high < low:
            continue
        start, qual = _qualifier_before(text, m.start())
        int_low, int_high, qualifier = _apply_whole(low, high, b is not None, qual,
                                                    bool(m.group("plus")))
        found.append(Count(text=text[start:noun_end], start=start, end=noun_end,
                           low=int_low, high=int_high, qualifier=qualifier, noun=noun))
    return tuple(found)


def _count_noun(m: re.Match[str]) -> tuple[int, str | None]:
    """The head noun after a number: the first plural among up to two modifiers and a noun."""
    for word_match in _WORD.finditer(m.group(0), m.start("words") - m.start()):
        word = word_match.group(1).strip("-'\u2019")
        low = word.casefold()
        if not word or low in _STOP_WORDS or low in _SCALE_WORDS:
            return 0, None
        singular = _singular(word)
        if singular is None:
            if low in _COUNT_UNITS:
                return 0, None
            continue
        if singular in _COUNT_UNITS or low in _COUNT_UNITS:
            return 0, None
        if word[0].isupper() and not word[:-1].isupper():
            return 0, None  # a title or name: "Six Tigers", "100 Most Influential People"
        return m.start() + word_match.start(1) + len(word), singular
    return 0, None


# -- durations --------------------------------------------------------------------------------

_DURATION_NUMBER = rf"(?:\d{{1,4}}(?:\.\d{{1,3}})?(?![\d,])|\b{_NUMBER_WORD}\b)"
_DURATIONS = _lazy(
    rf"(?<![\w.,$€£¥#/])(?<![A-Za-z]-)"
    rf"(?P<a>{_DURATION_NUMBER})(?:\s?(?:-|\u2013|to)\s?(?P<b>{_DURATION_NUMBER}))?(?P<plus>\+)?"
    r"(?:\s|-)(?P<unit>years?|yrs?|months?|mos|weeks?|days?|quarters?)\b(?!-old|\s+old\b)",
    re.IGNORECASE,
)
_MONTHS_PER: dict[str, Decimal] = {
    "year": Decimal(12), "quarter": Decimal(3), "month": Decimal(1),
    # Days and weeks in months of the Gregorian mean length (365.25 / 12 days).
    "week": Decimal(7) / Decimal("30.4375"), "day": Decimal(1) / Decimal("30.4375"),
}
_UNIT_NAMES: dict[str, Literal["day", "week", "month", "quarter", "year"]] = {
    "year": "year", "yr": "year", "month": "month", "mo": "month", "week": "week", "day": "day",
    "quarter": "quarter",
}


def _months(value: Decimal, unit: str) -> Decimal:
    months = _mul(value, _MONTHS_PER[unit])
    if unit in {"day", "week"}:
        months = months.quantize(Decimal("0.0001"), context=_CTX)
    return _clean(months)


_DURATION_HINT = _hint("year", "yr", "month", "mos", "week", "day", "quarter")


def find_durations(text: str) -> list[Duration]:
    """Durations: "16-year", "18 months", "48+ months", "2-3 years", "18-24 month"."""
    if not _DURATION_HINT().search(text.casefold()):
        return []
    return list(_durations_in(text))


@_memo
def _durations_in(text: str) -> tuple[Duration, ...]:
    found: list[Duration] = []
    for m in _DURATIONS().finditer(text):
        a, b = m.group("a"), m.group("b")
        low = Decimal(a) if a[0].isdigit() else _word_number(a)
        high = low if b is None else (Decimal(b) if b[0].isdigit() else _word_number(b))
        if low is None or high is None or high < low:
            continue
        unit = _UNIT_NAMES[m.group("unit").casefold().rstrip("s")]
        start, qual = _qualifier_before(text, m.start())
        qlow, qhigh, qualifier = _apply(Decimal(low), Decimal(high), b is not None, qual,
                                        bool(m.group("plus")))
        found.append(Duration(
            text=text[start:m.end()], start=start, end=m.end(), low_months=_months(qlow, unit),
            high_months=None if qhigh is None else _months(qhigh, unit), qualifier=qualifier,
            unit=unit,
        ))
    return tuple(found)


# -- formatting -------------------------------------------------------------------------------

_SYMBOLS: dict[str, str] = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£", "HKD": "HK$"}
_SCALE_LETTERS = (
    (Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"),
)


def _plain(value: Decimal) -> str:
    return format(_clean(value), "f")


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _amount(value: Decimal, money: bool = True) -> str:
    """A value with the largest scale letter that reads naturally: 450000000 -> "450M".

    A scale is used only where it leaves at most three decimals ("1.000001B" reads badly);
    otherwise money is written out with commas ("$1,400") and sizes fall back to "K".
    """
    letters = _SCALE_LETTERS if money else (*_SCALE_LETTERS, (Decimal(1000), "K"))
    for scale, letter in letters:
        scaled = _clean(_CTX.divide(value, scale))
        if abs(value) >= scale and _decimals(scaled) <= 3:
            return _plain(scaled) + letter
    if not money:
        return _plain(_CTX.divide(value, Decimal(1000))) + "K"
    whole, dot, frac = _plain(value).partition(".")
    return f"{int(whole):,}" + dot + frac


def _with_currency(value: Decimal, currency: str) -> str:
    symbol = _SYMBOLS.get(currency)
    if symbol is None:
        return f"{currency} {_amount(value)}"
    return symbol + _amount(value)


def _is_approx(low: Decimal, high: Decimal) -> Decimal | None:
    """The centre of an interval that "~centre" produces, if it is one."""
    centre = _CTX.divide(low + high, 2)
    if low == _mul(centre, _APPROX_LOW) and high == _mul(centre, _APPROX_HIGH) and centre > 0:
        return centre
    return None


def format_money(m: Money) -> str:
    """Canonical text of an amount, parseable back: "$450M", "¥10B", "$2B+", "~$12M"."""
    if m.high is None:
        text = _with_currency(m.low, m.currency) + "+"
    elif m.low == m.high:
        text = _with_currency(m.low, m.currency)
    elif m.low == 0 and m.qualifier == "at_most":
        text = "under " + _with_currency(m.high, m.currency)
    elif (centre := _is_approx(m.low, m.high)) is not None:
        text = "~" + _with_currency(centre, m.currency)
    else:
        # The second amount repeats the currency: "$1,400-$2M" is not "$1,400M-$2M".
        text = _with_currency(m.low, m.currency) + "-" + _with_currency(m.high, m.currency)
    if m.per is not None:
        text += "/" + m.per
    if m.converted is not None:
        text += f" ({format_money(m.converted)})"
    return text


def format_size(s: Size) -> str:
    """Canonical text of a model size, parseable back: "130B", "1T+", "321B (38B active)"."""
    if s.high is None:
        text = _amount(s.low, money=False) + "+"
    elif s.low == s.high:
        text = _amount(s.low, money=False)
    elif s.low == 0 and s.qualifier == "at_most":
        text = "<" + _amount(s.high, money=False)
    elif (centre := _is_approx(s.low, s.high)) is not None:
        text = "~" + _amount(centre, money=False)
    else:
        text = _amount(s.low, money=False) + "-" + _amount(s.high, money=False)
    if s.active_low is not None and s.active_low == s.active_high:
        text += f" ({_amount(s.active_low, money=False)} active)"
    elif s.architecture is not None:
        text += " (MoE)" if s.architecture == "moe" else " (dense)"
    return text


_MONTH_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")
_PART_NAMES: dict[tuple[int, int], str] = {bounds: name for name, bounds in _PARTS.items()}


def _month_name(day: dt.date) -> str:
    # Not calendar.month_abbr: that follows the process locale, and the parser reads English.
    return _MONTH_ABBR[day.month]


def format_date(d: DateValue) -> str:
    """Canonical text of a date, parseable back: "Dec 2024", "Aug 27, 2024", "Q3 2024"."""
    first, last = d.first, d.last
    whole_months = first.day == 1 and last == _month_end(last.year, last.month)
    same_year = first.year == last.year
    if first == last:
        text = f"{_month_name(first)} {first.day}, {first.year}"
    elif whole_months and same_year and first.month == 1 and last.month == 12:
        text = str(first.year)
    elif whole_months and first.year == last.year and first.month == last.month:
        text = f"{_month_name(first)} {first.year}"
    elif whole_months and same_year and first.month % 3 == 1 and last.month == first.month + 2:
        text = f"Q{(first.month + 2) // 3} {first.year}"
    elif whole_months and same_year and first.month in (1, 7) and last.month == first.month + 5:
        text = f"H{1 if first.month == 1 else 2} {first.year}"
    elif whole_months and same_year and (first.month, last.month) in _PART_NAMES:
        text = f"{_PART_NAMES[(first.month, last.month)]} {first.year}"
    elif whole_months and first.month == 1 and last.month == 12:
        text = f"{first.year}-{last.year}"
    elif whole_months:
        text = f"{_month_name(first)} {first.year} - {_month_name(last)} {last.year}"
    else:
        text = f"{first.isoformat()} - {last.isoformat()}"
    return f"as of {text}" if d.as_of else text


# -- interval overlap -------------------------------------------------------------------------

@overload
def overlaps(a_low: Decimal | int, a_high: Decimal | int | None, b_low: Decimal | int,
             b_high: Decimal | int | None) -> bool: ...


@overload
def overlaps(a_low: dt.date, a_high: dt.date | None, b_low: dt.date,
             b_high: dt.date | None) -> bool: ...


def overlaps(a_low: Any, a_high: Any, b_low: Any, b_high: Any) -> bool:
    """Whether closed intervals [a_low, a_high] and [b_low, b_high] share a point (None: open)."""
    if a_high is not None and a_high < b_low:
        return False
    return not (b_high is not None and b_high < a_low)
