"""The one pass after the engine (:func:`reglament.site.postbuild.process_site`) against the two passes it
replaces (the sanitiser over every page, then the page steps): the same bytes, in this process or in
worker processes, and the same findings when a page is unsafe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from reglament.project import check_project, site_title
from reglament.render.pages import render
from reglament.site import postbuild
from reglament.site.build import write_tree
from reglament.site.engines import engine_for
from reglament.site.engines.base import edit_base
from reglament.site.postbuild import finish, process_site
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
    processed = process_site(one, docs, edit_base=edit_base(root), forms=forms, index=False, jobs=jobs)

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

    processed = process_site(bad, docs, edit_base=edit_base(root), forms=forms, jobs=jobs)
    assert processed.unsafe == expected
    assert processed.finished is None
    assert not (bad / "pagefind").exists()
