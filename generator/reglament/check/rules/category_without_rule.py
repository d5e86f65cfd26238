"""category-without-rule: every data category must be covered by at least one
rule (`applies_to`); a classified category nobody says how to handle protects
nothing."""

from reglament.diagnostics import Diagnostic, Severity

ID = "category-without-rule"
SEVERITY: Severity = "error"


def check(ctx):
    covered = {cat for item in ctx.content.items("rule") for cat in item.node.applies_to}
    incomplete = ctx.content.incomplete  # a rule that failed to load may cover the category
    for item in ctx.content.items("category"):
        if item.id not in covered and item.node.origin.file not in incomplete:
            yield Diagnostic.at(
                item.position,
                SEVERITY,
                ID,
                f"data category `{item.id}` has no rule",
                f"add a rule with `applies_to: [{item.id}]`",
            )
