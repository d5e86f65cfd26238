"""The largest pages of a generated site, split (as built) and unsplit, side by side.

    python benchmarks/page_sizes.py [--sizes 1000,10000] [--seed 1] [--engine]

For each size the corpus (``corpus.py``) is rendered in-process twice: as
``reglament build`` renders it (a large glossary on a page per letter, a large
RACI matrix on a page per regulation) and with splitting turned off (the whole
glossary and the whole matrix on one page each, as before issue 17.3). It prints
the largest Markdown pages of each and checks the target: no page over 500 KB
at 10,000 clauses. ``--engine`` also builds the split tree with MkDocs and
reports the largest HTML page (slow at 10,000: ~2 minutes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "generator"), str(HERE)]

from corpus import generate  # noqa: E402
from reglament.project import check_project  # noqa: E402
from reglament.render import views  # noqa: E402
from reglament.render.pages import render  # noqa: E402

#: the target of issue 17.3
LIMIT_KB = 500


def largest(pages: dict[str, str], n: int = 3) -> list[tuple[float, str]]:
    return sorted(((len(text.encode("utf-8")) / 1024, path) for path, text in pages.items()), reverse=True)[:n]


def render_tree(root: Path, *, split: bool) -> dict[str, str]:
    saved = views.GLOSSARY_PAGE_WEIGHT, views.RACI_PAGE_ROWS
    if not split:
        views.GLOSSARY_PAGE_WEIGHT = views.RACI_PAGE_ROWS = sys.maxsize
    try:
        checked = check_project(root)
        return render(checked.content, REPO / "templates").pages
    finally:
        views.GLOSSARY_PAGE_WEIGHT, views.RACI_PAGE_ROWS = saved


def engine_largest(root: Path, out: Path) -> tuple[float, str]:
    """Build the project with `reglament build` (MkDocs) and return the largest HTML page."""
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(REPO / "templates", root / "templates")
    exe = Path(sys.executable).with_name("reglament")
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator"), "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [str(exe), "build", "--root", str(root), "--out", str(out)], check=True, env=env, capture_output=True
    )
    pages = [p for p in out.rglob("*.html") if p.name != "404.html"]
    page = max(pages, key=lambda p: p.stat().st_size)
    return page.stat().st_size / 1024, page.relative_to(out).as_posix()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engine", action="store_true", help="also build with MkDocs and report the largest HTML page")
    args = ap.parse_args(argv)
    failed = False
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"pages-{size}-") as tmp:
            root = Path(tmp) / "project"
            generate(clauses=size, seed=args.seed).write(root)
            split, whole = render_tree(root, split=True), render_tree(root, split=False)
            print(f"\n== {size} clauses: {len(split)} Markdown pages split, {len(whole)} unsplit")
            print(f"{'split (as built)':<44}{'unsplit (one glossary, one RACI page)':<44}")
            for (a_kb, a), (b_kb, b) in zip(largest(split), largest(whole)):
                print(f"{a_kb:8.1f} KB  {a:<32}{b_kb:8.1f} KB  {b}")
            top = largest(split, 1)[0][0]
            verdict = "ok" if top <= LIMIT_KB else "MISSED"
            print(f"largest page {top:.1f} KB vs target ≤ {LIMIT_KB} KB: {verdict}")
            failed |= top > LIMIT_KB
            if args.engine:
                kb, page = engine_largest(root, Path(tmp) / "site")
                print(f"largest built HTML page: {kb:.1f} KB ({page})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
