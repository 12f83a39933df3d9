"""Rules about models: open weights, model facts, rankings, maturity; links and encoding."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote

from factcheck.claims.models import (
    ContextLengthClaim,
    LinkClaim,
    MaturityClaim,
    ModelSizeClaim,
    OpenWeightsClaim,
    RankingClaim,
    ReleaseClaim,
    RetractionClaim,
)
from factcheck.findings import Finding, Severity, Span, describe
from factcheck.quantities import DateValue, overlaps
from factcheck.rules.base import Rule, RuleContext, Scope

if TYPE_CHECKING:
    from factcheck.claims.models import Claim, ClaimBase
    from factcheck.document import Document

__all__ = [
    "RULES",
    "BrokenRelativeLink",
    "EncodingDamage",
    "MaturityConflict",
    "ModelFactConflict",
    "OpenWeightsConflict",
    "RankingConflict",
    "RetractedClaimAsserted",
]

C = TypeVar("C", bound="Claim")

_ORIGINS = {"table": "the table", "prose": "the prose", "list": "a list item",
            "heading": "a heading"}


# -- shared helpers -------------------------------------------------------------------------


def _of(ctx: RuleContext, kind: type[C]) -> list[C]:
    """Return the claims of one model class, in source order."""
    return ctx.index.of_type(kind)


def _groups(claims: Iterable[C], key: Callable[[C], object]) -> list[list[C]]:
    """Group claims by `key`, groups in the order of their first claim."""
    groups: dict[object, list[C]] = {}
    for claim in claims:
        groups.setdefault(key(claim), []).append(claim)
    return list(groups.values())


def _reading_order(claim: ClaimBase) -> tuple[bool, str, int]:
    # Tables first: a table is the reference a reader checks the text against, so prose and
    # list claims are reported against it rather than the other way round.
    return (claim.origin != "table", claim.path, claim.offset)


def _contradictions(
    ctx: RuleContext, rule: Rule, claims: Sequence[C], conflict: Callable[[C, C], bool]
) -> Iterator[tuple[C, list[C]]]:
    """Yield each claim that contradicts the reference claims, with the ones it contradicts.

    Claims are read tables first, then in source order; a claim that agrees with every
    reference claim read so far joins them. So a stray statement is reported once, against
    everything it contradicts, and statements that agree with the table stay quiet. `claims`
    are the statements of one thing (a group from the index); the pairs compared are counted.
    """
    ordered = sorted(claims, key=_reading_order)
    reference: list[C] = []
    strays: list[C] = []
    for claim in ordered:
        ctx.compared(rule, len(reference))
        (strays if any(conflict(r, claim) for r in reference) else reference).append(claim)
    for stray in strays:
        ctx.compared(rule, len(reference))
        yield stray, [r for r in reference if conflict(r, stray)]


def _dates_differ(a: DateValue | None, b: DateValue | None) -> bool:
    """Return whether both dates are known and cannot be the same time."""
    return a is not None and b is not None and not overlaps(a.first, a.last, b.first, b.last)


def _overlapping(a: ClaimBase, b: ClaimBase) -> bool:
    """Return whether two claims share source text, e.g. a rank inside a retraction."""
    return a.path == b.path and a.offset < b.end_offset and b.offset < a.end_offset


def _where(claim: ClaimBase, other: ClaimBase) -> str:
    """Say where a claim is: its line, and its file when `other` is in another file."""
    if claim.path == other.path:
        return f"line {claim.line}"
    return f"{os.path.basename(claim.path)}, line {claim.line}"


def _side(claim: ClaimBase, value: str, other: ClaimBase) -> str:
    """Describe one side of a conflict: `closed according to the table ("❌", line 110)`."""
    quote = "" if claim.evidence.strip().casefold() == value.casefold() else (
        f'"{" ".join(claim.evidence.split())}", ')
    return f"{value} according to {_ORIGINS[claim.origin]} ({quote}{_where(claim, other)})"


def _more(claims: Sequence[object]) -> str:
    extra = len(claims) - 1
    if extra <= 0:
        return ""
    return f" and {extra} other place{'s' if extra > 1 else ''}"


def _conflict_message(subject: str, claim: C, others: Sequence[C],
                      value: Callable[[C], str]) -> str:
    """Say that `claim` disagrees with `others`, naming the first of them."""
    first = others[0]
    return (f"{subject}: {_side(claim, value(claim), first)} but "
            f"{_side(first, value(first), claim)}{_more(others)}")


def _report(rule: Rule, ctx: RuleContext, subject: Callable[[C], str],
            value: Callable[[C], str], found: Iterable[tuple[C, list[C]]]) -> Iterator[Finding]:
    """Turn (claim, the claims it contradicts) pairs into findings at the claim."""
    for claim, others in found:
        message = _conflict_message(subject(claim), claim, others, value)
        yield ctx.finding(rule, message, claim, [(c, f"{value(c)} here") for c in others])


# -- FC101 ----------------------------------------------------------------------------------


class OpenWeightsConflict(Rule):
    """Open and closed weights claimed for the same model."""

    code = "FC101"
    name = "open-weights-conflict"
    severity = Severity.ERROR
    scope: Scope = "set"
    summary = ("Flags a model whose weights are called open in one place and closed in "
               "another, e.g. ❌ in the model table but \"open-source\" in the prose.")
    rationale = ("Whether weights are downloadable decides how a model can be used, studied and "
                 "competed with. A dossier that says both leaves the reader unable to trust "
                 "either statement. \"Partial\" (some sizes, research-only licences) conflicts "
                 "with neither side, and statements with dates that cannot overlap (closed in "
                 "2023, open-sourced in 2024) are a change, not a conflict.")
    example = ("| Model | Open weights |\n"
               "|-------|--------------|\n"
               "| Kestrel-V | ❌ |\n\n"
               "Kestrel-V is the largest open-source video model.")
    fix = ("Check the licence and the model's download page, then correct the table cell or the "
           "sentence; if the weights were released later, date both statements.")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Compare the open-weights claims of every model."""
        for group in _groups(_of(ctx, OpenWeightsClaim), lambda c: c.subject_key):
            yield from _report(self, ctx, lambda c: c.subject, _weights,
                               _contradictions(ctx, self, group, _weights_conflict))


