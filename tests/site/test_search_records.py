"""The search index holds a record per section (reglament.site.records): a result links straight to its
section (``page/#anchor``), titled «Page — Section», and its excerpt file carries that section's text, not the whole
page's. Glossary entries keep their word forms and synonyms and rank first for the term; a public build's records
hold nothing internal. The cutting itself on small pages, then real Pagefind runs over the built sample.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO, static_server
from reglament.model.nodes import Term
from reglament.project import check_project
from reglament.site import records as rec
from reglament.site import search
from reglament.site.build import build


def cut(page: str, rel: str, **options) -> list[rec.Record]:
    """The records of a built page, with the glossary where the sites put it."""
    return rec.records(page, rel, glossary=search.GLOSSARY_PAGES, **options)


def page(article: str, *, title: str = "Страница") -> str:
    """A built page as the post-build step leaves it: the article marked for the search index."""
    return (
        f"<html><head><title>{title} - Сайт</title><script>var x = '<h2 id=\"no\">';</script></head><body>"
        '<nav><h2 id="nav">Навигация</h2></nav>'
        f'<article class="md-content__inner md-typeset" {rec.BODY_ATTR}>{article}</article>'
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
    found = cut(built, "sales/index.html", budget=0)  # every section a record of its own
    assert [(r.url, r.title, r.page) for r in found] == [
        ("/sales/", "Регламент продаж", ""),
        ("/sales/#general", "1. Общие положения", "Регламент продаж"),  # the nested h3 stays inside
        ("/sales/#duties", "2. Обязанности", "Регламент продаж"),  # a heading with nothing under it joins the next
    ]
    assert found[1].html.startswith('<h2 id="general">') and "Внутри блока." in found[1].html
    assert "2.1. Приём &amp; учёт" in found[2].html and "Текст три." in found[2].html  # a heading without id: no cut
    assert "Навигация" not in "".join(r.html for r in found) and "Подвал" not in "".join(r.html for r in found)
    assert not any(r.entry for r in found)


def test_short_sections_share_a_record_and_a_long_one_is_cut_at_its_clauses():
    """Sections follow one another in a record while its text stays within the budget; a section longer than the
    budget is cut at its own elements with an id (clauses), each part at its first clause, under the section's title."""
    clause = "<div class='rg-clause' id='c{n}'><p>Пункт {n}: " + "слово " * 40 + "</p></div>"
    long = "".join(clause.format(n=n) for n in range(1, 31))  # 30 clauses of ~260 characters
    built = page(
        '<h1 id="_1">Регламент</h1><h2 id="a">1. Коротко</h2><p>Раз.</p><h2 id="b">2. Тоже</h2><p>Два.</p>'
        f'<h2 id="terms">3. Длинный раздел</h2>{long}<h2 id="d">4. После</h2><p>Четыре.</p>'
    )
    found = cut(built, "r/index.html", budget=2000)
    assert [r.url for r in found[:2]] == ["/r/", "/r/#terms"]  # 1. and 2. are in the page's record
    assert "2. Тоже" in found[0].html and "3. Длинный" not in found[0].html
    parts = [r for r in found if r.title == "3. Длинный раздел"]
    firsts = [re.match(r"<div class='rg-clause' id='(c\d+)'>", r.html) for r in parts[1:]]
    assert len(parts) >= 4 and [r.url for r in parts[1:]] == [f"/r/#{m.group(1)}" for m in firsts if m]
    assert all(len(rec.text_of(r.html)) <= 2000 for r in parts) and all(r.page == "Регламент" for r in parts)
    assert "".join(r.html for r in found) == built[built.index("<h1") : built.index("</article>")]  # nothing lost
    assert found[-1].title in ("3. Длинный раздел", "4. После") and "Четыре." in found[-1].html
    whole = cut(built, "r/index.html", budget=100_000)  # a page within the budget stays whole
    assert [(r.url, r.title) for r in whole] == [("/r/", "Регламент")]


