"""Render the model into a tree of Markdown pages (the interface to any site engine).

Templates live in ``<root>/templates/pages`` and run in Jinja's
``ImmutableSandboxedEnvironment`` with ``StrictUndefined``: they are project
files that editors may change, so they get no access to Python internals.
Text from the model passes through :meth:`Renderer.text`, which escapes raw
HTML and turns ``[[id]]`` references into links with a tooltip.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from jinja2 import FileSystemLoader, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from reglament import ru
from reglament.diagnostics import Diagnostic
from reglament.errors import TemplateFailure
from reglament.htmlsafe import TIP_ID, TIP_MARK
from reglament.model import nodes as m
from reglament.model.content import Content, Item, part_items
from reglament.model.references import REF_RE, escape_html, find_refs, mask_code, mask_for_terms
from reglament.morphology import Mention, Morph, TermMatcher
from reglament.render import motivation, views
from reglament.sandbox import sandbox

GLOSSARY = "glossary.md"
ROLES_INDEX = "roles/index.md"
RACI = "roles/raci.md"


NavEntry: TypeAlias = "str | dict[str, str | list[NavEntry]]"
"""One entry of the site navigation (MkDocs' ``nav``): ``{title: page path}``, ``{section title: [entries…]}``,
or a bare page path (its title taken from the page)."""


def regulation_page(reg_id: str) -> str:
    return f"{reg_id}/index.md"


def role_page(role_id: str) -> str:
    return f"roles/{role_id}.md"


@dataclass
class RenderedTree:
    """The rendered docs tree: Markdown pages by path, their sources (for edit links) and the navigation."""

    pages: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    tooltips: dict[str, str] = field(default_factory=dict)
    """Item id → the tooltip of the links to it. A link's title in :attr:`pages` is only a marker naming the
    item (``rg-tip:<id>``, :data:`reglament.htmlsafe.TIP_MARK`); reglament's page pass after the engine
    puts the text there (:func:`reglament.site.pagesteps.fill_tips`). So a changed definition changes the
    Markdown of the pages that show it as text (the glossary), not of every page that links the term."""

    def write(self, docs_dir: Path) -> None:
        for rel, text in self.pages.items():
            path = docs_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


#: a Markdown link, image or link-definition target with a scheme other than http(s)/mailto/tel (javascript:, data:, vbscript:…)
_UNSAFE_LINK = re.compile(
    r"((?<!\\)\]\(\s*<?|^ {0,3}\[[^\]\n]+\]:[ \t]*<?)(?!https?:|mailto:|tel:)"
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[^()\s>]|\([^()\s]*\))*",
    re.I | re.M,
)


def front_matter(title: str, source: str, *, hide: tuple[str, ...] = ()) -> str:
    """Front matter of a rendered page: its title, the source file the edit button opens,
    and which of the theme's sidebars to hide (`toc`, `navigation`) for wide pages."""
    # Material prints page titles as HTML (nav, <title>, header): escape them once here
    meta: dict[str, str | list[str]] = {"title": html.escape(title, quote=False), "reglament_source": source}
    if hide:
        meta["hide"] = list(hide)
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items()) + "---\n\n"


def sub_refs(repl: Callable[[re.Match[str]], str], text: str) -> str:
    """``REF_RE.sub(repl, text)`` outside inline code spans: a `[[id]]` in code is shown as written
    (the model does not count it as a reference either, :func:`~reglament.model.references.find_refs`)."""
    if "[[" not in text:  # no reference can match: most texts of a site
        return text
    if "`" not in text:
        return REF_RE.sub(repl, text)
    out, pos = [], 0
    for mt in REF_RE.finditer(mask_code(text)):
        out.append(text[pos : mt.start()])
        out.append(repl(mt))
        pos = mt.end()
    out.append(text[pos:])
    return "".join(out)


