"""Company rules: funding rounds, totals, valuation status, stated arithmetic, counts and people."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from factcheck.claims.models import (
    CountClaim,
    FundingRoundClaim,
    PersonClaim,
    ProbabilitiesClaim,
    StatusClaim,
    ValuationClaim,
)
from factcheck.findings import Finding, Span, collapse, describe
from factcheck.quantities import (
    Count,
    DateValue,
    Money,
    Percent,
    find_counts,
    find_dates,
    find_durations,
    find_money,
    format_money,
    overlaps,
)
from factcheck.rules.base import Rule, RuleContext, rule
from factcheck.rules.declarative import compare

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.document import Document, Inline

__all__ = ["RULES"]

Interval = tuple[Decimal, Decimal | None]  # (low, high); high None means unbounded above
C = TypeVar("C", bound="Claim")

# -- shared helpers -------------------------------------------------------------------------


def _claims(ctx: RuleContext, kind: type[C]) -> list[C]:
    return ctx.index.of_type(kind)


def _rounds(ctx: RuleContext) -> list[FundingRoundClaim]:
    """Funding rounds proper: stated totals are not rounds."""
    return [c for c in _claims(ctx, FundingRoundClaim) if not c.is_total]


def _by_round(ctx: RuleContext) -> list[list[FundingRoundClaim]]:
    """Group rounds by subject and round key ("series-b" and "series-b+additional" differ)."""
    groups: dict[tuple[str, str], list[FundingRoundClaim]] = {}
    for claim in _rounds(ctx):
        groups.setdefault((claim.subject_key, claim.round), []).append(claim)
    return list(groups.values())


def _in(money: Money, currency: str) -> Interval | None:
    """Return an amount in `currency`: as written or through the conversion the text states."""
    if money.currency == currency:
        return money.low, money.high
    if money.converted is not None and money.converted.currency == currency:
        return money.converted.low, money.converted.high
    return None


def _comparable(a: Money, b: Money) -> tuple[Interval, Interval] | None:
    """Return two amounts in one currency, or None: conversions are never invented."""
    for currency in (a.currency, b.currency):
        ia, ib = _in(a, currency), _in(b, currency)
        if ia is not None and ib is not None:
            return ia, ib
    return None


def _money(low: Decimal, high: Decimal | None, currency: str) -> str:
    return format_money(Money(text="", currency=currency, low=low, high=high))


def _when(date: DateValue | None) -> str:
    return "" if date is None else f" ({describe(date)})"


def _where(claim: Claim, other: Claim) -> str:
    """Say where `claim` is, seen from `other`: a line, or a file and line in another file."""
    if claim.path == other.path or os.path.realpath(claim.path) == os.path.realpath(other.path):
        return f"line {claim.line}"
    return f"{os.path.basename(claim.path)}:{claim.line}"


def _disjoint(a: DateValue | None, b: DateValue | None) -> bool:
    """Whether two dates are known and cannot overlap (`compare(a, "disjoint", b)`, inlined)."""
    if a is None or b is None:
        return False
    return a.last < b.first or b.last < a.first


def _pre_money(claim: Claim) -> bool:
    return "pre-money" in claim.evidence.casefold()


def _valuations_at(claim: FundingRoundClaim, valuations: Sequence[ValuationClaim]
                   ) -> Iterator[tuple[Claim, Money, bool]]:
    """Yield the valuations of a round's company at its date: (source, value, own).

    `valuations` are the company's (from the index). Its own valuation is the one stated with
    it: in the claim, in the same table row or list item, or inside the claim's evidence in
    prose.
    """
    if claim.valuation is not None:
        yield claim, claim.valuation, True
    for v in valuations:
        own = v.path == claim.path and (
            claim.offset <= v.offset < claim.end_offset
            or (v.line == claim.line and v.origin == claim.origin and v.origin != "prose"))
        dated = claim.date is not None and v.date is not None
        if own or (dated and not _disjoint(claim.date, v.date)):
            yield v, v.value, own


_LABEL_TAIL = re.compile(r"\s+[-–—]\s+.*|:.*")


def _round_name(claim: FundingRoundClaim) -> str:
    """Return the round's name as written, without a date after it ("Series B — Q3 2022")."""
    label = _LABEL_TAIL.sub("", claim.round_label).strip()
    return label if 0 < len(label) <= 30 else claim.round


# -- FC201 ----------------------------------------------------------------------------------


def _round_differences(a: FundingRoundClaim, b: FundingRoundClaim) -> list[str]:
    """Say how two statements of one round contradict each other, seen from `b`."""
    found = []
    if a.amount is not None and b.amount is not None and compare(a.amount, "disjoint", b.amount):
        found.append(f"raised {describe(b.amount)} here but {describe(a.amount)}")
    if _disjoint(a.date, b.date):
        found.append(f"dated {describe(b.date)} here but {describe(a.date)}")
    if compare(a.valuation, "disjoint", b.valuation):
        found.append(f"valued at {describe(b.valuation)} here but {describe(a.valuation)}")
    return found


def _round_facts(claim: FundingRoundClaim) -> str:
    facts = [describe(claim.amount) if claim.amount is not None else "amount not stated"]
    if claim.date is not None:
        facts.append(describe(claim.date))
    if claim.valuation is not None:
        facts.append(f"valued at {describe(claim.valuation)}")
    return ", ".join(facts)


@rule(
    code="FC201",
    name="funding-round-conflict",
    severity="error",
    scope="set",
    summary="""
Flags two statements of the same funding round of a company (same round name, e.g. "Series B")
whose amounts, dates or valuations cannot both be true.
""",
    rationale="""
A round happens once: one amount, one closing date, one valuation. When the funding table says
€120M and the prose says €150M for the same Series B, at least one of them is wrong, and every
figure derived from it (totals, dilution, valuation step-ups) inherits the error. Amounts are
compared as intervals ("several hundred million" is $200M-$900M), across currencies only through
a conversion the text states. Rounds with different names ("Series B" and "Series B
(additional)") are different rounds and are never compared.
""",
    example="""
| Round | Closed | Raised |
|---|---|---|
| Series B | Mar 2024 | €120M |

The €150M Series B, led by Northwind Capital in March 2024, was the inflection point.
""",
    fix="""
Check the round against the announcement or filing and correct the wrong statement; if there
were two tranches, name them differently ("Series B", "Series B extension").
""",
)
def funding_round_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """Compare every statement of a round with the earlier statements of the same round."""
    for group in _by_round(ctx):
        for b, before in ctx.earlier(funding_round_conflict, group):
            clashes = [(a, d) for a in before if (d := _round_differences(a, b))]
            if not clashes:
                continue
            # Name a contradiction in the same file first: that is where the reader is.
            first, differences = min(clashes, key=lambda c: c[0].path != b.path)
            message = (f"{b.subject}: {_round_name(b)} "
                       f"{'; '.join(differences)} ({_where(first, b)})")
            related = [(a, f"{_round_name(a)}: {_round_facts(a)}") for a, _ in clashes]
            yield ctx.finding(funding_round_conflict, message, b, related)


# -- FC202 ----------------------------------------------------------------------------------


