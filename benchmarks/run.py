"""Benchmark factcheck on generated dossiers, per stage and end to end; not a test.

    python benchmarks/run.py --src-rev HEAD --data /tmp/fbdata [--sizes 1,100,1000,10000]

For each size N (dossier sets, see benchmarks/generate.py) the dossiers are generated once
(`--data` keeps them for the next run) and measured in fresh child processes, so that one
size's memory cannot leak into the next one's. Up to --stages-max dossiers:

* `stages`: `engine.lint` split into stages that are timed as the engine runs them, one
  dossier set at a time, and added up over the sets (best of --repeat): read
  (`encoding.read`), parse (`document.parse`), claims (extraction, sorted), rules (loading
  the rules, one shared `RuleContext` per scope, every rule, severities, suppressions, link
  targets, sets joined by links checked again, the sorted and numbered findings) and report
  (`render_text` with source lines + `render_json`); beside them markdown-it-py alone,
  `MarkdownIt("commonmark").enable("table").parse(text)`, on the same texts.
* `check`: `engine.lint(folder)` in-process, end to end, plus rendering. Its findings must
  equal the staged pipeline's, or the run stops: the split cannot drift from the engine.
* `memory` (up to --tracemalloc-max): the staged run under tracemalloc, for the Python heap
  peak of each stage.

From --e2e-min dossiers on, and for the --corpus size: the `factcheck check` command in a
subprocess, as users run it: `--jobs 1 --no-cache`, `--jobs 2 --no-cache`, a cold and a
warm cache run (`FACTCHECK_CACHE_DIR` = a fresh temporary folder, default `--jobs`), and a
single-process markdown-it parse-only script over the same files; wall time and the peak RSS
of the largest process (`wait4`). The outputs of the four factcheck runs must be equal.

Then start-up (`factcheck check FILE`, cold and warm cache, against a `python -c` markdown-it
one-liner on the same 250-line dossier, interleaved, best of --startup-runs), `-X importtime`
and a cProfile of one stage. Child processes run without PYTHONDONTWRITEBYTECODE and with the
measured sources compiled first, as in an installed copy. Prints Markdown tables (with the
targets of issue 6) and writes `results.json`, `results.md`, profiles and `importtime-*.txt`
to --out.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from factcheck.engine import Report

HERE = Path(__file__).resolve().parent
STAGES = ("read", "parse", "claims", "rules", "report")
MDIT_ONE_LINER = (
    "import markdown_it; markdown_it.MarkdownIt('commonmark').enable('table')"
    ".parse(open({path!r}, encoding='utf-8').read())"
)
# Parse-only baseline of a whole corpus in one process (start-up included, like the CLI's).
MDIT_CORPUS = (
    "import sys, markdown_it, pathlib\n"
    "md = markdown_it.MarkdownIt('commonmark').enable('table')\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.md')):\n"
    "    md.parse(p.read_text(encoding='utf-8'))\n"
)
Json = dict[str, Any]
T = TypeVar("T")


# --------------------------------------------------------------------------- the pipeline


def _timed_run(folder: Path) -> tuple[Any, list[Any], list[Any]]:
    """Build the `_Run` that `engine.lint([folder])` builds (default configuration, one
    process, no cache) and return it with the folder's dossier sets and input problems."""
    from factcheck.config import Config
    from factcheck.engine import (
        DEFAULT_RULE_TIMEOUT,
        _dossier_sets,
        _Run,
        checked_tree,
        discover,
        with_suppression_rules,
    )
    from factcheck.rules.registry import load_rules

    settings = Config()
    known = with_suppression_rules(load_rules([settings.resolve(d) for d in settings.rules]))
    active = settings.rule_selection(known, None, None)
    run = _StagedRun(
        known=known, active=active, severities=settings.severities(known),
        extract=settings.extractor(None), settings=settings, since=None, cache=None,
        timeout=DEFAULT_RULE_TIMEOUT, fingerprint="",
        root=checked_tree([str(folder)], settings), max_bytes=settings.max_file_size,
    )
    assert isinstance(run, _Run)
    files, problems = discover([str(folder)], settings)
    return run, _dossier_sets(files, [], settings), problems


def _staged_run_class() -> type:
    """`engine._Run` with each step of checking a set (read, parse, claims, rules) timed.

    The steps are the engine's own methods, called through `super()`; everything else
    (grouping the folder into sets, joining sets that links join and checking them again,
    sorting and numbering the findings) is `engine._Run` itself. Every run still compares its
    findings with `engine.lint`'s and stops if they differ.
    """
    from factcheck.engine import _Run

    class StagedRun(_Run):  # type: ignore[misc,valid-type]
        timer: StageTimer

        def read(self, files: Any) -> Any:
            with self.timer.stage("read"):
                return super().read(files)

        def parse(self, decoded: Any, loaded: Any, problems: Any) -> Any:
            with self.timer.stage("parse"):
                return super().parse(decoded, loaded, problems)

        def extract_claims(self, group: Any) -> Any:
            with self.timer.stage("claims"):
                return super().extract_claims(group)

        def check(self, group: Any, claims: Any, found: Any, problems: Any) -> Any:
            with self.timer.stage("rules"):
                return super().check(group, claims, found, problems)

    return StagedRun


