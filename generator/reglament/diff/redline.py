"""Word-level redlines: paragraphs first, then words inside changed paragraphs.

A word-level ``difflib`` over a whole document does not finish in minutes
(DESIGN.md, "Performance"), so long texts are first split into paragraphs and
matched as whole strings; only paragraphs that changed are diffed word by
word. Tokens keep Russian words whole (``\\w`` is Unicode), a number written
with thousands separators (``3 000 000``) is one token, and a reference
``[[id|display]]`` is one token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher

from reglament.diff.model import ParagraphChange, Segment
from reglament.model.references import REF_RE

TOKEN_RE = re.compile(
    r"""
      \[\[[^\[\]\n]*\]\]                                   # a reference [[id|display]]
    | \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?!\d)   # 3 000 000, 1 234,5
    | \d+(?:[.,]\d+)?                                      # 15, 7.5, 1,5
    | [^\W\d_]+(?:[-'’][^\W\d_]+)*                          # a word, кто-либо, CRM-системы
    | \s+                                                  # whitespace
    | .                                                    # anything else, one character
    """,
    re.X | re.S,
)
NUMBER_RE = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$|^\d+(?:[.,]\d+)?$")

#: above this many paragraph comparisons a replaced block is paired by position, not by similarity
PAIRING_BUDGET = 400
#: paragraphs at least this similar (0..1) are reported as one changed paragraph, not removed + added
PAIR_RATIO = 0.4


def tokens(text: str) -> list[str]:
    """``text`` split into words, numbers, references, whitespace runs and single punctuation marks."""
    return TOKEN_RE.findall(text)


def plain(text: str) -> str:
    """References shown as readers see them: ``[[lead|лидов]]`` → «лидов», ``[[lead]]`` → «lead»."""
    return REF_RE.sub(lambda mt: mt.group(2) if mt.group(2) is not None else mt.group(1).strip(), text)


def shorten(text: str, limit: int = 90) -> str:
    """One line of at most ``limit`` characters, references shown as readers see them."""
    head = text[: limit * 4]  # only the head is cleaned: labels of long texts stay cheap
    cut = len(text) > len(head)
    line = " ".join((plain(head) if "[[" in head else head).split())
    return line if len(line) <= limit and not cut else line[: limit - 1].rstrip() + "…"


def is_number(token: str) -> bool:
    return bool(NUMBER_RE.match(token))


def parse_number(token: str) -> int | float:
    """``3 000 000`` → 3000000, ``1,5`` → 1.5."""
    clean = re.sub(r"[ \u00a0\u202f]", "", token).replace(",", ".")
    value = float(clean)
    return int(value) if value.is_integer() and "." not in clean else value


# --------------------------------------------------------------------------
# Words


def word_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """``difflib`` opcodes over tokens; the common head and tail are cut off first (most edits are small)."""
    n = min(len(old), len(new))
    head = 0
    while head < n and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < n - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    ops: list[tuple[str, int, int, int, int]] = []
    if head:
        ops.append(("equal", 0, head, 0, head))
    a, b = old[head : len(old) - tail], new[head : len(new) - tail]
    if a and b:
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            ops.append((tag, i1 + head, i2 + head, j1 + head, j2 + head))
    elif a:
        ops.append(("delete", head, head + len(a), head, head))
    elif b:
        ops.append(("insert", head, head, head, head + len(b)))
    if tail:
        ops.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return ops


def word_diff(old: str, new: str) -> tuple[tuple[Segment, ...], list[tuple[int | float, int | float, str]]]:
    """The redline of ``old`` → ``new`` and the numbers replaced in it, from one pass of ``difflib``."""
    if old == new:
        return ((Segment("=", old),) if old else ()), []
    a, b = tokens(old), tokens(new)
    raw: list[tuple[str, str]] = []
    numbers: list[tuple[int | float, int | float, str]] = []
    # compared with no-break spaces as plain spaces: «100 000» typed or rendered is the same number
    for tag, i1, i2, j1, j2 in word_opcodes([_same(t) for t in a], [_same(t) for t in b]):
        if tag == "equal":
            raw.append(("=", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            raw.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("+", "".join(b[j1:j2])))
        if tag == "replace":
            left = [t for t in a[i1:i2] if not t.isspace()]
            right = [t for t in b[j1:j2] if not t.isspace()]
            if len(left) == 1 and len(right) == 1 and is_number(left[0]) and is_number(right[0]):
                before, after = parse_number(left[0]), parse_number(right[0])
                if before != after:
                    numbers.append((before, after, _context(b, j1, j2)))
    return _coalesce(raw), numbers


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _same(token: str) -> str:
    return token.translate(_SPACES)


def changed(segments: tuple[Segment, ...]) -> bool:
    """True when a redline deletes or inserts anything."""
    return any(s.op != "=" for s in segments)


def redline(old: str, new: str) -> tuple[Segment, ...]:
    """The word-level redline turning ``old`` into ``new``: ``=`` kept, ``-`` deleted, ``+`` inserted.

    Whitespace between two changes is folded into them, so a rewritten phrase
    reads as one deletion followed by one insertion, not as a word salad.
    """
    return word_diff(old, new)[0]


def _coalesce(raw: list[tuple[str, str]]) -> tuple[Segment, ...]:
    # fold whitespace-only (or single-punctuation-free) equal runs lying between two changes into them
    folded: list[tuple[str, str]] = []
    for i, (op, text) in enumerate(raw):
        between = 0 < i < len(raw) - 1 and raw[i - 1][0] != "=" and raw[i + 1][0] != "="
        if op == "=" and between and not text.strip():
            folded.append(("-", text))
            folded.append(("+", text))
        else:
            folded.append((op, text))
    # merge runs: within each run of changes, all deletions first, then all insertions
    out: list[Segment] = []
    dels: list[str] = []
    ins: list[str] = []

    def flush() -> None:
        if dels:
            out.append(Segment("-", "".join(dels)))
        if ins:
            out.append(Segment("+", "".join(ins)))
        dels.clear()
        ins.clear()

    for op, text in folded:
        if op == "=":
            flush()
            if out and out[-1].op == "=":
                out[-1] = Segment("=", out[-1].text + text)
            else:
                out.append(Segment("=", text))
        elif op == "-":
            dels.append(text)
        else:
            ins.append(text)
    flush()
    return tuple(s for s in out if s.text)


def old_text(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments if s.op != "+")


def new_text(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments if s.op != "-")


def number_changes(old: str, new: str) -> list[tuple[int | float, int | float, str]]:
    """Numbers replaced one for one between ``old`` and ``new``: (old, new, the new text around it).

    «в течение 15 минут» → «в течение 10 минут» yields ``(15, 10, "в течение 10 минут")``.
    """
    return word_diff(old, new)[1]


def _context(toks: list[str], start: int, end: int, words: int = 3) -> str:
    lo, seen = start, 0
    while lo > 0 and seen < words:
        lo -= 1
        if not toks[lo].isspace():
            seen += 1
        if toks[lo] in ".;:!?\n":
            lo += 1
            break
    hi, seen = end, 0
    while hi < len(toks) and seen < words:
        if toks[hi] in ".;:!?":
            break
        if not toks[hi].isspace():
            seen += 1
        hi += 1
    return re.sub(r"\s+", " ", "".join(toks[lo:hi])).strip()


# --------------------------------------------------------------------------
# Paragraphs

_FENCE = re.compile(r"^\s*(```|~~~)")
_BLOCK_START = re.compile(r"^\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")


def paragraphs(text: str) -> list[str]:
    """Blocks of a Markdown text: paragraphs, list items, headings, table rows, code blocks (whole)."""
    blocks: list[str] = []
    current: list[str] = []
    fence: list[str] | None = None

    def flush() -> None:
        if current:
            blocks.append("\n".join(current).strip())
            current.clear()

    for line in text.split("\n"):
        if fence is not None:
            fence.append(line)
            if _FENCE.match(line):
                blocks.append("\n".join(fence))
                fence = None
            continue
        if _FENCE.match(line):
            flush()
            fence = [line]
            continue
        if not line.strip():
            flush()
            continue
        if _BLOCK_START.match(line):
            flush()
        current.append(line)
    flush()
    if fence is not None:
        blocks.append("\n".join(fence))
    return [b for b in blocks if b]


def diff_paragraphs(old: str, new: str) -> tuple[ParagraphChange, ...]:
    """Paragraph-level changes of a Markdown text, each changed paragraph with its word redline."""
    if old == new:
        return ()
    a, b = paragraphs(old), paragraphs(new)
    out: list[ParagraphChange] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            out.extend(ParagraphChange("removed", i + 1, None, (Segment("-", a[i]),)) for i in range(i1, i2))
        elif tag == "insert":
            out.extend(ParagraphChange("added", None, j + 1, (Segment("+", b[j]),)) for j in range(j1, j2))
        else:
            out.extend(_pair_block(a, b, i1, i2, j1, j2))
    return tuple(p for p in out if p.change != "changed" or changed(p.redline))


def _pair_block(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> Iterator[ParagraphChange]:
    """Pair the paragraphs of a replaced block in order: similar ones are «changed», the rest added/removed."""
    olds, news = list(range(i1, i2)), list(range(j1, j2))
    pairs: list[tuple[int, int]] = []
    if len(olds) == len(news) == 1 or len(olds) * len(news) > PAIRING_BUDGET:
        pairs = list(zip(olds, news))
    else:
        toks_b = {j: tokens(b[j]) for j in news}
        lo = 0
        for i in olds:
            ta = tokens(a[i])
            best, best_j = PAIR_RATIO, None
            for k in range(lo, len(news)):
                sm = SequenceMatcher(None, ta, toks_b[news[k]], autojunk=False)
                if sm.real_quick_ratio() < best or sm.quick_ratio() < best:
                    continue
                ratio = sm.ratio()
                if ratio >= best:
                    best, best_j = ratio, k
            if best_j is not None:
                pairs.append((i, news[best_j]))
                lo = best_j + 1
    paired_old = {i for i, _ in pairs}
    paired_new = {j for _, j in pairs}
    # emit in document order: walk the new side, interleaving removals before their partner position
    pi = 0
    oi = i1
    for j in news:
        while pi < len(pairs) and pairs[pi][1] == j:
            i = pairs[pi][0]
            while oi < i:
                if oi not in paired_old:
                    yield ParagraphChange("removed", oi + 1, None, (Segment("-", a[oi]),))
                oi += 1
            oi = i + 1
            yield ParagraphChange("changed", i + 1, j + 1, redline(a[i], b[j]))
            pi += 1
        if j not in paired_new:
            yield ParagraphChange("added", None, j + 1, (Segment("+", b[j]),))
    while oi < i2:
        if oi not in paired_old:
            yield ParagraphChange("removed", oi + 1, None, (Segment("-", a[oi]),))
        oi += 1
