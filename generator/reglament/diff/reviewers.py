"""Who must approve a pull request, by what its content changes — not by which file it lives in.

CODEOWNERS routes by path: move the motivation part into a file named
``general-2.yml``, raise ``bonus_base``, and finance is never asked. Here the
routing derives from the model diff between the two revisions
(:func:`reglament.diff.sources.load_side` + :func:`reglament.diff.compare.compare_editions`):
every changed item is classified by the *kind of content* it is (the kind of
the part that holds it — motivation, duties, confidentiality… — or the glossary,
the roles, a regulation's card), wherever its file is, and every changed file
that no model change explains gets a kind from what the file is (profiles,
editions, templates, the reviewers map) or — unknown files, workflows,
generator code — ``other``, which the admins review. Nothing is ever "no
review needed".

Who approves which kind comes from the reviewers map, ``.github/reviewers.yml``,
**read at the base revision** (a pull request cannot edit its own reviewers;
a change to the map itself needs the base map's admins)::

    admin: ["@example-org/regulations-office"]   # unknown files, the map itself, the fallback
    roles:                                         # role id → who acts for it (any one of them)
      head-of-sales: ["@example-org/sales-heads"]
      director: "@ivanov"
    kinds:                                         # kind → every entry must approve
      motivation: ["@example-org/finance", owner]
      duties: [owner, "@example-org/hr"]
      confidentiality: ["@example-org/security"]

An entry is a GitHub login (``@login``), a team (``@org/team``: any member
approves for it), ``owner`` / ``approver`` (the regulation's roles, through
``roles:``), ``admin``, or a list of these — any one of which suffices. A
kind the map does not name falls back to the regulation's owner (changes
inside a regulation) or to the admins; an ``owner`` whose role has no handles
falls back to the admins.

Approvals come from the caller (logins, or the pull request's reviews as the
GitHub API returns them — only the latest decisive review of each reviewer
counts, and only when it approves the head commit) and team members from a
mapping the caller provides, so this module stays offline.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reglament.diagnostics import Diagnostic, Position
from reglament.diff.compare import compare_editions, placements
from reglament.diff.formats import gfm_html
from reglament.diff.model import Changes, FieldChange, ItemChange, ParameterChange, PartChange
from reglament.diff.sources import load_side
from reglament.errors import ApprovalsMissingError, DiffError, GitError, ReviewersMapError, UnknownRevisionError
from reglament.model import nodes as m
from reglament.model.content import Content
from reglament.morphology import Morph
from reglament.source import git
from reglament.source.loader import CONTENT_DIR
from reglament.source.yaml_source import YamlDocument, parse_yaml

REVIEWERS_FILE = ".github/reviewers.yml"
MAX_MAP_BYTES = 256 * 1024

#: every kind of content a change can be, with what it covers (the keys of ``kinds:`` in the map)
KINDS: dict[str, str] = {
    "motivation": "система мотивации: оклад, база премии, KPI, шкала премий, снижения",
    "duties": "обязанности и ответственность",
    "schedule": "рабочее время и распорядок дня",
    "confidentiality": "конфиденциальность и защита данных",
    "terms": "термины и определения",
    "roles": "роли и подразделения",
    "clauses": "пункты регламента (общие и заключительные положения)",
    "prose": "текст регламента в Markdown",
    "pages": "свободные страницы сайта",
    "regulation": "карточка регламента: название, владелец, утверждающий, аудитория, состав и порядок частей",
    "companies": "профили компаний и параметры по умолчанию",
    "editions": "редакции: утверждение и дата вступления в силу",
    "site": "шаблоны страниц, тема и настройки сайта",
    "layout": "раскладка исходников без изменения содержания: имена файлов, комментарии, форматирование",
    "reviewers": "карта согласующих",
    "other": "прочие файлы: код генератора, процессы CI, неизвестные файлы",
}
#: kinds whose reviewers always include the base map's admins, whatever the map says
ADMIN_KINDS = frozenset({"reviewers", "other"})
#: part kinds of the model → review kinds
PART_KINDS = {
    "motivation": "motivation",
    "duties": "duties",
    "schedule": "schedule",
    "confidentiality": "confidentiality",
    "terms": "terms",
    "clauses": "clauses",
    "prose": "prose",
}
SYMBOLS = ("owner", "approver", "admin")

_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
HANDLE = re.compile(rf"@{_LOGIN}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{{0,99}})?")


# --------------------------------------------------------------------------
# The map


@dataclass(frozen=True)
class ReviewersMap:
    """The validated reviewers map: each requirement is a tuple of alternatives (any one approves)."""

    file: str
    admin: tuple[tuple[str, ...], ...]
    roles: Mapping[str, tuple[str, ...]]
    kinds: Mapping[str, tuple[tuple[str, ...], ...]]
    role_positions: Mapping[str, Position] = field(default_factory=dict)
    """Where each role id of ``roles:`` is written (for a warning when content/roles.yml has no such role)."""

    def unknown_roles(self, known: Iterable[str]) -> list[Diagnostic]:
        """Warnings for ``roles:`` keys that name no role of the content (their owners fall back to the admins)."""
        ids = sorted(set(known))
        out = []
        for role, pos in self.role_positions.items():
            if role not in ids:
                close = difflib.get_close_matches(role, ids, n=1)
                hint = f"did you mean `{close[0]}`?" if close else "use a role id from content/roles.yml"
                out.append(
                    Diagnostic.at(pos, "warning", "reviewers-map", f"role `{role}` is not in content/roles.yml", hint)
                )
        return out


def _where(doc: YamlDocument, path: tuple, *, key: bool = False) -> Position:
    pos = (doc.key_positions if key else doc.positions).get(path) or doc.positions.get(path)
    return pos or Position(doc.file, 1, 1)


def _problem(doc: YamlDocument, path: tuple, message: str, hint: str, *, key: bool = False) -> Diagnostic:
    return Diagnostic.at(_where(doc, path, key=key), "error", "reviewers-map", message, hint)


def _handle(doc: YamlDocument, path: tuple, value: object, out: list[Diagnostic], *, symbols: bool) -> str | None:
    if isinstance(value, str) and symbols and value in SYMBOLS:
        return value
    if isinstance(value, str) and HANDLE.fullmatch(value.strip()):
        return value.strip().lower()
    allowed = "`@login` or `@org/team`" + (", `owner`, `approver` or `admin`" if symbols else "")
    shown = repr(value) if not isinstance(value, str) else f"`{value}`"
    hint = f"write {allowed}"
    if isinstance(value, str) and HANDLE.fullmatch("@" + value.strip()):
        hint = (
            f'GitHub handles start with `@`: write `"@{value.strip()}"` (quoted: `@` cannot start a plain YAML value)'
        )
    out.append(_problem(doc, path, f"{shown} is not a reviewer", hint))
    return None


def _requirements(doc: YamlDocument, path: tuple, value: object, out: list[Diagnostic]) -> tuple[tuple[str, ...], ...]:
    """A kind's (or admin's) entries: a list of reviewers, each a handle or a list of alternatives."""
    entries = value if isinstance(value, list) else [value]
    base = path if isinstance(value, list) else path[:-1]
    result: list[tuple[str, ...]] = []
    for i, entry in enumerate(entries):
        where = base + (i,) if isinstance(value, list) else path
        if isinstance(entry, list):
            alternatives = [_handle(doc, where + (j,), x, out, symbols=True) for j, x in enumerate(entry)]
            if not entry:
                out.append(_problem(doc, where, "an empty list of alternatives", "name at least one reviewer"))
            kept = tuple(a for a in alternatives if a is not None)
            if kept:
                result.append(kept)
        else:
            one = _handle(doc, where, entry, out, symbols=True)
            if one is not None:
                result.append((one,))
    if isinstance(value, list) and not value:
        out.append(_problem(doc, path, "an empty list of reviewers", "name at least one reviewer, or remove the key"))
    return tuple(result)


def parse_map(text: str, file: str = REVIEWERS_FILE) -> tuple[ReviewersMap | None, list[Diagnostic]]:
    """Validate the map's text; every problem is a positioned diagnostic (``None`` when any is an error)."""
    doc = parse_yaml(text, file)
    out = list(doc.diagnostics)
    if out:
        return None, out
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            _problem(doc, (), "the reviewers map must be a mapping", "write `admin:`, `roles:` and `kinds:` keys")
        ]
    for key in data:
        if key not in ("admin", "roles", "kinds"):
            close = difflib.get_close_matches(str(key), ["admin", "roles", "kinds"], n=1)
            hint = f"did you mean `{close[0]}`?" if close else "the keys are `admin`, `roles` and `kinds`"
            out.append(_problem(doc, (key,), f"unknown key `{key}`", hint, key=True))
    admin: tuple[tuple[str, ...], ...] = ()
    if "admin" not in data:
        out.append(
            _problem(
                doc,
                (),
                "no `admin:` reviewers",
                'add `admin: ["@org/team"]`: they review unknown files and changes to this map',
            )
        )
    else:
        admin = _requirements(doc, ("admin",), data["admin"], out)
        if any("owner" in r or "approver" in r or "admin" in r for r in admin):
            out.append(
                _problem(doc, ("admin",), "`admin:` names people and teams only", "write `@login` or `@org/team`")
            )
    roles: dict[str, tuple[str, ...]] = {}
    raw_roles = data.get("roles", {})
    if not isinstance(raw_roles, dict):
        out.append(_problem(doc, ("roles",), "`roles:` must map role ids to handles", 'write `role-id: ["@login"]`'))
        raw_roles = {}
    for role, value in raw_roles.items():
        values = value if isinstance(value, list) else [value]
        path = ("roles", role)
        handles = []
        for i, v in enumerate(values):
            h = _handle(doc, path + (i,) if isinstance(value, list) else path, v, out, symbols=False)
            if h is not None:
                handles.append(h)
        if not values:
            out.append(_problem(doc, path, f"role `{role}` has no handles", "name who acts for it, or remove it"))
        roles[str(role)] = tuple(handles)
    kinds: dict[str, tuple[tuple[str, ...], ...]] = {}
    raw_kinds = data.get("kinds", {})
    if not isinstance(raw_kinds, dict):
        out.append(_problem(doc, ("kinds",), "`kinds:` must map kinds to reviewers", "write `motivation: [owner]`"))
        raw_kinds = {}
    for kind, value in raw_kinds.items():
        if kind not in KINDS:
            close = difflib.get_close_matches(str(kind), list(KINDS), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"the kinds are: {', '.join(KINDS)}"
            out.append(_problem(doc, ("kinds", kind), f"unknown kind `{kind}`", hint, key=True))
            continue
        kinds[kind] = _requirements(doc, ("kinds", kind), value, out)
    if any(d.severity == "error" for d in out):
        return None, out
    positions = {str(role): _where(doc, ("roles", role), key=True) for role in raw_roles}
    return ReviewersMap(file, admin, roles, kinds, positions), out


def load_map(root: Path, *, revision: str, path: str = REVIEWERS_FILE) -> ReviewersMap:
    """The map as committed at ``revision``; raises :class:`ReviewersMapError` when absent or invalid."""
    data = git.read_blob(root, revision=revision, path=path)
    if data is None:
        raise ReviewersMapError(
            f"no reviewers map `{path}` at the base revision {revision[:12]}",
            hint=f"copy .github/reviewers.example.yml to {path}, name your teams, and merge it first",
        )
    if len(data) > MAX_MAP_BYTES:
        raise ReviewersMapError(f"`{path}` is {len(data) // 1024} KB; the limit is {MAX_MAP_BYTES // 1024} KB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReviewersMapError(
            f"`{path}` is not UTF-8 text",
            diagnostics=[Diagnostic(path, 1, 1, "error", "reviewers-map", "not UTF-8 text", "save it as UTF-8")],
        ) from exc
    parsed, diagnostics = parse_map(text, path)
    if parsed is None:
        raise ReviewersMapError(
            f"the reviewers map `{path}` at {revision[:12]} does not validate",
            hint="fix it in the base branch first: a pull request is always routed by the base's map",
            diagnostics=diagnostics,
        )
    return parsed


# --------------------------------------------------------------------------
# What changed, by kind


@dataclass(frozen=True, order=True)
class Change:
    """One changed thing: its kind of content, what it is, and where (the new side; the old for a removal)."""

    kind: str
    regulation: str | None
    item: str
    change: str
    file: str
    line: int
    detail: str = ""
    company: str | None = None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "regulation": self.regulation,
            "item": self.item,
            "change": self.change,
            "file": self.file,
            "line": self.line,
            "detail": self.detail,
            "company": self.company,
        }


