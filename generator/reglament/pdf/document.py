"""The print edition: one A4 PDF per regulation (per company), laid out by WeasyPrint.

A regulation's print edition is what HR files and employees sign: a title page
with the company's name and the approval block («УТВЕРЖДАЮ»), a table of
contents with page numbers, the numbered clauses exactly as the site numbers
them (the numbers come from :attr:`Content.index`, never recounted here), the
glossary, a change sheet («Лист изменений») when the edition has a
predecessor, and the acknowledgement sheet («Лист ознакомления»).

The stages:

- :class:`PrintJob` — everything one document needs: the (resolved, possibly
  public-filtered) :class:`Content`, the regulation, the issuing company, the
  edition, the employees who must sign, the changes since the last edition.
  Plain values, passed in explicitly: the date of a working edition is an
  argument, never read from a clock here.
- :func:`document_html` — the job through the Jinja2 templates in
  ``<root>/templates/pdf`` (sandboxed, ``StrictUndefined``, HTML autoescape).
- :func:`write_pdf` — HTML + ``print.css`` → PDF (WeasyPrint), written
  atomically; resources only from the project folder, never the network.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import markdown
from jinja2 import FileSystemLoader, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from reglament import ru
from reglament.diagnostics import Diagnostic
from reglament.diff import compare_editions
from reglament.diff.model import Changes, ParameterChange
from reglament.diff.redline import plain as plain_refs
from reglament.diff.sources import revision_files
from reglament.errors import GitError, PdfError
from reglament.htmlsafe import clean_fragment, findings
from reglament.model import editions as ed
from reglament.model import nodes as m
from reglament.model.content import Content, Item, part_items
from reglament.model.editions import tag_name
from reglament.model.references import escape_html, find_refs
from reglament.project import Checked, Project, check_variant, load_project, site_title
from reglament.render.pages import display_name, sub_refs
from reglament.render.views import node_of
from reglament.sandbox import sandbox
from reglament.source import git
from reglament.variant.resolve import Variant, compare_sides

if TYPE_CHECKING:  # WeasyPrint is imported when a PDF is made, not with this module
    from weasyprint.urls import URLFetcher

TEMPLATE = "document.html.j2"
STYLESHEET = "print.css"
WORKING_EDITION = "рабочая редакция"

#: rows of the acknowledgement sheet left blank after the pre-filled names (new hires sign there)
SPARE_ROWS = 5
#: rows of the acknowledgement sheet when no names are known (fills about a page)
BLANK_ROWS = 15


# --------------------------------------------------------------------------
# What a document needs


@dataclass(frozen=True)
class Company:
    """The issuing company as the title page names it."""

    full_name: str
    """Full legal name: «Общество с ограниченной ответственностью «Ромашка»»."""
    short_name: str = ""
    """Short name, used in the approval block: «ООО «Ромашка»»."""
    id: str | None = None
    """Profile id; None for the base content."""
    city: str = ""
    """City printed at the foot of the title page (optional)."""


@dataclass(frozen=True)
class Employee:
    """A person who must read the regulation and sign the acknowledgement sheet."""

    name: str
    """Full name: «Иванов Иван Иванович»."""
    role: str
    """Role id; the person signs every regulation whose audience holds this role."""
    position: str = ""
    """Position as printed; empty: the role's display name."""


@dataclass(frozen=True)
class Edition:
    """The edition printed on the title page and in the running header."""

    effective: date
    """Effective date; for a working edition, the date the PDF describes (passed in, not read from a clock)."""
    id: str | None = None
    """Edition id (`2025.1`); None for a working edition."""
    title: str = ""
    """The edition's own title («Вторая редакция»), printed under the edition on the title page."""
    approved_by: str = ""
    """Who approved it (a name: «А. В. Смирнов»), printed on the signature line."""
    approved_position: str = ""
    """The approver's position when the edition names it («Генеральный директор»); empty: the approver role."""
    approved_on: date | None = None
    """Approval date, printed in the approval block; None leaves the date line to fill in by hand."""

    @property
    def label(self) -> str:
        """How the document cites the edition: «редакция 2025.1» (or «рабочая редакция»)."""
        return f"редакция {self.id}" if self.id else WORKING_EDITION

    @property
    def working(self) -> bool:
        return self.id is None