def plain(text: str, content: Content) -> str:
    """Text with references replaced by their display form and Markdown emphasis dropped (for tooltips)."""

    def repl(mt: re.Match[str]) -> str:
        return mt.group(2) or display_name(content.get(mt.group(1).strip()), mt.group(1))

    if "[[" in text:
        text = REF_RE.sub(repl, text)
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def display_name(item: Item | None, fallback: str) -> str:
    if item is None:
        return fallback
    kind = item.kind
    if kind == "term":
        return views.node_of(item, m.Term).term
    if kind == "role":
        return views.node_of(item, m.Role).name
    if kind in ("regulation", "page"):
        return f"«{_title(item)}»"
    if kind == "part":
        return f"разд. {item.number} «{_title(item)}»"
    if kind == "kpi":
        return f"«{views.node_of(item, m.Kpi).name}»"
    if kind == "category":
        return f"«{views.node_of(item, m.DataCategory).name}»"
    return f"п. {item.number}" if item.number else fallback


def _title(item: Item) -> str:
    """The title of a regulation, a free page or a regulation's part."""
    node = item.node
    if not isinstance(node, (m.Regulation, m.PartBase, m.ProsePart)):
        raise TypeError(f"{item.kind} {item.id!r} holds a {type(node).__name__}, which has no title")
    return node.title


def template_diagnostic(exc: TemplateError, pages: Path) -> Diagnostic:
    """Where in ``pages`` (the page templates folder) a template error happened, as a diagnostic."""
    file, line = None, 1
    if isinstance(exc, TemplateSyntaxError):
        file, line = exc.filename or exc.name, exc.lineno or 1
    else:  # Jinja rewrites the traceback so that template frames carry the template's file and line
        tb = exc.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if name.endswith(".j2"):
                file, line = name, tb.tb_lineno
            tb = tb.tb_next
    rel = f"{pages.parent.name}/{pages.name}"
    if file:
        path = Path(file)
        try:
            rel = f"{pages.parent.name}/{pages.name}/{path.resolve().relative_to(pages.resolve()).as_posix()}"
        except ValueError:
            rel = f"{pages.parent.name}/{pages.name}/{path.name}"
    if isinstance(exc, TemplateSyntaxError):
        return Diagnostic(
            rel,
            line,
            1,
            "error",
            "template-syntax",
            f"page template syntax error: {exc.message}",
            "fix the Jinja syntax: every `{{` needs `}}`, every `{% for %}` its `{% endfor %}`",
        )
    if isinstance(exc, SecurityError):
        return Diagnostic(
            rel,
            line,
            1,
            "error",
            "template-forbidden",
            f"forbidden in page templates: {exc}",
            "templates run in a sandbox: use the values passed to the page, not Python internals",
        )
    if isinstance(exc, UndefinedError):
        return Diagnostic(
            rel,
            line,
            1,
            "error",
            "template-undefined",
            f"page template: {exc.message}",
            "use a name the page is given, or guard it with `{% if x is defined %}`",
        )
    return Diagnostic(rel, line, 1, "error", "template-error", f"page template failed: {exc.message or exc}", "")


_NO_TEXT = object()
#: where a link's target goes in a text kept for every page (never in a model text: such a text is not kept)
_SLOT = "\x00"


