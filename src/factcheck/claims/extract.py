"""Read typed claims out of a Document: tables by their headers, labelled bullets, and prose."""

from __future__ import annotations

import functools
import operator
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from factcheck.claims.entities import (
    Entities,
    company_key,
    entity_key,
    find_entities,
    header_fields,
    is_pseudo_heading,
    split_names,
)
from factcheck.claims.models import (
    Claim,
    ContextLengthClaim,
    CountClaim,
    FundingRoundClaim,
    LinkClaim,
    MaturityClaim,
    ModelSizeClaim,
    OpenWeightsClaim,
    Origin,
    PersonClaim,
    ProbabilitiesClaim,
    ProbabilityItem,
    RankingClaim,
    ReleaseClaim,
    RetractionClaim,
    RevenueClaim,
    StatusClaim,
    SubjectType,
    ValuationClaim,
)
from factcheck.document import Document, Heading, Inline, ListItem, Paragraph, Section, Table
from factcheck.quantities import (
    Count,
    DateValue,
    Money,
    Percent,
    Quantity,
    Rank,
    Size,
    find_counts,
    find_dates,
    find_money,
    find_ranks,
    find_sizes,
    parse_date,
    parse_money,
    parse_rank,
    parse_size,
)
from factcheck.vocab import Vocabulary, normalise_label

# A sentence ends at whitespace after ".", "!" or "?" before a capital, quote, bracket or
# emphasis, or at a line break: `(?<=[.!?])\s+(?=[A-Z"“(*\[])|\n`, written so that every
# match starts with a `\s`, which lets the regex engine skip to whitespace (a third faster).
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?]\s)\s*(?=[A-Z\"“(*\[])|(?<=\n))")
_SENTENCE_MARK = re.compile(r"[.!?\n]")


def _sentence_ends(text: str, pos: int) -> Iterator[re.Match[str]]:
    """`_SENTENCE_END.finditer(text, pos)`, without scanning where no end can be.

    An end is a blank right after ".", "!" or "?", or a line break, so none starts before the
    first of those characters from `pos - 1` on (an end at `pos` looks back one character),
    and most blocks have none. Finding that character is far cheaper than `_SENTENCE_END`'s
    scan, which tests every character for a blank.
    """
    mark = _SENTENCE_MARK.search(text, max(pos - 1, 0))
    if mark is None:
        return iter(())
    return _SENTENCE_END.finditer(text, max(mark.start(), pos))
_COLON_LABEL = re.compile(r"^([^:\n]{1,80}?):\s+(?=\S)")
_LABEL = re.compile(r"^([^:\n—–]{1,80}?)\s+[—–]\s+(?=\S)")
_CLAUSE_BREAK = re.compile(r"[;]|\s[-–—]\s")
_CONTEXT = re.compile(
    r"(\d+(?:\.\d+)?)\s*([KkMm])\+?\s*(?:-?\s*(?:tokens?|(?:chinese\s+)?char(?:acter)?s?))?\s+context",
    re.IGNORECASE,
)
# "131,072-token context", "32768 tokens of context": a context length written out in full.
_CONTEXT_FULL = re.compile(
    r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d{4,8})(?![\d.,])\s*-?\s*"
    r"(?:tokens?|(?:chinese\s+)?char(?:acter)?s?)(?:\s+of)?\s+context",
    re.IGNORECASE,
)
_PLAIN_LENGTH = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d{4,8})(?![\d.,])"
    r"(?:\s*-?\s*(tokens?|(?:chinese\s+)?char(?:acter)?s?))?",
    re.IGNORECASE,
)
# A label is a noun phrase; one with a verb of being is the start of a sentence.
_CLAUSE_VERB = re.compile(r"\s(?:is|are|was|were|remains|remain|stays)\s", re.I)
_APPROX_WORD = re.compile(
    r"(?<![\w-])(?:approximately|approx\.|about|around|roughly|circa|close\s+to)\s+$", re.I
)
_RELEASE_VERB = re.compile(
    r"\b(?:releas\w*|launch\w*|debut\w*|unveil\w*|introduc\w*|shipped)\b", re.I
)
_PERSON = re.compile(r"^(?:(?:Dr|Prof|Mr|Ms|Mrs)\.? )?[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}$")
_TITLE = re.compile(r"^(?:Dr|Prof|Mr|Ms|Mrs)\.?\s+")
_ROLE_PARTS = re.compile(r"[^,;]+")
_FORMER_ROLE = re.compile(r"\b(?:former|formerly|previously|ex-)", re.I)
_ENDED_ROLE = re.compile(r"\b(?:until|to (?:19|20)\d\d)\b|[–-]\s*(?:19|20)\d\d", re.I)
_SINCE = re.compile(r"\bsince\b", re.I)
_TOTAL_LABEL = re.compile(
    r"\btotal\b.*\b(?:raised|funding|equity|capital)\b|\b(?:raised|funding) to date\b", re.I
)
_SCOPE_AFTER = re.compile(r"\s*(?:globally\s+)?(?:on|in|for|by)\s+(?:the\s+)?([^,.;()]{2,60})")
_SCOPE_WORDS = re.compile(
    r"\s*([A-Za-z][\w\- ]{1,40}?)(?=\s*(?:$|[,.;()]|\s(?:among|after|behind|in|on|vs)\b))"
)
_LEAD_NAME = re.compile(
    r"([A-Z][\w&.\-]*[a-z0-9][\w&.\-]*(?: [A-Z][\w&.\-]+){0,2})(?:'s)? "
    r"(?:is|was|has|had|raised|became|remains|sells|reported|announced|closed)\b"
)
# Text that `_LEAD_NAME` can match: up to three capitalised words and a verb. Its name words
# (`[A-Z]\S*`) hold those of `_LEAD_NAME`, which backtracks over every split of a long first
# word before it fails.
_LEAD_HINT = re.compile(
    r"[A-Z]\S*(?: [A-Z]\S*){0,2} "
    r"(?:is|was|has|had|raised|became|remains|sells|reported|announced|closed)\b"
)
# Sentence openers that look like names but are not.
_OPENERS = (
    "The This That These Those It Its In At On For By With As After Before Since While Despite "
    "Unlike Both Each All Most Some Many Our We They He She His Her Their There When Where Why "
    "How What If Although Because Following Between According Today Overall Revenue Funding "
    "Valuation Management Growth"
)
_NOT_NAMES = frozenset(_OPENERS.split())
# An amount followed by these words is a balance or a rate, not money raised in a round.
_NOT_RAISED = re.compile(r"\s*(?:in|of)?\s*(?:cash|runway|revenue|burn|sales|debt)\b", re.I)
_AT_VALUE = re.compile(r"\bat\s+(?:an?\s+)?(?:about\s+|~)?$", re.I)
_RAISE = re.compile(r"\b(?:rais\w*|round of|funding of|led by|secured|closed|invest\w*)\b", re.I)
_AMONG = re.compile(r"\s+((?:[\w\-]+\s+){0,4}?)among\b", re.I)
_SCOPE_STOP = re.compile(r"\s(?:among|after|behind|vs\.?|versus|with|than|ahead)\b", re.I)
_UNDISCLOSED = re.compile(r"\b(?:undisclosed|not disclosed|not public|unknown amount)\b", re.I)
_SCENARIO = re.compile(
    r"\b(?:scenario|outcome|probabilit|likelihood|case|odds|chance)", re.IGNORECASE
)
_HEADING_PROB = re.compile(r"\((\d{1,3}(?:\.\d+)?)\s*%\s*(?:probability|likelihood|chance)\)", re.I)
_PERCENT_LABEL = re.compile(r"~?\d{1,3}(?:\.\d+)?\s*%")
_DATE_GAP = re.compile(r"[\s(,]*(?:as of|in|at|since|by|from)?\s*", re.I)
_PARENS = re.compile(r"\s*\([^()]*\)")
_ITEM_PROB = re.compile(
    r"^\s*(\d{1,3}(?:\.\d+)?)\s*%\s*[:\-–—]|[:\-–—(]\s*(\d{1,3}(?:\.\d+)?)\s*%\)?\s*$"
)
# One outcome of an inline distribution (`Exit odds: 50% IPO, 50% acquisition`): a percentage
# that leads the part (`50% IPO`, `50%: IPO`, `50% chance of an IPO`) or closes it (`IPO 50%`,
# `IPO: 50%`, `IPO (50%)`, `IPO (50% probability)`). Each part holds one percentage only.
_NUMBER = r"~?(\d{1,3}(?:\.\d+)?)\s*%"
_PART_LEAD = re.compile(rf"\s*{_NUMBER}\s*[:\-–—]?\s*(?P<label>[^%]+)")
_PART_TAIL = re.compile(
    rf"\s*(?P<label>[^%]*?[^\s%])\s*+"
    rf"(?:[:\-–—]\s*{_NUMBER}|\(\s*{_NUMBER}(?:\s+[a-z]+)?\s*\)|{_NUMBER})"
)
_PERCENT_RANGE = re.compile(
    r"(?<![\d.])\d{1,3}(?:\.\d+)?%?(?:[-–]|\s+to\s+)~?\d{1,3}(?:\.\d+)?\s*%"
)
_PART_SPLIT = re.compile(r"[,;]\s*(?:(?:and|or)\s+)?")
_LETTER = re.compile(r"[^\W\d_]")


def _person_prose_pattern(roles: Sequence[str]) -> re.Pattern[str] | None:
    if not roles:
        return None
    role = "|".join(
        re.escape(r).replace(r"\ ", r"\s+") for r in sorted(roles, key=len, reverse=True)
    )
    name = r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}"
    when = r"(?:in\s+)?(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d"
    return re.compile(
        rf"(?P<name>{name})\s+(?:has\s+been|is|became)\s+(?:the\s+)?(?P<role>(?i:{role}))"
        rf"\s+since\s+(?P<when>{when})"
        rf"|(?P<name2>{name})\s+joined\s+(?:in\s+{when}\s+)?as\s+(?:the\s+)?"
        rf"(?P<role2>(?i:{role}))(?:\s+(?P<when2>{when}))?"
    )