def _value(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v) if v is not None else "—"
    return text if len(text) <= 40 else text[:39] + "…"


def _detail(fields: Iterable[FieldChange], params: Iterable[ParameterChange]) -> str:
    bits = [f"{p.field}: {_value(p.old)} → {_value(p.new)}" for p in params if p.source == "field"]
    bits += [f.field for f in fields]
    if any(p.source == "text" for p in params):
        bits.append("числа в тексте")
    return ", ".join(dict.fromkeys(bits))


class _Classifier:
    """Turns a model diff into :class:`Change` values located in the sources of both sides."""

    def __init__(self, old: Content, new: Content, company: str | None = None) -> None:
        self.old, self.new, self.company = old, new, company
        self.old_placed, _ = placements(old)
        self.new_placed, _ = placements(new)
        self.parts = {
            side: {(r.id, p.id): p for r in content.regulations for p in r.loaded_parts}
            for side, content in (("old", old), ("new", new))
        }
        self.regs = {"old": {r.id: r for r in old.regulations}, "new": {r.id: r for r in new.regulations}}
        self.out: list[Change] = []

    def add(
        self,
        kind: str,
        reg: str | None,
        item: str,
        change: str,
        node: m.Node | None,
        field_: str | None,
        detail: str = "",
    ) -> None:
        pos = _position(node, field_)
        self.out.append(Change(kind, reg, item, change, pos.file, pos.line, detail, self.company))

    def part_kinds(self, reg: str, part: str) -> list[str]:
        kinds = []
        for side in ("new", "old"):
            node = self.parts[side].get((reg, part))
            if node is not None:
                kinds.append(PART_KINDS.get(getattr(node, "kind", "prose"), "prose"))
        return list(dict.fromkeys(kinds))

    def part_node(self, reg: str, part: str) -> m.Node | None:
        return self.parts["new"].get((reg, part)) or self.parts["old"].get((reg, part))

    def run(self, changes: Changes) -> list[Change]:
        for kind, items, content in (("terms", changes.terms, "terms"), ("roles", changes.roles, "roles")):
            for item in items:
                node = _by_id(getattr(self.new, content), item.id) if item.change != "removed" else None
                node = node or _by_id(getattr(self.old, content), item.id)
                self.add(
                    kind, None, item.id, item.change, node, _first_field(item), _detail(item.fields, item.parameters)
                )
        for reg in changes.regulations:
            reg_node = self.regs["new"].get(reg.id) or self.regs["old"].get(reg.id)
            if reg.change != "changed":
                self.add("regulation", reg.id, reg.id, reg.change, reg_node, None)
            for f in reg.fields:
                self.add("regulation", reg.id, reg.id, "changed", reg_node, f.field.split(".")[0], f.field)
            for part in reg.parts:
                self.part(reg.id, part)
        for page in changes.pages:
            node = _by_id(self.new.pages, page.id) or _by_id(self.old.pages, page.id)
            self.add("pages", None, f"page:{page.id}", page.change, node, None)
        return self.out

    def part(self, reg: str, part: PartChange) -> None:
        node = self.part_node(reg, part.id)
        kinds = self.part_kinds(reg, part.id)
        item_id = f"{reg}/{part.id}"
        if part.change == "moved":  # only its place in the regulation: the card's `parts:` order
            self.add("regulation", reg, item_id, "moved", self.regs["new"].get(reg), "parts", "порядок частей")
            return
        if part.change in ("added", "removed"):
            for kind in kinds:
                self.add(kind, reg, item_id, part.change, node, None)
            return
        if part.fields or part.parameters:
            params = [p for p in part.parameters if p.field != "body"]
            fields = part.fields or ()
            first = (params[0].field if params else fields[0].field if fields else None) or None
            for kind in kinds:
                self.add(
                    kind, reg, item_id, "changed", node, first.split(".")[0] if first else None, _detail(fields, params)
                )
        edited = [p for p in part.paragraphs if p.change != "moved" or any(s.op != "=" for s in p.redline)]
        if edited:
            for kind in kinds:
                self.add(kind, reg, item_id, "changed", node, None, f"текст: {len(edited)} абз.")
        for item in part.items:
            self.item(reg, item)

    def item(self, reg: str, item: ItemChange) -> None:
        if item.change == "moved" and item.move == "renumbered":
            return  # its number changed because of another change, which is routed itself
        kinds: list[str] = []
        for part_reg, part_id in ((item.new_regulation, item.new_part), (item.old_regulation, item.old_part)):
            if part_reg and part_id:
                kinds += [k for k in self.part_kinds(part_reg, part_id) if k not in kinds]
        placed = self.new_placed.get(item.id) if item.change != "removed" else None
        placed = placed or self.old_placed.get(item.id)
        node = placed.node if placed is not None else None
        for kind in kinds or ["other"]:
            self.add(kind, reg, item.id, item.change, node, _first_field(item), _detail(item.fields, item.parameters))