@rule(
    code="FC202",
    name="round-exceeds-valuation",
    severity="error",
    scope="set",
    summary="""
Flags a funding round whose amount is larger than the post-money valuation stated for that
round.
""",
    rationale="""
A post-money valuation includes the new money: a round of €45M cannot leave the company valued
at €38M. The usual cause is a dropped or added digit in the amount or the valuation. The amount's
lowest reading must exceed the valuation's highest reading, in one currency (or through a stated
conversion). A valuation the text calls pre-money is left alone.
""",
    example="""
| Round | Closed | Raised | Post-money valuation |
|---|---|---|---|
| Series A | Nov 2021 | €45M | €38M |
""",
    fix="Correct the amount or the valuation from the round's announcement.",
)
def round_exceeds_valuation(ctx: RuleContext) -> Iterator[Finding]:
    """Compare the amount of each round with the valuations stated for the same round."""
    valuations = ctx.index.by_subject(ValuationClaim)
    for group in _by_round(ctx):
        for a in group:
            if a.amount is None:
                continue
            # Its own valuation, or one stated for the round without an amount ("the Series A
            # was priced at $45m post-money"); a valuation stated with another amount is checked
            # against that amount, and the different amount is FC201's finding.
            theirs = valuations.get(a.subject_key, ())
            ctx.compared(round_exceeds_valuation, len(theirs) + len(group))
            stated = [(s, v) for s, v, own in _valuations_at(a, theirs) if own]
            stated += [(b, b.valuation) for b in group if b.amount is None
                       and b.valuation is not None and not _disjoint(a.date, b.date)]
            for source, value in stated:
                pair = _comparable(a.amount, value)
                if (_pre_money(source) or pair is None or pair[1][1] is None
                        or not pair[0][0] > pair[1][1]):
                    continue
                elsewhere = source.line != a.line or source.path != a.path
                where = f" ({_where(source, a)})" if elsewhere else ""
                message = (f"{a.subject}: {_round_name(a)} raised {describe(a.amount)}, more "
                           f"than its post-money valuation of {describe(value)}{where}")
                related = [(source, f"valuation {describe(value)}")] if elsewhere else []
                yield ctx.finding(round_exceeds_valuation, message, a, related)
                break


# -- FC203 ----------------------------------------------------------------------------------

# Stated totals are rounded ("$1.04B" for $1,041M): allow this much relative difference.
_TOTAL_ROUNDING = Decimal("0.05")


def _listings(doc: Document, wanted: Sequence[int]) -> list[tuple[int, int, int]]:
    """Return (start, end, id) of the tables and list items of a document, a run of list items
    sharing one id, that hold one of the `wanted` offsets (where the rounds start)."""
    from factcheck.document import ListItem, Table

    points = sorted(wanted)
    if not points:
        return []
    count = len(points)
    spans: list[tuple[int, int, int]] = []
    current = -1
    previous_item = False
    # `holds` inlined (a point in [start, end)): this looks at every block of the document.
    for index, block in enumerate(doc.blocks):
        if isinstance(block, ListItem):
            if not previous_item:
                current = index
            previous_item = True
            # The item's text spans at most from its first offset to the end of its run.
            offsets = block.inline.offsets
            i = bisect.bisect_left(points, offsets[0])
            if i < count and points[i] <= offsets[-1]:
                start, end = block.inline.span()
                i = bisect.bisect_left(points, start)
                if i < count and points[i] < end:
                    spans.append((start, end, current))
        else:
            previous_item = False
            if isinstance(block, Table):
                i = bisect.bisect_left(points, block.start)
                if i < count and points[i] < block.end:
                    spans.append((block.start, block.end, index))
    return spans


def _listing_of(claim: Claim, spans: Sequence[tuple[int, int, int]]) -> int | None:
    return next((i for start, end, i in spans if start <= claim.offset < end), None)


def _listed_rounds(total: FundingRoundClaim, rounds: Sequence[FundingRoundClaim],
                   spans: Sequence[tuple[int, int, int]]) -> list[FundingRoundClaim]:
    """Return the rounds of the table or list that names the most rounds of the subject."""
    listings: dict[int, list[FundingRoundClaim]] = {}
    for claim in rounds:
        listing = _listing_of(claim, spans)
        if listing is not None and claim.subject_key == total.subject_key:
            listings.setdefault(listing, []).append(claim)
    best: list[FundingRoundClaim] = []
    for listed in listings.values():
        if len({c.round for c in listed}) > len({c.round for c in best}):
            best = listed
    return best if len({c.round for c in best}) >= 2 else []


def _sum_rounds(listed: Sequence[FundingRoundClaim], currency: str) -> Interval | None:
    """Add the rounds' amounts as intervals; None when one has no amount in `currency`."""
    hulls: dict[str, Interval] = {}
    for claim in listed:
        amount = None if claim.amount is None else _in(claim.amount, currency)
        if amount is None:
            return None
        low, high = hulls.get(claim.round, amount)
        hulls[claim.round] = (min(low, amount[0]),
                              None if high is None or amount[1] is None else max(high, amount[1]))
    low = sum((h[0] for h in hulls.values()), Decimal(0))
    highs = [h[1] for h in hulls.values()]
    return low, None if None in highs else sum((h for h in highs if h is not None), Decimal(0))


@rule(
    code="FC203",
    name="funding-total-mismatch",
    severity="warning",
    scope="document",
    summary="""
Flags a stated funding total that the rounds listed in the same document cannot add up to.
""",
    rationale="""
"€560M across four priced rounds" next to a funding table whose rounds add up to €473M tells the
reader two different stories about how much capital the company has taken. The rounds are those
of the table or list that names the most rounds of the company (at least two); prose mentions
are not a listing. Amounts are added as intervals, in the total's currency; the check stays
quiet when any listed round has no amount. Totals are usually rounded, so a difference within 5%
is accepted.
""",
    example="""
- Total raised: €560M across four priced rounds

| Round | Raised |
|---|---|
| Seed | €8M |
| Series A | €45M |
| Series B | €120M |
| Series C | €300M |
""",
    fix="""
Correct the total or the rounds; if the total includes money that is not in the list (debt,
grants, a round not listed), say so next to the total.
""",
)
def funding_total_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """Compare each stated total with the sum of the listed rounds of its document."""
    totals = [c for c in _claims(ctx, FundingRoundClaim) if c.is_total and c.amount is not None]
    rounds = _rounds(ctx) if totals else []
    for doc in ctx.documents:
        stated = [total for total in totals if total.path == doc.path]
        spans = _listings(doc, [r.offset for r in rounds if r.path == doc.path]) if stated else []
        for total in stated:
            if total.amount is None:
                continue
            mine = [r for r in rounds if r.path == doc.path
                    and not (total.date and r.date and r.date.first > total.date.last)]
            listed = _listed_rounds(total, mine, spans)
            added = _sum_rounds(listed, total.amount.currency) if listed else None
            if added is None:
                continue
            low, high = total.amount.low, total.amount.high
            wide_low = low * (1 - _TOTAL_ROUNDING)
            wide_high = None if high is None else high * (1 + _TOTAL_ROUNDING)
            if overlaps(added[0], added[1], wide_low, wide_high):
                continue
            lines = sorted({r.line for r in listed})
            count = len({r.round for r in listed})
            message = (f"{total.subject}: stated total {describe(total.amount)}, but the "
                       f"{count} rounds listed at lines {lines[0]}-{lines[-1]} add up to "
                       f"{_money(*added, total.amount.currency)}")
            related = [(r, f"{_round_name(r)}: {describe(r.amount)}") for r in listed]
            yield ctx.finding(funding_total_mismatch, message, total, related)


# -- FC204 ----------------------------------------------------------------------------------

# A priced round rarely sells more than a third of the company; 40% of the valuation leaves
# room for rounding and for pre-money figures before calling a raise implausible.
_MAX_RAISE_SHARE = Decimal("0.4")