# A word of a lower-cased sentence, for the prefilter of `_Words`.
_TOKEN = re.compile(r"[a-z0-9]+")
# Characters that case-insensitive matching folds onto an ASCII letter while `str.lower` does
# not ("İ" matches "i"): a sentence with one of them is scanned with every pattern.
_ODD_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")
_DIGIT = re.compile(r"\d")
_ASCII_DIGIT = re.compile(rb"[0-9]")
# For the words of an ASCII sentence: upper-case letters to lower case, lower-case letters and
# digits as they are, any other byte to a space.
_ASCII_WORDS = bytes(
    b + 32 if 65 <= b <= 90 else b if 97 <= b <= 122 or 48 <= b <= 57 else 32 for b in range(256)
)
# Whole words that some quantities cannot be found without, in a sentence with no digit:
# vague amounts ("several million dollars"), counts ("eleven cities"), sizes ("trillion-param"),
# ranks ("top three").
_VAGUE_MONEY_WORDS = frozenset(
    {"several", "few", "couple", "hundreds", "tens", "dozens", "millions", "billions"}
)
_NUMBER_WORDS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    "dozen",
})
_SIZE_WORDS = frozenset({"trillion", "billion"})
_TOP = frozenset({"top"})
_NO = frozenset({"no"})
# Every set that `_Words.any_of` is asked about.
_WATCHED = _VAGUE_MONEY_WORDS | _NUMBER_WORDS | _SIZE_WORDS | _TOP | _NO
# What a rank of `find_ranks` holds beside a digit, but for "#" or the word "no" ("No. 3"):
# an ordinal, in any case (its pattern ignores case).
_ORDINAL_HINT = re.compile(r"\d(?:st|nd|rd|th)", re.IGNORECASE)
# What a count of `find_counts` holds unless its number is a word: the number's last digit,
# maybe a "+", blanks and the first letter of a word after it (in case-insensitive matching,
# as `quantities._COUNTS` matches).
_COUNT_HINT = re.compile(r"\d\+?[ \t]+[A-Za-z]", re.IGNORECASE)
# Lower-case text that `_CONTEXT` and `_RELEASE_VERB` cannot match without.
_CONTEXT_HINT = re.compile("context")
_RELEASE_HINT = re.compile("releas|launch|debut|unveil|introduc|shipped")


def _trigger(phrases: Iterable[str]) -> frozenset[str] | None:
    """Words one of which every match of `_phrase_pattern(phrases)` holds, or None if unknown.

    The pattern matches a phrase only between non-word characters, so each lower-cased ASCII
    word of a phrase is a whole word of any sentence that matches it: one word per phrase (the
    longest, the rarest) is enough. A phrase with other characters gives no trigger.
    """
    words = set()
    for phrase in phrases:
        found = _TOKEN.findall(phrase.lower())
        if not phrase.isascii() or not found:
            return None
        words.add(max(found, key=len))
    return frozenset(words)


class _Words:
    """What a sentence may hold, from its digits and its lower-cased text and words.

    Most sentences hold none of the phrases of most extractors, and one scan for their words
    is far cheaper than one case-insensitive regex scan per phrase pattern. `may` holds the
    `id` of every phrase pattern that may match (hashing a pattern is slow).
    """

    __slots__ = ("_lowered", "_sentence", "digit", "may", "words")

    def __init__(self, sentence: str, p: _Patterns) -> None:
        self._sentence = sentence
        self._lowered: str | None = None
        if sentence.isascii():
            encoded = sentence.encode()
            # In ASCII, `\d` is `[0-9]`: a search of the bytes skips Unicode's digit test.
            self.digit = _ASCII_DIGIT.search(encoded) is not None
        elif not _ODD_FOLDS.search(sentence):
            # Without odd folds, `str.lower` turns no other character into an ASCII one nor
            # an ASCII one into another (tests/test_claims_speed_equivalence.py): the ASCII
            # words of the lower-cased text are those of the text with every other character
            # blanked ("?" is no letter).
            encoded = sentence.encode("ascii", "replace")
            self.digit = _DIGIT.search(sentence) is not None
        else:
            self.digit = _DIGIT.search(sentence) is not None
            self.words: frozenset[str] | None = None
            self.may = p.every
            return
        # Only the words that some test asks about (`p.watched`): cheaper than all of them.
        # One byte translation lower-cases letters and blanks every other character, and
        # the split in C gives the words (`_TOKEN` on the lower-cased text).
        found = p.watched_bytes.intersection(encoded.translate(_ASCII_WORDS).split())
        if found:
            words = self.words = frozenset([w.decode() for w in found])
            triggers = p.triggers
            self.may = p.untriggered.union(*[triggers[w] for w in words if w in triggers])
        else:
            self.words = frozenset()
            self.may = p.untriggered

    def any_of(self, words: frozenset[str]) -> bool:
        """Whether the sentence may hold one of the lower-case `words` as a whole word.

        `words` must be a subset of `_WATCHED`.
        """
        return self.words is None or not self.words.isdisjoint(words)

    def may_rank(self) -> bool:
        """Whether `find_ranks` may find a rank: "top ..." or a digit in "#2", "No. 3", "3rd"."""
        return self.any_of(_TOP) or (
            self.digit
            and (
                "#" in self._sentence
                or self.any_of(_NO)
                or _ORDINAL_HINT.search(self._sentence) is not None
            )
        )

    def may_count(self) -> bool:
        """Whether `find_counts` may find a count: its number is a number word, or digits that
        a word follows (`_COUNT_HINT`)."""
        return self.any_of(_NUMBER_WORDS) or (
            self.digit and _COUNT_HINT.search(self._sentence) is not None
        )

    def may_contain(self, hint: re.Pattern[str]) -> bool:
        """Whether the sentence may hold a match of `hint`, a pattern of lower-case text."""
        if self.words is None:
            return True
        if self._lowered is None:
            self._lowered = self._sentence.lower()
        return hint.search(self._lowered) is not None


def _probability_label_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A label that names a distribution: a scenario or probability word as its head.

    `Survival probability`, `Likely outcomes`, `Exit scenarios` and `Odds of an exit` match
    (a plural of a phrase too); `Revenue growth` and `Market share` do not, nor does a label
    that only mentions one in passing (`Base case revenue`).
    """
    ordered = sorted({p.casefold() for p in phrases if p}, key=len, reverse=True)
    if not ordered:
        return None
    body = "|".join(
        re.escape(p[:-1]) + "(?:y|ies)" if p.endswith("y") else re.escape(p) + "(?:e?s)?"
        for p in ordered
    ).replace(r"\ ", r"\s+")
    return re.compile(
        rf"(?:^|[\s-])(?:{body})$|^(?:{body})\s+(?:of|for|by|to|in|over|through)\b",
        re.IGNORECASE,
    )


def _phrase_pattern(phrases: Iterable[str], tail: str = "") -> re.Pattern[str] | None:
    ordered = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not ordered:
        return None
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-]){tail}", re.IGNORECASE)


@dataclass(frozen=True)
class _Patterns:
    open: re.Pattern[str] | None
    closed: re.Pattern[str] | None
    negation: re.Pattern[str] | None
    maturity: list[tuple[str, int, re.Pattern[str]]]
    status: list[tuple[str, Money | None, re.Pattern[str]]]
    retraction: re.Pattern[str] | None
    revenue: list[tuple[str, re.Pattern[str]]]
    valuation: re.Pattern[str] | None
    superlative: re.Pattern[str] | None
    hypothetical: re.Pattern[str] | None
    rounds: re.Pattern[str] | None
    additional: re.Pattern[str] | None
    total: re.Pattern[str] | None
    roles: re.Pattern[str] | None
    person_prose: re.Pattern[str] | None
    # Labels of an inline distribution, from the probability and scenario column names.
    probability_label: re.Pattern[str] | None
    scenario_label: re.Pattern[str] | None
    # For `_Words`, by `id` of the patterns above: those that a word lets match in a sentence
    # (a sentence must hold one of a pattern's trigger words), those without trigger words,
    # and all of them.
    triggers: dict[str, frozenset[int]]
    untriggered: frozenset[int]
    every: frozenset[int]
    # The trigger words and every word of `_WATCHED`: the words `_Words` looks for.
    watched: frozenset[str]
    watched_bytes: frozenset[bytes]  # the same, ASCII-encoded
    maturity_ids: frozenset[int]
    status_ids: frozenset[int]
    # The phrases that valuations, revenue and rounds read money beside.
    money_ids: frozenset[int]
    open_ids: frozenset[int]  # of `open` and `closed`
    # Of `hypothetical`, `retraction`, `person_prose` and `superlative` (`id(None)` if None,
    # which no `_Words.may` holds).
    hypothetical_id: int
    retraction_id: int
    person_prose_id: int
    superlative_id: int


def _patterns(vocab: Vocabulary) -> _Patterns:
    ph = vocab.phrases
    triggers: dict[str, set[int]] = {}
    untriggered: set[int] = set()
    every: set[int] = set()

    def add(pattern: re.Pattern[str] | None, words: frozenset[str] | None) -> None:
        if pattern is None:
            return
        every.add(id(pattern))
        if words is None:
            untriggered.add(id(pattern))
        for word in words or ():
            triggers.setdefault(word, set()).add(id(pattern))

    def phrase_pattern(phrases: Iterable[str], tail: str = "") -> re.Pattern[str] | None:
        phrases = tuple(p for p in phrases if p)
        pattern = _phrase_pattern(phrases, tail)
        add(pattern, _trigger(phrases))
        return pattern

    maturity = []
    for stage in ph.maturity:
        # "in production" describes a product only at a clause end, not in "in production vehicles".
        plain = [p for p in stage.phrases if not p.startswith("in ")]
        inside = [p for p in stage.phrases if p.startswith("in ")]
        for group, tail in ((plain, ""), (inside, r"(?=\s*(?:[.,;:)\]]|$))")):
            pattern = phrase_pattern(group, tail)
            if pattern is not None:
                maturity.append((stage.stage, stage.level, pattern))
    status = []
    for term in ph.status:
        threshold = None
        if term.threshold is not None:
            amount = term.threshold.amount
            threshold = Money(text="", currency=term.threshold.currency, low=amount, high=amount)
        pattern = phrase_pattern(term.phrases)
        if pattern is not None:
            status.append((term.status, threshold, pattern))
    revenue = []
    for metric in ("revenue_target", "arr", "revenue"):
        pattern = phrase_pattern(getattr(ph.revenue, metric))
        if pattern is not None:
            revenue.append((metric, pattern))
    valuation = phrase_pattern(ph.valuation)
    rounds = phrase_pattern(ph.funding_rounds)
    money = [valuation, rounds, *(pattern for _m, pattern in revenue)]
    person_prose = _person_prose_pattern(ph.roles)
    add(person_prose, frozenset({"since", "joined"}))
    open_ = phrase_pattern(ph.open_weights.get("open", ()))
    closed = phrase_pattern(ph.open_weights.get("closed", ()))
    retraction = phrase_pattern(ph.retraction.markers)
    superlative = phrase_pattern(ph.superlatives)
    hypothetical = phrase_pattern(ph.hypothetical)
    result = _Patterns(
        open=open_,
        closed=closed,
        negation=phrase_pattern(ph.negations),
        maturity=maturity,
        status=status,
        retraction=retraction,
        revenue=revenue,
        valuation=valuation,
        superlative=superlative,
        hypothetical=hypothetical,
        rounds=rounds,
        additional=phrase_pattern(ph.round_additional),
        total=phrase_pattern(ph.total_funding),
        roles=phrase_pattern(ph.roles),
        person_prose=person_prose,
        probability_label=_probability_label_pattern(vocab.columns.get("probability", ())),
        scenario_label=_probability_label_pattern(vocab.columns.get("scenario", ())),
        triggers={word: frozenset(ids) for word, ids in triggers.items()},
        untriggered=frozenset(untriggered),
        every=frozenset(every),
        watched=frozenset(triggers.keys() | _WATCHED),
        watched_bytes=frozenset(w.encode() for w in triggers.keys() | _WATCHED),
        maturity_ids=frozenset(id(pattern) for _s, _l, pattern in maturity),
        status_ids=frozenset(id(pattern) for _s, _t, pattern in status),
        money_ids=frozenset(id(pattern) for pattern in money if pattern is not None),
        open_ids=frozenset(id(pattern) for pattern in (open_, closed) if pattern is not None),
        hypothetical_id=id(hypothetical),
        retraction_id=id(retraction),
        person_prose_id=id(person_prose),
        superlative_id=id(superlative),
    )
    return result


class _Context(NamedTuple):
    """What the surroundings of a sentence say: its label, date, subject and section.

    A named tuple rather than a dataclass: one is made or changed for nearly every block.
    """

    origin: Origin
    section: tuple[str, ...]
    date: DateValue | None = None
    model: str | None = None  # model key the block is about (from a label or a row)
    entity: str | None = None  # organisation key the block is about, when not the company
    label: str = ""
    hypothetical: bool = False


class _Label(NamedTuple):
    """What extraction reads off a block's label, once per label."""

    text: str  # normalised
    revenue: bool  # the label names a revenue metric: its first amount is that metric
    rounds: bool  # the label names a funding round (`_Patterns.rounds` finds one in `text`)
    # The phrases of `_Patterns.money_ids` beside which an amount in a sentence can still be
    # a claim under this label: none of valuation under a valuation label, nor of rounds under
    # a round label (`_labelled` reads those).
    money_ids: frozenset[int]


