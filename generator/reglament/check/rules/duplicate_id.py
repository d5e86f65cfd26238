"""duplicate-id: an id is used by two items. Ids are one namespace per site,
so `[[id]]` always means one thing. Both places are reported."""

from collections import Counter

from reglament.diagnostics import Diagnostic, Position, Severity

ID = "duplicate-id"
SEVERITY: Severity = "error"


def check_whole(whole):
    if len(whole.first) == len(whole.items):
        return  # every id once
    counts = Counter(ident for ident, _kind in whole.items)
    seen: dict[str, list[tuple[str, Position]]] = {}
    for i, (ident, kind) in enumerate(whole.items):
        if counts[ident] > 1:
            seen.setdefault(ident, []).append((kind, whole.position(i)))
    for ident, items in seen.items():
        for n, (kind, position) in enumerate(items):
            others = ", ".join(f"{o.file}:{o.line}" for i, (_k, o) in enumerate(items) if i != n)
            yield Diagnostic.at(
                position,
                SEVERITY,
                ID,
                f"id `{ident}` ({kind}) is also used at {others}",
                "ids must be unique across the whole site; rename one of them",
            )
