"""`reglament build` after an edit rebuilds only the pages whose Markdown changed — and gives the full build's site.

For each kind of edit the sample project (the repository's content, templates and mkdocs.yml) is built, edited,
built again (incremental where it may be), and the same sources are built with ``--full`` in a separate copy of
the project; the two sites must hold the same files with the same bytes, the search index (``pagefind/``)
included. The command's last line says whether the incremental path was taken ("the engine rebuilt N of M
pages") and the tests check it was taken exactly where it should be. A build failing in the middle (a page
template error, the engine or the search index failing after the engine wrote pages) leaves the previous site
byte for byte as it was.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from reglament.errors import EngineError
from reglament.site import search
from reglament.site.build import build as build_site
from reglament.site.engines.mkdocs import MkDocsEngine
from reglament.site.incremental import STATE_FILE
from reglament.site.postbuild import SEARCH_SCRIPT
from reglament.site.stamp import STAMP_FILE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("user_cache_home")]

SOURCES = ("content", "templates", "mkdocs.yml")
DUTIES = "content/regulations/sales-manager/duties.yml"
GLOSSARY = "content/glossary.yml"
PAGE = "sales-manager/index.html"  # the page of the regulation DUTIES is part of
_REBUILT = re.compile(r"the engine rebuilt (\d+) of (\d+) pages")


def copy_sources(src: Path, dst: Path) -> Path:
    """The project's sources (not its build folder or site) copied into ``dst``."""
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in SOURCES:
        if (src / name).is_dir():
            shutil.copytree(src / name, dst / name)
        else:
            shutil.copy2(src / name, dst / name)
    return dst