class _LabelRead(NamedTuple):
    """What a block's label sets in the block's context (`_Extractor._label_updates`)."""

    label: str
    date: DateValue | None  # None: the context's
    model: str | None  # None: the context's
    entity: str | None  # the organisation it names, None for the company
    sets_entity: bool  # False: the context's entity stays
    hypothetical: bool  # False: the context's mood stays

    def apply(self, ctx: _Context) -> _Context:
        """`ctx` under this label (one tuple made, where `_replace` goes through a dict)."""
        return _Context(
            ctx.origin,
            ctx.section,
            ctx.date if self.date is None else self.date,
            ctx.model if self.model is None else self.model,
            self.entity if self.sets_entity else ctx.entity,
            self.label,
            self.hypothetical or ctx.hypothetical,
        )


class _Extractor:
    def __init__(self, doc: Document, vocab: Vocabulary) -> None:
        self.doc = doc
        self.vocab = vocab
        self.p = vocab.memo("extract-patterns", _patterns)
        self._header_fields: dict[int, list[str | None]] = {}  # by `id` of the table
        self._words: dict[str, _Words] = {}  # by sentence
        self.ents: Entities = find_entities(doc, vocab, self._fields_of)
        self.claims: list[Claim] = []
        self._hypothetical: dict[tuple[str, ...], bool] = {}  # by section titles below the top
        self._section_dates: dict[str, tuple[DateValue, ...]] = {}  # by heading title
        self._labels: dict[str, _Label] = {}
        self._by_path: dict[tuple[str, ...], Section] | None = None
        self._label_reads: dict[str, tuple[int, _LabelRead | None]] = {}  # by block text
        # The context of the last text block before its labels, and what it was made of.
        self._text_base: tuple[Section | None, Origin, str | None, _Context] | None = None

    def _fields_of(self, table: Table) -> list[str | None]:
        """The field each header cell of `table` names, read once for entities and claims."""
        found = self._header_fields.get(id(table))
        if found is None:
            found = self._header_fields[id(table)] = header_fields(self.vocab, table)
        return found

    def _label(self, label: str) -> _Label:
        found = self._labels.get(label)
        if found is None:
            p = self.p
            text = normalise_label(label)
            revenue = any(pattern.fullmatch(text) for _m, pattern in p.revenue)
            money_ids = p.money_ids
            if text.startswith("valuation"):
                money_ids -= {id(p.valuation)}  # `_valuations` reads nothing
            rounds = p.rounds is not None and p.rounds.search(text) is not None
            if rounds:
                money_ids -= {id(p.rounds)}  # nor `_funding`
            found = self._labels[label] = _Label(text, revenue, rounds, money_ids)
        return found

    # -- claim construction -------------------------------------------------------------

    def _add(
        self,
        cls: type[Any],
        start: int,
        end: int,
        ctx: _Context,
        subject: tuple[str, str, SubjectType],
        fields: dict[str, Any],
    ) -> None:
        """Make a claim of `fields` and the fields every claim has, at `doc.text[start:end]`.

        The common fields go into `fields` itself: one dict per claim, not two merged.
        """
        doc = self.doc
        loc = doc.location(start, end)
        fields["subject"], fields["subject_key"], fields["subject_type"] = subject
        fields["evidence"] = doc.text[start:end]
        fields["origin"] = ctx.origin
        fields["section"] = ctx.section
        fields["path"] = doc.path
        fields["line"] = loc.line
        fields["column"] = loc.column
        fields["end_line"] = loc.end_line
        fields["end_column"] = loc.end_column
        fields["offset"] = start
        fields["end_offset"] = end
        self.claims.append(cls(**fields))

    def _emit(
        self,
        cls: type[Any],
        inline: Inline,
        start: int,
        end: int,
        ctx: _Context,
        subject: tuple[str, str, SubjectType],
        **fields: Any,
    ) -> None:
        lo, hi = inline.span(start, end)
        self._add(cls, lo, hi, ctx, subject, fields)

    def _company(self) -> tuple[str, str, SubjectType]:
        name = self.ents.company or "(document)"
        return (name, self.ents.company_key or entity_key(name), "company")

    def _model(self, key: str) -> tuple[str, str, SubjectType]:
        return (self.ents.models.get(key, key), key, "model")

    def _org_subject(
        self, text: str, at: int, lo: int, ctx: _Context
    ) -> tuple[str, str, SubjectType] | None:
        """Attribute a company-level value at `at` to the nearest organisation named before it."""
        best: tuple[int, str] | None = None
        for s, _e, found in self.ents.orgs_in(text):
            if lo <= s < at and (best is None or s > best[0]):
                best = (s, found)
        key = best[1] if best else (ctx.entity or self.ents.company_key)
        if key is None:
            return None
        if key == self.ents.company_key:
            return self._company()
        return (self.ents.others.get(key, key), key, "company")

    # -- driving ------------------------------------------------------------------------

    def run(self) -> list[Claim]:
        entity: str | None = None
        entity_section: Section | None = None
        for block in self.doc.blocks:
            if isinstance(block, Heading):
                continue
            section = block.section
            if section is not entity_section:
                entity, entity_section = self._section_entity(section), section
            if isinstance(block, Table):
                self._table(block, section, entity)
            elif isinstance(block, Paragraph):
                if is_pseudo_heading(self.doc, block):
                    entity = self._entity_of(block.inline.text) or self._section_entity(section)
                self._text(block.inline, "prose", section, entity)
            else:
                self._text(block.inline, "list", section, entity, item=block)
        self._probability_lists()
        self._probability_headings()
        self._links()
        self.claims.sort(key=_CLAIM_ORDER)
        return self.claims

    def _entity_of(self, text: str) -> str | None:
        found = self.ents.orgs_in(text)
        if not found:
            return None
        return min(found)[2]

    def _section_entity(self, section: Section | None) -> str | None:
        while section is not None:
            found = self._entity_of(section.title)
            if found is not None:
                return found
            section = self._sections_by_path().get(section.path[:-1])
        return None

    def _sections_by_path(self) -> dict[tuple[str, ...], Section]:
        """The first section of each heading path, made on first use."""
        if self._by_path is None:
            self._by_path = {}
            for s in self.doc.sections:
                self._by_path.setdefault(s.path, s)
        return self._by_path

    def _section_date(self, path: tuple[str, ...]) -> DateValue | None:
        """The date a heading of the block states (`### March 2024`), the innermost first.

        A heading with more than one date (`2023 vs 2025`) dates nothing.
        """
        for title in reversed(path[1:]):
            found = self._section_dates.get(title)
            if found is None:
                dates = find_dates(title)
                found = self._section_dates[title] = (
                    (_strip_offsets(dates[0]),) if len(dates) == 1 else ()
                )
            if found:
                return found[0]
        return None

    def _hypothetical_section(self, section: Section | None) -> bool:
        if section is None or self.p.hypothetical is None:
            return False
        titles = section.path[1:]
        found = self._hypothetical.get(titles)
        if found is None:
            found = self._hypothetical[titles] = any(
                self.p.hypothetical.search(title) for title in titles
            )
        return found

    # -- tables -------------------------------------------------------------------------

    def _table(self, table: Table, section: Section | None, entity: str | None) -> None:
        fields = self._fields_of(table)
        col = {f: i for i, f in reversed(list(enumerate(fields))) if f is not None}
        path = section.path if section else ()
        base = _Context(
            origin="table",
            section=path,
            entity=entity,
            hypothetical=self._hypothetical_section(section),
        )
        if "model" in col and col.keys() & {"release", "size", "open_weights", "context"}:
            for row in table.rows:
                self._model_row(row, col, base)
        elif "round" in col and col.keys() & {"amount", "valuation", "pre_money"}:
            for row in table.rows:
                self._funding_row(row, col, base)
        elif "metric" in col and "rank" in col:
            for row in table.rows:
                self._ranking_row(row, col, base)
        elif "person" in col and "role" in col:
            for row in table.rows:
                self._person_row(row, col, base)
        elif "date" in col and "event" in col:
            for row in table.rows:
                self._event_row(row, col, base)

    @staticmethod
    def _cell(row: Sequence[Any], index: int | None) -> Inline | None:
        if index is None or index >= len(row):
            return None
        inline: Inline = row[index].inline
        return inline if inline.text.strip() else None

    def _model_row(self, row: Sequence[Any], col: dict[str, int], ctx: _Context) -> None:
        name_cell = self._cell(row, col["model"])
        if name_cell is None:
            return
        keys = [
            entity_key(n) for n in split_names(name_cell.text) if entity_key(n) in self.ents.models
        ]
        release = self._cell(row, col.get("release"))
        date = parse_date(release.text.strip("* ")) if release else None
        for key in keys:
            subject = self._model(key)
            if release and date:
                self._emit(ReleaseClaim, release, 0, len(release.text), ctx, subject, date=date)
            size_cell = self._cell(row, col.get("size"))
            size = parse_size(size_cell.text.strip("* ")) if size_cell else None
            if size_cell and size:
                self._emit(
                    ModelSizeClaim,
                    size_cell,
                    0,
                    len(size_cell.text),
                    ctx,
                    subject,
                    size=size,
                    date=date,
                )
            ow = self._cell(row, col.get("open_weights"))
            value = self.vocab.cell_value("open_weights", ow.text) if ow else None
            if ow and value:
                self._emit(OpenWeightsClaim, ow, 0, len(ow.text), ctx, subject, value=value)
            context = self._cell(row, col.get("context"))
            tokens = _context_length(context.text) if context else None
            if context and tokens:
                self._emit(
                    ContextLengthClaim, context, 0, len(context.text), ctx, subject, tokens=tokens
                )

    def _funding_row(self, row: Sequence[Any], col: dict[str, int], ctx: _Context) -> None:
        round_cell = self._cell(row, col["round"])
        if round_cell is None:
            return
        label = round_cell.text.strip("* ")
        is_total = bool(self.p.total and self.p.total.match(normalise_label(label)))
        amount_cell = self._cell(row, col.get("amount"))
        date_cell = self._cell(row, col.get("date"))
        val_cell = self._cell(row, col.get("valuation"))
        inv_cell = self._cell(row, col.get("investors"))
        amount = parse_money(amount_cell.text.strip("* ")) if amount_cell else None
        date = parse_date(date_cell.text.strip("* ")) if date_cell else None
        valuation = _first_money(val_cell.text) if val_cell else None
        if val_cell is None:
            # A pre-money valuation is the company before the round: the round's (post-money)
            # valuation adds the amount. It makes no valuation claim of its own, whose
            # evidence (the cell) would not say that it is pre-money.
            pre_cell = self._cell(row, col.get("pre_money"))
            pre = _first_money(pre_cell.text) if pre_cell else None
            valuation = _post_money(pre, amount) if pre is not None else None
        investors = (
            tuple(n for n in split_names(inv_cell.text) if n not in {"-", "—"}) if inv_cell else ()
        )
        subject = self._company() if ctx.entity is None else self._org(ctx.entity)
        undisclosed = bool(amount_cell and _UNDISCLOSED.search(amount_cell.text))
        if amount is None and valuation is None and not undisclosed:
            return
        self._emit(
            FundingRoundClaim,
            round_cell,
            0,
            len(round_cell.text),
            ctx,
            subject,
            round=_round_key(label, self.p),
            round_label=label,
            amount=amount,
            undisclosed=undisclosed,
            valuation=valuation,
            investors=investors,
            is_total=is_total,
            date=date,
        )
        if val_cell and valuation and not is_total:
            self._emit(
                ValuationClaim,
                val_cell,
                0,
                len(val_cell.text),
                ctx,
                subject,
                value=valuation,
                date=date,
            )
            self._status(val_cell, 0, len(val_cell.text), ctx._replace(date=date), subject)

    def _org(self, key: str) -> tuple[str, str, SubjectType]:
        if key == self.ents.company_key:
            return self._company()
        return (self.ents.others.get(key, key), key, "company")

    def _ranking_row(self, row: Sequence[Any], col: dict[str, int], ctx: _Context) -> None:
        metric, rank_cell = self._cell(row, col["metric"]), self._cell(row, col["rank"])
        if metric is None or rank_cell is None:
            return
        rank = parse_rank(rank_cell.text.strip("* "))
        if rank is None:
            return
        subject = self._row_subject(row, col, ctx)
        if subject is None:
            return
        label = metric.text.strip("* ")
        date_cell = self._cell(row, col.get("date"))
        date = parse_date(date_cell.text.strip("* ")) if date_cell else None
        self._emit(
            RankingClaim,
            rank_cell,
            0,
            len(rank_cell.text),
            ctx,
            subject,
            scope=_scope_key(label),
            scope_label=label,
            rank=rank,
            date=date or ctx.date or self._section_date(ctx.section),
        )

    def _row_subject(
        self, row: Sequence[Any], col: dict[str, int], ctx: _Context
    ) -> tuple[str, str, SubjectType] | None:
        """Whom a row is about: its model or organisation cell, else the table's entity.

        A row whose model cell names no model of the dossier, or several, is about another
        model, and one whose organisation cell is empty of a name says nothing: None.
        """
        model_cell = self._cell(row, col.get("model"))
        if model_cell is not None:
            keys = {entity_key(n) for n in split_names(model_cell.text)}
            known = keys & self.ents.models.keys()
            if len(known) == 1 and len(keys) == 1:
                return self._model(known.pop())
            # A "Name" column may name an organisation the dossier knows.
            org = self._entity_of(model_cell.text) if len(keys) == 1 else None
            return self._org(org) if org is not None else None
        org_cell = self._cell(row, col.get("organisation"))
        if org_cell is not None:
            name = org_cell.text.strip("* ")
            key = self._entity_of(name) or company_key(name)
            if not key:
                return None
            if key != self.ents.company_key:
                self.ents.others.setdefault(key, name)
            return self._org(key)
        return self._company() if ctx.entity is None else self._org(ctx.entity)

    def _person_row(self, row: Sequence[Any], col: dict[str, int], ctx: _Context) -> None:
        name, role = self._cell(row, col["person"]), self._cell(row, col["role"])
        if name is None or role is None:
            return
        since_cell = self._cell(row, col.get("since"))
        since = parse_date(since_cell.text.strip("* ")) if since_cell else None
        person = name.text.strip("* ")
        self._emit(
            PersonClaim,
            role,
            0,
            len(role.text),
            ctx,
            self._person(person),
            role=_role(role.text),
            employer=self.ents.company,
            since=since,
        )

    def _event_row(self, row: Sequence[Any], col: dict[str, int], ctx: _Context) -> None:
        date_cell = self._cell(row, col["date"])
        date = parse_date(date_cell.text.strip("* ")) if date_cell else None
        event = self._cell(row, col["event"])
        model = None
        if event is not None:
            mentions = self.ents.models_in(event.text)
            if mentions and mentions[0][1] - mentions[0][0] >= len(event.text.strip("* ")) - 1:
                model = mentions[0][2]
                self._emit(
                    ReleaseClaim, event, 0, len(event.text), ctx, self._model(model), date=date
                ) if date else None
        row_ctx = ctx._replace(date=date, model=model, origin="table")
        for i, cell in enumerate(row):
            if i != col["date"] and cell.inline.text.strip():
                self._sentences(cell.inline, 0, row_ctx)

    # -- text blocks --------------------------------------------------------------------

    def _text(
        self,
        inline: Inline,
        origin: Origin,
        section: Section | None,
        entity: str | None,
        item: ListItem | None = None,
    ) -> None:
        text = inline.text
        if not text or text.isspace():
            return
        base = self._text_base
        if base is None or base[0] is not section or base[1] != origin or base[2] != entity:
            # Blocks come section by section, most of one kind and about one entity: their
            # context before their labels is made once for each run of them.
            path = section.path if section else ()
            mood = self._hypothetical_section(section)
            ctx = _Context(origin, path, None, None, entity, "", mood)
            self._text_base = (section, origin, entity, ctx)
        else:
            ctx = base[3]
        parent = item.parent if item else None
        if parent is not None:
            # Every item of a list reads its parent's label.
            found = self._labelled_text(parent.inline.text)
            if found[1] is not None:
                ctx = found[1].apply(ctx)
        body, updates = self._labelled_text(text)
        if updates is not None:
            ctx = updates.apply(ctx)
        lead = self._lead_entity(text) if not ctx.label else None
        if lead is not None:
            ctx = ctx._replace(entity=lead)
        if ctx.label:
            self._labelled(inline, body, ctx)
            # Only a block with a percentage after its label can list outcomes.
            if text.find("%", body) >= 0:
                self._inline_probabilities(inline, body, ctx)
        self._sentences(inline, body, ctx)

    def _lead_entity(self, text: str) -> str | None:
        """A block that opens with another organisation as its subject is about that organisation.

        "Kinetica is the closest rival. It was valued at €900M ..." attributes the valuation to
        Kinetica, not to the company the dossier is about.
        """
        # `_LEAD_HINT` matches wherever `_LEAD_NAME` does, in time linear in the name; both
        # start with a capital, and many blocks do not.
        if not "A" <= text[0] <= "Z":
            return None
        match = _LEAD_NAME.match(text) if _LEAD_HINT.match(text) else None
        if match is None:
            return None
        name = match.group(1)
        if name.split()[0] in _NOT_NAMES or self.ents.company_in(name) or self.ents.models_in(name):
            return None
        key = company_key(name)
        if key == self.ents.company_key:
            return None
        self.ents.others.setdefault(key, name)
        return key

    def _labelled_text(self, text: str) -> tuple[int, _LabelRead | None]:
        """`_label_updates(text)`, once per text: list items read their parents' labels, and
        a document repeats itself."""
        found = self._label_reads.get(text)
        if found is None:
            found = self._label_reads[text] = self._label_updates(text)
        return found

    def _label_updates(self, text: str) -> tuple[int, _LabelRead | None]:
        """Read a `Label: value` prefix: a date, a model, an organisation or a field name.

        Returns where the value starts and what the label sets in the block's context, or
        `(0, None)` for a block without a label.
        """
        # The substring tests are cheap and most blocks have no label.
        match = (":" in text and _COLON_LABEL.match(text)) or (
            ("—" in text or "–" in text) and _LABEL.match(text)
        )
        if not match:
            return 0, None
        label = match.group(1).strip()
        if len(label.split()) > 6 or _CLAUSE_VERB.search(label):
            # A sentence that happens to contain a colon ("Wren-4 is API-only: ..."), not a label
            return 0, None
        # A label in which find_dates finds no date is none (most hold none), and parse_date
        # reads no date find_dates misses (tests/test_quantities_equivalence.py pins it).
        found = find_dates(label)
        date = parse_date(label) if found else None
        if date is None and len(found) == 1:
            date = _strip_offsets(found[0])
        model = None
        models = self.ents.models_in(label)
        if models and models[0][1] - models[0][0] >= len(label) - 1:
            model = models[0][2]
        entity = self._entity_of(label)
        sets_entity = entity is not None or entity == self.ents.company_key
        if entity == self.ents.company_key:
            entity = None
        # "30%: Independent growth ..." is a scenario
        hypothetical = (
            self.p.hypothetical is not None and self.p.hypothetical.search(label) is not None
        ) or _PERCENT_LABEL.fullmatch(label.strip("* ")) is not None
        return match.end(), _LabelRead(label, date, model, entity, sets_entity, hypothetical)

    def _labelled(self, inline: Inline, body: int, ctx: _Context) -> None:
        """Claims whose meaning comes from the label: `Valuation: $2B`, `Series B (2024): $100M`."""
        read = self._label(ctx.label)
        label = read.text
        text = inline.text
        if read.rounds and not ctx.hypothetical:
            amount = _first_money(text[body:])
            undisclosed = amount is None and bool(_UNDISCLOSED.search(text[body:]))
            if amount is not None or undisclosed:
                self._emit(
                    FundingRoundClaim,
                    inline,
                    0,
                    len(text),
                    ctx,
                    self._label_subject(ctx),
                    round=_round_key(ctx.label, self.p, text[body:]),
                    round_label=_strip_parens(ctx.label),
                    amount=amount,
                    undisclosed=undisclosed,
                    date=ctx.date,
                )
        elif (self.p.total and self.p.total.fullmatch(label)) or (
            # `_TOTAL_LABEL` holds "total" or " to date", which the lower-cased label spells so
            ("total" in label or " to date" in label) and _TOTAL_LABEL.search(label)
        ):
            amount = _first_money(text[body:])
            if amount is not None:
                self._emit(
                    FundingRoundClaim,
                    inline,
                    0,
                    len(text),
                    ctx,
                    self._label_subject(ctx),
                    round="total",
                    round_label=ctx.label,
                    amount=amount,
                    is_total=True,
                    date=ctx.date,
                )
        elif label.startswith("valuation") and not ctx.hypothetical:
            money = find_money(text[body:])
            if money:
                m = money[0]
                date = ctx.date or _date_after(text, body + m.end)
                self._emit(
                    ValuationClaim,
                    inline,
                    body + m.start,
                    body + m.end,
                    ctx,
                    self._label_subject(ctx),
                    value=_strip_offsets(m),
                    date=date,
                )
        self._person_label(inline, body, ctx)

    def _label_subject(self, ctx: _Context) -> tuple[str, str, SubjectType]:
        return self._org(ctx.entity) if ctx.entity else self._company()

    def _inline_probabilities(self, inline: Inline, body: int, ctx: _Context) -> None:
        """A distribution in one line: `Survival probability: 50% independent, 50% acquired`.

        The label must name probabilities or scenarios, so that `Growth: 50% revenue, 20%
        margin` is no distribution; the outcomes run to the end of the first sentence or line,
        and every part of them must be one outcome with one percentage. A label that names
        scenarios or outcomes but no probability (`Key outcomes: revenue up 50%, margins 20%`)
        may list results, not odds: its percentages must add up to 100.
        """
        label = _strip_parens(normalise_label(ctx.label))
        probability, scenario = self.p.probability_label, self.p.scenario_label
        odds = probability is not None and probability.search(label) is not None
        if not odds and (scenario is None or not scenario.search(label)):
            return
        text = inline.text
        stop = _SENTENCE_END.search(text, body)
        end = stop.start() if stop else len(text)
        items = _inline_items(text, body, end)
        if items is None:
            return
        if not odds and abs(sum((i.percent.low for i in items[0]), Decimal(0)) - 100) > 1:
            return
        subject = self._org(ctx.entity) if ctx.entity else self._company()
        self._emit(
            ProbabilitiesClaim,
            inline,
            body,
            items[1],
            ctx,
            subject,
            items=items[0],
            date=ctx.date,
        )

    def _person_label(self, inline: Inline, body: int, ctx: _Context) -> None:
        """`Jiang Daxin (姜大昕): Founder, CEO` or `Founder & CEO: Wang Xiaochuan`."""
        if self.p.roles is None:
            return
        text = inline.text
        label = _strip_parens(ctx.label)
        value = text[body:]
        if _PERSON.match(label) and entity_key(label) not in self.ents.models:
            if self._entity_of(label) is None:
                self._person_roles(inline, body, ctx, label)
        elif self.p.roles.fullmatch(normalise_label(label).split(" & ")[0]):
            name = _strip_parens(value.split(",")[0]).strip()
            if _PERSON.match(name):
                self._emit(
                    PersonClaim,
                    inline,
                    0,
                    len(text),
                    ctx,
                    self._person(name),
                    role=_role(label),
                    employer=self.ents.company,
                )

    def _person(self, name: str) -> tuple[str, str, SubjectType]:
        plain = _TITLE.sub("", name).strip()
        return (plain, entity_key(plain), "person")

    def _person_roles(self, inline: Inline, body: int, ctx: _Context, name: str) -> None:
        """One claim per current role in `Founder, CEO; CFO since 2020; CEO 2017 to 2019`.

        A role with an end date is past and says nothing about who holds it now; a role named
        as former or previous belongs to another employer.
        """
        roles_re = self.p.roles
        assert roles_re is not None
        text = inline.text
        parts = list(_ROLE_PARTS.finditer(text, body))
        for n, part in enumerate(parts):
            roles = [_role(m.group(0)) for m in roles_re.finditer(part.group(0))]
            if not roles:
                continue
            # The segments after a role, up to the next one, qualify it: "CSO, 2017 to 2019".
            end = part.end()
            for later in parts[n + 1 :]:
                if roles_re.search(later.group(0)):
                    break
                end = later.end()
            scope = text[part.start() : end]
            if _FORMER_ROLE.search(part.group(0)) or _ENDED_ROLE.search(scope):
                continue
            since = _SINCE.search(scope)
            found = find_dates(scope[since.end() :]) if since else []
            start = part.start() + len(part.group(0)) - len(part.group(0).lstrip(" ,;"))
            self._emit(
                PersonClaim,
                inline,
                start,
                part.end(),
                ctx,
                self._person(name),
                role=", ".join(roles),
                employer=self.ents.company,
                since=_strip_offsets(found[0]) if found else None,
            )

    def _person_prose(
        self, inline: Inline, lo: int, hi: int, ctx: _Context, words: _Words
    ) -> None:
        """`Ingrid Solberg has been COO since 2023`, `Sophie Laurent joined as CFO in 2024`."""
        pattern = self.p.person_prose
        if pattern is None or not self._may_match(pattern, words):
            return
        text = inline.text
        for m in pattern.finditer(text, lo, hi):
            name = m.group("name") or m.group("name2")
            role = m.group("role") or m.group("role2")
            if self.ents.company_in(name) or self.ents.models_in(name):
                continue
            found = find_dates(m.group("when") or m.group("when2") or "")
            self._emit(
                PersonClaim,
                inline,
                m.start(),
                m.end(),
                ctx,
                self._person(name),
                role=_role(role),
                employer=self.ents.company,
                since=_strip_offsets(found[0]) if found else None,
            )

    def _sentences(self, inline: Inline, body: int, ctx: _Context) -> None:
        text = inline.text
        start = body
        for match in _sentence_ends(text, body):
            self._sentence(inline, start, match.start(), ctx)
            start = match.end()
        self._sentence(inline, start, len(text), ctx)

    @staticmethod
    def _may_match(pattern: re.Pattern[str] | None, words: _Words) -> bool:
        """Whether a phrase pattern can match in the sentence of `words`."""
        return pattern is not None and id(pattern) in words.may

    def _sentence(self, inline: Inline, lo: int, hi: int, ctx: _Context) -> None:
        text = inline.text
        sentence = text[lo:hi]
        if not sentence or sentence.isspace():
            return
        p = self.p
        # A document repeats sentences (list items, boilerplate): each is read once.
        words = self._words.get(sentence)
        if words is None:
            words = self._words[sentence] = _Words(sentence, p)
        may = words.may  # extractors whose phrases cannot occur here are not called
        digit = words.digit
        # The watched words the sentence may hold: `not found.isdisjoint(x)` is
        # `words.any_of(x)` without a call (every watched word for a sentence with odd folds).
        found = _WATCHED if words.words is None else words.words
        if not (digit or may or found or ctx.date is not None):
            return  # every extractor below needs a digit, a date, a watched word or a phrase
        hypothetical = ctx.hypothetical or bool(
            p.hypothetical_id in may and p.hypothetical and p.hypothetical.search(sentence)
        )
        retracted = bool(
            p.retraction_id in may and p.retraction and p.retraction.search(sentence)
        )
        open_weights = not may.isdisjoint(p.open_ids)
        maturity = not may.isdisjoint(p.maturity_ids)
        # Sizes and context lengths need a digit or a scale word, releases a date.
        facts = digit or ctx.date is not None or not found.isdisjoint(_SIZE_WORDS)
        # Open weights, maturity and model facts are claims about a model: the context's, or
        # one the sentence names (`_nearest_model`). Most sentences name none.
        model = (open_weights or maturity or facts) and (
            ctx.model is not None or (self.ents.has_models and bool(self.ents.models_in(sentence)))
        )
        if model and open_weights:
            self._open_weights(inline, lo, hi, ctx, words)
        if model and maturity:
            self._maturity(inline, lo, hi, ctx, words)
        if p.person_prose_id in may:
            self._person_prose(inline, lo, hi, ctx, words)
        if model and facts:
            self._model_facts(inline, lo, hi, ctx, words)
        if retracted:
            self._retraction(inline, lo, hi, ctx)
            return
        if hypothetical:
            return  # no rankings either: a scenario's rank is no claim
        ranks = words.may_rank()
        if ranks or p.superlative_id in may:
            self._rankings(inline, lo, hi, ctx, words, sentence if ranks else None)
        if not may.isdisjoint(p.status_ids):
            first_status = min(
                (
                    m.start()
                    for _s, _t, pattern in p.status
                    if id(pattern) in may
                    for m in [pattern.search(text, lo, hi)]
                    if m is not None
                ),
                default=None,
            )
            if first_status is not None:
                subject = self._org_subject(text, first_status, lo, ctx)
                if subject is not None:
                    self._status(inline, lo, hi, ctx, subject)
        # One scan for money serves valuations, revenue and rounds, which all need an amount
        # and a phrase of theirs in the sentence (or, for revenue, as the label).
        if digit or not found.isdisjoint(_VAGUE_MONEY_WORDS):
            label = self._label(ctx.label)
            if label.revenue or not may.isdisjoint(label.money_ids):
                money = find_money(sentence)
                if money:
                    self._valuations(inline, lo, hi, ctx, words, money, label.text)
                    self._revenue(inline, lo, hi, ctx, words, money, label.text)
                    self._funding(inline, lo, hi, ctx, words, money, label.text)
        if words.may_count():
            self._counts(inline, lo, hi, ctx, sentence)

    def _nearest_model(self, text: str, lo: int, hi: int, at: int, ctx: _Context) -> str | None:
        if ctx.model is not None:
            return ctx.model
        mentions = [(abs(s - at), s, key) for s, _e, key in self.ents.models_in(text[lo:hi])]
        if not mentions:
            return None
        return min(mentions)[2]

    def _negated(self, text: str, at: int, lo: int) -> bool:
        if self.p.negation is None:
            return False
        window = text[max(lo, at - 24) : at]
        return bool(self.p.negation.search(window))

    def _open_weights(
        self, inline: Inline, lo: int, hi: int, ctx: _Context, words: _Words
    ) -> None:
        text = inline.text
        for value, pattern in (("open", self.p.open), ("closed", self.p.closed)):
            if pattern is None or not self._may_match(pattern, words):
                continue
            for m in pattern.finditer(text, lo, hi):
                key = self._nearest_model(text, lo, hi, m.start() - lo, ctx)
                if key is None:
                    continue
                negated = value == "open" and self._negated(text, m.start(), lo)
                if (
                    value == "open"
                    and self.p.closed
                    and any(
                        c.start() <= m.start() < c.end()
                        for c in self.p.closed.finditer(text, lo, hi)
                    )
                ):
                    continue  # "not open-source" is a closed phrase already
                start, end = self._span_with_model(text, lo, hi, m.start(), m.end(), key)
                self._emit(
                    OpenWeightsClaim,
                    inline,
                    start,
                    end,
                    ctx,
                    self._model(key),
                    value="closed" if negated else value,
                )

    def _span_with_model(
        self, text: str, lo: int, hi: int, s: int, e: int, key: str
    ) -> tuple[int, int]:
        for ms, me, mkey in self.ents.models_in(text[lo:hi]):
            if mkey == key:
                return min(s, lo + ms), max(e, lo + me)
        return s, e

    def _maturity(self, inline: Inline, lo: int, hi: int, ctx: _Context, words: _Words) -> None:
        text = inline.text
        for stage, level, pattern in self.p.maturity:
            if not self._may_match(pattern, words):
                continue
            for m in pattern.finditer(text, lo, hi):
                if self._negated(text, m.start(), lo):
                    continue
                key = self._nearest_model(text, lo, hi, m.start() - lo, ctx)
                if key is None:
                    continue
                start, end = self._span_with_model(text, lo, hi, m.start(), m.end(), key)
                self._emit(
                    MaturityClaim,
                    inline,
                    start,
                    end,
                    ctx,
                    self._model(key),
                    stage=stage,
                    level=level,
                    date=ctx.date or _first_date(text, lo, hi),
                )

    def _model_facts(
        self, inline: Inline, lo: int, hi: int, ctx: _Context, words: _Words
    ) -> None:
        text = inline.text
        sizes = find_sizes(text[lo:hi]) if words.digit or words.any_of(_SIZE_WORDS) else []
        for size in sizes:
            size = _approximate(text[lo:hi], size)
            key = self._nearest_model(text, lo, hi, size.start, ctx)
            if key is not None:
                start, end = self._span_with_model(
                    text, lo, hi, lo + size.start, lo + size.end, key
                )
                self._emit(
                    ModelSizeClaim,
                    inline,
                    start,
                    end,
                    ctx,
                    self._model(key),
                    size=_strip_offsets(size),
                )
        context = words.digit and words.may_contain(_CONTEXT_HINT)
        found = (
            [*_CONTEXT.finditer(text, lo, hi), *_CONTEXT_FULL.finditer(text, lo, hi)]
            if context
            else []
        )
        for m in found:
            key = self._nearest_model(text, lo, hi, m.start() - lo, ctx)
            tokens = _context_length(m.group(0))
            if key is not None and tokens is not None:
                named = {k for _s, _e, k in self.ents.models_in(text[lo:hi])}
                if ctx.model is None and len(named) > 1:
                    continue  # several models named: which one has this context is unclear
                self._emit(
                    ContextLengthClaim,
                    inline,
                    m.start(),
                    m.end(),
                    ctx,
                    self._model(key),
                    tokens=tokens,
                )
        # A release needs a date: the context's, or one in the sentence, which has digits then.
        dated = ctx.date is not None or words.digit
        verb = (
            _RELEASE_VERB.search(text, lo, hi)
            if dated and words.may_contain(_RELEASE_HINT)
            else None
        )
        if verb is not None:
            released = {k for _s, _e, k in self.ents.models_in(text[lo:hi])}
            if ctx.model is not None:
                released = {ctx.model}
            dates = find_dates(text[lo:hi])
            date = (
                ctx.date
                if ctx.date is not None and not dates
                else (dates[0] if len(dates) == 1 else None)
            )
            if len(released) == 1 and date is not None and date.precision != "range":
                self._emit(
                    ReleaseClaim,
                    inline,
                    lo,
                    hi,
                    ctx,
                    self._model(released.pop()),
                    date=_strip_offsets(date),
                )

    def _status(
        self, inline: Inline, lo: int, hi: int, ctx: _Context, subject: tuple[str, str, SubjectType]
    ) -> None:
        text = inline.text
        for status, threshold, pattern in self.p.status:
            for m in pattern.finditer(text, lo, hi):
                negated = (
                    self._negated(text, m.start(), lo)
                    or text[max(lo, m.start() - 4) : m.start()].casefold() == "pre-"
                )
                date = _date_after(text, m.end(), hi) or ctx.date or _first_date(text, lo, hi)
                self._emit(
                    StatusClaim,
                    inline,
                    lo,
                    hi,
                    ctx,
                    subject,
                    status=status,
                    negated=negated,
                    threshold=threshold,
                    date=date,
                )

    def _valuations(
        self,
        inline: Inline,
        lo: int,
        hi: int,
        ctx: _Context,
        words: _Words,
        amounts: list[Money],
        label: str,
    ) -> None:
        """Amounts next to a valuation phrase; `amounts` is all the money in the sentence."""
        if self.p.valuation is None or label.startswith("valuation"):
            return
        if not self._may_match(self.p.valuation, words):
            return
        text = inline.text
        money = [m for m in amounts if m.per is None]
        for v in self.p.valuation.finditer(text, lo, hi):
            near = [
                m
                for m in money
                if _gap(lo + m.start, lo + m.end, v.start(), v.end()) <= 16
                and not _CLAUSE_BREAK.search(
                    text[min(lo + m.end, v.end()) : max(lo + m.start, v.start())]
                )
            ]
            if not near:
                continue
            m = min(near, key=lambda q: _gap(lo + q.start, lo + q.end, v.start(), v.end()))
            money.remove(m)
            subject = self._org_subject(text, lo + m.start, lo, ctx)
            if subject is None:
                continue
            end = max(lo + m.end, v.end())
            date = _date_after(text, end, hi) or ctx.date
            self._emit(
                ValuationClaim,
                inline,
                min(lo + m.start, v.start()),
                end,
                ctx,
                subject,
                value=_strip_offsets(m),
                date=date,
            )

    def _revenue(
        self,
        inline: Inline,
        lo: int,
        hi: int,
        ctx: _Context,
        words: _Words,
        amounts: list[Money],
        label: str,
    ) -> None:
        """Amounts next to a revenue phrase, or the first amount under a revenue label."""
        text = inline.text
        money = [m for m in amounts if m.per is None]
        if not money:
            return
        for metric, pattern in self.p.revenue:
            found = list(pattern.finditer(text, lo, hi)) if self._may_match(pattern, words) else []
            if pattern.fullmatch(label) and not found:
                m = money[0]
                subject = self._org_subject(text, lo + m.start, lo, ctx)
                if subject is not None:
                    self._emit(
                        RevenueClaim,
                        inline,
                        lo + m.start,
                        lo + m.end,
                        ctx,
                        subject,
                        metric=metric,
                        value=_strip_offsets(m),
                        date=_date_after(text, lo + m.end, hi) or ctx.date,
                    )
                return
            for r in found:
                near = [
                    m for m in money if _gap(lo + m.start, lo + m.end, r.start(), r.end()) <= 24
                ]
                if not near:
                    continue
                m = min(near, key=lambda q: _gap(lo + q.start, lo + q.end, r.start(), r.end()))
                subject = self._org_subject(text, lo + m.start, lo, ctx)
                if subject is None:
                    continue
                actual = metric
                if metric == "revenue" and re.search(r"\btarget", text[lo:hi], re.I):
                    actual = "revenue_target"
                start, end = min(lo + m.start, r.start()), max(lo + m.end, r.end())
                self._emit(
                    RevenueClaim,
                    inline,
                    start,
                    end,
                    ctx,
                    subject,
                    metric=actual,
                    value=_strip_offsets(m),
                    date=_date_after(text, end, hi) or ctx.date,
                )
            if found:
                return

    def _funding(
        self,
        inline: Inline,
        lo: int,
        hi: int,
        ctx: _Context,
        words: _Words,
        money: list[Money],
        label: str,
    ) -> None:
        """Amounts next to a round name, unless they are valuations or balances."""
        if self.p.rounds is None or self.p.rounds.search(label):
            return
        if not self._may_match(self.p.rounds, words):
            return
        text = inline.text
        for r in self.p.rounds.finditer(text, lo, hi):
            near = [
                m
                for m in money
                if _gap(lo + m.start, lo + m.end, r.start(), r.end()) <= 24
                and not self._is_valuation(text, lo + m.start, lo + m.end, r.start(), r.end())
                and not _NOT_RAISED.match(text, lo + m.end)
            ]
            if not near:
                continue
            m = min(near, key=lambda q: _gap(lo + q.start, lo + q.end, r.start(), r.end()))
            subject = self._org_subject(text, min(lo + m.start, r.start()), lo, ctx)
            if subject is None:
                continue
            start, end = min(lo + m.start, r.start()), max(lo + m.end, r.end())
            self._emit(
                FundingRoundClaim,
                inline,
                start,
                end,
                ctx,
                subject,
                round=_round_key(r.group(0), self.p, text[lo:hi]),
                round_label=r.group(0),
                amount=_strip_offsets(m),
                date=_date_after(text, end, hi) or ctx.date,
            )

    def _is_valuation(self, text: str, start: int, end: int, r_start: int, r_end: int) -> bool:
        """Whether a valuation phrase governs the amount (`valued it at $1.5B`)."""
        if self.p.valuation is None:
            return False
        between = text[min(end, r_end) : max(start, r_start)]
        after = text[end : end + 24]
        before = text[max(0, start - 24) : start]
        if _AT_VALUE.search(before):
            return True  # "a Series C at $3B+", "raised $100M at $2B"
        if any(self.p.valuation.search(t) for t in (between, after, before)):
            return True
        # "The valuation rose from $48M at the seed to $320M at the Series A": a sentence about
        # valuations with no word of raising money reads its amounts as valuations.
        sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), 0)
        return bool(self.p.valuation.search(text, sentence_start, start)) and not _RAISE.search(
            text, sentence_start, end
        )

    def _rankings(
        self, inline: Inline, lo: int, hi: int, ctx: _Context, words: _Words, sentence: str | None
    ) -> None:
        """Ranks in `sentence` (`inline.text[lo:hi]`, or None if it has none), superlatives."""
        text = inline.text
        for rank in find_ranks(sentence) if sentence is not None else ():
            start, end = lo + rank.start, lo + rank.end
            scope = _SCOPE_AFTER.match(text, end, hi) or _SCOPE_WORDS.match(text, end, hi)
            before = re.search(r"([A-Z][\w\-.]+)\s*$", text[lo:start])
            date = _date_after(text, end, hi)
            if scope:
                label = _SCOPE_STOP.split(scope.group(1), maxsplit=1)[0].strip()
                # "#5 on PortBench in June 2025": the date closes the scope, it is not part of it.
                label, stated = _scope_date(label)
                date = (
                    date
                    or stated
                    or _date_after(text, scope.start(1) + len(scope.group(1).rstrip()), hi)
                )
            elif before and not self.ents.models_in(before.group(1)):
                label = before.group(1)
            else:
                label = ctx.label
            if not label:
                continue
            key = self._nearest_model(text, lo, hi, rank.start, ctx)
            if key is not None:
                subject: tuple[str, str, SubjectType] | None = self._model(key)
            else:
                subject = self._org_subject(text, start, lo, ctx)
            if subject is None:
                continue
            self._emit(
                RankingClaim,
                inline,
                start,
                end if not scope else scope.end(1),
                ctx,
                subject,
                scope=_scope_key(label),
                scope_label=label,
                rank=_strip_offsets(rank),
                date=date or ctx.date or self._section_date(ctx.section),
            )
        if self.p.superlative is None or not self._may_match(self.p.superlative, words):
            return
        for m in self.p.superlative.finditer(text, lo, hi):
            among = _AMONG.match(text, m.end(), hi)
            if among is None:
                continue
            label = among.group(1).strip() or re.sub(r"^\W+", "", ctx.label)
            if not label:
                continue
            subject = self._org_subject(text, m.start(), lo, ctx)
            if subject is None:
                continue
            self._emit(
                RankingClaim,
                inline,
                m.start(),
                among.end(),
                ctx,
                subject,
                scope=_scope_key(label),
                scope_label=label,
                rank=_first_place(),
            )

    def _retraction(self, inline: Inline, lo: int, hi: int, ctx: _Context) -> None:
        text = inline.text
        ranks = find_ranks(text[lo:hi])
        scope = None
        rank = None
        if ranks:
            rank = _strip_offsets(ranks[0])
            end = lo + ranks[0].end
            after = _SCOPE_AFTER.match(text, end, hi) or _SCOPE_WORDS.match(text, end, hi)
            if after:
                scope = _scope_key(after.group(1))
        subject = self._org_subject(text, hi, lo, ctx)
        if subject is None:
            return
        start, end = lo, hi
        while start < end and text[start] in " (":
            start += 1
        while end > start and text[end - 1] in " ).":
            end -= 1
        self._emit(
            RetractionClaim,
            inline,
            start,
            end,
            ctx,
            subject,
            retracted=text[start:end],
            scope=scope,
            rank=rank,
        )

    def _counts(self, inline: Inline, lo: int, hi: int, ctx: _Context, sentence: str) -> None:
        """Counts of things in `sentence`, which is `inline.text[lo:hi]`."""
        text = inline.text
        for count in find_counts(sentence):
            subject = self._org_subject(text, lo + count.start, lo, ctx)
            if subject is None:
                continue
            self._emit(
                CountClaim,
                inline,
                lo + count.start,
                lo + count.end,
                ctx,
                subject,
                noun=count.noun,
                count=_strip_offsets(count),
                date=_date_after(text, lo + count.end, hi) or ctx.date,
            )

    # -- structure-wide claims ----------------------------------------------------------

    def _probability_lists(self) -> None:
        """Scenarios: sibling list items, or paragraphs of a section, led or closed by a percentage.

        Only a block's first line counts, so `Base case — 55%` followed by its description in
        the same paragraph is an entry too.
        """
        # Blocks with their index in `doc.blocks`, for the text before a group.
        groups: list[list[tuple[int, ListItem | Paragraph]]] = []
        open_items: dict[tuple[int, int], list[tuple[int, ListItem | Paragraph]]] = {}
        paragraphs: dict[int, list[tuple[int, ListItem | Paragraph]]] = {}
        doc_text = self.doc.text
        for index, block in enumerate(self.doc.blocks):
            if isinstance(block, Paragraph):
                if _item_prob(block.inline, doc_text):
                    if id(block.section) not in paragraphs:
                        paragraphs[id(block.section)] = []
                        groups.append(paragraphs[id(block.section)])
                    paragraphs[id(block.section)].append((index, block))
                open_items.clear()
                continue
            if not isinstance(block, ListItem):
                open_items.clear()
                continue
            key = (id(block.parent), block.depth)
            if key not in open_items:
                open_items[key] = []
                groups.append(open_items[key])
            open_items[key].append((index, block))
        for group in groups:
            # Two entries at least, and every block of the group one: stop at the first other.
            if len(group) < 2:
                continue
            entries: list[tuple[ListItem | Paragraph, re.Match[str]]] = []
            for _i, b in group:
                match = _item_prob(b.inline, doc_text)
                if not match:
                    break
                entries.append((b, match))
            if len(entries) != len(group):
                continue
            blocks = [b for _i, b in group]
            first = blocks[0]
            parent = first.parent if isinstance(first, ListItem) else None
            context = " ".join(
                [
                    first.section.title if first.section else "",
                    self._preceding_text(group[0][0]),
                    parent.inline.text if parent else "",
                ]
            )
            if not _SCENARIO.search(context):
                continue
            items = tuple(
                ProbabilityItem(
                    label=_prob_label(_first_line(b.inline, self.doc.text), m),
                    percent=_percent(m.group(1) or m.group(2)),
                )
                for b, m in entries
            )
            last = blocks[-1].inline
            start = first.inline.span()[0]
            end = last.span(0, len(_first_line(last, self.doc.text)))[1]
            section = first.section.path if first.section else ()
            origin: Origin = (
                "list" if parent is not None or isinstance(first, ListItem) else "prose"
            )
            self._emit_span(
                ProbabilitiesClaim,
                start,
                end,
                _Context(origin=origin, section=section),
                self._company(),
                items=items,
            )

    def _preceding_text(self, index: int) -> str:
        """The text of the paragraph or heading before `doc.blocks[index]`, past list items."""
        blocks = self.doc.blocks
        for j in range(index - 1, -1, -1):
            block = blocks[j]
            if isinstance(block, ListItem):
                continue
            if isinstance(block, (Paragraph, Heading)):
                return block.inline.text
            return ""
        return ""

    def _emit_span(
        self,
        cls: type[Any],
        start: int,
        end: int,
        ctx: _Context,
        subject: tuple[str, str, SubjectType],
        **fields: Any,
    ) -> None:
        self._add(cls, start, end, ctx, subject, fields)

    def _probability_headings(self) -> None:
        """Sibling headings such as `Bull Case (30% probability)`."""
        runs: dict[tuple[tuple[str, ...], int], list[tuple[Heading, re.Match[str]]]] = {}
        for block in self.doc.blocks:
            if isinstance(block, Heading):
                m = _HEADING_PROB.search(block.inline.text)
                if m:
                    parent = block.section.path[:-1]
                    runs.setdefault((parent, block.section.level), []).append((block, m))
        for (parent, _level), heads in runs.items():
            if len(heads) < 2:
                continue
            entries = tuple(
                ProbabilityItem(
                    label=h.inline.text[: m.start()].strip(" :-–—"), percent=_percent(m.group(1))
                )
                for h, m in heads
            )
            start = heads[0][0].inline.span()[0]
            end = heads[-1][0].inline.span()[1]
            self._emit_span(
                ProbabilitiesClaim,
                start,
                end,
                _Context(origin="heading", section=parent),
                self._company(),
                items=entries,
            )

    def _links(self) -> None:
        for link in self.doc.links:
            target = link.target
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:|^#|^//", target, re.I):
                continue
            section = link.section.path if link.section else ()
            self._emit_span(
                LinkClaim,
                link.start,
                link.end,
                _Context(origin="prose", section=section),
                self._company(),
                target=target,
                text=link.text,
            )


