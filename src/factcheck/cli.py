"""Command-line interface: `main(argv) -> int` for `check`, `rules`, `explain` and `claims`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from factcheck import __version__
from factcheck.errors import FactcheckError, InputError

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
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
    check.add_argument("paths", nargs="+", metavar="PATH",
                       help="Markdown files or folders; the files of one folder form a set")
    check.add_argument("--format", choices=("text", "json"), default="text")
    _rules_option(check)
    check.add_argument("--select", type=_codes, metavar="CODES",
                       help="comma-separated rule codes, code prefixes or names to run")
    check.add_argument("--ignore", type=_codes, metavar="CODES",
                       help="comma-separated rule codes, code prefixes or names to skip")
    check.add_argument("--fail-level", choices=("error", "warning", "info"), default="error",
                       help="lowest severity that makes the exit status 1 (default: error)")
    check.set_defaults(run=_check)

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
    claims.set_defaults(run=_claims)
    return parser


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", action="append", default=[], metavar="DIR",
                        help="also load the YAML rules of this folder (repeatable)")


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _check(args: argparse.Namespace) -> int:
    from factcheck.engine import lint
    from factcheck.report import render_json, render_text
    from factcheck.rules import load_rules, select_rules

    try:
        rules = select_rules(load_rules(args.rules), args.select, args.ignore)
    except ValueError as exc:
        print(f"factcheck: {exc}", file=sys.stderr)
        return USAGE_ERROR
    report = lint(args.paths, rules=rules)
    for problem in report.errors:
        print(problem, file=sys.stderr)
    sys.stdout.write(render_json(report) if args.format == "json" else render_text(report))
    return report.exit_code(args.fail_level)


def _rules(args: argparse.Namespace) -> int:
    from factcheck.rules import load_rules

    rules = load_rules(args.rules)
    width = max((len(r.name) for r in rules), default=0)
    for r in rules:
        print(f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {r.summary}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from factcheck.rules import explain, find_rule, load_rules

    found: Rule | None = find_rule(load_rules(args.rules), args.rule)
    if found is None:
        print(f"factcheck: unknown rule {args.rule!r}; `factcheck rules` lists them",
              file=sys.stderr)
        return USAGE_ERROR
    sys.stdout.write(explain(found))
    return 0


def _claims(args: argparse.Namespace) -> int:
    from factcheck.claims import extract_claims
    from factcheck.document import load
    from factcheck.engine import discover

    files, problems = discover(args.paths)
    claims: list[Claim] = []
    failed = [str(p) for p in problems]
    for file in files:
        try:
            claims.extend(extract_claims(load(file)))
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
