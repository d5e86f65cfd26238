"""duty-without-role: a duty that no role performs: neither `role` nor a
`raci.responsible` role is given."""

from reglament.diagnostics import Diagnostic, Severity

ID = "duty-without-role"
SEVERITY: Severity = "error"


def check(ctx):
    for item in ctx.items("duty"):
        duty = item.node
        if not duty.role and not (duty.raci and duty.raci.responsible):
            yield Diagnostic.at(
                item.position,
                SEVERITY,
                ID,
                f"duty `{duty.id}` has no performing role",
                "add `role: <role id>` (or `raci: {responsible: [...]}`)",
            )