# -- small helpers ----------------------------------------------------------------------

_Q = TypeVar("_Q", bound=Quantity)
# Claims in source order: `attrgetter` builds the key in C.
_CLAIM_ORDER = operator.attrgetter("offset", "end_offset", "kind")


@functools.cache
def _first_place() -> Rank:
    """The rank that a superlative ("highest ... among peers") asserts.

    Made on first use: a quantity made at import would build the quantity schemas then.
    """
    return Rank(text="#1", start=0, end=2, low=1, high=1, top=True)


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    if a_end <= b_start:
        return b_start - a_end
    if b_end <= a_start:
        return a_start - b_end
    return 0


def _strip_offsets(q: _Q) -> _Q:
    """Quantities inside claims keep their text but not offsets into a sentence."""
    return q.model_copy(update={"start": 0, "end": len(q.text)})


def _first_money(text: str) -> Money | None:
    money = find_money(text)
    return _strip_offsets(money[0]) if money else None


def _first_date(text: str, lo: int, hi: int) -> DateValue | None:
    dates = find_dates(text[lo:hi])
    return _strip_offsets(dates[0]) if dates else None


def _date_after(text: str, at: int, hi: int | None = None) -> DateValue | None:
    """A date in the parenthesis or phrase right after a value: `$450M (December 2024)`."""
    window = text[at : min(hi if hi is not None else len(text), at + 40)]
    for date in find_dates(window):
        gap = window[: date.start]
        if _DATE_GAP.fullmatch(gap):
            return _strip_offsets(date)
    return None


