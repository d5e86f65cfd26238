"""kpi-weights: the weights of a motivation part's KPIs must sum to 100 %."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model import nodes as m

ID = "kpi-weights"
SEVERITY: Severity = "error"


def check(ctx):
    for item in ctx.items("part"):
        part = item.node
        if not isinstance(part, m.MotivationPart) or not part.kpis:
            continue
        if part.origin.file in ctx.content.incomplete:
            continue  # a KPI failed to load (and has its own diagnostic): the sum would mislead
        total = sum(k.weight for k in part.kpis)
        if abs(total - 100) > 1e-6:
            detail = " + ".join(f"{k.weight:g}" for k in part.kpis)
            yield Diagnostic.at(
                part.at("kpis"),
                SEVERITY,
                ID,
                f"KPI weights sum to {total:g} %, not 100 % ({detail})",
                f"adjust the weights by {100 - total:+g} % in total",
            )
