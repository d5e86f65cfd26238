"""The built sample site in a real headless Chromium (Debian's, driven by Playwright
with ``executable_path``; no browser download): Russian search with inflected
queries, term tooltips, the bonus calculator, edit buttons, copyable clause
links — and not one request outside localhost.

The sample under ``content/`` is built once per session into a temp folder and
served by a local ``http.server`` thread on 127.0.0.1.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO, static_server
from reglament import ru
from reglament.project import check_project
from reglament.render import motivation
from reglament.render.pages import plain
from reglament.site.build import build
from reglament.site.search import index_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

NBSP = "\u00a0"


@pytest.fixture(scope="session")
def checked():
    result = check_project(REPO)
    assert result.ok, "the sample content must check clean:\n" + "\n".join(map(str, result.diagnostics))
    return result


ENGINES = ["mkdocs", "properdocs", "zensical"]


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def site(tmp_path_factory, checked, engine) -> Path:
    """The sample built with each engine: every test below runs against all three (what a reader gets)."""
    out = tmp_path_factory.mktemp(f"browser-{engine}") / "site"
    built = build(REPO, out, checked=checked, stage=out.parent / "stage", engine=engine)
    assert built.ok, built.diagnostics
    return out


@pytest.fixture(scope="session")
def base_url(site):
    with static_server(site) as url:
        yield url


@pytest.fixture
def page(browser, base_url):
    """A fresh page; every request it makes is recorded, and none may leave the local server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda request: pg.requests.append(request.url))
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    outside = [u for u in pg.requests if not u.startswith((base_url, "data:", "blob:", "about:"))]
    assert outside == [], f"requests outside localhost: {outside}"
    assert errors == [], f"script errors: {errors}"


def open_page(pg, base_url: str, path: str, *, idle: bool = False) -> None:
    """Open a page and wait for its scripts (``idle``: until the network is quiet too)."""
    pg.goto(base_url + path, wait_until="networkidle" if idle else "load")


def search(pg, query: str) -> list[str]:
    """Type ``query`` into the site's search box (Pagefind); the results as `path#anchor`, best first."""
    box = pg.locator("input.rg-search__input")
    box.click()
    box.fill(query)
    pg.wait_for_selector('.rg-search__results[data-state="done"]', timeout=15000)
    hrefs = pg.eval_on_selector_all(".rg-search__link", "links => links.map(a => a.href)")
    return [urlsplit(h).path + (f"#{urlsplit(h).fragment}" if urlsplit(h).fragment else "") for h in hrefs]


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query, expected",
    [
        ("заявкам", "/glossary/#request"),  # dative plural → the glossary entry «Заявка»
        ("заявкою", "/glossary/#request"),  # a form the site never uses
        ("лидов", "/glossary/#lead"),
        ("отгрузками", "/glossary/#shipment"),
        ("звонков", "/glossary/#cold-call"),  # «Холодный звонок»: a fleeting vowel (звонок / звонка)
    ],
)
def test_inflected_russian_query_finds_the_term(page, base_url, site, query, expected):
    open_page(page, base_url, "")
    assert expected in search(page, query)


def test_inflected_query_puts_the_regulation_titled_with_the_word_near_the_top(page, base_url):
    """«заявкам» → the «Регламент обработки входящих заявок» (genitive plural in its title) among the first two
    pages (Pagefind ranks the glossary, where «Заявка» is a heading, first; lunr put the regulation first)."""
    open_page(page, base_url, "")
    pages = [u for u in search(page, "заявкам") if "#" not in u]
    assert "/incoming-requests/" in pages[:2]


