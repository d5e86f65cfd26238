"""missing-parameter: a text uses `{{ params.x }}` (or `{{ company.x }}`) and the
company's profile gives it no value — neither does `content/defaults.yml`.
Reported at the expression in the text that needs it, naming the company; the
text is left unrendered. Guard optional values with `{% if params.x is defined %}`
or `{{ params.x | default('…') }}`."""

from reglament.diagnostics import Diagnostic, Severity

ID = "missing-parameter"
SEVERITY: Severity = "error"


def check(ctx):
    variant = ctx.variant
    if variant is None:
        return
    where = variant.params_file
    for use in variant.uses:
        if not use.missing or use.guarded:
            continue
        if use.root == "params":
            message = f"{variant.label} has no value for `params.{use.name}`"
            hint = f"add `{use.name}: …` under `params:` in {where}"
        elif variant.profile is None and use.name in ("id", "site_title"):
            message = f"`company.{use.name}` exists only for a company, not for {variant.label}"
            hint = f"guard it: `{{% if company.{use.name} is defined %}}…{{% endif %}}`"
        else:
            message = f"{variant.label} has no `{use.name}`"
            hint = f"add `{use.name}: …` to {where}"
        yield Diagnostic.at(use.position, SEVERITY, ID, message, hint)