def _by_id(nodes: Iterable[m.Node], ident: str) -> m.Node | None:
    return next((n for n in nodes if getattr(n, "id", None) == ident), None)


def _first_field(item: ItemChange) -> str | None:
    names = [p.field for p in item.parameters] + [f.field for f in item.fields]
    return names[0].split(".")[0] if names else None


def _position(node: m.Node | None, field_: str | None) -> Position:
    if node is None:
        return Position("?", 1, 1)
    try:
        return node.at(field_)
    except AssertionError:  # a node made by the variant step, without a source
        return Position("?", 1, 1)


# --------------------------------------------------------------------------
# Files


def _tree(root: Path, revision: str) -> dict[str, tuple[str, str]]:
    # "." and not no path: `ls-tree --end-of-options REV --` reads the `--` as a path (git 2.39) and lists nothing
    return {e.path: (e.mode, e.object) for e in git.ls_tree(root, revision=revision)}


def _model_files(content: Content) -> set[str]:
    nodes: list[m.Node] = [*content.regulations, *content.pages, *content.terms, *content.roles]
    nodes += [p for r in content.regulations for p in r.loaded_parts]
    out = set()
    for node in nodes:
        try:
            out.add(node.origin.file)
        except AssertionError:
            continue
    return out


def _company(path: str) -> str | None:
    prefix = f"{CONTENT_DIR}/companies/"
    if path.startswith(prefix) and path.count("/") == 2 and path.endswith((".yml", ".yaml")):
        return path[len(prefix) :].rsplit(".", 1)[0]
    return None


