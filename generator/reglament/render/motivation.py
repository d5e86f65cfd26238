"""Bonus arithmetic of a motivation part, done once in Python for the worked
example and handed to the in-page calculator as data (the calculator repeats
the same few lines in JavaScript; a browser test checks they agree).

The model's rule: plan fulfilment in ``[from, to)`` percent falls into a tier,
the tier gives ``bonus_percent`` of the bonus base. Reductions are percentages
of the computed bonus; together they never take more than the whole bonus.
Money is rounded to whole currency units, halves up.
"""

from __future__ import annotations

from dataclasses import dataclass

from reglament.model import nodes as m
from reglament.ru import money


def tier_for(part: m.MotivationPart, percent: float) -> m.BonusTier | None:
    """The tier plan fulfilment ``percent`` falls into, or None (below the first tier, or a gap)."""
    for tier in part.tiers:
        if percent >= tier.from_percent and (tier.to_percent is None or percent < tier.to_percent):
            return tier
    return None


@dataclass(frozen=True)
class Bonus:
    """The bonus for one plan fulfilment, step by step."""

    percent: float
    tier: m.BonusTier | None
    bonus_percent: float
    gross: int  # before reductions
    reduction_percent: float
    bonus: int
    fixed: int
    currency: str

    @property
    def total(self) -> int:
        return self.fixed + self.bonus


def compute(part: m.MotivationPart, percent: float, *, reductions: tuple[str, ...] = ()) -> Bonus:
    """The bonus at plan fulfilment ``percent``, less the named reductions (ids)."""
    tier = tier_for(part, percent)
    bonus_percent = tier.bonus_percent if tier else 0.0
    gross = money(part.bonus_base * bonus_percent / 100)
    by_id = {r.id: r for r in part.reductions}
    cut = min(100.0, sum(by_id[r].percent for r in reductions if r in by_id))
    bonus = money(gross * (100 - cut) / 100)
    fixed = money(part.fixed.amount) if part.fixed else 0
    return Bonus(percent, tier, bonus_percent, gross, cut, bonus, fixed, part.currency)


def example_percent(part: m.MotivationPart) -> float:
    """Plan fulfilment for the worked example: the part's ``example_percent``, else a value
    near the top of the first paying tier below the open one (e.g. 87 % of a 70–90 % tier)."""
    chosen = getattr(part, "example_percent", None)
    if chosen is not None:
        return chosen
    closed = [t for t in part.tiers if t.to_percent is not None]
    paying = [t for t in closed if t.bonus_percent > 0] or closed or part.tiers
    tier = paying[0]
    if tier.to_percent is None:
        return tier.from_percent + 10
    return float(round(tier.from_percent + 0.85 * (tier.to_percent - tier.from_percent)))


def calculator_data(part: m.MotivationPart) -> dict:
    """What the in-page calculator needs, as plain JSON-able data."""
    return {
        "base": part.bonus_base,
        "fixed": part.fixed.amount if part.fixed else 0,
        "currency": part.currency,
        "example": example_percent(part),
        "tiers": [
            {"id": t.id, "from": t.from_percent, "to": t.to_percent, "bonus": t.bonus_percent} for t in part.tiers
        ],
        "reductions": [{"id": r.id, "percent": r.percent} for r in part.reductions],
    }
