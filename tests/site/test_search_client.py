"""The search box's client (templates/assets/reglament-search.js) in a real headless Chromium: Pagefind starts
while the page is idle (not on the first query), the best result is shown before the other nine are fetched, a
one-letter query asks for another letter, and the queries a reader types — inflected, by synonym or
abbreviation, with a fleeting vowel — still find their terms.

The speed itself is measured in benchmarks/bench_search.py, not here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from conftest import REPO, static_server
from reglament.project import check_project
from reglament.site.build import build

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

BOX = "input.rg-search__input"
# Before the page's scripts: how many results the panel held each time a result was added
PROBE = """
window.__shown = [];
new MutationObserver(() => {
  const n = document.querySelectorAll('.rg-search__result').length;
  if (n && n !== __shown[__shown.length - 1]) __shown.push(n);
}).observe(document, {childList: true, subtree: true});
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("search-client") / "site"
    built = build(REPO, out, checked=check_project(REPO), stage=out.parent / "stage", engine="zensical")
    assert built.ok, built.diagnostics
    with static_server(out) as url:
        yield url


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    pg = context.new_page()
    pg.add_init_script(PROBE)
    pg.requests = []
    pg.on("request", lambda request: pg.requests.append(request.url))
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert [u for u in pg.requests if not u.startswith((base_url, "data:", "blob:"))] == []
    assert errors == [], f"script errors: {errors}"


def fetched(pg, part: str) -> list[str]:
    return [u for u in pg.requests if f"/pagefind/{part}" in u]


def test_pagefind_starts_while_the_page_is_idle(page, base_url):
    """Without any interaction Pagefind's script, its Russian wasm and the index metadata are fetched and
    Pagefind is ready; no index chunk and no excerpt is fetched before a query."""
    page.goto(base_url, wait_until="networkidle")
    page.wait_for_function("performance.getEntriesByName('rg-search:ready').length > 0", timeout=15000)
    assert fetched(page, "pagefind.js") and fetched(page, "wasm.ru.pagefind")
    assert [u for u in page.requests if u.endswith(".pf_meta")]
    assert fetched(page, "index/") == [] and fetched(page, "fragment/") == []


def test_best_result_is_shown_before_the_other_nine_are_fetched(page, base_url):
    page.goto(base_url, wait_until="load")
    page.locator(BOX).click()
    page.keyboard.type("заявкам")
    page.wait_for_selector('.rg-search__results[data-state="done"]', timeout=15000)
    shown = page.evaluate("__shown")
    assert shown[0] == 1 and shown[-1] > 1, shown  # one result first, then the rest
    assert page.locator(".rg-search__results").get_attribute("data-query") == "заявкам"


def test_one_letter_asks_for_another_and_fetches_no_index(page, base_url):
    page.goto(base_url, wait_until="networkidle")
    page.locator(BOX).click()
    page.keyboard.type("з")
    assert page.locator(".rg-search__results").inner_text() == "Введите хотя бы две буквы"
    page.wait_for_timeout(300)
    assert fetched(page, "index/") == [] and fetched(page, "fragment/") == []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("заявок", "/glossary/#request"),  # a fleeting vowel: «заявок» ↔ «заявка»
        ("КП", "/glossary/#commercial-offer"),  # the abbreviation of «Коммерческое предложение»
        ("дебиторкой", "/glossary/#receivables"),  # an inflected synonym of «Дебиторская задолженность»
    ],
)
def test_typed_query_finds_the_term(page, base_url, query, expected):
    """Typed letter by letter (each letter a query of its own), the final query's results are the ones shown."""
    page.goto(base_url, wait_until="load")
    page.locator(BOX).click()
    page.keyboard.type(query, delay=30)
    page.wait_for_selector(f'.rg-search__results[data-state="done"][data-query="{query}"]', timeout=15000)
    hrefs = page.eval_on_selector_all(".rg-search__link", "links => links.map(a => a.href)")
    found = [urlsplit(h).path + (f"#{urlsplit(h).fragment}" if urlsplit(h).fragment else "") for h in hrefs]
    assert expected in found


def test_ten_results_then_ten_more_on_request(page, base_url):
    """An excerpt is its record's whole text: the panel holds ten results and fetches more on «Показать ещё»."""
    page.goto(base_url, wait_until="networkidle")
    page.locator(BOX).click()
    page.locator(BOX).fill("заявка")  # one query (typed letter by letter, each letter may show its best result)
    page.wait_for_selector('.rg-search__results[data-state="done"][data-query="заявка"]', timeout=15000)
    total = int(page.locator(".rg-search__meta").inner_text().split()[1])
    assert total > 10, "the sample must have more than ten records with «заявка» for this test"
    assert page.locator(".rg-search__result").count() == 10
    assert len(fetched(page, "fragment/")) == 10
    assert page.locator(".rg-search__more").inner_text() == "Показать ещё"
    page.locator(".rg-search__more").click()
    page.wait_for_function("document.querySelectorAll('.rg-search__result').length > 10", timeout=15000)
    assert page.locator(".rg-search__result").count() == min(total, 20)
    assert len(fetched(page, "fragment/")) == min(total, 20)