@dataclass(frozen=True)
class Change:
    """One line of the change sheet: what happened to which clause (or section) since the previous edition."""

    kind: Literal["added", "removed", "changed", "moved"]
    where: str
    """Where, as the document cites it: «п. 3.1.1», «разд. 4», «п. 3.2 → п. 3.4», «глоссарий»."""
    summary: str
    """What the clause is about and, for a number, the change: plain text (shortened when printed)."""


@dataclass(frozen=True)
class ChangeSheet:
    """Changes of this edition against its predecessor."""

    previous: str
    """The predecessor's label: «редакция 2025.1»."""
    changes: tuple[Change, ...] = ()
    note: str = ""
    """A sentence printed instead of the table when there is nothing to list («введён впервые»)."""


@dataclass
class PrintJob:
    """One document: a regulation of a company in an edition."""

    content: Content
    regulation: m.Regulation
    company: Company
    edition: Edition
    employees: tuple[Employee, ...] = ()
    change_sheet: ChangeSheet | None = None
    public: bool = False
    """True for a public build: the content must already be filtered; recorded in the PDF's metadata."""

    @property
    def file_name(self) -> str:
        return f"{self.regulation.id}.pdf"


# --------------------------------------------------------------------------
# Text: references → in-document links, inline Markdown → HTML


class TextRenderer:
    """Turns model text into HTML for print: raw HTML escaped, ``[[id]]`` resolved, Markdown applied.

    A reference to something printed in this document (a clause, a part, a
    glossary entry) becomes an internal link; anything else becomes its
    display form as plain text (a PDF has no role pages to link to).
    """

    def __init__(self, content: Content, regulation: m.Regulation, anchors: dict[str, str]) -> None:
        self.content = content
        self.regulation = regulation
        self.anchors = anchors  # item id → anchor in this document
        self._md = markdown.Markdown(extensions=["tables", "def_list", "sane_lists", "attr_list"], output_format="html")

    def display(self, item: Item | None, ident: str) -> str:
        text = display_name(item, ident)
        if (
            item is not None
            and item.regulation is not None
            and item.regulation is not self.regulation
            and item.kind not in ("regulation", "term", "role")
        ):
            text += f" {item.regulation.short_title or item.regulation.title}"
        return text

    def refs_to_markdown(self, value: str) -> str:
        escaped = escape_html(value)

        def repl(mt: re.Match) -> str:
            ident = mt.group(1).strip()
            item = self.content.get(ident)
            shown = mt.group(2) if mt.group(2) is not None else html.escape(self.display(item, ident))
            shown = shown.replace("[", "&#91;").replace("]", "&#93;")
            anchor = self.anchors.get(ident)
            return f"[{shown}](#{anchor})" if anchor else shown

        return typography(sub_refs(repl, escaped))

    def inline(self, value: str | None) -> Markup:
        if not value:
            return Markup("")
        self._md.reset()
        result = self._md.convert(self.refs_to_markdown(value).strip())
        if result.startswith("<p>") and result.endswith("</p>") and result.count("<p>") == 1:
            result = result[3:-4]
        return Markup(clean_fragment(result, relative_links=False))

    def block(self, body: str) -> Markup:
        """A Markdown body (a prose part): references resolved, headings pushed below the part title."""
        lines, in_fence = [], False
        for line in body.split("\n"):
            if re.match(r"^\s*(```|~~~)", line):
                in_fence = not in_fence
                lines.append(line)
            elif in_fence:
                lines.append(line)
            else:
                heading = re.match(r"^(#{1,6})(\s)", line)
                if heading:
                    level = min(6, len(heading.group(1)) + 2)
                    line = "#" * level + line[len(heading.group(1)) :]
                lines.append(self.refs_to_markdown(line))
        self._md.reset()
        return Markup(clean_fragment(self._md.convert("\n".join(lines).strip("\n")), relative_links=False))


