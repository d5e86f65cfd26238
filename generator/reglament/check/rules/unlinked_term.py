"""unlinked-term: a defined term is mentioned in some word form («лидов»,
«лидом») but that text never links it. The first unlinked mention in each text
(a YAML text field or a Markdown paragraph) is reported; later ones in the
same text are fine. A term's own definition needs no link to itself.
For terms that look like common words, set `match: exact` in the glossary."""

from reglament.diagnostics import Diagnostic, Severity

ID = "unlinked-term"
SEVERITY: Severity = "warning"


def check(ctx):
    names = ctx.world.term_names
    for text, mentions, linked in ctx.mentions:
        reported: set[str] = set()
        for mention in mentions:
            term_id = mention.term_id
            if term_id in linked or term_id in reported or term_id == text.owner_id:
                continue
            reported.add(term_id)
            word = text.text[mention.start : mention.end]
            yield Diagnostic.at(
                text.locate(mention.start),
                SEVERITY,
                ID,
                f"«{word}» is the term `{term_id}` («{names[term_id]}») but is not linked",
                f"write [[{term_id}|{word}]]",
            )
