"""responsibility-without-duty: a responsibility clause must enforce at least
one duty (`enforces: [duty ids]`); otherwise it is a sanction for nothing.
Unknown ids in `enforces` are reported by unknown-reference."""

from reglament.diagnostics import Diagnostic, Severity

ID = "responsibility-without-duty"
SEVERITY: Severity = "error"


def check(ctx):
    for item in ctx.items("responsibility"):
        clause = item.node
        if not clause.enforces:
            yield Diagnostic.at(
                item.position,
                SEVERITY,
                ID,
                f"responsibility clause `{clause.id}` enforces no duty",
                "add `enforces: [<duty id>, …]`",
            )
