"""`reglament compare A B`: what really differs between two companies' resolved regulations.

Both sides are resolved variants (:func:`reglament.variant.resolve`), so the
comparison sees what each company's site shows: names, parameter values,
role display names, the regulations/parts/items one company has and the other
leaves out (and why), and every field of an item whose resolved value differs
(an overridden clause, a deadline rendered from a different parameter…).
Items are matched by id, so renumbering after an exclusion is not a change.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field

from reglament.model import nodes as m
from reglament.model.content import Content, Item
from reglament.variant.resolve import Variant

COMPANY_FIELDS = ("name", "short_name", "city", "site_title", "visibility")
REASONS = {
    "excluded": "excluded by the profile",
    "not-included": "not in the profile's `include`",
    "internal": "internal (left out of a public site)",
}


@dataclass
class Change:
    """One difference. ``a``/``b`` are the values on each side (None: absent on that side)."""

    section: str  # "company" | "params" | "items"
    key: str  # field name, parameter name, or item id
    a: object = None
    b: object = None
    label: str = ""  # what the item is: «sales-manager п. 2.1.1 — Обработать…»
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # changed fields of an item
    note: str = ""  # why an item is on one side only

    def to_json(self) -> dict:
        data = asdict(self)
        data["fields"] = [{"field": f, "a": x, "b": y} for f, x, y in self.fields]
        return data


@dataclass
class Comparison:
    a: str
    b: str
    changes: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def section(self, name: str) -> list[Change]:
        return [c for c in self.changes if c.section == name]

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "changes": [c.to_json() for c in self.changes]}


def _label(variant: Variant) -> str:
    return variant.profile.id if variant.profile else "base"


def _plain(value: object) -> object:
    if isinstance(value, m.Node):
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fields(node: m.Node, prefix: str = "") -> dict[str, object]:
    """Comparable fields of an item: scalars and nested non-item values, flattened (`fixed.amount`)."""
    out: dict[str, object] = {}
    for name in type(node).model_fields:
        if name == "id":
            continue
        value = getattr(node, name)
        if isinstance(value, list) and any(isinstance(v, m.Node) and hasattr(v, "id") for v in value):
            continue  # sub-items are compared as items of their own
        if isinstance(value, m.Node) and not hasattr(value, "id"):
            out.update(_fields(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = _plain(value)
    if isinstance(node, m.ProsePart):
        out[f"{prefix}body"] = node.body.strip()
    return out


def _describe(item: Item) -> str:
    node = item.node
    where = item.regulation.id if item.regulation is not None and item.kind != "regulation" else ""
    number = f"п. {item.number}" if item.number else ""
    title = (
        getattr(node, "title", None)
        or getattr(node, "name", None)
        or getattr(node, "term", None)
        or getattr(node, "text", None)
        or ""
    )
    title = re.sub(r"\s+", " ", str(title)).strip()
    if len(title) > 60:
        title = title[:57].rstrip() + "…"
    head = " ".join(x for x in (where, number, f"`{item.id}`") if x)
    return f"{head} ({item.kind})" + (f" — {title}" if title else "")


def _order(*contents: Content) -> list[str]:
    seen: dict[str, None] = {}
    for content in contents:
        for it in content.all_items:
            seen.setdefault(it.id, None)
    return list(seen)


def compare_companies(a: Variant, b: Variant) -> Comparison:
    """Every difference between two resolved variants (typically two companies over the same base)."""
    result = Comparison(_label(a), _label(b))
    for name in COMPANY_FIELDS:
        va = getattr(a.profile, name, None) if a.profile else a.company.get(name)
        vb = getattr(b.profile, name, None) if b.profile else b.company.get(name)
        if name == "visibility":
            va, vb = ("public" if a.public else "internal"), ("public" if b.public else "internal")
        if va != vb:
            result.changes.append(Change("company", name, va, vb))
    for name in sorted(set(a.params) | set(b.params)):
        pa, pb = a.params.get(name), b.params.get(name)
        va = None if pa is None else pa.value
        vb = None if pb is None else pb.value
        vis_a = None if pa is None else pa.visibility
        vis_b = None if pb is None else pb.visibility
        if va != vb or type(va) is not type(vb) or vis_a != vis_b:
            note = f"visibility {vis_a} → {vis_b}" if vis_a != vis_b and pa and pb else ""
            result.changes.append(Change("params", name, va, vb, note=note))
    index_a, index_b = a.content.index, b.content.index
    for ident in _order(a.base, a.content, b.content):
        ia, ib = index_a.get(ident), index_b.get(ident)
        if ia is None and ib is None:
            continue
        if ia is None or ib is None:
            present, absent, side = (ib, a, "a") if ia is None else (ia, b, "b")
            assert present is not None
            gone = absent.removed.get(ident)
            # report only the top of a left-out subtree (its children go with it)
            if gone is not None and gone.by != ident and gone.by not in (index_a if side == "a" else index_b):
                continue
            note = REASONS.get(gone.reason, gone.reason) if gone is not None else "not in the base"
            result.changes.append(
                Change(
                    "items",
                    ident,
                    ia is not None,
                    ib is not None,
                    _describe(present),
                    note=f"only in {_label(a) if ib is None else _label(b)}; {_label(absent)}: {note}",
                )
            )
            continue
        fa, fb = _fields(ia.node), _fields(ib.node)
        changed = [(k, fa.get(k), fb.get(k)) for k in fa if fa.get(k) != fb.get(k)]
        if changed:
            result.changes.append(Change("items", ident, label=_describe(ia), fields=changed))
    return result


# --------------------------------------------------------------------------
# Formats


def word_diff(a: str, b: str, *, context: int = 6) -> str:
    """``a`` → ``b`` as one line with ``[-removed-]{+added+}`` marks, words compared.

    Unchanged runs longer than ``2 × context`` words are shortened to «…».
    Words are split on ordinary spaces only, so «3 000 000» (no-break spaces)
    stays one word.
    """
    split = re.compile(r"[^ \t\n]+")
    wa, wb = split.findall(a), split.findall(b)
    out: list[str] = []
    ops = difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            words = wa[i1:i2]
            head = words[:context] if n > 0 else []
            tail = words[-context:] if n < len(ops) - 1 else []
            if len(words) > len(head) + len(tail):
                out.extend(head + (["…"] if head or tail else []) + tail)
            else:
                out.extend(words)
            continue
        if i2 > i1:
            out.append("[-" + " ".join(wa[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(wb[j1:j2]) + "+}")
    return " ".join(out)


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return "«" + re.sub(r"\s+", " ", value).strip() + "»"
    return json.dumps(value, ensure_ascii=False)


def format_text(result: Comparison) -> str:
    a, b = result.a, result.b
    lines = [f"compare {a} ↔ {b}"]
    if result.is_empty:
        lines.append("no differences")
        return "\n".join(lines)
    company = result.section("company")
    if company:
        lines.append("")
        lines.append("company:")
        for c in company:
            lines.append(f"  {c.key}: {_show(c.a)} → {_show(c.b)}")
    params = result.section("params")
    if params:
        lines.append("")
        lines.append("parameters:")
        for c in params:
            if c.a is None or c.b is None:
                only = a if c.b is None else b
                value = c.a if c.b is None else c.b
                lines.append(f"  {c.key}: only in {only} ({_show(value)})")
            else:
                extra = f"  [{c.note}]" if c.note else ""
                lines.append(f"  {c.key}: {_show(c.a)} → {_show(c.b)}{extra}")
    items = result.section("items")
    gone = [c for c in items if not c.fields]
    changed = [c for c in items if c.fields]
    if gone:
        lines.append("")
        lines.append("present on one side only:")
        for c in gone:
            lines.append(f"  {c.label}")
            lines.append(f"    {c.note}")
    if changed:
        lines.append("")
        lines.append("changed:")
        for c in changed:
            lines.append(f"  {c.label}")
            for name, va, vb in c.fields:
                if isinstance(va, str) and isinstance(vb, str) and (len(va) > 40 or len(vb) > 40):
                    lines.append(f"    {name}: {word_diff(va, vb)}")
                else:
                    lines.append(f"    {name}: {_show(va)} → {_show(vb)}")
    lines.append("")
    lines.append(
        f"{len(company)} company field(s), {len(params)} parameter(s), {len(gone)} item(s) on one side only, "
        f"{len(changed)} item(s) changed"
    )
    return "\n".join(lines)


def format_json(result: Comparison) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str)


COMPARISON_FORMATS = {"text": format_text, "json": format_json}
