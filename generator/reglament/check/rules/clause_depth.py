"""clause-depth: a clause nested so deep that its number has more than nine levels
(«3.1.1.1.1.1.1.1.1.1»). Every output shows clauses at any depth, but a Word
multi-level list — the .docx export and the documents a legal department files —
numbers at most nine levels, so a deeper clause would lose its number there.
Reported once per branch, at the first clause past the limit."""

from reglament.diagnostics import Diagnostic, Severity

ID = "clause-depth"
SEVERITY: Severity = "error"

#: the most levels a clause number may have (the section's included): Word's nine list levels
MAX_LEVELS = 9


def check(ctx):
    for item in ctx.items("clause"):
        if item.number is None or item.number.count(".") + 1 != MAX_LEVELS + 1:
            continue  # within the limit, or below a clause already reported
        yield Diagnostic.at(
            item.position,
            SEVERITY,
            ID,
            f"clause `{item.id}` is numbered {item.number}: {MAX_LEVELS + 1} levels, more than the {MAX_LEVELS} "
            "a numbered regulation (and a Word multi-level list) can show",
            "move this clause and its sub-clauses up a level, or split the section into two",
        )
