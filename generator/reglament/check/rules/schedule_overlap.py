"""schedule-overlap: blocks of the daily routine must not overlap, must end
after they start, and must lie within the working hours."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model import nodes as m

ID = "schedule-overlap"
SEVERITY: Severity = "error"


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def check(ctx):
    for item in ctx.items("part"):
        part = item.node
        if not isinstance(part, m.SchedulePart):
            continue
        day_start, day_end = minutes(part.hours.start), minutes(part.hours.end)
        if day_end <= day_start:
            yield Diagnostic.at(
                part.hours.at("end"),
                SEVERITY,
                ID,
                f"working hours end ({part.hours.end}) before they start ({part.hours.start})",
                'the working day\'s `end` must be later than its `start` (a 24-hour clock, e.g. `"18:00"`)',
            )
        for block in part.routine:
            start, end = minutes(block.start), minutes(block.end)
            if end <= start:
                yield Diagnostic.at(
                    block.at("end"),
                    SEVERITY,
                    ID,
                    f"block `{block.id}` ends ({block.end}) at or before its start ({block.start})",
                    "a block's `end` must be later than its `start` (a block cannot run past midnight)",
                )
            elif start < day_start or end > day_end:
                yield Diagnostic.at(
                    block.at("start"),
                    SEVERITY,
                    ID,
                    f"block `{block.id}` ({block.start}–{block.end}) is outside working hours "
                    f"{part.hours.start}–{part.hours.end}",
                    "move the block or change `hours`",
                )
        ordered = sorted(part.routine, key=lambda b: minutes(b.start))
        for prev, block in zip(ordered, ordered[1:]):
            if minutes(block.start) < minutes(prev.end):
                yield Diagnostic.at(
                    block.at("start"),
                    SEVERITY,
                    ID,
                    f"block `{block.id}` ({block.start}–{block.end}) overlaps `{prev.id}` ({prev.start}–{prev.end})",
                    f"start `{block.id}` at {prev.end} or later",
                )
