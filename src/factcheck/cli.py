"""Command-line interface: `main(argv) -> int` for check, baseline, rules, explain and claims."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from factcheck import __version__
from factcheck.errors import FactcheckError, InputError

if TYPE_CHECKING:
    from factcheck.baseline import BaselineEntry
    from factcheck.cache import Cache
    from factcheck.claims.models import Claim
    from factcheck.config import Config
    from factcheck.engine import Report
    from factcheck.rules.base import Rule

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return 0 (clean), 1 (findings at the fail level) or 2 (errors)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors; return instead
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    try:
        result: int = args.run(args)
    except FactcheckError as exc:
        print(exc, file=sys.stderr)
        return USAGE_ERROR
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factcheck", description="Lint Markdown research dossiers for facts that contradict "
                                      "each other.")
    parser.add_argument("--version", action="version", version=f"factcheck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check dossiers and report findings")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="Markdown files or folders; the files of one folder form a set "
                            "(default: `paths` of the configuration)")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                       help="text for people, json, sarif (code scanning) or github "
                            "(Actions annotations)")
    check.add_argument("--source", action=argparse.BooleanOptionalAction, default=None,
                       help="show each finding's source line with a caret under it "
                            "(default: on)")
    _lint_options(check)
    check.add_argument("--fail-level", choices=("error", "warning", "info"), default=None,
                       help="lowest severity that makes the exit status 1 (default: "
                            "`fail-level` of the configuration, else error)")
    check.add_argument("--baseline", metavar="FILE",
                       help="report and fail only on findings not recorded in this baseline")
    check.add_argument("--since", metavar="REF", default=None,
                       help="also compare with the files at git revision REF and report values "
                            "an edit changed that are still asserted elsewhere (FC801)")
    check.add_argument("--siblings", action="store_true",
                       help="check each given file with the other Markdown files of its "
                            "folder, reporting only findings that touch a given file "
                            "(what the pre-commit hook does)")
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true",
                        help="repair encoding damage in place before checking")
    fixing.add_argument("--diff", action="store_true",
                        help="print the fixes --fix would make as a unified diff, write "
                             "nothing, and exit 1 if there are any")
    check.set_defaults(run=_check)

    baseline = commands.add_parser(
        "baseline", help="record the current findings so `check --baseline` fails only on new ones")
    baseline.add_argument("paths", nargs="*", metavar="PATH",
                          help="Markdown files or folders (default: `paths` of the "
                               "configuration, else the current folder)")
    baseline.add_argument("--output", "-o", default=None, metavar="FILE",
                          help="baseline file to write (default: .factcheck-baseline.json)")
    baseline.add_argument("--prune", action="store_true",
                          help="only drop the entries that no longer occur; add none")
    _lint_options(baseline)
    baseline.set_defaults(run=_baseline)

    listing = commands.add_parser("rules", help="list the rules")
    _rules_option(listing)
    listing.set_defaults(run=_rules)

    explain = commands.add_parser("explain", help="show the documentation of a rule")
    explain.add_argument("rule", metavar="CODE|NAME")
    _rules_option(explain)
    explain.set_defaults(run=_explain)

    claims = commands.add_parser("claims", help="print the claims read from dossiers")
    claims.add_argument("paths", nargs="+", metavar="PATH")
    claims.add_argument("--format", choices=("text", "json"), default="text")
    _max_file_size_option(claims)
    _config_options(claims)
    claims.set_defaults(run=_claims)
    return parser


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", action="append", default=[], metavar="DIR",
                        help="also load the YAML rules of this folder (repeatable; added to "
                             "`rules` of the configuration)")
    _config_options(parser)


def _config_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="FILE",
                       help="read settings from this file (a pyproject.toml or a YAML file) "
                            "instead of the first .factcheck.yaml or pyproject.toml with "
                            "[tool.factcheck] found above the checked paths")
    where.add_argument("--no-config", action="store_true",
                       help="ignore configuration files")


def _config(args: argparse.Namespace) -> Config:
    """Load the run's configuration once, from --config or found above the given paths."""
    if getattr(args, "loaded_config", None) is None:
        from factcheck.config import discover_config

        args.loaded_config = discover_config(getattr(args, "paths", None) or [], args.config,
                                             enabled=not args.no_config)
    config: Config = args.loaded_config
    return config


def _paths(args: argparse.Namespace, default: list[str]) -> list[str]:
    """Return the given paths, else the configuration's, else `default`."""
    config = _config(args)
    return list(args.paths) or [config.resolve(p) for p in config.paths] or default


def _lint_options(parser: argparse.ArgumentParser) -> None:
    _rules_option(parser)
    parser.add_argument("--select", type=_codes, metavar="CODES",
                        help="comma-separated rule codes, code prefixes or names to run")
    parser.add_argument("--ignore", type=_codes, metavar="CODES",
                        help="comma-separated rule codes, code prefixes or names to skip")
    parser.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                        help="check dossier sets in N processes (default: `jobs` of the "
                             "configuration, else the number of cores)")
    _max_file_size_option(parser)
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write .factcheck_cache/ (results of unchanged "
                             "dossier sets)")


