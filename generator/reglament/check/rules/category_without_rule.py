"""category-without-rule: every data category must be covered by at least one
rule (`applies_to`); a classified category nobody says how to handle protects
nothing."""

from reglament.diagnostics import Diagnostic, Severity

ID = "category-without-rule"
SEVERITY: Severity = "error"


def check_whole(whole):
    first, items = whole.first, whole.items
    # the rules the index holds (a duplicate id's later items are not items of the model)
    covered = {cat for i, cats in whole.rules if first[items[i][0]] == i for cat in cats}
    for i, lost in whole.categories:  # (lost: a rule that failed to load may cover the category)
        ident = items[i][0]
        if first[ident] == i and ident not in covered and not lost:
            yield Diagnostic.at(
                whole.position(i),
                SEVERITY,
                ID,
                f"data category `{ident}` has no rule",
                f"add a rule with `applies_to: [{ident}]`",
            )