class Renderer:
    def __init__(self, content: Content, templates: Path, *, morph: Morph | None = None, autolink: bool = True) -> None:
        self.content = content
        self.pages_dir = templates / "pages"
        self._relpaths: dict[tuple[str, str], str] = {}
        self._tooltips: dict[str, str] = {}
        self._targets: dict[str, tuple[str, str]] = {}  # item id → (its page, its anchor)
        #: ``link(…)`` results by (id, display, folder of the current page, whether the link points into the current
        #: page): a link depends on nothing else, and pages link the same roles again and again (every duty's RACI)
        self._global_links: dict[tuple[str, str | None, str, bool], str] = {}
        self._raci: dict[int, tuple[m.Duty, dict[str, tuple[str, ...]]]] = {}
        #: term mentions by text: the glossary's where-used and every page showing the text look for the same terms
        self._found: dict[str, list[Mention]] = {}
        #: ``text(…)`` made with no outer ``seen`` set, by (text, owner, auto, block): the Markdown cut at each
        #: link's target, and the targets (page, anchor). The same duty text shows on its regulation's page and on
        #: the page of every role taking part; only its links' targets depend on the page (relative, or an anchor
        #: alone on the page itself), so they are put in for each page (:meth:`_with_targets`).
        self._texts: dict[tuple[str, str | None, bool, bool], tuple[list[str], list[tuple[str, str]]]] = {}
        self._slots: list[tuple[str, str]] | None = None  # the targets of the links of the text being made
        #: recognises glossary terms in any word form, for automatic term links
        self.matcher = TermMatcher(content.terms, morph or Morph()) if autolink else None
        # compiled once per user and version (the user's cache folder, never the project's tree: see TemplateCodeCache)
        self.env = sandbox(loader=FileSystemLoader(str(templates / "pages")), project=templates.parent)
        # one environment per render: a template is loaded once for it (no file checks on every page; the next
        # render has a new environment and sees an edited template, compiled anew by its checksum)
        self.env.auto_reload = False
        self.env.filters["text"] = self._text_filter
        self.env.filters["esc"] = lambda s: html.escape(str(s), quote=True)
        self.env.globals.update(classifications=ru.CLASSIFICATIONS, periods=ru.PERIODS)
        self.env.filters["plain"] = lambda s: plain(s or "", self.content)
        self.env.filters["tojson"] = lambda v: html.escape(
            json.dumps(v, ensure_ascii=False), quote=True
        )  # for attributes
        self.env.globals["raci_labels"] = views.RACI_LABELS
        self.env.globals["raci_of"] = self._raci_of
        self.env.globals["group_uses"] = views.group_uses
        self.env.globals["letter_index"] = views.letter_index
        self.env.globals["href"] = self._href_global
        self.env.globals["page_href"] = self.page_href
        self.env.globals["edit"] = lambda source: f"{EDIT_SCHEME}{source}"
        self.env.globals["link"] = self._link_global
        self.env.globals["number"] = self._number
        self._current = ""  # the page being rendered, for relative links
        self._current_dir = ""
        self._term_pages: dict[str, str] = {}

    @property
    def term_pages(self) -> dict[str, str]:
        """Term id → its glossary page, when the glossary is split (a term not here is on :data:`GLOSSARY`)."""
        return self._term_pages

    @term_pages.setter
    def term_pages(self, pages: dict[str, str]) -> None:
        self._term_pages = pages
        self._targets.clear()  # a term's links point to its page
        self._global_links.clear()
        self._texts.clear()

    @property
    def current(self) -> str:
        """The docs path of the page being rendered: links are relative to it."""
        return self._current

    @current.setter
    def current(self, path: str) -> None:
        self._current, self._current_dir = path, posixpath.dirname(path)

    # ------------------------------------------------------------ links

    def target(self, item: Item) -> tuple[str, str]:
        """The page (a docs-tree path) ``item`` is on, and its anchor there ("" for the page itself)."""
        found = self._targets.get(item.id)
        if found is None:
            if item.kind == "term":
                found = (self._term_pages.get(item.id, GLOSSARY), item.id)
            elif item.kind == "role":
                found = (role_page(item.id), "")
            elif item.kind == "regulation":
                found = (regulation_page(item.id), "")
            elif item.kind == "page":
                found = (f"{item.id}.md" if item.id != "home" else "index.md", "")
            else:
                found = (regulation_page(views.regulation_of(item).id), item.id)
            self._targets[item.id] = found
        return found

    def href(self, item: Item) -> str:
        """Link target of an item, relative to the current page."""
        target, anchor = self.target(item)
        return self.page_href(target) + (f"#{anchor}" if anchor else "")

    def page_href(self, target: str) -> str:
        """Link to the page ``target`` (a docs-tree path), relative to the current page ("" on itself)."""
        if target == self._current:
            return ""
        key = (target, self._current_dir)
        rel = self._relpaths.get(key)
        if rel is None:  # posixpath.relpath is slow, and a site has few distinct (folder, target) pairs
            rel = self._relpaths[key] = posixpath.relpath(target, key[1] or ".")
        return rel

    def tooltip(self, item: Item) -> str:
        tip = self._tooltips.get(item.id)
        if tip is None:  # the same item is linked from many pages: its tooltip is computed once
            tip = self._tooltips[item.id] = self._tooltip(item)
        return tip

    def _tooltip(self, item: Item) -> str:
        if item.kind == "term":
            term = views.node_of(item, m.Term)
            tip = f"{term.term} — {plain(term.definition, self.content)}"
        elif item.kind == "role":
            role = views.node_of(item, m.Role)
            tip = f"{role.name} ({role.department})"
        else:
            text = getattr(item.node, "text", _NO_TEXT)
            if text is _NO_TEXT:
                tip = display_name(item, item.id)
            else:
                tip = plain(text, self.content) if isinstance(text, str) else ""
        return tip if len(tip) <= 280 else tip[:277].rstrip() + "…"

    @property
    def tooltips(self) -> dict[str, str]:
        """Item id → the tooltip text of the links made so far (the title the page pass fills in)."""
        return {ident: tip.replace('"', "″") for ident, tip in self._tooltips.items()}

    def link_md(self, item: Item, display: str) -> str:
        """A Markdown link to ``item`` showing ``display``, its title the marker of the item's tooltip
        (:attr:`RenderedTree.tooltips`; the text itself for an id the marker cannot carry)."""
        tip = self.tooltip(item)
        title = TIP_MARK + item.id if TIP_ID.fullmatch(item.id) else tip.replace('"', "″")
        if self._slots is not None:  # a text being kept for every page: its target put in per page
            self._slots.append(self.target(item))
            return f'[{display}]({_SLOT} "{title}")'
        return f'[{display}]({self.href(item)} "{title}")'

    def _link_global(self, ident: str, display: str | None = None) -> str:
        """``link(id)`` / ``link(id, display)`` in a template."""
        item = self.content.get(ident)
        if item is None:
            return html.escape(display or ident)
        key = (ident, display, self._current_dir, self.target(item)[0] == self._current)
        link = self._global_links.get(key)
        if link is None:
            link = self._global_links[key] = self.link_md(item, html.escape(display or display_name(item, ident)))
        return link

    def _raci_of(self, duty: m.Duty) -> dict[str, tuple[str, ...]]:
        """``raci_of(duty)`` in a template, computed once per duty (the regulation page and every role page
        of the duty ask it; templates cannot change the dict they get)."""
        found = self._raci.get(id(duty))
        if found is None or found[0] is not duty:
            found = self._raci[id(duty)] = (duty, views.raci_of(duty))
        return found[1]

    def _href_global(self, ident: str) -> str:
        item = self.content.get(ident)
        return self.href(item) if item else ""

    def _number(self, ident: str) -> str:
        item = self.content.get(ident)
        return item.number if item and item.number else ""

    # ------------------------------------------------------------ text

    def text(
        self,
        value: str | None,
        *,
        block: bool = False,
        owner: str | None = None,
        seen: set[str] | None = None,
        auto: bool = True,
    ) -> str:
        """Model text → Markdown: raw HTML escaped (outside code), references → links, and the first
        mention of each glossary term (in any word form) → a link with the definition as tooltip.

        A term is not linked automatically where the text already links it with ``[[…]]``, in the
        text that defines it (``owner``), or when ``seen`` (the terms already linked earlier in the
        same paragraph) holds it. Code spans, references, links, HTML and URLs are never searched.
        """
        if not value:
            return ""
        if seen is not None or self._slots is not None or _SLOT in value:
            return self._text(value, block=block, owner=owner, seen=set() if seen is None else seen, auto=auto)
        key = (value, owner, auto, block)
        kept = self._texts.get(key)
        if kept is None:
            self._slots = []
            try:
                made = self._text(value, block=block, owner=owner, seen=set(), auto=auto)
                slots = self._slots
            finally:
                self._slots = None
            pieces = made.split(_SLOT)
            if len(pieces) != len(slots) + 1:  # a NUL character in a name or tooltip: made for this page alone
                return self._text(value, block=block, owner=owner, seen=set(), auto=auto)
            kept = self._texts[key] = (pieces, slots)
        return self._with_targets(*kept)

    def _with_targets(self, pieces: list[str], targets: list[tuple[str, str]]) -> str:
        """A kept text (:attr:`_texts`) with its links' targets as seen from the current page."""
        if not targets:
            return pieces[0]
        out = [pieces[0]]
        for (page, anchor), piece in zip(targets, pieces[1:]):
            out.append(self.page_href(page) + (f"#{anchor}" if anchor else ""))
            out.append(piece)
        return "".join(out)

    def _text(self, value: str, *, block: bool, owner: str | None, seen: set[str], auto: bool) -> str:
        out, pos = [], 0
        for mention in self.mentions(value, owner=owner, seen=seen) if auto else ():
            out.append(self._text_segment(value[pos : mention.start]))
            word = value[mention.start : mention.end]
            out.append(self.link_md(self.content.index[mention.term_id], word))
            pos = mention.end
        out.append(self._text_segment(value[pos:]))
        result = "".join(out)
        return result if block else result.strip()

    def mentions(self, value: str, *, owner: str | None, seen: set[str]) -> list[Mention]:
        """The term mentions of ``value`` to link automatically (first of each term); adds them to ``seen``."""
        if self.matcher is None:
            return []
        linked = {ref.target for ref in find_refs(value)} if "[[" in value else set()
        found = []
        for mention in self.term_mentions(value):
            term = mention.term_id
            if term in linked or term in seen or term == owner or term not in self.content.index:
                continue
            seen.add(term)
            found.append(mention)
        seen.update(linked)
        return found

    def term_mentions(self, value: str) -> list[Mention]:
        """Every glossary term mention in ``value`` (outside code, references, links, HTML and URLs)."""
        found = self._found.get(value)
        if found is None:
            assert self.matcher is not None
            found = self._found[value] = self.matcher.find(mask_for_terms(value))
        return found

    def _text_segment(self, value: str) -> str:
        """Escape HTML outside code spans and turn references into links."""
        # the three probes below skip work that could change nothing: escaping with no `<`, `>` or `&`, and
        # disarming link targets where no link (`](`, `[…]:`) can be
        escaped = escape_html(value) if "<" in value or ">" in value or "&" in value else value

        def repl(mt: re.Match[str]) -> str:
            ident = mt.group(1).strip()
            item = self.content.get(ident)
            display = mt.group(2)
            if item is None:
                return html.escape(display or ident)
            return self.link_md(item, display or display_name(item, ident))

        linked = sub_refs(repl, escaped)
        return _UNSAFE_LINK.sub(r"\1#", linked) if "]" in linked else linked

    def _text_filter(self, value: str | None, owner: str | None = None) -> str:
        return self.text(value, owner=owner)

    # ------------------------------------------------------------ pages

    def render_page(
        self, path: str, template: str, *, title: str, source: str, hide: tuple[str, ...] = (), **context: Any
    ) -> str:
        self.current = path
        try:
            body = self.env.get_template(template).render(**context)
        except TemplateError as exc:
            raise TemplateFailure(template_diagnostic(exc, self.pages_dir)) from exc
        return front_matter(title, source, hide=hide) + body

    def prose(self, part: m.ProsePart, *, heading_shift: int = 0) -> str:
        """A Markdown body with references resolved and terms linked once per paragraph
        (list item, table); code blocks kept verbatim, headings get no automatic links.
        ``heading_shift`` demotes headings (a regulation part's `##` sits under the part's own `##` title)."""
        out: list[str] = []
        in_fence, in_block = False, False
        seen: set[str] = set()
        for line in part.body.split("\n"):
            if re.match(r"^\s*(```|~~~)", line):
                in_fence = not in_fence
                out.append(line)
                seen, in_block = set(), False
            elif in_fence:
                out.append(line)
            elif not line.strip() or _HEADING.match(line) or (line.startswith("    ") and not in_block):
                # blank lines, headings and indented code: explicit references only
                seen, in_block = set(), False
                if heading_shift and _HEADING.match(line):
                    hashes = len(line.lstrip().split(" ", 1)[0])
                    line = "#" * min(6, hashes + heading_shift) + line.lstrip()[hashes:]
                out.append(self.text(line, block=True, auto=False))
            else:
                if _LIST_ITEM.match(line):
                    seen = set()
                in_block = True
                out.append(self.text(line, block=True, seen=seen))
        return "\n".join(out).strip("\n")


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")
#: placeholder scheme for "edit this source" links; the site engine adapter turns it into the repository URL
EDIT_SCHEME = "reglament-source:"