_SCOPE_DATE_LEAD = re.compile(
    r"(?:\s*[,(]\s*(?:as of\s+)?|\s+(?:as of|in|at|since|by|from|during)\s+)$", re.I
)


def _scope_date(label: str) -> tuple[str, DateValue | None]:
    """Split a date that closes a scope off it: `PortBench in June 2025`, `PortBench, Q3 2024`.

    A date that opens the scope names the list (`2024 Issuer Trust Index`) and stays in it.
    """
    for date in find_dates(label):
        lead = _SCOPE_DATE_LEAD.search(label, 0, date.start)
        if date.start > 0 and lead is not None and lead.start() > 0:
            return label[: lead.start()].strip(), _strip_offsets(date)
    return label, None


def _post_money(pre: Money, amount: Money | None) -> Money | None:
    """The post-money valuation of a round from its pre-money one, or None if not computable."""
    if amount is None or amount.currency != pre.currency or amount.per or pre.per:
        return None
    if pre.high is None or amount.high is None:
        return None
    text = f"{pre.text} pre-money + {amount.text}"
    return pre.model_copy(
        update={
            "text": text,
            "end": len(text),
            "low": pre.low + amount.low,
            "high": pre.high + amount.high,
            "qualifier": pre.qualifier if pre.qualifier == amount.qualifier else "approx",
            "converted": None,
        }
    )