_NBSP_RULES = (
    (re.compile(r"(?<=\d) (?=\d{3}(?!\d))"), "\u00a0"),  # 60 000
    (re.compile(r"(?<=\d) (?=(?:%|₽|руб\.|мин\b|ч\b))"), "\u00a0"),  # 20 %, 300 ₽
    (re.compile(r"\b(п|пп|ст|ч|разд|подп)\. (?=\S)"), "\\1.\u00a0"),  # п. 3.2
    (re.compile(r"(?<=№) (?=\S)"), "\u00a0"),  # № 152-ФЗ
    (re.compile(r" (?=—)"), "\u00a0"),  # a dash never starts a line
)


def typography(text: str) -> str:
    """Non-breaking spaces where a line must not break: «20 %», «60 000», «п. 3.2», «№ 152», « —»."""
    for pattern, repl in _NBSP_RULES:
        text = pattern.sub(repl, text)
    return text


# --------------------------------------------------------------------------
# The document model the template reads


@dataclass
class Section:
    """A part of the regulation as printed: its number, heading and what to show."""

    number: str
    part: m.Node
    kind: str
    items: list = field(default_factory=list)
    terms: list = field(default_factory=list)  # (number, term) for a terms part
    body: Markup = field(default_factory=Markup)


def referenced_terms(content: Content, regulation: m.Regulation) -> list[m.Term]:
    """Terms the regulation's texts reference, alphabetically (what the site's empty terms part lists)."""
    ids = {ref.target for text in content.texts() if text.regulation is regulation for ref in find_refs(text.text)}
    return sorted((t for t in content.terms if t.id in ids), key=lambda t: t.term.lower())


def part_terms(content: Content, regulation: m.Regulation, part: m.TermsPart) -> list[m.Term]:
    """The terms a terms part lists, in the site's order."""
    if part.terms:
        return [node_of(content.index[t], m.Term) for t in part.terms if t in content.index]
    return referenced_terms(content, regulation)


def sections(job: PrintJob) -> tuple[list[Section], list[m.Term]]:
    """The printed sections in order, and the appendix glossary (terms, when the regulation has no terms part)."""
    out: list[Section] = []
    has_terms_part = False
    for s, part in enumerate(job.regulation.loaded_parts, 1):
        kind = getattr(part, "kind", "prose")
        sec = Section(str(s), part, kind, list(part_items(part)))
        if isinstance(part, m.TermsPart):
            has_terms_part = True
            sec.terms = [(f"{s}.{i}", t) for i, t in enumerate(part_terms(job.content, job.regulation, part), 1)]
        out.append(sec)
    glossary = [] if has_terms_part else referenced_terms(job.content, job.regulation)
    return out, glossary


def anchors_of(job: PrintJob, secs: list[Section], glossary: list[m.Term]) -> dict[str, str]:
    """Item id → anchor, for everything this document prints."""
    anchors: dict[str, str] = {}
    for item in job.content.index.values():
        if item.regulation is job.regulation and item.kind not in ("regulation",):
            anchors[item.id] = item.id
    for sec in secs:
        for _, term in sec.terms:
            anchors.setdefault(term.id, f"term-{term.id}")
    for term in glossary:
        anchors.setdefault(term.id, f"term-{term.id}")
    return anchors