def render(
    content: Content,
    templates: Path,
    *,
    site_title: str = "",
    morph: Morph | None = None,
    pdf_links: bool = False,
    ack: dict[str, str] | None = None,
) -> RenderedTree:
    """Render every page of the site; pure: same content → same tree.

    ``pdf_links``: each regulation page links to its print edition (``pdf/<regulation>.pdf``, written by the build).
    ``ack`` (``{"url": …, "company": …}``): the acknowledgement service of the company; each regulation page
    gets its status widget (the ``_ack.j2`` partial).
    """
    r = Renderer(content, templates, morph=morph)
    tree = RenderedTree()
    # the glossary's pages first: every term link on every page points into them
    referenced: dict[int, set[str]] = {}  # filled by the same pass: what each regulation's texts reference
    used_in = views.usage(content, r.term_mentions if r.matcher else None, referenced=referenced)
    terms = sorted(content.terms, key=views.term_sort_key)
    chunks = views.glossary_chunks(terms, used_in)
    r.term_pages = {term.id: chunk.path for chunk in chunks for term in chunk.terms}

    # regulations
    approved = max((e.approved_date for e in content.editions if e.approved_date is not None), default=None)
    nav_regs: list[NavEntry] = []
    for reg in content.regulations:
        path = regulation_page(reg.id)
        r.current = path  # the prose below links relative to this page
        parts = []
        for s, part in enumerate(reg.loaded_parts, 1):
            parts.append(
                {
                    "number": s,
                    "part": part,
                    "kind": getattr(part, "kind", "prose"),
                    "items": list(part_items(part)),
                    "source": part.origin.file,
                    "prose": r.prose(part, heading_shift=1) if isinstance(part, m.ProsePart) else "",
                    "terms": _terms_of(content, reg, part, referenced) if isinstance(part, m.TermsPart) else [],
                    **_part_extras(part),
                }
            )
        tree.pages[path] = r.render_page(
            path,
            "regulation.md.j2",
            title=reg.title,
            source=reg.origin.file,
            reg=reg,
            parts=parts,
            content=content,
            pdf_href=f"../pdf/{reg.id}.pdf" if pdf_links else "",
            ack={**ack, "regulation": reg.id} if ack else None,
            review=ru.date_text(reg.review_deadline(approved)),
        )
        tree.sources[path] = reg.origin.file
        nav_regs.append({reg.short_title or reg.title: path})

    # glossary
    nav_glossary = _render_glossary(r, tree, content, terms, used_in, chunks)

    # roles
    nav_roles: list[NavEntry] = []
    duty_index = views.duty_index(content)
    role_views = {role.id: views.role_view(content, role, index=duty_index) for role in content.roles}
    for role in content.roles:
        path = role_page(role.id)
        tree.pages[path] = r.render_page(
            path,
            "role.md.j2",
            title=role.name,
            source=role.origin.file,
            role=role,
            view=role_views[role.id],
            content=content,
        )
        tree.sources[path] = role.origin.file
        nav_roles.append({role.name: path})
    tree.sources[ROLES_INDEX] = content.roles[0].origin.file if content.roles else "content/roles.yml"
    tree.pages[ROLES_INDEX] = r.render_page(
        ROLES_INDEX,
        "roles.md.j2",
        title="Роли",
        source=tree.sources[ROLES_INDEX],
        roles=content.roles,
        content=content,
        role_views=role_views,
    )
    nav_raci = _render_raci(r, tree, content, views.raci_matrix(content), tree.sources[ROLES_INDEX])

    # free pages
    home = None
    for page in content.pages:
        path = "index.md" if page.id == "home" else f"{page.id}.md"
        r.current = path
        tree.pages[path] = (
            front_matter(page.title, page.origin.file) + f"# {html.escape(page.title)}\n\n{r.prose(page)}\n"
        )
        tree.sources[path] = page.origin.file
        if path == "index.md":
            home = path
    if home is None:
        tree.pages["index.md"] = r.render_page(
            "index.md",
            "index.md.j2",
            title=site_title or "Главная",
            source="content",
            content=content,
            site_title=site_title,
        )
        tree.sources["index.md"] = "content"

    departments = {role.id: role.department for role in content.roles}
    tree.nav = [
        {"Главная": "index.md"},
        {"Регламенты": grouped_nav(nav_regs, [departments.get(reg.owner, "") for reg in content.regulations])},
        {"Глоссарий": nav_glossary},
        {
            "Роли": [
                {"Все роли": ROLES_INDEX},
                {"Матрица RACI": nav_raci},
                *grouped_nav(nav_roles, [role.department for role in content.roles]),
            ]
        },
    ]
    for page in content.pages:
        if page.id != "home":
            tree.nav.append({page.title: f"{page.id}.md"})
    tree.tooltips = r.tooltips
    return tree