def test_search_index_is_pagefinds_russian_index_on_every_engine(site):
    """One search whatever the engine: Pagefind's Russian index, and no engine search index beside it."""
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert '"ru' in (site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    assert "Заявка" in index_text(site)
    assert not (site / "search" / "search_index.json").exists() and not (site / "search.json").exists()


def test_search_ui_speaks_russian(page, base_url):
    open_page(page, base_url, "")
    assert page.locator("input.rg-search__input").get_attribute("placeholder") == "Поиск"
    search(page, "заявкам")
    assert re.fullmatch(r"Найдено: \d+ результат(|а|ов)", page.locator(".rg-search__meta").inner_text())


# --------------------------------------------------------------------------- glossary tooltips


def test_term_link_shows_its_definition(page, base_url, checked):
    definition = plain(checked.content.get("lead").node.definition, checked.content)
    open_page(page, base_url, "sales-manager/")
    link = page.locator('.rg-clause a[href$="glossary/#lead"]').first
    link.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(timeout=5000)
    text = " ".join(tooltip.inner_text().split())
    assert text == f"Лид — {definition}"


# --------------------------------------------------------------------------- motivation calculator


def test_calculator_shows_the_generators_bonus(page, base_url, checked):
    """The in-page calculator agrees with the generator at tier bounds, inside tiers, above the top."""
    part = checked.content.get("motivation").node
    money = lambda n: ru.number(n) + NBSP + part.currency  # noqa: E731
    open_page(page, base_url, "sales-manager/")
    calc = page.locator(".rg-calc")
    shown, wanted = [], []
    for percent in ["87", "69.9", "70", "89,99", "90", "99,5", "100", "120", "135"]:
        expected = motivation.compute(part, float(percent.replace(",", ".")))
        calc.locator("input[name=percent]").fill(percent)
        shown.append(
            (
                percent,
                calc.locator('[data-rg-out="bonus"]').inner_text(),
                calc.locator('[data-rg-out="total"]').inner_text(),
            )
        )
        wanted.append((percent, money(expected.bonus), money(expected.total)))
    assert shown == wanted
    assert len({bonus for _, bonus, _ in wanted}) >= 4  # the values cover several tiers
    calc.locator("input[name=percent]").fill("сто")
    assert calc.locator('[data-rg-out="bonus"]').inner_text() == "—"


def test_calculator_applies_reductions(page, base_url, checked):
    part = checked.content.get("motivation").node
    chosen = tuple(r.id for r in part.reductions[:2])
    expected = motivation.compute(part, 105, reductions=chosen)
    assert expected.bonus < expected.gross
    open_page(page, base_url, "sales-manager/")
    calc = page.locator(".rg-calc")
    calc.locator("input[name=percent]").fill("105")
    calc.locator("details.rg-calc__reductions summary").click()
    for rid in chosen:
        calc.locator(f'input[name=reduction][value="{rid}"]').check()
    assert calc.locator('[data-rg-out="bonus"]').inner_text() == (ru.number(expected.bonus) + NBSP + part.currency)


def test_worked_example_matches_the_calculator_default(page, base_url, checked):
    part = checked.content.get("motivation").node
    example = motivation.compute(part, motivation.example_percent(part))
    open_page(page, base_url, "sales-manager/")
    shown = page.locator(".rg-example").inner_text()
    assert ru.number(example.bonus) in shown
    assert page.locator('.rg-calc [data-rg-out="bonus"]').inner_text().startswith(ru.number(example.bonus))


# --------------------------------------------------------------------------- edit buttons, permalinks


@pytest.mark.parametrize(
    "path, source",
    [
        ("sales-manager/", "content/regulations/sales-manager/regulation.yml"),
        ("roles/manager/", "content/roles.yml"),
        ("glossary/", "content/glossary.yml"),
        ("", "content/pages/index.md"),
    ],
)
def test_edit_button_opens_the_source_file(page, base_url, path, source):
    open_page(page, base_url, path)
    href = page.locator("a.md-content__button").first.get_attribute("href")
    assert href == "https://github.com/example/reglament/edit/main/" + source


def test_each_section_has_an_edit_link_to_its_own_file(page, base_url):
    open_page(page, base_url, "sales-manager/")
    href = page.locator("h2#motivation a.rg-edit-src").get_attribute("href")
    assert href == "https://github.com/example/reglament/edit/main/content/regulations/sales-manager/motivation.yml"


def test_clause_permalink_is_copied_on_hover(page, base_url, checked):
    clause = checked.content.get("gp-goal")
    open_page(page, base_url, "sales-manager/")
    block = page.locator("#gp-goal")
    assert block.locator(".rg-num").inner_text() == clause.number + "."
    button = block.locator(".rg-copy")
    assert button.evaluate("b => getComputedStyle(b).opacity") == "0"
    block.hover()
    page.wait_for_function("() => getComputedStyle(document.querySelector('#gp-goal .rg-copy')).opacity === '1'")
    button.click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == base_url + "sales-manager/#gp-goal"
    assert "скопировано" in button.inner_text()


# --------------------------------------------------------------------------- offline


def test_no_request_leaves_localhost(page, base_url):
    """Every kind of page loads only from the local server (the fixture asserts it on teardown)."""
    for path in ("", "sales-manager/", "incoming-requests/", "glossary/", "roles/", "roles/manager/", "roles/raci/"):
        open_page(page, base_url, path, idle=True)
    search(page, "сделки")
    assert any("/pagefind/pagefind-entry.json" in u for u in page.requests)
    assert any(".pf_index" in u for u in page.requests)
