"""The one pass after the engine (:func:`reglament.site.postbuild.process_site`) against the two passes it
replaces (the sanitiser over every page, then the page steps): the same bytes, in this process or in
worker processes, and the same findings when a page is unsafe."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from conftest import REPO
from reglament.project import check_project, site_title
from reglament.render.pages import render
from reglament.site import postbuild, search
from reglament.site.build import build, write_tree
from reglament.site.engines import engine_for
from reglament.site.engines.base import edit_base
from reglament.site.overlap import OverlappedPass
from reglament.site.pagesteps import PageSteps, process_files
from reglament.site.postbuild import finish, page_steps, process_site
from reglament.site.records import Record, records
from reglament.site.sanitize import sanitize_site
from reglament.site.search import term_forms

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine_site(tmp_path_factory):
    """The sample rendered and built by the engine alone: the HTML before reglament's post-build steps."""
    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    checked = check_project(root)
    assert checked.ok
    tree = render(checked.content, root / "templates", site_title=site_title(root))
    stage = root / "build" / "default"
    stage.mkdir(parents=True)
    site = root / "engine-site"
    adapter = engine_for(None, root)
    config, spec = write_tree(tree, root, stage, site, engine=adapter)
    adapter.build(config, spec)
    return root, site, spec.docs_dir, term_forms(checked.content.terms)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def steps_of(site: Path, root: Path, docs: Path, forms: dict[str, str], *, index: bool = True) -> PageSteps:
    """The page steps of the sample's built site ``site`` (``index``: the pass makes the search records)."""
    return page_steps(site, docs, edit_base=edit_base(root), offline=False, forms=forms, records=index)


