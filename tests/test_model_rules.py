"""Model rules: the annotated fixtures, then each rule on claims built by hand."""

from __future__ import annotations

import os
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from factcheck import Finding, RuleContext, Severity
from factcheck.claims.models import Claim
from factcheck.document import parse
from factcheck.encoding import decode
from factcheck.rules import explain
from factcheck.rules.base import Rule
from factcheck.rules.model_rules import (
    RULES,
    BrokenRelativeLink,
    EncodingDamage,
    MaturityConflict,
    ModelFactConflict,
    OpenWeightsConflict,
    RankingConflict,
    RetractedClaimAsserted,
)
from factcheck.testing import assert_fixture, make_claim

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "models"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.md")), ids=lambda p: p.name)
def test_fixture(path: Path) -> None:
    assert_fixture(path, rules=RULES)


def test_identities() -> None:
    identities = {(r.code, r.name, r.severity, r.scope) for r in RULES}
    assert identities == {
        ("FC001", "encoding-damage", Severity.WARNING, "document"),
        ("FC101", "open-weights-conflict", Severity.ERROR, "set"),
        ("FC102", "model-fact-conflict", Severity.ERROR, "set"),
        ("FC301", "retracted-claim-asserted", Severity.ERROR, "set"),
        ("FC302", "ranking-conflict", Severity.WARNING, "set"),
        ("FC401", "maturity-conflict", Severity.WARNING, "set"),
        ("FC701", "broken-relative-link", Severity.WARNING, "document"),
    }
    for rule in RULES:
        assert "## How to fix" in explain(rule)


# -- helpers --------------------------------------------------------------------------------


def run(rule: Rule, *claims: Claim) -> list[Finding]:
    ordered = tuple(sorted(claims, key=lambda c: (c.path, c.offset)))
    return list(rule.check(RuleContext(documents=(), claims=ordered)))


def lines(findings: list[Finding]) -> list[tuple[int, list[int]]]:
    return [(f.line, [r.line for r in f.related]) for f in findings]


def year(first: int, last: int | None = None) -> dict[str, Any]:
    return {"text": str(first), "first": f"{first}-01-01", "last": f"{last or first}-12-31",
            "precision": "year"}


def month(y: int, m: int) -> dict[str, Any]:
    return {"text": f"{y}-{m:02}", "first": f"{y}-{m:02}-01", "last": f"{y}-{m:02}-28",
            "precision": "month"}


def weights(value: str, line: int, **fields: Any) -> Claim:
    fields.setdefault("subject", "Kestrel-V")
    return make_claim("open_weights", value=value, line=line, **fields)


def size(low: float, high: float | None, line: int, **fields: Any) -> Claim:
    fields.setdefault("subject", "Heron-2")
    value = {"text": f"{low}B", "low": str(low * 1e9),
             "high": None if high is None else str(high * 1e9), **fields.pop("extra", {})}
    return make_claim("model_size", size=value, line=line, **fields)


def context(tokens: int, line: int, noun: str = "token", **fields: Any) -> Claim:
    fields.setdefault("subject", "Heron-2")
    value = {"text": f"{tokens}", "low": tokens, "high": tokens, "noun": noun}
    return make_claim("context_length", tokens=value, line=line, **fields)


def release(date: dict[str, Any], line: int, **fields: Any) -> Claim:
    fields.setdefault("subject", "Heron-2")
    return make_claim("release", date=date, line=line, **fields)


def rank(low: int, high: int | None = None) -> dict[str, Any]:
    return {"text": f"#{low}", "low": low, "high": high or low}


def ranking(scope: str, r: dict[str, Any], line: int, **fields: Any) -> Claim:
    fields.setdefault("subject", "Kestrel")
    return make_claim("ranking", scope=scope, scope_label=scope.replace("-", " "), rank=r,
                      line=line, **fields)


def retraction(scope: str | None, r: dict[str, Any] | None, line: int, **fields: Any) -> Claim:
    fields.setdefault("subject", "Kestrel")
    fields.setdefault("retracted", "previously reported as #1, but this was based on "
                                   "incorrect data")
    return make_claim("retraction", scope=scope, rank=r, line=line, **fields)


