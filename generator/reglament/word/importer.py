"""A .docx → ``content/regulations/<id>/`` (regulation.yml + one file per part) that passes ``check``.

The outline (:mod:`.recognise`) becomes parts of the matching kind where the structure is
there — terms from definitions («Лид — …»), duties with a role, the export's motivation,
schedule and confidentiality tables — and numbered clauses (or Markdown prose) otherwise;
each fallback is a line in the report, so the editor knows what to review. Ids come from
the document's bookmarks when it has them (a reglament export) and from the titles and
texts otherwise (:mod:`.slug`). Links to bookmarks become ``[[id|form]]``; mentions of
known roles (every one) and terms (the first in each text) become references where the
match is unambiguous; in a document not made by reglament, «п. 3.2.1» becomes a reference
to that clause.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .deps import SLUG_RE, Content, Morph, TermMatcher, m
from .errors import WordError
from .export import BREAK_MARK, SUBHEADINGS
from .oxml import id_of_bookmark
from .package import safe_name
from .reader import DocxDocument, Paragraph, Run, Table, read_docx
from .recognise import Node, Outline, Section, _cut, outline
from .slug import Slugger, slugify
from .text import runs_to_markdown

PERIOD_KEYS = {"ежедневно": "daily", "еженедельно": "weekly", "ежемесячно": "monthly", "ежеквартально": "quarterly"}
CLASS_KEYS = {
    "открытые": "public",
    "для внутреннего использования": "internal",
    "конфиденциально": "confidential",
    "персональные данные": "personal",
    "коммерческая тайна": "trade-secret",
}
_DEF = re.compile(r"^(?P<term>[^—–]{1,100}?)(?:\s*\((?P<abbr>[^()]{1,20})\))?\s+[—–-]\s+(?=\S)")


class ImportError_(WordError):
    """The document cannot become a regulation (no sections found)."""


@dataclass
class Pending:
    """A text still to render: its runs (and continuation paragraphs)."""

    runs: list[Run]
    extra: list[list[Run]] = field(default_factory=list)
    owner: str | None = None


@dataclass
class Imported:
    reg_id: str
    files: dict[str, str]
    """Path relative to the regulation folder → text."""
    images: dict[str, bytes]
    new_terms: list[dict]
    report: list[str]
    warnings: list[str]


def number_value(text: str) -> float | int:
    cleaned = re.sub(r"[^\d,.\-]", "", text.replace("\u00a0", "").replace(" ", "")).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    return int(value) if value.is_integer() else value


def plain(runs: list[Run]) -> str:
    return "".join(r.text for r in runs).strip()


class Builder:
    def __init__(
        self, doc: DocxDocument, out: Outline, *, reg_id: str, vocabulary: Content, morph: Morph, title: str | None
    ) -> None:
        self.doc, self.out, self.reg_id, self.vocab, self.morph = doc, out, reg_id, vocabulary, morph
        self.title = title
        own = {it.id for it in vocabulary.all_items if it.regulation is not None and it.regulation.id == reg_id}
        self.slugger = Slugger({it.id for it in vocabulary.all_items if it.id not in own} | {reg_id})
        self.anchor_ids: dict[str, str] = {}
        self.displays: dict[str, str] = {}
        self.numbers: dict[str, str] = {}
        self.new_terms: list[dict] = []
        self.report: list[str] = []
        self.warnings: list[str] = []
        self.images: dict[str, str] = {}
        self.roles = [r for r in vocabulary.roles]
        self.role_by_name = {r.name.casefold(): r.id for r in self.roles}
        self.role_matcher = TermMatcher(
            [
                m.Term.model_construct(
                    id=r.id, term=r.name, synonyms=[], forms=[], abbreviation=None, match="morph", definition="x"
                )
                for r in self.roles
            ],
            morph,
        )
        self.term_list: list[m.Term] = list(vocabulary.terms)
        self.term_names: dict[str, str] = {}
        for t in vocabulary.terms:
            for name in [t.term, *t.synonyms, *([t.abbreviation] if t.abbreviation else [])]:
                self.term_names.setdefault(name.casefold(), t.id)

    # ------------------------------------------------------------- ids

    def claim(self, node_bookmark: str | None, text: str, *, fallback: str) -> str:
        if node_bookmark:
            wanted = id_of_bookmark(node_bookmark)
            if SLUG_RE.match(wanted) and wanted not in self.slugger.taken:
                ident = self.slugger.claim(wanted)
                self.anchor_ids[node_bookmark] = ident
                return ident
        ident = self.slugger.make(text, words=4, fallback=fallback)
        if node_bookmark:
            self.anchor_ids[node_bookmark] = ident
        return ident

    def role_of_name(self, name: str) -> str | None:
        return self.role_by_name.get(name.strip().rstrip(".").casefold())

    def roles_in(self, text: str) -> list[str]:
        found: list[str] = []
        for mention in self.role_matcher.find(text):
            if mention.term_id not in found:
                found.append(mention.term_id)
        return found

    def link_ids(self, runs: list[Run]) -> list[str]:
        out = []
        for r in runs:
            if r.anchor and self.anchor_ids.get(r.anchor) and self.anchor_ids[r.anchor] not in out:
                out.append(self.anchor_ids[r.anchor])
        return out

    # ------------------------------------------------------------- the regulation

    def build(self) -> Imported:
        if not self.out.sections:
            raise ImportError_(
                "no sections found: expected «Heading 1» titles or numbered titles («1. Общие положения»)"
            )
        page = self.out.title_page
        # pass 1: ids of every section and item (bookmarks first: links may point forward)
        parts: list[tuple[str, dict]] = []
        for s, sec in enumerate(self.out.sections, 1):
            if sec.number is not None and sec.number != s:
                self.warnings.append(
                    f"section «{sec.title}» is numbered {sec.number} in the document; the site numbers it {s}"
                )
            parts.append(self.part(s, sec))
        files: dict[str, str] = {}
        names: list[str] = []
        for name, data in parts:
            body = data.pop("__body__", None)
            resolved = self.resolve(data)
            if body is not None:
                front = "---\n" + self.dump({"id": resolved["id"], "title": resolved["title"]}) + "---\n\n"
                files[name] = front + self.resolve(body).strip() + "\n"
            else:
                self.validate(resolved)
                files[name] = self.dump(resolved)
            names.append(name)
        self.new_terms = [self.resolve(t) for t in self.new_terms]
        audience = [r for r in (self.role_of_name(n) for n in page.audience) if r]
        owner = self.role_of_name(page.owner) if page.owner else None
        approver = self.role_of_name(page.approver) if page.approver else None
        if approver is None and page.approver_position and page.approver_position != "\u0000":
            approver = self.role_of_name(page.approver_position) or next(
                iter(self.roles_in(page.approver_position)), None
            )
        positions = [r.id for r in self.roles if r.kind == "position"]
        if approver is None:
            approver = positions[0] if positions else (self.roles[0].id if self.roles else "")
            self.warnings.append(
                f"approver: no role named on the title page; set to `{approver}` — review regulation.yml"
            )
        if owner is None:
            owner = approver
            if not page.owner:
                self.warnings.append(f"owner: not named in the document; set to `{owner}` — review regulation.yml")
        title = self.title or page.title or self.doc.title or self.reg_id
        if not audience:
            audience = self.roles_in(title) or [owner]
            self.warnings.append(f"audience: taken from the title: {', '.join(audience)} — review regulation.yml")
        reg: dict[str, Any] = {
            "id": self.reg_id,
            "title": title,
            "owner": owner,
            "approver": approver,
            "audience": audience,
            "parts": names,
        }
        header = ""
        if page.approved == "-":
            page.approved = ""
        if page.signer or page.approved:
            header = (
                f"# Imported from Word. Approval block: {page.approver_position.strip(chr(0))} {page.signer}".rstrip()
                + (f", {page.approved}" if page.approved else "")
                + ".\n"
            )
        files["regulation.yml"] = header + self.dump(reg)
        self.report.insert(
            0,
            f"regulation `{self.reg_id}`: «{title}»; owner `{owner}`, approver `{approver}`, "
            f"audience {', '.join(audience)}"
            + (f"; УТВЕРЖДАЮ: {page.signer}" if page.signer else "")
            + (f", {page.approved}" if page.approved else ""),
        )
        images = {self.images[k]: self.doc.images[k] for k in self.images}
        return Imported(self.reg_id, files, images, self.new_terms, self.report, self.warnings)

    def dump(self, data: Any) -> str:
        yaml = YAML()
        yaml.width = 100
        yaml.allow_unicode = True
        stream = io.StringIO()
        yaml.dump(data, stream)
        return stream.getvalue()

    def validate(self, data: dict) -> None:
        cls = m.PART_KINDS[data["kind"]]
        try:
            cls.model_validate(data)
        except Exception as exc:  # pydantic's ValidationError: a bug of ours, not of the document
            raise WordError(f"imported part `{data.get('id')}` does not match the model: {exc}") from exc

    # ------------------------------------------------------------- parts

    def part(self, s: int, sec: Section) -> tuple[str, dict]:
        part_id = self.claim(sec.bookmark, sec.title, fallback="section")
        self.displays[part_id] = f"разд. {s} «{sec.title}»"
        self.numbers[part_id] = str(s)
        kind = sec.kind
        data: dict | None = None
        why = ""
        if not sec.items and kind not in ("terms",):
            data = self.prose(part_id, sec)
            self.report.append(f"{s}. «{sec.title}» → Markdown prose ({part_id}.md)")
            return f"{part_id}.md", data
        builders = {
            "terms": self.terms,
            "duties": self.duties,
            "motivation": self.motivation,
            "schedule": self.schedule,
            "confidentiality": self.confidentiality,
        }
        if kind in builders:
            saved = (
                set(self.slugger.taken),
                dict(self.anchor_ids),
                dict(self.displays),
                dict(self.numbers),
                list(self.new_terms),
            )
            try:
                data = builders[kind](s, part_id, sec)
            except _NotThisKind as exc:
                why = str(exc)
                self.slugger.taken, self.anchor_ids, self.displays, self.numbers, self.new_terms = (
                    saved[0],
                    saved[1],
                    saved[2],
                    saved[3],
                    saved[4],
                )
                data = None
        if data is None:
            data = self.clauses(s, part_id, sec)
            note = f" (recognised as {kind}, imported as clauses: {why})" if why else ""
            if why:
                self.warnings.append(f"section {s} «{sec.title}»: {why}; imported as numbered clauses")
            self.report.append(f"{s}. «{sec.title}» → clauses ({part_id}.yml): {self.count(data)} clauses{note}")
        else:
            self.report.append(f"{s}. «{sec.title}» → {data['kind']} ({part_id}.yml)")
        for note in sec.notes:
            self.warnings.append(f"section {s} «{sec.title}»: {note}")
        return f"{part_id}.yml", data

    def count(self, data: dict) -> int:
        def walk(items):
            return sum(1 + walk(c.get("clauses", [])) for c in items)

        return walk(data.get("clauses", []))

    def base(self, part_id: str, sec: Section, kind: str) -> dict:
        return {"kind": kind, "id": part_id, "title": sec.title, "intro": self.blocks_markdown(sec.intro, part_id)}

    def number(self, ident: str, number: str, node: Node | None, display: str | None = None) -> None:
        self.numbers[ident] = number
        self.displays[ident] = display or f"п. {number}"
        if node is not None and node.shown and node.shown.count(".") >= 1 and node.shown != number:
            self.warnings.append(f"item shown as {node.shown} in the document is {number} on the site")

    # clauses ------------------------------------------------------------

    def clauses(self, s: int, part_id: str, sec: Section) -> dict:
        data = self.base(part_id, sec, "clauses")
        data["intro"] = self.blocks_markdown(sec.intro + sec.leads, part_id)
        data["clauses"] = [self.clause(node, f"{s}.{i}") for i, node in enumerate(sec.items, 1)]
        if not data["clauses"]:
            raise WordError(f"section «{sec.title}» has no clauses")  # never: prose is chosen before
        return data

    def clause(self, node: Node, number: str) -> dict:
        runs = self.node_runs(node)
        ident = self.claim(node.bookmark, plain(runs), fallback="clause")
        self.number(ident, number, node)
        out: dict[str, Any] = {"id": ident, "text": Pending(runs, node.extra, ident)}
        subs = [self.clause(child, f"{number}.{i}") for i, child in enumerate(node.children, 1)]
        if subs:
            out["clauses"] = subs
        return out

    def node_runs(self, node: Node) -> list[Run]:
        if node.row is not None:
            cells = [[r for p in cell for r in p.runs] for cell in node.row]
            runs: list[Run] = []
            for k, cell in enumerate(cells):
                if k:
                    runs.append(Run(" — "))
                runs.extend(cell)
            return runs
        return node.runs

    # terms --------------------------------------------------------------

    def terms(self, s: int, part_id: str, sec: Section) -> dict:
        data = self.base(part_id, sec, "terms")
        entries = list(sec.items)
        if not entries:
            raise _NotThisKind("no numbered definitions")
        ids: list[str] = []
        for i, node in enumerate(entries, 1):
            term = self.definition(node.runs, node.bookmark)
            if term is None:
                raise _NotThisKind(f"item {s}.{i} is not a definition «Термин — определение»")
            ids.append(term)
        data["terms"] = ids
        return data

    def definition(self, runs: list[Run], bookmark: str | None) -> str | None:
        text = plain(runs)
        mt = _DEF.match(text)
        if not mt:
            return None
        name = mt.group("term").strip().strip("*").strip()
        abbr = mt.group("abbr")
        rest = [replace(r) for r in runs]
        lead = len("".join(r.text for r in runs)) - len("".join(r.text for r in runs).lstrip())
        _cut(rest, lead + mt.end())
        known = self.term_names.get(name.casefold())
        if bookmark and id_of_bookmark(bookmark) in {t.id for t in self.vocab.terms}:
            known = id_of_bookmark(bookmark)
        if known is not None:
            if bookmark:
                self.anchor_ids[bookmark] = known
            self.displays[known] = next(t.term for t in self.vocab.terms if t.id == known)
            self.report.append(f"  term «{name}» → the glossary's `{known}` (referenced, not defined twice)")
            return known
        ident = self.claim(bookmark, name, fallback="term")
        self.displays[ident] = name
        entry: dict[str, Any] = {"id": ident, "term": name, "definition": Pending(rest, owner=ident)}
        if abbr:
            entry["abbreviation"] = abbr
        self.new_terms.append(entry)
        self.term_list.append(
            m.Term.model_construct(
                id=ident, term=name, synonyms=[], forms=[], abbreviation=abbr, match="morph", definition="x"
            )
        )
        self.report.append(f"  term «{name}» → new glossary entry `{ident}`")
        return ident

    # duties -------------------------------------------------------------

    def default_role(self, sec: Section) -> str | None:
        for text in (sec.title, self.title or self.out.title_page.title):
            found = self.roles_in(text or "")
            if len(found) == 1:
                return found[0]
        names = [self.role_of_name(n) for n in self.out.title_page.audience]
        names = [n for n in names if n]
        return names[0] if names else None

    def duties(self, s: int, part_id: str, sec: Section) -> dict:
        data = self.base(part_id, sec, "duties")
        resp_nodes = [n for n in sec.items if n.subheading == SUBHEADINGS["responsibility"]]
        duty_nodes = [n for n in sec.items if n.subheading != SUBHEADINGS["responsibility"]]
        groups_nodes = [n for n in duty_nodes if n.children or n.heading]
        loose = [n for n in duty_nodes if not (n.children or n.heading)]
        if duty_nodes and duty_nodes != groups_nodes + loose:
            raise _NotThisKind("ungrouped duties stand between groups (the site numbers groups first)")
        fallback_role = self.default_role(sec)
        index = 0
        groups, duties = [], []
        for g in groups_nodes:
            index += 1
            gid = self.claim(g.bookmark, plain(g.runs), fallback="group")
            self.number(gid, f"{s}.{index}", g)
            group: dict[str, Any] = {"id": gid, "title": plain(g.runs), "duties": []}
            for k, child in enumerate(g.children, 1):
                if child.children:
                    raise _NotThisKind("a duty has sub-items")
                group["duties"].append(self.duty(child, f"{s}.{index}.{k}", fallback_role))
            if not group["duties"]:
                raise _NotThisKind(f"group «{group['title']}» holds no duties")
            groups.append(group)
        for node in loose:
            index += 1
            duties.append(self.duty(node, f"{s}.{index}", fallback_role))
        resp = []
        for node in resp_nodes:
            index += 1
            rid = self.claim(node.bookmark, plain(node.runs), fallback="resp")
            self.number(rid, f"{s}.{index}", node)
            resp.append((rid, node))
        responsibility = []
        for rid, node in resp:
            meta = node.meta.lines if node.meta else {}
            enforces = self.link_ids(meta["Обеспечивает исполнение"][1]) if "Обеспечивает исполнение" in meta else []
            if not enforces:
                raise _NotThisKind(f"responsibility clause {self.numbers[rid]} names no duty it enforces")
            item: dict[str, Any] = {"id": rid, "text": Pending(node.runs, node.extra, rid), "enforces": enforces}
            if "Последствия" in meta:
                item["consequence"] = Pending(meta["Последствия"][1], owner=rid)
            responsibility.append(item)
        if groups:
            data["groups"] = groups
        if duties:
            data["duties"] = duties
        if responsibility:
            data["responsibility"] = responsibility
        return data

    def duty(self, node: Node, number: str, fallback_role: str | None) -> dict:
        ident = self.claim(node.bookmark, plain(node.runs), fallback="duty")
        self.number(ident, number, node)
        meta = node.meta.lines if node.meta else {}
        role = None
        if "Исполнитель" in meta:
            role = self.role_of_name(meta["Исполнитель"][0])
        if role is None:
            found = self.roles_in(plain(node.runs))
            role = found[0] if len(found) == 1 else None
        if role is None:
            role = fallback_role
            if role is None:
                raise _NotThisKind(f"duty {number} names no role and the section names none")
            self.warnings.append(f"duty {number}: no role named; assigned `{role}` from the section — review")
        out: dict[str, Any] = {"id": ident, "role": role, "text": Pending(node.runs, node.extra, ident)}
        if "Срок" in meta:
            out["deadline"] = Pending(meta["Срок"][1], owner=ident)
        if "Норматив, мин" in meta:
            out["deadline_minutes"] = int(number_value(meta["Норматив, мин"][0]))
        raci: dict[str, Any] = {}
        for label, key in (
            ("Выполняют", "responsible"),
            ("Отвечает за результат", "accountable"),
            ("Согласует", "consulted"),
            ("Информируется", "informed"),
        ):
            if label in meta:
                ids = [r for r in (self.role_of_name(n) for n in meta[label][0].split(",")) if r]
                if ids:
                    raci[key] = ids[0] if key == "accountable" else ids
        if raci:
            out["raci"] = raci
        return out

    # motivation ----------------------------------------------------------

    def _leads(self, sec: Section) -> dict[str, str]:
        out = {}
        for p in sec.leads:
            label, _, value = p.text.partition(":")
            out[label.strip()] = value.strip()
        return out

    def motivation(self, s: int, part_id: str, sec: Section) -> dict:
        data = self.base(part_id, sec, "motivation")
        leads = self._leads(sec)
        if "База премии" not in leads:
            raise _NotThisKind("no «База премии:» line")
        base = re.match(r"^([\d\s\u00a0.,]+)\s*(\S+)\s+в месяц", leads["База премии"])
        if not base:
            raise _NotThisKind("«База премии:» is not «N ₽ в месяц»")
        fixed_para = next((p for p in sec.leads if p.text.startswith("Постоянная часть (оклад):")), None)
        if fixed_para is not None:
            fm = re.match(r"^Постоянная часть \(оклад\):\s*([\d\s\u00a0.,]+)\s*(\S+)\s+в месяц\.\s?", fixed_para.text)
            if not fm:
                raise _NotThisKind("«Постоянная часть (оклад):» is not «N ₽ в месяц.»")
            rest = [replace(r) for r in fixed_para.runs]
            _cut(rest, fm.end())
            fixed: dict[str, Any] = {"amount": number_value(fm.group(1)), "currency": fm.group(2)}
            if plain(rest):
                fixed["text"] = Pending(rest, owner=part_id)
            data["fixed"] = fixed
        data["bonus_base"] = number_value(base.group(1))
        data["currency"] = base.group(2)
        if "Выполнение плана в примере расчёта" in leads:
            data["example_percent"] = number_value(leads["Выполнение плана в примере расчёта"])
        kpis: list[dict] = []
        tiers: list[dict] = []
        reductions: list[tuple[str, Node]] = []
        clauses: list[dict] = []
        for i, node in enumerate(sec.items, 1):
            number = f"{s}.{i}"
            if node.subheading == SUBHEADINGS["kpis"] and node.row is not None:
                cells = [" ".join(p.text for p in c).strip() for c in node.row]
                if len(cells) < 4:
                    raise _NotThisKind("the KPI table needs Показатель, Что измеряется, Вес, Цель")
                ident = self.claim(node.bookmark, cells[0], fallback="kpi")
                self.number(ident, number, node, f"«{cells[0]}»")
                kpis.append(
                    {
                        "id": ident,
                        "name": cells[0],
                        "measures": Pending([r for p in node.row[1] for r in p.runs], owner=ident),
                        "weight": number_value(cells[2]),
                        "target": cells[3],
                    }
                )
            elif node.subheading == SUBHEADINGS["tiers"] and node.row is not None:
                cells = [" ".join(p.text for p in c).strip() for c in node.row]
                span = re.match(r"^от\s+([\d.,\s\u00a0]+)%(?:\s+до\s+([\d.,\s\u00a0]+)%)?$", cells[0])
                if not span or len(cells) < 2:
                    raise _NotThisKind(f"tier {number} is not «от N % до M %»")
                ident = self.claim(node.bookmark, f"tier {cells[0]}", fallback="tier")
                self.number(ident, number, node)
                tier: dict[str, Any] = {"id": ident, "from_percent": number_value(span.group(1))}
                if span.group(2):
                    tier["to_percent"] = number_value(span.group(2))
                tier["bonus_percent"] = number_value(cells[1])
                tiers.append(tier)
            elif node.subheading == SUBHEADINGS["reductions"] and node.meta is not None and not clauses:
                ident = self.claim(node.bookmark, plain(node.runs), fallback="reduction")
                self.number(ident, number, node)
                reductions.append((ident, node))
            else:
                if node.row is not None:
                    raise _NotThisKind(f"a numbered table row {number} that is neither a KPI nor a tier")
                clauses.append(self.clause(node, number))
        if not kpis or not tiers:
            raise _NotThisKind("no KPI table or no bonus tier table")
        order = [n for n in sec.items]
        kinds = [
            "k"
            if n.subheading == SUBHEADINGS["kpis"] and n.row
            else "t"
            if n.subheading == SUBHEADINGS["tiers"] and n.row
            else "r"
            if n.subheading == SUBHEADINGS["reductions"] and n.meta
            else "c"
            for n in order
        ]
        if kinds != sorted(kinds, key="ktrc".index):
            raise _NotThisKind("KPIs, tiers, reductions and clauses are not in the site's order")
        out_red = []
        for ident, node in reductions:
            meta = node.meta.lines if node.meta else {}
            base_ids = self.link_ids(meta["Основание"][1]) if "Основание" in meta else []
            if "Снижение" not in meta or not base_ids:
                raise _NotThisKind(f"reduction {self.numbers[ident]} has no «Снижение:» and «Основание:» lines")
            out_red.append(
                {
                    "id": ident,
                    "responsibility": base_ids[0],
                    "percent": number_value(meta["Снижение"][0]),
                    "text": Pending(node.runs, node.extra, ident),
                }
            )
        data["kpis"], data["tiers"] = kpis, tiers
        if out_red:
            data["reductions"] = out_red
        if clauses:
            data["clauses"] = clauses
        return data

    # schedule ------------------------------------------------------------

    def schedule(self, s: int, part_id: str, sec: Section) -> dict:
        data = self.base(part_id, sec, "schedule")
        leads = self._leads(sec)
        hours = re.match(r"^(.*),\s*с\s+(\d{2}:\d{2})\s+до\s+(\d{2}:\d{2})\.?$", leads.get("Рабочее время", ""))
        if not hours:
            raise _NotThisKind("no «Рабочее время: дни, с ЧЧ:ММ до ЧЧ:ММ.» line")
        data["hours"] = {"start": hours.group(2), "end": hours.group(3), "days": hours.group(1).strip()}
        routine: list[dict] = []
        recurring: list[dict] = []
        clauses: list[dict] = []
        for i, node in enumerate(sec.items, 1):
            number = f"{s}.{i}"
            if node.subheading == SUBHEADINGS["routine"] and node.row is not None:
                when = " ".join(p.text for p in node.row[0]).strip()
                tm = re.match(r"^(\d{2}:\d{2})\s*[–-]\s*(\d{2}:\d{2})(,\s*" + BREAK_MARK + ")?$", when)
                if not tm:
                    raise _NotThisKind(f"routine row {number} has no «ЧЧ:ММ–ЧЧ:ММ» time")
                runs = [r for p in node.row[1] for r in p.runs]
                ident = self.claim(node.bookmark, plain(runs), fallback="block")
                self.number(ident, number, node)
                block: dict[str, Any] = {
                    "id": ident,
                    "start": tm.group(1),
                    "end": tm.group(2),
                    "activity": Pending(runs, owner=ident),
                }
                if tm.group(3):
                    block["is_break"] = True
                routine.append(block)
            elif node.subheading == SUBHEADINGS["recurring"] and node.row is not None:
                cells = [" ".join(p.text for p in c).strip() for c in node.row]
                period = PERIOD_KEYS.get(cells[0].lower())
                if period is None or len(cells) < 3:
                    raise _NotThisKind(f"recurring row {number}: unknown period «{cells[0]}»")
                runs = [r for p in node.row[2] for r in p.runs]
                ident = self.claim(node.bookmark, plain(runs), fallback="recurring")
                self.number(ident, number, node)
                recurring.append(
                    {"id": ident, "period": period, "when": cells[1], "activity": Pending(runs, owner=ident)}
                )
            else:
                if node.row is not None:
                    raise _NotThisKind(f"a numbered table row {number} outside the routine and recurring tables")
                clauses.append(self.clause(node, number))
        if not routine:
            raise _NotThisKind("no routine table")
        data["routine"] = routine
        if recurring:
            data["recurring"] = recurring
        if clauses:
            data["clauses"] = clauses
        return data

    # confidentiality -----------------------------------------------------

    def confidentiality(self, s: int, part_id: str, sec: Section) -> dict:
        data = self.base(part_id, sec, "confidentiality")
        categories: list[dict] = []
        rules: list[tuple[str, Node]] = []
        measures: list[dict] = []
        for i, node in enumerate(sec.items, 1):
            number = f"{s}.{i}"
            if node.row is not None and node.subheading == SUBHEADINGS["categories"]:
                cells = [" ".join(p.text for p in c).strip() for c in node.row]
                cls = CLASS_KEYS.get(cells[1].lower()) if len(cells) > 2 else None
                if cls is None:
                    raise _NotThisKind(f"category {number}: unknown classification")
                ident = self.claim(node.bookmark, cells[0], fallback="category")
                self.number(ident, number, node, f"«{cells[0]}»")
                cat: dict[str, Any] = {"id": ident, "name": cells[0], "classification": cls}
                runs = [r for p in node.row[2] for r in p.runs]
                if plain(runs):
                    cat["examples"] = Pending(runs, owner=ident)
                categories.append(cat)
            elif node.subheading == SUBHEADINGS["rules"]:
                ident = self.claim(node.bookmark, plain(node.runs), fallback="rule")
                self.number(ident, number, node)
                rules.append((ident, node))
            elif node.subheading == SUBHEADINGS["measures"]:
                ident = self.claim(node.bookmark, plain(node.runs), fallback="measure")
                self.number(ident, number, node)
                measures.append({"id": ident, "text": Pending(node.runs, node.extra, ident)})
            else:
                raise _NotThisKind(f"item {number} is not a category, rule or measure")
        out_rules = []
        for ident, node in rules:
            meta = node.meta.lines if node.meta else {}
            applies = self.link_ids(meta["Категории"][1]) if "Категории" in meta else []
            if not applies:
                raise _NotThisKind(f"rule {self.numbers[ident]} names no data category («Категории:»)")
            out_rules.append({"id": ident, "text": Pending(node.runs, node.extra, ident), "applies_to": applies})
        if not categories or not out_rules:
            raise _NotThisKind("no data categories or no rules")
        data["categories"], data["rules"] = categories, out_rules
        if measures:
            data["measures"] = measures
        return data

    # prose ---------------------------------------------------------------

    def prose(self, part_id: str, sec: Section) -> dict:
        return {"id": part_id, "title": sec.title, "__body__": self.blocks_markdown(sec.blocks, part_id)}

    def blocks_markdown(self, blocks: list, owner: str) -> Any:
        """Markdown of unnumbered blocks: headings, paragraphs, lists, tables (rendered later: a _Body)."""
        return _Body(blocks, owner)

    # ------------------------------------------------------------- texts

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Pending):
            text = self.markdown(value.runs, value.owner)
            for extra in value.extra:
                more = self.markdown(extra, value.owner)
                if more:
                    text = f"{text} {more}" if text else more
            return text or "—"
        if isinstance(value, _Body):
            return self.body(value)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items() if not (isinstance(v, _Body) and not self.body(v))}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def markdown(self, runs: list[Run], owner: str | None) -> str:
        def ref(anchor: str, shown: str) -> str | None:
            ident = self.anchor_ids.get(anchor)
            if ident is None:
                guess = id_of_bookmark(anchor)
                ident = guess if any(t.id == guess for t in self.vocab.terms) else None
            if ident is None:
                return None
            default = self.displays.get(ident)
            return f"[[{ident}]]" if shown == default else f"[[{ident}|{shown}]]"

        def note(text: str) -> str:
            return f" (примечание: {text})" if text else ""

        def image(part: str) -> str:
            name = self.images.get(part)
            if name is None:
                name = self.images[part] = f"images/{safe_name(part, index=len(self.images) + 1)}"
            return f"![]({name})"

        text = runs_to_markdown(runs, ref=ref, footnote=note, image=image).strip()
        text = re.sub(r"[ \t]+", " ", text)
        return self.link_mentions(text, owner)

    def link_mentions(self, text: str, owner: str | None) -> str:
        """Known roles (each mention) and terms (first mention per text) → references, outside existing ones."""
        linked = set(re.findall(r"\[\[([^\]|]+)", text))
        pieces = re.split(r"(\[\[[^\]]*\]\]|!?\[[^\]]*\]\([^)]*\)|`[^`]*`)", text)
        out = []
        term_matcher = TermMatcher(self.term_list, self.morph)
        for k, piece in enumerate(pieces):
            if k % 2 == 1 or not piece:
                out.append(piece)
                continue
            spans: list[tuple[int, int, str]] = []
            for mention in self.role_matcher.find(piece):
                spans.append((mention.start, mention.end, mention.term_id))
            for mention in term_matcher.find(piece):
                if mention.term_id in linked or mention.term_id == owner:
                    continue
                if any(a < mention.end and mention.start < b for a, b, _ in spans):
                    continue
                spans.append((mention.start, mention.end, mention.term_id))
                linked.add(mention.term_id)
            if not self.out.from_reglament:
                for mt in re.finditer(r"\bп\.\s?(\d+(?:\.\d+)+)", piece):
                    ident = next((i for i, n in self.numbers.items() if n == mt.group(1)), None)
                    if ident and not any(a < mt.end() and mt.start() < b for a, b, _ in spans):
                        spans.append((mt.start(), mt.end(), "\u0000" + ident))
            spans.sort()
            pos, buf = 0, []
            for a, b, ident in spans:
                buf.append(piece[pos:a])
                form = piece[a:b]
                if ident.startswith("\u0000"):
                    buf.append(f"[[{ident[1:]}]]")
                else:
                    default = self.display_of(ident)
                    buf.append(f"[[{ident}]]" if form == default else f"[[{ident}|{form}]]")
                pos = b
            buf.append(piece[pos:])
            out.append("".join(buf))
        return "".join(out)

    def display_of(self, ident: str) -> str:
        if ident in self.displays:
            return self.displays[ident]
        item = self.vocab.get(ident)
        if item is not None and item.kind == "role":
            return str(getattr(item.node, "name", ident))
        if item is not None and item.kind == "term":
            return str(getattr(item.node, "term", ident))
        return ident

    def body(self, b: _Body) -> str:
        lines: list[str] = []
        prev_list = False
        for block in b.blocks:
            if isinstance(block, Table):
                rows = [
                    [
                        self.markdown([r for p in cell for r in p.runs], b.owner).replace("|", "\\|").replace("\n", " ")
                        for cell in row
                    ]
                    for row in block.rows
                ]
                rows = [r for r in rows if r]
                if not rows:
                    continue
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                head = [re.sub(r"^\*\*(.*)\*\*$", r"\1", c) for c in rows[0]]
                lines.append("")
                lines.append("| " + " | ".join(head) + " |")
                lines.append("|" + "---|" * width)
                for r in rows[1:]:
                    lines.append("| " + " | ".join(r) + " |")
                lines.append("")
                prev_list = False
                continue
            para: Paragraph = block
            text = self.markdown(para.runs, b.owner)
            if not text:
                continue
            if para.heading is not None:
                level = max(2, min(6, para.heading))
                lines += ["", "#" * level + " " + re.sub(r"^\*\*(.*)\*\*$", r"\1", text), ""]
                prev_list = False
            elif para.bullet or para.label is not None:
                if not prev_list:
                    lines.append("")
                indent = "    " * (para.ilvl or 0)
                if para.bullet:
                    lines.append(f"{indent}- {text}")
                else:
                    nm = re.match(r"^\D*(\d+)", para.label or "")
                    lines.append(f"{indent}{nm.group(1) if nm else 1}. {text}")
                prev_list = True
            else:
                lines += ["", text.replace("\n", "  \n"), ""]
                prev_list = False
        out = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", out).strip()


@dataclass
class _Body:
    blocks: list
    owner: str


class _NotThisKind(Exception):
    """The section's structure does not fit the kind its title suggests (it becomes clauses)."""


