"""Claims extracted from the corpus: the acceptance list of the claim model, pinned to positions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypeVar

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.claims import Claim, claims_schema, dump_schema, extract_claims
from factcheck.claims.extract import _ODD_FOLDS, _SENTENCE_END, _trigger
from factcheck.claims.models import (
    ClaimBase,
    MaturityClaim,
    ModelSizeClaim,
    OpenWeightsClaim,
    RankingClaim,
    RetractionClaim,
    StatusClaim,
    ValuationClaim,
)
from factcheck.document import load, parse, parse_text
from factcheck.encoding import decode
from factcheck.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "corpus"
RECEIVED = CORPUS / "received" / "stepfun.md"
SCHEMA = ROOT / "src" / "factcheck" / "schemas" / "claims.schema.json"
FIXTURES = sorted(p for p in (ROOT / "fixtures").rglob("*.md") if p.name != "README.md")

C = TypeVar("C", bound=ClaimBase)


def claims_of(path: Path) -> list[Claim]:
    return extract_claims(load(path))


@pytest.fixture(scope="module")
def received() -> list[Claim]:
    return claims_of(RECEIVED)


def at(claims: list[Claim], kind: type[C], line: int) -> list[C]:
    """The claims of one class (so of one `kind`) on a line."""
    return [c for c in claims if isinstance(c, kind) and c.line == line]


def test_model_rows_are_closed(received: list[Claim]) -> None:
    rows = [c for c in received if c.kind == "open_weights" and c.origin == "table"]
    assert [(c.subject, c.line, c.value) for c in rows] == [
        ("Step-1", 104, "closed"),
        ("Step-1-8k", 105, "closed"),
        ("Step-1-32k", 106, "closed"),
        ("Step-1V", 107, "closed"),
        ("Step-2", 108, "closed"),
        ("Step-2-16k", 109, "closed"),
        ("Step-Video-T2V", 110, "closed"),
        ("Step-Audio", 111, "closed"),
    ]


def test_prose_calls_video_model_open_source_with_size(received: list[Claim]) -> None:
    [open_claim] = at(received, OpenWeightsClaim, 217)
    assert open_claim.subject == "Step-Video-T2V" and open_claim.value == "open"
    [size] = at(received, ModelSizeClaim, 217)
    assert size.subject_key == "step-video-t2v" and size.size.low == 30_000_000_000


def test_retraction_and_assertion_of_revenue_ranking(received: list[Claim]) -> None:
    [retraction] = at(received, RetractionClaim, 209)
    assert retraction.scope == "revenue-target" and retraction.rank is not None
    assert retraction.rank.low == 1
    [ranking] = at(received, RankingClaim, 232)
    assert ranking.scope == "revenue-target" and ranking.rank.low == 1
    assert ranking.subject_key == "stepfun"


def test_funding_claims(received: list[Claim]) -> None:
    rounds = [c for c in received if c.kind == "funding_round" and c.round == "series-b"]
    assert {c.line for c in rounds} >= {31, 43, 190}
    vague = next(c for c in rounds if c.line == 43)
    assert vague.amount is not None and vague.amount.qualifier == "vague"
    [valuation] = at(received, ValuationClaim, 189)
    assert valuation.value.low == 450_000_000 and valuation.date is not None
    assert (valuation.date.first.year, valuation.date.first.month) == (2024, 12)
    [status] = at(received, StatusClaim, 45)
    assert status.status == "unicorn" and status.negated and status.date is not None
    assert status.date.last.year == 2024


def test_maturity_of_step_audio(received: list[Claim]) -> None:
    [experimental] = at(received, MaturityClaim, 84)
    [production] = at(received, MaturityClaim, 218)
    assert (experimental.subject, experimental.stage) == ("Step-Audio", "experimental")
    assert (production.subject, production.stage) == ("Step-Audio", "production")


def test_outcome_probabilities_and_link(received: list[Claim]) -> None:
    [probs] = [c for c in received if c.kind == "probabilities"]
    assert [int(i.percent.low) for i in probs.items] == [30, 50, 20]
    assert (probs.line, probs.end_line) == (241, 243)
    [link] = [c for c in received if c.kind == "link"]
    assert link.line == 174 and link.target == "ailabs-llm-chinese-stepfun-strategy.md"


# -- distributions in one line -------------------------------------------------------------


def probabilities_in(markdown: str) -> list[Claim]:
    text = f"# Tidewater Freight\n\nTidewater Freight ships goods.\n\n{markdown}\n"
    doc = parse_text(text, "t.md")
    return [c for c in extract_claims(doc) if c.kind == "probabilities"]


def outcomes(claim: Claim) -> list[tuple[str, int]]:
    assert claim.kind == "probabilities"
    return [(item.label, int(item.percent.low)) for item in claim.items]


def test_inline_survival_probability_in_the_strategy_file() -> None:
    claims = claims_of(CORPUS / "ailabs" / "llm-chinese-stepfun-strategy.md")
    [inline] = [c for c in claims if c.kind == "probabilities" and c.line == 16]
    assert outcomes(inline) == [("independent success", 50), ("acquisition within 2-3 years", 50)]
    assert (inline.column, inline.end_line, inline.end_column) == (29, 16, 86)
    assert inline.evidence == "50% independent success, 50% acquisition within 2-3 years"
    assert inline.subject_key == "stepfun" and inline.origin == "list"


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "- **Survival probability**: 35% independent growth, 45% acquired, 20% wind-down",
            [("independent growth", 35), ("acquired", 45), ("wind-down", 20)],
        ),
        (  # percentages closing each part, in parentheses, after a colon; semicolons
            "- **Exit odds (2026)**: IPO 30%; trade sale (50% probability); wind-down: 20%",
            [("IPO", 30), ("trade sale", 50), ("wind-down", 20)],
        ),
        (  # a paragraph; the outcomes end with the sentence
            "Likely outcomes: 60% approval, 40% rejection. Either way 30% more staff.",
            [("approval", 60), ("rejection", 40)],
        ),
        (  # a part without a percentage belongs to the outcome it is written beside
            "- Exit scenarios: 70% acquired by a rival, a supplier or a customer, 30% IPO",
            [("acquired by a rival, a supplier or a customer", 70), ("IPO", 30)],
        ),
        (
            "- Exit scenarios: a rival, a supplier or a customer buys it: 70%, and IPO ~30%",
            [("a rival, a supplier or a customer buys it", 70), ("IPO", 30)],
        ),
        (
            "- Probability of approval: 55% first cycle, 30% second cycle, 15% never",
            [("first cycle", 55), ("second cycle", 30), ("never", 15)],
        ),
        (  # a label that names probabilities holds a wrong total too (for FC501 to report)
            "- **Exit probabilities**: 60% IPO, 30% trade sale",
            [("IPO", 60), ("trade sale", 30)],
        ),
    ],
)
def test_inline_distributions(markdown: str, expected: list[tuple[str, int]]) -> None:
    [claim] = probabilities_in(markdown)
    assert outcomes(claim) == expected
    assert claim.subject_key == "tidewater-freight"
    # The evidence is the outcomes: from after the label to the end of the last one.
    assert claim.evidence == markdown.split(": ", 1)[1].split(". ")[0]


@pytest.mark.parametrize(
    "markdown",
    [
        "- **Revenue growth**: revenue up 50%, margins 20%",
        "- **Market share**: 40% Maersk, 30% MSC, 20% CMA CGM",
        "Revenue rose 50%, margins reached 20% and churn fell 5%.",
        "- **Key metrics**: 95% on-time delivery, 80% utilisation",
        "- **Base case revenue**: 50% growth, 50% flat",  # names a case only in passing
        "- **Measured outcomes**: 95% diagnostic alignment with expert decisions",  # one part
        "- **Likely outcomes**: 30-40% IPO, 60% sale",  # a range is no one probability
        "- **Outcomes**: 60% IPO, then slower growth",  # one outcome with a percentage
        "- **Exit scenarios**: 150% IPO, 50% sale",
        # Outcomes without probabilities may be results: only a whole distribution counts.
        "- **Key outcomes**: revenue up 50%, margins 20%",
        "- **Use cases**: 40% coding, 30% writing",
    ],
)
def test_inline_non_distributions(markdown: str) -> None:
    assert probabilities_in(markdown) == []


_OUTCOME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=20).map(
    lambda s: "x" + " ".join(s.split())
)


@settings(max_examples=80, deadline=None)
@given(
    label=st.sampled_from(["Survival probability", "Exit likelihood", "Probabilities", "Odds"]),
    parts=st.lists(st.tuples(_OUTCOME, st.integers(0, 100)), min_size=2, max_size=5),
    form=st.sampled_from(["{p}% {o}", "{o} {p}%", "{o} ({p}%)", "{o}: {p}%", "{p}%: {o}"]),
    separator=st.sampled_from([", ", "; ", ", and "]),
    bullet=st.sampled_from(["- ", "* ", ""]),
    bold=st.booleans(),
)
def test_inline_distributions_read_back(
    label: str,
    parts: list[tuple[str, int]],
    form: str,
    separator: str,
    bullet: str,
    bold: bool,
) -> None:
    body = separator.join(form.format(p=p, o=o) for o, p in parts)
    head = f"**{label}**" if bold else label
    [claim] = probabilities_in(f"{bullet}{head}: {body}")
    assert outcomes(claim) == [(o, p) for o, p in parts]
    assert claim.evidence == body
    assert claim.origin == ("list" if bullet else "prose")


@settings(max_examples=60, deadline=None)
@given(
    label=st.sampled_from(["Revenue growth", "Market share", "Margins", "Highlights", "Mix"]),
    parts=st.lists(st.tuples(_OUTCOME, st.integers(0, 100)), min_size=2, max_size=5),
)
def test_percentages_without_a_probability_label_are_no_distribution(
    label: str, parts: list[tuple[str, int]]
) -> None:
    body = ", ".join(f"{p}% {o}" for o, p in parts)
    assert probabilities_in(f"- **{label}**: {body}") == []


def test_columns_point_into_the_damaged_file(received: list[Claim]) -> None:
    """Positions are in the file as it is on disk, before the encoding repair."""
    damaged = RECEIVED.read_text(encoding="utf-8").splitlines()
    [cell] = at(received, OpenWeightsClaim, 110)
    assert damaged[cell.line - 1][cell.column - 1 : cell.end_column - 1] == "‚ùå"


# -- the word prefilter that skips phrase patterns ------------------------------------------


def test_phrase_triggers_are_whole_words_or_nothing() -> None:
    assert _trigger(["open weights", "api-only", "Series A+"]) == frozenset(
        {"weights", "only", "series"})
    # A phrase with other characters has no word that `_Words` could look for.
    assert _trigger(["open source", "开源"]) is None


def test_odd_folds_cover_every_character_that_matches_an_ascii_letter() -> None:
    """Outside these, a character that matches an ASCII letter case-insensitively lowers to it."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    for code in range(128, 0x110000):
        char = chr(code)
        if letter.fullmatch(char) and not (char.lower().isascii() and len(char.lower()) == 1):
            assert _ODD_FOLDS.search(char), hex(code)


