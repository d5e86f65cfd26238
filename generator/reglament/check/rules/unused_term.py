"""unused-term: a glossary term that no text references with `[[id]]` (its own
definition does not count). Either reference it where it is meant, or drop it."""

from reglament.diagnostics import Diagnostic, Severity

ID = "unused-term"
SEVERITY: Severity = "warning"


def check(ctx):
    used = {ref.target for text, ref in ctx.refs if text.owner_id != ref.target}
    used |= ctx.content.broken_refs  # referenced from an item that failed to load
    for item in ctx.content.items("term"):
        if item.id not in used:
            yield Diagnostic.at(
                item.position,
                SEVERITY,
                ID,
                f"term `{item.id}` («{item.node.term}») is never referenced",
                f"reference it as `[[{item.id}]]` where it is used, or remove it from the glossary",
            )