def stage(name: str, level: int, line: int, **fields: Any) -> Claim:
    fields.setdefault("subject", "Wren Voice")
    return make_claim("maturity", stage=name, level=level, line=line, **fields)


# -- FC101 ----------------------------------------------------------------------------------


def test_open_weights_prose_against_table() -> None:
    found = run(OpenWeightsConflict(),
                weights("closed", 110, origin="table", evidence="❌"),
                weights("open", 217, evidence="open-source"))
    assert lines(found) == [(217, [110])]
    assert found[0].message == ('Kestrel-V: open weights according to the prose ("open-source", '
                                'line 217) but closed weights according to the table ("❌", '
                                "line 110)")


def test_open_weights_reports_a_stray_once_against_every_side() -> None:
    found = run(OpenWeightsConflict(),
                weights("open", 5, origin="table"),
                weights("closed", 9),
                weights("open", 20),
                weights("open", 30, origin="list"))
    assert lines(found) == [(9, [5, 20, 30])]
    assert found[0].message.endswith("and 2 other places")


def test_open_weights_reports_each_statement_against_the_table() -> None:
    found = run(OpenWeightsConflict(), weights("closed", 5, origin="table"),
                weights("open", 9), weights("open", 20, origin="list"))
    assert lines(found) == [(9, [5]), (20, [5])]


def test_open_weights_names_the_other_file() -> None:
    found = run(OpenWeightsConflict(),
                weights("closed", 3, origin="table", path="a/main.md", evidence="❌"),
                weights("open", 8, path="a/strategy.md", evidence="open-source"))
    assert found[0].message == (
        'Kestrel-V: open weights according to the prose ("open-source", strategy.md, line 8) '
        'but closed weights according to the table ("❌", main.md, line 3)')


@pytest.mark.parametrize(("first", "second", "fields"), [
    ("open", "open", {}),
    ("partial", "open", {}),
    ("partial", "closed", {}),
    ("closed", "open", {"date": year(2023)}),
])
def test_open_weights_quiet(first: str, second: str, fields: dict[str, Any]) -> None:
    later = {"date": year(2025)} if fields else {}
    assert run(OpenWeightsConflict(), weights(first, 1, origin="table", **fields),
               weights(second, 2, **later)) == []


def test_open_weights_compares_one_model_only() -> None:
    assert run(OpenWeightsConflict(), weights("closed", 1, subject="Kestrel-V"),
               weights("open", 2, subject="Kestrel-V-Lite")) == []


# -- FC102 ----------------------------------------------------------------------------------


def test_sizes_that_cannot_overlap() -> None:
    found = run(ModelFactConflict(), size(34, 34, 56, origin="table", evidence="34B"),
                size(40, 40, 67, evidence="40-billion-parameter Heron-2"))
    assert lines(found) == [(67, [56])]
    assert found[0].message.startswith("Heron-2 size: 40B according to the prose")


@pytest.mark.parametrize(("a", "b"), [
    (size(32, 32, 1), size(27, 33, 2)),  # "32B" and "~30B"
    (size(1000, None, 1), size(1000, 999000, 2)),  # "1T+" and "trillion-parameter"
    (size(100, None, 1), size(130, 130, 2)),  # "100B+" and "130B"
])
def test_sizes_that_may_agree(a: Claim, b: Claim) -> None:
    assert run(ModelFactConflict(), a, b) == []


def test_active_parameters_are_not_the_total() -> None:
    moe = size(120, 120, 2, extra={"active_low": "12000000000", "active_high": "12000000000"})
    assert run(ModelFactConflict(), size(120, 120, 1, origin="table"), moe) == []


def test_a_variant_is_another_model() -> None:
    assert run(ModelFactConflict(), context(8000, 1, origin="table"),
               context(32000, 2, subject="Heron-2-32k", origin="table")) == []


def test_context_lengths() -> None:
    rule = ModelFactConflict()
    assert lines(run(rule, context(8000, 1, origin="table"), context(16000, 2))) == [(2, [1])]
    assert run(rule, context(8000, 1, origin="table"), context(8192, 2)) == []
    assert run(rule, context(1_000_000, 1), context(1_048_576, 2)) == []
    assert run(rule, context(8000, 1), context(32000, 2, noun="character")) == []
    assert run(rule, context(8000, 1, date=year(2023)), context(32000, 2, date=year(2024))) == []


