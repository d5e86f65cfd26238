"""`reglament build --offline`: the editor's preview, unpacked and opened from a folder (``file://``) in Chromium.

Navigation opens pages (not directory listings), the Russian search works
without a server, term tooltips and the calculator work, and nothing is
requested from anywhere but the folder itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from reglament.site.build import build

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def unpacked(request, tmp_path_factory) -> Path:
    """The offline build, zipped as the workflow's artifact is and unpacked elsewhere, as an editor would."""
    tmp = tmp_path_factory.mktemp(f"offline-{request.param}")
    built = build(REPO, tmp / "site", stage=tmp / "stage", engine=request.param, offline=True)
    assert built.ok, built.diagnostics
    archive = shutil.make_archive(str(tmp / "preview"), "zip", tmp / "site")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp / "Загрузки" / "preview")
    return tmp / "Загрузки" / "preview"


@pytest.fixture
def page(browser, unpacked):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    pg = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    root = unpacked.as_uri()
    outside = [u for u in requests if not u.startswith((root, "data:", "blob:", "about:"))]
    assert outside == [], f"requests outside the unpacked folder: {outside}"
    assert errors == [], f"script errors: {errors}"


def test_navigation_opens_pages_not_folders(page, unpacked):
    page.goto((unpacked / "index.html").as_uri())
    page.locator(".md-nav__link", has_text="Менеджер отдела продаж").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/sales-manager/index.html")
    assert page.locator("h1").first.inner_text().strip()
    page.locator(".rg-clause a[href*='glossary.html#lead']").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/glossary.html#lead")
    assert "Index of" not in page.content()


def test_russian_search_works_from_the_folder(page, unpacked):
    page.goto((unpacked / "sales-manager" / "index.html").as_uri())
    page.locator("input.rg-search__input").fill("заявкам")
    page.wait_for_selector('.rg-search__results[data-state="done"]', timeout=20000)
    hrefs = page.eval_on_selector_all(".rg-search__link", "links => links.map(a => a.href)")
    target = (unpacked / "glossary.html").as_uri() + "#request"
    assert target in hrefs
    regulation = (unpacked / "incoming-requests" / "index.html").as_uri()  # a folder's page: its index.html
    assert regulation in hrefs
    page.locator(f'.rg-search__link[href="{target}"]').first.click()
    page.wait_for_load_state("load")
    assert page.url == target and page.locator("h2#request").is_visible()


def test_tooltip_calculator_and_edit_button_work_from_the_folder(page, unpacked):
    page.goto((unpacked / "sales-manager" / "index.html").as_uri())
    page.locator('.rg-clause a[href$="glossary.html#lead"]').first.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(timeout=5000)
    assert tooltip.inner_text().startswith("Лид — ")
    calc = page.locator(".rg-calc")
    calc.locator("input[name=percent]").fill("100")
    assert calc.locator('[data-rg-out="bonus"]').inner_text() not in ("", "—")
    href = page.locator("a.md-content__button").first.get_attribute("href")
    assert href == "https://github.com/example/reglament/edit/main/content/regulations/sales-manager/regulation.yml"


def test_all_companies_preview_links_each_company_page(tmp_path):
    out = tmp_path / "preview"
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("reglament")),
            "build",
            "--all-companies",
            "--offline",
            "--out",
            str(out),
            "--root",
            str(REPO),
            "-j",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="kama-kzn/index.html"' in index and (out / "kama-kzn" / "glossary.html").is_file()