def _post_money(valuation: Money, amount: Money, pre_money: bool) -> Money:
    if not pre_money or amount.currency != valuation.currency:
        return valuation
    high = None if valuation.high is None or amount.high is None else valuation.high + amount.high
    return valuation.model_copy(update={"low": valuation.low + amount.low, "high": high})


def _raise_share_too_high(amount: Money, valuation: Money, own: bool) -> bool:
    """Whether the raise's lowest reading exceeds 40% of the valuation's highest reading."""
    pair = _comparable(amount, valuation)
    if pair is None or pair[1][1] is None:
        return False
    low, cap = pair[0][0], pair[1][1]
    # A round above its own post-money valuation is FC202's finding, not an implausible one.
    return low > cap * _MAX_RAISE_SHARE and not (own and low > cap)


@rule(
    code="FC204",
    name="implausible-raise",
    severity="warning",
    scope="set",
    summary="""
Flags a funding round larger than 40% of the company's valuation at the same time: the round's
own valuation or a valuation of the company dated when the round took place.
""",
    rationale="""
Investors in a priced round usually buy 10-25% of a company and rarely more than a third, so a
raise above 40% of the post-money valuation means the amount or the valuation is probably wrong
(or belongs to another date). 40% leaves room for rounded and vague figures: the check compares
the lowest reading of the amount ("several hundred million dollars" is at least $200M) with the
highest reading of the valuation. A pre-money valuation is turned into a post-money one first.
Valuations of other dates are ignored: they say nothing about the dilution of this round.
""",
    example="""
- $450 million valuation (December 2024)
- Series B (December 2024): "several hundred million dollars"
""",
    fix="""
Check the round's amount and the valuation at that date; correct the one that is wrong or date
the valuation so that it is clearly from another time.
""",
)
def implausible_raise(ctx: RuleContext) -> Iterator[Finding]:
    """Compare each round with its own valuation and with valuations dated at the round."""
    valuations = ctx.index.by_subject(ValuationClaim)
    for group in _by_round(ctx):
        for claim in group:
            if claim.amount is None:
                continue
            theirs = valuations.get(claim.subject_key, ())
            ctx.compared(implausible_raise, len(theirs))
            hits = [(source, value, own)
                    for source, value, own in _valuations_at(claim, theirs)
                    if _raise_share_too_high(claim.amount, _post_money(
                        value, claim.amount, _pre_money(source)), own=own)]
            if not hits:
                continue
            source, value, own = hits[0]
            shown = f"valuation of {describe(value)}"
            if _pre_money(source):
                post = _post_money(value, claim.amount, pre_money=True)
                shown += f" pre-money ({describe(post)} post-money)"
            where = "" if own else f" ({describe(source.date)}, {_where(source, claim)})"
            message = (f"{claim.subject}: {_round_name(claim)}{_when(claim.date)} raised "
                       f"{describe(claim.amount)}, more than 40% of the {shown}{where}")
            related = [(s, f"valuation {describe(v)}{_when(s.date)}")
                       for s, v, is_own in hits if not is_own]
            yield ctx.finding(implausible_raise, message, claim, related)
            break  # one finding per round: its other statements say the same


# -- FC205, FC206 ---------------------------------------------------------------------------

# The range of each currency's dollar rate since 2015, rounded outwards. A euro or pound amount
# is compared with a dollar threshold through this range: €1.2bn is at least $1.14bn at any of
# these rates, so it is at or above $1B; €900M may be above or below, so it decides nothing.
# Other currencies (CNY, JPY) need a conversion stated in the text.
_USD_RATE_RANGE: dict[str, tuple[Decimal, Decimal]] = {
    "EUR": (Decimal("0.95"), Decimal("1.26")),
    "GBP": (Decimal("1.03"), Decimal("1.60")),
}


def _against(money: Money, currency: str) -> Interval | None:
    """Return an amount in `currency`, widened over the dollar rate range for EUR and GBP."""
    found = _in(money, currency)
    if found is not None or currency != "USD" or money.currency not in _USD_RATE_RANGE:
        return found
    floor, ceiling = _USD_RATE_RANGE[money.currency]
    return money.low * floor, None if money.high is None else money.high * ceiling


def _valuation_text(value: Money, threshold: Money, *, above: bool) -> str:
    """Show a valuation, with its dollar bound when it was compared through the rate range."""
    shown = describe(value)
    bounds = _against(value, threshold.currency)
    if _in(value, threshold.currency) is None and bounds is not None:
        bound = bounds[0] if above else bounds[1]
        if bound is not None:
            word = "at least" if above else "at most"
            shown += (f" ({word} {_money(bound, bound, threshold.currency)}"
                      " at any rate since 2015)")
    return shown


def _statuses(ctx: RuleContext, negated: bool) -> list[tuple[StatusClaim, Money]]:
    return [(c, c.threshold) for c in _claims(ctx, StatusClaim)
            if c.negated is negated and c.threshold is not None and c.date is not None]


_STATUS_RATIONALE_CURRENCY = """
Valuations in euros or pounds are compared with the dollar threshold over the range of the
exchange rate since 2015 (EUR 0.95-1.26, GBP 1.03-1.60 dollars): €1.2bn counts as at least $1B
at any of those rates, €900M decides nothing. Other currencies count only through a conversion
the text states ("¥20B ($2.8B)").
"""


@rule(
    code="FC205",
    name="unicorn-status-conflict",
    severity="error",
    scope="set",
    summary="""
Flags a denial of unicorn status (or another status with a valuation threshold) when a valuation
at or above the threshold is reported at or before the time of the denial.
""",
    rationale="""
"Not a unicorn as of late 2024" says the company was valued below $1 billion then. A valuation
of $1 billion or more reported for an earlier or the same date contradicts it: one of the two
statements is wrong, and the dossier's funding story depends on which. Undated valuations and
undated denials are not compared.
""" + _STATUS_RATIONALE_CURRENCY,
    example="""
Acme was not a unicorn as of late 2024.

- **Valuation:** $2 billion (June 2024)
""",
    fix="""
Check the valuation and its date against a primary source, then correct the status statement or
the valuation; if the valuation fell, say so and date both.
""",
)
def unicorn_status_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """Compare each dated denial with the valuations reported up to its date."""
    valuations = ctx.index.by_subject(ValuationClaim)
    for status, threshold in _statuses(ctx, negated=True):
        theirs = valuations.get(status.subject_key, ())
        ctx.compared(unicorn_status_conflict, len(theirs))
        hits = [v for v in theirs if _at_or_above(v.value, threshold)
                and v.date is not None and not compare(v.date, ">", status.date)]
        if hits:
            shown = _valuation_text(hits[0].value, threshold, above=True)
            message = (f'{status.subject}: the text says "{collapse(status.evidence)}"'
                       f" (line {status.line}) but reports a valuation of {shown}"
                       f" {_at(hits[0].date)} ({_where(hits[0], status)})")
            yield ctx.finding(unicorn_status_conflict, message, status, _valuation_sides(hits))


def _at_or_above(value: Money, threshold: Money) -> bool:
    found = _against(value, threshold.currency)
    return found is not None and threshold.high is not None and found[0] >= threshold.high


def _below(value: Money, threshold: Money) -> bool:
    found = _against(value, threshold.currency)
    return found is not None and found[1] is not None and found[1] < threshold.low


def _at(date: DateValue | None) -> str:
    if date is None or date.as_of:
        return describe(date) if date else ""
    return f"{'on' if date.precision == 'day' else 'in'} {describe(date)}"