def test_release_dates() -> None:
    rule = ModelFactConflict()
    found = run(rule, release(month(2024, 6), 1, origin="table"),
                release(month(2024, 11), 2), release(month(2024, 6), 3))
    assert lines(found) == [(2, [1, 3])]
    assert run(rule, release(year(2024), 1), release(month(2024, 11), 2)) == []


def test_model_facts_compare_within_one_kind() -> None:
    assert run(ModelFactConflict(), context(8000, 1), size(8, 8, 2)) == []


# -- FC301 ----------------------------------------------------------------------------------


def test_retracted_rank_still_asserted() -> None:
    found = run(RetractedClaimAsserted(), retraction("revenue-target", rank(1), 10),
                ranking("revenue-target", rank(1), 20, origin="list"),
                ranking("publicly-disclosed-revenue-target", rank(1), 5, path="strategy.md"))
    assert lines(found) == [(20, [10]), (5, [10])]
    assert "a list item still asserts #1 in revenue target" in found[0].message
    assert "(dossier.md, line 10:" in found[1].message


@pytest.mark.parametrize("claim", [
    ranking("revenue-target", rank(3), 20),  # the corrected rank
    ranking("consumer-brand", rank(1), 20),  # another scope
    ranking("revenue-target", rank(1), 20, subject="Osprey"),  # another subject
    ranking("revenue-target", rank(1), 20, date=year(2026)),  # another time
])
def test_retraction_leaves_other_rankings_alone(claim: Claim) -> None:
    assert run(RetractedClaimAsserted(),
               retraction("revenue-target", rank(1), 10, date=year(2024)), claim) == []


def test_rank_inside_the_retraction_is_the_retraction() -> None:
    inside = make_claim("ranking", subject="Kestrel", scope="revenue-target",
                        scope_label="revenue target", rank=rank(1), line=10, evidence="#1")
    assert run(RetractedClaimAsserted(), retraction("revenue-target", rank(1), 10), inside) == []


def test_retraction_without_scope_key_matches_its_words() -> None:
    text = "previously reported as #1 in the 2023 GeneEdit Index by patients dosed, corrected"
    withdrawn = retraction(None, rank(1), 10, retracted=text)
    assert len(run(RetractedClaimAsserted(), withdrawn,
                   ranking("2023-geneedit-index-by-patient-dosed", rank(1), 20))) == 1
    assert run(RetractedClaimAsserted(), withdrawn, ranking("biopulse-50", rank(1), 20)) == []
    assert run(RetractedClaimAsserted(), retraction(None, None, 10, retracted=text),
               ranking("2023-geneedit-index-by-patient-dosed", rank(1), 20)) == []


# -- FC302 ----------------------------------------------------------------------------------


def test_ranks_on_one_leaderboard() -> None:
    found = run(RankingConflict(), ranking("fraudbench", rank(2), 1, origin="table"),
                ranking("fraudbench", rank(4), 2), ranking("fraudbench", rank(2), 3))
    assert lines(found) == [(2, [1, 3])]
    assert found[0].message.startswith("Kestrel (fraudbench): #4 according to the prose")


@pytest.mark.parametrize(("a", "b"), [
    (ranking("fraudbench", rank(2), 1), ranking("ledgereval", rank(5), 2)),
    (ranking("fraudbench", rank(1, 5), 1), ranking("fraudbench", rank(2), 2)),
    (ranking("fraudbench", rank(6), 1, date=year(2024)),
     ranking("fraudbench", rank(9), 2, date=year(2025))),
])
def test_ranks_that_may_agree(a: Claim, b: Claim) -> None:
    assert run(RankingConflict(), a, b) == []


def test_withdrawn_rank_is_left_to_fc301() -> None:
    claims = (retraction("trust-index", rank(1), 1), ranking("trust-index", rank(1), 5),
              ranking("trust-index", rank(3), 6))
    assert run(RankingConflict(), *claims) == []
    assert lines(run(RetractedClaimAsserted(), *claims)) == [(5, [1])]