def _regulation_of(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) >= 4 and parts[0] == CONTENT_DIR and parts[1] == "regulations":
        return parts[2]
    return None


def file_kind(path: str, *, map_path: str = REVIEWERS_FILE) -> str:
    """The kind of a changed file that no model change explains, from what the file is."""
    if path == map_path:
        return "reviewers"
    if path == f"{CONTENT_DIR}/editions.yml":
        return "editions"
    if path == f"{CONTENT_DIR}/defaults.yml" or _company(path) is not None:
        return "companies"
    if path.startswith("templates/") or path == "mkdocs.yml":
        return "site"
    return "other"


# --------------------------------------------------------------------------
# Who must approve


@dataclass(frozen=True)
class Requirement:
    """One approval a kind needs: any one of ``reviewers`` (logins, teams) gives it."""

    kind: str
    regulation: str | None
    reviewers: tuple[str, ...]
    why: str
    """Where it comes from: ``kinds.motivation``, ``owner: head-of-sales``, ``admin``…"""
    approved_by: tuple[str, ...] = ()

    @property
    def satisfied(self) -> bool:
        return bool(self.approved_by)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "regulation": self.regulation,
            "reviewers": list(self.reviewers),
            "why": self.why,
            "approved_by": list(self.approved_by),
            "satisfied": self.satisfied,
        }