def _valuation_sides(hits: Sequence[ValuationClaim]) -> list[tuple[Claim, str]]:
    return [(v, f"valuation {describe(v.value)} {_at(v.date)}") for v in hits]


@rule(
    code="FC206",
    name="unicorn-status-unsupported",
    severity="warning",
    scope="set",
    summary="""
Flags a claim of unicorn status (or another status with a valuation threshold) when a valuation
below the threshold is reported for the same time.
""",
    rationale="""
A unicorn is a private company valued at $1 billion or more. Calling a company a unicorn while
reporting a lower valuation for the same period leaves the reader with two incompatible pictures
of its size. Only valuations dated within the period of the claim are compared.
""" + _STATUS_RATIONALE_CURRENCY,
    example="""
In mid-2024 Acme became a unicorn.

- **Valuation:** $450 million (June 2024)
""",
    fix="Drop the word unicorn or correct the valuation, citing the round that set it.",
)
def unicorn_status_unsupported(ctx: RuleContext) -> Iterator[Finding]:
    """Compare each dated status claim with the valuations of the same period."""
    valuations = ctx.index.by_subject(ValuationClaim)
    for status, threshold in _statuses(ctx, negated=False):
        theirs = valuations.get(status.subject_key, ())
        ctx.compared(unicorn_status_unsupported, len(theirs))
        hits = [v for v in theirs
                if _below(v.value, threshold) and compare(v.date, "overlaps", status.date)]
        if hits:
            shown = _valuation_text(hits[0].value, threshold, above=False)
            message = (f"{status.subject}: called a {status.status} (line {status.line}) but "
                       f"valued at {shown} {_at(hits[0].date)} ({_where(hits[0], status)})")
            yield ctx.finding(unicorn_status_unsupported, message, status,
                              _valuation_sides(hits))


# -- FC502 ----------------------------------------------------------------------------------

