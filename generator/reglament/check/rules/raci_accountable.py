"""raci-accountable: a duty shared by several roles (`raci`) must name exactly
one accountable role (A), and the performing role must be among the
responsible (R) ones when both are given."""

from reglament.diagnostics import Diagnostic, Severity

ID = "raci-accountable"
SEVERITY: Severity = "error"


def check(ctx):
    for item in ctx.items("duty"):
        duty = item.node
        raci = duty.raci
        if raci is None:
            continue
        if not raci.accountable:
            yield Diagnostic.at(
                duty.at("raci"),
                SEVERITY,
                ID,
                f"shared duty `{duty.id}` has no accountable role",
                "add `accountable: <role id>`: exactly one role answers for the result",
            )
        if duty.role and raci.responsible and duty.role not in raci.responsible:
            yield Diagnostic.at(
                duty.at("role"),
                SEVERITY,
                ID,
                f"duty `{duty.id}` is performed by `{duty.role}`, which is not among its responsible roles",
                f"add `{duty.role}` to `raci.responsible`",
            )