def test_phrases_beside_odd_folds_are_still_found() -> None:
    """The long s (U+017F) matches 's' case-insensitively but does not lower to it."""
    doc = parse_text(
        "# Acme AI\n\n| Model | Open Weights |\n| --- | --- |\n| Acme-1 | ❌ |\n\n"
        "Acme-1 is now open-\u017fource.\n",
        "acme.md",
    )
    found = [(c.line, c.value) for c in extract_claims(doc) if c.kind == "open_weights"]
    assert found == [(5, "closed"), (7, "open")]


def source_slice(lines: list[str], claim: Claim) -> str:
    """Cut a claim's span out of the file's lines, by its 1-based line and column."""
    if claim.line == claim.end_line:
        return lines[claim.line - 1][claim.column - 1 : claim.end_column - 1]
    parts = [lines[claim.line - 1][claim.column - 1 :]]
    parts += lines[claim.line : claim.end_line - 1]
    parts.append(lines[claim.end_line - 1][: claim.end_column - 1])
    return "\n".join(parts)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_source_at_span_holds_evidence(path: Path) -> None:
    doc = load(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    claims = extract_claims(doc)
    assert claims
    for claim in claims:
        on_disk = source_slice(lines, claim)
        if path == RECEIVED:
            on_disk = on_disk.encode("mac_roman").decode("utf-8")
        assert on_disk == claim.evidence, (claim.line, claim.kind)


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == dump_schema(), (
        "run: python -m factcheck.claims > src/factcheck/schemas/claims.schema.json"
    )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_json_output_validates(path: Path) -> None:
    payload = {"version": 1, "claims": [c.model_dump(mode="json") for c in claims_of(path)]}
    jsonschema.validate(json.loads(json.dumps(payload)), claims_schema())


CORPUS_LINES = [
    line
    for path in sorted((CORPUS / "ailabs").glob("*.md"))
    for line in path.read_text(encoding="utf-8").splitlines()
]


@st.composite
def mutated_dossier(draw: st.DrawFn) -> str:
    """A dossier cut from real lines, shuffled, duplicated and mutated character by character."""
    lines = draw(st.lists(st.sampled_from(CORPUS_LINES), min_size=1, max_size=40))
    out = []
    for line in lines:
        if draw(st.booleans()) and line:
            i = draw(st.integers(0, len(line) - 1))
            line = line[:i] + draw(st.text(max_size=3)) + line[i + 1 :]
        out.append(line)
    return "\n".join(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), mutated_dossier()))