def acknowledgement_rows(job: PrintJob) -> list[tuple[str, str]]:
    """(name, position) rows of the acknowledgement sheet: employees of the audience roles, then blank rows."""
    audience = list(job.regulation.audience)
    rows: list[tuple[str, str]] = []
    for role_id in audience:  # grouped by role, in the regulation's audience order
        role = job.content.get(role_id)
        for person in job.employees:
            if person.role == role_id:
                position = person.position or (node_of(role, m.Role).name if role and role.kind == "role" else role_id)
                rows.append((person.name, position))
    spare = SPARE_ROWS if rows else BLANK_ROWS
    return rows + [("", "")] * spare


# --------------------------------------------------------------------------
# Formatting helpers (template filters)


def initials(name: str) -> str:
    """«Иванов Иван Иванович» → «И. И. Иванов» (how a signature line names the signer)."""
    words = name.split()
    if len(words) == 3 and all(w[:1].isupper() and "." not in w and len(w) > 1 for w in words):
        return f"{words[1][0]}.\u00a0{words[2][0]}.\u00a0{words[0]}"
    return name


def shorten(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------
# HTML


def template_env(templates: Path) -> ImmutableSandboxedEnvironment:
    folder = templates / "pdf"
    if not (folder / TEMPLATE).is_file():
        raise PdfError(f"no print templates: {folder / TEMPLATE} is missing")
    env = sandbox(
        loader=FileSystemLoader(str(folder)), project=templates.parent, autoescape=True, keep_trailing_newline=False
    )
    env.filters.update(initials=initials, shorten=shorten)
    return env


def document_html(job: PrintJob, *, templates: Path) -> str:
    """The document as HTML (the template's input is the job plus the printed sections)."""
    secs, glossary = sections(job)
    anchors = anchors_of(job, secs, glossary)
    text = TextRenderer(job.content, job.regulation, anchors)
    for sec in secs:
        if isinstance(sec.part, m.ProsePart):
            sec.body = text.block(sec.part.body)
    env = template_env(templates)
    env.filters["text"] = text.inline
    content = job.content

    def number(ident: str) -> str:
        item = content.get(ident)
        return item.number if item and item.number else ""

    def name(ident: str) -> str:
        item = content.get(ident)
        return display_name(item, ident).strip("«»") if item else ident

    approver = content.get(job.regulation.approver)
    role_name = node_of(approver, m.Role).name if approver and approver.kind == "role" else job.regulation.approver
    holder = next((p for p in job.employees if p.role == job.regulation.approver), None)
    if holder is not None:  # the company names who holds the approver role: they sign
        signatory, approver_position = holder.name, holder.position or role_name
    else:
        signatory, approver_position = job.edition.approved_by, job.edition.approved_position or role_name
    try:
        return env.get_template(TEMPLATE).render(
            job=job,
            reg=job.regulation,
            company=job.company,
            edition=job.edition,
            sections=secs,
            glossary=glossary,
            ack_rows=acknowledgement_rows(job),
            change_sheet=job.change_sheet,
            approver_position=approver_position,
            signatory=signatory,
            number=number,
            name=name,
            periods=ru.PERIODS,
            classifications=ru.CLASSIFICATIONS,
            raci_letters=raci_letters,
        )
    except TemplateError as exc:
        raise PdfError(f"print template error: {exc}") from exc


def raci_letters(duty: m.Duty) -> list[tuple[str, list[str]]]:
    """The RACI assignment as (label, role ids) pairs, for the duty's meta line."""
    if duty.raci is None:
        return []
    pairs = [
        ("Отвечает за результат", [duty.raci.accountable] if duty.raci.accountable else []),
        ("Согласует", list(duty.raci.consulted)),
        ("Информируется", list(duty.raci.informed)),
    ]
    return [(label, ids) for label, ids in pairs if ids]


# --------------------------------------------------------------------------
# PDF


def _fetcher(assets: Path) -> URLFetcher:
    """A URL fetcher that serves the print assets the project ships (files under ``templates/pdf``) and nothing else.

    Not the project's other files (``.env``, ``.git/config``, the sources), not
    ``data:`` URLs, never the network: whatever a document asks for beyond the
    shipped stylesheet and its fonts/images is refused.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    allowed = assets.resolve()

    class AssetFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> object:
            parts = urlsplit(url)
            if parts.scheme.lower() == "file" and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(allowed) and path.is_file() and not path.name.startswith("."):
                    return super().fetch(url, headers)
            raise ValueError(f"the print edition loads only its own assets (templates/pdf/): {url}")

    return AssetFetcher(allowed_protocols=("file",))


def render_pdf(job: PrintJob, *, templates: Path, root: Path | None = None) -> bytes:
    """The document as PDF bytes. Same job → same bytes (the PDF id is a hash of the HTML)."""
    import logging

    import weasyprint

    source = document_html(job, templates=templates)
    unsafe = findings(source, allow_scripts=False) + [
        f"an attachment link: {mt.group()}" for mt in re.finditer(r"rel\s*=\s*[\"']?[^\"'>]*attachment", source, re.I)
    ]
    if unsafe:  # content is cleaned before it reaches the template: this is the template's own markup
        raise PdfError(f"the print template produced unsafe markup for {job.regulation.id}: {'; '.join(unsafe[:3])}")
    css = templates / "pdf" / STYLESHEET
    fetcher = _fetcher(templates / "pdf")
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.ERROR)  # layout warnings about unsupported CSS are ours to fix, not the user's
    try:
        doc = weasyprint.HTML(string=source, base_url=str(templates / "pdf") + os.sep, url_fetcher=fetcher)
        stylesheets = [weasyprint.CSS(filename=str(css), url_fetcher=fetcher)] if css.is_file() else []
        identifier = hashlib.sha256(source.encode("utf-8")).hexdigest()[:32].encode("ascii")
        return doc.write_pdf(stylesheets=stylesheets, pdf_identifier=identifier)
    except Exception as exc:  # WeasyPrint raises many kinds; the CLI needs one
        raise PdfError(f"PDF layout failed for {job.regulation.id}: {exc}") from exc
    finally:
        logger.setLevel(previous)


def write_pdf(job: PrintJob, *, templates: Path, out_dir: Path, root: Path | None = None) -> Path:
    """Render ``job`` into ``out_dir/<regulation>.pdf``; the file appears only once complete."""
    data = render_pdf(job, templates=templates, root=root)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / job.file_name
    fd, tmp = tempfile.mkstemp(prefix=f".{job.file_name}.", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


# --------------------------------------------------------------------------
# From the project: editions, companies, change sheets → print jobs → files

_NAME_TAIL = re.compile(
    r"(?:(?P<ini>[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z][а-яёa-z-]+)"  # А. В. Смирнов
    r"|(?P<sur>[А-ЯЁA-Z][а-яёa-z-]+\s[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z]\.)"  # Смирнов А. В.
    r"|(?P<full>[А-ЯЁ][а-яё-]+\s[А-ЯЁ][а-яё]+\s[А-ЯЁ][а-яё]+(?:вич|вна|ич|чна)))\s*$"  # Смирнов Алексей Викторович
)


def split_signer(text: str) -> tuple[str, str]:
    """«Генеральный директор А. В. Смирнов» → («Генеральный директор», «А. В. Смирнов»); no name → (text, "")."""
    text = re.sub(r"\s+", " ", text).strip()
    match = _NAME_TAIL.search(text)
    if not match:
        return text, ""
    return text[: match.start()].strip(" ,"), match.group(0).strip()


def edition_for(content: Content, edition_id: str | None, *, today: date) -> tuple[Edition, str | None]:
    """The edition to print and the id of its predecessor (None: no change sheet).

    No ``edition_id``: a working edition dated ``today``. An id not in
    ``content/editions.yml`` raises :class:`PdfError` naming the known ones.
    """
    if edition_id is None:
        return Edition(effective=today), None

    found = ed.find(content.editions, edition_id)
    if found is None:
        known = ", ".join(e.key for e in content.editions) or "none — add content/editions.yml"
        raise PdfError(f"no edition `{edition_id}` in content/editions.yml (known: {known})")
    effective = found.effective_date
    if effective is None:
        raise PdfError(f"edition `{edition_id}` has a malformed effective date; run `reglament check`")
    position, signer = split_signer(found.approved_by)
    before = ed.previous(content.editions, found.key)
    return (
        Edition(
            effective=effective,
            id=found.key,
            title=found.title,
            approved_by=signer,
            approved_position=position,
            approved_on=found.approved_date,
        ),
        before.key if before else None,
    )


# --------------------------------------------------------------------------
# The change sheet from a diff


def _value(value: float | str | None) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ru.number(value)


def _parameters(params: Iterable[ParameterChange]) -> str:
    """«база премии: 60 000 → 70 000 ₽; срок, мин: 15 → 10»."""
    out = []
    for p in params:
        unit = f"\u00a0{p.unit}" if p.unit else ""
        name = ru.FIELD_LABELS.get(p.field, "") if p.source == "field" else ""
        words = p.context if p.source == "text" and p.context else ""
        out.append(f"{name or words or p.field}: {_value(p.old)} → {_value(p.new)}{unit}".strip())
    return "; ".join(out)


def change_sheet_from(changes: Changes, *, regulation: str, previous: str, content: Content) -> ChangeSheet:
    """The change sheet of ``regulation`` from a :class:`~reglament.diff.Changes` value.

    Lists added, removed and changed clauses (and sections), and clauses moved
    to another place; a clause renumbered only because something before it was
    inserted or removed is not a change of its own and is left out. Changed
    terms that this regulation uses are listed too.
    """

    reg = next((r for r in changes.regulations if r.id == regulation), None)
    if reg is not None and reg.change == "added":
        return ChangeSheet(previous, (), note="Регламент введён в действие впервые в этой редакции.")
    rows: list[Change] = []

    def summary(label: str, text: str | None, params: Iterable[ParameterChange] = ()) -> str:
        body = plain_refs(text) if text else label
        extra = _parameters(params)
        return f"{body} ({extra})" if extra else body

    for part in reg.parts if reg is not None else ():
        section = f"разд.\u00a0{part.new_number or part.old_number}"
        if part.change in ("added", "removed"):
            rows.append(Change(part.change, section, f"«{part.title}»"))
            continue
        if part.fields or part.parameters or part.paragraphs:
            what = []
            for f in part.fields:
                what.append(ru.field_label(f.field))
            if part.paragraphs:
                what.append(f"текст раздела (абзацев: {len(part.paragraphs)})")
            details = ", ".join(what)
            params = _parameters(part.parameters)
            text = "; ".join(x for x in (details, params) if x)
            rows.append(Change("changed", section, f"«{part.title}»: {text}"))
        for item in part.items:
            if item.change == "moved" and item.move == "renumbered":
                continue
            old, new = item.old_number, item.new_number
            if item.change == "removed":
                where = f"п.\u00a0{old}" if old else section
            elif item.change == "added" or not old or old == new:
                where = f"п.\u00a0{new}" if new else section
            else:
                where = f"п.\u00a0{old} → п.\u00a0{new}"
            rows.append(Change(item.change, where, summary(item.label, item.text, item.parameters)))
    reg_node = next((r for r in content.regulations if r.id == regulation), None)
    used = {t.id for t in referenced_terms(content, reg_node)} if reg_node is not None else set()
    for term in changes.terms:
        if term.id in used and term.change in ("added", "changed"):
            rows.append(Change(term.change, "термины", f"«{term.label}» — {summary(term.label, term.text)}"))
    return ChangeSheet(previous, tuple(rows))


@dataclass
class Printed:
    """What a print run produced: the PDF files, the content's diagnostics, and notes for the user."""

    files: list[Path] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Variants that printed nothing because their content has errors (company ids; «base» for the base)."""

    @property
    def ok(self) -> bool:
        return not self.failed


def company_of(root: Path, variant: Variant | None) -> Company:
    """The issuer of a variant: the company profile, or `content/defaults.yml` / the site's name for the base."""
    profile = getattr(variant, "profile", None)
    if profile is not None:
        return Company(full_name=profile.name, short_name=profile.short_name, id=profile.id, city=profile.city or "")
    defaults = getattr(variant, "defaults", None)
    if defaults is not None and defaults.name:
        return Company(full_name=defaults.name, short_name=defaults.short_name or "", city=defaults.city or "")

    return Company(full_name=site_title(root) or "Регламенты")


def employees_of(variant: Variant | None) -> tuple[Employee, ...]:
    """The people a variant's profile lists — none in a public build (names are personal data)."""
    if variant is None or getattr(variant, "public", False):
        return ()
    owner = variant.values_source
    if owner is None:
        return ()
    return tuple(Employee(p.name, p.role, p.position or "") for p in owner.employees)


def tagged_revision(root: Path, edition_id: str) -> str | None:
    """The commit of the edition's tag ``edition/<id>``, or None when it is not tagged (or no git here)."""

    try:
        return git.rev_parse(root, revision=tag_name(edition_id))
    except GitError:
        return None


def load_sources(root: Path, *, revision: str | None) -> Project:
    """The project's sources (content + company profiles) from the working tree or a commit."""

    if revision is None:
        return load_project(root)

    return load_project(root, files=revision_files(root, revision=revision, label=revision[:12]))


@dataclass
class EditionVariant:
    """One variant (the base or a company) of an edition, checked and ready to print or export."""

    company_id: str | None
    content: Content
    jobs: list[PrintJob]
    """One job per regulation: the document with its company, edition, signers and change sheet."""


@dataclass
class EditionVariants:
    """The variants of one edition that an output (PDF, .docx) writes, and what to tell the user."""

    edition: Edition
    variants: list[EditionVariant] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Variants that write nothing because their content has errors (company ids; «base» for the base)."""


def edition_variants(
    root: Path,
    *,
    today: date,
    edition: str | None = None,
    companies: list[str] | None = None,
    public: bool = False,
) -> EditionVariants:
    """Check each variant of an edition and prepare its documents: the base (``companies=None``) or each company.

    A variant is resolved as the site resolves it (:func:`reglament.project.check_variant`):
    parameters rendered, exclusions applied, internal items left out when
    ``public`` or when the company's site is public. A variant whose content has
    errors is listed in ``failed`` (its diagnostics are returned); the others go
    on. With ``edition``, the metadata comes from ``content/editions.yml`` and the
    text from the tag ``edition/<id>`` when it exists (else the working tree: a
    draft of the edition, with a note); the change sheet compares it with the
    previous edition's tag, both sides resolved for this output's one audience.
    ``today`` dates a working edition. Raises
    :class:`~reglament.errors.UnknownCompanyError` for an unknown company.
    The print edition and the Word export both stand on it.
    """

    working = load_sources(root, revision=None)
    for asked in companies or ():
        working.profiles.lookup(asked)  # an unknown id fails here; a broken profile fails below with its errors
    # the edition's metadata comes from the working tree's editions.yml; the text is checked once, below,
    # from the edition's tag (or from the working tree for a draft)
    printed_edition, previous = edition_for(working.loaded.content, edition, today=today)
    result = EditionVariants(printed_edition)

    sources = working
    if printed_edition.id is not None:  # an edition was asked for (else a working edition, from the working tree)
        revision = tagged_revision(root, printed_edition.id)
        if revision is not None:
            sources = load_sources(root, revision=revision)
        else:
            result.notes.append(
                f"no tag `{tag_name(printed_edition.id)}` yet: printing the working tree "
                f"as edition {printed_edition.id}"
            )
    old_sources = None
    if previous is not None:
        old_revision = tagged_revision(root, previous)
        if old_revision is None:
            result.notes.append(f"no change sheet: the previous edition's tag `{tag_name(previous)}` is missing")
        else:
            old_sources = load_sources(root, revision=old_revision)

    found: set[Diagnostic] = set()
    outputs: list[str | None] = [*companies] if companies else [None]
    for cid in outputs:
        checked = check_variant(sources, company=cid, public=public)
        found.update(checked.diagnostics)
        if not checked.ok:
            result.failed.append(cid or "base")
            continue
        content, variant = checked.content, checked.variant
        sheets: dict[str, ChangeSheet] = {}
        if old_sources is not None:
            if cid is not None and old_sources.profiles.get(cid) is None:
                result.notes.append(f"no change sheet for `{cid}`: it has no profile in edition {previous}")
            else:
                old = check_variant(old_sources, company=cid, public=public)
                old_content, new_content = old.content, content
                if old.variant is not None and variant is not None:  # both sides for this output's one audience
                    old_content, new_content, _ = compare_sides(old.variant, variant, public=public)
                changes = compare_editions(old_content, new_content)
                for reg in content.regulations:
                    sheets[reg.id] = change_sheet_from(
                        changes, regulation=reg.id, previous=f"редакция {previous}", content=content
                    )
        company = company_of(root, variant)
        people = employees_of(variant)
        jobs = [
            PrintJob(
                content=content,
                regulation=reg,
                company=company,
                edition=printed_edition,
                employees=people,
                change_sheet=sheets.get(reg.id),
                public=bool(getattr(variant, "public", public)),
            )
            for reg in content.regulations
        ]
        result.variants.append(EditionVariant(cid, content, jobs))
    result.diagnostics = sorted(found)
    return result


def print_editions(
    root: Path,
    out: Path,
    *,
    today: date,
    edition: str | None = None,
    companies: list[str] | None = None,
    public: bool = False,
) -> Printed:
    """Write each variant's PDFs (:func:`edition_variants`): ``out/<regulation>.pdf`` for the base content
    (``companies=None``), ``out/<company>/<regulation>.pdf`` for each listed company. A variant whose
    content has errors prints nothing; its id is in :attr:`Printed.failed`."""
    found = edition_variants(root, today=today, edition=edition, companies=companies, public=public)
    result = Printed(diagnostics=found.diagnostics, notes=found.notes, failed=found.failed)
    for each in found.variants:
        target = out / each.company_id if each.company_id else out
        for job in each.jobs:
            result.files.append(write_pdf(job, templates=root / "templates", out_dir=target, root=root))
    return result


# --------------------------------------------------------------------------
# The site's copies

SITE_DIR = "pdf"


def site_pdf_href(regulation_id: str) -> str:
    """Where a regulation page (``<reg>/index.md``) finds its PDF in the docs tree."""
    return f"../{SITE_DIR}/{regulation_id}.pdf"


def site_pdfs(root: Path, checked: Checked, docs_dir: Path, *, edition: Edition) -> list[Path]:
    """Write the print edition of every regulation of a checked variant into ``docs_dir/pdf/``.

    The hook :func:`reglament.build.build` calls with ``pdf=``: the PDFs are of
    exactly the content the site shows (same variant, same visibility), so a
    public site's PDFs hold no internal item and no employee's name.
    """
    variant = checked.variant
    content = checked.content
    company = company_of(root, variant)
    people = employees_of(variant)
    public = bool(getattr(variant, "public", False))
    return [
        write_pdf(
            PrintJob(
                content=content, regulation=reg, company=company, edition=edition, employees=people, public=public
            ),
            templates=root / "templates",
            out_dir=docs_dir / SITE_DIR,
            root=root,
        )
        for reg in content.regulations
    ]
