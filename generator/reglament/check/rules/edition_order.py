"""edition-order: editions are listed oldest first — ids ascending (numbers
compare as numbers: `2025.2` < `2025.10`) and effective dates not decreasing.
The order decides which edition replaces which («Что изменилось» compares an
edition with the one listed before it) and which one is in force."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model.editions import edition_key, format_date_ru, id_problem

ID = "edition-order"
SEVERITY: Severity = "error"


def check(ctx):
    editions = [e for e in ctx.content.editions if id_problem(e.id) is None]
    for before, edition in zip(editions, editions[1:]):
        if edition.id == before.id:
            continue  # reported by edition-id
        if edition_key(edition.id) < edition_key(before.id):
            yield Diagnostic.at(
                edition.at("id"),
                SEVERITY,
                ID,
                f"edition `{edition.id}` is listed after `{before.id}` but its id is lower",
                "list editions oldest first, with ascending ids",
            )
        elif edition.effective_date and before.effective_date and edition.effective_date < before.effective_date:
            yield Diagnostic.at(
                edition.at("effective"),
                SEVERITY,
                ID,
                f"edition `{edition.id}` takes effect ({format_date_ru(edition.effective_date)}) "
                f"before the edition it replaces, `{before.id}` ({format_date_ru(before.effective_date)})",
                "a later edition takes effect on or after the earlier one; fix the date or the order",
            )
