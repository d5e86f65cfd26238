"""kpi-measures-nothing: a KPI's `measures` must reference at least one
defined item (a term such as `[[sales-plan]]`, a duty…): a KPI that measures
nothing defined cannot be computed the same way by two people."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model.references import find_refs

ID = "kpi-measures-nothing"
SEVERITY: Severity = "error"


def check(ctx):
    index = ctx.world.kinds
    for item in ctx.items("kpi"):
        kpi = item.node
        if not any(ref.target in index for ref in find_refs(kpi.measures)):
            yield Diagnostic.at(
                kpi.at("measures"),
                SEVERITY,
                ID,
                f"KPI `{kpi.id}` measures nothing defined",
                "reference what is measured, e.g. «доля [[lead|лидов]], переведённых в [[deal|сделки]]»",
            )
