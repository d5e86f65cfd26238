"""duplicate-id: an id is used by two items. Ids are one namespace per site,
so `[[id]]` always means one thing. Both places are reported."""

from reglament.diagnostics import Diagnostic, Severity

ID = "duplicate-id"
SEVERITY: Severity = "error"


def check(ctx):
    seen: dict[str, list] = {}
    for item in ctx.content.all_items:
        seen.setdefault(item.id, []).append(item)
    for ident, items in seen.items():
        if len(items) < 2:
            continue
        for item in items:
            others = ", ".join(f"{o.position.file}:{o.position.line}" for o in items if o is not item)
            yield Diagnostic.at(
                item.position,
                SEVERITY,
                ID,
                f"id `{ident}` ({item.kind}) is also used at {others}",
                "ids must be unique across the whole site; rename one of them",
            )
