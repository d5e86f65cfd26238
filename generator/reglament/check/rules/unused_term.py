"""unused-term: a glossary term that no text references with `[[id]]` (its own
definition does not count). Either reference it where it is meant, or drop it."""

from reglament.diagnostics import Diagnostic, Severity

ID = "unused-term"
SEVERITY: Severity = "warning"


def check_whole(whole):
    used = whole.used_terms | whole.broken_refs  # (also referenced from an item that failed to load)
    names = whole.world.term_names
    for ident, position in whole.items_of("term"):
        if ident not in used:
            yield Diagnostic.at(
                position,
                SEVERITY,
                ID,
                f"term `{ident}` («{names[ident]}») is never referenced",
                f"reference it as `[[{ident}]]` where it is used, or remove it from the glossary",
            )