class StageTimer:
    """Adds up the wall time of each stage over all sets; optionally the tracemalloc peak
    of each stage (the highest over its sets) and a cProfile of one stage."""

    def __init__(self, profile_stage: str | None = None) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self.peak = dict.fromkeys(STAGES, 0)
        self.profile_stage = profile_stage
        self.profiler = cProfile.Profile() if profile_stage else None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        tracing = tracemalloc.is_tracing()
        if tracing:
            tracemalloc.reset_peak()
        profiling = self.profiler is not None and name == self.profile_stage
        if profiling:
            self.profiler.enable()  # type: ignore[union-attr]
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            if profiling:
                self.profiler.disable()  # type: ignore[union-attr]
            if tracing:
                self.peak[name] = max(self.peak[name], tracemalloc.get_traced_memory()[1])


class Pipeline:
    """`engine.lint` + rendering, one dossier set at a time as the engine works, with the
    time (and optionally memory) of each stage added up over the sets."""

    def __init__(self, folder: Path, profile_stage: str | None = None) -> None:
        global _StagedRun
        if _StagedRun is None:
            _StagedRun = _staged_run_class()
        self.folder = folder
        self.timer = StageTimer(profile_stage)
        self.report: Report | None = None
        self.files = 0

    def run(self) -> Report:
        """Lint the folder (stages read, parse, claims, rules), then render (report)."""
        from factcheck.report import render_json, render_text

        start = time.perf_counter()
        with self.timer.stage("rules"):  # loading the rules, as lint() does on every call
            run, sets, problems = _timed_run(self.folder)
        run.timer = self.timer
        report = run.run(sets, problems, 1)
        # Grouping, joining linked sets and sorting the findings: counted as rules.
        self.timer.seconds["rules"] += (time.perf_counter() - start) - sum(
            self.timer.seconds[s] for s in STAGES[:4])
        with self.timer.stage("report"):
            render_text(report, source=True)
            render_json(report)
        self.report = report
        self.files = report.files
        return report


_StagedRun: Any = None


def _mdit_parse(md: MarkdownIt, texts: Sequence[str]) -> None:
    for text in texts:
        md.parse(text)


def _check(folder: Path) -> Report:
    """What `factcheck check --jobs 1 --no-cache FOLDER` does after start-up."""
    from factcheck.engine import lint
    from factcheck.report import render_json, render_text

    report = lint([str(folder)])
    render_text(report, source=True)
    render_json(report)
    return report


def _maxrss_bytes() -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports KiB, macOS bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _import_all() -> None:
    """Import what the stages use up front: start-up is measured on its own."""
    import markdown_it  # noqa: F401

    import factcheck.claims
    import factcheck.config
    import factcheck.document
    import factcheck.encoding
    import factcheck.engine
    import factcheck.report
    import factcheck.rules.registry
    import factcheck.suppress  # noqa: F401


def _files(folder: Path) -> list[str]:
    from factcheck.engine import discover

    files, problems = discover([str(folder)])
    if problems:
        raise SystemExit(f"cannot benchmark {folder}: {problems}")
    return files