def _render_glossary(
    r: Renderer,
    tree: RenderedTree,
    content: Content,
    terms: list[m.Term],
    used_in: dict[str, list[Item]],
    chunks: list[views.GlossaryChunk],
) -> str | list[NavEntry]:
    """The glossary: one page, or (``chunks``) an index page and a page per letter. Returns its navigation."""
    source = content.terms[0].origin.file if content.terms else "content/glossary.yml"
    common: dict[str, Any] = dict(source=source, used_in=used_in, content=content)
    if not chunks:
        r.current = GLOSSARY
        bar = [(letter, f"#{tid}", False) for letter, tid in views.letter_index(terms)]
        tree.pages[GLOSSARY] = r.render_page(
            GLOSSARY, "glossary.md.j2", title="Глоссарий", terms=terms, bar=bar, chunk=None, **common
        )
        tree.sources[GLOSSARY] = source
        return GLOSSARY
    first: dict[str, str] = {}  # letter → its first page
    for chunk in chunks:
        first.setdefault(chunk.letter, chunk.path)

    def bar_from(current: str, letter: str | None) -> list[tuple[str, str, bool]]:
        r.current = current
        return [(lt, r.page_href(path) or posixpath.basename(path), lt == letter) for lt, path in first.items()]

    tree.pages[GLOSSARY] = r.render_page(
        GLOSSARY, "glossary_index.md.j2", title="Глоссарий", chunks=chunks, bar=bar_from(GLOSSARY, None), **common
    )
    tree.sources[GLOSSARY] = source
    for chunk in chunks:
        bar = bar_from(chunk.path, chunk.letter)
        tree.pages[chunk.path] = r.render_page(
            chunk.path,
            "glossary.md.j2",
            title=f"Глоссарий: {chunk.title}",
            terms=chunk.terms,
            bar=bar,
            chunk=chunk,
            **common,
        )
        tree.sources[chunk.path] = chunk.terms[0].origin.file
    nav: list[NavEntry] = [{"Все термины": GLOSSARY}]
    nav.extend({chunk.title: chunk.path} for chunk in chunks)
    return nav


