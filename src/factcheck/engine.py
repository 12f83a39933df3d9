"""lint(): find dossiers, read their claims, run the rules and collect findings in a Report.

The work is done one dossier set at a time, so memory depends on the largest set, not on the
corpus: a set is loaded, its claims extracted, its rules run, its findings kept and its documents
dropped. Sets are the Markdown files of one folder, joined by the configuration's groups and by
links between files. With `jobs` > 1 the sets are spread over worker processes; with a `cache`,
a set whose files, rules and settings are unchanged is not parsed again.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from factcheck.errors import InputError
from factcheck.findings import (
    Finding,
    RelatedLocation,
    Severity,
    Span,
    collapse,
    make_finding,
)
from factcheck.records import Record, build, dump, record
from factcheck.rules.base import Rule, RuleContext
from factcheck.rules.registry import INTERNAL_ERROR, load_rules

if TYPE_CHECKING:
    from factcheck.cache import Cache
    from factcheck.claims.models import Claim
    from factcheck.config import Config
    from factcheck.document import Document
    from factcheck.encoding import Decoded

    Extractor: TypeAlias = Callable[[Document], Sequence[Claim]]
    Input: TypeAlias = str | os.PathLike[str] | Document

MARKDOWN_SUFFIXES = (".md", ".markdown")

#: Seconds one rule may spend on one document (or one set, for set-scope rules) by default.
DEFAULT_RULE_TIMEOUT = 30.0

# A run with fewer files than this stays in one process: starting workers costs more.
_MIN_FILES_FOR_JOBS = 16
_CACHE_NAMESPACE = "sets"


@record
class InputProblem(Record):
    """A file that could not be checked, and why, in one line."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@record
