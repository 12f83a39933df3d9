"""Benchmark factcheck per pipeline stage on generated dossiers; not part of the test suite.

    python benchmarks/run.py [--sizes 1,100,1000,10000] [--out DIR]

For each size N (dossier sets, see benchmarks/generate.py) the dossiers are generated once,
then measured in fresh child processes so that one size's memory does not leak into the
next one's:

* `stages`: the pipeline of `factcheck.engine.lint` taken apart, each stage timed on its
  own (best of --repeat): read (`factcheck.encoding.read`), parse (`document.parse`),
  claims (`extract_claims`, sorted as the engine sorts them), rules (`load_rules()` plus
  FC900/FC901, one `RuleContext` per rule and scope for every folder set, suppressions
  and the sorted, numbered findings of the Report, as `engine.lint` does) and report
  (`render_text` + `render_json`); beside them markdown-it-py alone,
  `MarkdownIt("commonmark").enable("table").parse(text)`, on the same texts.
* `check`: `engine.lint(folder)` end to end plus both renderers, as `factcheck check` runs
  them; its findings must equal the staged pipeline's, and its `ru_maxrss` is the peak
  resident memory of a check.
* `memory` (unless --no-tracemalloc): the same two pipelines under `tracemalloc`, for the
  Python heap at the peak of each stage and what stays allocated after it.

Then, once: start-up (`factcheck check FILE` against a `python -c` markdown-it one-liner on
the same 250-line dossier, best of --startup-runs), `python -X importtime` of
`import factcheck.cli` and of a `factcheck check` run, and a cProfile of the slowest stage
on --profile-size dossiers. Prints Markdown tables and writes `results.json`,
`results.md`, `profile-*.txt`/`.pstats` and `importtime-*.txt` to --out.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from factcheck.claims.models import Claim
    from factcheck.document import Document
    from factcheck.encoding import Decoded
    from factcheck.engine import Report
    from factcheck.findings import Finding

HERE = Path(__file__).resolve().parent
STAGES = ("read", "parse", "claims", "rules", "report")
MDIT_ONE_LINER = (
    "import markdown_it; markdown_it.MarkdownIt('commonmark').enable('table')"
    ".parse(open({path!r}, encoding='utf-8').read())"
)
Json = dict[str, Any]
T = TypeVar("T")


# --------------------------------------------------------------------------- the pipeline


class Pipeline:
    """The stages of `engine.lint` + rendering, run one at a time over all files."""

    def __init__(self, folder: Path) -> None:
        from factcheck.engine import discover

        files, problems = discover([str(folder)])
        if problems:
            raise SystemExit(f"cannot benchmark {folder}: {problems}")
        self.files = files
        self.decoded: list[Decoded] = []
        self.documents: list[Document] = []
        self.groups: list[list[Document]] = []
        self.claims: dict[str, list[Claim]] = {}
        self.report: Report | None = None
        self.rendered = 0

    def read(self) -> None:
        from factcheck.encoding import read

        self.decoded = [read(path) for path in self.files]

    def parse(self) -> None:
        from factcheck.document import parse

        self.documents = [parse(decoded) for decoded in self.decoded]

    def claims_stage(self) -> None:
        """Extract and sort every document's claims, grouped in dossier sets as the engine does."""
        from factcheck.claims import extract_claims

        groups: dict[str, list[Document]] = {}
        for doc in self.documents:
            groups.setdefault(os.path.dirname(os.path.abspath(doc.path)), []).append(doc)
        self.groups = [sorted(g, key=lambda d: d.path) for _, g in sorted(groups.items())]
        self.claims = {
            doc.path: sorted(extract_claims(doc), key=lambda c: (c.path, c.offset))
            for group in self.groups
            for doc in group
        }

    def rules(self) -> None:
        """Run every rule on every set as `engine.lint` does, then build its Report."""
        from factcheck.engine import Report, with_suppression_rules
        from factcheck.rules.base import RuleContext
        from factcheck.rules.registry import load_rules, select_rules
        from factcheck.suppress import apply_suppressions

        known = with_suppression_rules(load_rules())
        active = select_rules(known, None, None)
        findings: list[Finding] = []
        for group in self.groups:
            found: list[Finding] = []
            for rule in active:
                scopes = [group] if rule.scope == "set" else [[doc] for doc in group]
                for docs in scopes:
                    in_scope = tuple(c for doc in docs for c in self.claims[doc.path])
                    found.extend(rule.check(RuleContext(documents=tuple(docs), claims=in_scope)))
            findings.extend(apply_suppressions(found, group, known, active))
        self.report = Report(findings=_numbered(sorted(findings, key=lambda f: f.sort_key)),
                             files=len(self.documents))

    def render(self) -> None:
        from factcheck.report import render_json, render_text

        assert self.report is not None
        self.rendered = len(render_text(self.report)) + len(render_json(self.report))

    def stage(self, name: str) -> Callable[[], None]:
        """Return the method that runs stage `name`."""
        return {"read": self.read, "parse": self.parse, "claims": self.claims_stage,
                "rules": self.rules, "report": self.render}[name]


