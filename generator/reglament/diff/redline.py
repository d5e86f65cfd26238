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
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal

from reglament.diff.model import BlockKind, ParagraphChange, Segment
from reglament.model.references import REF_RE
from reglament.ru import MONTHS_GENITIVE

TOKEN_RE = re.compile(
    r"""
      \[\[[^\[\]\n]*\]\]                                   # a reference [[id|display]]
    | \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?!\d)   # 3 000 000, 1 234,5
    | \d+(?:[.,]\d+)*                                      # 15, 7.5, 1,5, 3,500, 01.02.2025
    | [^\W\d_]+(?:[-'’][^\W\d_]+)*                          # a word, кто-либо, CRM-системы
    | \s+                                                  # whitespace
    | .                                                    # anything else, one character
    """,
    re.X | re.S,
)
#: a number as the content's language writes it: ``ru`` ``1 200 000``, ``3,5``; ``en`` ``1,200,000``, ``3.5``
NUMBER_RES = {
    "ru": re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?$|^\d+(?:,\d+)?$"),
    "en": re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$"),
}
LANGUAGES = tuple(NUMBER_RES)
#: words right before a number that make it an identifier, not a quantity (clause, house, phone numbers…)
_ID_BEFORE = frozenset(
    [
        "п",
        "пп",
        "пункт",
        "пункта",
        "пункте",
        "пунктом",
        "пунктов",
        "подпункт",
        "подпункта",
        "раздел",
        "раздела",
        "разделе",
        "разделом",
        "глава",
        "главы",
        "статья",
        "статьи",
        "статье",
        "ст",
        "ч",
        "часть",
        "части",
        "приложение",
        "приложения",
        "приложении",
        "№",
        "n",
        "no",
        "дом",
        "дома",
        "д",
        "корпус",
        "корп",
        "кв",
        "квартира",
        "офис",
        "стр",
        "строение",
        "тел",
        "телефон",
        "телефона",
        "факс",
        "индекс",
        "inn",
        "инн",
        "огрн",
        "кпп",
        "счёт",
        "счет",
        "р/с",
        "версия",
        "редакция",
        "редакции",
        "item",
        "section",
        "clause",
        "no",
        "phone",
        "tel",
        "room",
    ]
)
#: words right after a number that make it a date or a year
_DATE_AFTER = frozenset(
    [
        *MONTHS_GENITIVE,
        "год",
        "года",
        "году",
        "годом",
        "г",
        "гг",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
#: short words after a number that are not its unit
_NOT_UNIT = frozenset(
    [
        "и",
        "или",
        "в",
        "во",
        "на",
        "с",
        "со",
        "до",
        "по",
        "от",
        "а",
        "но",
        "к",
        "ко",
        "из",
        "за",
        "о",
        "об",
        "для",
        "при",
        "либо",
        "and",
        "or",
        "to",
        "from",
        "in",
        "on",
        "at",
    ]
)
_UNIT_SIGNS = frozenset("%₽$€£")

#: paragraphs at least this similar in words (0..1) are reported as one changed paragraph, not removed + added
PAIR_RATIO = 0.5
#: a removed and an added paragraph at least this similar in words are one paragraph moved (and maybe edited)
MOVE_RATIO = 0.6
#: a pair inside a replaced run yields to a partner elsewhere that is this much more alike (a move)
RIVAL_MARGIN = 0.1
#: a word in more paragraphs than this (of one replaced block) does not propose pairs (it still counts in the score)
COMMON_WORD = 40


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


_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_STRONG = re.compile(r"(\*\*|__|~~)")
_MD_EM = re.compile(r"(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])")
_MD_LINE_START = re.compile(r"(?m)^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+)")


def readable(text: str, *, line_start: bool = True) -> str:
    """Markdown as readers see it: references by their display form, no emphasis marks, link texts
    without their targets, no heading hashes, quote marks or bullets at line starts."""
    text = _MD_EM.sub("", _MD_STRONG.sub("", _MD_LINK.sub(r"\1", plain(text))))
    if line_start:
        return _MD_LINE_START.sub("", text)
    return re.sub(r"\n[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+)", "\n", text)


def is_number(token: str, lang: str = "ru") -> bool:
    """True when ``token`` is a number as ``lang`` writes it (``ru``: «3,5», «1 200 000»; ``en``: «3,500», «3.5»)."""
    return bool(NUMBER_RES.get(lang, NUMBER_RES["ru"]).match(token))


def parse_number(token: str, lang: str = "ru") -> int | float:
    """``3 000 000`` → 3000000, ``1,5`` → 1.5 (``ru``); ``3,500`` → 3500, ``3.5`` → 3.5 (``en``)."""
    clean = re.sub(r"[ \u00a0\u202f]", "", token)
    clean = clean.replace(",", "") if lang == "en" else clean.replace(",", ".")
    value = float(clean)
    return int(value) if value.is_integer() and "." not in clean else value


def is_quantity(toks: list[str], i: int, lang: str = "ru") -> bool:
    """True when the number ``toks[i]`` is a quantity (money, percent, duration, a count with its unit).

    Identifiers are not: a number after «п.», «дом», «тел.», «№»…; one glued to ``+ - ( ) / :`` or
    another number (phones, times, ranges of codes); one followed by a month or «года» (dates, years);
    one with no unit after it (postcodes, bare codes).
    """
    if not is_number(toks[i], lang):
        return False
    before = toks[i - 1] if i > 0 else ""
    after = toks[i + 1] if i + 1 < len(toks) else ""
    if before in ("+", "-", "(", ")", "/", ":", "#", "№") or after in ("-", "(", ")", "/", ":"):
        return False
    if after == "." and i + 2 < len(toks) and toks[i + 2][:1].isdigit():
        return False
    # the word before (skipping one space and one dot: «п. 3», «д.15»)
    j = i - 1
    while j >= 0 and (toks[j].isspace() or toks[j] == ".") and i - j <= 3:
        j -= 1
    if j >= 0 and toks[j].lower() in _ID_BEFORE:
        return False
    # the unit after
    k = i + 1
    if k < len(toks) and toks[k].isspace():
        k += 1
    if k >= len(toks):
        return False
    unit = toks[k]
    if unit in _UNIT_SIGNS:
        return True
    word = unit.lower()
    return unit[:1].isalpha() and word not in _NOT_UNIT and word not in _DATE_AFTER


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


def word_diff(
    old: str, new: str, *, lang: str = "ru"
) -> tuple[tuple[Segment, ...], list[tuple[int | float, int | float, str]]]:
    """The redline of ``old`` → ``new`` and the quantities replaced in it, from one pass of ``difflib``.

    Whitespace is compared as whitespace, whatever it is: a line break re-wrapped into a space, or a
    no-break space typed as a plain one, is no change (the new text's spacing is kept).
    """
    if old == new:
        return ((Segment("=", old),) if old else ()), []
    a, b = tokens(old), tokens(new)
    raw: list[tuple[str, str]] = []
    numbers: list[tuple[int | float, int | float, str]] = []
    for tag, i1, i2, j1, j2 in word_opcodes([_same(t) for t in a], [_same(t) for t in b]):
        if tag == "equal":
            raw.append(("=", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            raw.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("+", "".join(b[j1:j2])))
        if tag == "replace":
            left = [k for k in range(i1, i2) if not a[k].isspace()]
            right = [k for k in range(j1, j2) if not b[k].isspace()]
            if len(left) == 1 and len(right) == 1 and is_quantity(a, left[0], lang) and is_quantity(b, right[0], lang):
                before, after = parse_number(a[left[0]], lang), parse_number(b[right[0]], lang)
                if before != after:
                    numbers.append((before, after, _context(b, j1, j2)))
    return _coalesce(raw), numbers


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _same(token: str) -> str:
    # any run of whitespace is one space: a re-wrapped line is no change; «100 000» typed or rendered is one number
    return " " if token.isspace() else token.translate(_SPACES)


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


def number_changes(old: str, new: str, *, lang: str = "ru") -> list[tuple[int | float, int | float, str]]:
    """Quantities replaced one for one between ``old`` and ``new``: (old, new, the new text around it).

    «в течение 15 минут» → «в течение 10 минут» yields ``(15, 10, "в течение 10 минут")``; identifiers
    (phones, postcodes, dates, clause numbers) are not quantities (:func:`is_quantity`).
    """
    return word_diff(old, new, lang=lang)[1]


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
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s{0,3}([-*+]|\d+[.)])\s")
_BLOCK_START = re.compile(r"^\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def paragraphs(text: str) -> list[str]:
    """Blocks of a Markdown text: paragraphs, list items, headings, table rows, code blocks (whole).

    A heading and a table row are blocks of their own even with no blank line around them.
    """
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
        if _HEADING.match(line) or line.lstrip().startswith("|"):
            flush()
    flush()
    if fence is not None:
        blocks.append("\n".join(fence))
    return [b for b in blocks if b]


def block_kind(block: str) -> BlockKind:
    """``heading``, ``list``, ``table``, ``code``, ``quote`` or ``paragraph``."""
    if _HEADING.match(block):
        return "heading"
    if _FENCE.match(block):
        return "code"
    if _LIST.match(block):
        return "list"
    if block.lstrip().startswith("|"):
        return "table"
    if block.lstrip().startswith(">"):
        return "quote"
    return "paragraph"


def heading_text(block: str) -> str:
    """A heading's text as readers see it (no hashes, no emphasis marks)."""
    mt = _HEADING.match(block)
    return " ".join(readable(mt.group(2)).split()) if mt else ""


@dataclass(frozen=True, slots=True)
class Block:
    """A block of a text and where a reader finds it: under which headings, which paragraph under the last one."""

    index: int
    """0-based position among the text's blocks."""
    text: str
    kind: BlockKind
    path: tuple[str, ...]
    """The headings above it, outermost first (a heading's own path ends with itself)."""
    ordinal: int
    """1-based number among the non-heading blocks under its nearest heading (0 for a heading)."""
    key: str
    """The text with whitespace collapsed: two blocks with one key are the same block re-wrapped."""


def blocks(text: str) -> list[Block]:
    """The blocks of ``text`` with their heading paths and ordinals."""
    out: list[Block] = []
    stack: list[tuple[int, str]] = []
    ordinal = 0
    for i, block in enumerate(paragraphs(text)):
        kind = block_kind(block)
        heading = _HEADING.match(block)
        if heading is not None:
            level = len(heading.group(1))
            stack = [h for h in stack if h[0] < level] + [(level, heading_text(block))]
            ordinal = 0
            out.append(Block(i, block, kind, tuple(h for _, h in stack), 0, _key(block)))
        else:
            ordinal += 1
            out.append(Block(i, block, kind, tuple(h for _, h in stack), ordinal, _key(block)))
    return out


def _key(text: str) -> str:
    return " ".join(text.translate(_SPACES).split())


def words(text: str) -> frozenset[str]:
    """The words of a text for similarity: lower case, references as read, markup and whitespace ignored."""
    return frozenset(w for w in _WORD.findall(plain(text).lower().replace("ё", "е")) if len(w) > 1 or w.isdigit())


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two word sets (0: nothing shared, 1: the same words)."""
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def candidate_pairs(
    olds: list[frozenset[str]], news: list[frozenset[str]], threshold: float
) -> list[tuple[float, int, int]]:
    """(similarity, i, j) of every old × new pair at least ``threshold`` alike, found through shared rare words.

    An inverted index of the new side's words proposes candidates, so the work grows with the pairs
    that share words, not with old × new: no size cliff, and no fallback to pairing by position.
    """
    index: dict[str, list[int]] = {}
    for j, ws in enumerate(news):
        for w in ws:
            index.setdefault(w, []).append(j)
    limit = max(COMMON_WORD, (len(news) + 9) // 10)
    out: list[tuple[float, int, int]] = []
    for i, ws in enumerate(olds):
        if not ws:
            continue
        seen: set[int] = set()
        for w in ws:
            js = index.get(w)
            if js is not None and len(js) <= limit:
                seen.update(js)
        for j in seen:
            # |a & b| ≥ threshold·(|a|+|b|)/2 is impossible when the smaller set is too small
            small, large = sorted((len(ws), len(news[j])))
            if 2 * small < threshold * (small + large):
                continue
            score = similarity(ws, news[j])
            if score >= threshold:
                out.append((score, i, j))
    return out


def align(olds: list[frozenset[str]], news: list[frozenset[str]], threshold: float) -> list[tuple[int, int]]:
    """The best pairing that keeps order: non-crossing (i, j) pairs of maximum total similarity.

    Best match, not first match: a paragraph pairs with the one most like it, and the sum over the block
    is maximal (a heaviest increasing chain over the candidate pairs, O(E log n) with a Fenwick tree).
    """
    return chain_of(candidate_pairs(olds, news, threshold), len(news))


def chain_of(edges: list[tuple[float, int, int]], size: int) -> list[tuple[int, int]]:
    """The heaviest chain of (score, i, j) edges with i and j both increasing."""
    if not edges:
        return []
    edges = sorted(edges, key=lambda e: (e[1], -e[2]))  # by i; within one i, j descending: no chain with itself
    tree = [(0.0, -1)] * (size + 1)  # Fenwick over j: best (total, edge index) of chains ending at j' ≤ j

    def query(j: int) -> tuple[float, int]:
        best = (0.0, -1)
        j += 1
        while j > 0:
            if tree[j][0] > best[0]:
                best = tree[j]
            j -= j & -j
        return best

    def update(j: int, value: tuple[float, int]) -> None:
        j += 1
        while j <= size:
            if value[0] > tree[j][0]:
                tree[j] = value
            j += j & -j

    back: list[int] = []
    totals: list[float] = []
    for k, (score, _i, j) in enumerate(edges):
        prev_total, prev = query(j - 1) if j > 0 else (0.0, -1)
        totals.append(prev_total + score)
        back.append(prev)
        update(j, (totals[-1], k))
    k = max(range(len(edges)), key=lambda x: totals[x])
    chain: list[tuple[int, int]] = []
    while k != -1:
        chain.append((edges[k][1], edges[k][2]))
        k = back[k]
    return chain[::-1]


def best_matches(
    olds: list[frozenset[str]], news: list[frozenset[str]], threshold: float
) -> list[tuple[int, int, float]]:
    """One-to-one pairs, the most similar first (for moves: order does not matter)."""
    out: list[tuple[int, int, float]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, i, j in sorted(candidate_pairs(olds, news, threshold), key=lambda e: (-e[0], e[1], e[2])):
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        out.append((i, j, score))
    return out


def _change(
    kind: Literal["added", "removed", "changed", "moved"],
    a: Block | None,
    b: Block | None,
    segments: tuple[Segment, ...],
) -> ParagraphChange:
    either = b if b is not None else a
    assert either is not None
    return ParagraphChange(
        kind,
        a.index + 1 if a is not None else None,
        b.index + 1 if b is not None else None,
        segments,
        either.kind,
        a.path if a is not None else (),
        b.path if b is not None else (),
        a.ordinal if a is not None else None,
        b.ordinal if b is not None else None,
    )


def removed_block(a: Block) -> ParagraphChange:
    return _change("removed", a, None, (Segment("-", a.text),))


def added_block(b: Block) -> ParagraphChange:
    return _change("added", None, b, (Segment("+", b.text),))


def moved_block(a: Block, b: Block, moved_from: str | None = None) -> ParagraphChange:
    """``a`` moved to ``b``, with the edits made inside it."""
    change = _change("moved", a, b, redline(a.text, b.text))
    return replace(change, moved_from=moved_from) if moved_from else change


def diff_blocks(
    a: list[Block], b: list[Block]
) -> tuple[list[ParagraphChange], list[Block], list[Block], dict[int, int]]:
    """Changes between two texts' blocks, the blocks left unpaired (removed, added), and where old blocks went.

    Blocks equal but for whitespace are the same block (a re-wrapped paragraph is no change). Within each
    replaced run, blocks are paired by word similarity, best match keeping order (:func:`align`); what is
    left is offered to :func:`pair_moves` by the caller (moves may cross parts and pages). The map gives
    the new index of every old block kept in place (equal or changed), to place removals in document order.
    """
    kept: dict[int, int] = {}
    removed: list[Block] = []
    added: list[Block] = []
    out: list[ParagraphChange] = []
    opcodes = SequenceMatcher(None, [x.key for x in a], [x.key for x in b], autojunk=False).get_opcodes()
    # a block whose very text is left over on the other side moved there: it is not paired as a change here
    loose_old = {a[i].key for tag, i1, i2, _, _ in opcodes if tag != "equal" for i in range(i1, i2)}
    loose_new = {b[j].key for tag, _, _, j1, j2 in opcodes if tag != "equal" for j in range(j1, j2)}
    # every leftover old × new pair alike enough, across the whole text: a pair inside one replaced run is
    # taken only when neither block has a clearly better partner elsewhere (that one is a move)
    olds_all = [
        i for tag, i1, i2, _, _ in opcodes if tag != "equal" for i in range(i1, i2) if a[i].key not in loose_new
    ]
    news_all = [
        j for tag, _, _, j1, j2 in opcodes if tag != "equal" for j in range(j1, j2) if b[j].key not in loose_old
    ]
    best_old: dict[int, float] = {}
    best_new: dict[int, float] = {}
    edges: dict[tuple[int, int], float] = {}
    for score, x, y in candidate_pairs(
        [words(a[i].text) for i in olds_all], [words(b[j].text) for j in news_all], PAIR_RATIO
    ):
        i, j = olds_all[x], news_all[y]
        edges[(i, j)] = score
        best_old[i] = max(best_old.get(i, 0.0), score)
        best_new[j] = max(best_new.get(j, 0.0), score)
    run_of_old = {i: n for n, (tag, i1, i2, _, _) in enumerate(opcodes) if tag == "replace" for i in range(i1, i2)}
    run_of_new = {j: n for n, (tag, _, _, j1, j2) in enumerate(opcodes) if tag == "replace" for j in range(j1, j2)}
    local: dict[int, list[tuple[float, int, int]]] = {}
    for (i, j), score in edges.items():
        run = run_of_old.get(i)
        rivals = score >= best_old[i] - RIVAL_MARGIN and score >= best_new[j] - RIVAL_MARGIN
        if run is not None and run == run_of_new.get(j) and rivals:
            local.setdefault(run, []).append((score, i, j))
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            kept.update((i1 + k, j1 + k) for k in range(i2 - i1))
            continue
        paired = chain_of(local.get(n, []), len(b))
        for i, j in paired:
            kept[i] = j
            segments = redline(a[i].text, b[j].text)
            if changed(segments):
                out.append(_change("changed", a[i], b[j], segments))
        paired_old = {i for i, _ in paired}
        paired_new = {j for _, j in paired}
        removed += [a[i] for i in range(i1, i2) if i not in paired_old]
        added += [b[j] for j in range(j1, j2) if j not in paired_new]
    return out, removed, added, kept


def document_order(changes: list[ParagraphChange], kept: dict[int, int]) -> tuple[ParagraphChange, ...]:
    """By the new position; a removed block right after the new place of the old block before it."""
    placed = sorted(kept.items())

    def key(c: ParagraphChange) -> tuple:
        if c.new_index is not None:
            return (c.new_index - 1, 0, 0)
        before = [n for o, n in placed if o < (c.old_index or 0) - 1]
        return (before[-1] if before else -1, 1, c.old_index or 0)

    return tuple(sorted(changes, key=key))


def pair_moves(removed: list[Block], added: list[Block]) -> list[tuple[int, int]]:
    """(k, l) pairs of ``removed[k]`` and ``added[l]`` that are one block moved: the same text first, then
    the most similar at least :data:`MOVE_RATIO` alike."""
    pairs: list[tuple[int, int]] = []
    by_key: dict[str, list[int]] = {}
    for l_, block in enumerate(added):
        by_key.setdefault(block.key, []).append(l_)
    left: list[int] = []
    for k, block in enumerate(removed):
        same = by_key.get(block.key)
        if same:
            pairs.append((k, same.pop(0)))
        else:
            left.append(k)
    taken = {l_ for _, l_ in pairs}
    right = [l_ for l_ in range(len(added)) if l_ not in taken]
    for x, y, _score in best_matches(
        [words(removed[k].text) for k in left], [words(added[l_].text) for l_ in right], MOVE_RATIO
    ):
        pairs.append((left[x], right[y]))
    return pairs


def diff_texts(texts: dict[str, tuple[str, str]]) -> dict[str, tuple[ParagraphChange, ...]]:
    """Paragraph changes of several texts at once (``key`` → (old, new)), moves found across all of them.

    A block removed from one text and added to another (a section carried to another part or page) is
    one ``moved`` change in the text it went to, with ``moved_from`` naming the text it left and its
    redline showing the edits made on the way. Keys are ``regulation/part`` or ``page:id``.
    """
    per: dict[str, tuple[list[ParagraphChange], dict[int, int]]] = {}
    pool_removed: list[tuple[str, Block]] = []
    pool_added: list[tuple[str, Block]] = []
    for key, (old, new) in texts.items():
        if old == new:
            continue
        out, removed, added, kept = diff_blocks(blocks(old), blocks(new))
        per[key] = (out, kept)
        pool_removed += [(key, x) for x in removed]
        pool_added += [(key, x) for x in added]
    moves = pair_moves([x for _, x in pool_removed], [x for _, x in pool_added])
    moved_old = {k for k, _ in moves}
    moved_new = {l_ for _, l_ in moves}
    for k, l_ in moves:
        (src, a), (dst, b) = pool_removed[k], pool_added[l_]
        per[dst][0].append(moved_block(a, b, None if src == dst else src))
    for k, (key, x) in enumerate(pool_removed):
        if k not in moved_old:
            per[key][0].append(removed_block(x))
    for l_, (key, x) in enumerate(pool_added):
        if l_ not in moved_new:
            per[key][0].append(added_block(x))
    return {key: document_order(out, kept) for key, (out, kept) in per.items() if out}


def diff_paragraphs(old: str, new: str) -> tuple[ParagraphChange, ...]:
    """Paragraph-level changes of a Markdown text, each changed or moved paragraph with its word redline."""
    return diff_texts({"": (old, new)}).get("", ())