def _render_raci(
    r: Renderer, tree: RenderedTree, content: Content, matrix: views.RaciMatrix, fallback: str
) -> str | list[NavEntry]:
    """The RACI matrix: one page, or an index page and a page per regulation. Returns its navigation."""
    duty_files = [_part_of(row.item).origin.file for s in matrix.sections for row in s.rows[:1]]
    tree.sources[RACI] = duty_files[0] if duty_files else fallback
    title = "Матрица ответственности (RACI)"
    split = views.raci_split(matrix)
    tree.pages[RACI] = r.render_page(
        RACI,
        "raci.md.j2",
        title=title,
        source=tree.sources[RACI],
        hide=("toc",),
        matrix=matrix,
        sections=[] if split else matrix.sections,
        pages=[(s, views.raci_page(s.regulation.id)) for s in matrix.sections] if split else [],
        whole="",
        content=content,
    )
    if not split:
        return RACI
    entries: list[tuple[NavEntry, str]] = []
    departments = {role.id: role.department for role in content.roles}
    for section, path in zip(matrix.sections, duty_files):
        reg = section.regulation
        page = views.raci_page(reg.id)
        tree.pages[page] = r.render_page(
            page,
            "raci.md.j2",
            title=f"RACI: {reg.short_title or reg.title}",
            source=path,
            hide=("toc",),
            matrix=matrix,
            sections=[section],
            pages=[],
            whole=RACI,
            content=content,
        )
        tree.sources[page] = path
        entries.append(({reg.short_title or reg.title: page}, departments.get(reg.owner, "")))
    nav: list[NavEntry] = [{"Все регламенты": RACI}]
    nav.extend(grouped_nav([e for e, _ in entries], [g for _, g in entries]))
    return nav


