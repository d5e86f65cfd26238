"""End to end: the sample content through MkDocs + Material into a real site."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pytest

from conftest import REPO, run_cli

pytestmark = pytest.mark.slow


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self.links.append(attrs)


def parse(path):
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    # a base-only project: build the site once
    companies = root / "content" / "companies"
    if companies.exists():
        shutil.rmtree(companies)
    proc = run_cli("build", "--root", str(root), "--out", str(root / "site"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root / "site"


def test_regulation_page_has_numbered_clauses_with_anchors(site):
    page = site / "sales-manager" / "index.html"
    html = page.read_text(encoding="utf-8")
    parsed = parse(page)
    assert "Регламент работы менеджера отдела продаж" in html
    numbers = [a for a in parsed.links if "rg-num" in (a.get("class") or "")]
    assert len(numbers) > 40
    for a in numbers:  # each number is a permalink to an existing anchor
        assert a["href"].lstrip("#") in parsed.ids
    assert re.search(r'class="rg-num"[^>]*>3\.1\.1\.</a>', html)


def test_glossary_page_and_term_links(site):
    glossary = parse(site / "glossary" / "index.html")
    regulation = parse(site / "sales-manager" / "index.html")
    term_links = [a for a in regulation.links if a.get("href", "").startswith("../glossary/#")]
    assert term_links, "the regulation links no term"
    for a in term_links:
        assert a["href"].split("#")[1] in glossary.ids
        assert a.get("title"), "a term link carries its definition as a tooltip"


def test_every_internal_link_resolves(site):
    ids: dict = {}

    def anchors(path):
        if path not in ids:
            ids[path] = parse(path).ids
        return ids[path]

    for page in site.rglob("*.html"):
        parsed = parse(page)
        for a in parsed.links:
            href = a.get("href", "")
            if not href or href.startswith(("http", "mailto:", "javascript:")) or "#" not in href:
                continue
            path, anchor = href.split("#", 1)
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not anchor or target.suffix != ".html":
                continue
            assert anchor in anchors(target), f"{page.relative_to(site)} → {href}"


def test_edit_button_points_at_yaml_source(site):
    html = (site / "sales-manager" / "index.html").read_text(encoding="utf-8")
    assert (
        'href="https://github.com/example/reglament/edit/main/content/regulations/sales-manager/regulation.yml"' in html
    )
