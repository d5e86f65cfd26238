"""Search in a real Chromium: Pagefind (today's search) beside the lunr index it replaced, at three sizes.

    python benchmarks/bench_search.py [--sizes 100,1000,10000] [--seed 1] [--query менеджер]

For each size the corpus (``benchmarks/corpus.py``) is generated and rendered
once; the same docs tree is then built twice:

* **pagefind** — ``reglament build`` (Zensical, the fastest engine; the search
  is the same on every engine) with Pagefind's index and the search box of
  ``templates/assets/reglament-search.js``;
* **lunr** — MkDocs + Material with Material's own ``search`` plugin
  (``lang: [ru, en]``, the Russian stemmer), as the site was built before.

The default query, «менеджер», is its own stem and frequent in the corpus:
Material's lunr turns every query word into a prefix query that its stemmer
never sees (the old site stemmed the query in the page first), so a word that
is its own stem is answered alike by both searches.
Each site is served by a local ``http.server``; a fresh Chromium page opens
the home page, types the query at once and waits for the first result. It
records every search request (Pagefind: ``/pagefind/…``; lunr: the index, the
worker and the lunr language files): bytes as served (http.server does not
compress) and as gzip would send them, and the milliseconds from typing to
the first result shown (a cold page: lunr must download and build its whole
index first; Pagefind loads only the chunks the query needs). Targets from the
engines issue are printed beside the figures: ≤ 300 KB transferred and
≤ 300 ms to the first result at 10,000 clauses, flat as the site grows.
"""

from __future__ import annotations

import argparse
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

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "generator"))
sys.path.insert(0, str(HERE))

TARGET_KB = 300
TARGET_MS = 300
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def build_sites(root: Path) -> tuple[Path, Path, dict]:
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
    # lunr: the same docs tree, built by MkDocs with Material's search plugin switched back on
    stage = root / "build" / "pagefind"
    lunr_site = root / "site-lunr"
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


def measure(browser, base: str, site: Path, *, kind: str, query: str) -> dict:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    searched: list[str] = []

    def record(response) -> None:
        url = response.url
        if (kind == "pagefind" and "/pagefind/" in url) or (
            kind == "lunr" and ("/search/" in url or "lunr" in url or "workers/search" in url)
        ):
            searched.append(url)

    page.on("response", record)
    page.goto(base, wait_until="load")
    if kind == "pagefind":
        box, result = "input.rg-search__input", '.rg-search__results[data-state="done"] .rg-search__link'
    else:
        box, result = "input.md-search__input", ".md-search-result__item"
    page.locator(box).click()
    started = time.monotonic()
    page.locator(box).fill(query)
    if kind == "lunr":
        page.locator(box).press("End")
    page.wait_for_selector(result, timeout=120000)
    ms = (time.monotonic() - started) * 1000
    page.wait_for_load_state("networkidle")
    first = list(searched)  # the bytes of the first query (the second one's chunks are not counted)
    warm = None
    if kind == "pagefind":  # a second query once Pagefind is loaded: the per-query cost as the site grows
        started = time.monotonic()
        page.locator(box).fill("отдела")
        page.wait_for_selector(result, timeout=120000)
        warm = round((time.monotonic() - started) * 1000)
    page.wait_for_load_state("networkidle")
    context.close()
    files = {u.split(base, 1)[1].split("?")[0] for u in first}
    raw = sum((site / f).stat().st_size for f in files if (site / f).is_file())
    gz = sum(len(gzip.compress((site / f).read_bytes(), 6)) for f in files if (site / f).is_file())
    return {
        "requests": len(files),
        "kb": round(raw / 1024, 1),
        "kb_gzip": round(gz / 1024, 1),
        "first_result_ms": round(ms),
        "second_query_ms": warm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--query", default="менеджер")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from playwright.sync_api import sync_playwright

    from run import prepare

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size in [int(s) for s in args.sizes.split(",")]:
            root, _ = prepare(size, seed=args.seed, companies=0)
            pagefind_site, lunr_site, seconds = build_sites(root)
            row = {"clauses": size, **seconds}
            for kind, site in (("pagefind", pagefind_site), ("lunr", lunr_site)):
                server, base = serve(site)
                try:
                    row[kind] = measure(browser, base, site, kind=kind, query=args.query)
                finally:
                    server.shutdown()
                    server.server_close()
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        browser.close()
    print(f"\nquery «{args.query}», cold page, first result; target: ≤ {TARGET_KB} KB and ≤ {TARGET_MS} ms at 10,000")
    print("pagefind: the first query on a cold page (loads Pagefind, its wasm and the chunks), then a second query")
    print(
        f"{'clauses':>8} | {'pagefind KB (gzip)':>19} | {'ms':>6} | {'2nd ms':>6} | {'lunr KB (gzip)':>19} | {'ms':>6} | KB"
    )
    for r in rows:
        pf, lu = r["pagefind"], r["lunr"]
        ratio = lu["kb_gzip"] / pf["kb_gzip"] if pf["kb_gzip"] else float("nan")
        print(
            f"{r['clauses']:>8} | {pf['kb']:>9} ({pf['kb_gzip']:>7}) | {pf['first_result_ms']:>6} | "
            f"{pf['second_query_ms']!s:>6} | {lu['kb']:>9} ({lu['kb_gzip']:>7}) | {lu['first_result_ms']:>6} | lunr/pagefind {ratio:.1f}×"
        )
    (HERE / "results-search.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
