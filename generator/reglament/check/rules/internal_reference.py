"""internal-reference: a public site (`--public`, or a profile with
`visibility: public`) would show public text that points at an internal item
(`visibility: internal`) or shows an internal parameter. Internal items are
left out of public sites entirely, so the reference would leak their existence
or dangle: make the referencing item internal too, or the target public."""

from reglament.check.rules.excluded_reference import removed_targets
from reglament.diagnostics import Diagnostic, Severity

ID = "internal-reference"
SEVERITY: Severity = "error"


def check(ctx):
    variant = ctx.variant
    if variant is None or not variant.public:
        return
    for pos, target, gone, what in removed_targets(ctx, ("internal",)):
        via = "" if gone.by == target else f" (inside internal `{gone.by}`)"
        yield Diagnostic.at(
            pos,
            SEVERITY,
            ID,
            f"public {what} points at internal `{target}`{via}",
            "make the referencing item `visibility: internal` too, or the target public",
        )
    for use in variant.uses:
        info = variant.params.get(use.name) if use.root == "params" else None
        if info is not None and info.visibility == "internal":
            yield Diagnostic.at(
                use.position,
                SEVERITY,
                ID,
                f"public text shows internal parameter `params.{use.name}`",
                "make the text's item `visibility: internal`, or the parameter public",
            )
