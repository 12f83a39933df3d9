"""Typed claims: what a dossier asserts, with its subject, value, date and exact source span."""

from __future__ import annotations

import typing
from typing import Literal

from factcheck.quantities import Count, DateValue, Duration, Money, Percent, Rank, Size
from factcheck.records import Record, meta, record

Origin = Literal["table", "list", "prose", "heading"]
SubjectType = Literal["company", "model", "product", "person", "unknown"]


@record
class ClaimBase(Record):
    """Fields every claim has: who it is about, where it was found, and the text that says it."""

    subject: str = meta("The entity the claim is about, as written.")
    subject_key: str = meta("Normalised entity key; equal keys are one entity.")
    subject_type: SubjectType = "unknown"
    date: DateValue | None = meta("When the claim holds, if stated.", default=None)
    evidence: str = meta("The source text the claim was read from.")
    origin: Origin = meta("The kind of Markdown block the claim came from.")
    section: tuple[str, ...] = meta("Heading path of the block.", default=())
    path: str
    line: int = meta(ge=1)
    column: int = meta(ge=1)
    end_line: int = meta(ge=1)
    end_column: int = meta("Exclusive, 1-based, in code points.", ge=1)
    offset: int = meta("Start offset in the repaired document text.", ge=0)
    end_offset: int = meta("End offset in the repaired document text.", ge=0)


@record
class ReleaseClaim(ClaimBase):
    """A model or product was released at a date (the claim's `date`)."""

    kind: Literal["release"] = "release"


@record
class ModelSizeClaim(ClaimBase):
    kind: Literal["model_size"] = "model_size"
    size: Size


OpenWeightsValue = Literal["open", "closed", "partial"]


@record
class OpenWeightsClaim(ClaimBase):
    """Whether a model's weights are open, from a table cell or a prose statement."""

    kind: Literal["open_weights"] = "open_weights"
    value: OpenWeightsValue


@record
class ContextLengthClaim(ClaimBase):
    kind: Literal["context_length"] = "context_length"
    tokens: Count


@record
class FundingRoundClaim(ClaimBase):
    """One funding round: its name, amount (or undisclosed), valuation and investors."""

    kind: Literal["funding_round"] = "funding_round"
    round: str = meta("Normalised round name, e.g. 'series-b', 'seed'.")
    round_label: str = meta("The round name as written.")
    amount: Money | None = None
    undisclosed: bool = False
    valuation: Money | None = None
    investors: tuple[str, ...] = ()
    is_total: bool = meta("A stated total over rounds, not a round.", default=False)


@record
class ValuationClaim(ClaimBase):
    kind: Literal["valuation"] = "valuation"
    value: Money


@record
class StatusClaim(ClaimBase):
    """A status statement such as 'unicorn' or 'not a unicorn as of late 2024'."""

    kind: Literal["status"] = "status"
    status: str = meta("Vocabulary status name, e.g. 'unicorn'.")
    negated: bool = False
    threshold: Money | None = meta("Valuation the status implies.", default=None)


RevenueMetric = Literal["revenue", "arr", "revenue_target"]


@record
class RevenueClaim(ClaimBase):
    kind: Literal["revenue"] = "revenue"
    metric: RevenueMetric
    value: Money


@record
class RankingClaim(ClaimBase):
    """A rank of the subject on a scope (leaderboard, benchmark or metric)."""

    kind: Literal["ranking"] = "ranking"
    scope: str = meta("Normalised scope key, e.g. 'revenue-target', 'livebench'.")
    scope_label: str
    rank: Rank


@record
class RetractionClaim(ClaimBase):
    """The document withdraws an earlier claim ('previously claimed #1 ..., incorrect data')."""

    kind: Literal["retraction"] = "retraction"
    retracted: str = meta("The withdrawn statement as written.")
    scope: str | None = meta("Scope key of a withdrawn ranking.", default=None)
    rank: Rank | None = None


@record
class MaturityClaim(ClaimBase):
    kind: Literal["maturity"] = "maturity"
    stage: str = meta("Vocabulary stage name, e.g. 'experimental', 'production'.")
    level: int = meta("Order of the stage; higher is more mature.")


@record
class PersonClaim(ClaimBase):
    """A person's role at an employer, with tenure when stated."""

    kind: Literal["person"] = "person"
    role: str
    employer: str | None = None
    since: DateValue | None = None
    tenure: Duration | None = None


@record
class CountClaim(ClaimBase):
    kind: Literal["count"] = "count"
    noun: str
    count: Count


@record
class ProbabilityItem(Record):
    label: str
    percent: Percent


@record
class ProbabilitiesClaim(ClaimBase):
    """A list of mutually exclusive scenarios with probabilities."""

    kind: Literal["probabilities"] = "probabilities"
    items: tuple[ProbabilityItem, ...]


@record
class LinkClaim(ClaimBase):
    kind: Literal["link"] = "link"
    target: str
    text: str


#: Any claim; each class has its own `kind` (`claims_schema` describes this union with `kind`
#: as its discriminator).
Claim = (
    ReleaseClaim
    | ModelSizeClaim
    | OpenWeightsClaim
    | ContextLengthClaim
    | FundingRoundClaim
    | ValuationClaim
    | StatusClaim
    | RevenueClaim
    | RankingClaim
    | RetractionClaim
    | MaturityClaim
    | PersonClaim
    | CountClaim
    | ProbabilitiesClaim
    | LinkClaim
)


def claim_classes() -> dict[str, type[ClaimBase]]:
    """Return each claim class by its `kind`."""
    return {cls.model_fields["kind"].default: cls for cls in typing.get_args(Claim)}