def _strip_parens(text: str) -> str:
    return (_PARENS.sub("", text) if "(" in text else text).strip(" *")


def _scope_key(label: str) -> str:
    # Years and filler words do not name a leaderboard: "the 2023 X Index" is "x-index".
    words = [
        w
        for w in re.split(r"[^\w]+", normalise_label(label))
        if w and not re.fullmatch(r"(?:19|20)\d\d", w) and w not in {"the", "a", "an", "of"}
    ]
    # A crude singular: "rankings" and "ranking" are one scope, "ambitious" stays as it is.
    return "-".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w
        for w in words
    )


def _round_key(label: str, p: _Patterns, context: str = "") -> str:
    name = p.rounds.search(normalise_label(label)) if p.rounds else None
    key = entity_key(name.group(0)) if name else entity_key(_strip_parens(label))
    if p.additional and (p.additional.search(label) or p.additional.search(context)):
        key += "+additional"
    return key


def _approximate(sentence: str, size: Size) -> Size:
    """`about 31B parameters` is approximate, as `~31B` is: widen it the same way."""
    if size.qualifier != "exact":
        return size
    word = _APPROX_WORD.search(sentence, 0, size.start)
    approx = parse_size("~" + size.text) if word is not None else None
    if word is None or approx is None or approx.qualifier != "approx":
        return size
    return approx.model_copy(
        update={"text": sentence[word.start() : size.end], "start": word.start(), "end": size.end}
    )


