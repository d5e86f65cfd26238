"""Word's list numbers, computed exactly as Word shows them.

python-docx does not compute list numbers and docx2python formats only the current
level (no ``lvlText`` templates such as ``%1.%2.``, no ``startOverride``, no
``lvlRestart``), so this module follows the rules of WordprocessingML itself
(ECMA-376 Part 1, §17.9):

- a paragraph is numbered by its own ``w:numPr`` or by its style's (through ``w:basedOn``);
  ``numId`` 0 switches numbering off; a style linked from a level (``w:pStyle``) gives
  that level ("levels by style", e.g. Heading 1–3 bound to a multi-level list);
- a ``w:num`` points at a ``w:abstractNum``; an abstract definition that is only a
  ``w:numStyleLink`` takes its levels from the list style's numbering;
- counters belong to the abstract definition, so two ``w:num`` of the same
  ``abstractNum`` continue one another; a ``w:lvlOverride/w:startOverride`` restarts
  its level the first time its ``w:num`` is used (the usual "restart at 1" per section);
  a ``w:lvlOverride/w:lvl`` replaces the level's definition for that ``w:num``;
- numbering a level restarts the deeper levels, unless a deeper level's ``w:lvlRestart``
  says otherwise (0: never; n: only after levels above n);
- the label is ``w:lvlText`` with ``%1``…``%9`` replaced by each level's current value in
  that level's ``w:numFmt`` (``w:isLgl``: all decimal).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lxml import etree

from .package import w

_MAX_STYLE_DEPTH = 20


@dataclass(frozen=True)
class Level:
    ilvl: int
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None
    """``w:lvlRestart``: None — after any higher level; 0 — never; n — after levels 0..n-1."""
    pstyle: str | None = None
    is_lgl: bool = False


@dataclass
class Abstract:
    id: str
    levels: dict[int, Level] = field(default_factory=dict)
    num_style_link: str | None = None
    style_link: str | None = None


@dataclass
class Num:
    id: str
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)
    levels: dict[int, Level] = field(default_factory=dict)


@dataclass(frozen=True)
class StyleInfo:
    id: str
    name: str
    based_on: str | None
    num_id: str | None
    ilvl: int | None
    outline: int | None
    kind: str


def _val(el: etree._Element | None, name: str = "val") -> str | None:
    return None if el is None else el.get(w(name))


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _on(el: etree._Element | None) -> bool:
    return el is not None and (el.get(w("val")) or "true").lower() not in ("0", "false", "off")


def parse_level(lvl: etree._Element) -> Level:
    return Level(
        ilvl=_int(lvl.get(w("ilvl")), 0) or 0,
        start=_int(_val(lvl.find(w("start"))), 1) or 0,
        fmt=_val(lvl.find(w("numFmt"))) or "decimal",
        text=_val(lvl.find(w("lvlText"))) or "",
        restart=_int(_val(lvl.find(w("lvlRestart")))),
        pstyle=_val(lvl.find(w("pStyle"))),
        is_lgl=_on(lvl.find(w("isLgl"))),
    )


def parse_styles(root: etree._Element | None) -> dict[str, StyleInfo]:
    out: dict[str, StyleInfo] = {}
    if root is None:
        return out
    for st in root.iter(w("style")):
        sid = st.get(w("styleId"))
        if not sid:
            continue
        ppr = st.find(w("pPr"))
        numpr = ppr.find(w("numPr")) if ppr is not None else None
        out[sid] = StyleInfo(
            id=sid,
            name=_val(st.find(w("name"))) or sid,
            based_on=_val(st.find(w("basedOn"))),
            num_id=_val(numpr.find(w("numId"))) if numpr is not None else None,
            ilvl=_int(_val(numpr.find(w("ilvl")))) if numpr is not None else None,
            outline=_int(_val(ppr.find(w("outlineLvl")))) if ppr is not None else None,
            kind=st.get(w("type")) or "paragraph",
        )
    return out


def default_paragraph_style(root: etree._Element | None) -> str | None:
    """The style of a paragraph that names none (``w:default="1"`` on a paragraph style)."""
    if root is None:
        return None
    for st in root.iter(w("style")):
        if st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true", "on"):
            return st.get(w("styleId"))
    return None


class Numbering:
    """The numbering definitions of one document, and the running counters while reading it."""

    def __init__(self, numbering: etree._Element | None, styles: dict[str, StyleInfo]) -> None:
        self.styles = styles
        self.abstracts: dict[str, Abstract] = {}
        self.nums: dict[str, Num] = {}
        if numbering is not None:
            for el in numbering.findall(w("abstractNum")):
                ab = Abstract(
                    el.get(w("abstractNumId")) or "",
                    num_style_link=_val(el.find(w("numStyleLink"))),
                    style_link=_val(el.find(w("styleLink"))),
                )
                for lvl in el.findall(w("lvl")):
                    level = parse_level(lvl)
                    ab.levels[level.ilvl] = level
                self.abstracts[ab.id] = ab
            for el in numbering.findall(w("num")):
                num = Num(el.get(w("numId")) or "", _val(el.find(w("abstractNumId"))) or "")
                for ov in el.findall(w("lvlOverride")):
                    ilvl = _int(ov.get(w("ilvl")), 0) or 0
                    start = _val(ov.find(w("startOverride")))
                    if start is not None:
                        num.starts[ilvl] = _int(start, 1) or 0
                    lvl = ov.find(w("lvl"))
                    if lvl is not None:
                        num.levels[ilvl] = replace(parse_level(lvl), ilvl=ilvl)
                self.nums[num.id] = num
        # "levels by style": a level's w:pStyle binds that style to the level of its abstract definition
        self._style_level: dict[tuple[str, str], int] = {}
        for ab in self.abstracts.values():
            for level in ab.levels.values():
                if level.pstyle:
                    self._style_level[(ab.id, level.pstyle)] = level.ilvl
        self._counters: dict[str, dict[int, int]] = {}
        self._used_nums: set[str] = set()

    # ------------------------------------------------------------- definitions

    def abstract_of(self, num_id: str) -> Abstract | None:
        """The abstract definition holding the levels of ``num_id`` (a list-style link followed)."""
        num = self.nums.get(num_id)
        if num is None:
            return None
        ab = self.abstracts.get(num.abstract)
        seen = 0
        while ab is not None and ab.num_style_link and not ab.levels and seen < 5:
            style = self._style(ab.num_style_link)
            linked = self.nums.get(style.num_id) if style is not None and style.num_id else None
            ab = self.abstracts.get(linked.abstract) if linked is not None else None
            seen += 1
        return ab

    def level(self, num_id: str, ilvl: int) -> Level | None:
        num = self.nums.get(num_id)
        ab = self.abstract_of(num_id)
        if num is None or ab is None:
            return None
        return num.levels.get(ilvl) or ab.levels.get(ilvl)

    def _style(self, style_id: str | None) -> StyleInfo | None:
        return self.styles.get(style_id) if style_id else None

    def paragraph_numbering(self, num_id: str | None, ilvl: int | None, style_id: str | None) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph from its own numPr and its style chain, or None when unnumbered."""
        style_num: str | None = None
        style_ilvl: int | None = None
        sid, depth = style_id, 0
        while sid and depth < _MAX_STYLE_DEPTH:
            st = self.styles.get(sid)
            if st is None:
                break
            if style_num is None and st.num_id is not None:
                style_num = st.num_id
                style_ilvl = st.ilvl
            sid, depth = st.based_on, depth + 1
        nid = num_id if num_id is not None else style_num
        if nid is None or nid == "0" or nid not in self.nums:
            return None
        if ilvl is None:
            ilvl = style_ilvl
        if ilvl is None:
            ab = self.abstract_of(nid)
            ilvl = self._style_level.get((ab.id, style_id or ""), 0) if ab is not None else 0
        return nid, max(0, min(8, ilvl))

    # ------------------------------------------------------------- counting

    def advance(self, num_id: str, ilvl: int) -> tuple[str, Level, list[int]] | None:
        """Count a numbered paragraph: (the label Word shows, its level, the counters of levels 0..ilvl)."""
        ab = self.abstract_of(num_id)
        level = self.level(num_id, ilvl)
        if ab is None or level is None:
            return None
        num = self.nums[num_id]
        counters = self._counters.setdefault(ab.id, {})
        if num_id not in self._used_nums:
            self._used_nums.add(num_id)
            for lvl_index, start in num.starts.items():
                counters[lvl_index] = start - 1
                for deeper in [k for k in counters if k > lvl_index]:
                    del counters[deeper]
        if ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        for deeper in sorted(k for k in counters if k > ilvl):
            dl = self.level(num_id, deeper)
            limit = deeper if dl is None or dl.restart is None else dl.restart
            if ilvl < limit:
                del counters[deeper]
        values = []
        for k in range(ilvl + 1):
            lk = self.level(num_id, k)
            values.append(counters.get(k, lk.start if lk is not None else 1))
        return self.label(num_id, level, values), level, values

    def label(self, num_id: str, level: Level, values: list[int]) -> str:
        if level.fmt == "none":
            return ""
        if level.fmt == "bullet":
            return level.text
        text = level.text
        out, i = [], 0
        while i < len(text):
            ch = text[i]
            if ch == "%" and i + 1 < len(text) and text[i + 1].isdigit():
                k = int(text[i + 1]) - 1
                if 0 <= k < len(values):
                    lk = self.level(num_id, k)
                    fmt = "decimal" if level.is_lgl else (lk.fmt if lk is not None else "decimal")
                    out.append(format_number(values[k], fmt))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)


_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
#: Word's russianLower alphabet: а…я without ё, й, ъ, ы, ь
RUSSIAN = "абвгдежзиклмнопрстуфхцчшщэюя"


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def letters(n: int, alphabet: str) -> str:
    """Word's letter numbering: a…z, then aa…zz, aaa… (the letter repeated, not base 26)."""
    if n <= 0:
        return str(n)
    size = len(alphabet)
    return alphabet[(n - 1) % size] * ((n - 1) // size + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("decimal", "decimalEnclosedFullstop", "decimalHalfWidth", "decimalFullWidth"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerRoman":
        return roman(n)
    if fmt == "upperRoman":
        return roman(n).upper()
    if fmt == "lowerLetter":
        return letters(n, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperLetter":
        return letters(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if fmt == "russianLower":
        return letters(n, RUSSIAN)
    if fmt == "russianUpper":
        return letters(n, RUSSIAN.upper())
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    return str(n)