def _weights(claim: OpenWeightsClaim) -> str:
    return f"{claim.value} weights"


def _weights_conflict(a: OpenWeightsClaim, b: OpenWeightsClaim) -> bool:
    return ({a.value, b.value} == {"open", "closed"}) and not _dates_differ(a.date, b.date)


# -- FC102 ----------------------------------------------------------------------------------

# "8K" often stands for 8,192 tokens and "1M" for 1,048,576: context lengths this close
# (within 5%) are one value written in decimal and binary units.
_CONTEXT_TOLERANCE = Decimal("1.05")

ModelFact = ModelSizeClaim | ReleaseClaim | ContextLengthClaim


class ModelFactConflict(Rule):
    """A model's size, release date or context length stated twice, differently."""

    code = "FC102"
    name = "model-fact-conflict"
    severity = Severity.ERROR
    scope: Scope = "set"
    summary = ("Flags a model given two parameter counts that cannot both be true, two release "
               "dates that cannot overlap, or two different context lengths.")
    rationale = ("Size, release date and context window are the facts a reader compares models "
                 "by. Two values for one model mean one of them is a typo or belongs to a "
                 "sibling model (a `-32k` or `-Mini` variant is a different model and is not "
                 "compared). Ranges and approximations count as ranges: \"~30B\" agrees with "
                 "\"32B\", \"1T+\" with \"trillion-parameter\". Active parameters of a mixture of "
                 "experts are not its total. A context length stated for dates that cannot "
                 "overlap is an extension, not a conflict.")
    example = ("| Model | Params | Context |\n"
               "|-------|--------|---------|\n"
               "| Heron-2 | 34B | 8k |\n\n"
               "The 40-billion-parameter Heron-2 shipped with a 16k-token context window.")
    fix = ("Check the model card and correct the wrong value; if the text means a variant, "
           "name the variant.")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Compare the facts of each kind for every model."""
        facts = [c for c in ctx.claims if isinstance(c, ModelFact)]
        for group in _groups(facts, lambda c: (c.kind, c.subject_key)):
            yield from _report(self, ctx, _fact_subject, _fact_value,
                               _contradictions(ctx, self, group, _fact_conflict))


def _fact_subject(claim: ModelFact) -> str:
    what = {"model_size": "size", "release": "release date", "context_length": "context length"}
    return f"{claim.subject} {what[claim.kind]}"


def _fact_value(claim: ModelFact) -> str:
    if isinstance(claim, ModelSizeClaim):
        return describe(claim.size)
    if isinstance(claim, ContextLengthClaim):
        return describe(claim.tokens)
    return describe(claim.date)


def _fact_conflict(a: ModelFact, b: ModelFact) -> bool:
    if isinstance(a, ModelSizeClaim) and isinstance(b, ModelSizeClaim):
        return not overlaps(a.size.low, a.size.high, b.size.low, b.size.high)
    if isinstance(a, ReleaseClaim) and isinstance(b, ReleaseClaim):
        return _dates_differ(a.date, b.date)
    if isinstance(a, ContextLengthClaim) and isinstance(b, ContextLengthClaim):
        x, y = a.tokens, b.tokens
        if x.noun != y.noun or _dates_differ(a.date, b.date):
            return False
        return _far_below(x.high, y.low) or _far_below(y.high, x.low)
    return False


def _far_below(high: int | None, low: int) -> bool:
    return high is not None and high * _CONTEXT_TOLERANCE < low


# -- FC301 and FC302 ------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    """Return the words of a scope key or a sentence, singular as in scope keys."""
    words = (w for w in re.split(r"[\W_]+", text.casefold()) if w)
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                     for w in words)


def _scopes_match(retraction: RetractionClaim, ranking: RankingClaim) -> bool:
    """Return whether a ranking is on the scope a retraction withdraws.

    Scopes match when their keys are equal or the words of one contain the other's ("revenue
    target" and "publicly disclosed revenue target"). Without a scope key, the ranking's scope
    words must all appear in the retracted statement.
    """
    theirs = _words(ranking.scope)
    if not theirs:
        return False
    if retraction.scope is None:
        return theirs <= _words(retraction.retracted)
    ours = _words(retraction.scope)
    return retraction.scope == ranking.scope or (bool(ours) and (ours <= theirs or theirs <= ours))


def _withdraws(retraction: RetractionClaim, ranking: RankingClaim) -> bool:
    """Return whether `retraction` withdraws the rank that `ranking` states."""
    rank = retraction.rank
    return (rank is not None
            and retraction.subject_key == ranking.subject_key
            and overlaps(rank.low, rank.high, ranking.rank.low, ranking.rank.high)
            and not _dates_differ(retraction.date, ranking.date)
            and _scopes_match(retraction, ranking))


def _scope_label(claim: RankingClaim) -> str:
    # Labels read from list items can start with a check mark or other decoration.
    return re.sub(r"^[^\w(]+", "", claim.scope_label) or claim.scope_label


def _rank_text(claim: RankingClaim) -> str:
    return f"{claim.rank.text} in {_scope_label(claim)}"


class RetractedClaimAsserted(Rule):
    """A ranking the dossier itself retracts, still asserted elsewhere."""

    code = "FC301"
    name = "retracted-claim-asserted"
    severity = Severity.ERROR
    scope: Scope = "set"
    summary = ("Flags a ranking that the dossier retracts somewhere (\"previously claimed #1 ..., "
               "but this was based on incorrect data\") and still asserts elsewhere.")
    rationale = ("A retraction tells the reader a figure is wrong; repeating that figure as a "
                 "strength, in a summary or in a companion file, reinstates it. Scopes match "
                 "when one scope's words contain the other's (\"revenue target\" and \"highest "
                 "publicly disclosed revenue target\"); other leaderboards and the corrected rank "
                 "are not flagged.")
    example = ("Kestrel was previously reported as #1 by deployments, but this was based on "
               "incorrect data.\n\n"
               "## Strengths\n\n"
               "- #1 by deployments among regional peers")
    fix = ("Delete the stale assertion or replace it with the corrected rank, citing the "
           "correction.")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Compare every ranking with every retraction of its subject."""
        retractions = ctx.index.by_subject(RetractionClaim)
        for ranking in _of(ctx, RankingClaim):
            theirs = retractions.get(ranking.subject_key, ())
            ctx.compared(self, len(theirs))
            # A rank stated inside the retraction sentence is the retraction itself.
            withdrawn = [r for r in theirs
                         if _withdraws(r, ranking) and not _overlapping(ranking, r)]
            if not withdrawn:
                continue
            first = withdrawn[0]
            retracted = " ".join(first.retracted.split())
            message = (f"{ranking.subject}: {_ORIGINS[ranking.origin]} still asserts "
                       f"{_rank_text(ranking)} (\"{' '.join(ranking.evidence.split())}\", "
                       f"{_where(ranking, first)}), but the dossier retracts it "
                       f"({_where(first, ranking)}: \"{retracted}\"){_more(withdrawn)}")
            yield ctx.finding(self, message, ranking, [(r, "retracted here") for r in withdrawn])


