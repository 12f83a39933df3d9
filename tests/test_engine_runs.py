"""How lint() runs: sets joined by links, worker processes, the cache, time limits, malformed
results of plugin rules, and folders that cannot be walked."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from factcheck import Finding, RuleContext, lint, rule
from factcheck.cache import Cache
from factcheck.engine import discover
from factcheck.rules.model_rules import OpenWeightsConflict

SETS = "sets"  # the cache's namespace for the findings of dossier sets

MAIN = """\
# Nimbus Analytics

## Models

| Model | Open Weights |
|---|---|
| Nimbus-7 | ❌ |
"""

COMPANION = """\
# Nimbus Analytics: strategy

| Model | Open Weights |
|---|---|
| Nimbus-7 | ✅ |

See the [main dossier]({link}).
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fc101(report_findings: tuple[Finding, ...]) -> list[tuple[str, list[str]]]:
    return [(Path(f.path).name, [Path(r.path).name for r in f.related])
            for f in report_findings if f.rule == "FC101"]


# -- dossier sets joined by links -------------------------------------------------------------


def test_a_link_to_a_file_in_another_folder_joins_their_sets(tmp_path: Path) -> None:
    write(tmp_path / "main" / "nimbus.md", MAIN)
    write(tmp_path / "notes" / "nimbus-strategy.md",
          COMPANION.format(link="../main/nimbus.md"))
    report = lint([tmp_path], rules=[OpenWeightsConflict()])
    assert fc101(report.findings) == [("nimbus-strategy.md", ["nimbus.md"])]
    assert report.files == 2


def test_without_a_link_folders_stay_apart(tmp_path: Path) -> None:
    write(tmp_path / "main" / "nimbus.md", MAIN)
    write(tmp_path / "notes" / "nimbus-strategy.md",
          COMPANION.format(link="https://example.org/nimbus.md"))
    assert fc101(lint([tmp_path], rules=[OpenWeightsConflict()]).findings) == []


def test_a_link_to_a_file_not_being_checked_joins_nothing(tmp_path: Path) -> None:
    write(tmp_path / "main" / "nimbus.md", MAIN)
    companion = write(tmp_path / "notes" / "nimbus-strategy.md",
                      COMPANION.format(link="../main/nimbus.md"))
    report = lint([companion], rules=[OpenWeightsConflict()])
    assert fc101(report.findings) == [] and report.files == 1


# -- worker processes -------------------------------------------------------------------------


def corpus(root: Path, sets: int) -> Path:
    for i in range(sets):
        write(root / f"set{i:02}" / "main.md", MAIN.replace("Nimbus", f"Co{i}"))
        write(root / f"set{i:02}" / "main-strategy.md",
              COMPANION.replace("Nimbus", f"Co{i}").format(link="main.md"))
    return root


def test_jobs_give_the_same_report(tmp_path: Path) -> None:
    root = corpus(tmp_path, 12)
    one = lint([root], jobs=1)
    two = lint([root], jobs=3)
    assert one == two
    assert len(fc101(one.findings)) == 12 and one.files == 24


# -- the cache --------------------------------------------------------------------------------


