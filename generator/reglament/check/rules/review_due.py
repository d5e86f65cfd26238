"""review-due: a regulation with a review cycle (`review_by:` a date, or `review_every: 12 months` counted from
the approval of the latest edition in `content/editions.yml`) is reviewed in time: a warning when the review is
overdue or due within 30 days, and when `review_every` has no approved edition to count from.

The clock is the checker's (``ctx.today``), never read here: the same content checks the same on any day
it is given.
"""

import datetime as dt

from reglament import ru
from reglament.diagnostics import Diagnostic, Severity

ID = "review-due"
SEVERITY: Severity = "warning"
SOON = dt.timedelta(days=30)


def check(ctx):
    approved = ctx.world.approved  # the latest approval among the editions
    for reg in ctx.content.regulations:
        field = "review_by" if reg.review_by is not None else "review_every"
        if reg.review_by is None and reg.review_every is not None and approved is None:
            yield Diagnostic.at(
                reg.at(field),
                SEVERITY,
                ID,
                f"regulation `{reg.id}`: `review_every: {reg.review_every}` counts from the approval of an "
                "edition, and content/editions.yml lists none",
                "list the approved edition in content/editions.yml (`approved: YYYY-MM-DD`) or set `review_by:`",
            )
            continue
        deadline = reg.review_deadline(approved)
        if deadline is None:
            continue
        basis = "" if field == "review_by" else f" ({reg.review_every} after the approval of {ru.date_short(approved)})"
        if deadline < ctx.today:
            days = (ctx.today - deadline).days
            yield Diagnostic.at(
                reg.at(field),
                SEVERITY,
                ID,
                f"regulation `{reg.id}`: the review was due by {ru.date_short(deadline)}{basis}, "
                f"{days} {'day' if days == 1 else 'days'} ago",
                "review the regulation and approve a new edition, or move `review_by:` with a reason",
            )
        elif deadline - ctx.today <= SOON:
            days = (deadline - ctx.today).days
            yield Diagnostic.at(
                reg.at(field),
                SEVERITY,
                ID,
                f"regulation `{reg.id}`: the review is due by {ru.date_short(deadline)}{basis}, "
                f"in {days} {'day' if days == 1 else 'days'}",
                "plan the review: the regulation's owner checks it and a new edition is approved",
            )