def _load() -> str:
    """The load average (1, 5, 15 minutes) now: other work shares this machine."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- workers


def worker_stages(folder: Path, repeat: int) -> Json:
    """Time each stage (best of `repeat`) and markdown-it alone on the same texts."""
    from markdown_it import MarkdownIt

    _import_all()
    md = MarkdownIt("commonmark").enable("table")
    best = dict.fromkeys([*STAGES, "mdit_parse", "staged_total"], float("inf"))
    files = _files(folder)
    texts = [Path(f).read_text(encoding="utf-8") for f in files]
    pipeline = Pipeline(folder)
    for _ in range(repeat):
        gc.collect()
        pipeline = Pipeline(folder)
        pipeline.run()
        for name in STAGES:
            best[name] = min(best[name], pipeline.timer.seconds[name])
        best["staged_total"] = min(best["staged_total"], sum(pipeline.timer.seconds.values()))
        start = time.perf_counter()
        _mdit_parse(md, texts)
        best["mdit_parse"] = min(best["mdit_parse"], time.perf_counter() - start)
    assert pipeline.report is not None
    return {
        "files": len(files),
        "bytes": sum(os.path.getsize(f) for f in files),
        "lines": sum(text.count("\n") for text in texts),
        "findings": len(pipeline.report.findings),
        "fingerprints": sorted(f.fingerprint for f in pipeline.report.findings),
        "by_rule": _by_rule(pipeline.report),
        "seconds": best,
        "repeat": repeat,
        "maxrss_bytes": _maxrss_bytes(),
    }


def worker_check(folder: Path, repeat: int) -> Json:
    """Time `engine.lint` + rendering in-process (best of `repeat`); report its peak RSS."""
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
    """Python heap under tracemalloc: the peak of each stage (highest over the sets) in the
    staged run, and the peak of an in-process check."""
    _import_all()
    tracemalloc.start()
    pipeline = Pipeline(folder)
    pipeline.run()
    stages = dict(pipeline.timer.peak)
    del pipeline
    gc.collect()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    report = _check(folder)
    _, check_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del report
    return {"stage_peak_bytes": stages, "check_peak_bytes": check_peak - base,
            "maxrss_bytes": _maxrss_bytes()}


def worker_profile(folder: Path, stage: str, out: Path) -> Json:
    """cProfile one stage of the staged run (the others run unprofiled)."""
    _import_all()
    pipeline = Pipeline(folder, profile_stage=stage)
    pipeline.run()
    profiler = pipeline.timer.profiler
    assert profiler is not None
    stem = out / f"profile-{stage}"
    profiler.dump_stats(f"{stem}.pstats")
    text = StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.strip_dirs()
    text.write(f"cProfile of the {stage} stage on {pipeline.files} files "
               f"({pipeline.timer.seconds[stage]:.2f} s under the profiler), by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(40)
    text.write("\nsorted by own (total) time\n")
    stats.sort_stats("tottime").print_stats(25)
    Path(f"{stem}.txt").write_text(text.getvalue(), encoding="utf-8")
    return {"stage": stage, "files": pipeline.files, "pstats": f"{stem}.pstats",
            "text": f"{stem}.txt", "profiled_s": pipeline.timer.seconds[stage],
            "top_cumulative": _top(stats, "cumulative", 15),
            "top_tottime": _top(stats, "tottime", 15)}


def worker_startup(file: Path) -> Json:
    """Split a one-file check (no cache) in a fresh process into imports, rule and vocabulary
    loading, a first and a second lint, and rendering."""
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

    rules = step("load_rules() + FC900/FC901 (entry points, rule modules, rules/*.yaml), "
                 "no cache", lambda: with_suppression_rules(load_rules()))
    step("default_vocabulary() (vocabulary.yaml), no cache", default_vocabulary)
    report = step("lint(), first call (lazy imports, pattern compilation, the work)",
                  lambda: lint([str(file)], rules=rules))
    step("render_text(source=True)", lambda: render_text(report, source=True))
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


def _compile(src: Path) -> None:
    """Write the bytecode of the measured sources once, as an installed copy has it."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True,
                   stdout=subprocess.DEVNULL)


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


def _factcheck_command() -> list[str]:
    """The `factcheck` console script of this interpreter (not a pyenv shim), or `-m`."""
    beside = Path(sys.executable).parent / "factcheck"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("factcheck")
    return [found] if found else [sys.executable, "-m", "factcheck"]


