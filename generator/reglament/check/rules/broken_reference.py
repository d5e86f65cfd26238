"""broken-reference: a reference whose brackets are not right — `[[id|text`
(never closed), `[[id|text]` (one closing bracket), `[[id|]]` (an empty
display form), `[[]]` (no id). The raw brackets would reach the page; the
diagnostic points at the opening `[[`."""

import re

from reglament.diagnostics import Diagnostic, Severity
from reglament.model.references import mask_code

ID = "broken-reference"
SEVERITY: Severity = "error"

_OPEN = re.compile(r"\[\[")
# what an unclosed reference most likely holds: `[[id` or `[[id|display form` up to the end of the line
_UNCLOSED = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?(\]?)")


def unclosed(masked: str, covered: list[tuple[int, int]]):
    """(offset, match) of each `[[` in ``masked`` that opens no well-formed reference (``covered``: theirs)."""
    for match in _OPEN.finditer(masked):
        start = match.start()
        if any(a <= start < b for a, b in covered) or (start > 0 and masked[start - 1] == "["):
            continue
        yield start, _UNCLOSED.match(masked, start)


def check(ctx):
    for text, refs in zip(ctx.texts, ctx.refs_in):
        if "[[" not in text.text:
            continue
        for ref in refs:
            if not ref.target:
                yield Diagnostic.at(
                    text.locate(ref.start),
                    SEVERITY,
                    ID,
                    f"reference `{ref.raw}` names no id",
                    "write the id after `[[`, e.g. `[[lead]]` or `[[lead|лидов]]`",
                )
            elif ref.display is not None and not ref.display.strip():
                yield Diagnostic.at(
                    text.locate(ref.start),
                    SEVERITY,
                    ID,
                    f"reference `{ref.raw}` has an empty display form after `|`",
                    f"write the word after `|` (`[[{ref.target}|…]]`), or drop the `|`: `[[{ref.target}]]`",
                )
        masked = mask_code(text.text)
        if "[[[" not in masked and masked.count("[[") == len(refs):
            continue  # each `[[` opens one of the references found (they were found in this same masked text)
        covered = [(ref.start, ref.end) for ref in refs]
        for start, found in unclosed(masked, covered):
            target = (found.group(1) if found else "").strip()
            display = (found.group(2) or "").strip() if found else ""
            if found and found.group(3):  # `[[id|text]`
                written = f"[[{target}{'|' + display if found.group(2) is not None else ''}]"
                yield Diagnostic.at(
                    text.locate(start),
                    SEVERITY,
                    ID,
                    f"reference `{written}` is closed with one bracket",
                    f"close it with two brackets: `{written}]`",
                )
                continue
            # `[[id|text …`: the display form is most likely the first word
            word = display.split()[0] if display else ""
            opened = f"[[{target}|" if found and found.group(2) is not None else f"[[{target}"
            yield Diagnostic.at(
                text.locate(start),
                SEVERITY,
                ID,
                f"reference `{opened}…` is not closed",
                f"add `]]` where the reference ends, e.g. `{opened}{word}]]`",
            )