def test_second_run_reads_every_set_from_the_cache(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus", 3)
    first_cache = Cache(tmp_path / "cache")
    first = lint([root], cache=first_cache)
    assert first_cache.counts(SETS) == (0, 3)
    again = Cache(tmp_path / "cache")
    assert lint([root], cache=again) == first
    assert again.counts(SETS) == (3, 0)


def test_a_changed_file_misses_only_its_set(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus", 3)
    lint([root], cache=Cache(tmp_path / "cache"))
    write(root / "set01" / "main.md", MAIN.replace("Nimbus", "Co1").replace("❌", "✅"))
    cache = Cache(tmp_path / "cache")
    report = lint([root], cache=cache)
    assert cache.counts(SETS) == (2, 1)
    assert report == lint([root])
    assert len(fc101(report.findings)) == 2


def test_other_rules_or_settings_are_other_keys(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus", 2)
    lint([root], cache=Cache(tmp_path / "cache"))
    cache = Cache(tmp_path / "cache")
    report = lint([root], cache=cache, ignore=["FC101"])
    assert cache.counts(SETS)[0] == 0 and fc101(report.findings) == []


def test_a_link_target_that_appears_invalidates_the_entry(tmp_path: Path) -> None:
    dossier = write(tmp_path / "d" / "a.md", "# A\n\nSee [the notes](notes.md).\n")
    first = lint([dossier], cache=Cache(tmp_path / "cache"), select=["FC701"])
    assert [f.rule for f in first.findings] == ["FC701"]
    write(tmp_path / "d" / "notes.txt", "x")
    os.rename(tmp_path / "d" / "notes.txt", tmp_path / "notes.md")  # elsewhere: still broken
    cache = Cache(tmp_path / "cache")
    assert [f.rule for f in lint([dossier], cache=cache, select=["FC701"]).findings] == [
        "FC701"]
    assert cache.counts(SETS)[0] == 1
    os.rename(tmp_path / "notes.md", tmp_path / "d" / "notes.md")
    cache = Cache(tmp_path / "cache")
    assert lint([dossier], cache=cache, select=["FC701"]).findings == ()
    cache = Cache(tmp_path / "cache")  # the entry was replaced by the new outcome
    assert lint([dossier], cache=cache, select=["FC701"]).findings == ()
    assert cache.counts(SETS)[0] == 1


def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    root = corpus(tmp_path / "corpus", 1)
    first = lint([root], cache=Cache(tmp_path / "cache"))
    [entry] = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()
               and p.parent.parent.name == "sets"]
    entry.write_bytes(entry.read_bytes()[:-7])
    cache = Cache(tmp_path / "cache")
    assert lint([root], cache=cache) == first and cache.counts(SETS)[0] == 0


# -- plugin rules that misbehave --------------------------------------------------------------


def one_dossier(tmp_path: Path) -> Path:
    return write(tmp_path / "d" / "nimbus.md", MAIN + "\nNimbus-7 is open-source.\n")


@rule(code="TT201", name="never-returns", severity="error", summary="s", rationale="r",
      example="e", fix="f")
def never_returns(ctx: RuleContext) -> Iterator[Finding]:
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # a rule that swallows errors must still be stopped
            continue


@rule(code="TT202", name="returns-junk", severity="error", summary="s", rationale="r",
      example="e", fix="f")
def returns_junk(ctx: RuleContext) -> Iterator[Finding]:
    yield "not a finding"  # type: ignore[misc]


@rule(code="TT203", name="elsewhere", severity="error", summary="s", rationale="r",
      example="e", fix="f")
def elsewhere(ctx: RuleContext) -> Iterator[Finding]:
    claim = ctx.claims[0]
    yield ctx.finding(elsewhere, "m", claim.model_copy(update={"path": "/etc/passwd"}))


@rule(code="TT204", name="past-the-end", severity="error", summary="s", rationale="r",
      example="e", fix="f")
def past_the_end(ctx: RuleContext) -> Iterator[Finding]:
    claim = ctx.claims[0]
    yield ctx.finding(past_the_end, "m", claim.model_copy(update={"line": 900,
                                                                  "end_line": 900}))


def test_a_rule_that_never_returns_is_stopped_and_the_others_run(tmp_path: Path) -> None:
    path = one_dossier(tmp_path)
    report = lint([path], rules=[never_returns, OpenWeightsConflict()], rule_timeout=0.2)
    assert [(f.rule, f.message) for f in report.findings if f.rule == "FC000"] == [
        ("FC000", "rule TT201 (never-returns) took longer than 0.2 s (the time limit per "
                  "rule and document, `rule-timeout`)")]
    assert [f.rule for f in report.findings].count("FC101") == 1


@pytest.mark.parametrize(("plugin", "reason"), [
    (returns_junk, "returned a str, not a Finding"),
    (elsewhere, "returned a finding in '/etc/passwd', which is not among the documents checked"),
    (past_the_end, "returned a finding at line 900-900 of"),
])
def test_malformed_results_are_internal_errors(tmp_path: Path, plugin: object,
                                               reason: str) -> None:
    path = one_dossier(tmp_path)
    report = lint([path], rules=[plugin, OpenWeightsConflict()])  # type: ignore[list-item]
    [internal] = [f for f in report.findings if f.rule == "FC000"]
    assert reason in internal.message and internal.path == str(path)
    assert [f.rule for f in report.findings].count("FC101") == 1


# -- walking folders --------------------------------------------------------------------------


def test_a_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    write(tmp_path / "d" / "a.md", "# A\n")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    os.symlink(tmp_path, tmp_path / "d" / "up")
    files, problems = discover([tmp_path])
    assert files == [str(tmp_path / "d" / "a.md")] and problems == []


def test_a_folder_that_cannot_be_listed_is_a_problem(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "ok" / "a.md", "# A\n")
    locked = tmp_path / "locked"
    write(locked / "b.md", "# B\n")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if os.fspath(path) == str(locked):  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    report = lint([tmp_path])
    assert [str(p) for p in report.errors] == [f"{locked}: cannot read folder: Permission denied"]
    assert report.files == 1 and report.exit_code() == 2


# -- the package ------------------------------------------------------------------------------


def test_public_names_resolve_and_import_lazily() -> None:
    import subprocess
    import sys

    import factcheck

    assert all(getattr(factcheck, name) is not None for name in factcheck.__all__)
    code = "import sys, factcheck; print('pydantic' in sys.modules, factcheck.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", factcheck.__version__]


def test_temporary_files_of_dead_writers_are_swept(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.put("sets", "ab" * 32, b"first")
    shard = tmp_path / "cache" / "sets" / "ab"
    old, young = shard / ".dead.tmp", shard / ".busy.tmp"
    old.write_bytes(b"half")
    young.write_bytes(b"half")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    cache.put("sets", "ab" + "cd" * 31, b"second")
    assert not old.exists() and young.exists()
    assert cache.get("sets", "ab" * 32) == b"first"


# -- limits on input --------------------------------------------------------------------------


def test_max_file_size_from_the_command_line_and_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from factcheck.cli import main

    big = write(tmp_path / "d" / "big.md", MAIN + "\nNimbus-7 is open-source.\n" + "x" * 500)
    small = write(tmp_path / "e" / "small.md", MAIN + "\nNimbus-7 is open-source.\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-source", "--max-file-size", "400", "d", "e"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{Path('d', 'big.md')}: file too large "
                                f"({big.stat().st_size} bytes, limit 400)"]
    assert "e/small.md" in out and "FC101" in out
    (tmp_path / ".factcheck.yaml").write_text("max-file-size: 400\n", encoding="utf-8")
    assert main(["check", "--no-source", "d", "e"]) == 2
    assert "file too large" in capsys.readouterr().err
    assert main(["check", "--no-source", "--max-file-size", "0", "d", "e"]) == 1
    capsys.readouterr()
    assert main(["claims", "d/big.md"]) == 2  # the configuration's limit
    assert "file too large" in capsys.readouterr().err
    assert main(["claims", "--max-file-size", "0", "d/big.md"]) == 0
    assert "open_weights" in capsys.readouterr().out and small.exists()


def test_a_parse_that_runs_too_long_is_reported_and_others_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import factcheck.document

    slow = write(tmp_path / "d" / "slow.md", "# Slow\n")
    good = write(tmp_path / "e" / "good.md", MAIN + "\nNimbus-7 is open-source.\n")
    real_parse = factcheck.document.parse

    def parse(decoded: object) -> object:
        if str(getattr(decoded, "path", "")).endswith("slow.md"):
            while True:
                time.sleep(0.01)
        return real_parse(decoded)  # type: ignore[arg-type]

    monkeypatch.setattr(factcheck.document, "parse", parse)
    report = lint([slow, good], rule_timeout=0.2)
    assert [str(e) for e in report.errors] == [
        f"{slow}: not parsed: took longer than 0.2 s (the time limit per rule and document, "
        "`rule-timeout`)"]
    assert [f.rule for f in report.findings] == ["FC101"] and report.files == 1


def test_fix_refuses_a_named_pipe_instead_of_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from factcheck.cli import main

    os.mkfifo(tmp_path / "pipe.md")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--fix", "pipe.md"]) == 2
    assert capsys.readouterr().err.splitlines()[0].startswith("pipe.md: not a regular file")


def test_two_checks_at_once_share_the_cache_safely(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = corpus(tmp_path / "corpus", 20)
    env = {**os.environ, "FACTCHECK_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("FACTCHECK_NO_CACHE", None)
    command = [sys.executable, "-m", "factcheck", "check", "--format", "json", "--jobs", "2",
               str(root)]
    expected = subprocess.run([*command, "--no-cache"], capture_output=True, text=True,
                              env=env, check=False)
    for _ in range(2):  # the first round writes the entries concurrently, the second reads them
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env) for _ in range(2)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert (run.returncode, out, err) == (1, expected.stdout, "")
    entries = [p for p in (tmp_path / "cache" / "sets").rglob("*") if p.is_file()]
    assert len(entries) == 20 and not [p for p in entries if p.name.endswith(".tmp")]


def test_entry_points_are_cached_until_a_distribution_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    from factcheck.rules import registry

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    cache = Cache(tmp_path / "cache")
    first = registry._entry_points(cache)
    assert ("builtin", "factcheck.rules.builtin:RULES") in first

    def no_scan(**_: object) -> object:
        raise AssertionError("the installed distributions were scanned again")

    monkeypatch.setattr(importlib.metadata, "entry_points", no_scan)
    assert registry._entry_points(cache) == first  # from the cache, no scan
    info = site / "extra_rules-1.0.dist-info"
    info.mkdir()  # installing a distribution changes its folder's modification time
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extra-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[factcheck.rules]\nextra = extra_rules:RULES\n")
    os.utime(site, ns=(time.time_ns(), time.time_ns() + 10**9))
    monkeypatch.undo()
    monkeypatch.syspath_prepend(str(site))
    assert ("extra", "extra_rules:RULES") in registry._entry_points(cache)