@dataclass(frozen=True)
class Routing:
    """Every change of a pull request by kind, and every approval it needs."""

    base: str
    head: str
    fork_point: str
    map_file: str
    changes: tuple[Change, ...]
    requirements: tuple[Requirement, ...]
    checked: bool = False
    """True once approvals were applied (:func:`apply_approvals`)."""
    teams: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    """Warnings about the map (a role id the content does not have)."""

    def kinds(self) -> list[str]:
        present = {c.kind for c in self.changes} | {r.kind for r in self.requirements}
        return [k for k in KINDS if k in present]

    @property
    def missing(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if not r.satisfied)

    def required_teams(self) -> list[str]:
        return sorted({h for r in self.requirements for h in r.reviewers if "/" in h})

    def to_json(self) -> dict:
        return {
            "base": self.base,
            "head": self.head,
            "fork_point": self.fork_point,
            "map": self.map_file,
            "kinds": [
                {
                    "kind": k,
                    "description": KINDS[k],
                    "changes": [c.to_json() for c in self.changes if c.kind == k],
                    "requirements": [r.to_json() for r in self.requirements if r.kind == k],
                }
                for k in self.kinds()
            ],
            "teams": self.required_teams(),
            "checked": self.checked,
            "satisfied": self.checked and not self.missing,
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _owners(regs: Iterable[m.Regulation | None], attr: str) -> list[str]:
    return list(dict.fromkeys(getattr(r, attr) for r in regs if r is not None and getattr(r, attr, None)))


def requirements(
    changes: Iterable[Change], rmap: ReviewersMap, regulations: Mapping[str, list[m.Regulation]]
) -> list[Requirement]:
    """The approvals each (kind, regulation) group of ``changes`` needs under ``rmap``."""
    out: dict[tuple, Requirement] = {}

    def need(kind: str, reg: str | None, reviewers: tuple[str, ...], why: str) -> None:
        key = (kind, reg, tuple(sorted(reviewers)))
        if key not in out:
            out[key] = Requirement(kind, reg, tuple(reviewers), why)

    def admin(kind: str, reg: str | None, why: str) -> None:
        for alternatives in rmap.admin:
            need(kind, reg, alternatives, why)

    pairs = sorted({(c.kind, c.regulation or "") for c in changes}, key=lambda g: (list(KINDS).index(g[0]), g[1]))
    for kind, reg_id in pairs:
        reg = reg_id or None
        entries = rmap.kinds.get(kind)
        if kind in ADMIN_KINDS:
            admin(kind, reg, "admin")
        if entries is None:
            if kind in ADMIN_KINDS:
                continue
            entries = (("owner",),) if reg else (("admin",),)
            source = "нет в kinds: "
        else:
            source = f"kinds.{kind}: "
        roles_of = {e: _owners(regulations.get(reg, []) if reg else [], e) for e in ("owner", "approver")}
        for alternatives in entries:
            # a lone `owner` of a regulation whose owner the pull request changes: each owner approves
            groups: list[list[tuple[str, str | None]]]
            lone = alternatives[0] if len(alternatives) == 1 else ""
            if lone in roles_of and len(roles_of[lone]) > 1:
                groups = [[(lone, role)] for role in roles_of[lone]]
            else:
                atoms: list[tuple[str, str | None]] = []
                for e in alternatives:
                    if roles_of.get(e):
                        atoms += [(e, role) for role in roles_of[e]]
                    else:
                        atoms.append((e, None))
                groups = [atoms]
            for group in groups:
                handles: list[str] = []
                whys: list[str] = []
                fallback = False
                for entry, role in group:
                    if entry == "admin":
                        fallback = True
                        whys.append("admin")
                    elif entry in roles_of:
                        mapped = list(rmap.roles.get(role, ())) if role else []
                        if mapped:
                            handles += mapped
                            whys.append(f"{entry}: {role}")
                        else:
                            fallback = True
                            whys.append(
                                f"{entry} ({role}: нет в roles:) → admin"
                                if role
                                else f"{entry} (вне регламента) → admin"
                            )
                    else:
                        handles.append(entry)
                        whys.append(entry)
                why = source + "; ".join(whys)
                if handles:
                    need(kind, reg, tuple(dict.fromkeys(handles)), why)
                elif fallback:
                    admin(kind, reg, why)
    return list(out.values())


def route(root: Path, *, base: str, head: str, map_path: str = REVIEWERS_FILE) -> Routing:
    """Who must approve the changes ``head`` makes since it left ``base`` (their merge base).

    The map is read at ``base`` — never at ``head``. Raises :class:`DiffError` (unknown revision,
    unreadable side) or :class:`ReviewersMapError`.
    """
    commits = []
    for name in (base, head):
        try:
            commits.append(git.rev_parse(root, revision=name))
        except UnknownRevisionError as exc:
            raise DiffError(f"unknown revision `{name}`: no such tag, branch or commit") from exc
        except GitError as exc:
            raise DiffError(f"cannot read revision `{name}`: {exc}") from exc
    base_commit, head_commit = commits
    try:
        fork = git.merge_base(root, a=base_commit, b=head_commit)
    except GitError as exc:
        raise DiffError(f"`{head}` does not branch from `{base}`: {exc}") from exc
    rmap = load_map(root, revision=base_commit, path=map_path)
    old_tree, new_tree = _tree(root, fork), _tree(root, head_commit)
    changed = sorted(p for p in old_tree.keys() | new_tree.keys() if old_tree.get(p) != new_tree.get(p))
    found: list[Change] = []
    regulations: dict[str, list[m.Regulation]] = {}
    model_files: set[str] = set()
    role_ids: set[str] = set()
    if any(p.startswith(f"{CONTENT_DIR}/") for p in changed):
        morph = Morph()
        old_has = any(p.startswith(f"{CONTENT_DIR}/") for p in old_tree)
        b = load_side(root, name=head_commit, run_checks=False, morph=morph)
        if old_has:
            a = load_side(root, name=fork, run_checks=False, morph=morph)
            old_content = a.content
            diff = compare_editions(a.content, b.content, old_side=a.side, new_side=b.side)
        else:
            old_content = Content()
            diff = compare_editions(old_content, b.content, new_side=b.side)
        found += _Classifier(old_content, b.content).run(diff)
        for content in (old_content, b.content):
            model_files |= _model_files(content)
            role_ids |= {r.id for r in content.roles}
            for reg in content.regulations:
                regulations.setdefault(reg.id, []).append(reg)
        for path in changed:
            company = _company(path)
            if company is None or path not in new_tree:
                continue
            # a changed profile: the company's variant before and after; a new one: what it changes in the base
            try:
                cb = load_side(root, name=head_commit, company=company, run_checks=False, morph=morph)
                ca = (
                    load_side(root, name=fork, company=company, run_checks=False, morph=morph)
                    if path in old_tree
                    else b
                )
            except DiffError:
                continue  # a profile that does not load on a side: the file-level kind below still routes it
            cdiff = compare_editions(ca.content, cb.content, old_side=ca.side, new_side=cb.side, company=company)
            found += _Classifier(ca.content, cb.content, company).run(cdiff)
    explained = {c.file for c in found}
    for path in changed:
        change = "added" if path not in old_tree else "removed" if path not in new_tree else "changed"
        kind = file_kind(path, map_path=map_path)
        if kind == "other" and path in model_files:
            if path in explained:
                continue
            kind = "layout"
        found.append(Change(kind, _regulation_of(path), path, change, path, 1, "", _company(path)))
    unique = sorted(set(found), key=lambda c: (list(KINDS).index(c.kind), c.regulation or "", c.file, c.line, c.item))
    warnings = rmap.unknown_roles(role_ids) if role_ids else []
    return Routing(
        base_commit,
        head_commit,
        fork,
        map_path,
        tuple(unique),
        tuple(requirements(unique, rmap, regulations)),
        diagnostics=tuple(warnings),
    )


# --------------------------------------------------------------------------
# Approvals


def approvals_from_reviews(reviews: Iterable[Mapping], *, head_sha: str | None) -> set[str]:
    """Logins whose latest decisive review (approve, request changes, dismissed) approves ``head_sha``.

    ``reviews`` as the GitHub API lists them (oldest first): ``user.login``, ``state``, ``commit_id``.
    A comment does not undo an approval; an approval of an older commit does not count when
    ``head_sha`` is given (what was approved is not what would merge).
    """
    latest: dict[str, Mapping] = {}
    for review in reviews:
        if not isinstance(review, Mapping):
            continue
        user = review.get("user")
        login = user.get("login") if isinstance(user, Mapping) else None
        state = str(review.get("state", "")).upper()
        if isinstance(login, str) and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[login.lower()] = review
    return {
        login
        for login, review in latest.items()
        if str(review.get("state", "")).upper() == "APPROVED"
        and (head_sha is None or review.get("commit_id") == head_sha)
    }


def normalise_teams(teams: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """``{"@org/team" or "org/team": [logins]}`` → ``{"@org/team": (lowercase logins)}``."""
    out: dict[str, tuple[str, ...]] = {}
    for team, members in teams.items():
        key = "@" + str(team).lstrip("@").lower()
        out[key] = tuple(sorted({str(x).lstrip("@").lower() for x in members}))
    return out


def apply_approvals(
    routing: Routing, approved: Iterable[str], teams: Mapping[str, Iterable[str]] | None = None
) -> Routing:
    """``routing`` with each requirement's approvers filled in from ``approved`` logins and team members."""
    logins = {a.lstrip("@").lower() for a in approved}
    members = normalise_teams(teams or {})
    result = []
    for req in routing.requirements:
        by: list[str] = []
        for handle in req.reviewers:
            if "/" in handle:
                by += [f"@{x}" for x in members.get(handle, ()) if x in logins]
            elif handle.lstrip("@") in logins:
                by.append(handle)
        result.append(Requirement(req.kind, req.regulation, req.reviewers, req.why, tuple(sorted(dict.fromkeys(by)))))
    return Routing(
        routing.base,
        routing.head,
        routing.fork_point,
        routing.map_file,
        routing.changes,
        tuple(result),
        True,
        {t: members[t] for t in routing.required_teams() if t in members},
        routing.diagnostics,
    )


def require_approvals(routing: Routing) -> None:
    """Raise :class:`ApprovalsMissingError` naming every kind still waiting, and whom it waits for."""
    if not routing.checked:
        raise ValueError("apply_approvals first")
    missing = routing.missing
    if not missing:
        return
    waiting: dict[tuple[str, ...], list[str]] = {}
    for req in missing:
        where = f" [{req.regulation}]" if req.regulation else ""
        kinds = waiting.setdefault(req.reviewers, [])
        if f"{req.kind}{where}" not in kinds:
            kinds.append(f"{req.kind}{where}")
    lines = []
    for handles, kinds in waiting.items():
        unknown = [h for h in handles if "/" in h and h not in routing.teams]
        note = f" (members of {', '.join(unknown)} unknown: the check could not read the team)" if unknown else ""
        lines.append(f"{' or '.join(handles)} for {', '.join(kinds)}{note}")
    raise ApprovalsMissingError(
        f"{len(waiting)} approval(s) missing: " + "; ".join(lines),
        hint="the listed people (or a member of each listed team) must approve the pull request's latest commit",
    )


# --------------------------------------------------------------------------
# Output

CHANGE_WORDS = {"added": "+", "removed": "−", "changed": "~", "moved": "↕"}


def _status(req: Requirement, routing: Routing) -> str:
    if not routing.checked:
        return ""
    return f"согласовано: {', '.join(req.approved_by)}" if req.satisfied else "ждёт согласования"


def format_text(routing: Routing) -> str:
    """Per kind: what changed (item, file:line) and who must approve."""
    lines = [
        f"Согласование по содержанию: {routing.fork_point[:12]} → {routing.head[:12]} "
        f"(карта согласующих {routing.map_file} на {routing.base[:12]})"
    ]
    if not routing.changes:
        lines.append("изменений нет")
    for kind in routing.kinds():
        lines.append("")
        lines.append(f"{kind} — {KINDS[kind]}")
        for c in (c for c in routing.changes if c.kind == kind):
            where = f"{c.file}:{c.line}"
            extra = f" ({c.detail})" if c.detail else ""
            company = f" [компания {c.company}]" if c.company else ""
            lines.append(f"  {CHANGE_WORDS.get(c.change, '~')} {c.item}{extra}{company}  {where}")
        for req in (r for r in routing.requirements if r.kind == kind):
            reg = f" [{req.regulation}]" if req.regulation else ""
            status = _status(req, routing)
            lines.append(
                f"  согласует{reg}: {' или '.join(req.reviewers)}  ({req.why})" + (f" — {status}" if status else "")
            )
    if routing.checked:
        lines.append("")
        missing = routing.missing
        # counted as the error counts them: one per reviewer (or group of alternatives), whatever it approves
        waiting = len({r.reviewers for r in missing})
        lines.append("всё согласовано" if not missing else f"не хватает согласований: {waiting}")
    return "\n".join(lines)


def format_markdown(routing: Routing) -> str:
    """A table per kind for a pull request's summary; content-derived text escaped, nobody pinged."""

    def code(text: object) -> str:
        return f"<code>{gfm_html(text)}</code>"

    out = ["### Кто согласует", ""]
    if not routing.changes:
        out.append("Изменений нет.")
    for kind in routing.kinds():
        out += [f"#### {code(kind)} — {gfm_html(KINDS[kind])}", ""]
        rows = [c for c in routing.changes if c.kind == kind]
        if rows:
            out += ["| что | изменение | где |", "|---|---|---|"]
            for c in rows:
                what = code(c.item) + (f" {gfm_html(c.detail)}" if c.detail else "")
                if c.company:
                    what += f" (компания {code(c.company)})"
                out.append(f"| {what} | {gfm_html(c.change)} | {code(f'{c.file}:{c.line}')} |")
            out.append("")
        for req in (r for r in routing.requirements if r.kind == kind):
            who = " или ".join(code(h) for h in req.reviewers)
            status = _status(req, routing)
            mark = ("✅ " if req.satisfied else "⏳ ") if routing.checked else ""
            reg = f" ({code(req.regulation)})" if req.regulation else ""
            out.append(
                f"- {mark}согласует{reg}: {who} — {gfm_html(req.why)}" + (f"; {gfm_html(status)}" if status else "")
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def format_json(routing: Routing) -> str:
    return json.dumps(routing.to_json(), ensure_ascii=False, indent=2)


REVIEWER_FORMATS = {"text": format_text, "markdown": format_markdown, "json": format_json}


__all__ = [
    "KINDS",
    "REVIEWERS_FILE",
    "REVIEWER_FORMATS",
    "Change",
    "Requirement",
    "ReviewersMap",
    "Routing",
    "apply_approvals",
    "approvals_from_reviews",
    "file_kind",
    "load_map",
    "parse_map",
    "require_approvals",
    "route",
]
