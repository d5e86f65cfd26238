"""Search in a real Chromium: Pagefind (today's search) beside the lunr index it replaced, at three sizes.

    python benchmarks/bench_search.py [--sizes 100,1000,10000] [--seed 1] [--queries заявкам,менеджер]
                                      [--repeat 3] [--typing-ms 150] [--no-lunr] [--reuse [--client JS]]

For each size the corpus (``benchmarks/corpus.py``) is generated and rendered
once; the same docs tree is then built twice:

* **pagefind** — ``reglament build`` (Zensical, the fastest engine; the search
  is the same on every engine) with Pagefind's index and the search box of
  ``templates/assets/reglament-search.js``;
* **lunr** — MkDocs + Material with Material's own ``search`` plugin
  (``lang: [ru, en]``, the Russian stemmer), as the site was built before.

Each site is served by a local ``http.server`` (no compression, no caching
headers: every page is a fresh browser context with an empty cache).

**First result** is the first result of the query now in the box rendered in
the DOM, in milliseconds after the last keystroke, both taken in the page
(``performance.now()``: a ``keydown``/``input`` listener and a
``MutationObserver`` installed before the page's own scripts). Pagefind is
measured in four scenarios (``SCENARIOS``): *cold* — the query typed (keys
``--typing-ms`` apart) as soon as the page's load event fired; *paste* — the
query pasted in one go right after the load event, the worst case for
start-up; *idle* — typed once the page is idle and Pagefind has started (its
``rg-search:ready`` mark); *second* — a second query on the same page. The
figure is the median of ``--repeat`` fresh pages (all of them in the JSON).

**KB** are every search file the page fetched from opening until all results
of the (last) query were shown — Pagefind's script, worker, wasm, metadata,
the index chunks and excerpts of every query typed letter by letter on the
way — as served, and gzip-compressed as a server would send them. lunr: the
query pasted on a cold page (its whole index must be downloaded and built
first). The default queries: «заявкам» (inflected) and «менеджер», a word on
nearly every page (its own stem, so lunr, which never stems a query, finds it
too; and the costliest kind of query for Pagefind's wasm).

The start-up parts (script, worker, wasm and its compile time, the index
metadata that grows with the pages, filters, chunk and fragment sizes) are
printed per size. Targets from the engines issue are printed beside the
figures: ≤ 300 KB transferred and ≤ 300 ms to the first result at 10,000
clauses, flat as the site grows. ``--reuse`` keeps sites built by an earlier
run and puts ``--client`` (default: today's script) into them, to compare
search scripts on the same index.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import os
import shutil
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "generator"))
sys.path.insert(0, str(HERE))

from chromium import launch_chromium  # noqa: E402

TARGET_KB = 300
TARGET_MS = 300
SECOND_QUERY = "отдела"
CLIENT = REPO / "templates" / "assets" / "reglament-search.js"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def build_sites(root: Path, *, lunr: bool = True) -> tuple[Path, Path, dict]:
    """The project at ``root`` built with Pagefind (reglament) and with lunr (Material's search plugin)."""
    from reglament.project import check_project
    from reglament.site.build import build
    from reglament.site.engines.mkdocs import MkDocsEngine

    checked = check_project(root)
    pagefind_site = root / "site-pagefind"
    started = time.monotonic()
    built = build(root, pagefind_site, checked=checked, stage=root / "build" / "pagefind", engine="zensical")
    assert built.ok, [str(d) for d in built.diagnostics if d.severity == "error"][:5]
    seconds = {"pagefind_build_s": round(time.monotonic() - started, 1)}
    lunr_site = root / "site-lunr"
    if not lunr:
        return pagefind_site, lunr_site, seconds
    # lunr: the same docs tree, built by MkDocs with Material's search plugin switched back on
    stage = root / "build" / "pagefind"
    config = json.loads((stage / "mkdocs.yml").read_text(encoding="utf-8")) if (stage / "mkdocs.yml").exists() else None
    if config is None:
        from reglament.site.build import escape_nav
        from reglament.site.engines.base import SiteSpec

        nav = json.loads((stage / "zensical.yml").read_text(encoding="utf-8"))["nav"]
        spec = SiteSpec(root=root, docs_dir=stage / "docs", site_dir=lunr_site, nav=escape_nav(nav))
        config_path = MkDocsEngine().configure(spec, stage)
        config = json.loads(config_path.read_text(encoding="utf-8"))
    config["site_dir"] = str(lunr_site)
    config["plugins"] = [{"search": {"lang": ["ru", "en"], "pipeline": ["stemmer", "stopWordFilter", "trimmer"]}}]
    config["theme"]["features"] = ["navigation.sections", "content.tooltips"]
    (stage / "lunr.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    started = time.monotonic()
    MkDocsEngine().build(stage / "lunr.yml", None)  # type: ignore[arg-type]
    seconds["lunr_build_s"] = round(time.monotonic() - started, 1)
    return pagefind_site, lunr_site, seconds


# In the page before any of its scripts: the time of every keystroke, and when the first result of the
# query now in the box appears in the DOM (performance.now(), the page's own clock).
PROBE = """
window.__bench = {keys: [], shown: []};
addEventListener('keydown', () => __bench.keys.push(performance.now()), true);
addEventListener('input', () => __bench.keys.push(performance.now()), true);
new MutationObserver(records => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType !== 1) continue;
    if (n.matches(SELECTOR) || n.querySelector(SELECTOR)) {
      const box = document.querySelector(BOX);
      __bench.shown.push([performance.now(), box ? box.value : '']);
      return;
    }
  }
}).observe(document, {childList: true, subtree: true});
"""
# (the search box, the query's answer in the DOM — Pagefind: the panel's «Найдено: …» or «Ничего не найдено» line,
# added with the best result —, all results shown)
SELECTORS = {
    "pagefind": ("input.rg-search__input", ".rg-search__meta", '.rg-search__results[data-state="done"]'),
    "lunr": ("input.md-search__input", ".md-search-result__item", ".md-search-result__item"),
}
SCENARIOS = {
    "cold": "typed at once after the load event (the reader's first keystroke right after the page appears)",
    "paste": "pasted in one go right after the load event (no typing time to hide the start-up behind)",
    "idle": "typed once the page is idle (network quiet; Pagefind started in the idle time)",
    "second": "a second query typed on the same page after the first",
}


def _first_shown(bench: dict, query: str) -> float:
    """Milliseconds from the last keystroke to the first result of ``query`` in the DOM."""
    last = bench["keys"][-1]
    shown = [t for t, value in bench["shown"] if t >= last and value.strip() == query]
    return shown[0] - last


def measure(browser, base: str, site: Path, *, kind: str, query: str, scenario: str, typing_ms: int) -> dict:
    """One query on a fresh page (empty cache) in ``scenario``; the bytes of every search file fetched and the time
    from the last keystroke to the first result rendered in the DOM."""
    box, item, done = SELECTORS[kind]
    context = browser.new_context(locale="ru-RU", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(PROBE.replace("SELECTOR", json.dumps(item)).replace("BOX", json.dumps(box)))
    searched: list = []

    def record(request) -> None:
        url = request.url
        if (kind == "pagefind" and "/pagefind/" in url) or (
            kind == "lunr" and ("/search/" in url or "lunr" in url or "workers/search" in url)
        ):
            searched.append(request)

    page.on("requestfinished", record)
    page.goto(base, wait_until="load")
    if scenario in ("idle", "second"):
        page.wait_for_load_state("networkidle")
        if kind == "pagefind":  # Pagefind started in the idle time (a client without the mark: 5 s of idle)
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function("performance.getEntriesByName('rg-search:ready').length > 0", timeout=5000)
    field = page.locator(box)
    field.click()
    if scenario == "paste" or kind == "lunr":
        field.fill(query)
        if kind == "lunr":
            page.keyboard.press("End")  # Material searches on keyup
    else:
        page.keyboard.type(query, delay=typing_ms)
    page.wait_for_function("q => __bench.shown.some(s => s[1].trim() === q)", arg=query, timeout=180000)
    ms = _first_shown(page.evaluate("__bench"), query)
    page.wait_for_selector(done, timeout=180000)
    page.wait_for_load_state("networkidle")
    if scenario == "second":
        first = len(searched)
        page.evaluate("__bench.keys = []; __bench.shown = []")
        field.fill("")
        page.keyboard.type(SECOND_QUERY, delay=typing_ms)
        page.wait_for_function("q => __bench.shown.some(s => s[1].trim() === q)", arg=SECOND_QUERY, timeout=60000)
        ms = _first_shown(page.evaluate("__bench"), SECOND_QUERY)
        page.wait_for_load_state("networkidle")
        searched = searched[first:]
    shown = page.eval_on_selector_all(
        ".rg-search__link.rg-search__page" if kind == "pagefind" else ".md-search-result__link",
        "links => links.map(a => [new URL(a.href).pathname + new URL(a.href).hash, (a.querySelector('.rg-search__title') || a).textContent.trim()])",
    )
    origin = page.evaluate("performance.timeOrigin")
    marks = page.evaluate("performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)])")
    context.close()
    files: dict[str, int] = {}
    timeline = []
    for request in searched:
        name = request.url.split(base, 1)[1].split("?")[0]
        path = site / name
        size = path.stat().st_size if path.is_file() else 0
        files[name] = files.get(name, 0) + size
        start = request.timing["startTime"] - origin
        timeline.append((round(start), round(start + request.timing["responseEnd"]), name, size))
    raw = sum(files.values())
    gz = sum(len(gzip.compress((site / f).read_bytes(), 6)) for f in files if (site / f).is_file())
    return {
        "first_result_ms": round(ms),
        "requests": len(searched),
        "kb": round(raw / 1024, 1),
        "kb_gzip": round(gz / 1024, 1),
        "fragments": sum(1 for f in files if "/fragment/" in f),
        "results": shown[:10],
        "timeline": sorted(timeline),
        "marks": marks,
    }


def startup(browser, base: str, site: Path) -> dict:
    """Pagefind's start-up parts on this machine: the files it fetches before the first query, the wasm's compile
    time and the index metadata's size (it grows with the pages)."""
    bundle = site / "pagefind"
    meta = next(bundle.glob("pagefind.*.pf_meta"))
    context = browser.new_context()
    page = context.new_page()
    page.goto(base, wait_until="load")
    compile_ms = page.evaluate(
        """async () => {
        const raw = await (await fetch('pagefind/wasm.ru.pagefind')).arrayBuffer();
        const plain = await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip')))
          .arrayBuffer();
        const bytes = new Uint8Array(plain).slice(12);  // Pagefind's 'pagefind_dcd' signature
        const times = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now(); await WebAssembly.compile(bytes); times.push(performance.now() - t);
        }
        return times.sort((a, b) => a - b)[2];
    }"""
    )
    context.close()
    return {
        "pages": json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]["ru"][
            "page_count"
        ],
        "meta_kb": round(meta.stat().st_size / 1024, 1),
        "meta_kb_plain": round(len(gzip.decompress(meta.read_bytes())) / 1024, 1),
        "wasm_kb": round((bundle / "wasm.ru.pagefind").stat().st_size / 1024, 1),
        "js_kb": round((bundle / "pagefind.js").stat().st_size / 1024, 1),
        "worker_kb": round((bundle / "pagefind-worker.js").stat().st_size / 1024, 1),
        "filters": len(list((bundle / "filter").glob("*"))) if (bundle / "filter").is_dir() else 0,
        "wasm_compile_ms": round(compile_ms, 1),
        "index_chunks": len(list((bundle / "index").glob("*"))),
        "index_chunk_kb_max": round(max(p.stat().st_size for p in (bundle / "index").glob("*")) / 1024, 1),
        "fragment_kb_avg": round(
            sum(p.stat().st_size for p in (bundle / "fragment").glob("*"))
            / max(1, len(list((bundle / "fragment").glob("*"))))
            / 1024,
            1,
        ),
        "fragment_kb_max": round(max(p.stat().st_size for p in (bundle / "fragment").glob("*")) / 1024, 1),
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median first-result time (its bytes and timeline), with the spread beside it."""
    ordered = sorted(runs, key=lambda r: r["first_result_ms"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["first_result_ms_all"] = [r["first_result_ms"] for r in runs]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", default="заявкам,менеджер", help="Pagefind's queries (lunr: the last one)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--repeat", type=int, default=3, help="fresh pages per figure; the median is reported")
    parser.add_argument("--typing-ms", type=int, default=150, help="between keystrokes when typing")
    parser.add_argument("--no-lunr", action="store_true", help="leave out the lunr site (its build is slow)")
    parser.add_argument("--reuse", action="store_true", help="keep sites already built in benchmarks/out/")
    parser.add_argument("--client", type=Path, default=CLIENT, help="the search script put into a reused site")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from playwright.sync_api import sync_playwright

    from run import OUT, prepare

    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    rows = []
    load = os.getloadavg()[0]
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for size in [int(s) for s in args.sizes.split(",")]:
            root = OUT / str(size)
            if args.reuse and (root / "site-pagefind" / "pagefind").is_dir():
                pagefind_site, lunr_site, seconds = root / "site-pagefind", root / "site-lunr", {}
                shutil.copy(args.client, pagefind_site / "assets" / CLIENT.name)
            else:
                root, _ = prepare(size, seed=args.seed, companies=0)
                pagefind_site, lunr_site, seconds = build_sites(root, lunr=not args.no_lunr)
            row: dict = {"clauses": size, **seconds, "pagefind": {}, "lunr": None}
            server, base = serve(pagefind_site)
            try:
                row["startup"] = startup(browser, base, pagefind_site)
                for query in queries:
                    for scenario in scenarios:
                        runs = [
                            measure(
                                browser,
                                base,
                                pagefind_site,
                                kind="pagefind",
                                query=query,
                                scenario=scenario,
                                typing_ms=args.typing_ms,
                            )
                            for _ in range(args.repeat)
                        ]
                        row["pagefind"][f"{query}/{scenario}"] = median_run(runs)
            finally:
                server.shutdown()
                server.server_close()
            if (lunr_site / "index.html").is_file() and not args.no_lunr:
                server, base = serve(lunr_site)
                try:
                    runs = [
                        measure(browser, base, lunr_site, kind="lunr", query=queries[-1], scenario="paste", typing_ms=0)
                        for _ in range(args.repeat)
                    ]
                    row["lunr"] = median_run(runs)
                finally:
                    server.shutdown()
                    server.server_close()
            rows.append(row)
            brief = {k: (v["first_result_ms"], v["kb"]) for k, v in row["pagefind"].items()}
            print(
                json.dumps({"clauses": size, "startup": row["startup"], "pagefind ms, KB": brief}, ensure_ascii=False)
            )
        browser.close()
    report(rows, queries, scenarios, args, load)
    (HERE / "results-search.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


def report(rows: list[dict], queries: list[str], scenarios: list[str], args, load: float) -> None:
    print(
        f"\nfirst result = the first result of the query in the box rendered in the DOM, in milliseconds after the "
        f"last keystroke (the page's performance.now(); keys {args.typing_ms} ms apart); median of {args.repeat} fresh "
        f"pages; KB = every search file fetched from opening the page until all results of the query are shown, as "
        f"served (gzip -6 of each file in brackets). Load average at the start: {load:.2f}. "
        f"Target at 10,000 clauses: ≤ {TARGET_KB} KB and ≤ {TARGET_MS} ms."
    )
    for name in scenarios:
        print(f"  {name}: {SCENARIOS[name]}")
    print(f"  second: «{SECOND_QUERY}» after the first query; its KB are its own files only")
    for query in queries:
        print(f"\nPagefind, «{query}»")
        print(f"{'clauses':>8} | " + " | ".join(f"{s + ' ms':>9} {s + ' KB (gzip)':>22}" for s in scenarios))
        for r in rows:
            cells = []
            for s in scenarios:
                m = r["pagefind"][f"{query}/{s}"]
                cells.append(f"{m['first_result_ms']:>9} {m['kb']:>10} ({m['kb_gzip']:>7}) ")
            print(f"{r['clauses']:>8} | " + " | ".join(cells))
    if any(r["lunr"] for r in rows):
        print(f"\nlunr (Material's search, the old site), «{queries[-1]}» pasted on a cold page")
        print(f"{'clauses':>8} | {'ms':>7} | {'KB (gzip)':>22} | lunr/Pagefind KB (gzip, cold)")
        for r in rows:
            lu = r["lunr"]
            if not lu:
                continue
            pf = r["pagefind"].get(f"{queries[-1]}/cold") or next(iter(r["pagefind"].values()))
            ratio = lu["kb_gzip"] / pf["kb_gzip"] if pf["kb_gzip"] else float("nan")
            print(
                f"{r['clauses']:>8} | {lu['first_result_ms']:>7} | {lu['kb']:>10} ({lu['kb_gzip']:>8}) | {ratio:.1f}×"
            )
    print("\nPagefind start-up parts (fetched before the first query; the worker also compiles the wasm)")
    for r in rows:
        st = r["startup"]
        print(
            f"{r['clauses']:>8} | {st['pages']} pages, pagefind.js {st['js_kb']} KB, worker {st['worker_kb']} KB, "
            f"wasm {st['wasm_kb']} KB (compile {st['wasm_compile_ms']} ms), metadata {st['meta_kb']} KB "
            f"({st['meta_kb_plain']} KB unpacked), {st['filters']} filters, {st['index_chunks']} index chunks "
            f"(largest {st['index_chunk_kb_max']} KB), fragments {st['fragment_kb_avg']} KB on average "
            f"(largest {st['fragment_kb_max']} KB)"
        )
    print("\nThe best results shown (paste, median run): title, address")
    for r in rows:
        for query in queries:
            m = r["pagefind"].get(f"{query}/paste") or r["pagefind"].get(f"{query}/{scenarios[0]}")
            if m:
                print(f"{r['clauses']:>8} «{query}»: " + " | ".join(f"{t} ({u})" for u, t in m["results"][:5]))


if __name__ == "__main__":
    main()
