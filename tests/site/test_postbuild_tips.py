"""Link tooltips filled after the engine: the render writes a marker as each link's title (``rg-tip:<id>``)
and reglament's page pass puts the item's tooltip there (:func:`reglament.site.pagesteps.fill_tips`).

Real builds of the sample with every engine: no marker is left anywhere in the site or its search index,
and every page is byte for byte the page the engine and the same pass make when the texts are written into
the Markdown (what the render did before). The filling escapes untrusted text: whatever a definition holds,
the title a browser's parser reads back is that text, and the page passes the sanitiser and its audit."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, run_cli
from reglament.htmlsafe import TIP_ATTR, TIP_ID, TIP_MARK, findings
from reglament.project import check_project, site_title
from reglament.render.pages import RenderedTree, render
from reglament.site.build import build, write_tree
from reglament.site.engines import engine_for
from reglament.site.engines.base import edit_base
from reglament.site.pagesteps import fill_tips, refill_tips, tip_ids
from reglament.site.postbuild import page_steps, process_site
from reglament.site.sanitize import sanitize_page
from reglament.site.search import index_text, term_forms

#: the sample's CRM definition, edited to hold every character an attribute needs escaped (and a lone «&»)
CRM_OLD = "Корпоративная информационная система (Битрикс24)"
CRM_ODD = "Корпоративная система <b>\"Битрикс24\"</b> & «1С» — 'облако'"


def sample(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    glossary = root / "content/glossary.yml"
    text = glossary.read_text(encoding="utf-8")
    assert CRM_OLD in text
    glossary.write_text(text.replace(CRM_OLD, CRM_ODD, 1), encoding="utf-8")
    return root


def all_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def inlined(tree: RenderedTree) -> RenderedTree:
    """The tree as the render wrote it before the markers: each link's tooltip text in its Markdown title."""
    marker = re.compile(r'"' + re.escape(TIP_MARK) + r'([^"]+)"')
    pages = {path: marker.sub(lambda mt: f'"{tree.tooltips[mt.group(1)]}"', md) for path, md in tree.pages.items()}
    return RenderedTree(pages, tree.sources, tree.nav)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("engine", "offline"), [("mkdocs", False), ("properdocs", False), ("zensical", False), ("mkdocs", True)]
)
def test_built_site_has_no_marker_and_the_tooltips_written_into_the_markdown_would_make(tmp_path, engine, offline):
    root = sample(tmp_path)
    checked = check_project(root)
    assert checked.ok, checked.diagnostics
    out = tmp_path / "site"
    built = build(root, out, checked=checked, stage=tmp_path / "stage", engine=engine, offline=offline, jobs=1)
    assert built.ok, built.diagnostics
    got = all_files(out)

    # no marker anywhere a reader, a browser or the search can see
    assert [rel for rel, data in got.items() if TIP_MARK.encode() in data] == []
    assert TIP_MARK not in index_text(out)
    assert [rel for rel, data in got.items() if TIP_ATTR.encode() in data] == []  # the preview's id: not here
    regulation = got["sales-manager/index.html"].decode()
    odd = "CRM-система — Корпоративная система &lt;b&gt;″Битрикс24″&lt;/b&gt; &amp; «1С» — 'облако'"
    assert f'title="{odd}' in regulation

    # the same site, the texts written into the Markdown instead: every page byte for byte the same
    tree = render(checked.content, root / "templates", site_title=site_title(root))
    assert any(TIP_MARK in md for md in tree.pages.values()) and "crm" in tree.tooltips
    adapter = engine_for(engine, root)
    reference = tmp_path / "reference"
    config, spec = write_tree(inlined(tree), root, tmp_path / "stage-ref", reference, engine=adapter, offline=offline)
    adapter.build(config, spec)
    steps = page_steps(
        reference, spec.docs_dir, edit_base=edit_base(root), offline=offline, forms=term_forms(checked.content.terms)
    )
    processed = process_site(reference, steps)
    assert processed.unsafe == []
    expected = all_files(reference)
    pages = [rel for rel in expected if rel.endswith(".html")]
    assert len(pages) > 10
    assert [rel for rel in pages if got.get(rel) != expected[rel]] == []


