"""Texts shared by several test modules."""

# A user rule in its own folder: an `existence` phrase rule, no code needed.
WORLD_CLASS_RULE = """\
rules:
  - code: TT900
    name: world-class
    severity: warning
    summary: Flags the phrase world-class.
    rationale: It is a claim without evidence.
    example: A world-class lab.
    fix: Say what makes it so.
    message: "avoid {match}"
    kind: existence
    tokens: [world-class]
"""

# The identity and documentation fields of a test rule; tests append the check's own fields.
RULE_HEADER = """\
rules:
  - code: TT301
    name: test-rule
    severity: warning
    summary: s
    rationale: r
    example: e
    fix: f
"""
