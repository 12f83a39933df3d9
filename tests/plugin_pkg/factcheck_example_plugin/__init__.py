"""An example third-party factcheck rule package: one rule, registered by entry point."""

from __future__ import annotations

from collections.abc import Iterator

from factcheck import Finding, RuleContext, Severity, rule


@rule(
    code="EX101",
    name="insecure-link",
    severity=Severity.INFO,
    summary="Flags links to plain http:// addresses.",
    rationale="A plain http:// link can be altered in transit and often redirects elsewhere.",
    example="See [the report](http://example.com/report).",
    fix="Link to the https:// address.",
)
def insecure_link(ctx: RuleContext) -> Iterator[Finding]:
    """Flag every link claim whose target starts with http://."""
    for claim in ctx.of_kind("link"):
        if getattr(claim, "target", "").startswith("http://"):
            yield ctx.finding(insecure_link, f"plain http link: {claim.evidence}", claim)


RULES = [insecure_link]