def test_attribute_values_are_not_taken_for_attributes():
    """Text of the content inside an attribute value (a tooltip, say) is neither the search marker nor an id."""
    built = (
        f'<html><body><nav><a title="x {rec.BODY_ATTR} y" href="#">Меню</a></nav>'
        f'<article {rec.BODY_ATTR}><h1>Страница</h1><p title="a id=fake">Раз.</p>'
        '<h2 title=\'id="also"\' id="real">Раздел</h2><p>Два.</p></article></body></html>'
    )
    found = cut(built, "p/index.html", budget=0)
    assert [r.url for r in found] == ["/p/", "/p/#real"] and "Меню" not in found[0].html


def test_addresses_follow_pagefinds_and_pages_without_the_marker_have_no_records():
    assert rec.page_url("index.html") == "/" and rec.page_url("a/b/index.html") == "/a/b/"
    assert rec.page_url("a/b.html") == "/a/b.html"  # an offline build's page
    unmarked = "<html><body><nav>Меню</nav><article><h1>Нет</h1></article></body></html>"
    assert cut(unmarked, "x.html") == []
    # a site none of whose pages is marked is indexed whole, as Pagefind does
    assert [(r.url, r.title, r.html) for r in cut(unmarked, "x.html", whole=True)] == [
        ("/x.html", "Нет", "<nav>Меню</nav><article><h1>Нет</h1></article>")
    ]
    only = cut(page("<p>Без заголовков.</p>"), "only.html")
    assert [(r.url, r.title) for r in only] == [("/only.html", "Страница - Сайт")]


def test_glossary_entries_weigh_their_name_and_carry_their_forms():
    built = page(
        '<h1 id="_1">Глоссарий</h1><h2 id="request" data-pagefind-index-attrs="data-rg-forms" data-rg-forms="заявок">'
        'Заявка</h2><p>Обращение.</p><p class="rg-synonyms">Синонимы: <span class="rg-chip">запрос</span></p>'
    )
    intro, entry = cut(built, "glossary/z/index.html")  # an entry is a record of its own, however short
    assert (entry.url, entry.title, entry.page, entry.entry) == ("/glossary/z/#request", "Заявка", "Глоссарий", True)
    assert not intro.entry
    indexed = search._record_file(entry, search.TitleForms())
    assert f'<h2 data-pagefind-weight="{search.ENTRY_WEIGHT}" id="request"' in indexed
    assert f'<span class="rg-chip" data-pagefind-weight="{search.ENTRY_WEIGHT}">запрос</span>' in indexed
    assert f'data-pagefind-meta="{search.FORMS_META}[content]" content="заявок"' in indexed
    assert not any(r.entry for r in cut(built, "roles/z/index.html", budget=0))  # the glossary's only


@pytest.mark.parametrize(
    "title, forms",
    [
        ("Регламент обработки входящих заявок", {"заявка"}),  # «заявкам» stems to заявк, «заявок» to заявок
        ("Холодный звонок", {"звонка"}),
        ("3.1. Работа с сезонными звонками", {"звонок"}),
        ("Отгрузка", {"отгрузок"}),
        ("Менеджер отдела продаж", set()),  # no fleeting vowel: nothing to add
    ],
)
def test_titles_carry_the_forms_snowball_stems_apart(title, forms):
    assert forms <= set(search.TitleForms()(title))
    if not forms:
        assert search.TitleForms()(title) == []