def _context_length(text: str) -> Count | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*([KkMm])\b", text)
    if m is None:
        return _full_context_length(text)
    scale = 1000 if m.group(2) in "Kk" else 1_000_000
    value = int(Decimal(m.group(1)) * scale)
    noun = "character" if re.search(r"char", text, re.I) else "token"
    return Count(text=m.group(0), start=0, end=len(m.group(0)), low=value, high=value, noun=noun)


def _full_context_length(text: str) -> Count | None:
    """`131,072 tokens`, or a cell that is only `131,072` or `32768`."""
    m = _PLAIN_LENGTH.search(text)
    if m is None or (m.group(2) is None and text.strip("* ") != m.group(0)):
        return None
    value = int(m.group(1).replace(",", ""))
    unit = (m.group(2) or "").lower()
    noun = "character" if unit.startswith(("char", "chinese")) else "token"
    return Count(text=m.group(0), start=0, end=len(m.group(0)), low=value, high=value, noun=noun)


_ROLE_ABBREVIATIONS = {
    "chief executive officer": "ceo",
    "chief executive": "ceo",
    "chief financial officer": "cfo",
    "chief operating officer": "coo",
    "chief technology officer": "cto",
    "chief medical officer": "cmo",
    "chief scientific officer": "cso",
}


def _role(text: str) -> str:
    """Normalise a role name: `Chief Operating Officer` and `COO` are one role."""
    role = " ".join(normalise_label(text).split())
    return _ROLE_ABBREVIATIONS.get(role, role)