# -- FC401 ----------------------------------------------------------------------------------


def test_experimental_and_production_undated() -> None:
    found = run(MaturityConflict(),
                stage("experimental", 1, 84, origin="list", evidence="experimental"),
                stage("production", 3, 218), stage("production", 3, 5, path="a.md"))
    assert lines(found) == [(84, [5, 218])]
    assert found[0].message.startswith(
        "Wren Voice: experimental according to a list item (dossier.md, line 84) but "
        'production according to the prose ("Wren Voice maturity", a.md, line 5)')


@pytest.mark.parametrize("claims", [
    (stage("experimental", 1, 1, date=year(2024)), stage("production", 3, 2, date=year(2025))),
    (stage("beta", 2, 1, date=year(2025)), stage("production", 3, 2, date=year(2025))),
    (stage("experimental", 1, 1, date=year(2024)), stage("production", 3, 2, date=year(2025)),
     stage("production", 3, 3)),
    (stage("beta", 2, 1), stage("beta", 2, 2)),
])
def test_maturity_explained(claims: tuple[Claim, ...]) -> None:
    assert run(MaturityConflict(), *claims) == []


@pytest.mark.parametrize("claims", [
    (stage("beta", 2, 1, date=year(2025)), stage("production", 3, 2, date=year(2023))),
    (stage("beta", 2, 1), stage("production", 3, 2, date=year(2023))),
    (stage("research", 0, 1, date=year(2024)), stage("production", 3, 2)),
])
def test_maturity_unexplained(claims: tuple[Claim, ...]) -> None:
    assert len(run(MaturityConflict(), *claims)) == 1


def test_one_sentence_telling_a_progression() -> None:
    beta = make_claim("maturity", subject="Wren Voice", stage="beta", level=2, line=4,
                      evidence="Wren Voice entered a public beta")
    ga = make_claim("maturity", subject="Wren Voice", stage="production", level=3, line=4,
                    evidence="Wren Voice entered a public beta and became generally available")
    assert run(MaturityConflict(), beta, ga) == []


# -- FC701 ----------------------------------------------------------------------------------


def link(target: str, path: Path) -> Claim:
    return make_claim("link", target=target, text="annex", path=str(path))


def check_links(root: Path | str, *claims: Claim) -> list[Finding]:
    ordered = tuple(sorted(claims, key=lambda c: (c.path, c.offset)))
    ctx = RuleContext(documents=(), claims=ordered, root=str(root))
    return list(BrokenRelativeLink().check(ctx))


def test_links(tmp_path: Path) -> None:
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "annex notes.md").write_text("# Annex\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")
    doc = tmp_path / "set" / "main.md"
    fine = ["annex%20notes.md", "annex%20notes.md#cap-table", "./annex%20notes.md?plain=1",
            "../other.md", "#top", "https://example.com/gone.md", "mailto:a@example.com",
            "/site/absolute.md", "../set/"]
    assert [f.message for t in fine for f in check_links(tmp_path, link(t, doc))] == []
    [found] = check_links(tmp_path, link("renamed.md", doc))
    assert found.message == "broken link: `renamed.md` does not exist in set/"


def test_the_tree_is_the_documents_folder_without_a_root(tmp_path: Path) -> None:
    (tmp_path / "set").mkdir()
    (tmp_path / "sibling.md").write_text("# Sibling\n", encoding="utf-8")
    doc = tmp_path / "set" / "main.md"
    ctx = RuleContext(documents=(), claims=(link("../sibling.md", doc),))
    assert ctx.tree == str(tmp_path / "set")
    assert list(BrokenRelativeLink().check(ctx)) == []  # outside the tree: not looked at
    assert RuleContext(documents=(), claims=(), root="rel/../x").tree == os.path.abspath("x")


