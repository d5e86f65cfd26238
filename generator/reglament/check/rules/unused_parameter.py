"""unused-parameter: a profile (or `content/defaults.yml`) defines a parameter
that no text of the base regulation and no override uses — usually a typo in
the parameter's name or a leftover. Reported at the parameter's key."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model.profile import param_infos

ID = "unused-parameter"
SEVERITY: Severity = "warning"


def check(ctx):
    variant = ctx.variant
    if variant is None:
        return
    owner = variant.values_source
    if owner is None:
        return

    for name, info in param_infos(owner).items():
        # a parameter used only in a text that failed to load is not unused: the text's error says why
        if name not in variant.used_params and name not in ctx.content.broken_params:
            yield Diagnostic(
                info.file,
                info.line,
                info.column,
                SEVERITY,
                ID,
                f"parameter `{name}` is defined and never used",
                f"use it in a text as `{{{{ params.{name} }}}}`, or delete it",
            )
