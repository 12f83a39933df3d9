"""Staleness after an edit: a value changed in one place and still asserted in another."""

from __future__ import annotations

import os
import subprocess
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Sequence
from pathlib import PurePath

from factcheck.claims.models import Claim
from factcheck.errors import FactcheckError, InputError
from factcheck.findings import Finding, Severity
from factcheck.quantities import DateValue, Money, Quantity, format_date, format_money
from factcheck.rules.base import Rule, RuleContext, Scope

# The field that tells two claims of one kind and subject apart (two rounds, two rankings...).
_DISTINGUISH = {
    "funding_round": "round",
    "ranking": "scope",
    "revenue": "metric",
    "count": "noun",
    "status": "status",
    "person": "role",
}
# The field whose value an edit changes.
_VALUE = {
    "valuation": "value",
    "funding_round": "amount",
    "model_size": "size",
    "open_weights": "value",
    "maturity": "stage",
    "ranking": "rank",
    "status": "negated",
    "count": "count",
    "release": "date",
    "context_length": "tokens",
    "revenue": "value",
    "person": "since",
}

Key = tuple[str, str, str]


def claim_key(claim: Claim) -> Key | None:
    """What a claim is about: its kind, subject and distinguishing field, or None if untracked."""
    if claim.kind not in _VALUE:
        return None
    extra = _DISTINGUISH.get(claim.kind)
    return (claim.kind, claim.subject_key, str(getattr(claim, extra)) if extra else "")


def claim_value(claim: Claim) -> Hashable:
    """The claim's value, comparable across revisions (quantities by interval, not wording)."""
    value = getattr(claim, _VALUE[claim.kind])
    if isinstance(value, Money):
        return ("money", value.currency, value.low, value.high)
    if isinstance(value, DateValue):
        return ("date", value.first, value.last)
    if isinstance(value, Quantity):
        return (type(value).__name__,
                *(getattr(value, k) for k in ("low", "high") if k in type(value).model_fields))
    return value if isinstance(value, Hashable) else repr(value)


def claims_at(ref: str, paths: Sequence[str]) -> dict[str, list[Claim]]:
    """Extract the claims of `paths` as they were at git revision `ref`.

    Keys are the paths as given. A file that did not exist at `ref` has no entry; a path
    outside a git work tree, or an unknown revision, raises FactcheckError.
    """
    from factcheck.claims import extract_claims
    from factcheck.document import parse
    from factcheck.encoding import decode

    result: dict[str, list[Claim]] = {}
    tops: dict[str, str] = {}  # folder -> its work tree, the revision checked once per tree
    for path in paths:
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in tops:
            top = _git(folder, "rev-parse", "--show-toplevel").decode().strip()
            if top not in tops.values() and not _git_ok(
                    folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"):
                raise FactcheckError(f"{path}: unknown git revision {ref!r}")
            tops[folder] = top
        relative = os.path.relpath(os.path.abspath(path), tops[folder]).replace(os.sep, "/")
        shown = subprocess.run(["git", "show", f"{ref}:{relative}"], cwd=folder,
                               capture_output=True, check=False)
        if shown.returncode != 0:
            continue  # the file did not exist at `ref`
        data = shown.stdout
        try:
            result[path] = extract_claims(parse(decode(data, path)))
        except InputError:
            continue  # the old revision was unreadable: nothing to compare against
    return result


def _git(cwd: str, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise FactcheckError("git is not installed; --since needs it") from None
    except subprocess.CalledProcessError as exc:
        lines = exc.stderr.decode(errors="replace").strip().splitlines()
        reason = lines[-1] if lines else str(exc)
        raise FactcheckError(f"{cwd}: git {args[0]} failed: {reason}") from None
    return done.stdout


def _git_ok(cwd: str, *args: str) -> bool:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True).returncode == 0


def _show(claim: Claim) -> str:
    value = getattr(claim, _VALUE[claim.kind])
    if isinstance(value, Money):
        return format_money(value)
    if isinstance(value, DateValue):
        return format_date(value)
    if isinstance(value, Quantity):
        return value.text
    if claim.kind == "status":
        return f"not {claim.status}" if value else str(claim.status)
    return str(value)


def _by_key(claims: Sequence[Claim]) -> dict[Key, list[Claim]]:
    grouped: dict[Key, list[Claim]] = defaultdict(list)
    for claim in claims:
        key = claim_key(claim)
        if key is not None:
            grouped[key].append(claim)
    return grouped


class StaleAfterEdit(Rule):
    """A value an edit changed, still asserted elsewhere in the dossier set."""

    code = "FC801"
    name = "stale-after-edit"
    severity = Severity.ERROR
    scope: Scope = "set"
    summary = (
        "Flags a value that an edit changed in one place and that is still asserted in another "
        "place of the dossier set (checked with `factcheck check --since REF`)."
    )
    rationale = (
        "When an analyst corrects a fact, copies of the old value survive in companion files, "
        "index pages and summaries. Each is now a contradiction that readers meet first. The "
        "edit itself names the correct value, so the stale copies can be found precisely: same "
        "kind of fact, same subject, the old value."
    )
    example = (
        "Before: `- **Valuation**: $2 billion (June 2024)` in main.md and the same figure in "
        "main-strategy.md's funding table. After: main.md says `$450 million (June 2024)`; "
        "main-strategy.md still says $2 billion."
    )
    fix = "Update each stale place to the new value, or revert the edit if the old one was right."

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Find edits between `ctx.previous` and `ctx.claims`, then old values still present."""
        if not ctx.previous:
            return
        before = _by_key(ctx.previous)
        after = _by_key(ctx.claims)
        for key, new_claims in after.items():
            for path in sorted({c.path for c in new_claims}):
                # Claims are compared only within their key (kind, subject, distinguishing
                # field): the index of the set, never all pairs of a kind.
                ctx.compared(self, len(before.get(key, ())) + 2 * len(new_claims))
                old_here = [c for c in before.get(key, ()) if c.path == path]
                new_here = [c for c in new_claims if c.path == path]
                # Counted, not set-compared: one of two copies in a file may be the one edited.
                gone = Counter(map(claim_value, old_here)) - Counter(map(claim_value, new_here))
                added = Counter(map(claim_value, new_here)) - Counter(map(claim_value, old_here))
                if len(gone) != 1 or len(added) != 1:
                    continue  # no edit, or one that cannot be paired unambiguously
                old_value, new_value = next(iter(gone)), next(iter(added))
                old_text = _show(next(c for c in old_here if claim_value(c) == old_value))
                edit = next(c for c in new_here if claim_value(c) == new_value)
                for stale in new_claims:
                    if claim_value(stale) != old_value:
                        continue
                    where = PurePath(edit.path).name
                    message = (
                        f"{stale.subject}: changed in {where}:{edit.line} from {old_text} to "
                        f"{_show(edit)}; still {_show(stale)} here"
                    )
                    yield ctx.finding(self, message, stale, [(edit, f"edited to {_show(edit)}")])


RULES: list[Rule] = [StaleAfterEdit()]