def _max_file_size_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-file-size", type=_bytes, default=None, metavar="BYTES",
                        help="report larger files instead of reading them (default: "
                             "`max-file-size` of the configuration, else 2000000; 0: no "
                             "limit)")


def _max_bytes(args: argparse.Namespace) -> int | None:
    """Return the size limit for reading a file, None for none."""
    limit: int = (args.max_file_size if args.max_file_size is not None
                  else _config(args).max_file_size)
    return limit or None


def _bytes(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of bytes, not {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def _cache(args: argparse.Namespace) -> Cache:
    """Return the run's cache: off with --no-cache or `cache: false`, else beside the
    configuration file (or in the current folder)."""
    from factcheck.cache import default_cache

    if getattr(args, "loaded_cache", None) is None:
        config = _config(args)
        enabled = config.cache and not getattr(args, "no_cache", False)
        args.loaded_cache = default_cache(config.root if config.source else None,
                                          enabled=enabled)
    cache: Cache = args.loaded_cache
    return cache


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _all_rules(args: argparse.Namespace) -> list[Rule]:
    from factcheck.engine import with_suppression_rules
    from factcheck.rules import load_rules

    config = _config(args)
    return with_suppression_rules(load_rules([*map(config.resolve, config.rules), *args.rules],
                                             cache=_cache(args)))


def _lint(args: argparse.Namespace, paths: list[str]) -> tuple[Report, list[Rule]] | int:
    """Lint paths with the rule options of `args`; return the report and the active rules."""
    from factcheck.engine import lint

    config = _config(args)
    rules = _all_rules(args)
    try:
        active = config.rule_selection(rules, args.select, args.ignore)
    except ValueError as exc:
        print(f"factcheck: {exc}", file=sys.stderr)
        return USAGE_ERROR
    jobs = args.jobs or config.jobs or os.cpu_count() or 1
    since = _revision(getattr(args, "since", None), paths)
    report = lint(paths, rules=rules, select=args.select, ignore=args.ignore, config=config,
                  since=since, jobs=jobs, cache=_cache(args), rule_timeout=config.rule_timeout,
                  max_bytes=args.max_file_size)
    for problem in report.errors:
        print(problem, file=sys.stderr)
    return report, active


def _revision(since: str | None, paths: list[str]) -> str | None:
    """Return the revision to compare with: `since`, except HEAD in a repository that has no
    commit yet (the first commit, where the pre-commit hook has nothing to compare with)."""
    if since != "HEAD" or not paths:
        return since
    import subprocess

    folder = os.path.dirname(os.path.abspath(paths[0]))

    def git(*command: str) -> bool:
        try:
            done = subprocess.run(["git", *command], cwd=folder, capture_output=True,
                                  check=False)
        except OSError:
            return False
        return done.returncode == 0

    if git("rev-parse", "--verify", "--quiet", "HEAD") or not git("rev-parse", "--git-dir"):
        return since  # an existing commit, or no repository (stale.py reports that)
    return None


def _check(args: argparse.Namespace) -> int:
    given = _paths(args, [])
    if not given:
        print("factcheck: no PATH given and no `paths` in a configuration file",
              file=sys.stderr)
        return USAGE_ERROR
    if args.diff or args.fix:
        status = _fix(args, given)
        if args.diff or status:
            return status
    paths = _with_siblings(given, _config(args)) if args.siblings else given
    linted = _lint(args, paths)
    if isinstance(linted, int):
        return linted
    report, active = linted
    if args.siblings:
        report = _touching(report, given)
    stale: list[BaselineEntry] = []
    if args.baseline is not None:
        from factcheck.baseline import compare, read_baseline

        report, stale = compare(report, read_baseline(args.baseline))
    sys.stdout.write(_render(args, report, active))
    if stale:
        print(f"{_count(len(stale), 'baseline entry', 'baseline entries')} no longer "
              f"occur{'s' if len(stale) == 1 else ''}; run `factcheck baseline --prune`",
              file=sys.stderr)
    return report.exit_code(args.fail_level or _config(args).fail_level)


def _render(args: argparse.Namespace, report: Report, active: list[Rule]) -> str:
    if args.format == "json":
        from factcheck.report import render_json

        return render_json(report)
    if args.format == "sarif":
        from factcheck.report.sarif import render_sarif

        return render_sarif(report, active)
    if args.format == "github":
        from factcheck.report.github import render_github

        return render_github(report)
    from factcheck.report.text import render_text, use_colour

    tty = sys.stdout.isatty()
    source = True if args.source is None else args.source  # ruff-style excerpts by default
    return render_text(report, source=source, colour=use_colour(tty))


def _fix(args: argparse.Namespace, paths: list[str]) -> int:
    """Apply or show the safe fixes; return 2 after input errors, 1 for a diff, else 0."""
    from factcheck.engine import discover
    from factcheck.fix import apply_fix, plan_fixes, unified_diff

    files, problems = discover(paths, _config(args))
    fixes, unreadable = plan_fixes(files, _max_bytes(args) or 0)
    for line in [*map(str, problems), *map(str, unreadable)]:
        print(line, file=sys.stderr)
    if args.diff:
        sys.stdout.write("".join(unified_diff(f) for f in fixes))
        return USAGE_ERROR if problems or unreadable else (1 if fixes else 0)
    for fix in fixes:
        if apply_fix(fix):
            print(f"{fix.path}: fixed encoding damage", file=sys.stderr)
        else:
            print(f"{fix.path}: changed while factcheck was fixing it; left alone, run "
                  "again", file=sys.stderr)
    return 0


def _with_siblings(paths: list[str], config: Config) -> list[str]:
    """Add the other Markdown files of each given file's folder and group, after the given
    paths."""
    from factcheck.engine import MARKDOWN_SUFFIXES

    out = list(paths)
    for path in paths:
        if not os.path.isfile(path):
            continue
        folder = os.path.dirname(path)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        out.extend(os.path.join(folder, name) for name in names
                   if name.lower().endswith(MARKDOWN_SUFFIXES) and not name.startswith(".")
                   and os.path.isfile(os.path.join(folder, name)))
        out.extend(config.group_members(path))
    return out


def _touching(report: Report, paths: list[str]) -> Report:
    """Keep the findings whose primary or related location is in one of `paths`."""
    wanted = {os.path.realpath(p) for p in paths}
    kept = tuple(f for f in report.findings
                 if any(os.path.realpath(p) in wanted
                        for p in (f.path, *(r.path for r in f.related))))
    return report.model_copy(update={"findings": kept})


def _baseline(args: argparse.Namespace) -> int:
    from factcheck.baseline import (
        DEFAULT_BASELINE,
        compare,
        entries_of,
        read_baseline,
        write_baseline,
    )

    output = args.output or DEFAULT_BASELINE
    linted = _lint(args, _paths(args, ["."]))
    if isinstance(linted, int):
        return linted
    report, _ = linted
    if report.errors:
        print(f"factcheck: {output} not written: some files could not be checked",
              file=sys.stderr)
        return USAGE_ERROR
    if args.prune:
        old = read_baseline(output)
        _, stale = compare(report, old)
        entries = [e for e in old if e not in stale]
        write_baseline(output, entries)
        print(f"{output}: removed {_count(len(stale), 'entry', 'entries')}, kept "
              f"{len(entries)}", file=sys.stderr)
        return 0
    entries = entries_of(report.findings, output)
    write_baseline(output, entries)
    print(f"{output}: recorded {_count(len(entries), 'finding', 'findings')}", file=sys.stderr)
    return 0


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _rules(args: argparse.Namespace) -> int:
    rules = _all_rules(args)
    width = max((len(r.name) for r in rules), default=0)
    for r in rules:
        print(f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {' '.join(r.summary.split())}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from factcheck.rules import explain, find_rule

    found: Rule | None = find_rule(_all_rules(args), args.rule)
    if found is None:
        print(f"factcheck: unknown rule {args.rule!r}; `factcheck rules` lists them",
              file=sys.stderr)
        return USAGE_ERROR
    sys.stdout.write(explain(found))
    return 0


def _claims(args: argparse.Namespace) -> int:
    from factcheck.document import parse
    from factcheck.encoding import read
    from factcheck.engine import discover

    config = _config(args)
    files, problems = discover(args.paths, config)
    extract = config.extractor(_cache(args))
    claims: list[Claim] = []
    failed = [str(p) for p in problems]
    for file in files:
        try:
            claims.extend(extract(parse(read(file, _max_bytes(args)))))
        except InputError as exc:
            failed.append(f"{file}: {exc.reason}")
    for line in failed:
        print(line, file=sys.stderr)
    if args.format == "json":
        data = {"version": 1, "claims": [c.model_dump(mode="json") for c in claims]}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        for c in claims:
            print(f"{c.path}:{c.line}:{c.column}: {c.kind} {c.subject}: {short_value(c)}")
    return USAGE_ERROR if failed else 0


def short_value(claim: Claim) -> str:
    """Describe the fields a claim kind adds to the common ones, and its date."""
    from factcheck.claims.models import ClaimBase
    from factcheck.findings import describe

    own: dict[str, Any] = {
        name: getattr(claim, name) for name in type(claim).model_fields
        if name not in ClaimBase.model_fields and name != "kind"
    }
    shown = {k: v for k, v in own.items() if v not in (None, False, (), "")}
    text = (describe(next(iter(shown.values()))) if len(shown) == 1
            else " ".join(f"{k}={describe(v)}" for k, v in shown.items()))
    if claim.date is not None:
        text += f" ({describe(claim.date)})"
    return text
