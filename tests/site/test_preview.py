"""The incremental live preview: an edit rebuilds exactly the pages it shows on, and the result is the site a
full build makes. In-process (the preview and MkDocs' real dirty builds, no server) and through a real
`reglament serve` driven by Chromium."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import REPO, Server, launch_chromium
from reglament.site.engines.mkdocs import LiveBuilder, Rebuild, html_stamps
from reglament.site.postbuild import html_path
from reglament.site.preview import Preview
from reglament.site.tree_sync import files_of, sync

pytestmark = pytest.mark.slow

CRM_OLD = "Корпоративная информационная система (Битрикс24)"
CRM_NEW = "Корпоративная информационная система (Битрикс24, облачная версия)"
UNRELATED = "roles/director.md"  # the sample's director page mentions no CRM


def sample(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Rig:
    """One preview and its engine, built step by step as `reglament serve` does after each change."""

    def __init__(self, root: Path, site: Path) -> None:
        self.lines: list[str] = []
        site.mkdir(parents=True)
        self.preview = Preview(
            root=root,
            stage=root / "build" / "serve",
            site_dir=site,
            report=self.lines.append,
            scratch=site.parent / "f",
        )
        self.live = LiveBuilder(site, "http://127.0.0.1:8000/")

    @property
    def site(self) -> Path:
        return self.preview.site_dir

    def run(self) -> Rebuild | None:
        plan = self.preview.prepare()
        if plan is not None:
            with self.preview.lock:
                self.preview.finish(self.site, self.live.build(plan))
        return plan


def contents(folder: Path) -> dict[str, bytes]:
    return {rel: path.read_bytes() for rel, path in files_of(folder).items()}


def mtimes(folder: Path) -> dict[str, int]:
    return {rel: path.stat().st_mtime_ns for rel, path in files_of(folder).items()}


def test_an_edited_term_rebuilds_the_pages_showing_it_and_no_other(tmp_path):
    root = sample(tmp_path)
    rig = Rig(root, tmp_path / "serve" / "site")
    first = rig.run()
    assert first is not None and first.full
    pages = html_stamps(rig.site)
    assert set(rig.preview.rebuilt) == set(pages) and len(pages) > 10
    docs = rig.preview.docs
    docs_before, docs_times = contents(docs), mtimes(docs)
    outside_before = {p for p in files_of(root) if not p.startswith(("build/serve/", ".reglament-cache/"))}

    edit(root / "content/glossary.yml", CRM_OLD, CRM_NEW)
    plan = rig.run()
    assert plan is not None and not plan.full

    # the docs files written are exactly those whose rendered bytes changed: the pages showing the definition as
    # text (the glossary, the regulations' terms parts), not the pages whose links' tooltips alone carry it (a
    # link's title is a marker in the Markdown) — and only their modification times moved
    docs_after = contents(docs)
    changed = {rel for rel in docs_after if docs_after[rel] != docs_before.get(rel)}
    assert set(rig.preview.written.written) == changed
    assert changed == {"glossary.md", "sales-manager/index.md", "incoming-requests/index.md"}
    assert {rel for rel, t in mtimes(docs).items() if t != docs_times[rel]} == changed

    # the engine wrote the HTML of exactly those pages (and its 404 page, which it renders on every build)
    rebuilt = {html_path(rel, directory_urls=True) for rel in changed}
    assert set(rig.preview.rebuilt) == rebuilt | {"404.html"}
    after = html_stamps(rig.site)
    untouched = set(pages) - set(rig.preview.rebuilt)
    assert html_path(UNRELATED, directory_urls=True) in untouched
    assert after[html_path(UNRELATED, directory_urls=True)] == pages[html_path(UNRELATED, directory_urls=True)]
    assert any(f"rebuilt {len(rebuilt) + 1} of {len(pages)} pages" in line for line in rig.lines), rig.lines

    # the pages the engine did not rebuild whose links carry the term got the new tooltip, and no other page
    carriers = {rel for rel in untouched if 'data-rg-tip="crm"' in (rig.site / rel).read_text(encoding="utf-8")}
    assert {"roles/manager/index.html", "index.html"} <= carriers
    assert html_path(UNRELATED, directory_urls=True) not in carriers
    assert set(rig.preview.refilled) == carriers
    assert f"tooltips refreshed on {len(carriers)} more" in rig.lines[-1], rig.lines[-1]
    assert {rel for rel, t in html_stamps(rig.site).items() if t != pages[rel]} == set(rig.preview.rebuilt) | carriers
    manager = (rig.site / "roles/manager/index.html").read_text(encoding="utf-8")
    assert f'title="CRM-система — {CRM_NEW},' in manager and CRM_OLD + "," not in manager

    # the new text is on the glossary page and in the tooltips of a page that uses the term, post-built
    glossary = (rig.site / "glossary/index.html").read_text(encoding="utf-8")
    regulation = (rig.site / "sales-manager/index.html").read_text(encoding="utf-8")
    assert CRM_NEW in glossary and CRM_NEW in regulation
    assert regulation.count('rel="edit"') == 1 and regulation.count("reglament-search.js") == 1
    assert "rg-tip:" not in glossary + regulation + manager  # no marker is left for a reader

    # nothing was written outside the preview's stage (and the source cache)
    outside_after = {p for p in files_of(root) if not p.startswith(("build/serve/", ".reglament-cache/"))}
    assert outside_after == outside_before

    # the incremental site is, page for page, the site a full build of the same sources makes
    fresh = Rig(root, tmp_path / "fresh" / "site")
    assert fresh.run().full
    assert html_stamps(fresh.site).keys() == after.keys()
    for rel in after:
        assert (rig.site / rel).read_bytes() == (fresh.site / rel).read_bytes(), rel


def test_a_change_of_tooltips_alone_needs_no_engine_page_and_reaches_every_carrier(tmp_path):
    """Page templates that show no definition as text (a project's own): a new definition changes no page's
    Markdown; the engine rebuilds no content page, and the preview refreshes the titles of every page linking
    the term — the same bytes a full build makes."""
    root = sample(tmp_path)
    edit(root / "templates/pages/glossary.md.j2", "{{ t.definition | text(t.id) }}", "")
    edit(root / "templates/pages/regulation.md.j2", " — {{ t.definition | text(t.id) }}", "")
    rig = Rig(root, tmp_path / "serve" / "site")
    assert rig.run().full
    docs_before = contents(rig.preview.docs)

    edit(root / "content/glossary.yml", CRM_OLD, CRM_NEW)
    plan = rig.run()
    assert plan is not None and not plan.full and plan.stale == ()
    assert contents(rig.preview.docs) == docs_before and not rig.preview.written.changed
    assert set(rig.preview.rebuilt) <= {"404.html"}
    carriers = {rel for rel in html_stamps(rig.site) if 'data-rg-tip="crm"' in (rig.site / rel).read_text("utf-8")}
    assert {"sales-manager/index.html", "roles/manager/index.html", "index.html"} <= carriers
    assert set(rig.preview.refilled) == carriers
    for rel in carriers:
        page = (rig.site / rel).read_text(encoding="utf-8")
        assert CRM_NEW in page and CRM_OLD + "," not in page, rel

    # saved again unchanged: nothing to do
    assert rig.run() is None and rig.lines[-1] == "preview: the site is unchanged"

    fresh = Rig(root, tmp_path / "fresh" / "site")
    assert fresh.run().full
    for rel in html_stamps(fresh.site):
        assert (rig.site / rel).read_bytes() == (fresh.site / rel).read_bytes(), rel


def test_navigation_configuration_and_errors(tmp_path):
    root = sample(tmp_path)
    rig = Rig(root, tmp_path / "serve" / "site")
    assert rig.run().full

    # a save that changes nothing rendered: no engine build
    general = root / "content/regulations/sales-manager/general.yml"
    general.write_text(general.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert rig.run() is None and "preview: the site is unchanged" in rig.lines

    # the site configuration (mkdocs.yml) or the theme overrides: a full build
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert rig.run().full
    override = root / "templates/overrides/main.html"
    override.write_text(override.read_text(encoding="utf-8") + "\n{# a comment #}\n", encoding="utf-8")
    assert rig.run().full

    # a regulation's short title is in the navigation of every page: a full build
    regulation = root / "content/regulations/sales-manager/regulation.yml"
    edit(regulation, "short_title: Менеджер отдела продаж", "short_title: Менеджер отдела продаж (проект)")
    assert rig.run().full
    assert "(проект)" in (rig.site / "incoming-requests/index.html").read_text(encoding="utf-8")

    # an error keeps the last good preview: neither the docs tree nor the site changes
    site_times, docs_times = html_stamps(rig.site), mtimes(rig.preview.docs)
    edit(root / "content/glossary.yml", CRM_OLD, CRM_OLD + " См. [[no-such-id]].")
    assert rig.run() is None
    assert any("unknown-reference" in line for line in rig.lines)
    assert "preview not updated" in rig.lines[-1]
    assert html_stamps(rig.site) == site_times and mtimes(rig.preview.docs) == docs_times

    # fixed: the next build is incremental again
    edit(root / "content/glossary.yml", CRM_OLD + " См. [[no-such-id]].", CRM_NEW)
    plan = rig.run()
    assert plan is not None and not plan.full
    assert CRM_NEW in (rig.site / "glossary/index.html").read_text(encoding="utf-8")

    # the engine failing leaves the site in an unknown state: the next build is a full one
    rig.preview.engine_failed()
    edit(root / "content/glossary.yml", CRM_NEW, CRM_OLD)
    assert rig.run().full


def test_sync_writes_only_what_differs(tmp_path):
    new, old = tmp_path / "new", tmp_path / "old"
    for folder, files in ((new, {"a.md": "A", "b/c.md": "C2", "d.md": "D"}), (old, {"a.md": "A", "b/c.md": "C"})):
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
    (old / "gone/x.md").parent.mkdir()
    (old / "gone/x.md").write_text("X", encoding="utf-8")
    os.utime(old / "a.md", ns=(1, 1))
    synced = sync(new, old)
    assert (synced.written, synced.added, synced.removed) == (["b/c.md"], ["d.md"], ["gone/x.md"])
    assert contents(old) == contents(new) and not (old / "gone").exists()
    assert (old / "a.md").stat().st_mtime_ns == 1  # untouched
    assert not sync(new, old).changed


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_serve_reloads_the_edited_pages_in_the_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    root = sample(tmp_path)
    server = Server(root)
    try:
        mark = server.wait_for("Serving on")
        base = f"http://127.0.0.1:{server.port}"
        stage_docs = root / "build/serve/docs"
        unrelated = (stage_docs / UNRELATED).stat().st_mtime_ns
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_page()
                page.goto(base + "/glossary/")
                page.wait_for_function("document.body.textContent.includes('Битрикс24')")
                time.sleep(0.5)  # the page's live-reload request is waiting
                edit(root / "content/glossary.yml", CRM_OLD, CRM_NEW)
                # the open page reloads by itself and shows the new definition
                page.wait_for_function(f"document.body.textContent.includes({CRM_NEW!r})", timeout=60000)
                mark = server.wait_for("preview: rebuilt", after=mark)
                line = server.lines[mark - 1]
                assert "glossary/index.html" in line and "sales-manager/index.html" in line, line
                assert "roles/director/index.html" not in line, line
                # a role page links the term but shows no definition: the engine did not rebuild it, the preview
                # put the new definition into its links' titles
                named = line.split("s wall/CPU): ", 1)[1]
                assert "roles/manager/index.html" not in named and "tooltips refreshed on" in named, line
                # pages using the term carry the new definition in their tooltips, rebuilt or not
                for path in ("/sales-manager/", "/roles/manager/"):
                    page.goto(base + path)
                    titles = page.eval_on_selector_all('a[href*="glossary/#crm"]', "links => links.map(a => a.title)")
                    assert titles and all(CRM_NEW in t for t in titles), (path, titles)
                    assert "rg-tip:" not in page.content()
            finally:
                browser.close()
        assert (stage_docs / UNRELATED).stat().st_mtime_ns == unrelated
    finally:
        server.stop()
    assert server.proc.returncode == 0, "\n".join(server.lines)
