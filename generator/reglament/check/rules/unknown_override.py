"""unknown-override: a profile's `overrides`, `roles` or `departments` names an
item (or a department) the base regulation does not have — the override would
silently do nothing. The hint offers the nearest id."""

import difflib

from reglament.diagnostics import Diagnostic, Severity

ID = "unknown-override"
SEVERITY: Severity = "error"
LISTS = ("overrides", "roles", "departments")


def check(ctx):
    variant = ctx.variant
    if variant is None:
        return
    for sel, message in variant.unknown:
        if sel.list_name not in LISTS:
            continue
        if sel.list_name == "departments":
            pool = sorted({r.department for r in variant.base.roles})
        elif sel.list_name == "roles":
            pool = [r.id for r in variant.base.roles]
        else:
            pool = list(variant.base.index)
        close = difflib.get_close_matches(sel.ident, pool, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else "check the id in the base regulation"
        yield Diagnostic.at(sel.position, SEVERITY, ID, message, hint)