def build(root: Path, out: Path, *extra: str) -> tuple[int, tuple[int, int] | None, str]:
    """`reglament build` (a fresh process): its exit code, (rebuilt, pages) for an incremental build (None: full)
    and what it printed."""
    proc = run_cli("build", "--root", str(root), "--out", str(out), *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    found = _REBUILT.search(proc.stderr)
    return proc.returncode, (int(found.group(1)), int(found.group(2))) if found else None, proc.stdout + proc.stderr


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_same_site(got: Path, expected: Path) -> None:
    a, b = files(got), files(expected)
    assert sorted(a) == sorted(b), (sorted(set(a) ^ set(b)))[:10]
    differ = [rel for rel in a if a[rel] != b[rel]]
    assert not differ, differ[:10]


def replace_in(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_duty(root: Path) -> None:
    replace_in(root, DUTIES, "по каждой [[request|заявке]],", "по каждой [[request|заявке]] в тот же день,")


def edit_term(root: Path) -> None:
    # SLA is linked from the duties on two role pages: their Markdown stays, their links' tooltips change
    replace_in(
        root, GLOSSARY, "Установленный регламентом предельный срок", "Предельный срок, установленный регламентом,"
    )


def add_clause(root: Path) -> None:
    replace_in(
        root,
        "content/regulations/sales-manager/general.yml",
        "clauses:\n",
        "clauses:\n  - id: gp-added\n    text: Новый первый пункт, номера следующих сдвигаются.\n\n",
    )


def edit_wide_term(root: Path) -> None:
    # «Лид» is linked from more than half of the pages: the full build is cheaper (incremental.MAX_SHARE)
    replace_in(root, GLOSSARY, "Потенциальный [[client|клиент]]:", "Возможный будущий [[client|клиент]]:")


def edit_nav_title(root: Path) -> None:
    replace_in(
        root,
        "content/regulations/sales-manager/regulation.yml",
        "short_title: Менеджер отдела продаж",
        "short_title: Менеджер продаж",
    )


def edit_page_template(root: Path) -> None:
    path = root / "templates/pages/regulation.md.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\nРегламент действует со дня утверждения.\n", encoding="utf-8")


def edit_mkdocs_yml(root: Path) -> None:
    replace_in(root, "mkdocs.yml", "primary: indigo", "primary: teal")


def edit_asset(root: Path) -> None:
    path = root / "templates/assets/reglament.css"
    path.write_text(path.read_text(encoding="utf-8") + "\n.rg-added { color: inherit; }\n", encoding="utf-8")


def remove_page(root: Path) -> None:
    """The external role «Транспортная компания» (a page of its own) goes, and the one link to it."""
    replace_in(root, DUTIES, "[[carrier|транспортная компания]]", "транспортная компания")
    text = (root / "content/roles.yml").read_text(encoding="utf-8")
    start = text.index("  - id: carrier\n")
    end = text.find("\n  - id:", start + 1)
    (root / "content/roles.yml").write_text(text[:start] + (text[end + 1 :] if end > 0 else ""), encoding="utf-8")


def delete_stamp(root: Path) -> None:
    (root / "build" / "default" / STAMP_FILE).unlink()


#: (edit, whether the build after it is incremental)
EDITS: dict[str, tuple[Callable[[Path], None], bool]] = {
    "duty-text": (edit_duty, True),
    "term-definition": (edit_term, True),
    "term-on-most-pages": (edit_wide_term, False),
    "clause-added": (add_clause, True),
    "navigation-title": (edit_nav_title, False),
    "page-template": (edit_page_template, True),
    "mkdocs-yml": (edit_mkdocs_yml, False),
    "asset": (edit_asset, False),
    "page-removed": (remove_page, False),
    "only-stamp-deleted": (delete_stamp, True),
}


@pytest.fixture
def sample(tmp_path) -> Path:
    return copy_sources(REPO, tmp_path / "proj")


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_the_incremental_site_is_the_full_build_s(kind, sample, tmp_path):
    edit, incremental = EDITS[kind]
    root, out = sample, tmp_path / "site"
    code, reused, err = build(root, out)
    assert code == 0 and reused is None, err  # the first build: full
    before = files(out)
    docs_before = files(root / "build" / "default" / "docs")
    edit(root)
    code, reused, err = build(root, out)
    assert code == 0, err
    # the same sources, built in full in another project folder (its own stage, no previous site)
    ref = copy_sources(root, tmp_path / "ref")
    code, full, err_ref = build(ref, tmp_path / "ref-site", "--full")
    assert code == 0 and full is None, err_ref
    assert_same_site(out, tmp_path / "ref-site")
    if not incremental:
        assert reused is None, err
        return
    assert reused is not None, err
    rebuilt, pages = reused
    assert pages == sum(1 for rel in files(out) if rel.endswith(".html") and not rel.startswith("pagefind/"))
    after = files(out)
    docs_after = files(root / "build" / "default" / "docs")
    changed_md = {rel for rel in docs_after if docs_before.get(rel) != docs_after[rel]}
    if kind == "only-stamp-deleted":
        assert not changed_md and rebuilt == 1  # the theme's 404 page alone (it is written on every build)
        assert after == before
        return
    assert changed_md and 1 < rebuilt < pages
    if kind == "term-definition":
        # a page whose Markdown did not change got the new tooltip
        role = "roles/manager/index.md"
        assert role not in changed_md
        assert "Предельный срок, установленный" in after["roles/manager/index.html"].decode()
        assert "Предельный срок, установленный" not in before["roles/manager/index.html"].decode()


@pytest.mark.parametrize(
    ("options", "edit"),
    [(("--engine", "properdocs"), edit_duty), (("--offline",), edit_term), (("--public",), edit_duty)],
    ids=["properdocs", "offline", "public"],
)
def test_other_engines_and_options_build_incrementally_too(options, edit, sample, tmp_path):
    root, out = sample, tmp_path / "site"
    assert build(root, out, *options)[0] == 0
    edit(root)
    code, reused, err = build(root, out, *options)
    assert code == 0 and reused is not None and reused[0] < reused[1], err
    ref = copy_sources(root, tmp_path / "ref")
    assert build(ref, tmp_path / "ref-site", *options, "--full")[0] == 0
    assert_same_site(out, tmp_path / "ref-site")


def test_full_a_site_not_built_here_and_a_broken_record_mean_the_full_build(sample, tmp_path):
    root, out = sample, tmp_path / "site"
    assert build(root, out)[0] == 0
    edit_duty(root)
    code, reused, err = build(root, out, "--full")
    assert code == 0 and reused is None, err
    # the same bytes, but not the files this stage's last build wrote (say, committed by a pull request: a
    # checkout writes them anew). (copy2 would keep the times, and a removed file's inode may be given to its
    # copy: the very identity the stage recorded, for the very bytes it built — a copy of its own site.)
    shutil.copytree(out, tmp_path / "copy")
    shutil.rmtree(out)
    shutil.copytree(tmp_path / "copy", out, copy_function=shutil.copy)
    edit_term(root)
    code, reused, err = build(root, out)
    assert code == 0 and reused is None, err
    # a record in the stage that cannot be read: the full build
    (root / "build" / "default" / STATE_FILE).write_text('{"format": 1, "index": [', encoding="utf-8")
    add_clause(root)
    code, reused, err = build(root, out)
    assert code == 0 and reused is None, err
    ref = copy_sources(root, tmp_path / "ref")
    assert build(ref, tmp_path / "ref-site", "--full")[0] == 0
    assert_same_site(out, tmp_path / "ref-site")


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_a_page_template_error_leaves_the_site_and_the_next_build_is_incremental(sample, tmp_path):
    root, out = sample, tmp_path / "site"
    assert build(root, out)[0] == 0
    before = files(out)
    template = root / "templates/pages/regulation.md.j2"
    good = template.read_text(encoding="utf-8")
    edit_duty(root)
    template.write_text(good + "\n{% if %}\n", encoding="utf-8")
    code, _, err = build(root, out)
    assert code == 1 and "regulation.md.j2" in err, err
    assert files(out) == before and not leftovers(out)
    template.write_text(good, encoding="utf-8")
    code, reused, err = build(root, out)
    assert code == 0 and reused is not None, err  # the site in place is still the last build's
    ref = copy_sources(root, tmp_path / "ref")
    assert build(ref, tmp_path / "ref-site", "--full")[0] == 0
    assert_same_site(out, tmp_path / "ref-site")


@pytest.mark.parametrize("where", ["engine", "search-index"])
def test_a_failure_after_the_engine_wrote_pages_leaves_the_site(where, sample, tmp_path, monkeypatch):
    """In-process, so that the failure can be put in the middle: the engine's dirty build writes the rebuilt pages
    into the new site folder and then fails, or the page pass ran and Pagefind fails."""
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root, out = sample, tmp_path / "site"
    first = build_site(root, out, incremental=True)
    assert first.ok and first.rebuilt is None, first.diagnostics
    before = files(out)
    wrote: list[bool] = []
    if where == "engine":
        real = MkDocsEngine.build

        def failing(self, config, spec, *, dirty=False):
            real(self, config, spec, dirty=dirty)
            # the edited regulation's page: removed before the dirty build, written again by it
            wrote.append(dirty and (spec.site_dir / PAGE).is_file())
            raise EngineError("the engine failed after writing")

        monkeypatch.setattr(MkDocsEngine, "build", failing)
    else:

        def failing_index(site_dir, **kwargs):
            # the page pass has finished the rebuilt page (its search box is linked in)
            wrote.append(SEARCH_SCRIPT in (site_dir / PAGE).read_text(encoding="utf-8"))
            raise EngineError("Pagefind failed")

        monkeypatch.setattr(search, "index", failing_index)
    edit_duty(root)
    failed = build_site(root, out, incremental=True)
    assert not failed.ok and wrote == [True]
    assert any("failed" in d.message for d in failed.diagnostics)
    assert files(out) == before and not leftovers(out)
    monkeypatch.undo()
    again = build_site(root, out, incremental=True)  # the old site and its record still hold
    assert again.ok and again.rebuilt is not None and len(again.rebuilt) < again.pages
