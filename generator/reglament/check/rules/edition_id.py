"""edition-id: an edition id in `content/editions.yml` must be quoted text, a
short Latin/digit name (`"2025.1"`, `"1.2"`, `"2025-spring"`) and unique.

Unquoted, YAML reads `2025.1` as a number and `2025.10` as the same number,
so two editions could silently collide. The id names the published folder,
the git tag `edition/<id>` and the mike version, so `/`, spaces and the alias
names (`latest`…) are not allowed."""

from reglament.diagnostics import Diagnostic, Position, Severity
from reglament.model.editions import RESERVED_IDS, id_problem

ID = "edition-id"
SEVERITY: Severity = "error"


def check(ctx):
    seen: dict[str, Position] = {}
    for edition in ctx.content.editions:
        problem = id_problem(edition.id)
        if problem:
            if not isinstance(edition.id, str):
                hint = f'quote the id: `id: "{edition.id}"` (unquoted `2025.10` would read as `2025.1`)'
            elif edition.id in RESERVED_IDS:
                hint = "use a number-like id such as `2025.1`"
            else:
                hint = "use letters, digits, `.`, `-` or `_` (up to 40), starting with a letter or digit, e.g. `2025.1`"
            yield Diagnostic.at(edition.at("id"), SEVERITY, ID, problem, hint)
            continue
        first = seen.get(edition.id)
        if first is not None:
            yield Diagnostic.at(
                edition.at("id"),
                SEVERITY,
                ID,
                f"edition `{edition.id}` is listed twice (first at line {first.line})",
                "each edition has one entry; give the new edition a new id",
            )
            continue
        seen[edition.id] = edition.at("id")
