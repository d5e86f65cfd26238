"""bonus-tiers: plan-fulfilment tiers must cover 0 % upwards with no gaps and
no overlaps: sorted by `from_percent`, each tier starts where the previous one
ends, only the last is open-ended, and every tier ends above its start."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model import nodes as m

ID = "bonus-tiers"
SEVERITY: Severity = "error"


def check(ctx):
    for item in ctx.items("part"):
        part = item.node
        if not isinstance(part, m.MotivationPart) or part.origin.file in ctx.content.incomplete:
            continue  # (a tier that failed to load has its own diagnostic: gaps would mislead)
        tiers = sorted(part.tiers, key=lambda t: t.from_percent)
        if tiers and tiers[0].from_percent != 0:
            first = tiers[0]
            yield Diagnostic.at(
                first.at("from_percent"),
                SEVERITY,
                ID,
                f"tiers start at {first.from_percent:g} %: fulfilment below it has no tier",
                "add a tier from 0 % (with `bonus_percent: 0` if nothing is paid)",
            )
        for prev, tier in zip(tiers, tiers[1:]):
            if prev.to_percent is None:
                yield Diagnostic.at(
                    prev.at("id"),
                    SEVERITY,
                    ID,
                    f"tier `{prev.id}` is open-ended but tier `{tier.id}` follows it",
                    f"set `to_percent: {tier.from_percent:g}` on `{prev.id}`",
                )
            elif tier.from_percent > prev.to_percent:
                yield Diagnostic.at(
                    tier.at("from_percent"),
                    SEVERITY,
                    ID,
                    f"gap between tiers: {prev.to_percent:g} % … {tier.from_percent:g} % has no tier",
                    f"start `{tier.id}` at {prev.to_percent:g}",
                )
            elif tier.from_percent < prev.to_percent:
                yield Diagnostic.at(
                    tier.at("from_percent"),
                    SEVERITY,
                    ID,
                    f"tiers `{prev.id}` and `{tier.id}` overlap: {tier.from_percent:g} % … {prev.to_percent:g} %",
                    f"start `{tier.id}` at {prev.to_percent:g}",
                )
        for tier in tiers:
            if tier.to_percent is not None and tier.to_percent <= tier.from_percent:
                yield Diagnostic.at(
                    tier.at("to_percent"),
                    SEVERITY,
                    ID,
                    f"tier `{tier.id}` ends ({tier.to_percent:g} %) at or below its start ({tier.from_percent:g} %)",
                    "`to_percent` must be greater than `from_percent`",
                )
        if tiers and tiers[-1].to_percent is not None:
            last = tiers[-1]
            yield Diagnostic.at(
                last.at("to_percent"),
                SEVERITY,
                ID,
                f"the top tier `{last.id}` ends at {last.to_percent:g} %: fulfilment above it has no tier",
                "remove `to_percent` from the top tier",
            )
