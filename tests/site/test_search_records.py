"""The search index holds a record per section (reglament.site.search.records): a result links straight to its
section (``page/#anchor``), titled «Page — Section», and its excerpt file carries that section's text, not the whole
page's. Glossary entries keep their word forms and synonyms and rank first for the term; a public build's records
hold nothing internal. The cutting itself on small pages, then real Pagefind runs over the built sample.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO, static_server
from reglament.project import check_project
from reglament.site import search
from reglament.site.build import build


def page(article: str, *, title: str = "Страница") -> str:
    """A built page as the post-build step leaves it: the article marked for the search index."""
    return (
        f"<html><head><title>{title} - Сайт</title><script>var x = '<h2 id=\"no\">';</script></head><body>"
        '<nav><h2 id="nav">Навигация</h2></nav>'
        f'<article class="md-content__inner md-typeset" {search.BODY_ATTR}>{article}</article>'
        "<footer><h2 id='foot'>Подвал</h2></footer></body></html>"
    )


def test_an_article_is_cut_at_its_own_section_headings():
    built = page(
        '<h1 id="_1">Регламент продаж<a class="headerlink" href="#_1">¶</a></h1><p>Введение.</p>'
        '<h2 id="general">1. Общие положения <a class="rg-edit-src" href="x"><svg></svg></a></h2><p>Текст один.</p>'
        '<div class="admonition"><h3 id="inner">Вложенный</h3><p>Внутри блока.</p></div>'
        '<h2 id="duties">2. Обязанности</h2>'
        '<h3 id="g1">2.1. Приём &amp; учёт</h3><p>Текст два.</p><br><img src="a.png" alt="">'
        "<h2>Без якоря</h2><p>Текст три.</p>"
    )
    found = search.records(built, "sales/index.html")
    assert [(r.url, r.title, r.page) for r in found] == [
        ("/sales/", "Регламент продаж", ""),
        ("/sales/#general", "1. Общие положения", "Регламент продаж"),  # the nested h3 stays inside
        ("/sales/#duties", "2. Обязанности", "Регламент продаж"),  # a heading with nothing under it joins the next
    ]
    assert found[1].html.startswith('<h2 id="general">') and "Внутри блока." in found[1].html
    assert "2.1. Приём &amp; учёт" in found[2].html and "Текст три." in found[2].html  # a heading without id: no cut
    assert "Навигация" not in "".join(r.html for r in found) and "Подвал" not in "".join(r.html for r in found)
    assert not any(r.entry for r in found)


def test_addresses_follow_pagefinds_and_pages_without_the_marker_have_no_records():
    assert search.page_url("index.html") == "/" and search.page_url("a/b/index.html") == "/a/b/"
    assert search.page_url("a/b.html") == "/a/b.html"  # an offline build's page
    assert search.records("<html><body><article><h1>Нет</h1></article></body></html>", "x.html") == []
    only = search.records(page("<p>Без заголовков.</p>"), "only.html")
    assert [(r.url, r.title) for r in only] == [("/only.html", "Страница - Сайт")]


def test_glossary_entries_weigh_their_name_and_carry_their_forms():
    built = page(
        '<h1 id="_1">Глоссарий</h1><h2 id="request" data-pagefind-index-attrs="data-rg-forms" data-rg-forms="заявок">'
        'Заявка</h2><p>Обращение.</p><p class="rg-synonyms">Синонимы: <span class="rg-chip">запрос</span></p>'
    )
    intro, entry = search.records(built, "glossary/z/index.html")
    assert (entry.url, entry.title, entry.page, entry.entry) == ("/glossary/z/#request", "Заявка", "Глоссарий", True)
    assert not intro.entry
    indexed = search._record_file(entry, search.TitleForms())
    assert f'<h2 data-pagefind-weight="{search.ENTRY_WEIGHT}" id="request"' in indexed
    assert f'<span class="rg-chip" data-pagefind-weight="{search.ENTRY_WEIGHT}">запрос</span>' in indexed
    assert f'data-pagefind-meta="{search.FORMS_META}[content]" content="заявок"' in indexed
    assert not search.records(built, "roles/z/index.html")[1].entry  # only the glossary's pages


# --------------------------------------------------------------------------- real Pagefind over the sample


def fragments(site: Path) -> list[tuple[dict, int]]:
    """Every excerpt file of the site's index: its JSON and its size as served (gzip)."""
    out = []
    for path in sorted((site / search.FOLDER / "fragment").glob("*.pf_fragment")):
        raw = path.read_bytes()
        out.append((json.loads(gzip.decompress(raw)[len(b"pagefind_dcd") :]), len(raw)))
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("records") / "site"
    built = build(REPO, out, checked=check_project(REPO), stage=out.parent / "stage", engine="zensical")
    assert built.ok, built.diagnostics
    return out