def _part_of(item: Item) -> m.Node:
    """The part that holds ``item`` (an item of a regulation's part: a duty, a clause…)."""
    if item.part is None:
        raise TypeError(f"{item.kind} {item.id!r} belongs to no part")
    return item.part


#: a navigation section with more entries than this is split into sub-sections
NAV_GROUP_LIMIT = 15


def grouped_nav(entries: list[NavEntry], groups: list[str], *, limit: int = NAV_GROUP_LIMIT) -> list[NavEntry]:
    """``entries`` as they are when few; otherwise in sub-sections by ``groups`` (the department), in order of
    first appearance.

    MkDocs + Material writes the navigation into every page, and with
    ``navigation.prune`` only the open path is kept: a flat section of hundreds of
    regulations or roles would put all of them into every page, so a site's pages
    would grow with the site (and its build time with its square). Grouped, a page
    carries the section titles and its own group.
    """
    if len(entries) <= limit or len(set(groups)) < 2:
        return entries
    by_group: dict[str, list[NavEntry]] = {}
    for entry, group in zip(entries, groups):
        by_group.setdefault(group or "Прочее", []).append(entry)
    return [{group: items} for group, items in by_group.items()]


def _part_extras(part: m.Node) -> dict[str, object]:
    """Computed data some part kinds show: the worked bonus example and calculator, the day timeline."""
    if isinstance(part, m.MotivationPart):
        return {
            "example": motivation.compute(part, motivation.example_percent(part)),
            "calculator": motivation.calculator_data(part),
        }
    if isinstance(part, m.SchedulePart):
        return {"timeline": views.timeline(part)}
    return {}