@pytest.mark.slow
def test_every_company_site_is_filled(tmp_path):
    root = sample(tmp_path)
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "sites"), "--all-companies", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    sites = [p.parent for p in (tmp_path / "sites").glob("*/index.html")]
    assert len(sites) >= 2
    for site in sites:
        assert [p for p in site.rglob("*") if p.is_file() and TIP_MARK.encode() in p.read_bytes()] == []
        assert TIP_MARK not in index_text(site)
        assert 'title="CRM-система — Корпоративная система &lt;b&gt;' in (site / "sales-manager/index.html").read_text(
            encoding="utf-8"
        )


# --------------------------------------------------------------------------- the filling itself


def article(body: str) -> str:
    return (
        '<!doctype html><html><head><title>t</title></head><body><article class="md-content__inner md-typeset">'
        f"{body}</article></body></html>"
    )


class _Titles(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links_of(page: str) -> list[dict[str, str | None]]:
    parser = _Titles()
    parser.feed(page)
    parser.close()
    return parser.links


PAGE = article(
    '<p><a href="../glossary/#lead" title="rg-tip:lead">Лид</a> и <a class="x" href="#c1" title="rg-tip:gone">п. 1</a>'
    ' и <a href="#c2" title="Ссылка на п. 2">2.</a></p><pre><code>&lt;a title="rg-tip:lead"&gt;</code></pre>'
)


def test_fill_escapes_the_text_and_drops_a_marker_naming_no_item():
    filled = fill_tips(PAGE, {"lead": 'Лид <b>"x"</b> & y'})
    first, second, third = links_of(filled)
    assert first["title"] == 'Лид <b>"x"</b> & y' and 'title="Лид &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; y"' in filled
    assert "title" not in second and second["class"] == "x"  # unknown id: no title, never the marker
    assert third["title"] == "Ссылка на п. 2"  # another title is left alone
    assert '<code>&lt;a title="rg-tip:lead"&gt;</code>' in filled  # text that looks like a marker is text
    assert TIP_ATTR not in filled
    assert sanitize_page(filled) == (filled, [])


def test_preview_marks_refill_only_the_asked_items_and_are_idempotent():
    filled = fill_tips(PAGE, {"lead": "Лид — старое"}, mark=True)
    assert tip_ids(filled) == {"lead"}
    assert links_of(filled)[0][TIP_ATTR] == "lead"
    assert sanitize_page(filled) == (filled, [])  # the allowlist keeps the id: a page stays refillable
    new = {"lead": "Лид — новое & <другое>"}
    assert refill_tips(filled, new, {"other"}) == filled
    again = refill_tips(filled, new, {"lead"})
    assert links_of(again)[0]["title"] == "Лид — новое & <другое>"
    assert refill_tips(again, new, {"lead"}) == again
    assert again == fill_tips(PAGE, new, mark=True)  # refilled = filled afresh
    assert refill_tips(again, {}, {"lead"}).count('title=""') == 1


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=60))
def test_any_text_is_read_back_exactly_and_injects_nothing(text):
    for mark in (False, True):
        filled = refill_tips(fill_tips(PAGE, {"lead": text}, mark=mark), {"lead": text}, {"lead"})
        found = links_of(filled)
        assert found[0]["title"] == text and len(found) == 3
        assert findings(filled) == []


def test_marker_ids_are_plain_slugs():
    assert TIP_ID.fullmatch("sales-manager.duty-3_b")
    for bad in ('a"b', "a b", "a>b", "a&b", "", "-a", "A"):
        assert not TIP_ID.fullmatch(bad)
