"""excluded-reference: in a company's variant, a reference (`[[id]]`, or an id
field such as `enforces` or `role`) points at an item the company leaves out
with `exclude`/`include`. An error for that company only: exclude the
referencing item too, or override its text."""

from reglament.diagnostics import Diagnostic, Severity

ID = "excluded-reference"
SEVERITY: Severity = "error"


def removed_targets(ctx, reasons):
    """(position, id, removal, how it is referenced) for every reference to a left-out id."""
    removed = ctx.world.removed
    index = ctx.world.kinds
    for text, ref in ctx.refs:
        gone = removed.get(ref.target)
        if gone is not None and gone.reason in reasons and ref.target not in index:
            yield text.locate(ref.start), ref.target, gone, f"reference `{ref.raw}`"
    for _node, name, _kind, value, pos in ctx.id_fields:
        gone = removed.get(value)
        if gone is not None and gone.reason in reasons and value not in index:
            yield pos, value, gone, f"`{name}: {value}`"


def check(ctx):
    variant = ctx.variant
    if variant is None:
        return
    for pos, target, gone, what in removed_targets(ctx, ("excluded", "not-included")):
        via = "" if gone.by == target else f" (with `{gone.by}`)"
        verb = "excludes" if gone.reason == "excluded" else "does not include"
        yield Diagnostic.at(
            pos,
            SEVERITY,
            ID,
            f"{what} points at `{target}`, which {variant.label} {verb}{via}",
            "exclude the referencing item too, or override its text in the profile",
        )