@pytest.mark.slow
def test_each_section_of_a_regulation_is_its_own_bounded_record(sample):
    records = {f["meta"]["url"]: (f, size) for f, size in fragments(sample)}
    intake, size = records["/incoming-requests/#requests-intake"]
    assert intake["meta"]["title"] == "4.1. Приём и регистрация заявок"
    assert intake["meta"]["page"] == "Регламент обработки входящих заявок"
    assert intake["content"].startswith("4.1. Приём и регистрация заявок")
    assert "4.2. Распределение и контроль" not in intake["content"]  # the next section is a record of its own
    whole = search._text((sample / "incoming-requests" / "index.html").read_text(encoding="utf-8"))
    assert len(intake["content"]) < len(whole) / 5 and size < 4 * 1024  # bytes served (gzip)
    # no excerpt file carries a whole long page any more: the largest is a fraction of the longest page's text
    longest = max(len(search._text(p.read_text(encoding="utf-8"))) for p in sample.glob("*/index.html"))
    assert max(len(f["content"]) for f, _ in records.values()) < longest / 2
    # every record of the site is in the index, once
    pages = [p for p in sample.rglob("*.html") if search.FOLDER not in p.parts]
    expected = [
        r.url for p in pages for r in search.records(p.read_text(encoding="utf-8"), p.relative_to(sample).as_posix())
    ]
    assert sorted(records) == sorted(expected)


@pytest.mark.slow
def test_a_public_index_has_no_record_of_an_internal_clause(tmp_path):
    """The sample's internal clause «mot-bonus-fund» (the bonus fund) is in the employees' index, in the record of
    its section, and in no record of the public build."""
    checked = check_project(REPO)
    internal = tmp_path / "internal"
    assert build(REPO, internal, checked=checked, stage=tmp_path / "s1", engine="zensical").ok
    holding = [f for f, _ in fragments(internal) if any(a["id"] == "mot-bonus-fund" for a in f["anchors"])]
    assert len(holding) == 1 and "Фонд премирования" in holding[0]["content"]
    assert holding[0]["meta"]["url"].startswith("/sales-manager/#")
    public = tmp_path / "public"
    assert build(
        REPO, public, checked=check_project(REPO, public=True), public=True, stage=tmp_path / "s2", engine="zensical"
    ).ok
    assert not [f for f, _ in fragments(public) if any(a["id"].startswith("mot-bonus-fund") for a in f["anchors"])]
    assert "фонд премирования" not in search.index_text(public).lower()
    assert holding[0]["meta"]["url"] in {f["meta"]["url"] for f, _ in fragments(public)}  # the section itself stays


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_a_result_links_to_its_section_under_the_sites_own_path(browser, sample):
    """Served under a sub-path (as a company's site or a version is), a section's result and its sub-results link
    to their anchors under that path, titled «Page — Section»."""
    with static_server(sample.parent) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
        pg = context.new_page()
        pg.goto(url + "site/", wait_until="load")
        pg.locator("input.rg-search__input").fill("регистрация заявок")
        pg.wait_for_selector('.rg-search__results[data-state="done"]', timeout=15000)
        links = pg.eval_on_selector_all(
            ".rg-search__link.rg-search__page", "links => links.map(a => [a.href, a.textContent])"
        )
        sections = pg.eval_on_selector_all(".rg-search__link.rg-search__section", "links => links.map(a => a.href)")
        context.close()
    found = {urlsplit(href).path + "#" + urlsplit(href).fragment: text for href, text in links}
    title = found["/site/incoming-requests/#requests-intake"]
    assert title.startswith("Регламент обработки входящих заявок — 4.1. Приём и регистрация заявок")
    assert all(urlsplit(h).path.startswith("/site/") and urlsplit(h).fragment for h in sections)