def duty_roles(duty: m.Duty) -> list[str]:
    roles = [duty.role] if duty.role else []
    if duty.raci:
        for rid in [*duty.raci.responsible, duty.raci.accountable, *duty.raci.consulted, *duty.raci.informed]:
            if rid and rid not in roles:
                roles.append(rid)
    return roles


def raci_letter(duty: m.Duty, role_id: str) -> str:
    if duty.raci is None:
        return "R" if duty.role == role_id else ""
    letters = []
    if role_id in duty.raci.responsible or duty.role == role_id:
        letters.append("R")
    if duty.raci.accountable == role_id:
        letters.append("A")
    if role_id in duty.raci.consulted:
        letters.append("C")
    if role_id in duty.raci.informed:
        letters.append("I")
    return "/".join(letters)


def where_used(content: Content) -> dict[str, list[Item]]:
    """For each referenced id, the items whose text references it (in source order, once each)."""

    used: dict[str, list[Item]] = {}
    for text in content.texts():
        if text.owner is None:
            continue
        for ref in find_refs(text.text):
            lst = used.setdefault(ref.target, [])
            if text.owner not in lst and text.owner.id != ref.target:
                lst.append(text.owner)
    return used


def _referenced_by_regulation(content: Content) -> dict[int, set[str]]:
    """id(regulation) → every id its texts reference (one pass over the texts for all terms parts)."""
    found: dict[int, set[str]] = {}
    for text in content.texts():
        if text.regulation is not None and "[[" in text.text:
            found.setdefault(id(text.regulation), set()).update(ref.target for ref in find_refs(text.text))
    return found


def _terms_of(
    content: Content, reg: m.Regulation, part: m.TermsPart, referenced: dict[int, set[str]] | None = None
) -> list[m.Term]:
    if part.terms:
        # an id here that is not a term is an `unknown-reference` error of the check
        return [node for t in part.terms if t in content.index and isinstance(node := content.index[t].node, m.Term)]
    if referenced is None:
        referenced = _referenced_by_regulation(content)
    ids = referenced.get(id(reg), set())
    return sorted((t for t in content.terms if t.id in ids), key=lambda t: t.term.lower())