class FileSystemSpy:
    """Records every path the link check stats, reads or opens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        for module, name in [(os, "stat"), (os, "lstat"), (os, "readlink"), (os, "open"),
                             (os, "listdir"), (os, "scandir"), (os.path, "exists"),
                             (os.path, "isfile"), (os.path, "isdir"), (os.path, "realpath")]:
            monkeypatch.setattr(module, name, self.wrap(getattr(module, name)))
        for name in ("exists", "is_file", "is_dir", "stat", "lstat", "resolve", "open",
                     "read_text", "read_bytes"):
            monkeypatch.setattr(Path, name, self.wrap(getattr(Path, name)))
        for name in ("socket", "create_connection", "getaddrinfo"):
            monkeypatch.setattr(socket, name, self.refuse)
        monkeypatch.setattr(urllib.request, "urlopen", self.refuse)

    def wrap(self, real: Any) -> Any:
        def spy(path: Any, *args: Any, **kwargs: Any) -> Any:
            self.paths.append(os.fspath(path))
            return real(path, *args, **kwargs)
        return spy

    def refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access: {args}")

    def outside(self, root: Path) -> list[str]:
        return [p for p in self.paths
                if os.path.commonpath([os.path.abspath(p), str(root)]) != str(root)]


def test_links_never_leave_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tree"
    (tree / "set").mkdir(parents=True)
    (tmp_path / "secret.md").write_text("# Secret\n", encoding="utf-8")
    (tree / "set" / "here.md").write_text("# Here\n", encoding="utf-8")
    monkeypatch.chdir(tree)
    doc = tree / "set" / "main.md"
    targets = ["../../secret.md", "../../../../../../../../etc/passwd", "../set/../../secret.md",
               "..%2F..%2Fsecret.md", "https://example.com/annex.md", "http://127.0.0.1/x.md",
               "//example.com/x.md", "file:///etc/passwd", "here.md", "gone.md"]
    spy = FileSystemSpy(monkeypatch)
    found = check_links(tree, *(link(t, doc) for t in targets))
    assert [f.message for f in found] == ["broken link: `gone.md` does not exist in set/"]
    assert spy.paths and spy.outside(tree) == []


def test_symbolic_links_out_of_the_tree_are_not_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tree"
    (tree / "set" / "inner").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text("# Secret\n", encoding="utf-8")
    (tree / "set" / "inner" / "annex.md").write_text("# Annex\n", encoding="utf-8")
    try:
        (tree / "set" / "escape").symlink_to(tmp_path / "outside")
        (tree / "set" / "relative-escape").symlink_to(Path("..") / ".." / "outside")
        (tree / "set" / "alias").symlink_to(Path("inner"))
        (tree / "set" / "dangling.md").symlink_to(Path("inner") / "nothing.md")
        (tree / "set" / "loop").symlink_to(Path("loop"))
    except OSError:
        pytest.skip("symbolic links are not available")
    doc = tree / "set" / "main.md"
    targets = ["escape/secret.md", "escape/missing.md", "relative-escape/secret.md",
               "alias/annex.md", "alias/../inner/annex.md", "dangling.md", "loop/x.md"]
    spy = FileSystemSpy(monkeypatch)
    found = check_links(tree, *(link(t, doc) for t in targets))
    assert [f.message for f in found] == [
        "broken link: `dangling.md` does not exist in set/"]
    assert spy.outside(tree) == []


def test_a_document_outside_the_root_has_no_links_checked(tmp_path: Path) -> None:
    (tmp_path / "tree").mkdir()
    (tmp_path / "set").mkdir()
    assert check_links(tmp_path / "tree", link("gone.md", tmp_path / "set" / "main.md")) == []


# -- FC001 ----------------------------------------------------------------------------------


def test_encoding_damage() -> None:
    text = "# Kogen\n\nKōgen Seiki (光源精機) makes gearboxes; ❌ marks closed models.\n"
    doc = parse(decode(text.encode("utf-8").decode("mac_roman").encode("utf-8"), "k.md"))
    found = list(EncodingDamage().check(RuleContext(documents=(doc,), claims=())))
    assert [(f.line, f.column) for f in found] == [(3, 2)]
    assert found[0].message == (
        "text was decoded as Mac Roman: 3 damaged runs, e.g. '≈ç' should read 'ō'; "
        "`factcheck check --fix` repairs it exactly")


def test_clean_text_is_not_damaged() -> None:
    doc = parse(decode("# Kogen\n\nKōgen Seiki (光源精機) ❌\n".encode(), "k.md"))
    assert list(EncodingDamage().check(RuleContext(documents=(doc,), claims=()))) == []