def _numbered(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Number repeated fingerprints in report order, as `engine.lint` does."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        seen[f.fingerprint] = seen.get(f.fingerprint, 0) + 1
        n = seen[f.fingerprint]
        out.append(f if n == 1 else f.model_copy(update={"fingerprint": f"{f.fingerprint}-{n}"}))
    return tuple(out)


def _mdit_parse(md: MarkdownIt, texts: Sequence[str]) -> None:
    for text in texts:
        md.parse(text)


def _check(folder: Path) -> Report:
    """What `factcheck check FOLDER` does after start-up: lint, then render the report."""
    from factcheck.engine import lint
    from factcheck.report import render_json, render_text

    report = lint([str(folder)])
    render_text(report)
    render_json(report)
    return report


def _maxrss_bytes() -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports KiB, macOS bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _import_all() -> None:
    """Import what the stages use up front: start-up is measured on its own."""
    import markdown_it  # noqa: F401

    import factcheck.claims
    import factcheck.document
    import factcheck.encoding
    import factcheck.engine
    import factcheck.report
    import factcheck.rules.registry
    import factcheck.suppress  # noqa: F401


# --------------------------------------------------------------------------- workers


def worker_stages(folder: Path, repeat: int) -> Json:
    """Time each stage (best of `repeat`) and markdown-it alone on the same texts."""
    from markdown_it import MarkdownIt

    _import_all()
    md = MarkdownIt("commonmark").enable("table")
    best = dict.fromkeys([*STAGES, "mdit_parse"], float("inf"))
    pipeline = Pipeline(folder)
    texts = [Path(f).read_text(encoding="utf-8") for f in pipeline.files]
    for _ in range(repeat):
        pipeline = Pipeline(folder)
        for name in STAGES:
            start = time.perf_counter()
            pipeline.stage(name)()
            best[name] = min(best[name], time.perf_counter() - start)
        start = time.perf_counter()
        _mdit_parse(md, texts)
        best["mdit_parse"] = min(best["mdit_parse"], time.perf_counter() - start)
    assert pipeline.report is not None
    return {
        "files": len(pipeline.files),
        "bytes": sum(os.path.getsize(f) for f in pipeline.files),
        "lines": sum(text.count("\n") for text in texts),
        "claims": sum(map(len, pipeline.claims.values())),
        "findings": len(pipeline.report.findings),
        "fingerprints": sorted(f.fingerprint for f in pipeline.report.findings),
        "by_rule": _by_rule(pipeline.report),
        "seconds": best,
        "repeat": repeat,
        "maxrss_bytes": _maxrss_bytes(),
    }


def worker_check(folder: Path, repeat: int) -> Json:
    """Time `engine.lint` + rendering end to end (best of `repeat`); report its peak RSS."""
    _import_all()
    best = float("inf")
    fingerprints: list[str] = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        report = _check(folder)
        best = min(best, time.perf_counter() - start)
        fingerprints = sorted(f.fingerprint for f in report.findings)
        del report
    return {"seconds": best, "maxrss_bytes": _maxrss_bytes(), "fingerprints": fingerprints}


def worker_memory(folder: Path) -> Json:
    """Python heap per stage under tracemalloc: peak during the stage, retained after it."""
    _import_all()
    pipeline = Pipeline(folder)
    stages: Json = {}
    tracemalloc.start()
    for name in STAGES:
        tracemalloc.reset_peak()
        pipeline.stage(name)()
        current, peak = tracemalloc.get_traced_memory()
        stages[name] = {"peak_bytes": peak, "retained_bytes": current}
    staged_peak = max(s["peak_bytes"] for s in stages.values())
    del pipeline
    gc.collect()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    report = _check(folder)
    _, check_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del report
    return {"stages": stages, "staged_peak_bytes": staged_peak,
            "check_peak_bytes": check_peak - base, "maxrss_bytes": _maxrss_bytes()}


def worker_profile(folder: Path, stage: str, out: Path) -> Json:
    """cProfile one stage (the stages before it run unprofiled); write .pstats and .txt."""
    _import_all()
    pipeline = Pipeline(folder)
    for name in STAGES[: STAGES.index(stage)]:
        pipeline.stage(name)()
    profiler = cProfile.Profile()
    profiler.runcall(pipeline.stage(stage))
    n = len(pipeline.files)
    stem = out / f"profile-{stage}"
    profiler.dump_stats(f"{stem}.pstats")
    text = StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.strip_dirs()
    text.write(f"cProfile of the {stage} stage on {n} files, sorted by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(40)
    text.write("\nsorted by own (total) time\n")
    stats.sort_stats("tottime").print_stats(25)
    Path(f"{stem}.txt").write_text(text.getvalue(), encoding="utf-8")
    return {"stage": stage, "files": n, "pstats": f"{stem}.pstats", "text": f"{stem}.txt",
            "top_cumulative": _top(stats, "cumulative", 15),
            "top_tottime": _top(stats, "tottime", 15)}


def worker_startup(file: Path) -> Json:
    """Split a one-file check in a fresh process into imports, rule and vocabulary loading,
    a first (cold) and a second (warm) lint, and rendering."""
    steps: list[tuple[str, float]] = []

    def step(label: str, action: Callable[[], T]) -> T:
        start = time.perf_counter()
        value = action()
        steps.append((label, time.perf_counter() - start))
        return value

    step("import factcheck.cli", lambda: __import__("factcheck.cli"))
    from factcheck.engine import lint, with_suppression_rules
    from factcheck.report import render_text
    from factcheck.rules.registry import load_rules
    from factcheck.vocab import default_vocabulary

    rules = step("load_rules() + FC900/FC901 (entry points, rule modules, rules/*.yaml)",
                 lambda: with_suppression_rules(load_rules()))
    step("default_vocabulary() (vocabulary.yaml)", default_vocabulary)
    report = step("lint(), first call (lazy imports, pattern compilation, the work)",
                  lambda: lint([str(file)], rules=rules))
    step("render_text()", lambda: render_text(report))
    step("lint(), second call (the work alone)", lambda: lint([str(file)], rules=rules))
    return {"steps": [{"step": label, "seconds": sec} for label, sec in steps]}


def _top(stats: pstats.Stats, key: str, n: int) -> list[Json]:
    rows = []
    entries = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table there
    index = 1 if key == "cumulative" else 0
    for (path, line, func), (_cc, calls, tottime, cumtime, _callers) in sorted(
        entries.items(), key=lambda kv: -(kv[1][3] if index else kv[1][2])
    )[:n]:
        rows.append({"function": f"{path}:{line}({func})", "calls": calls,
                     "tottime": round(tottime, 4), "cumtime": round(cumtime, 4)})
    return rows


def _by_rule(report: Report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    return dict(sorted(counts.items()))


def worker_main(args: argparse.Namespace) -> int:
    """Run one worker in this (fresh) process and write its JSON result."""
    folder = Path(args.data)
    kind = args.worker
    if kind == "stages":
        result = worker_stages(folder, args.repeat)
    elif kind == "check":
        result = worker_check(folder, args.repeat)
    elif kind == "memory":
        result = worker_memory(folder)
    elif kind == "startup":
        result = worker_startup(folder)
    else:
        result = worker_profile(folder, args.profile_stage, Path(args.out))
    import factcheck

    result["factcheck_module"] = factcheck.__file__
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- the parent


def _spawn(kind: str, data: Path, out: Path, **extra: Any) -> Json:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind,
               "--data", str(data), "--result", str(result), "--out", str(out)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    try:
        subprocess.run(command, check=True)
        data_out: Json = json.loads(result.read_text(encoding="utf-8"))
    finally:
        result.unlink(missing_ok=True)
    snapshot = os.environ.get("FACTCHECK_BENCH_SNAPSHOT")
    if snapshot and not data_out["factcheck_module"].startswith(snapshot):
        raise SystemExit(f"worker imported {data_out['factcheck_module']}, not the snapshot "
                         f"under {snapshot}")
    return data_out


def _snapshot(rev: str, into: Path) -> str:
    """Extract src/ and rules/ as committed at `rev` and put that src/ first on PYTHONPATH.

    Child processes (workers, `factcheck check`, -X importtime) then import factcheck as of
    `rev`, not the working tree that other people may be editing meanwhile.
    """
    root = HERE.parent
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit, "src", "rules"], cwd=root,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    src = str(into / "src")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])
    os.environ["FACTCHECK_BENCH_SNAPSHOT"] = src
    return commit