class RankingConflict(Rule):
    """Two different ranks for one subject on one leaderboard."""

    code = "FC302"
    name = "ranking-conflict"
    severity = Severity.WARNING
    scope: Scope = "set"
    summary = ("Flags a subject given two ranks that cannot both be true on the same "
               "leaderboard or metric, e.g. #2 in one section and #5 in another.")
    rationale = ("A rank is a single position at a time; two positions on one list means one is "
                 "stale or mistyped. Different lists (#2 on one leaderboard, #5 on another) "
                 "are not compared, nor are ranks with dates that cannot overlap. A rank that "
                 "the dossier retracts is reported by FC301 instead.")
    example = ("| Leaderboard | Rank |\n"
               "|-------------|------|\n"
               "| Harbor Arena | #2 |\n\n"
               "Kestrel-2 sits at #5 on Harbor Arena.")
    fix = "Check the leaderboard, correct the stale rank and date the ranks you keep."

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Compare the ranks of every subject on every scope."""
        retractions = ctx.index.by_subject(RetractionClaim)
        kept = []
        for claim in _of(ctx, RankingClaim):
            theirs = retractions.get(claim.subject_key, ())
            ctx.compared(self, len(theirs))
            if not any(_withdraws(r, claim) for r in theirs):
                kept.append(claim)
        for group in _groups(kept, lambda c: (c.subject_key, c.scope)):
            yield from _report(
                self, ctx, lambda c: f"{c.subject} ({_scope_label(c)})", lambda c: c.rank.text,
                _contradictions(ctx, self, group, _rank_conflict))


def _rank_conflict(a: RankingClaim, b: RankingClaim) -> bool:
    return (not overlaps(a.rank.low, a.rank.high, b.rank.low, b.rank.high)
            and not _dates_differ(a.date, b.date))


# -- FC401 ----------------------------------------------------------------------------------

_PRODUCTION = 3


class MaturityConflict(Rule):
    """Experimental or beta in one place, production in another, with no dates between."""

    code = "FC401"
    name = "maturity-conflict"
    severity = Severity.WARNING
    scope: Scope = "set"
    summary = ("Flags a product or model called experimental, a prototype or beta in one place "
               "and production-ready or generally available in another, when dates do not "
               "explain the change.")
    rationale = ("Maturity decides whether a customer can rely on a product. \"Experimental\" "
                 "and \"production-ready\" for the same thing cannot both describe the present. "
                 "A dated progression (a beta in 2024, generally available in 2025, or both in "
                 "2025) is not flagged, nor is one sentence that tells the progression; an "
                 "undated \"now in production\" is accepted once the dossier dates production "
                 "at or after the earlier stage. An early stage dated after production began, "
                 "or an undated one, is flagged.")
    example = ("- **Wren Voice**: speech synthesis (experimental)\n\n"
               "Wren Voice is the first production-ready speech stack in the region.")
    fix = ("Say which stage the product is in now, and date the earlier stage if you keep it.")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Compare each early-stage claim with the production claims of its subject."""
        for group in _groups(_of(ctx, MaturityClaim), lambda c: c.subject_key):
            mature = sorted((c for c in group if c.level >= _PRODUCTION), key=_reading_order)
            for early in (c for c in group if c.level < _PRODUCTION):
                ctx.compared(self, len(mature))
                against = [m for m in mature if not _explained(early, m, mature)]
                if against:
                    message = _conflict_message(early.subject, early, against,
                                                lambda c: c.stage)
                    related = [(m, f"{m.stage} here") for m in against]
                    yield ctx.finding(self, message, early, related)


