"""Typed claims: what a dossier asserts, with its subject, value, date and exact source span."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from factcheck.quantities import Count, DateValue, Duration, Money, Percent, Rank, Size

Origin = Literal["table", "list", "prose", "heading"]
SubjectType = Literal["company", "model", "product", "person", "unknown"]


# Schemas are built on first use, not at import: `factcheck rules` and `explain` never need
# them, and `check` builds only those of the claims it makes.
_CONFIG = ConfigDict(frozen=True, defer_build=True)


class ClaimBase(BaseModel):
    """Fields every claim has: who it is about, where it was found, and the text that says it."""

    model_config = _CONFIG

    subject: str = Field(description="The entity the claim is about, as written.")
    subject_key: str = Field(description="Normalised entity key; equal keys are one entity.")
    subject_type: SubjectType = "unknown"
    date: DateValue | None = Field(default=None, description="When the claim holds, if stated.")
    evidence: str = Field(description="The source text the claim was read from.")
    origin: Origin = Field(description="The kind of Markdown block the claim came from.")
    section: tuple[str, ...] = Field(default=(), description="Heading path of the block.")
    path: str
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    end_line: int = Field(ge=1)
    end_column: int = Field(ge=1, description="Exclusive, 1-based, in code points.")
    offset: int = Field(ge=0, description="Start offset in the repaired document text.")
    end_offset: int = Field(ge=0, description="End offset in the repaired document text.")


class ReleaseClaim(ClaimBase):
    """A model or product was released at a date (the claim's `date`)."""

    kind: Literal["release"] = "release"


class ModelSizeClaim(ClaimBase):
    kind: Literal["model_size"] = "model_size"
    size: Size


OpenWeightsValue = Literal["open", "closed", "partial"]


class OpenWeightsClaim(ClaimBase):
    """Whether a model's weights are open, from a table cell or a prose statement."""

    kind: Literal["open_weights"] = "open_weights"
    value: OpenWeightsValue


class ContextLengthClaim(ClaimBase):
    kind: Literal["context_length"] = "context_length"
    tokens: Count


class FundingRoundClaim(ClaimBase):
    """One funding round: its name, amount (or undisclosed), valuation and investors."""

    kind: Literal["funding_round"] = "funding_round"
    round: str = Field(description="Normalised round name, e.g. 'series-b', 'seed'.")
    round_label: str = Field(description="The round name as written.")
    amount: Money | None = None
    undisclosed: bool = False
    valuation: Money | None = None
    investors: tuple[str, ...] = ()
    is_total: bool = Field(default=False, description="A stated total over rounds, not a round.")


class ValuationClaim(ClaimBase):
    kind: Literal["valuation"] = "valuation"
    value: Money


class StatusClaim(ClaimBase):
    """A status statement such as 'unicorn' or 'not a unicorn as of late 2024'."""

    kind: Literal["status"] = "status"
    status: str = Field(description="Vocabulary status name, e.g. 'unicorn'.")
    negated: bool = False
    threshold: Money | None = Field(default=None, description="Valuation the status implies.")


RevenueMetric = Literal["revenue", "arr", "revenue_target"]


class RevenueClaim(ClaimBase):
    kind: Literal["revenue"] = "revenue"
    metric: RevenueMetric
    value: Money


class RankingClaim(ClaimBase):
    """A rank of the subject on a scope (leaderboard, benchmark or metric)."""

    kind: Literal["ranking"] = "ranking"
    scope: str = Field(description="Normalised scope key, e.g. 'revenue-target', 'livebench'.")
    scope_label: str
    rank: Rank


class RetractionClaim(ClaimBase):
    """The document withdraws an earlier claim ('previously claimed #1 ..., incorrect data')."""

    kind: Literal["retraction"] = "retraction"
    retracted: str = Field(description="The withdrawn statement as written.")
    scope: str | None = Field(default=None, description="Scope key of a withdrawn ranking.")
    rank: Rank | None = None


class MaturityClaim(ClaimBase):
    kind: Literal["maturity"] = "maturity"
    stage: str = Field(description="Vocabulary stage name, e.g. 'experimental', 'production'.")
    level: int = Field(description="Order of the stage; higher is more mature.")


class PersonClaim(ClaimBase):
    """A person's role at an employer, with tenure when stated."""

    kind: Literal["person"] = "person"
    role: str
    employer: str | None = None
    since: DateValue | None = None
    tenure: Duration | None = None


class CountClaim(ClaimBase):
    kind: Literal["count"] = "count"
    noun: str
    count: Count


class ProbabilityItem(BaseModel):
    model_config = _CONFIG

    label: str
    percent: Percent


class ProbabilitiesClaim(ClaimBase):
    """A list of mutually exclusive scenarios with probabilities."""

    kind: Literal["probabilities"] = "probabilities"
    items: tuple[ProbabilityItem, ...]


class LinkClaim(ClaimBase):
    kind: Literal["link"] = "link"
    target: str
    text: str


Claim = Annotated[
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
    | LinkClaim,
    Field(discriminator="kind"),
]

CLAIM_ADAPTER: TypeAdapter[Claim] = TypeAdapter(Claim, config=ConfigDict(defer_build=True))