def test_read_parse_extract_never_raises(text: str) -> None:
    text = text.replace("\x00", "")  # a NUL byte makes a file binary: refused, tested below
    decoded = decode(text.encode("utf-8"), "random.md")
    doc = parse(decoded)
    for claim in extract_claims(doc):
        assert 0 <= claim.offset <= claim.end_offset <= len(doc.text)
        assert doc.text[claim.offset : claim.end_offset] == claim.evidence
        assert (claim.line, claim.column) <= (claim.end_line, claim.end_column)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_read_or_refused(data: bytes) -> None:
    try:
        decoded = decode(data, "bytes.md")
    except InputError:
        return
    extract_claims(parse(decoded))


# The sentence split as first written; `_SENTENCE_END` is the same regex reordered for speed.
_SENTENCE_END_PLAIN = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(*\[])|\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list("a.!?B\"“(*[ \t\n\r\x0b\x1c\u00a0\u2028\u3000x")),
        max_size=40,
    ),
    st.integers(0, 5),
)
def test_sentence_end_matches_plain_form(text: str, pos: int) -> None:
    def spans(pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        return [m.span() for m in pattern.finditer(text, pos)]

    assert spans(_SENTENCE_END) == spans(_SENTENCE_END_PLAIN)
    plain = _SENTENCE_END_PLAIN.search(text, pos)
    found = _SENTENCE_END.search(text, pos)
    assert (found and found.span()) == (plain and plain.span())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ["top", "three", "several", "billion", "open", "weights", "raised", "Series", "B",
             "unicorn", "since", "joined", "CEO", "12", "models", "the", "a", "İ", ".", ","]
        ),
        max_size=12,
    )
)
def test_words_prefilter_matches_all_words(parts: list[str]) -> None:
    from factcheck.claims import extract as x
    from factcheck.vocab import default_vocabulary

    # `_Words` keeps only the words it is asked about; its answers are those of all words
    sentence = " ".join(parts)
    p = x._patterns(default_vocabulary())
    words = x._Words(sentence, p)
    if words.words is None:
        assert words.may == p.every
        return
    every_word = frozenset(x._TOKEN.findall(sentence.lower()))
    for watched in (x._SIZE_WORDS, x._TOP, x._VAGUE_MONEY_WORDS, x._NUMBER_WORDS):
        assert words.any_of(watched) == (not every_word.isdisjoint(watched))
    found = every_word & p.triggers.keys()
    assert words.may == p.untriggered.union(*(p.triggers[w] for w in found))