class Report(Record):
    """The outcome of a lint run: sorted findings, input problems and counts."""

    findings: tuple[Finding, ...] = ()
    errors: tuple[InputProblem, ...] = ()
    files: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Return the number of findings per severity, every severity present."""
        counted = Counter(f.severity for f in self.findings)
        return {s.value: counted[s] for s in Severity}

    def exit_code(self, fail_level: Severity | str = Severity.ERROR) -> int:
        """Return 2 after input errors, 1 if a finding reaches `fail_level`, else 0."""
        if self.errors:
            return 2
        level = Severity(fail_level).rank
        return 1 if any(f.severity.rank >= level for f in self.findings) else 0


def discover(
    inputs: Iterable[str | os.PathLike[str]], config: Config | None = None
) -> tuple[list[str], list[InputProblem]]:
    """Expand folders to their Markdown files (recursively, sorted); keep paths as given.

    Files that `config` excludes are dropped, whether found in a folder or given. Hidden
    folders (`.git`, `.venv`) are skipped; symbolic links are followed, but a folder already
    visited (a link loop) is not entered again. A folder that cannot be listed is a problem.
    """
    files: list[str] = []
    problems: list[InputProblem] = []
    seen: set[str] = set()
    for given in inputs:
        text = os.fspath(given)
        if os.path.isdir(text):
            found, trouble = _walk(text)
            problems.extend(trouble)
            if not found and not trouble:
                problems.append(InputProblem(path=text, reason="no Markdown files found"))
        elif os.path.lexists(text):
            found = [text]
        else:
            problems.append(InputProblem(path=text, reason="no such file or directory"))
            continue
        for file in found:
            key = os.path.realpath(file)
            if key not in seen and not (config is not None and config.excluded(file)):
                seen.add(key)
                files.append(file)
    return files, problems


def _walk(top: str) -> tuple[list[str], list[InputProblem]]:
    """Return the Markdown files below `top` in path order, and the folders that failed."""
    found: list[tuple[tuple[str, ...], str]] = []
    problems: list[InputProblem] = []
    visited: set[tuple[int, int]] = set()

    def failed(error: OSError) -> None:
        where = error.filename if isinstance(error.filename, str) else top
        problems.append(InputProblem(path=where, reason=f"cannot read folder: "
                                                        f"{error.strerror or error}"))

    for folder, dirs, names in os.walk(top, onerror=failed, followlinks=True):
        try:
            info = os.stat(folder)
        except OSError as exc:
            failed(exc)
            dirs[:] = []
            continue
        if (info.st_dev, info.st_ino) in visited:  # a symbolic-link loop, or a second way in
            dirs[:] = []
            continue
        visited.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(os.path.relpath(folder, top)).parts if folder != top else ()
        for name in names:
            if name.startswith(".") or not name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            path = os.path.join(folder, name)
            try:
                regular = stat.S_ISREG(os.stat(path).st_mode)
            except OSError:
                regular = os.path.islink(path)  # a dangling link: reported when read
            if regular:
                found.append(((*rel, name), path))
    found.sort()
    return [path for _, path in found], problems


def lint(
    inputs: Iterable[Input],
    *,
    rules: Sequence[Rule] | None = None,
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
    extract: Extractor | None = None,
    config: Config | None = None,
    since: str | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
    rule_timeout: float | None = DEFAULT_RULE_TIMEOUT,
    max_bytes: int | None = None,
) -> Report:
    """Check files, folders or loaded Documents and return a Report.

    Markdown files of one folder form a dossier set, joined by the configuration's groups and
    by relative links from one checked file to another: set-scope rules see all their claims
    together, document-scope rules one document at a time. `rules` defaults to every
    registered rule and `extract` to `factcheck.claims.extract_claims`. Unreadable files
    become `Report.errors`; a rule or extractor that raises, runs longer than `rule_timeout`
    seconds on one document or set, or returns something that is not a well-formed Finding
    in scope becomes an FC000 finding, and the other rules still run. Invalid rule files
    raise ConfigError (when `rules` is None); unknown `select` or `ignore` entries raise
    ValueError. Findings on lines that a `factcheck: disable` comment covers are dropped;
    suppressions naming any of `rules` are valid, and unused or unknown ones are reported
    when FC900 or FC901 is among the selected rules.

    `config` supplies what the other arguments leave out: rule folders, `select` and
    `ignore`, severities, vocabulary files, excluded files and extra dossier sets.

    `since` names a git revision: rules then also see the claims of each file at that
    revision (`RuleContext.previous`), which is how FC801 finds values an edit left stale.
    A path outside a git work tree or an unknown revision raises FactcheckError.

    Files larger than `max_bytes` (default: the configuration's `max-file-size`; 0 for no
    limit) are not read but reported; a file whose parse exceeds `rule_timeout` is reported
    too.

    `jobs` > 1 checks sets in that many worker processes (where the platform can fork); the
    report is the same. `cache` (see `factcheck.cache`) keeps the findings of each set under
    a key of its files' contents, the rules and the settings.
    """
    from factcheck.config import Config

    settings = config or Config()
    if cache is not None and cache.enabled and extract is None:
        from factcheck.vocab import default_vocabulary

        default_vocabulary(cache)  # loaded once per process: through the cache, if first
    if rules is None:
        known = with_suppression_rules(load_rules([settings.resolve(d) for d in settings.rules],
                                                  cache=cache))
    else:
        known = list(rules)
    active = settings.rule_selection(known, select, ignore)
    run = _Run(
        known=known,
        active=active,
        severities=settings.severities(known),
        extract=extract or settings.extractor(cache),
        settings=settings,
        since=since,
        cache=cache if cache is not None and cache.enabled and since is None else None,
        timeout=rule_timeout,
        fingerprint="",
        root="",
        max_bytes=settings.max_file_size if max_bytes is None else max_bytes,
    )
    documents, paths = _split_inputs(inputs)
    run.root = checked_tree([*paths, *(d.path for d in documents)], settings)
    if run.cache is not None and extract is None:
        run.fingerprint = _settings_key(active, run.severities, settings, run.root)
    elif run.cache is not None:
        run.cache = None  # an extractor given as a function cannot be keyed
    files, problems = discover(paths, settings)
    return run.run(_dossier_sets(files, documents, settings), problems, jobs)


def checked_tree(paths: Sequence[str], config: Config) -> str:
    """Return the folder that rules looking at the file system must stay in: the common
    folder of the checked paths, widened to the configuration's folder when there is a
    configuration file, and to the current folder when every path lies below it."""
    if not paths:
        return os.path.abspath(os.curdir)
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
               for p in paths]
    here = os.path.abspath(os.curdir)
    if config.source is not None:
        folders.append(os.path.abspath(config.root))
    if all(_below(f, here) for f in folders):
        folders.append(here)
    return os.path.commonpath(folders)


def _below(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def with_suppression_rules(rules: Sequence[Rule]) -> list[Rule]:
    """Add FC900 and FC901 (the rules about suppression comments) unless already there."""
    from factcheck.suppress import SUPPRESSION_RULES

    codes = {r.code for r in rules}
    extra = [r for r in SUPPRESSION_RULES if r.code not in codes]
    return sorted([*rules, *extra], key=lambda r: r.code)


def _split_inputs(inputs: Iterable[Input]) -> tuple[list[Document], list[str]]:
    documents: list[Document] = []
    paths: list[str] = []
    for item in inputs:
        if isinstance(item, str | os.PathLike):
            paths.append(os.fspath(item))
        else:
            documents.append(item)
    return documents, paths


@dataclass
class _Set:
    """A dossier set: files to load and Documents already loaded, in path order."""

    files: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return sorted([*self.files, *(d.path for d in self.documents)])

    def merged(self, other: _Set) -> _Set:
        return _Set(sorted([*self.files, *other.files]),
                    sorted([*self.documents, *other.documents], key=lambda d: d.path))


@dataclass
class _Outcome:
    """What checking one set gave: findings, unreadable files, files read, the files outside
    the set that its documents link to (real paths), and whether each local link target
    existed (a cached outcome is only valid while that is still so)."""

    findings: list[Finding]
    problems: list[InputProblem]
    files: int
    links: frozenset[str]
    targets: dict[str, bool] = field(default_factory=dict)

    def to_json(self) -> bytes:
        data = {"findings": dump(self.findings),
                "files": self.files, "links": sorted(self.links), "targets": self.targets}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> _Outcome | None:
        """Return the outcome stored in a cache entry; None if it is damaged or out of date
        (a link target appeared or disappeared since)."""
        try:
            data = json.loads(raw)
            targets = {str(k): bool(v) for k, v in data["targets"].items()}
            if any(os.path.exists(path) != there for path, there in targets.items()):
                return None
            # The entry was written by `to_json` for this version of factcheck (the cache key
            # says so): rebuild the findings without validating them again.
            return cls([build(Finding, f) for f in data["findings"]], [],
                       int(data["files"]), frozenset(data["links"]), targets)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass
class _Run:
    """One lint run's rules and settings; checks sets, in this process or in workers."""

    known: list[Rule]
    active: list[Rule]
    severities: dict[str, Severity]
    extract: Extractor
    settings: Config
    since: str | None
    cache: Cache | None
    timeout: float | None
    fingerprint: str
    root: str
    max_bytes: int

    def run(self, sets: list[_Set], problems: list[InputProblem], jobs: int) -> Report:
        """Check every set, then check again together the sets that links join."""
        outcomes = self._check_all(sets, jobs)
        joined = _linked_groups(sets, outcomes)
        if joined:
            merged_sets: list[_Set] = []
            for members in joined:
                merged = sets[members[0]]
                for index in members[1:]:
                    merged = merged.merged(sets[index])
                merged_sets.append(merged)
            again = self._check_all(merged_sets, jobs)
            for members, outcome in zip(joined, again, strict=True):
                files = sum(outcomes[i].files for i in members)
                for index in members:
                    outcomes[index] = _Outcome([], [], 0, frozenset())
                outcomes[members[0]] = _Outcome(outcome.findings, outcome.problems, files,
                                                frozenset())
        findings = [f for o in outcomes for f in o.findings]
        seen_problems = dict.fromkeys([*problems, *(p for o in outcomes for p in o.problems)])
        return Report(
            findings=_unique_fingerprints(sorted(findings, key=lambda f: f.sort_key)),
            errors=tuple(seen_problems),
            files=sum(o.files for o in outcomes),
        )

    def _check_all(self, sets: list[_Set], jobs: int) -> list[_Outcome]:
        pool_size = min(jobs, len(sets))
        if (pool_size > 1 and self.since is None
                and sum(len(s.files) for s in sets) >= _MIN_FILES_FOR_JOBS
                and not any(s.documents for s in sets)):
            return self._in_workers(sets, pool_size)
        return [self.check_set(s) for s in sets]

    def _in_workers(self, sets: list[_Set], workers: int) -> list[_Outcome]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in multiprocessing.get_all_start_methods():
            return [self.check_set(s) for s in sets]
        global _WORKER_RUN
        _WORKER_RUN = self  # inherited by the forked workers: rules need not be pickled
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")
                                     ) as pool:
                chunk = max(1, min(16, len(sets) // (workers * 8)))
                return list(pool.map(_check_in_worker, [s.files for s in sets],
                                     chunksize=chunk))
        finally:
            _WORKER_RUN = None

    def check_set(self, dossiers: _Set) -> _Outcome:
        """Load one set, run the rules over it and return its outcome (cached if possible).

        The steps (`read`, `parse`, `extract`, `check`) are methods so that the benchmark can
        time each one without copying them."""
        decoded, problems = self.read(dossiers.files)
        key = None
        if self.cache is not None and not dossiers.documents and not problems:
            key = _set_key(self.fingerprint, [(d.path, d.original) for d in decoded])
            raw = self.cache.get(_CACHE_NAMESPACE, key)
            cached = None if raw is None else _Outcome.from_json(raw)
            if cached is not None:
                return cached
        group = self.parse(decoded, dossiers.documents, problems)
        from factcheck.quantities import forget

        forget()  # answers memoised for another set neither help nor stay in memory
        claims, found = self.extract_claims(group)
        outcome = self.check(group, claims, found, problems)
        if key is not None and self.cache is not None:
            self.cache.put(_CACHE_NAMESPACE, key, outcome.to_json())
        return outcome

    def read(self, files: Sequence[str]) -> tuple[list[Decoded], list[InputProblem]]:
        """Read and decode files; the ones that cannot be read become problems."""
        from factcheck.encoding import read

        decoded: list[Decoded] = []
        problems: list[InputProblem] = []
        for file in files:
            try:
                decoded.append(read(file, self.max_bytes or None))
            except InputError as exc:
                problems.append(InputProblem(path=file, reason=exc.reason))
        return decoded, problems

    def parse(self, decoded: Sequence[Decoded], loaded: Sequence[Document],
              problems: list[InputProblem]) -> list[Document]:
        """Parse the decoded files (a parse past the time limit becomes a problem); return
        them with the documents already loaded, in path order."""
        from factcheck.document import parse

        parsed: list[Document] = list(loaded)
        for text in decoded:
            try:
                with _time_limit(self.timeout):
                    parsed.append(parse(text))
            except _Timeout as exc:
                problems.append(InputProblem(path=text.path, reason=f"not parsed: {exc}"))
            except (RecursionError, MemoryError) as exc:
                problems.append(InputProblem(path=text.path, reason=f"not parsed: "
                                                                    f"{type(exc).__name__}"))
        return sorted(parsed, key=lambda d: d.path)

    def extract_claims(self, group: Sequence[Document]
                       ) -> tuple[dict[str, list[Claim]], list[Finding]]:
        """Return each document's claims in source order, and FC000 findings for extractions
        that failed or ran too long (those documents have no claims)."""
        found: list[Finding] = []
        claims: dict[str, list[Claim]] = {}
        for doc in group:
            try:
                with _time_limit(self.timeout):
                    claims[doc.path] = sorted(self.extract(doc), key=lambda c: (c.path, c.offset))
            except (Exception, _Timeout) as exc:  # one broken document must not stop the others
                claims[doc.path] = []
                found.append(_internal_error(doc.path, "claim extraction", exc))
        return claims, found

    def check(self, group: Sequence[Document], claims: dict[str, list[Claim]],
              found: list[Finding], problems: list[InputProblem]) -> _Outcome:
        """Run the active rules over a parsed set and return its outcome."""
        from factcheck.suppress import apply_suppressions

        previous: dict[str, list[Claim]] = {}
        if self.since is not None:
            from factcheck.stale import claims_at

            previous = claims_at(self.since, [doc.path for doc in group])
        # One context per scope, shared by every rule, so its claim index is built once.
        contexts: dict[str, list[RuleContext]] = {"set": [], "document": []}
        if group:
            for scope, parts in (("set", [group]), ("document", [[doc] for doc in group])):
                contexts[scope] = [RuleContext(
                    documents=tuple(docs),
                    claims=tuple(chain.from_iterable(claims[doc.path] for doc in docs)),
                    previous=tuple(chain.from_iterable(previous.get(doc.path, ())
                                                       for doc in docs)),
                    root=self.root,
                ) for docs in parts]
        lines: dict[str, int] = {}  # each document's line count, counted when first needed
        with _alarm(self.timeout) as armed:
            for rule in self.active:
                for ctx in contexts[rule.scope]:
                    found.extend(_run_rule(rule, ctx, self.timeout, lines, armed=armed))
        kept = [f if f.rule not in self.severities
                else f.model_copy(update={"severity": self.severities[f.rule]})
                for f in apply_suppressions(found, group, self.known, self.active)]
        links, targets = _link_targets(group, self.root)
        return _Outcome(kept, problems, len(group), links, targets)


_WORKER_RUN: _Run | None = None


def _check_in_worker(files: list[str]) -> _Outcome:
    assert _WORKER_RUN is not None, "workers are forked from a process running lint()"
    return _WORKER_RUN.check_set(_Set(files=files))


def _run_rule(rule: Rule, ctx: RuleContext, timeout: float | None,
              lines: dict[str, int] | None = None, *, armed: bool = False) -> list[Finding]:
    """Run one rule in one context; failures, time-outs and malformed results become FC000.

    `lines` caches the documents' line counts between calls. `armed` says that `_alarm` has
    installed the time-out handler, so only the timer is set here: installing a handler
    costs more than most rules take on one document.
    """
    try:
        if armed and timeout:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                results = list(rule.check(ctx))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        else:
            with _time_limit(timeout):
                results = list(rule.check(ctx))
    except (Exception, _Timeout) as exc:  # a failing rule is reported; the others still run
        return [_internal_error(ctx.documents[0].path, _what(rule), exc)]
    if not results:
        return results
    counted = {} if lines is None else lines
    for doc in ctx.documents:
        if doc.path not in counted:
            counted[doc.path] = doc.original.count("\n") + 1
    in_scope = {doc.path: counted[doc.path] for doc in ctx.documents}
    good: list[Finding] = []
    for item in results:
        reason = _malformed(item, in_scope)
        if reason is None:
            good.append(item)
        else:
            return [*good, _internal_error(ctx.documents[0].path, _what(rule), None,
                                           f"returned {reason}")]
    return good


def _what(rule: Rule) -> str:
    return f"rule {rule.code} ({rule.name})"


def _malformed(item: object, lines: dict[str, int]) -> str | None:
    """Say why a rule's result is not a finding about the documents in scope, or None.

    `lines` holds the line count of each document in scope, by path."""
    if not isinstance(item, Finding):
        return f"a {type(item).__name__}, not a Finding"
    spans: list[Finding | RelatedLocation] = [item, *item.related]
    for loc in spans:
        if loc.path not in lines:
            return f"a finding in {loc.path!r}, which is not among the documents checked"
        if not 1 <= loc.line <= loc.end_line <= lines[loc.path]:
            return f"a finding at line {loc.line}-{loc.end_line} of {loc.path!r}, which " \
                   f"has {lines[loc.path]} lines"
    return None


class _Timeout(BaseException):
    """Raised in a rule that ran too long. A BaseException, so that a rule's own
    `except Exception` cannot swallow it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g} s (the time limit per rule and "
                         "document, `rule-timeout`)")


def _can_limit() -> bool:
    """Whether time limits can be set here: SIGALRM is ours (POSIX, main thread)."""
    return hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread())


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after `seconds` with _Timeout (POSIX main thread; else no limit)."""
    if not seconds or not _can_limit():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Timeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _alarm(seconds: float | None) -> Iterator[bool]:
    """Install the handler that raises _Timeout after `seconds` for the whole block; yield
    whether it is installed (then the blocks to limit only set the timer, see `_run_rule`)."""
    if not seconds or not _can_limit():
        yield False
        return

    def expire(signum: int, frame: object) -> None:
        raise _Timeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _link_targets(group: Sequence[Document], root: str
                  ) -> tuple[frozenset[str], dict[str, bool]]:
    """Return the real paths of the Markdown files outside the set that its documents link
    to, and whether each local link target (any file) exists. Targets outside the checked
    tree `root` are left alone: not even their existence is looked up."""
    from urllib.parse import unquote

    inside: set[str] | None = None  # the set's real paths, resolved when first needed
    out: set[str] = set()
    targets: dict[str, bool] = {}
    for doc in group:
        base = os.path.dirname(os.path.abspath(doc.path))
        for link in doc.links:
            target = link.target.split("#", 1)[0].split("?", 1)[0]
            if not target or ":" in target or target.startswith(("/", "\\")):
                continue  # an anchor, a URL (never fetched), or an absolute path
            path = os.path.normpath(os.path.join(base, unquote(target)))
            if not _below(path, root):
                continue
            targets[path] = os.path.exists(path)
            if targets[path] and target.lower().endswith(MARKDOWN_SUFFIXES):
                real = os.path.realpath(path)
                if inside is None:
                    inside = {os.path.realpath(d.path) for d in group}
                if real not in inside and _below(real, root):
                    out.add(real)
    return frozenset(out), targets


def _linked_groups(sets: Sequence[_Set], outcomes: Sequence[_Outcome]) -> list[list[int]]:
    """Return the groups (two sets or more, indices in order) that links join."""
    owner = {os.path.realpath(p): i for i, s in enumerate(sets) for p in s.paths}
    parent = list(range(len(sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, outcome in enumerate(outcomes):
        for target in outcome.links:
            j = owner.get(target)
            if j is not None and root(i) != root(j):
                a, b = sorted((root(i), root(j)))
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for i in range(len(sets)):
        groups.setdefault(root(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _dossier_sets(files: Sequence[str], documents: Sequence[Document], config: Config
                  ) -> list[_Set]:
    """Group files and documents by folder, joined by the configuration's groups; the sets in
    path order."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def folder(path: str) -> str:
        return "dir:" + os.path.dirname(os.path.abspath(path))

    every = [*files, *(d.path for d in documents)]
    for path in every:
        group = config.group_of(path)
        if group is not None:
            # A file in a group joins that group's set with its whole folder's set.
            mine, theirs = root(folder(path)), root(f"group:{group}")
            parent[max(mine, theirs)] = min(mine, theirs)
    sets: dict[str, _Set] = {}
    for file in files:
        sets.setdefault(root(folder(file)), _Set()).files.append(file)
    for doc in documents:
        sets.setdefault(root(folder(doc.path)), _Set()).documents.append(doc)
    for s in sets.values():
        s.files.sort()
        s.documents.sort(key=lambda d: d.path)
    return sorted(sets.values(), key=lambda s: s.paths[0])


def _settings_key(active: Sequence[Rule], severities: dict[str, Severity], config: Config,
                  root: str) -> str:
    """Return a key for everything besides the files that decides a set's findings."""
    from factcheck.cache import key_of

    parts: list[str] = [json.dumps(dump(config), sort_keys=True), str(config.root), root,
                       sys.version]
    for rule in active:
        parts.append(f"{rule.code} {rule.name} {severities.get(rule.code, rule.severity)} "
                     f"{type(rule).__module__}.{type(rule).__qualname__}")
        function = getattr(rule, "_function", None)
        modules = {type(rule).__module__, getattr(function, "__module__", "")}
        sources = [getattr(sys.modules.get(m), "__file__", None) for m in sorted(modules)]
        source = getattr(rule, "source", None)
        if isinstance(source, tuple) and source and isinstance(source[0], str):
            sources.append(source[0])
        parts.extend(_stamp(s) for s in sources if s)
    parts.extend(_stamp(os.path.abspath(config.resolve(v))) for v in config.vocabulary)
    from factcheck.vocab import data_dir

    parts.append(_stamp(str(data_dir() / "vocabulary.yaml")))
    return key_of(*parts)


def _stamp(path: str) -> str:
    """Identify a file's version by path, size and modification time."""
    try:
        info = os.stat(path)
    except OSError:
        return f"{path} missing"
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def _set_key(settings: str, texts: Sequence[tuple[str, str]]) -> str:
    from factcheck.cache import key_of

    return key_of(settings, *(part for path, text in texts for part in (path, text)))


def _internal_error(path: str, what: str, exc: BaseException | None,
                    reason: str | None = None) -> Finding:
    detail = reason if exc is None else (
        str(exc) if isinstance(exc, _Timeout) else f"failed: {type(exc).__name__}: {exc}")
    return make_finding(
        rule=INTERNAL_ERROR,
        name="internal-error",
        severity=Severity.ERROR,
        message=collapse(f"{what} {detail}"),
        primary=Span(path, 1, 1, 1, 1, ""),
        subject=what,
    )


def _unique_fingerprints(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Number repeated fingerprints (the same phrase twice in a paragraph) in report order."""
    seen: Counter[str] = Counter()
    out = []
    for finding in findings:
        seen[finding.fingerprint] += 1
        n = seen[finding.fingerprint]
        out.append(finding if n == 1 else
                   finding.model_copy(update={"fingerprint": f"{finding.fingerprint}-{n}"}))
    return tuple(out)
