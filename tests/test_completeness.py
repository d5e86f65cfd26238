"""Nothing the sources hold is silently dropped (issue 21): every item of a resolved
variant reaches every output that should show it, and nothing internal reaches a
public one.

For each resolved variant — of the sample (base and every company, internal and
public) and of generated trees (``tests/test_fuzz.py``'s generator: clauses deep
and wide, internal clauses) — the docs tree is rendered and each regulation's
print HTML made in-process, then checked item by item:

* site: every numbered item on its regulation page by its anchor and its text
  (clause, part, duty group, duty, responsibility clause, KPI, tier, reduction,
  routine block, activity, data category, rule, measure, every prose paragraph);
  every term on a glossary page by its anchor, term and definition, with a
  where-used link to each item that references it; every duty on the page of
  each role taking part in it and in the RACI matrix; every role on its page;
* print (PDF HTML): every numbered item by its anchor and its text, every term
  the regulation references by its definition;
* public variants: no anchor, link or text of an internal item in any page or document.

A failure names the output, the page, the item (kind, id, number) and what is missing.
Texts are compared as word sequences (references as the reader sees them, Markdown
links by their text), piece by piece between references, so a tooltip or the print
edition's «п. 2.1 Регламент …» around a reference does not count as a difference.
The real MkDocs build of the sample is checked once, marked slow.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil

import pytest
from hypothesis import assume, given, settings

from conftest import REPO, minimal_files, run_cli
from reglament.diagnostics import has_errors
from reglament.diff import compare_editions
from reglament.diff.formats import format_markdown, format_text
from reglament.model import nodes as m
from reglament.model.content import Content, Item, markdown_blocks
from reglament.model.references import REF_RE, find_refs
from reglament.pdf.document import Company, Edition, PrintJob, document_html
from reglament.project import check_variant, load_project
from reglament.render.pages import display_name, duty_roles, render, role_page
from reglament.word.export import write_docx
from reglament.word.oxml import id_of_bookmark
from reglament.word.reader import Paragraph, read_docx
from test_fuzz import FUZZ, INTERNAL_MARK, MORPH, NOWHERE, content_trees

TEMPLATES = REPO / "templates"

#: the text fields each kind of item shows, on its regulation page and in print
SHOWN: dict[str, tuple[str, ...]] = {
    "part": ("title",),
    "clause": ("text",),
    "group": ("title",),
    "duty": ("text", "deadline"),
    "responsibility": ("text", "consequence"),
    "kpi": ("name", "measures", "target"),
    "tier": (),
    "reduction": ("text",),
    "block": ("activity",),
    "recurring": ("activity", "when"),
    "category": ("name", "examples"),
    "rule": ("text",),
    "measure": ("text",),
}
#: numbered items the print edition gives no anchor of their own (tiers and activities are table rows)
PRINT_UNANCHORED = {"tier", "recurring", "block", "category"}


# --------------------------------------------------------------------------- words


def words(text: str) -> str:
    """The words of ``text``, lower-cased, ё as е, one space apart and around: for substring search."""
    found = re.findall(r"[^\W_]+", text.lower().replace("ё", "е"))
    return " " + " ".join(found) + " " if found else ""


_LINK_TARGET = re.compile(r'\]\(\s*<?[^()\s>]*(?:\([^()\s]*\))?[^()\s>]*>?(?:\s+"[^"]*")?\s*\)')
_ATTR_LIST = re.compile(r"\{:[^}\n]*\}")
_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"(`+)(.+?)\1", re.S)


def page_words(markup: str) -> str:
    """What a reader reads of a Markdown page or an HTML document: link text without targets and
    tooltips, no tags or attribute lists, entities decoded."""
    body = markup.split("</head>", 1)[-1]
    return words(html.unescape(_TAG.sub(" ", _ATTR_LIST.sub(" ", _LINK_TARGET.sub("] ", body)))))


def pieces(text: str, content: Content) -> list[str]:
    """``text`` as the reader sees it, in word runs: the runs between references, and each reference's
    display form (references inside code spans stay as written, as the renderers keep them)."""
    spans = [(mt.start(), mt.end()) for mt in _CODE.finditer(text)]
    out, pos = [], 0
    for mt in REF_RE.finditer(text):
        if any(a <= mt.start() < b for a, b in spans):
            continue
        out.append(text[pos : mt.start()])
        ident = mt.group(1).strip()
        out.append(mt.group(2) or display_name(content.get(ident), ident))
        pos = mt.end()
    out.append(text[pos:])
    runs = [words(_LINK_TARGET.sub("] ", piece)) for piece in out]
    return [run for run in runs if run]


def anchored(markup: str, ident: str) -> bool:
    return f'id="{ident}"' in markup or f"{{: #{ident} }}" in markup


def linked(markup: str, target: str) -> bool:
    """Whether ``markup`` holds a Markdown link to ``target`` (a page path or ``#anchor`` suffix)."""
    return re.search(r"\]\((?:[^)\s]*/)?" + re.escape(target) + r'[\s)"]', markup) is not None or (
        target.startswith("#") and re.search(r"\]\(" + re.escape(target) + r'[\s)"]', markup) is not None
    )


def label(item: Item) -> str:
    return f"{item.kind} `{item.id}`" + (f" (п. {item.number})" if item.number else "")


# --------------------------------------------------------------------------- what should be where


def text_fields(item: Item) -> list[tuple[str, str]]:
    node = item.node
    return [(name, getattr(node, name)) for name in SHOWN.get(item.kind, ()) if getattr(node, name, None)]


def missing_text(out: list[str], where: str, markup_words: str, item: Item, name: str, value: str, content) -> None:
    for run in pieces(value, content):
        if run not in markup_words:
            out.append(f"{where}: {label(item)}: `{name}` not shown — missing «{run.strip()}»")
            return


def regulation_items(content: Content) -> list[Item]:
    return [it for it in content.index.values() if it.regulation is not None and it.kind != "regulation"]


def site_problems(content: Content, pages: dict[str, str]) -> list[str]:
    out: list[str] = []
    said = {path: page_words(text) for path, text in pages.items()}
    for item in regulation_items(content):
        path = f"{item.regulation.id}/index.md"
        page = pages.get(path)
        where = f"site {path}"
        if page is None:
            out.append(f"{where}: no page for {label(item)}")
            continue
        if not anchored(page, item.id):
            out.append(f"{where}: {label(item)}: no anchor")
        for name, value in text_fields(item):
            missing_text(out, where, said[path], item, name, value, content)
        if isinstance(item.node, m.ProsePart):
            for block in markdown_blocks(item.node, item):
                missing_text(out, where, said[path], item, "paragraph", block.text, content)
        if item.kind == "duty":
            for rid in duty_roles(item.node):
                role_path = role_page(rid)
                if not linked(pages.get(role_path, ""), f"index.md#{item.id}"):
                    out.append(f"site {role_path}: {label(item)}: the role's duty is not listed")
                else:
                    missing_text(out, f"site {role_path}", said[role_path], item, "text", item.node.text, content)
            if not any(linked(pages[p], f"index.md#{item.id}") for p in pages if p.startswith("roles/raci")):
                out.append(f"site roles/raci: {label(item)}: no row in the RACI matrix")

    glossary = {p: t for p, t in pages.items() if p == "glossary.md" or p.startswith("glossary/")}
    users = term_users(content)
    for term in content.terms:
        item = content.index[term.id]
        homes = [p for p, t in glossary.items() if f"{{: #{term.id} }}" in t]
        if not homes:
            out.append(f"site glossary: {label(item)}: no entry")
            continue
        path = homes[0]
        section = next(part for part in glossary[path].split("\n## ") if f"{{: #{term.id} }}" in part)
        for name in ("term", "definition", "abbreviation", "synonyms"):
            value = getattr(term, name)
            value = ", ".join(value) if isinstance(value, list) else value
            if value:
                missing_text(out, f"site {path}", page_words(section), item, name, value, content)
        for user in users.get(term.id, ()):
            target = f"index.md#{user.id}" if user.regulation is not None and user.kind != "regulation" else None
            target = target or {
                "term": f"#{user.id}",
                "role": f"{user.id}.md",
                "regulation": f"{user.id}/index.md",
            }.get(user.kind, f"{user.id}.md")
            if user.kind == "page" and user.id == "home":
                target = "index.md"  # the home page: a link from the glossary's own folder
            if not linked(section, target) and not (user.kind == "term" and linked(section, f".md#{user.id}")):
                out.append(f"site {path}: {label(item)}: where-used does not list {label(user)}")
    for role in content.roles:
        path = role_page(role.id)
        if path not in pages:
            out.append(f"site {path}: role `{role.id}`: no page")
        elif words(role.name) not in said[path]:
            out.append(f"site {path}: role `{role.id}`: name not shown")
    return out


def term_users(content: Content) -> dict[str, list[Item]]:
    """Term id → the items whose texts reference it explicitly (the where-used list must hold at least these)."""
    users: dict[str, list[Item]] = {}
    for text in content.texts():
        if text.owner is None:
            continue
        for ref in find_refs(text.text):
            item = content.get(ref.target)
            if item is not None and item.kind == "term" and ref.target != text.owner.id:
                lst = users.setdefault(ref.target, [])
                if all(u is not text.owner for u in lst):
                    lst.append(text.owner)
    return users


def print_documents(content: Content, public: bool) -> dict[str, str]:
    """Regulation id → its print edition's HTML (what WeasyPrint lays out), made in-process."""
    company = Company(full_name="ООО «Проверка»", short_name="ООО «Проверка»", city="Казань")
    return {
        reg.id: document_html(
            PrintJob(content, reg, company, Edition(effective=dt.date(2026, 1, 1)), public=public), templates=TEMPLATES
        )
        for reg in content.regulations
    }


def document_problems(content: Content, reg: m.Regulation, doc: str) -> list[str]:
    out: list[str] = []
    said, where = page_words(doc), f"print {reg.id}"
    for item in regulation_items(content):
        if item.regulation is not reg:
            continue
        if item.kind not in PRINT_UNANCHORED and f'id="{item.id}"' not in doc:
            out.append(f"{where}: {label(item)}: no anchor")
        for name, value in text_fields(item):
            missing_text(out, where, said, item, name, value, content)
        if isinstance(item.node, m.ProsePart):
            for block in markdown_blocks(item.node, item):
                missing_text(out, where, said, item, "paragraph", block.text, content)
    referenced = {ref.target for t in content.texts() if t.regulation is reg for ref in find_refs(t.text)}
    for term in content.terms:
        if term.id in referenced and f'id="term-{term.id}"' not in doc:
            out.append(f"{where}: term `{term.id}`: referenced but not defined in the document")
        elif term.id in referenced:
            for name in ("term", "definition", "abbreviation", "synonyms"):
                value = getattr(term, name)
                value = ", ".join(value) if isinstance(value, list) else value
                if value:
                    missing_text(out, where, said, content.index[term.id], name, value, content)
    return out


def print_problems(content: Content, public: bool) -> tuple[list[str], dict[str, str]]:
    documents = print_documents(content, public)
    out = [p for reg in content.regulations for p in document_problems(content, reg, documents[reg.id])]
    return out, documents


def internal_items(base: Content) -> list[Item]:
    """Items of the unresolved model marked internal, or inside an internal part or regulation."""
    found = []
    for item in base.index.values():
        holders = [item.node, item.part, item.regulation]
        if any(getattr(h, "visibility", "public") == "internal" for h in holders if h is not None):
            found.append(item)
    return found


def leak_problems(base: Content, public: Content, outputs: dict[str, str]) -> list[str]:
    out = []
    for item in internal_items(base):
        if item.id in public.index:
            out.append(f"public model: internal {label(item)} is in the public variant")
        for where, markup in outputs.items():
            if anchored(markup, item.id) or linked(markup, f"#{item.id}"):
                out.append(f"{where}: internal {label(item)}: its anchor or a link to it is published")
    return out


def problems_of(project, *, company: str | None = None) -> list[str]:
    """Completeness of one company's variant, internal and public; leaks of the public one."""
    found: list[str] = []
    outputs: dict[str, str] = {}
    base = None
    for public in (False, True):
        checked = check_variant(project, company=company, public=public)
        assert not has_errors(checked.diagnostics), [d for d in checked.diagnostics if d.severity == "error"]
        tree = render(checked.content, TEMPLATES, morph=MORPH)
        variant = f"{company or 'base'}{' public' if public else ''}"
        found += [f"[{variant}] {p}" for p in site_problems(checked.content, tree.pages)]
        printed, documents = print_problems(checked.content, public)
        found += [f"[{variant}] {p}" for p in printed]
        if not public:
            base = checked.content
        else:
            outputs = {f"site {p}": t for p, t in tree.pages.items()}
            outputs.update({f"print {r}": d for r, d in documents.items()})
            found += [f"[{variant}] {p}" for p in leak_problems(base, checked.content, outputs)]
    return found


# --------------------------------------------------------------------------- the sample


SAMPLE = load_project(REPO)
SAMPLE.morph = MORPH


@pytest.mark.parametrize("company", [None, *SAMPLE.profiles.ids])
def test_every_item_of_the_sample_reaches_every_output(company):
    problems = problems_of(SAMPLE, company=company)
    assert not problems, "\n".join(problems)


def test_the_sample_has_internal_items_so_the_leak_check_checks_something():
    base = check_variant(SAMPLE).content
    internal = internal_items(base)
    assert {it.id for it in internal} >= {"mot-bonus-fund", "mot-bonus-fund-excess"}, [label(it) for it in internal]


# --------------------------------------------------------------------------- generated trees


@settings(FUZZ, max_examples=20)
@given(content_trees())
def test_every_item_of_a_generated_tree_reaches_every_output(files):
    project = load_project(NOWHERE, files=files)
    project.morph = MORPH
    assume(not has_errors(check_variant(project).diagnostics))
    problems = []
    for company in (None, *project.profiles.ids):
        problems += problems_of(project, company=company)
    assert not problems, "\n".join(problems)
    public = check_variant(project, public=True).content
    tree = render(public, TEMPLATES, morph=MORPH)
    for path, page in tree.pages.items():
        assert INTERNAL_MARK.lower() not in page.lower(), f"site {path}: an internal clause's text is published"
    for reg, doc in print_problems(public, True)[1].items():
        assert INTERNAL_MARK.lower() not in doc.lower(), f"print {reg}: an internal clause's text is printed"


# --------------------------------------------------------------------------- the checker finds what it should


def test_a_dropped_clause_is_named_with_its_output_and_number():
    content = check_variant(SAMPLE).content
    tree = render(content, TEMPLATES, morph=MORPH)
    clause = next(it for it in content.items("clause") if it.number and it.number.count(".") >= 2)
    page = f"{clause.regulation.id}/index.md"
    cut = tree.pages[page].replace(f'id="{clause.id}"', 'id="gone"')
    problems = site_problems(content, {**tree.pages, page: cut})
    assert f"site {page}: clause `{clause.id}` (п. {clause.number}): no anchor" in problems


def test_a_sub_clause_the_print_edition_lost_is_named_with_its_text():
    content = check_variant(SAMPLE).content
    clause = next(it for it in content.items("clause") if it.number and it.number.count(".") >= 2)
    reg = clause.regulation
    doc = print_documents(content, False)[reg.id]
    cut = re.sub(rf'<div class="clause depth" id="{clause.id}">.*?</div>', "", doc, count=1, flags=re.S)
    assert cut != doc
    problems = document_problems(content, reg, cut)
    assert problems[0] == f"print {reg.id}: clause `{clause.id}` (п. {clause.number}): no anchor"
    assert problems[1].startswith(f"print {reg.id}: clause `{clause.id}` (п. {clause.number}): `text` not shown")


# --------------------------------------------------------------------------- Word: the deepest clauses allowed


def test_word_numbers_the_deepest_clauses_the_model_allows(tmp_path):
    """Nine number levels («1.1.1.1.1.1.1.1.1», the `clause-depth` limit) are what a Word list numbers:
    every level is a numbered paragraph with the site's number and the clause's bookmark."""
    lines = ["id: general", "title: Общие положения", "kind: clauses", "clauses:"]
    for level in range(1, 9):
        pad = "    " * (level - 1)
        lines += [f"{pad}  - id: deep{level}", f"{pad}    text: Пункт уровня {level}."]
        lines += [f"{pad}    clauses:"] if level < 8 else []
    files = {rel: text.encode() for rel, text in minimal_files().items()}
    files["content/regulations/rules/general.yml"] = ("\n".join(lines) + "\n").encode()
    project = load_project(NOWHERE, files=files)
    project.morph = MORPH
    checked = check_variant(project)
    assert not has_errors(checked.diagnostics), checked.diagnostics
    content = checked.content
    job = PrintJob(content, content.regulations[0], Company(full_name="ООО «Проверка»"), Edition(dt.date(2026, 1, 1)))
    path = write_docx(job, tmp_path)
    shown = {}
    for block in read_docx(path).blocks:
        if isinstance(block, Paragraph) and block.label and block.bookmarks:
            shown[id_of_bookmark(block.bookmarks[0])] = (block.label, block.text)
    for level in range(1, 9):
        item = content.index[f"deep{level}"]
        assert item.number == "1." + ".".join(["1"] * level)
        label_, text = shown[f"deep{level}"]
        assert label_.rstrip(".") == item.number and f"Пункт уровня {level}." in text, (level, label_, text)


# --------------------------------------------------------------------------- the diff: changes at any depth


def nested_part(depth: int, text_of) -> bytes:
    lines = ["id: general", "title: Общие положения", "kind: clauses", "clauses:"]
    for level in range(1, depth + 1):
        pad = "    " * (level - 1)
        lines += [f"{pad}  - id: deep{level}", f"{pad}    text: {text_of(level)}"]
        lines += [f"{pad}    clauses:"] if level < depth else []
    return ("\n".join(lines) + "\n").encode()


def content_with(general: bytes) -> Content:
    files = {rel: text.encode() for rel, text in minimal_files().items()}
    files["content/regulations/rules/general.yml"] = general
    project = load_project(NOWHERE, files=files)
    project.morph = MORPH
    checked = check_variant(project)
    assert not has_errors(checked.diagnostics), checked.diagnostics
    return checked.content


def test_the_diff_shows_changes_five_levels_deep_with_their_numbers():
    old = content_with(nested_part(5, lambda level: f"Пункт уровня {level}."))
    new = content_with(
        nested_part(6, lambda level: "Пункт пятого уровня, изменённый." if level == 5 else f"Пункт {level}.")
    )
    changes = compare_editions(old, new)
    text, markdown = format_text(changes), format_markdown(changes)
    for out in (text, markdown):
        assert "1.1.1.1.1.1" in out and "Пункт 6." in out  # the added sixth level, by number and text
        assert re.search(r"1\.1\.1\.1\.1(?![.\d])", out) and "изменённый" in out  # the changed fifth level


# --------------------------------------------------------------------------- the real engine, once


@pytest.mark.slow
def test_the_built_sample_site_shows_every_clause_by_anchor_and_text(tmp_path):
    root = tmp_path / "sample"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    done = run_cli("build", "--root", str(root), "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stdout + done.stderr
    content = check_variant(SAMPLE).content
    problems = []
    for item in regulation_items(content):
        built = tmp_path / "site" / item.regulation.id / "index.html"
        markup = built.read_text(encoding="utf-8")
        if f'id="{item.id}"' not in markup:
            problems.append(f"built {built.name}: {label(item)}: no anchor")
        for name, value in text_fields(item):
            missing_text(problems, f"built {item.regulation.id}", page_words(markup), item, name, value, content)
    assert not problems, "\n".join(problems)