# -- dates, valuation bases and subjects of table and prose claims ---------------------------

_RANK_DOC = """\
# Tidewater Freight: logistics dossier

Tidewater Freight runs a routing model, Keel-2.

## Benchmarks

Tidewater Freight ranked #2 on the PortBench leaderboard (January 2025).

Tidewater Freight was #5 on PortBench in June 2025.

### March 2024

Tidewater Freight placed #7 on PortBench.

| Leaderboard | Rank | Date |
|---|---|---|
| RouteEval | #3 | April 2025 |

- Q3 2024: Tidewater Freight ranked #9 on RouteEval.
"""


def test_ranking_claims_take_the_date_stated_with_them() -> None:
    claims = extract_claims(parse_text(_RANK_DOC, "t.md"))
    ranks = {
        (c.scope, c.rank.low): c.date.first.isoformat() if c.date else None
        for c in claims
        if isinstance(c, RankingClaim)
    }
    assert ranks == {
        ("portbench-leaderboard", 2): "2025-01-01",
        ("portbench", 5): "2025-06-01",
        ("portbench", 7): "2024-03-01",
        ("routeeval", 3): "2025-04-01",
        ("routeeval", 9): "2024-07-01",
    }


@given(
    st.sampled_from(["January", "March", "June", "November"]),
    st.integers(2015, 2030),
    st.integers(1, 40),
)
def test_a_rank_dated_in_parentheses_or_after_in_has_that_date(
    month: str, year: int, rank: int
) -> None:
    for tail in (f" ({month} {year}).", f" in {month} {year}."):
        text = f"# Acme Robotics\n\nAcme Robotics ranked #{rank} on HarborBench{tail}\n"
        [claim] = [c for c in extract_claims(parse_text(text)) if isinstance(c, RankingClaim)]
        assert claim.rank.low == rank and claim.date is not None
        assert claim.date.first.year == year


