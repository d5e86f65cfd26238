"""employee-role: an employee listed in a company profile (or in
`content/defaults.yml`) holds a role id that `roles.yml` does not define, so
the print edition could never put their name on any acknowledgement sheet.
Reported at the employee's `role`, with the nearest role id as a hint."""

import difflib

from reglament.diagnostics import Diagnostic, Severity

ID = "employee-role"
SEVERITY: Severity = "error"


def check(ctx):
    variant = ctx.variant
    if variant is None or ctx.part:  # a regulation's partition (the partition holding the roles checks this)
        return
    owner = variant.values_source
    if owner is None:
        return
    roles = [ident for ident, item in variant.base.index.items() if item.kind == "role"]
    for person in owner.employees:
        if person.role in roles:
            continue
        close = difflib.get_close_matches(person.role, roles, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else f"use a role id from roles.yml: {', '.join(roles)}"
        yield Diagnostic.at(
            person.at("role"),
            SEVERITY,
            ID,
            f"employee «{person.name}» holds role `{person.role}`, which is not defined",
            hint,
        )
