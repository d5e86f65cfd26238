"""duplicate-id: an id is used by two items. Ids are one namespace per site,
so `[[id]]` always means one thing. Both places are reported."""

from reglament.diagnostics import Diagnostic, Position, Severity

ID = "duplicate-id"
SEVERITY: Severity = "error"


def check_whole(whole):
    seen: dict[str, list[tuple[str, Position]]] = {}
    for ident, kind, position in whole.items:
        seen.setdefault(ident, []).append((kind, position))
    for ident, items in seen.items():
        if len(items) < 2:
            continue
        for n, (kind, position) in enumerate(items):
            others = ", ".join(f"{o.file}:{o.line}" for i, (_k, o) in enumerate(items) if i != n)
            yield Diagnostic.at(
                position,
                SEVERITY,
                ID,
                f"id `{ident}` ({kind}) is also used at {others}",
                "ids must be unique across the whole site; rename one of them",
            )