def copy_of(site: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(site, target)
    return target


@pytest.fixture
def small_chunks(monkeypatch):
    """Workers even for the small sample, two pages at a time (several chunks)."""
    monkeypatch.setattr(postbuild, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(postbuild, "_CHUNK", 2)


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_pass_writes_what_the_two_passes_wrote(engine_site, tmp_path, small_chunks, jobs):
    root, site, docs, forms = engine_site
    two = copy_of(site, tmp_path, "two")
    assert sanitize_site(two) == []
    finished = finish(two, docs, edit_base=edit_base(root), forms=forms, index=False)

    one = copy_of(site, tmp_path, "one")
    processed = process_site(one, steps_of(one, root, docs, forms, index=False), jobs=jobs)

    assert processed.unsafe == []
    assert processed.finished == finished
    assert finished.pages > 5 and finished.edit_buttons > 0
    expected, got = files(two), files(one)
    assert expected.keys() == got.keys()
    assert [p for p in expected if expected[p] != got[p]] == []
    assert expected != files(site)  # the steps did change the pages


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_unsafe_page_fails_the_pass_in_workers_too(engine_site, tmp_path, small_chunks, jobs):
    """Markup outside the content area is not cleaned, only audited: a template bug there is reported with
    its page, and nothing is indexed."""
    root, site, docs, forms = engine_site
    bad = copy_of(site, tmp_path, "bad")
    pages = sorted(bad.rglob("*.html"))
    victim = pages[len(pages) // 2]
    victim.write_text(victim.read_text(encoding="utf-8").replace("<body", '<body onload="alert(1)"', 1), "utf-8")
    expected = sanitize_site(copy_of(bad, tmp_path, "two"))
    rel = victim.relative_to(bad).as_posix()
    assert expected and all(problem.startswith(f"{rel}: ") for problem in expected)
    assert any("event attribute onload='alert(1)'" in problem for problem in expected)

    processed = process_site(bad, steps_of(bad, root, docs, forms), jobs=jobs)
    assert processed.unsafe == expected
    assert processed.finished is None
    assert not (bad / "pagefind").exists()


# --------------------------------------------------------------------------
# The pass while the engine writes (reglament.site.overlap)


def _wait_until(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the watcher never handed the page over"
        time.sleep(0.02)


def _handed_and_done(overlap: OverlappedPass, rel: str) -> bool:
    with overlap.lock:
        tries = overlap.handed.get(rel, [])
    return bool(tries) and all(future.done() for _, future in tries)


def _watching(tmp_path: Path, root: Path, docs: Path, forms: dict[str, str]) -> tuple[Path, OverlappedPass | None]:
    """An empty site folder for an 'engine' to write into, and the pass watching it (two jobs: one worker)."""
    written = tmp_path / "written"
    written.mkdir()
    return written, OverlappedPass.start(written, docs, steps_of(written, root, docs, forms), jobs=2)


def _write(pages: list[Path], source: Path, written: Path) -> None:
    """The pages (under ``source``) written into ``written`` one after another, new folders too, as MkDocs does."""
    for page in pages:
        target = written / page.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.read_bytes())


def _tries(overlap: OverlappedPass, rel: str) -> int:
    with overlap.lock:
        return len(overlap.handed.get(rel, []))


def test_pages_processed_as_an_engine_writes_them_are_the_pages_processed_after_it(engine_site, tmp_path, small_chunks):
    """An 'engine' writes the built pages one by one into a watched folder (new folders too, as MkDocs does),
    rewrites one page after the worker has processed it, and is still writing another when the engine is done
    (no close yet: the watcher never hears of it); the result is the sequential pass over the final pages."""
    root, site, docs, forms = engine_site
    rels = [p.relative_to(site).as_posix() for p in sorted(site.rglob("*.html"))]
    written, overlap = _watching(tmp_path, root, docs, forms)
    assert overlap is not None
    try:
        _write([site / rel for rel in rels], site, written)
        _wait_until(lambda: _handed_and_done(overlap, "index.html"))
        before = _tries(overlap, "index.html")
        home = written / "index.html"
        home.write_text(home.read_text(encoding="utf-8").replace("</body>", "<p>вторая запись</p></body>"), "utf-8")
        _wait_until(lambda: _tries(overlap, "index.html") > before)
        still_open = os.open(written / "404.html", os.O_WRONLY)  # written again, not closed before the end
        try:
            _wait_until(lambda: _handed_and_done(overlap, "404.html"))
            tail = b"<!-- still writing -->"
            os.lseek(still_open, 0, os.SEEK_END)
            os.write(still_open, tail)
            processed = overlap.finish(index=False)
        finally:
            os.close(still_open)
        assert len(overlap.handed) > len(rels) // 2  # most pages went to the workers while being written
    finally:
        overlap.close()
    assert not overlap.aside.exists()
    assert not [p for p in written.rglob("*") if p.name.endswith(".part")]

    final = copy_of(site, tmp_path, "final")
    (final / "index.html").write_text(
        (site / "index.html").read_text(encoding="utf-8").replace("</body>", "<p>вторая запись</p></body>"), "utf-8"
    )
    (final / "404.html").write_bytes((site / "404.html").read_bytes() + tail)
    expected = process_site(final, steps_of(final, root, docs, forms, index=False))
    assert processed == expected
    got, want = files(written), {rel: data for rel, data in files(final).items() if rel.endswith(".html")}
    assert got.keys() == want.keys()
    assert [p for p in want if got[p] != want[p]] == []
    assert "вторая запись" in (written / "index.html").read_text(encoding="utf-8")


def test_an_unsafe_page_fails_the_pass_while_the_engine_writes(engine_site, tmp_path, small_chunks):
    root, site, docs, forms = engine_site
    bad = copy_of(site, tmp_path, "bad")
    pages = sorted(bad.rglob("*.html"))
    victim = pages[len(pages) // 2]
    victim.write_text(victim.read_text(encoding="utf-8").replace("<body", '<body onload="alert(1)"', 1), "utf-8")
    two = copy_of(bad, tmp_path, "two")
    expected = process_site(two, steps_of(two, root, docs, forms))
    assert expected.unsafe and expected.finished is None

    written, overlap = _watching(tmp_path, root, docs, forms)
    assert overlap is not None
    try:
        _write(pages, bad, written)
        processed = overlap.finish()
    finally:
        overlap.close()
    assert processed == expected
    assert not (written / "pagefind").exists()


def test_no_pass_while_the_engine_writes_where_it_would_not_pay(engine_site, tmp_path):
    _, _, docs, forms = engine_site
    folder = tmp_path / "site"
    folder.mkdir()
    for jobs, offline in ((1, False), (2, True)):
        steps = page_steps(folder, docs, edit_base=None, offline=offline, forms=forms)
        assert OverlappedPass.start(folder, docs, steps, jobs=jobs) is None
    steps = page_steps(folder, docs, edit_base=None, offline=False, forms=forms)
    assert OverlappedPass.start(folder, docs, steps, jobs=2) is None  # 40 pages


def test_a_build_whose_pages_are_processed_as_the_engine_writes_them(tmp_path, small_chunks, monkeypatch):
    """``build(jobs=2)`` with the pass while the engine writes gives the site ``build(jobs=1)`` gives, byte for
    byte (search index included); a template bug outside the content area then fails the build with the same
    diagnostic, and the site already in place stays as it was."""
    root = tmp_path / "sample"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    after, during = tmp_path / "after", tmp_path / "during"
    assert build(root, after, jobs=1).ok
    finished = []
    real_finish = OverlappedPass.finish
    monkeypatch.setattr(OverlappedPass, "finish", lambda self, **kw: finished.append(1) or real_finish(self, **kw))
    assert build(root, during, jobs=2).ok
    assert finished == [1]  # the pass ran while the engine wrote
    assert files(during) == files(after)

    main = root / "templates" / "overrides" / "main.html"
    main.write_text(
        main.read_text(encoding="utf-8") + '\n{% block footer %}<div onclick="alert(1)"></div>{% endblock %}\n',
        encoding="utf-8",
    )
    before = files(during)
    failed = {jobs: build(root, tmp_path / f"failed-{jobs}", jobs=jobs) for jobs in (1, 2)}
    retried = build(root, during, jobs=2)
    assert not retried.ok and files(during) == before
    messages = {jobs: [d.message for d in b.diagnostics if d.code == "unsafe-html"] for jobs, b in failed.items()}
    assert messages[1] and messages[2] == messages[1] == [
        d.message for d in retried.diagnostics if d.severity == "error"
    ]
    assert "event attribute onclick='alert(1)'" in messages[1][0]
    assert not (tmp_path / "failed-2").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no work folder left over


def test_a_worker_that_dies_while_the_engine_writes_costs_only_time(engine_site, tmp_path, small_chunks):
    root, site, docs, forms = engine_site
    written, overlap = _watching(tmp_path, root, docs, forms)
    assert overlap is not None and overlap.pool is not None
    try:
        overlap.pool.submit(int).result(timeout=120)  # the worker is up
        for pid in list(overlap.pool._processes):  # killed as the kernel's OOM killer would
            os.kill(pid, signal.SIGKILL)
        _write(sorted(site.rglob("*.html")), site, written)
        processed = overlap.finish(index=False)
    finally:
        overlap.close()
    after = copy_of(site, tmp_path, "after")
    assert processed == process_site(after, steps_of(after, root, docs, forms, index=False))
    assert {rel: data for rel, data in files(after).items() if rel.endswith(".html")} == files(written)


def test_the_pass_makes_each_pages_search_records_from_the_finished_page(engine_site, tmp_path, small_chunks):
    """With ``records`` the pass cuts each finished page into its search records at once (in the workers): the
    very records the index would make reading the page back."""
    root, site, docs, forms = engine_site
    done = copy_of(site, tmp_path, "done")
    steps = steps_of(done, root, docs, forms)
    rels = [p.relative_to(done).as_posix() for p in sorted(done.rglob("*.html"))]
    results = process_files(str(done), rels, steps)
    made = {rel: r.records for rel, r in zip(rels, results, strict=True)}
    read = {
        rel: tuple(records((done / rel).read_text(encoding="utf-8"), rel, glossary=search.GLOSSARY_PAGES))
        for rel in rels
    }
    assert made == read
    assert sum(map(len, made.values())) > len(rels)  # sections cut, not one record per page
    unasked = steps_of(done, root, docs, forms, index=False)
    assert all(r.records == () for r in process_files(str(done), rels, unasked))


def test_the_index_takes_the_records_the_pass_made(engine_site, tmp_path):
    """:func:`search.index` reads only the pages whose records it was not given: a record handed over is indexed
    as given (here one the page does not hold), a page without one is read."""
    root, site, docs, forms = engine_site
    done = copy_of(site, tmp_path, "done")
    finish(done, docs, edit_base=edit_base(root), forms=forms, index=False)
    given = Record("/given/", "Подставленная запись", "<p>словоизпрохода</p>")
    search.index(done, known={"index.html": (given,)})
    addresses = set()
    for path in (done / search.FOLDER / "fragment").glob("*.pf_fragment"):
        fragment = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        addresses.add(fragment["meta"]["url"])
        if fragment["meta"]["url"] == "/given/":
            assert "словоизпрохода" in fragment["content"]
    assert "/given/" in addresses and "/" not in addresses  # the home page itself was not read
    assert "/glossary/" in addresses  # a page not handed over was


def test_after_the_engine_this_process_takes_back_what_the_worker_has_not_begun(engine_site, tmp_path, small_chunks):
    """The engine is done while the worker is still busy: this process does the pages the worker has not begun,
    from the last one handed over (their tries cancelled), the worker the ones it has; the pages and the outcome
    are those of the pass after the engine, records included."""
    root, site, docs, forms = engine_site
    rels = [p.relative_to(site).as_posix() for p in sorted(site.rglob("*.html"))]
    written, overlap = _watching(tmp_path, root, docs, forms)
    assert overlap is not None and overlap.pool is not None
    try:
        overlap.pool.submit(int).result(timeout=120)  # the worker is up
        busy = overlap.pool.submit(time.sleep, 8)  # ... and busy while the 'engine' writes every page
        _write([site / rel for rel in rels], site, written)
        _wait_until(lambda: len(overlap.handed) >= len(rels) - 1)  # the newest may wait for the end: never closed
        assert not busy.done()
        gone = rels[len(rels) // 2]  # handed over, then removed before the engine is done
        (written / gone).unlink()
        processed = overlap.finish()
        with overlap.lock:
            handed = dict(overlap.handed)
        cancelled = {rel for rel, tries in handed.items() if all(f.cancelled() for _, f in tries)}
    finally:
        overlap.close()
    assert len(cancelled) >= len(handed) - 2  # all but what the worker had begun (or queued) when the engine ended
    after = copy_of(site, tmp_path, "after")
    (after / gone).unlink()
    expected = process_site(after, steps_of(after, root, docs, forms))
    assert processed == expected
    made = {rel: data for rel, data in files(after).items() if rel.endswith(".html") or rel.startswith("pagefind/")}
    assert files(written) == made  # the pages and the search index, byte for byte
