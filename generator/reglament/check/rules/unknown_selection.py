"""unknown-selection: a profile's `include` or `exclude` names an id the base
regulation does not have (so nothing is left out, or a whole regulation is), or
`include` lists something other than a regulation or a part."""

import difflib

from reglament.diagnostics import Diagnostic, Severity

ID = "unknown-selection"
SEVERITY: Severity = "error"
LISTS = ("include", "exclude")


def check(ctx):
    variant = ctx.variant
    if variant is None:
        return
    for sel, message in variant.unknown:
        if sel.list_name not in LISTS:
            continue
        if sel.ident in variant.base.index:
            hint = "to leave a clause or an item out, list it under `exclude:`"
        else:
            pool = [
                i
                for i, it in variant.base.index.items()
                if sel.list_name == "exclude" or it.kind in ("regulation", "part")
            ]
            close = difflib.get_close_matches(sel.ident, pool, n=1, cutoff=0.5)
            hint = f"did you mean `{close[0]}`?" if close else "check the id in the base regulation"
        yield Diagnostic.at(sel.position, SEVERITY, ID, message, hint)
