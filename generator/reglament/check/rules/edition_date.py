"""edition-date: an edition's `effective` and `approved` dates are real
calendar dates written `YYYY-MM-DD`, and an edition does not take effect
before it was approved."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model.editions import date_hint, format_date_ru

ID = "edition-date"
SEVERITY: Severity = "error"


def check(ctx):
    for edition in ctx.content.editions:
        bad = False
        for name in ("effective", "approved"):
            value = getattr(edition, name)
            if getattr(edition, f"{name}_date") is None:
                bad = True
                yield Diagnostic.at(
                    edition.at(name),
                    SEVERITY,
                    ID,
                    f"edition `{edition.key}`: `{name}` {str(value)!r} is not a date",
                    date_hint(value),
                )
        if bad:
            continue
        if edition.effective_date < edition.approved_date:
            yield Diagnostic.at(
                edition.at("effective"),
                SEVERITY,
                ID,
                f"edition `{edition.key}` takes effect ({format_date_ru(edition.effective_date)}) "
                f"before it is approved ({format_date_ru(edition.approved_date)})",
                "an edition takes effect on or after its approval date: fix one of the two dates",
            )
