"""Every annotated rule fixture, checked with every built-in rule: each finding is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.testing import assert_fixture

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "fixtures" / "rules").rglob("*.md"))


def test_there_are_fixtures_for_every_rule_group() -> None:
    assert {p.parent.name for p in FIXTURES} >= {"models", "company"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_fixture(path: Path) -> None:
    assert_fixture(path)
