"""Money, model sizes, dates, percentages, ranks, counts and durations as typed intervals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

Qualifier = Literal["exact", "approx", "at_least", "at_most", "range", "vague"]


class Quantity(BaseModel):
    """A value found in text: `text` is the matched source, `start`/`end` its offsets in the input."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int = 0
    end: int = 0


class Money(Quantity):
    """An amount of money as a closed interval [low, high]; high None means unbounded above."""

    kind: Literal["money"] = "money"
    currency: str  # ISO 4217: "USD", "CNY", "EUR", "GBP", "JPY"
    low: Decimal
    high: Decimal | None
    qualifier: Qualifier = "exact"
    converted: Money | None = None  # an explicit conversion given in the text, never invented


class Size(Quantity):
    """A model size in parameters as an interval; `active` is the active-parameter interval of MoE."""

    kind: Literal["size"] = "size"
    low: Decimal
    high: Decimal | None
    qualifier: Qualifier = "exact"
    active_low: Decimal | None = None
    active_high: Decimal | None = None
    architecture: Literal["dense", "moe"] | None = None


DatePrecision = Literal["day", "month", "quarter", "half", "part", "year", "range"]


class DateValue(Quantity):
    """A date as the interval of days it may denote, with its precision."""

    kind: Literal["date"] = "date"
    first: dt.date
    last: dt.date
    precision: DatePrecision
    as_of: bool = False  # "as of April 2025", "by 2026": a state at that time


class Percent(Quantity):
    kind: Literal["percent"] = "percent"
    low: Decimal
    high: Decimal | None
    qualifier: Qualifier = "exact"


class Rank(Quantity):
    """A rank position interval: "#2-3" is [2, 3]; "top" is [1, 1] with `top` set."""

    kind: Literal["rank"] = "rank"
    low: int
    high: int
    tied: bool = False
    top: bool = False


class Count(Quantity):
    """A count of things: "11 models", "eleven US cities", "12+ models"."""

    kind: Literal["count"] = "count"
    low: int
    high: int | None
    qualifier: Qualifier = "exact"
    noun: str = ""


class Duration(Quantity):
    """A duration in months as an interval: "16-year" is [192, 192]."""

    kind: Literal["duration"] = "duration"
    low_months: Decimal
    high_months: Decimal | None
    qualifier: Qualifier = "exact"
    unit: Literal["day", "week", "month", "quarter", "year"]
