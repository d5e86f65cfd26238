"""The benchmark harness behind `make bench`: our stages against the site engine, at three sizes.

    python benchmarks/run.py [--sizes 100,1000,10000] [--seed 1] [--companies 5] [--skip-engine-above N]
                             [--ack-employees 5000]

For each size (numbered clauses; terms, roles, regulations and prose grow with
it, see ``benchmarks/corpus.py``) a project is generated under
``benchmarks/out/<size>/`` and measured, each measurement in its own process so
that peak memory (``ru_maxrss``) belongs to one thing:

* **own stages** in-process — load, variant, check, render, write the docs
  tree — CPU and wall seconds each;
* **engine** — a plain ``mkdocs build`` of the very tree we rendered
  (``benchmarks/out/<size>/build/default/mkdocs.yml``; rerun it yourself to
  compare), with pages, bytes per page and seconds per page; then the same
  tree with the engine's own search plugin on (``mkdocs-with-search.yml``
  beside it): reglament's site has search (Pagefind, after the engine), the
  plain build has none, so both ratios are printed;
* **end to end** — ``reglament build`` as a user runs it, then again with
  nothing changed (the rebuild must skip);
* **check** — ``reglament check`` as a user runs it;
* **diff** — ``benchmarks/bench_diff.py`` on a single regulation of that size;
* **companies** (middle size) — ``reglament build --all-companies`` for N
  generated company profiles, then the no-change rebuild.
* **acknowledgements** — ``benchmarks/ack_load.py``: ``--ack-employees`` (5,000) × 3 regulations
  acknowledged through 32 concurrent clients against ``reglament ack serve`` on SQLite and on a PostgreSQL
  server it starts (``--ack-employees 0`` skips it)

It prints a table with the ratios the targets are stated in and writes
``benchmarks/results.json``. CPU seconds are reported next to wall seconds:
on a shared machine the wall clock also counts other processes' turns.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
RESULTS = HERE / "results.json"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

TARGETS = {
    "own_vs_engine": 0.10,  # own stages ≤ 10 % of the engine
    "e2e_vs_mkdocs": 1.10,  # reglament build ≤ 1.10 × plain mkdocs build of the rendered tree
    "companies_jobs2_vs_jobs1": 1.0,  # build --all-companies --jobs 2 faster (wall) than --jobs 1
    "check_s_at_10000": 1.0,  # reglament check own time at 10,000 clauses + 1,000 terms
    "growth_x10": 11.0,  # ×10 input ≤ ×11 time (check; engine seconds per page flat)
    "diff_s": 1.0,  # diff of two large editions beyond loading
    "rebuild_vs_full": 0.05,  # a no-change rebuild ≤ 5 % of a full build
    "check_one_changed_wall_s": 0.5,  # reglament check with a warm cache after one file changed, 10,000 clauses
}


# --------------------------------------------------------------------------
# Measuring a child process


def measured(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> dict:
    """Run ``cmd`` (``env``: variables set for it); its wall seconds, CPU seconds (user + sys) and peak RSS (MB)
    from ``wait4``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=devnull)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(time.perf_counter() - started, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "exit": proc.returncode,
        "stdout": out.decode("utf-8", "replace"),
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def load_note(figures: dict) -> str:
    """The machine's load average (1 min) before and after a measurement, to read its wall time by."""
    before, after = figures["load"]
    return f" [load {before:.1f} → {after:.1f}]"


def _worker_stages(root: Path) -> None:
    """(child process) Time our own stages on ``root`` and write its docs tree + MkDocs config."""
    import resource

    def rss() -> float:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    figures: dict = {}
    wall, cpu = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal wall, cpu
        now_wall, now_cpu = time.perf_counter(), time.process_time()
        figures[name] = {"wall_s": round(now_wall - wall, 3), "cpu_s": round(now_cpu - cpu, 3), "peak_mb": rss()}
        wall, cpu = time.perf_counter(), time.process_time()

    from reglament.check.checker import check
    from reglament.project import load_project, site_title
    from reglament.render.pages import render
    from reglament.sandbox import template_code_cache
    from reglament.site.build import write_tree
    from reglament.site.engines import engine_for
    from reglament.variant.resolve import resolve

    lap("import")
    project = load_project(root)
    lap("load")
    variant = resolve(
        project.loaded.content,
        profile=None,
        defaults=project.profiles.defaults,
        public=False,
        other_profiles=project.companies,
        cache=project.cache,
    )
    lap("variant")
    project.morph.lemmas("заявка")  # the morphology dictionary loads on first use: count it apart
    lap("morphology_dictionary")
    diagnostics = check(variant.content, morph=project.morph, variant=variant)
    lap("check")
    code = template_code_cache(root)  # the page templates' compiled code: this user's cache, warm or cold
    compiled, loaded = code.compiled, code.loaded
    tree = render(variant.content, root / "templates", site_title=site_title(root), morph=project.morph)
    lap("render")
    figures["templates"] = {"compiled": code.compiled - compiled, "loaded": code.loaded - loaded}
    stage = root / "build" / "default"
    stage.mkdir(parents=True, exist_ok=True)
    write_tree(tree, root, stage, root / "build" / "engine-site", engine=engine_for(None, root))
    lap("write")
    errors = [d for d in [*project.loaded.diagnostics, *variant.diagnostics, *diagnostics] if d.severity == "error"]
    figures["errors"] = [f"{d.file}:{d.line}:{d.column} {d.code} {d.message}" for d in errors[:5]]
    figures["warnings"] = sum(d.severity == "warning" for d in diagnostics)
    figures["pages"] = len(tree.pages)
    # the source cache (.reglament-cache/): a load that fills it, then one that reads it back
    from reglament.source.cache import CACHE_DIR
    from reglament.source.loader import load

    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    lap("cache_reset")
    load(root, cache=True)
    lap("load_cache_cold")
    load(root, cache=True)
    lap("load_cache_warm")
    print(json.dumps(figures))


def _worker_check(root: Path) -> None:
    """(child process) Time `reglament check` on ``root`` without its cache, as the command runs it: load, variant,
    the dictionary, the rules and the page templates' check, with the cyclic collector paused for the whole command
    (cli.py: its passes over the loaded model cost more than they free); importing not counted. The in-process
    stages of :func:`_worker_stages` run with the collector on."""
    import gc

    from reglament.check.templates import page_template_diagnostics
    from reglament.project import check_project

    gc.disable()
    cpu, wall = time.process_time(), time.perf_counter()
    check_project(root)  # what `reglament check --no-cache` runs for the base regulation (cli._check_diagnostics)
    page_template_diagnostics(root)
    print(json.dumps({"cpu_s": round(time.process_time() - cpu, 3), "wall_s": round(time.perf_counter() - wall, 3)}))


def _worker_postbuild(root: Path, site: Path) -> None:
    """(child process) Time reglament's steps after the engine on the site it built from ``root``'s tree:
    the terms' word forms, the one pass over the pages (sanitiser + audit + edit buttons… + search records, in this
    process) and Pagefind (a child process: its CPU seconds come from RUSAGE_CHILDREN)."""
    import resource

    from reglament.project import check_project
    from reglament.render.pages import render
    from reglament.site.engines.base import edit_base
    from reglament.site.pagesteps import process_files
    from reglament.site.postbuild import page_steps
    from reglament.site.search import index, term_forms

    content = check_project(root).content
    terms = content.terms
    tooltips = render(content, root / "templates").tooltips  # the links' titles the pass fills in (not timed)
    figures: dict = {}
    cpu, wall = time.process_time(), time.perf_counter()
    forms = term_forms(terms)
    figures["forms"] = {"cpu_s": round(time.process_time() - cpu, 3), "wall_s": round(time.perf_counter() - wall, 3)}
    cpu, wall = time.process_time(), time.perf_counter()
    # the pass as `reglament build` runs it: each page sanitised, audited, finished and cut into its search records
    steps = page_steps(
        site,
        root / "build" / "default" / "docs",
        edit_base=edit_base(root),
        offline=False,
        forms=forms,
        tooltips=tooltips,
        records=True,
    )
    rels = [p.relative_to(site).as_posix() for p in sorted(site.rglob("*.html"))]
    done = process_files(str(site), rels, steps)
    unsafe = [problem for page in done for problem in page.problems]
    if unsafe:
        raise SystemExit(f"the sanitiser found unsafe markup: {unsafe[:3]}")
    figures["page_pass"] = {
        "cpu_s": round(time.process_time() - cpu, 3),
        "wall_s": round(time.perf_counter() - wall, 3),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    index(site, known={rel: page.records for rel, page in zip(rels, done, strict=True)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["pagefind"] = {
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3),
        "wall_s": round(time.perf_counter() - wall, 3),
    }
    print(json.dumps(figures))


# --------------------------------------------------------------------------
# One size


def prepare(size: int, *, seed: int, companies: int) -> tuple[Path, dict]:
    """Generate the project for ``size`` clauses into ``benchmarks/out/<size>/`` (fresh)."""
    from corpus import generate, write_companies

    root = OUT / str(size) if not companies else OUT / f"{size}-companies"
    if root.exists():
        shutil.rmtree(root)
    corpus = generate(clauses=size, seed=seed)
    if companies:
        write_companies(corpus, companies, seed=seed)
    corpus.write(root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "templates", root / "templates")
    return root, corpus.summary()


def html_stats(site: Path) -> dict:
    pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
    sizes = sorted(p.stat().st_size for p in pages)
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    index_files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {
        "html_pages": len(pages),
        "html_bytes_per_page": sum(sizes) // max(1, len(sizes)),
        "largest_page_kb": sizes[-1] // 1024 if sizes else 0,
        "largest_page": max(pages, key=lambda p: p.stat().st_size).relative_to(site).as_posix() if pages else "",
        "site_mb": round(total / 2**20, 1),
        "search_index_mb": round(sum(p.stat().st_size for p in index_files) / 2**20, 2) if index_files else None,
    }


def best_of(runs: list[dict]) -> dict:
    """The run with the least CPU time (on a shared machine the others were slowed by other processes)."""
    return min(runs, key=lambda r: r["cpu_s"])


def best_stages(runs: list[dict]) -> dict:
    """Per stage, the least CPU time of the runs (with its wall time and the peak memory of that run)."""
    best = dict(runs[0])
    for run in runs[1:]:
        for name, value in run.items():
            if isinstance(value, dict) and "cpu_s" in value and value["cpu_s"] < best[name]["cpu_s"]:
                best[name] = value
                if name == "render":  # the compiled templates' counts of the run whose render time is shown
                    best["templates"] = run["templates"]
    best["process_peak_mb"] = max(r["process_peak_mb"] for r in runs)
    return best


#: words the generated corpus never holds (a new one for each run of an edit)
NEW_WORDS = ("Виолончелистке пчеловодами", "Гиперболоидом зеркальщиков", "Тромбонистами звездочётов", "Акварелистов")


def bench_check_cache(root: Path, cmd: list[str], *, repeat: int, expected: int) -> dict:
    """`reglament check` with the source cache: cold (no cache folder), warm (nothing changed: the stored
    result), and after one edit before each run — one part file changed (a comment appended: no text changes),
    one text changed (its title edited: its term mentions are found afresh, as after an editor's real edit),
    one clause changed (a duty's text) and one term's definition changed (in the glossary)."""
    from reglament.source.cache import CACHE_DIR

    def run() -> dict:
        figures = measured(cmd)
        figures.pop("stdout")
        if figures["exit"] != expected:
            raise SystemExit(f"reglament check with the cache exited {figures['exit']}, without it {expected}")
        return figures

    cold = []
    for _ in range(repeat):
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        cold.append(run())
    warm = [run() for _ in range(repeat)]
    part = sorted((root / "content" / "regulations").glob("*/duties.yml"))[0]
    glossary = root / "content" / "glossary.yml"
    duty_text = b"\n        text: >-\n          "
    definition = b"\n    definition: >-\n      "
    edits = {
        "one_file_changed": (part, lambda data, i: data + f"\n# edit {i}\n".encode()),
        "one_text_changed": (part, lambda data, i: data.replace(b"\ntitle: ", f"\ntitle: Правка {i}. ".encode(), 1)),
        "one_clause_changed": (part, lambda data, i: data.replace(duty_text, duty_text + f"Правка {i}. ".encode(), 1)),
        "one_definition_changed": (
            glossary,
            lambda data, i: data.replace(definition, definition + f"Правка {i}. ".encode(), 1),
        ),
        # words this corpus never had: their lemmas are not kept from an earlier run, the dictionary loads
        "one_definition_new_words": (
            glossary,
            lambda data, i: data.replace(definition, definition + f"{NEW_WORDS[i % len(NEW_WORDS)]}. ".encode(), 1),
        ),
    }
    result = {"cold": best_of(cold), "warm": best_of(warm)}
    for name, (path, change) in edits.items():
        original = path.read_bytes()
        assert change(original, 0) != original, (name, path)
        runs = []
        try:
            for i in range(repeat):
                path.write_bytes(change(original, i))
                runs.append(run())
        finally:
            path.write_bytes(original)
        result[name] = best_of(runs)
    return result


#: the stages `reglament build` runs before the engine (and the memo's write after it), as it times them
#: (``reglament.perf.lap``); "start" and "imports" (the interpreter, importing reglament: the modules a build needs
#: are imported once the stamp says it must run) are printed apart, as for the in-process stages, and
#: "engine_and_after" is the engine, the page pass and Pagefind
BUILD_STAGES = ("stamp", "load", "check", "render", "write", "forms_and_pass_start", "keep_words")


def bench_build_stages(root: Path, *, repeat: int) -> dict:
    """`reglament build` as a user runs it, its own stages timed by the command itself (``$REGLAMENT_STAGE_TIMES``):

    * **cold**: no ``.reglament-cache/`` and an empty user cache folder (``XDG_CACHE_HOME``: no compiled page
      templates, a new signing key), no site in the output folder;
    * **warm**: then, one clause changed before each run (a duty's text edited, as ``one_clause_changed`` of the
      check): the realistic edit-build loop, with the project's cache and the compiled templates kept.

    Each best of ``repeat`` by its own stages' CPU seconds (the whole run's figures, not mixed across runs)."""
    from reglament.perf import read_laps
    from reglament.source.cache import CACHE_DIR

    out = root / "build" / "stages-site"
    # --full: the stages of a whole build (after one clause changed the command would rebuild only its pages:
    # bench_incremental)
    cmd = [str(BIN / "reglament"), "build", "--root", str(root), "--out", str(out), "--format", "json", "--full"]
    times = root / "build" / "stage-times.jsonl"
    user_caches: list[str] = []

    def run(xdg: str) -> dict:
        times.unlink(missing_ok=True)
        figures = measured(cmd, env={"XDG_CACHE_HOME": xdg, "REGLAMENT_STAGE_TIMES": str(times)})
        if figures["exit"]:
            raise SystemExit(f"reglament build failed on {root} (exit {figures['exit']})")
        figures.pop("stdout")
        stages = {lap["stage"]: lap for lap in read_laps(times)}
        missing = [name for name in BUILD_STAGES if name not in stages]
        if missing:
            raise SystemExit(f"reglament build did not time its stages {missing} (an up-to-date site?)")
        own = {k: round(sum(stages[name][k] for name in BUILD_STAGES), 3) for k in ("cpu_s", "wall_s")}
        return {
            "stages": {name: {"cpu_s": lap["cpu_s"], "wall_s": lap["wall_s"]} for name, lap in stages.items()},
            "own": own,
            "dictionary_loaded": stages["keep_words"]["dictionary"],
            "templates": {
                "compiled": stages["render"]["templates_compiled"],
                "loaded": stages["render"]["templates_loaded"],
            },
            "process": figures,
        }

    def best(runs: list[dict]) -> dict:
        return min(runs, key=lambda r: r["own"]["cpu_s"])

    cold = []
    try:
        for _ in range(repeat):
            shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            user_caches.append(tempfile.mkdtemp(prefix="reglament-bench-user-cache-"))
            cold.append(run(user_caches[-1]))
        part = sorted((root / "content" / "regulations").glob("*/duties.yml"))[0]
        original = part.read_bytes()
        duty_text = b"\n        text: >-\n          "
        warm = []
        try:
            for i in range(repeat):
                edited = original.replace(duty_text, duty_text + f"Правка {i}. ".encode(), 1)
                assert edited != original, part
                part.write_bytes(edited)
                warm.append(run(user_caches[-1]))
        finally:
            part.write_bytes(original)
    finally:
        for folder in user_caches:
            shutil.rmtree(folder, ignore_errors=True)
    return {"cold": best(cold), "warm": best(warm)}


def bench_incremental(root: Path, *, repeat: int) -> dict:
    """`reglament build` after one duty's text changed: as it runs by default (only the pages whose Markdown changed
    are rebuilt, reglament.site.incremental) and with ``--full``, interleaved, ``repeat`` runs each; the best of
    each by wall time, and how many pages the engine rebuilt."""
    from reglament.perf import read_laps

    out = root / "build" / "incremental-site"
    times = root / "build" / "incremental-times.jsonl"
    cmd = [str(BIN / "reglament"), "build", "--root", str(root), "--out", str(out), "--format", "json"]
    part = sorted((root / "content" / "regulations").glob("*/duties.yml"))[0]
    original = part.read_bytes()
    duty_text = b"\n        text: >-\n          "
    runs: dict[str, list[dict]] = {"incremental": [], "full": []}
    try:
        if measured([*cmd, "--full"])["exit"]:  # the site the first incremental build starts from
            raise SystemExit(f"reglament build failed on {root}")
        for i in range(repeat):
            for kind in runs:
                part.write_bytes(original.replace(duty_text, duty_text + f"Правка {kind} {i}. ".encode(), 1))
                times.unlink(missing_ok=True)
                figures = measured(
                    [*cmd] if kind == "incremental" else [*cmd, "--full"], env={"REGLAMENT_STAGE_TIMES": str(times)}
                )
                figures.pop("stdout")
                if figures["exit"]:
                    raise SystemExit(f"reglament build ({kind}) failed on {root}")
                rebuilt = [lap["rebuilt"] for lap in read_laps(times) if "rebuilt" in lap]
                if (kind == "incremental") != bool(rebuilt):
                    raise SystemExit(f"reglament build ({kind}) did not take the expected path on {root}")
                figures["rebuilt"] = rebuilt[0] if rebuilt else None
                runs[kind].append(figures)
    finally:
        part.write_bytes(original)
    return {kind: min(found, key=lambda r: r["wall_s"]) for kind, found in runs.items()}


def bench_size(size: int, *, seed: int, engine: bool, diff: bool, repeat: int) -> dict:
    root, summary = prepare(size, seed=seed, companies=0)
    result: dict = {"size": size, "corpus": summary, "root": str(root.relative_to(REPO))}
    print(
        f"\n== {size} clauses: {summary['clauses']} numbered items, {summary['terms']} terms, "
        f"{summary['roles']} roles, {summary['regulations']} regulations, {summary['paragraphs']} paragraphs, "
        f"{summary['bytes'] / 2**20:.1f} MB of sources",
        flush=True,
    )

    runs = []
    for _ in range(repeat):
        stages = measured([sys.executable, __file__, "--worker-stages", str(root)])
        if stages["exit"]:
            raise SystemExit(f"the stages worker failed on {root}")
        run = json.loads(stages["stdout"])
        run["process_peak_mb"] = stages["peak_mb"]
        runs.append(run)
    own = best_stages(runs)
    result["own"] = own
    if own["errors"]:
        raise SystemExit(f"the generated corpus has errors: {own['errors']}")
    stage_names = ("load", "variant", "morphology_dictionary", "check", "render", "write")
    own_cpu = sum(own[s]["cpu_s"] for s in stage_names)
    own_wall = sum(own[s]["wall_s"] for s in stage_names)
    result["own_total"] = {"cpu_s": round(own_cpu, 3), "wall_s": round(own_wall, 3)}
    result["check_own_collector_on"] = {
        k: round(sum(own[s][k] for s in ("load", "variant", "morphology_dictionary", "check")), 3)
        for k in ("cpu_s", "wall_s")
    }
    checks = [measured([sys.executable, __file__, "--worker-check", str(root)]) for _ in range(repeat)]
    if any(c["exit"] for c in checks):
        raise SystemExit(f"the check worker failed on {root}")
    result["check_own"] = min((json.loads(c["stdout"]) for c in checks), key=lambda c: c["cpu_s"])
    print(
        "   own stages: "
        + ", ".join(f"{s} {own[s]['cpu_s']:.2f}" for s in stage_names)
        + f" = {own_cpu:.2f} s CPU (best of {repeat}); peak {own['process_peak_mb']:.0f} MB; not counted: "
        f"importing reglament {own['import']['cpu_s']:.2f} s CPU",
        flush=True,
    )

    check_cmd = [str(BIN / "reglament"), "check", "--root", str(root), "--format", "json"]
    check = best_of([measured([*check_cmd, "--no-cache"]) for _ in range(repeat)])
    check.pop("stdout")
    result["check_cli"] = check
    print(
        f"   reglament check --no-cache: {check['wall_s']:.2f} s wall, {check['cpu_s']:.2f} s CPU, "
        f"{check['peak_mb']:.0f} MB",
        flush=True,
    )
    result["check_cache"] = bench_check_cache(root, check_cmd, repeat=repeat, expected=check["exit"])
    print(
        "   reglament check with the source cache (wall / CPU s): "
        + ", ".join(f"{k} {v['wall_s']:.2f} / {v['cpu_s']:.2f}" for k, v in result["check_cache"].items())
        + f"; loading alone: cold {own['load_cache_cold']['cpu_s']:.2f}, warm {own['load_cache_warm']['cpu_s']:.2f}"
        f" s CPU (uncached {own['load']['cpu_s']:.2f})",
        flush=True,
    )

    if engine:
        config = root / "build" / "default" / "mkdocs.yml"
        site = root / "build" / "engine-site"
        mk = measured([str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(site)])
        mk.pop("stdout")
        mk.update(html_stats(site))
        mk["s_per_page"] = round(mk["cpu_s"] / max(1, mk["html_pages"]), 4)
        result["engine"] = mk
        print(
            f"   mkdocs build: {mk['wall_s']:.1f} s wall, {mk['cpu_s']:.1f} s CPU, {mk['html_pages']} pages, "
            f"{mk['html_bytes_per_page'] // 1024} KB/page, {mk['s_per_page'] * 1000:.0f} ms CPU/page, "
            f"largest {mk['largest_page']} {mk['largest_page_kb']} KB, {mk['peak_mb']:.0f} MB{load_note(mk)}",
            flush=True,
        )
        # the same tree with the engine's own search plugin on (what MkDocs does when `plugins:` is not set):
        # a site with search, as reglament's (whose search is Pagefind, run after the engine)
        with_search = config.with_name("mkdocs-with-search.yml")
        settings = json.loads(config.read_text(encoding="utf-8"))
        settings["plugins"] = ["search"]
        with_search.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
        mks = measured(
            [str(BIN / "mkdocs"), "build", "-q", "-f", str(with_search), "-d", str(root / "build" / "engine-search")]
        )
        mks.pop("stdout")
        result["engine_search"] = mks
        print(
            f"   mkdocs build with its search plugin: {mks['wall_s']:.1f} s wall, {mks['cpu_s']:.1f} s CPU "
            f"(search: +{mks['cpu_s'] - mk['cpu_s']:.2f} s CPU){load_note(mks)}",
            flush=True,
        )
        post = measured([sys.executable, __file__, "--worker-postbuild", str(root), str(site)])
        if post["exit"]:
            raise SystemExit(f"the post-build worker failed on {root}")
        result["post"] = json.loads(post["stdout"])
        result["post_total"] = {k: round(sum(v[k] for v in result["post"].values()), 3) for k in ("cpu_s", "wall_s")}
        print(
            "   after the engine: "
            + ", ".join(f"{k} {v['cpu_s']:.2f}" for k, v in result["post"].items())
            + f" = {result['post_total']['cpu_s']:.2f} s CPU (page pass in one process, Pagefind's own CPU)",
            flush=True,
        )

        out = root / "site"
        # the project's cache as a fresh checkout has it (none: the check benchmark above filled it); the compiled
        # page templates as this user's cache holds them
        from reglament.source.cache import CACHE_DIR

        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        e2e = measured([str(BIN / "reglament"), "build", "--root", str(root), "--out", str(out)])
        e2e.pop("stdout")
        if e2e["exit"]:
            raise SystemExit(f"reglament build failed on {root}")
        result["e2e"] = e2e
        again = measured([str(BIN / "reglament"), "build", "--root", str(root), "--out", str(out)])
        again.pop("stdout")
        result["rebuild_no_change"] = again
        print(
            f"   reglament build: {e2e['wall_s']:.1f} s wall, {e2e['cpu_s']:.1f} s CPU, {e2e['peak_mb']:.0f} MB"
            f"{load_note(e2e)}; no-change rebuild {again['wall_s']:.2f} s wall, {again['cpu_s']:.2f} s CPU",
            flush=True,
        )
        stages = bench_build_stages(root, repeat=repeat)
        result["build_stages"] = stages
        for key, label in (("cold", "cold (no caches)"), ("warm", "warm (one clause changed)")):
            run = stages[key]
            print(
                f"   reglament build, own stages as it runs them, {label}: "
                + ", ".join(f"{name} {run['stages'][name]['cpu_s']:.3f}" for name in BUILD_STAGES)
                + f" = {run['own']['cpu_s']:.2f} s CPU = {run['own']['cpu_s'] / mk['cpu_s']:.3f} of the engine; "
                f"dictionary {'loaded' if run['dictionary_loaded'] else 'not loaded'}, page templates compiled "
                f"{run['templates']['compiled']}, loaded {run['templates']['loaded']}; not counted: start-up and "
                f"imports {run['stages']['start']['cpu_s'] + run['stages']['imports']['cpu_s']:.2f}, engine and after "
                f"{run['stages']['engine_and_after']['cpu_s']:.2f} s CPU",
                flush=True,
            )
        inc = bench_incremental(root, repeat=repeat)
        result["incremental"] = inc
        print(
            f"   reglament build after one duty changed (best of {repeat}, interleaved): incremental "
            f"{inc['incremental']['wall_s']:.2f} s wall, {inc['incremental']['cpu_s']:.2f} s CPU (the engine rebuilt "
            f"{inc['incremental']['rebuilt']} pages){load_note(inc['incremental'])}; --full "
            f"{inc['full']['wall_s']:.2f} s wall, {inc['full']['cpu_s']:.2f} s CPU{load_note(inc['full'])}; "
            f"ratio {inc['incremental']['wall_s'] / inc['full']['wall_s']:.2f} wall",
            flush=True,
        )

    if diff:
        try:
            import bench_diff
        except ImportError:  # the diff benchmark belongs to the diff feature
            bench_diff = None
        if bench_diff is not None:
            figures = bench_diff.run(clauses=size, seed=seed, repeat=1)
            result["diff"] = figures
            print(
                f"   diff of two editions ({figures['clauses']} clauses): compare {figures['compare_cpu_s']:.2f} s "
                f"CPU beyond loading ({figures['load_both_s']:.1f} s)",
                flush=True,
            )
    return result


def bench_companies(size: int, count: int, *, seed: int) -> dict:
    """Every company built with ``--jobs 1``, then afresh with ``--jobs 2``, then again with nothing changed."""
    root, summary = prepare(size, seed=seed, companies=count)
    out = root / "sites"
    print(f"\n== {count} companies over {size} clauses", flush=True)

    def run(jobs: int) -> dict:
        cmd = [str(BIN / "reglament"), "build", "--root", str(root), "--out", str(out), "--all-companies"]
        figures = measured([*cmd, "--jobs", str(jobs)])
        figures.pop("stdout")
        if figures["exit"]:
            raise SystemExit(f"reglament build --all-companies --jobs {jobs} failed on {root}")
        return figures

    full = run(1)
    shutil.rmtree(out)
    shutil.rmtree(root / "build")
    parallel = run(2)
    again = run(2)
    print(
        f"   build --all-companies --jobs 1: {full['wall_s']:.1f} s wall, {full['cpu_s']:.1f} s CPU{load_note(full)}; "
        f"--jobs 2: {parallel['wall_s']:.1f} s wall, {parallel['cpu_s']:.1f} s CPU{load_note(parallel)}; "
        f"no-change rebuild {again['wall_s']:.2f} s wall, {again['cpu_s']:.2f} s CPU",
        flush=True,
    )
    return {
        "size": size,
        "companies": count,
        "corpus": summary,
        "full": full,
        "full_jobs2": parallel,
        "rebuild_no_change": again,
    }


# --------------------------------------------------------------------------
# The table


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def verdict_lt(value: float | None, limit: float) -> str:
    if value is None:
        return "—"
    return "ok" if value < limit else "MISSED"


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "—"
    return "ok" if value <= limit else "MISSED"


def summarize(sizes: list[dict], companies: dict | None) -> tuple[list[list[str]], dict]:
    rows = [["", *[str(s["size"]) for s in sizes], "target"]]
    ratios: dict = {"sizes": [s["size"] for s in sizes]}

    def row(name: str, values: list, target: str = "", limit: float | None = None) -> None:
        if limit is not None:  # each size's verdict beside the target
            target += " (" + ", ".join(verdict(v, limit) for v in values) + ")"
        rows.append(
            [name, *["—" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v)) for v in values], target]
        )

    row("pages (engine)", [s.get("engine", {}).get("html_pages") for s in sizes])
    row("mkdocs build, CPU s", [s.get("engine", {}).get("cpu_s") for s in sizes])
    own_cold = [s.get("build_stages", {}).get("cold", {}).get("own", {}).get("cpu_s") for s in sizes]
    own_warm = [s.get("build_stages", {}).get("warm", {}).get("own", {}).get("cpu_s") for s in sizes]
    row("reglament build own stages, cold (no caches), CPU s", own_cold)
    row("reglament build own stages, warm (one clause changed), CPU s", own_warm)
    own_vs_cold = [ratio(v, s.get("engine", {}).get("cpu_s")) for v, s in zip(own_cold, sizes)]
    own_vs_warm = [ratio(v, s.get("engine", {}).get("cpu_s")) for v, s in zip(own_warm, sizes)]
    row("own / engine, cold build (no caches)", own_vs_cold, f"≤ {TARGETS['own_vs_engine']}", TARGETS["own_vs_engine"])
    row(
        "own / engine, warm build (one clause changed)",
        own_vs_warm,
        f"≤ {TARGETS['own_vs_engine']}",
        TARGETS["own_vs_engine"],
    )
    row("own stages in-process (uncached, as before), CPU s", [s["own_total"]["cpu_s"] for s in sizes])
    own_vs = [ratio(s["own_total"]["cpu_s"], s.get("engine", {}).get("cpu_s")) for s in sizes]
    row("own in-process (uncached) / engine", own_vs, "(the stages the engine's tree is written by)")
    row("after the engine, CPU s (forms+page pass+Pagefind)", [s.get("post_total", {}).get("cpu_s") for s in sizes])
    row("  of it Pagefind, CPU s", [s.get("post", {}).get("pagefind", {}).get("cpu_s") for s in sizes])
    own_post_vs = [
        ratio(s["own_total"]["cpu_s"] + s["post_total"]["cpu_s"], s.get("engine", {}).get("cpu_s"))
        if "post_total" in s
        else None
        for s in sizes
    ]
    row("(own + after the engine) / engine", own_post_vs, f"≤ {TARGETS['own_vs_engine']}", TARGETS["own_vs_engine"])
    own_post_search = [
        ratio(
            s["own_total"]["cpu_s"] + s["post_total"]["cpu_s"] - s["post"]["pagefind"]["cpu_s"],
            s.get("engine", {}).get("cpu_s"),
        )
        if "post_total" in s
        else None
        for s in sizes
    ]
    row("(own + after the engine, Pagefind apart) / engine", own_post_search, "(Pagefind stands for the search plugin)")
    e2e_vs = [ratio(s.get("e2e", {}).get("cpu_s"), s.get("engine", {}).get("cpu_s")) for s in sizes]
    row("reglament build / mkdocs build (CPU)", e2e_vs, f"≤ {TARGETS['e2e_vs_mkdocs']}", TARGETS["e2e_vs_mkdocs"])
    e2e_vs_wall = [ratio(s.get("e2e", {}).get("wall_s"), s.get("engine", {}).get("wall_s")) for s in sizes]
    row("reglament build / mkdocs build (wall)", e2e_vs_wall, f"≤ {TARGETS['e2e_vs_mkdocs']}", TARGETS["e2e_vs_mkdocs"])
    inc = [s.get("incremental") for s in sizes]
    row("build after one duty changed, incremental, wall s", [i["incremental"]["wall_s"] if i else None for i in inc])
    row("build after one duty changed, --full, wall s", [i["full"]["wall_s"] if i else None for i in inc])
    row(
        "  incremental / --full (wall)",
        [ratio(i["incremental"]["wall_s"], i["full"]["wall_s"]) if i else None for i in inc],
        "(the same site, byte for byte)",
    )
    row("mkdocs build with its search plugin, CPU s", [s.get("engine_search", {}).get("cpu_s") for s in sizes])
    e2e_vs_search = [ratio(s.get("e2e", {}).get("cpu_s"), s.get("engine_search", {}).get("cpu_s")) for s in sizes]
    row(
        "reglament build / mkdocs build with search (CPU)",
        e2e_vs_search,
        f"≤ {TARGETS['e2e_vs_mkdocs']} (both sites searchable)",
        TARGETS["e2e_vs_mkdocs"],
    )
    e2e_vs_search_wall = [
        ratio(s.get("e2e", {}).get("wall_s"), s.get("engine_search", {}).get("wall_s")) for s in sizes
    ]
    row(
        "reglament build / mkdocs build with search (wall)",
        e2e_vs_search_wall,
        f"≤ {TARGETS['e2e_vs_mkdocs']} (both sites searchable)",
        TARGETS["e2e_vs_mkdocs"],
    )
    row(
        "load average before / after reglament build",
        [" → ".join(str(x) for x in s["e2e"]["load"]) if "e2e" in s else None for s in sizes],
    )
    rebuild = [ratio(s.get("rebuild_no_change", {}).get("wall_s"), s.get("e2e", {}).get("wall_s")) for s in sizes]
    row("no-change rebuild / full build (wall)", rebuild, f"≤ {TARGETS['rebuild_vs_full']}")
    row(
        "check own time, CPU s (load+variant+check, collector paused as the command runs)",
        [s["check_own"]["cpu_s"] for s in sizes],
        f"≤ {TARGETS['check_s_at_10000']} at 10,000",
    )
    row(
        "check own time, CPU s (the in-process stages above, collector on)",
        [s.get("check_own_collector_on", {}).get("cpu_s") for s in sizes],
    )
    row("reglament check --no-cache, wall s (with start-up)", [s["check_cli"]["wall_s"] for s in sizes])
    for key, name in (
        ("cold", "cache cold"),
        ("warm", "cache warm"),
        ("one_file_changed", "one file changed"),
        ("one_text_changed", "one text changed"),
        ("one_clause_changed", "one clause changed"),
        ("one_definition_changed", "one definition changed"),
        ("one_definition_new_words", "one definition changed, new words"),
    ):
        row(
            f"reglament check, {name}, wall s",
            [s.get("check_cache", {}).get(key, {}).get("wall_s") for s in sizes],
            f"≤ {TARGETS['check_one_changed_wall_s']} at 10,000" if key.startswith("one_") else "",
        )
        row(f"reglament check, {name}, CPU s", [s.get("check_cache", {}).get(key, {}).get("cpu_s") for s in sizes])
    row("load, cached (warm), CPU s", [s["own"].get("load_cache_warm", {}).get("cpu_s") for s in sizes])
    row("load, uncached, CPU s", [s["own"]["load"]["cpu_s"] for s in sizes])
    growth = [None] + [ratio(b["check_own"]["cpu_s"], a["check_own"]["cpu_s"]) for a, b in zip(sizes, sizes[1:])]
    row("check growth per ×10", growth, f"≤ {TARGETS['growth_x10']}")
    spp = [s.get("engine", {}).get("s_per_page") for s in sizes]
    row("engine CPU s per page", spp)
    spp_growth = [None] + [ratio(b, a) for a, b in zip(spp, spp[1:])]
    row("engine s/page growth", spp_growth, "flat (×10 pages ≤ ×11 time)")
    row("engine KB per page", [(s.get("engine", {}).get("html_bytes_per_page") or 0) // 1024 or None for s in sizes])
    row("largest page, KB", [s.get("engine", {}).get("largest_page_kb") for s in sizes])
    row("diff beyond loading, CPU s", [s.get("diff", {}).get("compare_cpu_s") for s in sizes], f"≤ {TARGETS['diff_s']}")
    row("peak MB: own stages", [s["own"]["process_peak_mb"] for s in sizes])
    row("peak MB: reglament check", [s["check_cli"]["peak_mb"] for s in sizes])
    row("peak MB: mkdocs build", [s.get("engine", {}).get("peak_mb") for s in sizes])
    row("peak MB: reglament build", [s.get("e2e", {}).get("peak_mb") for s in sizes])
    ratios.update(
        {
            "own_vs_engine": own_vs,
            "own_vs_engine_build_cold": own_vs_cold,
            "own_vs_engine_build_warm": own_vs_warm,
            "e2e_vs_mkdocs_cpu": e2e_vs,
            "e2e_vs_mkdocs_wall": e2e_vs_wall,
            "e2e_vs_mkdocs_search_cpu": e2e_vs_search,
            "e2e_vs_mkdocs_search_wall": e2e_vs_search_wall,
            "own_post_without_pagefind_vs_engine": own_post_search,
            "rebuild_vs_full": rebuild,
            "check_growth": growth,
            "engine_s_per_page_growth": spp_growth,
        }
    )
    if companies:
        ratios["companies_rebuild_vs_full"] = ratio(
            companies["rebuild_no_change"]["wall_s"], companies["full"]["wall_s"]
        )
        ratios["companies_jobs2_vs_jobs1"] = ratio(companies["full_jobs2"]["wall_s"], companies["full"]["wall_s"])
    ratios["own_post_vs_engine"] = own_post_vs
    return rows, ratios


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) if i < len(r) - 1 else cell
                for i, (cell, w) in enumerate(zip(r, widths))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import material
    import mkdocs

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "mkdocs": mkdocs.__version__,
        "material": getattr(material, "__version__", ""),
        "load_average_at_start": os.getloadavg()[0],
    }


def bench_ack(employees: int) -> dict | None:
    """The acknowledgement service's load benchmark in its own process (its own PostgreSQL server)."""
    print(f"\n== acknowledgement service: {employees} employees × 3 regulations", flush=True)
    out = OUT / "ack.json"
    OUT.mkdir(parents=True, exist_ok=True)
    run = measured([sys.executable, str(HERE / "ack_load.py"), "--employees", str(employees), "--json", str(out)])
    if not out.is_file():
        print(f"  ack_load.py failed (exit {run['exit']})")
        return None
    return {"results": json.loads(out.read_text(encoding="utf-8")), "report": run["stdout"].strip()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="100,1000,10000", help="clause counts, comma-separated (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--companies",
        type=int,
        default=5,
        help="company profiles for the all-companies build at the middle size (0: skip)",
    )
    parser.add_argument(
        "--skip-engine-above",
        type=int,
        default=10**9,
        help="no engine and end-to-end builds above this size (quick runs)",
    )
    parser.add_argument("--no-diff", action="store_true", help="skip the diff benchmark")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the own stages and of reglament check; the least CPU time counts"
    )
    parser.add_argument(
        "--ack-employees",
        type=int,
        default=5000,
        help="acknowledgement service load (benchmarks/ack_load.py): employees × 3 regulations on SQLite and "
        "PostgreSQL (0: skip)",
    )
    parser.add_argument(
        "--preview-sizes",
        default="sample,1000",
        help="the live preview's edit latency in Chromium (benchmarks/bench_preview.py) on these projects ('': skip)",
    )
    parser.add_argument("--worker-stages", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-check", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-postbuild", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_stages:
        _worker_stages(args.worker_stages)
        return
    if args.worker_check:
        _worker_check(args.worker_check)
        return
    if args.worker_postbuild:
        _worker_postbuild(*args.worker_postbuild)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    # bytecode written first, as an installed package has it: with PYTHONDONTWRITEBYTECODE set and sources newer than
    # their bytecode (a fresh merge), every timed `reglament` run would compile those modules again (~0.05-0.1 s)
    compileall.compile_dir(REPO / "generator" / "reglament", quiet=1)
    started = time.time()
    info = machine()
    print(
        f"reglament benchmarks — {info['cpu']} × {info['cores']}, Python {info['python']}, "
        f"MkDocs {info['mkdocs']}, Material {info['material']}; load average {info['load_average_at_start']:.1f}"
    )
    results = [
        bench_size(
            size, seed=args.seed, engine=size <= args.skip_engine_above, diff=not args.no_diff, repeat=args.repeat
        )
        for size in sizes
    ]
    companies = None
    if args.companies:
        middle = sizes[len(sizes) // 2]
        companies = bench_companies(middle, args.companies, seed=args.seed)
    ack = bench_ack(args.ack_employees) if args.ack_employees else None
    preview = None
    if args.preview_sizes:
        import bench_preview

        print("\n== live preview: edit → new text in Chromium's DOM", flush=True)
        preview = bench_preview.run(args.preview_sizes.split(","), seed=args.seed)
    rows, ratios = summarize(results, companies)
    print()
    print_table(rows)
    if preview:
        print()
        print_table(bench_preview.rows(preview))
    if ack:
        print("\n" + ack["report"])
    if companies:
        print(
            f"\n{companies['companies']} companies at {companies['size']} clauses: build --all-companies "
            f"--jobs 1 {companies['full']['wall_s']:.1f} s, --jobs 2 {companies['full_jobs2']['wall_s']:.1f} s "
            f"(ratio {ratios['companies_jobs2_vs_jobs1']}, target < {TARGETS['companies_jobs2_vs_jobs1']}, "
            f"{verdict_lt(ratios['companies_jobs2_vs_jobs1'], TARGETS['companies_jobs2_vs_jobs1'])}); "
            f"no-change rebuild {companies['rebuild_no_change']['wall_s']:.2f} s "
            f"(ratio {ratios['companies_rebuild_vs_full']}, target ≤ {TARGETS['rebuild_vs_full']})"
        )
    last = results[-1]
    if "engine" in last:
        print(
            f"\nRerun the engine alone on the same tree: NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build -q "
            f"-f {last['root']}/build/default/mkdocs.yml -d /tmp/plain-site"
        )
    record = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.time() - started),
        "machine": info,
        "targets": TARGETS,
        "ratios": ratios,
        "sizes": results,
        "companies": companies,
        "ack": ack and ack["results"],
        "preview": preview,
        "table": rows,
    }
    RESULTS.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
