"""unknown-reference: a `[[id]]` in text, or an id in a field such as `role`,
`enforces` or `applies_to`, names nothing — or names an item of the wrong
kind (a duty's `role` must be a role). The hint offers the nearest id."""

import difflib

from reglament.diagnostics import Diagnostic, Severity
from reglament.model import nodes as m

ID = "unknown-reference"
SEVERITY: Severity = "error"

#: (model class, field, required kind or None for any)
ID_FIELDS = (
    (m.Regulation, "owner", "role"),
    (m.Regulation, "approver", "role"),
    (m.Regulation, "audience", "role"),
    (m.Role, "reports_to", "role"),
    (m.Duty, "role", "role"),
    (m.Raci, "responsible", "role"),
    (m.Raci, "accountable", "role"),
    (m.Raci, "consulted", "role"),
    (m.Raci, "informed", "role"),
    (m.Responsibility, "enforces", "duty"),
    (m.Reduction, "responsibility", "responsibility"),
    (m.DataRule, "applies_to", "category"),
    (m.TermsPart, "terms", "term"),
)


_ID_FIELDS_OF: dict[type, list[tuple[str, str | None]]] = {}
for _cls, _name, _kind in ID_FIELDS:
    _ID_FIELDS_OF.setdefault(_cls, []).append((_name, _kind))


def nearest(ctx, ident: str, kind: str | None = None) -> str:
    """A did-you-mean naming only ids of the kind the field needs."""
    pool = ctx.nearest_pool(kind)
    close = difflib.get_close_matches(ident, pool, n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else (f"define `{ident}` or use an existing {kind or 'id'}")


def check(ctx):
    world = ctx.world  # the whole model's ids (a partition is checked alone: see check.incremental)
    index = world.kinds
    # ids a company variant leaves out are reported by excluded-reference / internal-reference
    removed = world.removed if ctx.variant is not None else {}
    # ids declared in items or files that failed to load: their own diagnostics say why
    broken = world.broken
    for text, ref in ctx.refs:
        if ref.target and ref.target not in index and ref.target not in removed and ref.target not in broken:
            yield Diagnostic.at(
                text.locate(ref.start),
                SEVERITY,
                ID,
                f"reference `{ref.raw}` points to nothing",
                nearest(ctx, ref.target),
            )
    for _node, name, kind, value, pos in ctx.id_fields:
        found = index.get(value)
        if found is None and (value in removed or value in broken):
            continue
        if found is None:
            yield Diagnostic.at(
                pos, SEVERITY, ID, f"`{name}` names unknown {kind} `{value}`", nearest(ctx, value, kind)
            )
        elif kind and found != kind:
            yield Diagnostic.at(
                pos,
                SEVERITY,
                ID,
                f"`{name}` must name a {kind}, but `{value}` is a {found}",
                nearest(ctx, value, kind),
            )


def id_fields(content):
    """Every id-valued field: (node, field name, expected kind, value, position)."""
    for node in content.nodes():
        for name, kind in _ID_FIELDS_OF.get(type(node), ()):
            value = getattr(node, name)
            if isinstance(value, list):
                origin = node.origin
                positions, path = origin.doc.positions, origin.path + (name,)
                for i, v in enumerate(value):
                    # (the field's own position only when the element has none: a Position is never empty)
                    yield node, name, kind, v, positions.get(path + (i,)) or node.at(name)
            elif value is not None:
                yield node, name, kind, value, node.at(name)
