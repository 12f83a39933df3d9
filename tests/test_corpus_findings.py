"""Precision on real and other-layout dossiers: the findings are pinned, so a new one fails.

Each pinned line was read and agreed with by a person (see the README's corpus section). To
update after an intended change, run `FACTCHECK_UPDATE_GOLDEN=1 python -m pytest
tests/test_corpus_findings.py` and review the diff of tests/golden/ before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factcheck import lint

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SETS = {
    "corpus-ailabs": ROOT / "fixtures" / "corpus" / "ailabs",
    "corpus-received": ROOT / "fixtures" / "corpus" / "received",
    "dossier-aurora-robotics": ROOT / "fixtures" / "dossiers" / "aurora-robotics",
    "dossier-helix-bio": ROOT / "fixtures" / "dossiers" / "helix-bio",
    "dossier-clean": ROOT / "fixtures" / "dossiers" / "clean",
}


def render(folder: Path) -> str:
    report = lint([folder])
    lines = []
    for f in report.findings:
        path = Path(f.path).relative_to(ROOT).as_posix()
        lines.append(f"{path}:{f.line}:{f.column}: {f.rule} {f.name}: {f.message}")
        for r in f.related:
            rel = Path(r.path).relative_to(ROOT).as_posix()
            lines.append(f"    {rel}:{r.line}:{r.column}: {r.message}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", sorted(SETS))
def test_findings_are_pinned(name: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    actual = render(SETS[name])
    if os.environ.get("FACTCHECK_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_clean_dossier_has_no_findings() -> None:
    assert render(SETS["dossier-clean"]) == "\n"