def _first_line(inline: Inline, text: str) -> str:
    """The plain text of the inline's first source line (soft breaks read as spaces)."""
    start = inline.span()[0]
    newline = text.find("\n", start)
    if newline < 0:
        return inline.text
    return inline.text[: bisect_left(inline.offsets, newline, hi=len(inline.text))]


def _item_prob(inline: Inline, text: str) -> re.Match[str] | None:
    """The percentage that leads or closes the first line of a block (`Bull case: 30%`)."""
    if "%" not in inline.text:
        return None  # most blocks hold no percentage: skip finding the first line
    return _ITEM_PROB.search(_first_line(inline, text))


def _inline_items(text: str, lo: int, hi: int) -> tuple[tuple[ProbabilityItem, ...], int] | None:
    """The outcomes of `text[lo:hi]` and where the last one ends, or None if it lists none.

    Parts are separated by commas or semicolons. A part without a percentage belongs to the
    outcome it is written beside: the one before when percentages lead (`50% acquired by a
    rival, a supplier or a customer`), the next when they close (`a rival, a supplier or a
    customer buys it: 50%`). Two outcomes at least, each with one percentage of at most 100
    and a label with a letter; a range (`30-40%`) is no one probability.
    """
    hi = lo + len(text[lo:hi].rstrip(" .!?;,"))
    if _PERCENT_RANGE.search(text, lo, hi):
        return None
    pieces: list[tuple[int, int]] = []
    start = lo
    for sep in _PART_SPLIT.finditer(text, lo, hi):
        pieces.append((start, sep.start()))
        start = sep.end()
    pieces.append((start, hi))
    leading = _PART_LEAD.match(text[lo:hi]) is not None
    parts: list[tuple[int, int]] = []
    pending: int | None = None  # where a part waiting for its percentage begins
    for a, b in pieces:
        if "%" in text[a:b]:
            parts.append((a if pending is None else pending, b))
            pending = None
        elif leading and parts:
            parts[-1] = (parts[-1][0], b)
        elif pending is None:
            pending = a
    if pending is not None or len(parts) < 2:
        return None
    items = []
    for a, b in parts:
        m = _PART_LEAD.fullmatch(text, a, b) or _PART_TAIL.fullmatch(text, a, b)
        if m is None:
            return None
        label_group = m.re.groupindex["label"]
        number = next(g for i, g in enumerate(m.groups(), 1) if g and i != label_group)
        label = m.group("label").strip(" :-–—*")
        if Decimal(number) > 100 or not _LETTER.search(label):
            return None
        items.append(ProbabilityItem(label=label, percent=_percent(number)))
    return tuple(items), parts[-1][1]


def _percent(text: str) -> Percent:
    value = Decimal(text)
    return Percent(text=f"{text}%", start=0, end=len(text) + 1, low=value, high=value)


def _prob_label(text: str, m: re.Match[str]) -> str:
    return (text[m.end() :] if m.group(1) else text[: m.start()]).strip(" :-–—*")


def extract_claims(doc: Document, vocab: Vocabulary | None = None) -> list[Claim]:
    """Return every claim in `doc`, sorted by source position."""
    from factcheck.vocab import default_vocabulary

    return _Extractor(doc, vocab or default_vocabulary()).run()


__all__ = ["company_key", "extract_claims"]