def _run_timed(command: Sequence[str], env: dict[str, str] | None = None,
               cwd: Path | None = None) -> Json:
    """Run a command; return its wall time, the peak RSS of its largest process (wait4,
    which includes reaped descendants such as --jobs workers) and a hash of its stdout."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        digest = hashlib.sha256(stdout.read()).hexdigest()
        if process.returncode not in (0, 1):
            stderr.seek(0)
            raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n"
                             f"{stderr.read().decode(errors='replace')[-2000:]}")
    scale = 1 if sys.platform == "darwin" else 1024
    return {"seconds": seconds, "maxrss_bytes": usage.ru_maxrss * scale, "stdout": digest,
            "rc": process.returncode}


def _corpus_bytes(folder: Path) -> tuple[int, int, int]:
    files = sorted(folder.rglob("*.md"))
    return (len(files), sum(p.stat().st_size for p in files),
            sum(p.read_bytes().count(b"\n") for p in files))


def measure_e2e(folder: Path, repeat: int) -> Json:
    """`factcheck check` as users run it, in a subprocess, against markdown-it parse-only."""
    check = [*_factcheck_command(), "check"]
    env = dict(os.environ)
    env.pop("FACTCHECK_CACHE_DIR", None)
    env.pop("FACTCHECK_NO_CACHE", None)
    runs: dict[str, list[Json]] = {k: [] for k in ("mdit", "jobs1", "jobs2", "cold", "warm")}
    load = {"before": _load()}
    for _ in range(repeat):
        runs["mdit"].append(_run_timed([sys.executable, "-c", MDIT_CORPUS, str(folder)], env))
        runs["jobs1"].append(_run_timed([*check, "--jobs", "1", "--no-cache", str(folder)], env,
                                        folder.parent))
        runs["jobs2"].append(_run_timed([*check, "--jobs", "2", "--no-cache", str(folder)], env,
                                        folder.parent))
        with tempfile.TemporaryDirectory(prefix="factcheck-cache-") as cache_dir:
            cached = {**env, "FACTCHECK_CACHE_DIR": cache_dir}
            runs["cold"].append(_run_timed([*check, str(folder)], cached, folder.parent))
            runs["warm"].append(_run_timed([*check, str(folder)], cached, folder.parent))
    load["after"] = _load()
    outputs = {r["stdout"] for k, rs in runs.items() if k != "mdit" for r in rs}
    if len(outputs) != 1:
        raise SystemExit(f"factcheck check gave different outputs on {folder} with --jobs 1, "
                         "--jobs 2, cold and warm cache")
    files, size, lines = _corpus_bytes(folder)
    best = {k: min(rs, key=lambda r: r["seconds"]) for k, rs in runs.items()}
    return {
        "files": files, "bytes": size, "lines": lines, "repeat": repeat, "load": load,
        "default_jobs": os.cpu_count(),
        "seconds": {k: r["seconds"] for k, r in best.items()},
        "maxrss_bytes": {k: max(r["maxrss_bytes"] for r in rs) for k, rs in runs.items()},
        "commands": {
            "mdit": f"python -c {MDIT_CORPUS!r} {folder}",
            "jobs1": f"factcheck check --jobs 1 --no-cache {folder}",
            "jobs2": f"factcheck check --jobs 2 --no-cache {folder}",
            "cold": f"FACTCHECK_CACHE_DIR=$(mktemp -d) factcheck check {folder}  (first run)",
            "warm": "the same command again (second run, unchanged corpus)",
        },
    }


def measure_startup(file: Path, runs: int) -> Json:
    """Wall time of `factcheck check FILE` (no cache, warm cache, and a file edited since the
    last run with the rules and vocabulary in the cache: a pre-commit hook's usual case) and
    of the markdown-it one-liner, interleaved so that they share the machine's load, best of
    `runs`."""
    env = dict(os.environ)
    env.pop("FACTCHECK_CACHE_DIR", None)
    with tempfile.TemporaryDirectory(prefix="factcheck-cache-") as cache_dir, \
            tempfile.TemporaryDirectory(prefix="factcheck-edited-") as edit_dir:
        edited = Path(edit_dir) / file.name
        shutil.copyfile(file, edited)
        cached = {**env, "FACTCHECK_CACHE_DIR": cache_dir}
        commands = {
            "factcheck_cold": ([*_factcheck_command(), "check", "--no-cache", str(file)], env),
            "factcheck_warm": ([*_factcheck_command(), "check", str(file)], cached),
            "factcheck_edited": ([*_factcheck_command(), "check", str(edited)], cached),
            "mdit_one_liner": ([sys.executable, "-c", MDIT_ONE_LINER.format(path=str(file))],
                               env),
            "python_bare": ([sys.executable, "-c", "pass"], env),
        }
        for command, command_env in commands.values():  # bytecode, disk cache, the cache
            subprocess.run(command, capture_output=True, env=command_env, cwd=file.parent)
        best = dict.fromkeys(commands, float("inf"))
        load = _load()
        for i in range(runs):
            for name, (command, command_env) in commands.items():
                if name == "factcheck_edited":  # a new line: the file's set is not cached
                    with edited.open("a", encoding="utf-8") as handle:
                        handle.write(f"\nEdited line {i}.\n")
                start = time.perf_counter()
                subprocess.run(command, capture_output=True, env=command_env, cwd=file.parent)
                best[name] = min(best[name], time.perf_counter() - start)
    result: Json = {
        "file": str(file),
        "lines": file.read_text(encoding="utf-8").count("\n"),
        "commands": {k: " ".join(c) for k, (c, _) in commands.items()},
        "runs": runs,
        "load": load,
        "seconds": best,
        "ratio_cold": best["factcheck_cold"] / best["mdit_one_liner"],
        "ratio_warm": best["factcheck_warm"] / best["mdit_one_liner"],
        "ratio_edited": best["factcheck_edited"] / best["mdit_one_liner"],
    }
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
    """`-X importtime` of `import factcheck.cli` and of `factcheck check FILE`, cold and warm."""
    env = {k: v for k, v in os.environ.items() if k != "FACTCHECK_CACHE_DIR"}
    profiled = {**env, "PYTHONPROFILEIMPORTTIME": "1"}
    result: Json = {}
    with tempfile.TemporaryDirectory(prefix="factcheck-cache-") as cache_dir:
        runs = {
            "import factcheck.cli": ("cli", [sys.executable, "-X", "importtime", "-c",
                                             "import factcheck.cli"], env),
            f"factcheck check --no-cache {file.name}": (
                "check-cold", [*_factcheck_command(), "check", "--no-cache", str(file)],
                profiled),
            f"factcheck check {file.name} (warm cache)": (
                "check-warm", [*_factcheck_command(), "check", str(file)],
                {**profiled, "FACTCHECK_CACHE_DIR": cache_dir}),
        }
        for label, (slug, command, command_env) in runs.items():
            subprocess.run(command, capture_output=True, env=command_env)  # .pyc, cache entry
            done = subprocess.run(command, capture_output=True, text=True, env=command_env)
            rows = _parse_importtime(done.stderr)
            (out / f"importtime-{slug}.txt").write_text(done.stderr, encoding="utf-8")
            top_level = [r for r in rows if r["depth"] == 0]
            result[label] = {
                "total_us": sum(r["cumulative_us"] for r in top_level),
                "modules": len(rows),
                "top": sorted(rows, key=lambda r: -r["cumulative_us"])[:top],
                "top_self": sorted(rows, key=lambda r: -r["self_us"])[:top],
                "loaded": sorted(r["module"] for r in rows),
            }
    return result


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def _ms(s: float) -> str:
    return f"{s * 1000:,.0f}" if s >= 1 else f"{s * 1000:,.1f}"


def _s(s: float) -> str:
    return f"{s:,.2f}"


def summarise(n: int, stages: Json, check: Json, memory: Json | None) -> Json:
    """Derive totals, throughput and ratios of the in-process measurements of one size."""
    sec = stages["seconds"]
    total = sec["staged_total"]
    mb = stages["bytes"] / 1e6
    return {
        "files": stages["files"], "bytes": stages["bytes"], "lines": stages["lines"],
        "findings": stages["findings"], "by_rule": stages["by_rule"],
        "seconds": {**sec, "check_total": check["seconds"]},
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


def markdown_tables(results: list[Json]) -> str:
    """Render the per-size results as Markdown tables."""
    out: list[str] = []
    inproc = [r for r in results if r.get("inproc")]
    if inproc:
        head = ["dossiers", "files", "MB", "lines", *(f"{s} ms" for s in STAGES),
                "staged total ms", "check ms", "markdown-it ms", "check MB/s", "markdown-it MB/s"]
        out += ["In-process, one process, no cache (best of the runs):", "",
                "| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
        for r in inproc:
            i = r["inproc"]
            sec, tp = i["seconds"], i["mb_per_s"]
            out.append(f"| {r['n']:,} | {i['files']:,} | {_mb(i['bytes'])} | {i['lines']:,} | "
                       + " | ".join(_ms(sec[s]) for s in STAGES)
                       + f" | {_ms(sec['staged_total'])} | {_ms(sec['check_total'])} | "
                       f"{_ms(sec['mdit_parse'])} | {tp['check_total']:.2f} | "
                       f"{tp['mdit_parse']:.2f} |")
        out += ["", "| dossiers | check / markdown-it | staged / markdown-it | parse / markdown-it"
                " | (claims+rules) / parse | findings | maxrss check MB | tracemalloc peak check "
                "MB | " + " | ".join(f"heap during {s} MB" for s in STAGES) + " |",
                "|" + "---:|" * 13]
        for r in inproc:
            i = r["inproc"]
            ra, mem = i["ratios"], i["memory"]
            tm = mem.get("tracemalloc")
            heap = (f"{_mb(tm['check_peak_bytes'])} | " + " | ".join(
                _mb(tm["stage_peak_bytes"][s]) for s in STAGES)) if tm else " | ".join(["–"] * 6)
            out.append(f"| {r['n']:,} | {ra['check_over_mdit']:.2f}× | "
                       f"{ra['staged_over_mdit']:.2f}× | {ra['parse_over_mdit']:.2f}× | "
                       f"{ra['claims_rules_over_parse']:.2f} | {i['findings']:,} | "
                       f"{_mb(mem['maxrss_check_bytes'])} | {heap} |")
        out.append("")
    e2e = [r for r in results if r.get("e2e")]
    if e2e:
        out += ["`factcheck check` in a subprocess (seconds, best of the runs; peak RSS of the "
                "largest process in MB; load = load average before / after):", "",
                "| dossiers | files | MB | markdown-it parse-only | --jobs 1 --no-cache | "
                "--jobs 2 --no-cache | cache cold | cache warm | jobs1 / markdown-it | "
                "jobs1 / jobs2 | cold / warm | RSS mdit | RSS jobs1 | RSS jobs2 | RSS cold | "
                "RSS warm | load |", "|" + "---:|" * 16 + "---|"]
        for r in e2e:
            e = r["e2e"]
            sec, rss = e["seconds"], e["maxrss_bytes"]
            out.append(
                f"| {r['n']:,} | {e['files']:,} | {_mb(e['bytes'])} | {_s(sec['mdit'])} | "
                f"{_s(sec['jobs1'])} | {_s(sec['jobs2'])} | {_s(sec['cold'])} | "
                f"{_s(sec['warm'])} | {sec['jobs1'] / sec['mdit']:.2f}× | "
                f"{sec['jobs1'] / sec['jobs2']:.2f}× | {sec['cold'] / sec['warm']:.1f}× | "
                + " | ".join(_mb(rss[k]) for k in ("mdit", "jobs1", "jobs2", "cold", "warm"))
                + f" | {e['load']['before']} / {e['load']['after']} |")
        out.append("")
    for key, label in (("inproc", "in-process check"), ("e2e", "`--jobs 1 --no-cache` CLI")):
        rows = [r for r in results if r.get(key) and not r.get("corpus")]
        if len(rows) < 2:
            continue
        out += [f"Scaling ({label}):", "", "| from → to | input × | time × | time × / input × |",
                "|---|---:|---:|---:|"]
        for a, b in itertools.pairwise(rows):
            grow = b[key]["bytes"] / a[key]["bytes"]
            ta = a[key]["seconds"]["check_total" if key == "inproc" else "jobs1"]
            tb = b[key]["seconds"]["check_total" if key == "inproc" else "jobs1"]
            out.append(f"| {a['n']:,} → {b['n']:,} | {grow:.2f} | {tb / ta:.2f} | "
                       f"{tb / ta / grow:.2f} |")
        out.append("")
    return "\n".join(out) + "\n"


def targets(results: list[Json], startup: Json | None) -> list[Json]:
    """The targets of issue 6 with what this run measured."""
    rows: list[Json] = []
    if startup:
        ratio_cold, ratio_warm = startup["ratio_cold"], startup["ratio_warm"]
        ratio_edited = startup["ratio_edited"]
        sec = startup["seconds"]
        rows.append({"target": "(a) start-up ≤ 3× the markdown-it one-liner",
                     "measured": f"no cache {sec['factcheck_cold']:.3f} s = {ratio_cold:.2f}×, "
                                 f"edited file {sec['factcheck_edited']:.3f} s = "
                                 f"{ratio_edited:.2f}×, warm {sec['factcheck_warm']:.3f} s = "
                                 f"{ratio_warm:.2f}× (one-liner {sec['mdit_one_liner']:.3f} s)",
                     "holds": max(ratio_cold, ratio_warm, ratio_edited) <= 3})
    inproc = [r for r in results if r.get("inproc") and not r.get("corpus")]
    if inproc:
        big = inproc[-1]
        i = big["inproc"]
        ratio = i["ratios"]["claims_rules_over_parse"]
        rows.append({"target": "(b1) claims + rules ≤ parse",
                     "measured": f"{ratio:.2f} at {big['n']:,} dossiers", "holds": ratio <= 1})
        e = big.get("e2e")
        whole = e["seconds"]["jobs1"] / e["seconds"]["mdit"] if e else i["ratios"][
            "check_over_mdit"]
        rows.append({"target": "(b2) whole check ≤ 2× markdown-it parse-only, one process",
                     "measured": f"{whole:.2f}× at {big['n']:,} (CLI)"
                                 + f"; in-process {i['ratios']['check_over_mdit']:.2f}×",
                     "holds": whole <= 2})
    corpus = [r for r in results if r.get("corpus") and r.get("e2e")]
    if corpus:
        e = corpus[0]["e2e"]
        rows.append({"target": "(c) ~8.8 MB with --jobs 2 in ≤ 4.5 s",
                     "measured": f"{_mb(e['bytes'])} MB in {e['seconds']['jobs2']:.2f} s "
                                 f"(markdown-it parse-only {e['seconds']['mdit']:.2f} s, --jobs 1 "
                                 f"{e['seconds']['jobs1']:.2f} s)",
                     "holds": e["seconds"]["jobs2"] <= 4.5})
    e2e = [r for r in results if r.get("e2e") and not r.get("corpus")]
    if len(e2e) > 1:
        worst = max(b["e2e"]["seconds"]["jobs1"] / a["e2e"]["seconds"]["jobs1"]
                    / (b["e2e"]["bytes"] / a["e2e"]["bytes"]) for a, b in itertools.pairwise(e2e))
        steps = ", ".join(f"{a['n']:,}→{b['n']:,}: "
                          f"{b['e2e']['seconds']['jobs1'] / a['e2e']['seconds']['jobs1']:.2f}×"
                          for a, b in itertools.pairwise(e2e))
        rows.append({"target": "(d) 10× input ≤ 11× time", "measured": steps,
                     "holds": worst <= 1.1})
    biggest = max(e2e, key=lambda r: r["n"]) if e2e else None
    if biggest:
        rss = biggest["e2e"]["maxrss_bytes"]
        peak = max(rss[k] for k in ("jobs1", "jobs2", "cold", "warm"))
        rows.append({"target": f"(e) peak memory < 1 GB at {biggest['n']:,} dossiers",
                     "measured": f"{_mb(rss['jobs1'])} MB (--jobs 1), {_mb(rss['jobs2'])} MB "
                                 "(--jobs 2, largest process)",
                     "holds": peak < 1e9})
    if e2e:
        ratios = [(r["n"], r["e2e"]["seconds"]["cold"] / r["e2e"]["seconds"]["warm"])
                  for r in [*e2e, *corpus]]
        rows.append({"target": "(f) second (cached) run ≥ 5× faster",
                     "measured": ", ".join(f"{ratio:.1f}× at {n:,}" for n, ratio in ratios),
                     "holds": all(ratio >= 5 for _, ratio in ratios)})
    return rows


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
    # Installed copies have bytecode; with this set, every child would compile every module.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    results: list[Json] = []
    meta: Json = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_at_start": _load(),
        **_git_state(),
    }
    with ExitStack() as stack:
        if args.src_rev:
            snap = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="factcheck-src-")))
            meta["measured"] = f"git archive of {args.src_rev} ({_snapshot(args.src_rev, snap)})"
            meta.pop("src_changes")
            _compile(snap / "src")
        else:
            meta["measured"] = "working tree"
            _compile(HERE.parent / "src")
        data_root = Path(args.data) if args.data else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="factcheck-bench-")))
        plan = [(n, False) for n in sizes]
        if args.corpus:
            plan.append((args.corpus, True))
            plan.sort()
        for n, is_corpus in plan:
            folder = _dataset(data_root, n, args.seed)
            repeat = args.repeat or _default_repeat(n)
            entry: Json = {"n": n, "corpus": is_corpus}
            if not is_corpus and n <= args.stages_max:
                print(f"[{n} dossiers] stages ×{repeat} (load {_load()}) ...", file=sys.stderr,
                      flush=True)
                stages = _spawn("stages", folder, out, repeat=repeat)
                print(f"[{n} dossiers] check ×{repeat} ...", file=sys.stderr, flush=True)
                check = _spawn("check", folder, out, repeat=repeat)
                if check["fingerprints"] != stages["fingerprints"]:
                    raise SystemExit(
                        f"the staged pipeline found {len(stages['fingerprints'])} findings, "
                        f"engine.lint {len(check['fingerprints'])}: run.py no longer mirrors "
                        "src/factcheck/engine.py")
                memory = None
                if n <= args.tracemalloc_max:
                    print(f"[{n} dossiers] tracemalloc ...", file=sys.stderr, flush=True)
                    memory = _spawn("memory", folder, out)
                entry["inproc"] = summarise(n, stages, check, memory)
                entry["inproc"]["load"] = _load()
            if is_corpus or n >= args.e2e_min:
                e2e_repeat = args.repeat or (3 if n <= 100 else 1)
                print(f"[{n} dossiers] factcheck check (CLI) ×{e2e_repeat} (load {_load()}) ...",
                      file=sys.stderr, flush=True)
                entry["e2e"] = measure_e2e(folder, e2e_repeat)
            results.append(entry)
            _save(out, meta, results)
            print(markdown_tables(results[-1:]), file=sys.stderr, flush=True)
        startup = imports = None
        profile: list[Json] | None = None
        if not args.no_startup:
            folder = _dataset(data_root, 1, args.seed)
            main_file = next(p for p in sorted(folder.glob("*/*.md"))
                             if not p.name.endswith("-strategy.md") and p.name != "index.md")
            print(f"[start-up] (load {_load()}) ...", file=sys.stderr, flush=True)
            startup = measure_startup(main_file, args.startup_runs)
            imports = measure_importtime(main_file, out)
        if args.profile_size:
            folder = _dataset(data_root, args.profile_size, args.seed)
            chosen = [s.strip() for s in args.profile_stage.split(",") if s.strip()]
            if chosen == ["auto"]:
                same = [r for r in results if r["n"] == args.profile_size and r.get("inproc")]
                timing = same[0]["inproc"]["seconds"] if same else _spawn(
                    "stages", folder, out, repeat=1)["seconds"]
                chosen = [max(STAGES, key=lambda s: timing[s])]
            unknown = set(chosen) - set(STAGES)
            if unknown:
                raise SystemExit(f"unknown stage(s) for --profile-stage: {sorted(unknown)}")
            profile = []
            for stage in chosen:
                print(f"[profile] {stage} on {args.profile_size} dossiers ...", file=sys.stderr)
                profile.append(_spawn("profile", folder, out, profile_stage=stage))
    meta["load_at_end"] = _load()
    goals = targets(results, startup)
    lines = [f"# factcheck benchmark ({meta['started']})", "", f"`{meta['command']}`", "",
             f"Measured: {meta['measured']}; load average at start {meta['load_at_start']}, at "
             f"end {meta['load_at_end']}; {meta['cpus']} CPUs.", "",
             markdown_tables(results) if results else ""]
    if goals:
        lines += ["| target | measured | holds? |", "|---|---|---|"]
        lines += [f"| {g['target']} | {g['measured']} | {'yes' if g['holds'] else '**no**'} |"
                  for g in goals]
        lines.append("")
    if startup:
        sec = startup["seconds"]
        lines += [f"| start-up, best of {startup['runs']} interleaved (load {startup['load']}) | "
                  "seconds |", "|---|---:|",
                  f"| `factcheck check --no-cache` one {startup['lines']}-line dossier | "
                  f"{sec['factcheck_cold']:.3f} |",
                  f"| `factcheck check` same file, warm cache | {sec['factcheck_warm']:.3f} |",
                  f"| `factcheck check` a copy edited before each run, rules cached | "
                  f"{sec['factcheck_edited']:.3f} |",
                  f"| markdown-it one-liner, same file | {sec['mdit_one_liner']:.3f} |",
                  f"| `python -c pass` | {sec['python_bare']:.3f} |",
                  f"| ratio cold / one-liner | {startup['ratio_cold']:.2f}× |",
                  f"| ratio warm / one-liner | {startup['ratio_warm']:.2f}× |",
                  f"| ratio edited / one-liner | {startup['ratio_edited']:.2f}× |", "",
                  "| inside one `factcheck check` process, no cache (best of "
                  f"{startup['runs']} processes) | ms |", "|---|---:|"]
        lines += [f"| {s['step']} | {s['seconds'] * 1000:.1f} |" for s in startup["split"]]
        lines.append("")
    for label, data in (imports or {}).items():
        lines += [f"`-X importtime` of `{label}`: {data['total_us'] / 1000:.0f} ms in "
                  f"{data['modules']} modules", "",
                  "| module | nesting | cumulative ms | self ms |", "|---|---:|---:|---:|"]
        lines += [f"| {r['module']} | {r['depth']} | {r['cumulative_us'] / 1000:.1f} | "
                  f"{r['self_us'] / 1000:.1f} |" for r in data["top"]]
        lines += ["", "by own time: " + ", ".join(
            f"{r['module']} {r['self_us'] / 1000:.1f}" for r in data["top_self"]), ""]
    for prof in profile or ():
        for key, label in (("top_cumulative", "cumulative"), ("top_tottime", "own")):
            lines += [f"cProfile of the {prof['stage']} stage on {prof['files']} files "
                      f"({prof['profiled_s']:.2f} s under the profiler), top by {label} time "
                      f"(full listing in {Path(prof['text']).name}):", "",
                      "| function | calls | own s | cumulative s |", "|---|---:|---:|---:|"]
            lines += [f"| `{r['function']}` | {r['calls']:,} | {r['tottime']:.3f} | "
                      f"{r['cumtime']:.3f} |" for r in prof[key]]
            lines.append("")
    text = "\n".join(lines)
    print(text)
    (out / "results.md").write_text(text, encoding="utf-8")
    _save(out, meta, results, targets=goals, startup=startup, importtime=imports,
          profile=profile)
    print(f"wrote {out / 'results.json'} and {out / 'results.md'}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the benchmark (or, internally, one worker)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000,10000",
                        help="comma-separated numbers of dossier sets (default: "
                             "1,100,1000,10000)")
    parser.add_argument("--corpus", type=int, default=480,
                        help="also run the CLI on this many dossiers, about 8.8 MB, for the "
                             "'8.8 MB on 2 cores' target (0: skip; default: 480)")
    parser.add_argument("--stages-max", type=int, default=1000,
                        help="in-process stage, check and tracemalloc runs up to this many "
                             "dossiers; above it only the CLI runs (default: 1000)")
    parser.add_argument("--e2e-min", type=int, default=100,
                        help="run the `factcheck check` CLI from this many dossiers on "
                             "(default: 100)")
    parser.add_argument("--out", default=str(HERE / "results"),
                        help="folder for results.json, results.md, profiles (default: "
                             "benchmarks/results, ignored by git)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default: 0)")
    parser.add_argument("--data", default=None,
                        help="keep generated dossiers here and reuse them (default: a "
                             "temporary folder, removed afterwards)")
    parser.add_argument("--repeat", type=int, default=0,
                        help="timed runs per size, best kept (default: in-process 10 below 10 "
                             "dossiers, 3 up to 100, else 1; CLI 3 up to 100, else 1)")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the start-up and -X importtime measurements")
    parser.add_argument("--tracemalloc-max", type=int, default=1000,
                        help="skip tracemalloc above this many dossiers (default: 1000)")
    parser.add_argument("--src-rev", default=None,
                        help="measure factcheck as committed at this git revision (src/ and "
                             "rules/ extracted to a temporary folder) instead of the working "
                             "tree")
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