# Stated arithmetic is approximate ("roughly 34 months"); a result off by more than this is wrong.
_ARITHMETIC_TOLERANCE = Decimal("0.15")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(*\[])")
_PERIOD_MONTHS: dict[str, Decimal] = {
    "month": Decimal(1), "quarter": Decimal(3), "year": Decimal(12), "week": Decimal(12) / 52,
}
_PERIOD_ADJECTIVES: dict[str, str] = {
    "monthly": "month", "quarterly": "quarter", "annual": "year", "annualised": "year",
    "annualized": "year", "yearly": "year", "weekly": "week",
}
_ADJECTIVE_BEFORE = re.compile(
    r"\b(monthly|quarterly|annual|annuali[sz]ed|yearly|weekly)\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE)
_ADJECTIVE_AFTER = re.compile(
    r"^\s+(?:of\s+)?(monthly|quarterly|annual|annuali[sz]ed|yearly|weekly)\b"
    r"|^\s*(?:a|per|each|every|/)\s*(month|quarter|year|week)\b", re.IGNORECASE)
_PER_THING = re.compile(r"^\s*(?:per|/)\s*[A-Za-z-]+", re.IGNORECASE)
_EACH = re.compile(r"^\s*(?:each|apiece|a piece|per (?:unit|piece|item))\b", re.IGNORECASE)
_UNIT_PRICE_GAP = re.compile(
    r"^\s*(?:at|@|for)\s+(?:(?:an?|the)\s+(?:average\s+)?(?:[a-z]+\s+)?(?:price|cost)\s+of\s+)?$",
    re.IGNORECASE)
_RUNWAY_CUE = re.compile(
    r"\b(?:runway|lasts?|lasting|funds|fund|covers?|enough|sustains?|carr(?:y|ies))\b",
    re.IGNORECASE)
_ANAPHOR = re.compile(r"\b(?:that|this|which|it)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Amount:
    """An amount in a sentence and what it is: a stock, a rate per period or a price per thing."""

    money: Money
    start: int  # offsets in the block's text
    end: int
    period: str | None  # "month" for a burn rate
    per_thing: bool  # "€1,500 per robot": a unit price, not a total


def _nominal(low: Decimal, high: Decimal | None, qualifier: str) -> Interval:
    """Read "about X" as X: the tolerance of the arithmetic check covers the rounding."""
    if qualifier == "approx" and high is not None:
        return (low + high) / 2, (low + high) / 2
    return low, high


# Every amount of money `find_money` reads has a currency written in it, and every currency it
# knows contains one of these (tests/test_company_rules.py checks this against quantities):
# a sentence without them states no amount, so the arithmetic checks skip it unread.
CURRENCY_HINTS = (
    "$", "€", "£", "¥", "￥", "元", "円", "usd", "rmb", "cny", "eur", "gbp", "hkd", "jpy",
    "dollar", "yuan", "renminbi", "sterling", "yen", "人民币",
)
_CURRENCY = re.compile("|".join(map(re.escape, CURRENCY_HINTS)))
_DIGIT = re.compile(r"\d")
_ASCII_DIGIT = re.compile(r"[0-9]")


def _currency_marks(text: str) -> list[int] | None:
    """Return where currency words and symbols start in `text`: at least one in each amount.

    None means there are some but their offsets are unknown (casefolding changed the length
    of the text); callers then look at every sentence.
    """
    lowered = text.casefold()
    marks = [m.start() for m in _CURRENCY.finditer(lowered)]
    return marks if not marks or len(lowered) == len(text) else None


def _marks_in(marks: list[int] | None, lo: int, hi: int) -> int:
    """Return how many currency marks start in [lo, hi), up to two (two when unknown)."""
    if marks is None:
        return 2
    return min(2, bisect.bisect_left(marks, hi) - bisect.bisect_left(marks, lo))


def _has_digit(text: str) -> bool:
    """Whether any character is a digit (`str.isdigit`, which also counts "²")."""
    if text.isascii():  # `\d` is [0-9] here, and a range is quicker to test than a category
        return _ASCII_DIGIT.search(text) is not None
    return _DIGIT.search(text) is not None or any(map(str.isdigit, text))


class _Sentences:
    """The sentences of one block's text, with the amounts of each read at most once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bounds = _sentences(text)
        self._amounts: dict[int, list[_Amount]] = {}

    def amounts(self, index: int) -> list[_Amount]:
        found = self._amounts.get(index)
        if found is None:
            found = self._amounts[index] = _amounts(self.text, *self.bounds[index])
        return found


def _amounts(text: str, lo: int, hi: int) -> list[_Amount]:
    found = []
    for m in find_money(text[lo:hi]):
        start, end = lo + m.start, lo + m.end
        after = text[end:hi]
        period = m.per if m.per in _PERIOD_MONTHS else None
        if period is None and m.per is None:
            adjective = (_ADJECTIVE_BEFORE.search(text[max(lo, start - 40):start])
                         or _ADJECTIVE_AFTER.match(after))
            if adjective is not None:
                word = (adjective.group(1) or adjective.group(2)).casefold()
                period = _PERIOD_ADJECTIVES.get(word, word)
        per_thing = (m.per is not None and period is None) or bool(_PER_THING.match(after))
        found.append(_Amount(m, start, end, period, per_thing))
    return found


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _outside(stated: Interval, computed: Interval) -> bool:
    """Whether `stated` misses `computed` by more than the tolerance, on either side."""
    c_low, c_high = computed
    below = stated[1] is not None and stated[1] < c_low * (1 - _ARITHMETIC_TOLERANCE)
    above = c_high is not None and stated[0] > c_high * (1 + _ARITHMETIC_TOLERANCE)
    return below or above


def _fmt(value: Decimal) -> str:
    return describe(value.quantize(Decimal("0.1")).normalize())


def _runway(sentences: _Sentences, index: int) -> tuple[str, int, int] | None:
    """Check "X of cash at Y a month lasts Z months"; the cash may be in the sentence before."""
    lo, hi = sentences.bounds[index]
    sentence = sentences.text[lo:hi]
    if not _RUNWAY_CUE.search(sentence):
        return None
    durations = find_durations(sentence)
    if len(durations) != 1:
        return None
    amounts = sentences.amounts(index)
    rates = [a for a in amounts if a.period is not None and not a.per_thing]
    stocks = [a for a in amounts if a.period is None and not a.per_thing]
    if not stocks and index > 0 and _ANAPHOR.search(sentence):
        stocks = [a for a in sentences.amounts(index - 1)
                  if a.period is None and not a.per_thing]
    if len(rates) != 1 or len(stocks) != 1:
        return None
    rate, stock, duration = rates[0], stocks[0], durations[0]
    pair = _comparable(stock.money, rate.money)
    if pair is None:
        return None
    (s_low, s_high), (r_low, r_high) = (
        _nominal(*pair[0], stock.money.qualifier), _nominal(*pair[1], rate.money.qualifier))
    months = _PERIOD_MONTHS.get(rate.period or "")
    if months is None or r_high is None or r_low <= 0 or s_low <= 0:
        return None
    computed = s_low * months / r_high, None if s_high is None else s_high * months / r_low
    stated = _nominal(duration.low_months, duration.high_months, duration.qualifier)
    if not _outside(stated, computed):
        return None
    unit = _PERIOD_MONTHS.get(duration.unit, Decimal(1))
    lasts = _fmt(computed[0] / unit)
    if computed[1] is not None and computed[1] != computed[0]:
        lasts += f"-{_fmt(computed[1] / unit)}"
    burn = rate.money.text if rate.money.per is not None else f"{rate.money.text} a {rate.period}"
    message = (f"{stock.money.text} at {burn} lasts about {lasts} "
               f"{duration.unit}s, not {duration.text.strip()}")
    d_start, d_end = lo + duration.start, lo + duration.end
    return message, min(stock.start, rate.start, d_start), max(stock.end, rate.end, d_end)


def _unit_cost(sentences: _Sentences, index: int) -> tuple[str, int, int] | None:
    """Check "N things at X each, Y in total" when the count, the price and the total are all
    stated in one sentence."""
    text = sentences.text
    lo, hi = sentences.bounds[index]
    amounts = sentences.amounts(index)
    if len(amounts) < 2:
        return None  # a price and a total are needed
    sentence = text[lo:hi]
    for count in find_counts(sentence):
        c_end = lo + count.end
        for price in (a for a in amounts if a.period is None):
            each = _EACH.match(text[price.end:hi])
            if price.start < c_end or (price.per_thing and not each):
                continue
            # "140 units at €85k", or "140 units ... €85k each" with no other number between.
            gap = text[c_end:price.start]
            plain_gap = len(gap) < 60 and not any(ch.isdigit() for ch in gap)
            if not (_UNIT_PRICE_GAP.match(gap) or (each and plain_gap)):
                continue
            totals = [a for a in amounts if a is not price and not a.per_thing]
            if len(totals) != 1:
                return None
            return _check_product(count, lo, price, totals[0])
    return None


def _check_product(count: Count, lo: int, price: _Amount, total: _Amount
                   ) -> tuple[str, int, int] | None:
    """Compare a stated total with the count times the unit price."""
    pair = _comparable(price.money, total.money)
    if pair is None:
        return None
    (p_low, p_high), stated = (_nominal(*pair[0], price.money.qualifier),
                               _nominal(*pair[1], total.money.qualifier))
    c_low, c_high = _nominal(Decimal(count.low),
                             None if count.high is None else Decimal(count.high), count.qualifier)
    computed = p_low * c_low, None if p_high is None or c_high is None else p_high * c_high
    if not _outside(stated, computed):
        return None
    product = _money(*computed, price.money.currency)
    message = (f"{count.text} at {price.money.text} each is {product}, "
               f"not {total.money.text}")
    start = min(lo + count.start, price.start, total.start)
    return message, start, max(lo + count.end, price.end, total.end)


def _texts(doc: Document) -> Iterator[Inline]:
    """Yield the text of every paragraph, list item and table cell."""
    from factcheck.document import Heading, Table

    for block in doc.blocks:
        if isinstance(block, Table):
            for row in (block.header, *block.rows):
                yield from (cell.inline for cell in row)
        elif not isinstance(block, Heading):
            yield block.inline


def _digit_texts(doc: Document) -> list[Inline]:
    """Return the texts of `_texts(doc)` that have a digit (`_has_digit`, inlined: this looks
    at every text of every document)."""
    from factcheck.document import Heading, Table

    search = _ASCII_DIGIT.search
    found: list[Inline] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in (block.header, *block.rows):
                for cell in row:
                    text = cell.inline.text
                    if search(text) is not None if text.isascii() else _has_digit(text):
                        found.append(cell.inline)
        elif not isinstance(block, Heading):
            text = block.inline.text
            if search(text) is not None if text.isascii() else _has_digit(text):
                found.append(block.inline)
    return found


def _priced_texts(doc: Document) -> Iterator[tuple[Inline, list[int] | None]]:
    """Yield the texts of a document that have a digit and a currency mark, with the marks
    (see `_currency_marks`).

    The texts with a digit are casefolded and searched together, joined by newlines (no
    currency word has one, so no match spans two texts): one call instead of two per text.
    Casefolding never shortens a character, so when it keeps the joined text's length it
    keeps every text's, and offsets in the joined text map back to each text.
    """
    texts = _digit_texts(doc)
    joined = "\n".join(inline.text for inline in texts)
    lowered = joined.casefold()
    if len(lowered) != len(joined):  # some text changes length: look at each text alone
        for inline in texts:
            marks = _currency_marks(inline.text)
            if marks != []:
                yield inline, marks
        return
    found = [m.start() for m in _CURRENCY.finditer(lowered)]
    start, index, first = 0, 0, 0
    for inline in texts:  # the marks are in text order: hand each text its own
        end = start + len(inline.text)
        index = bisect.bisect_left(found, end, index)
        if index > first:
            yield inline, [m - start for m in found[first:index]]
        if index == len(found):
            return
        start, first = end + 1, index


def _main_subject(ctx: RuleContext, doc: Document) -> str:
    """Return the company a document is mostly about, or its title."""
    companies = Counter(c.subject for c in ctx.claims
                        if c.subject_type == "company" and c.path == doc.path)
    if companies:
        return companies.most_common(1)[0][0]
    return doc.title or os.path.basename(doc.path)


@rule(
    code="FC502",
    name="arithmetic-error",
    severity="warning",
    scope="document",
    summary="""
Flags arithmetic a sentence states and gets wrong: cash divided by a burn rate against the
runway it claims, or a count times a unit price against the total it claims.
""",
    rationale="""
"€210M at €7.5M a month is roughly 34 months of runway" is checkable on the page: it is 28
months. A wrong result usually means one of the three figures is stale or mistyped, and readers
copy the conclusion, not the inputs. The check reads one sentence or list item (the cash may be
in the sentence before when the runway sentence refers back to it with "that" or "this") and
needs every figure stated, in one currency. "About" is read as the figure itself; results within
15% of the stated figure pass, to allow for rounding.
""",
    example="""
Acme held about €210M in cash. With net burn at €7.5M a month, that is roughly 34 months of
runway.
""",
    fix="Redo the calculation and correct the figure that is wrong, or state the assumption that "
        "makes it right (e.g. revenue that offsets the burn).",
)
def arithmetic_error(ctx: RuleContext) -> Iterator[Finding]:
    """Check the runway and unit-cost arithmetic of every sentence.

    Both checks need an amount of money in the sentence (the unit cost two), so sentences
    without a currency are skipped before anything is parsed, and each sentence's amounts are
    read once.
    """
    for doc in ctx.documents:
        subject = None
        for inline, marks in _priced_texts(doc):
            text = inline.text
            sentences = _Sentences(text)
            for index, (lo, hi) in enumerate(sentences.bounds):
                here = _marks_in(marks, lo, hi)
                if not here:
                    continue
                found = _runway(sentences, index) or (
                    _unit_cost(sentences, index) if here >= 2 else None)
                if found is None:
                    continue
                if subject is None:
                    subject = _main_subject(ctx, doc)
                message, start, end = found
                loc = doc.location(*inline.span(start, end))
                span = Span(doc.path, loc.line, loc.column, loc.end_line, loc.end_column,
                            text[start:end])
                yield ctx.finding_at(arithmetic_error, f"{subject}: {message}", span,
                                     subject=subject)


# -- FC503 ----------------------------------------------------------------------------------

_COUNT_LEAD = re.compile(
    r"^(?:(?:about|around|approximately|approx\.?|roughly|nearly|almost|over|under|more|than|less"
    r"|fewer|at|least|most|up|to|some|circa|just|only|exactly|~|≈|[<>]=?|[\d,.+\-–]+"
    r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?|one|two|three|four"
    r"|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|hundred|dozen)\s+)+",
    re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,.;:()\n]|\s(?:and|but|which|while|whereas)\s")
_TIME_QUALIFIER = re.compile(
    r"\b(?:years?|months?|quarters?|weeks?|annual(?:ly)?|so far|to date|per|each|since|until"
    r"|(?:19|20)\d\d|Q[1-4]|H[12])\b", re.IGNORECASE)


_SELECTOR_BEFORE = re.compile(
    r"\b(first|last|next|past|previous|other|remaining|additional|new|top|further|another"
    r"|original|initial|planned|target(?:ed)?)\s+$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n")
_NAME = re.compile(r"[A-Za-z][\w'’-]*")
_MONTH_NAMES = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
})


def _count_context(claim: CountClaim, doc: Document) -> tuple[str, str, str] | None:
    """Return what a count counts: its words without the number, a selector before it ("the
    last two rounds") and a time qualifier after it ("in its first year")."""
    words = _COUNT_LEAD.sub("", claim.count.text.strip() + " ").strip().casefold()
    if not words:
        return None
    before = _SELECTOR_BEFORE.search(doc.text[max(0, claim.offset - 20):claim.offset])
    after = doc.text[claim.end_offset:claim.end_offset + 80]
    clause = _CLAUSE_END.split(after, maxsplit=1)[0]
    qualifier = " ".join(clause.casefold().split()) if _TIME_QUALIFIER.search(clause) else ""
    return words, before.group(1).casefold() if before else "", qualifier


_MARKED_ASCII = re.compile(r"[0-9]|.[A-Z]", re.DOTALL)


def _is_name(word: str, *, inside: bool) -> bool:
    """A word with a digit or an inner capital, or a capitalised word inside a sentence."""
    if inside and word[0].isupper():
        return True
    if word.isascii():
        return _MARKED_ASCII.search(word) is not None
    return any(ch.isdigit() for ch in word) or any(ch.isupper() for ch in word[1:])


def _sentence_span(text: str, offset: int, end_offset: int) -> tuple[int, int]:
    """Return the sentence around a span: from the last break in the 1,000 characters before
    it to the next break after it."""
    window = max(0, offset - 1000)
    start = window
    for m in _SENTENCE_BREAK.finditer(text, window, offset):
        start = m.end()
    end_match = _SENTENCE_BREAK.search(text, end_offset)
    return start, end_match.start() if end_match else len(text)


@functools.lru_cache(maxsize=4096)
def _words_named(text: str, *, in_sentence: bool) -> frozenset[str]:
    """Return the names in a sentence (or, `in_sentence` False, a title), casefolded."""
    return frozenset(m.group(0).casefold() for i, m in enumerate(_NAME.finditer(text))
                     if _is_name(m.group(0), inside=in_sentence and i > 0))


def _names(claim: CountClaim, doc: Document) -> frozenset[str]:
    """Return the names a count's sentence and section mention, other than its subject's.

    A name is a capitalised word inside the sentence, or a word with a digit or an inner
    capital ("ACX-101", "OEMs") anywhere, including the innermost section title.
    """
    start, end = _sentence_span(doc.text, claim.offset, claim.end_offset)
    title = claim.section[-1] if len(claim.section) > 1 else ""
    found = (_words_named(doc.text[start:end], in_sentence=True)
             | _words_named(title, in_sentence=False))
    own = {w.casefold() for w in _NAME.findall(claim.subject)}
    return frozenset(found - own - _MONTH_NAMES)


def _counts_disjoint(a: Count, b: Count) -> bool:
    """Whether two counts cannot be the same number (`compare(a, "disjoint", b)`, inlined)."""
    return (a.high is not None and a.high < b.low) or (b.high is not None and b.high < a.low)


def _may_differ(claims: Sequence[CountClaim]) -> bool:
    """Whether two of the counts may be disjoint (`_counts_disjoint`): the lowest bounded
    high is below the highest low."""
    highs = [c.count.high for c in claims if c.count.high is not None]
    return len(claims) > 1 and bool(highs) and min(highs) < max(c.count.low for c in claims)


@rule(
    code="FC503",
    name="count-conflict",
    severity="warning",
    scope="set",
    summary="""
Flags two counts of the same thing of one company that disagree: the same words around
different numbers ("nine clinical sites" and "eleven clinical sites").
""",
    rationale="""
A count such as the number of sites, customers or models is one fact; two different numbers
for it mean one is stale or mistyped. The check is conservative: counts are compared only when
their phrases are identical once the number is removed (so "four sites" and "nine clinical
sites" are left alone), with the same selector before them ("the last two rounds" is not all
the rounds) and the same time qualifier after them ("in its first year"), when their dates do
not differ, and when their sentences do not name different things: "Book has eight customers"
and "Pay has three customers" count the customers of two products. Names are capitalised words
inside the sentence and words such as "ACX-101" in it or in its section title.
""",
    example="""
The ACX-101 trial is enrolling at nine clinical sites in the US and Canada.

- Single-asset dependence: ACX-101 is being run at eleven clinical sites.
""",
    fix="Check the current number and correct the stale count, or date both counts.",
)
def count_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """Compare every count with the earlier counts of the same phrase.

    The names around a count are read only when it disagrees with another count of its
    group, once per count.
    """
    docs = {doc.path: doc for doc in ctx.documents}
    counts = [c for c in _claims(ctx, CountClaim) if c.path in docs]
    # A group is a subject's counts of one noun, split further by their context. Reading the
    # context costs regular expressions over the text, so it is read only for the counts of
    # a subject and noun that hold two numbers that cannot be the same.
    same_noun: dict[tuple[str, str], list[CountClaim]] = {}
    for claim in counts:
        same_noun.setdefault((claim.subject_key, claim.noun), []).append(claim)
    differing = {id(c) for group in same_noun.values() if _may_differ(group) for c in group}
    groups: dict[tuple[str, ...], list[CountClaim]] = {}
    for claim in counts:
        context = _count_context(claim, docs[claim.path]) if id(claim) in differing else None
        if context is not None:
            key = (claim.subject_key, claim.noun, *context)
            groups.setdefault(key, []).append(claim)
    names: dict[int, frozenset[str]] = {}

    def names_of(claim: CountClaim) -> frozenset[str]:
        found = names.get(id(claim))
        if found is None:
            found = names[id(claim)] = _names(claim, docs[claim.path])
        return found

    def named_alike(a: CountClaim, b: CountClaim) -> bool:
        a_names, b_names = names_of(a), names_of(b)
        return not a_names or not b_names or bool(a_names & b_names)

    for group in groups.values():
        for b, before in ctx.earlier(count_conflict, group):
            clashes = [a for a in before
                       if _counts_disjoint(a.count, b.count) and not _disjoint(a.date, b.date)
                       and named_alike(a, b)]
            if clashes:
                first = clashes[0]
                message = (f'{b.subject}: "{b.count.text}" here but "{first.count.text}" '
                           f"({_where(first, b)})")
                yield ctx.finding(count_conflict, message, b,
                                  [(a, f'"{a.count.text}"') for a in clashes])


# -- FC504 ----------------------------------------------------------------------------------

# Probabilities are often rounded to whole percents: closer than this is the same figure.
_PERCENT_TOLERANCE = Decimal(1)
# Words that do not name an outcome: scenario vocabulary, generic case names ("bull case"
# and "base case" name positions on some scale, not what happens), and small words.
_NOT_OUTCOME_WORDS = frozenset({
    "scenario", "scenarios", "case", "cases", "probability", "probabilities", "likelihood",
    "chance", "chances", "odds", "outcome", "outcomes", "likely", "most", "least", "path",
    "bull", "bullish", "base", "bear", "bearish", "upside", "downside", "optimistic",
    "pessimistic", "best", "worst", "middle", "central", "conservative", "aggressive", "high",
    "low", "medium", "moderate", "the", "a", "an", "of", "by", "at", "in", "on", "to", "and",
    "or", "with", "within", "for", "from", "into", "its", "it", "is", "be", "as", "via",
    "year", "years", "month", "months", "quarter", "quarters", "next", "over",
})
_LETTERS = re.compile(r"[^\W\d_]+")
_STEM = 5  # "acquisition" and "acquired" share "acqui"; "independent" and "independence"


@functools.lru_cache(maxsize=4096)
def _outcome_words(label: str, subject: str) -> frozenset[str]:
    """Return the stems of the words of an outcome label that name what happens."""
    own = {w.casefold() for w in _LETTERS.findall(subject)}
    words = (w.casefold() for w in _LETTERS.findall(label))
    return frozenset(w[:_STEM] for w in words
                     if w not in _NOT_OUTCOME_WORDS and w not in own and len(w) > 1)


def _matched_outcomes(a: ProbabilitiesClaim, b: ProbabilitiesClaim) -> list[tuple[int, int]]:
    """Pair the outcomes of two distributions one to one by the words of their labels.

    Pairs sharing more words are made first, ties in list order; outcomes that share no word
    with any outcome left stay unpaired.
    """
    words_a = [_outcome_words(item.label, a.subject) for item in a.items]
    words_b = [_outcome_words(item.label, b.subject) for item in b.items]
    scored = sorted((-len(x & y), i, j) for i, x in enumerate(words_a)
                    for j, y in enumerate(words_b) if x & y)
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in scored:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)


@functools.lru_cache(maxsize=1024)
def _section_date(title: str) -> DateValue | None:
    found = find_dates(title)
    return found[0] if found else None


def _as_of(claim: ProbabilitiesClaim) -> DateValue | None:
    """Return when a distribution holds: its date, or a date in its section's title."""
    if claim.date is not None:
        return claim.date
    return _section_date(claim.section[-1]) if claim.section else None


def _percent_text(percent: Percent) -> str:
    return percent.text.strip() or f"{describe(percent.low)}%"


def _label(text: str) -> str:
    text = collapse(text)
    return text if len(text) <= 50 else text[:47].rstrip() + "..."


def _probabilities_differ(a: Percent, b: Percent) -> bool:
    """Whether two probabilities cannot be the same figure, allowing for rounding."""
    return ((a.high is not None and a.high + _PERCENT_TOLERANCE < b.low)
            or (b.high is not None and b.high + _PERCENT_TOLERANCE < a.low))


def _distribution_problems(a: ProbabilitiesClaim, b: ProbabilitiesClaim) -> list[str]:
    """Say how two distributions of one question contradict each other, seen from `b`.

    They are about one question when at least two outcomes pair up by their labels and every
    outcome of the shorter list pairs up; otherwise, or when their dates differ (a later
    revision, another horizon), nothing is said.
    """
    if _disjoint(_as_of(a), _as_of(b)):
        return []
    pairs = _matched_outcomes(a, b)
    if len(pairs) < 2 or len(pairs) < min(len(a.items), len(b.items)):
        return []
    problems = []
    for i, j in pairs:
        x, y = a.items[i], b.items[j]
        if _probabilities_differ(x.percent, y.percent):
            problems.append(f'"{_label(y.label)}" {_percent_text(y.percent)} here but '
                            f'"{_label(x.label)}" {_percent_text(x.percent)} there')
    if len(a.items) != len(b.items):
        paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
        extra = [(item, "there") for i, item in enumerate(a.items) if i not in paired_a]
        extra += [(item, "here") for j, item in enumerate(b.items) if j not in paired_b]
        likely = [(item, where) for item, where in extra if item.percent.low > _PERCENT_TOLERANCE]
        if likely:
            named = ", ".join(f'"{_label(item.label)}" {_percent_text(item.percent)} only {where}'
                              for item, where in likely)
            problems.append(f"{len(b.items)} outcomes here but {len(a.items)} there ({named})")
    return problems


@rule(
    code="FC504",
    name="probabilities-conflict",
    severity="warning",
    scope="set",
    summary="""
Flags two probability distributions over the same outcomes of one company, in two places of a
dossier set, that cannot both hold: the same outcome with different probabilities, or a
different number of outcomes for the same named outcomes.
""",
    rationale="""
A scenario list ("IPO 30%, acquisition 50%, wind-down 20%") is one judgement; a summary or a
companion file that gives the same outcomes other odds ("50% independent, 50% acquisition")
leaves the reader with two forecasts and no way to tell which one the analysis stands behind.
Two lists are taken to be about one question when at least two of their outcomes pair up by
the words of their labels ("independent success" and "Independent IPO", "acquisition" and
"Acquired by a larger group") and every outcome of the shorter list pairs up. Generic case
names (bull, base, bear, upside, downside) name no outcome, so bull/base/bear lists about
different metrics are never compared. Lists dated differently, by their own date or by a date
in their section's title ("Outlook (September 2025)"), are a revision or another horizon and
are not compared. Probabilities within one point are the same figure; an outcome one list
leaves out counts only when the other gives it more than 1%.
""",
    example="""
## Exit scenarios

- 30%: IPO on Nasdaq by 2027
- 50%: acquisition by a larger drug developer
- 20%: wind-down after the phase 3 readout

## Summary

The exit outcomes in short:

- 50%: IPO on Nasdaq
- 50%: acquisition by a larger drug developer
""",
    fix="""
Decide which forecast is current and correct the other list, or date both lists so that the
later one reads as a revision.
""",
)
def probabilities_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """Compare each distribution with the earlier distributions about the same company."""
    for group in ctx.index.by_subject(ProbabilitiesClaim).values():
        for b, before in ctx.earlier(probabilities_conflict, group):
            clashes = [(a, p) for a in before if (p := _distribution_problems(a, b))]
            if not clashes:
                continue
            # Name a contradiction in another file first: that is the one a reader cannot see.
            first, problems = min(clashes, key=lambda c: c[0].path == b.path)
            message = (f"{b.subject}: outcome probabilities disagree with those at "
                       f"{_where(first, b)}: {'; '.join(problems)}")
            related = [(a, "outcome probabilities: " + ", ".join(
                f"{_label(item.label)} {_percent_text(item.percent)}" for item in a.items))
                for a, _ in clashes]
            yield ctx.finding(probabilities_conflict, message, b, related)


# -- FC601 ----------------------------------------------------------------------------------

# Roles one person holds at a time, by acronym and by the word after "chief".
_SOLE_ROLES: dict[str, str] = {
    "ceo": "ceo", "executive": "ceo", "cfo": "cfo", "financial": "cfo", "cto": "cto",
    "technology": "cto", "technical": "cto", "coo": "coo", "operating": "coo",
}
_ROLE_WORDS = re.compile(
    r"(?<![\w-])(?:chief (executive|financial|technology|technical|operating)(?: officer)?"
    r"|(ceo|cfo|cto|coo))(?![\w-])")
# "former Sogou CEO" is a past role, possibly elsewhere; "co-CEO" and "interim CEO" are shared.
_SOLE = frozenset(_SOLE_ROLES.values())
_NOT_SOLE = re.compile(
    r"(?:\b(?:former|ex|previous(?:ly)?|then|past|one-time)\b[\s-]*(?:[\w.&'-]+\s+){0,3}"
    r"|\b(?:interim|acting|deputy|vice|co)[\s-]*)$")
_HONORIFICS = frozenset({"dr", "dr.", "prof", "prof.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.",
                         "sir", "dame"})


@functools.lru_cache(maxsize=4096)
def _roles(role: str) -> frozenset[str]:
    """Return the canonical roles of a role text; "former CEO" and "co-CEO" are not sole roles."""
    text = role.casefold()
    found = set()
    for m in _ROLE_WORDS.finditer(text):
        if not _NOT_SOLE.search(text[:m.start()]):
            found.add(_SOLE_ROLES[m.group(1) or m.group(2)])
    rest = _ROLE_WORDS.sub("", text)
    found.update(w for w in re.split(r"[^a-z-]+", rest) if w in {"founder", "co-founder"})
    return frozenset(found)


def _person(claim: PersonClaim) -> frozenset[str]:
    return _name_tokens(claim.subject_key)


@functools.lru_cache(maxsize=4096)
def _name_tokens(key: str) -> frozenset[str]:
    return frozenset(t for t in key.split("-") if t and t not in _HONORIFICS)


def _same_person(a: PersonClaim, b: PersonClaim) -> bool:
    x, y = _person(a), _person(b)
    return bool(x and y) and (x <= y or y <= x)


def _holds(claim: PersonClaim) -> tuple[dt.date, dt.date | None]:
    """Return the latest day a role may have begun and the earliest it may have ended.

    An end of None means the role still holds. A claim dated as a period ("CEO from 2017 to
    2019") holds within it; a claim with a start date holds from then on; an undated one now.
    """
    if claim.date is not None and claim.date.precision == "range":
        # Ends of a range are often whole years: a handover within a year is not an overlap.
        first, last = claim.date.first, claim.date.last
        start = first.replace(month=12, day=31) if (first.month, first.day) == (1, 1) else first
        end = last.replace(month=1, day=1) if (last.month, last.day) == (12, 31) else last
        return start, end
    if claim.since is not None:
        return claim.since.last, None
    return dt.date.min, None


def _certainly_overlap(a: PersonClaim, b: PersonClaim) -> bool:
    a_start, a_end = _holds(a)
    b_start, b_end = _holds(b)
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _since_text(claim: PersonClaim) -> str:
    return "undated" if claim.since is None else f"since {describe(claim.since)}"


def _person_problems(a: PersonClaim, b: PersonClaim) -> str | None:
    """Say how two person claims at one employer contradict each other, seen from `b`."""
    roles_a, roles_b = _roles(a.role), _roles(b.role)
    if _same_person(a, b):
        if roles_a and roles_a == roles_b and _disjoint(a.since, b.since):
            return (f"{b.subject}: {b.role} at {b.employer} {_since_text(b)} here but "
                    f"{_since_text(a)} ({_where(a, b)})")
        if a.tenure is not None and compare(a.tenure, "disjoint", b.tenure):
            return (f"{b.subject}: {describe(b.tenure)} at {b.employer} here but "
                    f"{describe(a.tenure)} ({_where(a, b)})")
        return None
    shared = sorted(roles_a & roles_b & _SOLE)
    if shared and _certainly_overlap(a, b):
        return (f"{b.employer}: {b.subject} and {a.subject} are both named "
                f"{shared[0].upper()} at the same time ({_where(a, b)})")
    return None


@rule(
    code="FC601",
    name="person-conflict",
    severity="warning",
    scope="set",
    summary="""
Flags contradictory statements about a company's people: one person in one role with two
different start dates or tenures, or two people holding a sole role (CEO, CFO, CTO, COO) at the
same time.
""",
    rationale="""
Leadership facts anchor a dossier's story: who runs the company, since when. "COO since 2021"
in the people table and "COO since 2023" in the prose cannot both hold, and two different chief
executives at the same time mean one statement is outdated. Only roles one person holds at a
time are compared between people: co-founders, co-CEOs, interim and former roles ("former Sogou
CEO") are left alone, and a period that ends in the year the next one starts is a handover, not
an overlap.
""",
    example="""
| Name | Role | Since |
|---|---|---|
| Ingrid Solberg | Chief operating officer | 2021 |

- **COO**: Marco Ferri
""",
    fix="Check the person's record (filings, press releases) and correct the stale statement.",
)
def person_conflict(ctx: RuleContext) -> Iterator[Finding]:
    """Compare every person claim with the earlier claims about the same employer."""
    groups: dict[str, list[PersonClaim]] = {}
    for claim in _claims(ctx, PersonClaim):
        if claim.employer:
            groups.setdefault(_company_key(claim.employer), []).append(claim)
    for group in groups.values():
        for b, before in ctx.earlier(person_conflict, group):
            clashes = [(a, p) for a in before if (p := _person_problems(a, b)) is not None]
            if clashes:
                message = clashes[0][1]
                yield ctx.finding(person_conflict, message, b,
                                  [(a, f"{a.subject}: {a.role} ({_since_text(a)})")
                                   for a, _ in clashes])


RULES: list[Rule] = [
    funding_round_conflict,
    round_exceeds_valuation,
    funding_total_mismatch,
    implausible_raise,
    unicorn_status_conflict,
    unicorn_status_unsupported,
    arithmetic_error,
    count_conflict,
    probabilities_conflict,
    person_conflict,
]


def _company_key(name: str) -> str:
    """`claims.entities.company_key`, imported when first needed (it brings the parser)."""
    from factcheck.claims.entities import company_key

    return company_key(name)