def _explained(early: MaturityClaim, mature: MaturityClaim,
               all_mature: Sequence[MaturityClaim]) -> bool:
    """Return whether dates, or one statement of a progression, explain the two stages."""
    if _overlapping(early, mature):
        return True  # "entered a beta and became generally available": one progression
    if mature.date is not None:
        return _not_after(early.date, mature.date)
    # An undated "now in production" is the present once the dossier dates production at or
    # after the early stage.
    return any(_not_after(early.date, m.date) for m in all_mature)


def _not_after(early: DateValue | None, mature: DateValue | None) -> bool:
    # Dates of the same year may be in either order; only an early stage reported entirely
    # after production began is a contradiction the dates do not explain.
    return early is not None and mature is not None and early.first <= mature.last


# -- FC701 ----------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class BrokenRelativeLink(Rule):
    """A relative link to a file that does not exist."""

    code = "FC701"
    name = "broken-relative-link"
    severity = Severity.WARNING
    scope: Scope = "document"
    summary = ("Flags a relative link whose target file does not exist in the checked tree. "
               "Links that lead out of the tree and web addresses are not checked.")
    rationale = ("Dossiers cite their companions and annexes by relative links; after a rename "
                 "the link silently leads nowhere and the reader loses the source. Only the "
                 "checked tree is consulted, so that checking files nobody vetted cannot read "
                 "the rest of the machine: web addresses are never fetched, and a target whose "
                 "path leads out of the tree (`../../etc/passwd`), or a symbolic link in the "
                 "tree that points out of it, is skipped without being looked at.")
    example = "See [the financial annex](kestrel-financials.md) for the cap table."
    fix = "Point the link at the file's current name, or remove it."

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Resolve every relative link target against its document's folder, inside the tree."""
        root = ctx.tree
        for link in _of(ctx, LinkClaim):
            target = _local_target(link.target)
            if target is None:
                continue
            folder = os.path.dirname(os.path.abspath(link.path))
            # Decided on the path alone, before the file system is touched.
            resolved = os.path.normpath(os.path.join(folder, target))
            if not _within(resolved, root):
                continue
            exists = _exists_in_tree(resolved, root)
            if exists is False:
                where = os.path.basename(folder) or folder
                yield ctx.finding(self, f"broken link: `{link.target}` does not exist in "
                                        f"{where}/", link)