def import_docx(
    path: Path, *, reg_id: str, vocabulary: Content, morph: Morph | None = None, title: str | None = None
) -> Imported:
    """Read and recognise ``path``; nothing is written (see :func:`write_import`)."""
    if not SLUG_RE.match(reg_id):
        raise WordError(
            f"`{reg_id}` is not a valid id (a Latin slug: lowercase letters, digits, hyphens); "
            f"e.g. `{slugify(title or reg_id, fallback='reglament')}`"
        )
    clash = vocabulary.get(reg_id)
    if clash is not None and clash.kind != "regulation":
        raise WordError(f"id `{reg_id}` is already used by a {clash.kind} ({clash.position.file}); choose another --id")
    doc = read_docx(path)
    out = outline(doc.blocks)
    return Builder(doc, out, reg_id=reg_id, vocabulary=vocabulary, morph=morph or Morph(), title=title).build()


def write_import(imported: Imported, root: Path, *, force: bool = False) -> list[Path]:
    """Write the regulation folder and append new terms to ``content/glossary.yml``."""
    folder = root / "content" / "regulations" / imported.reg_id
    if folder.exists() and not force:
        raise WordError(f"{folder} exists; pass --force to write the imported files over it")
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in imported.files.items():
        target = folder / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    for name, blob in imported.images.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        written.append(target)
    if imported.new_terms:
        glossary = root / "content" / "glossary.yml"
        yaml = YAML()
        yaml.width = 100
        yaml.allow_unicode = True
        data: Any = yaml.load(glossary.read_text(encoding="utf-8")) if glossary.exists() else None
        if data is None:
            data = {"terms": []}
        known = {t["id"] for t in data.get("terms", [])}
        for term in imported.new_terms:
            if term["id"] not in known:
                data.setdefault("terms", []).append(term)
        stream = io.StringIO()
        yaml.dump(data, stream)
        glossary.write_text(stream.getvalue(), encoding="utf-8")
        written.append(glossary)
    return written