def _dataset(root: Path, n: int, seed: int) -> Path:
    """Generate (or reuse) the dossiers of size `n` under `root`."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    from generate import generate

    folder = root / f"n{n}-seed{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        if folder.exists():
            shutil.rmtree(folder)
        generate(folder, n, seed)
        marker.write_text("ok\n", encoding="utf-8")
    return folder


def _best_of(command: Sequence[str], runs: int, env: dict[str, str] | None = None) -> float:
    best = float("inf")
    subprocess.run(command, capture_output=True, env=env)  # warm the disk cache and .pyc
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def _factcheck_command() -> list[str]:
    """The `factcheck` console script of this interpreter (not a pyenv shim), or `-m`."""
    beside = Path(sys.executable).parent / "factcheck"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("factcheck")
    return [found] if found else [sys.executable, "-m", "factcheck"]


def measure_startup(file: Path, runs: int) -> Json:
    """Wall time of `factcheck check FILE` and of the markdown-it one-liner, best of `runs`."""
    factcheck = [*_factcheck_command(), "check", str(file)]
    one_liner = [sys.executable, "-c", MDIT_ONE_LINER.format(path=str(file))]
    bare = [sys.executable, "-c", "pass"]
    factcheck_s, mdit_s = _best_of(factcheck, runs), _best_of(one_liner, runs)
    result: Json = {
        "file": str(file),
        "lines": file.read_text(encoding="utf-8").count("\n"),
        "factcheck_command": " ".join(factcheck),
        "mdit_command": " ".join(one_liner),
        "runs": runs,
        "factcheck_s": factcheck_s,
        "mdit_one_liner_s": mdit_s,
        "python_bare_s": _best_of(bare, runs),
        "ratio": factcheck_s / mdit_s,
    }
    # In-process split of the same check, best of `runs` fresh processes per step.
    runs_split = [_spawn("startup", file, file.parent)["steps"] for _ in range(runs)]
    result["split"] = [{"step": first["step"],
                        "seconds": min(run[i]["seconds"] for run in runs_split)}
                       for i, first in enumerate(runs_split[0])]
    return result


def _parse_importtime(stderr: str) -> list[Json]:
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        # "| " then two spaces per level of nesting, then the module name
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append({"module": name.strip(), "self_us": int(own), "cumulative_us": int(cumulative),
                     "depth": depth})
    return rows


def measure_importtime(file: Path, out: Path, top: int = 12) -> Json:
    """`-X importtime` of `import factcheck.cli` and of a `factcheck check FILE` run."""
    runs = {
        "import factcheck.cli": ([sys.executable, "-X", "importtime", "-c", "import factcheck.cli"],
                                 None),
        f"factcheck check {file.name}": (
            [*_factcheck_command(), "check", str(file)],
            {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}),
    }
    result: Json = {}
    for label, (command, env) in runs.items():
        subprocess.run(command, capture_output=True, env=env)  # compile .pyc first
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        rows = _parse_importtime(done.stderr)
        slug = "cli" if label.startswith("import") else "check"
        (out / f"importtime-{slug}.txt").write_text(done.stderr, encoding="utf-8")
        ranked = sorted(rows, key=lambda r: -r["cumulative_us"])
        top_level = [r for r in rows if r["depth"] == 0]
        result[label] = {
            "total_us": sum(r["cumulative_us"] for r in top_level),
            "modules": len(rows),
            "top": ranked[:top],
        }
    return result


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def _ms(s: float) -> str:
    return f"{s * 1000:,.0f}" if s >= 1 else f"{s * 1000:,.1f}"


def summarise(n: int, stages: Json, check: Json, memory: Json | None) -> Json:
    """Derive totals, throughput and ratios for one size."""
    sec = stages["seconds"]
    total = sum(sec[s] for s in STAGES)
    mb = stages["bytes"] / 1e6
    return {
        "n": n,
        "files": stages["files"],
        "bytes": stages["bytes"],
        "lines": stages["lines"],
        "claims": stages["claims"],
        "findings": stages["findings"],
        "by_rule": stages["by_rule"],
        "seconds": {**sec, "staged_total": total, "check_total": check["seconds"]},
        "mb_per_s": {**{s: mb / sec[s] for s in STAGES}, "staged_total": mb / total,
                     "check_total": mb / check["seconds"], "mdit_parse": mb / sec["mdit_parse"]},
        "ratios": {
            "check_over_mdit": check["seconds"] / sec["mdit_parse"],
            "staged_over_mdit": total / sec["mdit_parse"],
            "parse_over_mdit": sec["parse"] / sec["mdit_parse"],
            "claims_rules_over_parse": (sec["claims"] + sec["rules"]) / sec["parse"],
        },
        "memory": {
            "maxrss_stages_bytes": stages["maxrss_bytes"],
            "maxrss_check_bytes": check["maxrss_bytes"],
            **({"tracemalloc": memory} if memory else {}),
        },
        "repeat": stages["repeat"],
    }


def summarise_check(n: int, folder: Path, check: Json) -> Json:
    """Results of a --check-only size: end-to-end time and peak RSS, no stages."""
    files = sorted(p for p in folder.rglob("*.md"))
    size = sum(p.stat().st_size for p in files)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    return {"n": n, "files": len(files), "bytes": size, "lines": lines,
            "findings": len(check["fingerprints"]),
            "seconds": {"check_total": check["seconds"]},
            "mb_per_s": {"check_total": size / 1e6 / check["seconds"]},
            "memory": {"maxrss_check_bytes": check["maxrss_bytes"]}, "check_only": True}


def markdown_tables(results: list[Json]) -> str:
    """Render the per-size results as Markdown tables."""
    head = ["dossiers", "files", "MB", "lines", *(f"{s} ms" for s in STAGES),
            "staged total ms", "check ms", "markdown-it ms", "check MB/s", "markdown-it MB/s"]
    out = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r in results:
        sec, tp = r["seconds"], r["mb_per_s"]
        if r.get("check_only"):
            out.append(f"| {r['n']:,} | {r['files']:,} | {_mb(r['bytes'])} | {r['lines']:,} | "
                       + " | ".join("–" for _ in STAGES) + f" | – | {_ms(sec['check_total'])} | "
                       f"– | {tp['check_total']:.2f} | – |")
            continue
        out.append(f"| {r['n']:,} | {r['files']:,} | {_mb(r['bytes'])} | {r['lines']:,} | "
                   + " | ".join(_ms(sec[s]) for s in STAGES)
                   + f" | {_ms(sec['staged_total'])} | {_ms(sec['check_total'])} | "
                   f"{_ms(sec['mdit_parse'])} | {tp['check_total']:.2f} | {tp['mdit_parse']:.2f} |")
    out += ["", "| dossiers | check / markdown-it | staged / markdown-it | parse / markdown-it | "
            "(claims+rules) / parse | findings | maxrss check MB | tracemalloc peak check MB | "
            "retained after parse MB | retained after claims MB |", "|" + "---:|" * 10]
    for r in results:
        if r.get("check_only"):
            out.append(f"| {r['n']:,} | – | – | – | – | {r['findings']:,} | "
                       f"{_mb(r['memory']['maxrss_check_bytes'])} | – | – | – |")
            continue
        ra, mem = r["ratios"], r["memory"]
        tm = mem.get("tracemalloc")
        heap = (f"{_mb(tm['check_peak_bytes'])} | {_mb(tm['stages']['parse']['retained_bytes'])} "
                f"| {_mb(tm['stages']['claims']['retained_bytes'])}") if tm else "– | – | –"
        out.append(f"| {r['n']:,} | {ra['check_over_mdit']:.1f}× | {ra['staged_over_mdit']:.1f}× "
                   f"| {ra['parse_over_mdit']:.1f}× | {ra['claims_rules_over_parse']:.2f} | "
                   f"{r['findings']:,} | {_mb(mem['maxrss_check_bytes'])} | {heap} |")
    if len(results) > 1:
        out += ["", "| from → to | input × | check time × | staged time × | "
                "time × / input × |", "|---|---:|---:|---:|---:|"]
        for a, b in itertools.pairwise(results):
            grow = b["bytes"] / a["bytes"]
            check = b["seconds"]["check_total"] / a["seconds"]["check_total"]
            both = "staged_total" in a["seconds"] and "staged_total" in b["seconds"]
            steps = (f"{b['seconds']['staged_total'] / a['seconds']['staged_total']:.1f}"
                     if both else "–")
            out.append(f"| {a['n']:,} → {b['n']:,} | {grow:.1f} | {check:.1f} | {steps} | "
                       f"{check / grow:.2f} |")
    return "\n".join(out) + "\n"


def _save(out: Path, meta: Json, results: list[Json], **more: Any) -> None:
    """Write results.json (after every size too, so a later failure loses nothing)."""
    document = {"meta": meta, "sizes": results, **more}
    (out / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _git_state() -> Json:
    """The commit measured, and which files under src/ differed from it (others edit src/)."""
    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], capture_output=True, text=True, cwd=HERE.parent)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD"),
            "src_changes": git("status", "--porcelain", "--", "src").splitlines()}


def _default_repeat(n: int) -> int:
    return 10 if n < 10 else 3 if n <= 100 else 1


def parent_main(args: argparse.Namespace) -> int:
    """Generate, measure every size in child processes, then start-up, imports and profile."""
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: list[Json] = []
    meta: Json = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        **_git_state(),
    }
    with ExitStack() as stack:
        if args.src_rev:
            snap = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="factcheck-src-")))
            meta["measured"] = f"git archive of {args.src_rev} ({_snapshot(args.src_rev, snap)})"
            meta.pop("src_changes")
        else:
            meta["measured"] = "working tree"
        data_root = Path(args.data) if args.data else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="factcheck-bench-")))
        for n in sizes:
            folder = _dataset(data_root, n, args.seed)
            repeat = args.repeat or _default_repeat(n)
            if args.check_only:
                print(f"[{n} dossiers] check ×{repeat} ...", file=sys.stderr, flush=True)
                check = _spawn("check", folder, out, repeat=repeat)
                results.append(summarise_check(n, folder, check))
                _save(out, meta, results)
                print(markdown_tables(results[-1:]), file=sys.stderr, flush=True)
                continue
            print(f"[{n} dossiers] stages ×{repeat} ...", file=sys.stderr, flush=True)
            stages = _spawn("stages", folder, out, repeat=repeat)
            print(f"[{n} dossiers] check ×{repeat} ...", file=sys.stderr, flush=True)
            check = _spawn("check", folder, out, repeat=repeat)
            if check["fingerprints"] != stages["fingerprints"]:
                raise SystemExit(
                    f"the staged pipeline found {len(stages['fingerprints'])} findings, "
                    f"engine.lint {len(check['fingerprints'])}: run.py no longer mirrors "
                    "src/factcheck/engine.py")
            memory = None
            if not args.no_tracemalloc and n <= args.tracemalloc_max:
                print(f"[{n} dossiers] tracemalloc ...", file=sys.stderr, flush=True)
                memory = _spawn("memory", folder, out)
            results.append(summarise(n, stages, check, memory))
            _save(out, meta, results)
            print(markdown_tables(results[-1:]), file=sys.stderr, flush=True)
        startup = imports = None
        profile: list[Json] | None = None
        if not args.no_startup:
            folder = _dataset(data_root, 1, args.seed)
            main_file = next(p for p in sorted(folder.glob("*/*.md"))
                             if not p.name.endswith("-strategy.md") and p.name != "index.md")
            startup = measure_startup(main_file, args.startup_runs)
            imports = measure_importtime(main_file, out)
        if args.profile_size:
            folder = _dataset(data_root, args.profile_size, args.seed)
            chosen = [s.strip() for s in args.profile_stage.split(",") if s.strip()]
            if chosen == ["auto"]:
                same = [r for r in results if r["n"] == args.profile_size
                        and not r.get("check_only")]
                timing = same[0]["seconds"] if same else _spawn("stages", folder, out,
                                                                repeat=1)["seconds"]
                chosen = [max(STAGES, key=lambda s: timing[s])]
            unknown = set(chosen) - set(STAGES)
            if unknown:
                raise SystemExit(f"unknown stage(s) for --profile-stage: {sorted(unknown)}")
            profile = []
            for stage in chosen:
                print(f"[profile] {stage} on {args.profile_size} dossiers ...", file=sys.stderr)
                profile.append(_spawn("profile", folder, out, profile_stage=stage))
    tables = markdown_tables(results) if results else ""
    lines = [f"# factcheck benchmark ({meta['started']})", "", f"`{meta['command']}`", "",
             tables]
    if startup:
        lines += ["| start-up (best of "
                  f"{startup['runs']}) | seconds |", "|---|---:|",
                  f"| `factcheck check` one {startup['lines']}-line dossier | "
                  f"{startup['factcheck_s']:.3f} |",
                  f"| markdown-it one-liner, same file | {startup['mdit_one_liner_s']:.3f} |",
                  f"| `python -c pass` | {startup['python_bare_s']:.3f} |",
                  f"| ratio factcheck / one-liner | {startup['ratio']:.2f}× |", "",
                  "| inside one `factcheck check` process (best of "
                  f"{startup['runs']} processes) | ms |", "|---|---:|"]
        lines += [f"| {s['step']} | {s['seconds'] * 1000:.1f} |" for s in startup["split"]]
        lines.append("")
    if imports:
        for label, data in imports.items():
            lines += [f"`-X importtime` of `{label}`: {data['total_us'] / 1000:.0f} ms in "
                      f"{data['modules']} modules", "",
                      "| module | nesting | cumulative ms | self ms |", "|---|---:|---:|---:|"]
            lines += [f"| {r['module']} | {r['depth']} | {r['cumulative_us'] / 1000:.1f} | "
                      f"{r['self_us'] / 1000:.1f} |" for r in data["top"]]
            lines.append("")
    for prof in profile or ():
        for key, label in (("top_cumulative", "cumulative"), ("top_tottime", "own")):
            lines += [f"cProfile of the {prof['stage']} stage on {prof['files']} files, top by "
                      f"{label} time (full listing in {Path(prof['text']).name}):", "",
                      "| function | calls | own s | cumulative s |", "|---|---:|---:|---:|"]
            lines += [f"| `{r['function']}` | {r['calls']:,} | {r['tottime']:.3f} | "
                      f"{r['cumtime']:.3f} |" for r in prof[key]]
            lines.append("")
    text = "\n".join(lines)
    print(text)
    (out / "results.md").write_text(text, encoding="utf-8")
    _save(out, meta, results, startup=startup, importtime=imports, profile=profile)
    print(f"wrote {out / 'results.json'} and {out / 'results.md'}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the benchmark (or, internally, one worker)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000",
                        help="comma-separated numbers of dossier sets (default: 1,100,1000)")
    parser.add_argument("--out", default=str(HERE / "results"),
                        help="folder for results.json, results.md, profiles (default: "
                             "benchmarks/results)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default: 0)")
    parser.add_argument("--data", default=None,
                        help="keep generated dossiers here and reuse them (default: a "
                             "temporary folder, removed afterwards)")
    parser.add_argument("--repeat", type=int, default=0,
                        help="timed runs per size, best kept (default: 10 below 10 dossiers, "
                             "3 up to 100, else 1)")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the start-up and -X importtime measurements")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the tracemalloc run (it is the slowest; maxrss is kept)")
    parser.add_argument("--tracemalloc-max", type=int, default=1000,
                        help="skip tracemalloc above this many dossiers (default: 1000)")
    parser.add_argument("--src-rev", default=None,
                        help="measure factcheck as committed at this git revision (src/ and "
                             "rules/ extracted to a temporary folder) instead of the working "
                             "tree")
    parser.add_argument("--check-only", action="store_true",
                        help="per size, time only engine.lint + rendering and its peak RSS (for "
                             "sizes too large to also run the stages and tracemalloc)")
    parser.add_argument("--profile-size", type=int, default=100,
                        help="dossiers for the cProfile run; 0 to skip (default: 100)")
    parser.add_argument("--profile-stage", default="auto",
                        help="comma-separated stages to profile, or auto: the slowest at "
                             "--profile-size (default: auto)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return worker_main(args) if args.worker else parent_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
