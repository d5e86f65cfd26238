"""XSS payloads in every kind of text field: every built HTML file, parsed, holds nothing executable.

The corpus goes into terms (term, definition, synonyms, abbreviation), roles
(name, department, description), regulation and part titles, part intros,
clauses, duties (text, deadline), responsibility, a Markdown page (body and
headings, with ``attr_list`` abuse), a company profile (name, short name, site
title) and an edition (title, in the theme's edition banner). The site is built
for real (MkDocs + Material); each HTML file is parsed with :mod:`html.parser`
(:func:`reglament.htmlsafe.findings`) for event attributes, script-capable URLs
and ``style``; its ``<script>`` elements must be the theme's own (the same as in
a build of harmless content).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import run_cli
from reglament.htmlsafe import clean_document, clean_fragment, findings
from reglament.site.build import build

PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(2)>',
    "<script>alert(3)</script>",
    "[жми](javascript:alert(4))",
    '[жми](  JaVaScRiPt:alert(5) "t")',
    "[данные](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)",
    '[ссылка](https://example.org){: onmouseover="alert(7)" }',
    '[ссылка](#x){: href="javascript:alert(8)" }',
    'текст{: style="background:url(javascript:alert(9))" onclick="alert(10)" }',
    "<a href='javascript&#58;alert(11)'>a</a>",
    "&lt;img src=x onerror=alert(12)&gt;",
    '{: onfocus="alert(13)" autofocus tabindex=1 }',
]
P = " ".join(PAYLOADS)


def _y(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML scalar


def corpus() -> dict[str, str]:
    para = "\n\n".join(f"Абзац {i}: {p}\n{{: onmouseover=\"alert('p{i}')\" }}" for i, p in enumerate(PAYLOADS))
    heads = "\n\n".join(f"## Заголовок {i} {p} {{: onclick=\"alert('h{i}')\" }}" for i, p in enumerate(PAYLOADS))
    return {
        "content/glossary.yml": "terms:\n"
        f"  - id: lead\n    term: {_y('Лид ' + PAYLOADS[0])}\n    definition: {_y('Клиент. ' + P)}\n"
        f"    synonyms: [{_y('заявка ' + PAYLOADS[1])}]\n    abbreviation: {_y('Л' + PAYLOADS[2])}\n",
        "content/roles.yml": "roles:\n"
        f"  - id: manager\n    name: {_y('Менеджер ' + PAYLOADS[1])}\n    department: {_y('Отдел ' + PAYLOADS[0])}\n"
        f"    description: {_y('Описание ' + P)}\n"
        f"  - id: head\n    name: {_y('Руководитель ' + PAYLOADS[6])}\n    department: Отдел\n",
        "content/regulations/rules/regulation.yml": f"id: rules\ntitle: {_y('Регламент ' + PAYLOADS[1])}\n"
        f"short_title: {_y('Кратко ' + PAYLOADS[0])}\nowner: head\napprover: head\naudience: [manager]\n"
        "parts:\n  - general.yml\n  - duties.yml\n  - notes.md\n",
        "content/regulations/rules/general.yml": f"id: general\ntitle: {_y('Общие ' + PAYLOADS[0])}\n"
        f"intro: {_y('Введение ' + P)}\nkind: clauses\nclauses:\n"
        + "".join(f"  - id: c{i}\n    text: {_y(f'Пункт про [[lead]] {p}')}\n" for i, p in enumerate(PAYLOADS)),
        "content/regulations/rules/duties.yml": f"id: duties\ntitle: {_y('Обязанности ' + PAYLOADS[8])}\n"
        "kind: duties\nduties:\n"
        f"  - id: call\n    text: {_y('Позвонить ' + P)}\n    role: manager\n    deadline: {_y('за 15 минут ' + P)}\n"
        f"responsibility:\n  - id: late\n    text: {_y('Замечание ' + P)}\n    enforces: [call]\n",
        "content/regulations/rules/notes.md": f"---\nid: notes\ntitle: {_y('Заметки ' + PAYLOADS[1])}\n---\n\n"
        f"{para}\n\n{heads}\n",
        "content/companies/acme.yml": f"id: acme\nname: {_y('ООО ' + PAYLOADS[1])}\n"
        f"short_name: {_y('Акме ' + PAYLOADS[0])}\nsite_title: {_y('Сайт ' + PAYLOADS[2])}\nvisibility: internal\n",
    }


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: set[str] = set()
        self._in: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            src = dict(attrs).get("src")
            if src:
                self.scripts.add("src:" + src.split("?")[0].rsplit("/", 1)[-1])
            else:
                self._in = []

    def handle_data(self, data):
        if self._in is not None:
            self._in.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in is not None:
            text = "".join(self._in)
            # Material's inline config script carries page-relative paths: compare its shape, not its paths
            self.scripts.add("inline:" + ("__md_scope" if "__md_scope" in text else text.strip()[:60]))
            self._in = None


def _audit(site: Path) -> tuple[list[str], set[str]]:
    problems: list[str] = []
    scripts: set[str] = set()
    files = sorted(site.rglob("*.html"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        problems += [f"{path.relative_to(site)}: {f}" for f in findings(text)]
        parser = _Scripts()
        parser.feed(text)
        scripts |= parser.scripts
    return problems, scripts


@pytest.fixture(scope="module")
def clean_scripts(tmp_path_factory):
    import shutil

    from conftest import REPO, minimal_files, write_tree

    root = write_tree(tmp_path_factory.mktemp("clean"), minimal_files())
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "templates", root / "templates")
    out = root / "site"
    built = build(root, out, edition=_edition("Обычная редакция"))
    assert built.ok, built.diagnostics
    return _audit(out)[1]


def _edition(title: str) -> dict:
    """An edition's data as publishing passes it to the build (the banner prints its title)."""
    return {
        "id": "2025.1",
        "title": title,
        "alias": "latest",
        "effective": "2099-01-01",
        "effective_ru": "1 января 2099 г.",
        "approved": None,
        "approved_ru": "",
        "approved_by": None,
    }


@pytest.mark.slow
def test_payloads_in_every_field_leave_nothing_executable(project, clean_scripts):
    root = project(corpus(), with_site_files=True)
    out = root / "site"
    built = build(root, out, edition=_edition("Редакция " + P))
    errors = [d for d in built.diagnostics if d.severity == "error"]
    assert built.ok and not errors, errors
    problems, scripts = _audit(out)
    assert problems == []
    assert scripts <= clean_scripts, scripts - clean_scripts
    page = (out / "rules" / "index.html").read_text(encoding="utf-8")
    assert "alert(1)" in page  # the payloads are shown as text, not dropped silently
    company = root / "company-site"
    proc = run_cli("build", "--company", "acme", "--root", str(root), "--out", str(company))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    problems, scripts = _audit(company)
    assert problems == [] and scripts <= clean_scripts


@pytest.mark.parametrize("payload", PAYLOADS)
def test_allowlist_keeps_no_executable_markup(payload):
    import markdown

    html = markdown.markdown(payload, extensions=["attr_list", "md_in_html"])
    cleaned = clean_fragment(html)
    assert findings(cleaned, allow_scripts=False) == []
    assert "<script" not in cleaned
    document = f"<!doctype html><html><head><title>t</title></head><body>{html}</body></html>"
    assert findings(clean_document(document), allow_scripts=False) == []