def _local_target(target: str) -> str | None:
    """Return the file part of a relative link target, or None for anything else."""
    path = unquote(re.split(r"[#?]", target.strip(), maxsplit=1)[0])
    if not path or _SCHEME.match(path) or path.startswith(("/", "\\")) or "\0" in path:
        return None
    return path


def _within(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


_MAX_SYMLINKS = 40


def _exists_in_tree(path: str, root: str) -> bool | None:
    """Return whether `path` (normalised, inside `root`) exists, looking only inside the tree.

    The path is resolved one component at a time from `root` with `os.lstat`, following
    symbolic links by reading them; a link whose target lies outside the tree (or too many
    links) gives None without anything outside the tree being looked at.
    """
    pending = [p for p in os.path.relpath(path, root).split(os.sep) if p not in ("", ".")]
    current = root
    hops = 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            current = os.path.dirname(current)
            if not _within(current, root):
                return None
            continue
        candidate = os.path.join(current, part)
        try:
            info = os.lstat(candidate)
        except (OSError, ValueError):
            return False
        if not stat.S_ISLNK(info.st_mode):
            current = candidate
            continue
        hops += 1
        try:
            target = os.readlink(candidate)
        except OSError:
            return False
        if hops > _MAX_SYMLINKS:
            return None
        joined = os.path.normpath(os.path.join(current, target))
        if not _within(joined, root):
            return None
        pending = [p for p in os.path.relpath(joined, root).split(os.sep)
                   if p not in ("", ".")] + pending
        current = root
    return True


# -- FC001 ----------------------------------------------------------------------------------

_CODEC_NAMES = {"mac_roman": "Mac Roman", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
_EXAMPLE_CHARS = 12


class EncodingDamage(Rule):
    """Text that was repaired from mojibake."""

    code = "FC001"
    name = "encoding-damage"
    severity = Severity.WARNING
    scope: Scope = "document"
    summary = ("Flags a document whose UTF-8 text was decoded in another encoding on the way "
               "(mojibake such as `ÂÖâÊ∫ê` for `光源`), which factcheck repaired before "
               "checking it.")
    rationale = ("Readers and other tools see the damaged characters: names, quotes and "
                 "symbols such as ❌ become unreadable, and searches miss them. factcheck checks "
                 "the repaired text, so the file on disk and the findings disagree until the "
                 "file is fixed.")
    example = "Kogen Seiki (ÂÖâÊ∫êÁ≤æÊ©ü) makes gearboxes for robot arms."
    fix = "Run `factcheck check --fix` to write the exact repair, or re-save the file as UTF-8."

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report the first repaired span of every repaired document."""
        for doc in ctx.documents:
            finding = self._damage(ctx, doc)
            if finding is not None:
                yield finding

    def _damage(self, ctx: RuleContext, doc: Document) -> Finding | None:
        repair = doc.repair
        if repair is None or not repair.spans:
            return None
        span = repair.spans[0]
        fixed = doc.text[span.text_start:span.text_end][:_EXAMPLE_CHARS]
        # Each byte of a damaged character became one character of the original.
        length = sum(len(ch.encode("utf-8")) for ch in fixed)
        damaged = doc.original[span.original_start:span.original_start + length]
        codec = _CODEC_NAMES.get(repair.codec, repair.codec)
        runs = len(repair.spans)
        message = (f"text was decoded as {codec}: {runs} damaged run{'s' if runs > 1 else ''}, "
                   f"e.g. '{damaged}' should read '{fixed}'; `factcheck check --fix` repairs "
                   "it exactly")
        loc = doc.location(span.text_start, span.text_end)
        where = Span(doc.path, loc.line, loc.column, loc.end_line, loc.end_column, fixed)
        return ctx.finding_at(self, message, where, subject=os.path.basename(doc.path))


RULES: list[Rule] = [
    EncodingDamage(),
    OpenWeightsConflict(),
    ModelFactConflict(),
    RetractedClaimAsserted(),
    RankingConflict(),
    MaturityConflict(),
    BrokenRelativeLink(),
]