def test_a_terms_heading_carries_the_forms_its_titles_would_by_one_rule():
    """The glossary entry's word forms (``term_forms``) follow the titles' rule (:class:`search.TitleForms`, Snowball's
    noun step): «систему» stems to сист (its «-ему» is an adjectival ending to Snowball), «система» to систем —
    so the entry needs it; «продажам» and «продажах» meet at продаж — so it needs neither."""
    terms = [
        Term.model_validate({"id": "crm", "term": "CRM-система", "definition": "Система.", "synonyms": ["Звонок"]}),
        Term.model_validate({"id": "report", "term": "Отчёт о продажах", "definition": "Отчёт."}),
    ]
    forms = search.term_forms(terms)
    assert forms["crm"].split() == [*search.TitleForms()("CRM-система"), *search.TitleForms()("Звонок")]
    assert {"систему", "звонка"} <= set(forms["crm"].split())
    assert "report" not in forms


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
def test_a_long_regulation_is_several_bounded_records(sample):
    records = {f["meta"]["url"]: (f, size) for f, size in fragments(sample)}
    requests, size = records["/sales-manager/#duties-requests"]
    assert requests["meta"]["title"] == "3.1. Работа с входящими заявками"
    assert requests["meta"]["page"] == "Регламент работы менеджера отдела продаж"
    assert requests["content"].startswith("3.1. Работа с входящими заявками")
    regulation = [f for url, (f, _) in records.items() if url.startswith("/sales-manager/")]
    whole = rec.text_of((sample / "sales-manager" / "index.html").read_text(encoding="utf-8"))
    assert len(regulation) >= 4 and len(requests["content"]) < len(whole) / 3
    assert size < 6 * 1024  # bytes served (gzip); the whole page was one excerpt file of 15 KB
    # no excerpt file carries much more than the budget (a part ends at the first clause past it)
    assert max(len(f["content"]) for f, _ in records.values()) < 2 * rec.RECORD_TEXT
    # every record of the site is in the index, once, with its address
    pages = [p for p in sample.rglob("*.html") if search.FOLDER not in p.parts]
    expected = [r.url for p in pages for r in cut(p.read_text(encoding="utf-8"), p.relative_to(sample).as_posix())]
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
        pg.locator("input.rg-search__input").fill("работа с входящими заявками")
        pg.wait_for_selector('.rg-search__results[data-state="done"]', timeout=15000)
        links = pg.eval_on_selector_all(
            ".rg-search__link.rg-search__page", "links => links.map(a => [a.href, a.textContent])"
        )
        sections = pg.eval_on_selector_all(".rg-search__link.rg-search__section", "links => links.map(a => a.href)")
        context.close()
    found = {urlsplit(href).path + "#" + urlsplit(href).fragment: text for href, text in links}
    title = found["/site/sales-manager/#duties-requests"]
    assert title.startswith("Регламент работы менеджера отдела продаж — 3.1. Работа с входящими заявками")
    assert all(urlsplit(h).path.startswith("/site/") and urlsplit(h).fragment for h in sections)


@pytest.mark.slow
def test_reindexing_replaces_the_whole_bundle(sample, tmp_path):
    """A new index replaces the old bundle whole (renamed into place): nothing of an earlier index stays behind —
    say a fragment of a page since removed — and no working folder is left in the site."""
    site = tmp_path / "site"
    shutil.copytree(sample, site)
    stale = site / search.FOLDER / "fragment" / "ru_stale.pf_fragment"
    stale.write_bytes(b"old")
    indexed = search.index(site, offline=True)
    assert not stale.exists() and (site / search.FOLDER / search.OFFLINE_BUNDLE).is_file()
    assert indexed.records == len(fragments(site)) and indexed.files == sum(
        1 for p in (site / search.FOLDER).rglob("*") if p.is_file()
    )
    assert [p.name for p in site.iterdir() if p.name.startswith(f".{search.FOLDER}")] == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize(
    "query, expected",
    [
        ("заявкам", ["/glossary/#request", "/incoming-requests/"]),  # the entry and the regulation on заявки
        ("заявок", ["/glossary/#request"]),
        ("отгрузками", ["/glossary/#shipment"]),
        ("лидов", ["/glossary/#lead"]),
        ("звонков", ["/glossary/#cold-call"]),
        ("КП", ["/glossary/#commercial-offer"]),
        ("дебиторкой", ["/glossary/#receivables"]),
    ],
)
def test_the_glossary_entry_comes_first_for_its_term(browser, sample, query, expected):
    """A term searched in any form: its glossary entry is among the first three results (its name, word forms and
    synonyms weigh most), above the sections that merely use the word; so are the regulation's own records."""
    with static_server(sample) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
        pg = context.new_page()
        pg.goto(url, wait_until="load")
        pg.locator("input.rg-search__input").fill(query)
        pg.wait_for_selector(f'.rg-search__results[data-state="done"][data-query="{query}"]', timeout=15000)
        hrefs = pg.eval_on_selector_all(".rg-search__link.rg-search__page", "links => links.map(a => a.href)")
        context.close()
    first = [urlsplit(h).path + (f"#{urlsplit(h).fragment}" if urlsplit(h).fragment else "") for h in hrefs[:3]]
    assert set(expected) <= set(first), first