def test_pre_money_valuation_column_is_not_a_post_money_valuation() -> None:
    from factcheck.claims.models import FundingRoundClaim

    text = (
        "# Brightwell Foods: dossier\n\n"
        "| Round | Date | Amount | Pre-money valuation |\n"
        "|---|---|---|---|\n"
        "| Series A | 2022 | $60M | $40M |\n"
    )
    claims = extract_claims(parse_text(text))
    [round_] = [c for c in claims if isinstance(c, FundingRoundClaim)]
    valuations = [c for c in claims if isinstance(c, ValuationClaim)]
    # A round's valuation is post-money: a pre-money figure is the company before the round.
    assert round_.amount is not None and round_.valuation is not None
    assert round_.valuation.low == round_.valuation.high == 100_000_000
    assert all(
        v.value.low != 40_000_000 or "pre-money" in v.evidence.casefold() for v in valuations
    )


def test_rank_in_a_leaderboard_table_with_a_model_column_is_the_models() -> None:
    text = (
        "# Quillon Analytics: dossier\n\n"
        "Quillon Analytics builds the Quill models.\n\n"
        "| Model | Released | Parameters |\n|---|---|---|\n| Quill-1 | 2024 | 7B |\n\n"
        "## Leaderboard\n\n"
        "| Rank | Model | Org | Score |\n"
        "|---|---|---|---|\n"
        "| 1 | Orca-9 | Deepwater Labs | 91.2 |\n"
        "| 2 | Quill-1 | Quillon Analytics | 88.0 |\n"
    )
    ranks = [c for c in extract_claims(parse_text(text)) if isinstance(c, RankingClaim)]
    assert all(c.subject_key != "quillon-analytics" for c in ranks)
    assert {(c.subject, c.rank.low) for c in ranks} <= {("Quill-1", 2), ("Orca-9", 1)}


def test_api_only_with_colon_full_context_and_approximate_size() -> None:
    from factcheck.claims.models import ContextLengthClaim

    text = (
        "# Corvid Maps: dossier\n\nCorvid Maps builds the Wren models.\n\n"
        "| Model | Released | Parameters |\n|---|---|---|\n| Wren-4 | 2024 | 30B |\n\n"
        "## Details\n\n"
        "Wren-4 is API-only: customers call it through a hosted endpoint.\n\n"
        "Wren-4 ships with a 131,072-token context window.\n\n"
        "Wren-4 has about 31B parameters.\n"
    )
    claims = extract_claims(parse_text(text))
    [closed] = [c for c in claims if isinstance(c, OpenWeightsClaim)]
    assert (closed.subject, closed.value) == ("Wren-4", "closed")
    [context] = [c for c in claims if isinstance(c, ContextLengthClaim)]
    assert context.tokens.low == 131_072 and context.tokens.noun == "token"
    sizes = [c.size for c in claims if isinstance(c, ModelSizeClaim) and c.origin == "prose"]
    assert [(s.qualifier, s.low <= 30_000_000_000 <= (s.high or 0)) for s in sizes] == [
        ("approx", True)
    ]


@given(st.integers(1_000, 2_000_000), st.sampled_from(["-token context", " tokens of context"]))
def test_a_context_length_written_in_full_is_read(tokens: int, tail: str) -> None:
    from factcheck.claims.models import ContextLengthClaim

    text = (
        "# Corvid Maps\n\n| Model | Released |\n|---|---|\n| Wren-4 | 2024 |\n\n"
        f"Wren-4 has a {tokens:,}{tail}.\n"
    )
    found = [c for c in extract_claims(parse_text(text)) if isinstance(c, ContextLengthClaim)]
    assert [c.tokens.low for c in found] == [tokens]
