"""YAML 1.2 sources → plain data plus the position of every key and value.

libyaml (through PyYAML's C binding) composes the node tree — about 30×
faster than ruamel.yaml's pure-Python round-trip parser, which took 11 s of a
12 s load of a 10,000-clause corpus (see benchmarks/README.md). No implicit
typing happens at compose time: plain scalars are typed here by the YAML 1.2
core schema (the regexes ruamel.yaml uses for 1.2), so `yes`/`no`/`on`/`off`
stay strings. We turn nodes into plain Python values ourselves so that *every*
duplicate key of a mapping is reported (a constructor stops at the first), and
so that each value's 1-based (line, column) and scalar style are kept in a flat
index keyed by the value's path (``("duties", 3, "text")``).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, TypeVar, overload

from yaml.composer import Composer
from yaml.error import Mark, MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

from reglament.diagnostics import Diagnostic, Position

YamlScalar: TypeAlias = str | int | float | bool | dt.date | None
"""A scalar as :func:`_scalar` types it (YAML 1.2 core schema; dates stay dates); also a mapping key."""
YamlValue: TypeAlias = YamlScalar | list["YamlValue"] | dict[YamlScalar, "YamlValue"]
"""A converted document: scalars, lists and mappings (an alias of a list or mapping becomes None)."""
T = TypeVar("T")
Path_: TypeAlias = tuple[YamlScalar, ...]
"""A path of mapping keys and list indices into the data: ``("duties", 3, "text")``."""


#: a packed position is ``line * _LINE + column`` (a column fits in 32 bits: a source file is 5 MB at most)
_LINE_SHIFT = 32
_LINE = 1 << _LINE_SHIFT
_COLUMN_MASK = _LINE - 1

#: makes a Position from a tuple of its fields in C (NamedTuple's own ``__new__`` is a Python function)
_new_position = tuple.__new__


class Positions(Mapping[Path_, Position]):
    """Path → :class:`Position` of one file's values (or keys), each kept as one int, ``line * 2**32 + column``.

    A document has a position for every key and every value (~190,000 at 10,000 clauses); as tuples each was
    made and then walked by the cyclic collector's passes during the load, ints are neither. The Position is
    made when asked for (a run asks for a few thousand).
    """

    __slots__ = ("file", "packed")

    def __init__(self, file: str) -> None:
        self.file = file
        self.packed: dict[Path_, int] = {}

    def __getitem__(self, path: Path_) -> Position:
        packed = self.packed[path]
        return _new_position(Position, (self.file, packed >> _LINE_SHIFT, packed & _COLUMN_MASK))

    @overload
    def get(self, path: Path_) -> Position | None: ...
    @overload
    def get(self, path: Path_, default: Position) -> Position: ...
    @overload
    def get(self, path: Path_, default: T) -> Position | T: ...

    def get(self, path: Path_, default: object = None) -> object:
        packed = self.packed.get(path)
        if packed is None:
            return default
        return _new_position(Position, (self.file, packed >> _LINE_SHIFT, packed & _COLUMN_MASK))

    def __setitem__(self, path: Path_, pos: Position) -> None:
        if pos.file != self.file or not 0 <= pos.column < _LINE:
            raise ValueError(f"{pos} is not a position in {self.file}")
        self.packed[path] = pos.line * _LINE + pos.column

    def __contains__(self, path: object) -> bool:
        return path in self.packed

    def __iter__(self) -> Iterator[Path_]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)

    def __getstate__(self) -> tuple[str, dict[Path_, int]]:
        return self.file, self.packed

    def __setstate__(self, state: tuple[str, dict[Path_, int]]) -> None:
        self.file, self.packed = state

    def __repr__(self) -> str:
        return f"Positions({self.file!r}, {len(self.packed)} paths)"


@dataclass
class YamlDocument:
    """A parsed YAML file: its data (None when unreadable), positions and problems."""

    file: str
    data: object = None
    positions: Positions = field(init=False)
    key_positions: Positions = field(init=False)
    styles: dict[Path_, str | None] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    line_offset: int = 0
    blanked: list[str] = field(default_factory=list)
    """Source lines left out to get past syntax errors (what they declared failed to load)."""

    def __post_init__(self) -> None:
        self.positions = Positions(self.file)
        self.key_positions = Positions(self.file)

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(d.severity == "error" for d in self.diagnostics)

    def text_position(self, path: Path_, text: str, offset: int) -> Position | None:
        """Position of character ``offset`` of the string value at ``path``.

        The value's text is aligned with its source lines (YAML folds a
        multi-line scalar's line breaks into spaces, a folded block's too), so
        the position is exact for plain, quoted, literal and folded scalars
        alike — up to the first character whose source differs from the text
        (a quoted escape such as ``\n``); past it, the line is the scalar's
        first line plus the newlines before ``offset``.
        """
        start = self.positions.get(path)
        if start is None:
            return None
        style = self.styles.get(path)
        exact = self._aligned_position(start, style, text, offset)
        if exact is not None:
            return exact
        if style in ("'", '"'):
            return start  # an escape (`\n`, `\u…`) broke the alignment: the scalar's own start is never wrong
        before = text[:offset]
        newlines = before.count("\n")
        col_in_line = offset - (before.rfind("\n") + 1)
        if style in ("|", ">"):
            line = start.line + 1 + newlines
            source = self.source_line(line)
            indent = len(source) - len(source.lstrip(" ")) if source is not None else start.column - 1
            return Position(start.file, line, indent + 1 + col_in_line)
        if newlines:
            return Position(start.file, start.line + newlines, 1)
        quote = 1 if style in ("'", '"') else 0
        return Position(start.file, start.line, start.column + quote + offset)

    def _segments(self, start: Position, style: str | None) -> Iterator[tuple[int, int, str]]:
        """(line, 1-based column, source text) of each source line that holds the scalar's text."""
        if style in ("|", ">"):
            block_indent = None
            line = start.line + 1
            while (src := self.source_line(line)) is not None:
                if src.strip():
                    indent = len(src) - len(src.lstrip(" "))
                    if block_indent is None:
                        block_indent = indent
                    if indent < block_indent:
                        return
                    yield line, block_indent + 1, src[block_indent:]
                line += 1
            return
        src = self.source_line(start.line)
        if src is None:
            return
        column = start.column + (1 if style in ("'", '"') else 0)
        yield start.line, column, src[column - 1 :]
        line = start.line + 1
        while (src := self.source_line(line)) is not None:
            stripped = src.lstrip(" ")
            if stripped.strip():
                yield line, len(src) - len(stripped) + 1, stripped
            line += 1

    def _aligned_position(self, start: Position, style: str | None, text: str, offset: int) -> Position | None:
        pos = 0
        for line, column, content in self._segments(start, style):
            content = content.rstrip()
            # skip what the line break became in the text (a space, or newlines for blank lines)
            while pos < len(text) and text[pos] in " \n" and not text.startswith(content, pos):
                pos += 1
            common = 0
            limit = min(len(content), len(text) - pos)
            while common < limit and content[common] == text[pos + common]:
                common += 1
            if common == 0:
                return None
            if offset < pos + common:
                return Position(start.file, line, column + max(0, offset - pos))
            pos += common
            if common < len(content):
                return None  # the text departs from the source here (an escape, a comment)
        return None

    def source_line(self, line: int) -> str | None:
        index = line - 1 - self.line_offset
        return self.lines[index] if 0 <= index < len(self.lines) else None


def _within(pos: Position, doc: YamlDocument, line_offset: int) -> Position:
    """``pos`` kept inside the text: at the end of the stream the parser points one line past the last."""
    last = line_offset + max(1, len(doc.lines))
    if pos.line <= last:
        return pos
    tail = doc.lines[-1] if doc.lines else ""
    return Position(pos.file, last, len(tail) + 1)


def position(file: str, mark: Mark, line_offset: int = 0) -> Position:
    """The one place where a parser's 0-based mark becomes a 1-based position."""
    return Position(file, mark.line + 1 + line_offset, mark.column + 1)


_BOOL = {"true": True, "false": False}
_TAG = "tag:yaml.org,2002:"
_PLAIN = "?plain"  # a plain scalar, typed by :func:`_resolve_plain`

# The YAML 1.2 core schema, as ruamel.yaml's resolver has it for version 1.2.
_IMPLICIT_12 = (
    (_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")),
    (
        _TAG + "float",
        re.compile(
            r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
            re.X,
        ),
    ),
    (
        _TAG + "int",
        re.compile(
            r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
            re.X,
        ),
    ),
    (_TAG + "merge", re.compile(r"^(?:<<)$")),
    (_TAG + "null", re.compile(r"^(?:~|null|Null|NULL|)$")),
    (
        _TAG + "timestamp",
        re.compile(
            r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
            re.X,
        ),
    ),
)
_MAYBE_TYPED = frozenset("tTfF-+0123456789.<~nN")
#: the only plain scalars starting with a letter that are not strings (none of the other patterns of
#: :data:`_IMPLICIT_12` matches a value starting with a letter)
_LETTER_FIRST = frozenset("tTfFnN")
_TYPED_WORDS = {
    **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), _TAG + "bool"),
    **dict.fromkeys(("null", "Null", "NULL"), _TAG + "null"),
}


def _resolve_plain(value: str) -> str:
    if value:
        first = value[0]
        if first not in _MAYBE_TYPED:
            return _TAG + "str"  # the common case: a word
        if first in _LETTER_FIRST:  # a word such as `team` or `true`: no pattern to try
            return _TYPED_WORDS.get(value, _TAG + "str")
    for tag, regexp in _IMPLICIT_12:
        if regexp.match(value):
            return tag
    return _TAG + "str"


_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"


class _Resolver(BaseResolver):
    """Leaves plain scalars untyped at compose time (PyYAML would apply YAML 1.1).

    Called for every node without an explicit tag, so it is kept to a few comparisons.
    """

    def resolve(self, kind: type[Node], value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    # no path resolvers are ever added: nothing to track on the way down and up (PyYAML's own methods find that
    # out per node, twice, ~10 % of composing the sources). The composer calls these two per node: built-in
    # functions that take the same arguments and do nothing with them cost less than a Python function each
    # (~6 % of composing): `operator.is_(parent, index)` compares identities, `tuple()` is the empty tuple.
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)


class _NodeComposer(Protocol):
    """What :func:`compose` needs of a composer, libyaml's or PyYAML's own."""

    def get_single_node(self) -> Node | None: ...

    def dispose(self) -> None: ...


class _PyComposer(Reader, Scanner, Parser, Composer, _Resolver):
    """The same node tree from PyYAML's pure-Python parser (when PyYAML is built without libyaml)."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)


_Composer: Callable[[str], _NodeComposer] = _PyComposer

if CParser is not None:

    class _CComposer(CParser, _Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _Resolver.__init__(self)

    _Composer = _CComposer


def compose(text: str) -> Node | None:
    """The node tree of one YAML document (None when empty); raises PyYAML's errors."""
    composer = _Composer(text)
    try:
        return composer.get_single_node()
    finally:
        composer.dispose()


def _scalar(node: ScalarNode) -> YamlScalar:
    tag = node.tag
    value = node.value
    style = node.style
    if style and style != "?":
        return value  # quoted or block scalars are always strings
    if tag == _PLAIN:
        if value and value[0] not in _MAYBE_TYPED:
            return value  # the common case: a word (`_resolve_plain` inlined)
        tag = _resolve_plain(value)
    if tag == _STR:
        return value
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return _BOOL.get(value.lower(), value)
    if tag == _TAG + "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == _TAG + "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    if tag == _TAG + "timestamp":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


class _Converter:
    def __init__(self, doc: YamlDocument, line_offset: int) -> None:
        self.doc = doc
        self.line_offset = line_offset
        self.composites: set[int] = set()  # ids of lists/mappings converted (aliases repeat them)
        self.reported: set[int] = set()

    def pos(self, node: Node) -> Position:
        return position(self.doc.file, node.start_mark, self.line_offset)

    def convert(self, node: Node, path: Path_) -> YamlValue:
        # `position()` inlined (packed, see :class:`Positions`): this runs once per node of every source file; a
        # mapping's scalar values are converted in its loop below, without this call
        doc = self.doc
        mark = node.start_mark
        doc.positions.packed[path] = ((mark.line + 1 + self.line_offset) << _LINE_SHIFT) + mark.column + 1
        if type(node) is ScalarNode:
            doc.styles[path] = node.style
            return _scalar(node)
        if id(node) in self.composites:
            # an alias (`*name`) of a list or mapping: expanding them lets a few lines
            # grow into gigabytes ("billion laughs"), and each item should stand on its own
            if id(node) not in self.reported:
                self.reported.add(id(node))
                self.doc.diagnostics.append(
                    Diagnostic.at(
                        self.pos(node),
                        "error",
                        "yaml-syntax",
                        "this anchored list or mapping is reused through an alias (`*…`)",
                        "write the items out; anchors and aliases are not supported",
                    )
                )
            return None
        self.composites.add(id(node))
        if type(node) is SequenceNode:
            convert = self.convert
            return [convert(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[YamlScalar, YamlValue] = {}
            first_seen: dict[YamlScalar, int] = {}  # key → its line
            positions, styles, key_positions = doc.positions.packed, doc.styles, doc.key_positions.packed
            line_base = 1 + self.line_offset
            column_base = 1 + (line_base << _LINE_SHIFT)  # a packed position: (line << shift) + this
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.doc.diagnostics.append(
                        Diagnostic.at(
                            self.pos(key_node),
                            "error",
                            "yaml-syntax",
                            "a mapping key must be a plain value",
                            "write keys as simple words, e.g. `id:`",
                        )
                    )
                    continue
                word: str = key_node.value
                # `_scalar` inlined for a plain word (itself)
                key = word if key_node.tag == _PLAIN and word and word[0] not in _MAYBE_TYPED else _scalar(key_node)
                mark = key_node.start_mark
                key_pos = (mark.line << _LINE_SHIFT) + mark.column + column_base
                if key == "<<":
                    self.doc.diagnostics.append(
                        Diagnostic.at(
                            self.pos(key_node),
                            "error",
                            "yaml-syntax",
                            "merge keys (`<<`) are not supported",
                            "write the fields out; every item should stand on its own",
                        )
                    )
                    continue
                if key in first_seen:
                    self.doc.diagnostics.append(
                        Diagnostic.at(
                            self.pos(key_node),
                            "error",
                            "duplicate-key",
                            f"duplicate key `{key}` (first defined at line {first_seen[key]})",
                            "remove one of the two, or rename it; YAML keeps only one value per key",
                        )
                    )
                    continue
                first_seen[key] = mark.line + line_base
                sub = path + (key,)
                key_positions[sub] = key_pos
                if type(value_node) is ScalarNode:  # `convert` of a scalar, inlined
                    mark = value_node.start_mark
                    positions[sub] = (mark.line << _LINE_SHIFT) + mark.column + column_base
                    styles[sub] = value_node.style
                    text: str = value_node.value
                    tag = value_node.tag
                    # `_scalar` inlined for a string (a quoted or block scalar, or a plain word: itself)
                    if tag == _STR or (tag == _PLAIN and text and text[0] not in _MAYBE_TYPED):
                        result[key] = text
                    else:
                        result[key] = _scalar(value_node)
                else:
                    result[key] = self.convert(value_node, sub)
            return result
        return None  # pragma: no cover - the composer yields only these three node kinds


def parse_yaml(text: str, file: str, *, line_offset: int = 0) -> YamlDocument:
    """Parse ``text`` (one YAML document) into a :class:`YamlDocument`; never raises on bad input."""
    doc = YamlDocument(file, lines=text.splitlines(), line_offset=line_offset)
    if "\t" in text:
        for lineno, line in enumerate(text.splitlines(), 1):
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent:
                doc.diagnostics.append(
                    Diagnostic(
                        file,
                        lineno + line_offset,
                        indent.index("\t") + 1,
                        "error",
                        "yaml-syntax",
                        "tab character in indentation",
                        "YAML indents with spaces only; replace the tab with spaces",
                    )
                )
        if doc.diagnostics:
            return doc
    work: list[str] = []  # the lines being repaired: split at the first syntax error (most files have none)
    reported_to = -1  # a later syntax error is reported only past the lines already left out
    repaired_lines: set[int] = set()
    node = None
    for _attempt in range(12):
        try:
            node = compose("\n".join(work) if work else text)
            break
        except ReaderError as exc:  # a character YAML does not allow (control characters)
            # libyaml counts this position in UTF-8 bytes, the pure-Python reader in characters
            source = "\n".join(work) if work else text
            before = source.encode()[: exc.position].decode(errors="ignore") if CParser else source[: exc.position]
            at_line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            doc.diagnostics.append(
                Diagnostic(
                    file,
                    at_line + line_offset,
                    column,
                    "error",
                    "yaml-syntax",
                    f"character U+{exc.character if isinstance(exc.character, int) else ord(exc.character):04X} "
                    "is not allowed in YAML",
                    "delete it (control characters often come from copying text out of other programs)",
                )
            )
            return doc
        except MarkedYAMLError as exc:
            work = work or text.split("\n")
            start, column, message, hint = explain(exc, work)
            if start > reported_to:
                doc.diagnostics.append(
                    Diagnostic(file, start + 1 + line_offset, column, "error", "yaml-syntax", message, hint)
                )
            repaired = _repair_line(work[start], column, message) if start not in repaired_lines else None
            if repaired is not None:
                # the likely fix, applied so that the rest of the item is read (and checked) as meant;
                # the columns after it on this line move by one character at most
                repaired_lines.add(start)
                work[start] = repaired
                # lines that continued the unclosed value are not new mistakes
                end = start + 1
                while end < len(work) and (not work[end].strip() or _indent(work[end]) > _indent(work[start])):
                    end += 1
                reported_to = max(reported_to, end - 1)
                continue
            region = None if "depth" in message else _item_region(work, start)
            if region is None:
                return doc
            first, last = region
            doc.blanked.extend(work[first:last])
            work[first:last] = [""] * (last - first)
            reported_to = max(reported_to, last - 1)
        except YAMLError as exc:
            doc.diagnostics.append(
                Diagnostic(file, 1 + line_offset, 1, "error", "yaml-syntax", f"YAML error: {exc}", "")
            )
            return doc
        except RecursionError:
            doc.diagnostics.append(_too_deep(file, line_offset))
            return doc
    else:
        return doc
    if node is None:
        doc.data = {}
        return doc
    try:
        doc.data = _Converter(doc, line_offset).convert(node, ())
    except RecursionError:
        doc.data = None
        doc.diagnostics.append(_too_deep(file, line_offset))
    return doc


def _too_deep(file: str, line_offset: int) -> Diagnostic:
    """The diagnostic for a document nested deeper than the parser or the converter can follow."""
    return Diagnostic(
        file,
        1 + line_offset,
        1,
        "error",
        "yaml-syntax",
        "YAML nesting is too deep",
        "a regulation needs only a few levels of nesting; flatten the structure",
    )


_KEY_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?=[^\s:/])")
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):\s+(\S)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _field_indent(lines: list[str], index: int) -> int | None:
    """Indentation of the fields of the item that ``lines[index]`` is in (the lines above it)."""
    for i in range(index - 1, -1, -1):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_VALUE.match(line) or _KEY_NO_SPACE.match(line) or re.match(r"^(\s*(?:-\s+)?)\S+:", line)
        if match:
            return len(match.group(1))
        return _indent(line)
    return None


def explain(exc: MarkedYAMLError, lines: list[str]) -> tuple[int, int, str, str]:
    """Where a YAML syntax mistake starts (0-based line, 1-based column), what it is, and the fix.

    The parser reports where it gave up — often the end of the file, or the
    line after the mistake; this looks for where the mistake starts and names
    its likely cause.
    """
    mark, context_mark = exc.problem_mark, exc.context_mark
    problem, context = exc.problem or "", exc.context or ""
    line = min(mark.line, max(0, len(lines) - 1)) if mark else 0
    column = (mark.column + 1) if mark and mark.line < len(lines) else 1
    if "quoted scalar" in context and context_mark is not None:
        quote = lines[context_mark.line][context_mark.column : context_mark.column + 1] or '"'
        return (
            context_mark.line,
            context_mark.column + 1,
            f"the quote {quote} opened here is never closed",
            f"close it with {quote} at the end of the value on line {context_mark.line + 1}"
            + (" (a ' inside the text is written twice: '')" if quote == "'" else ' (a " inside the text: \\")'),
        )
    # `key:value`, no space after the colon: reported on the next line, or as a missing ':'
    probes = [line]
    if context_mark is not None:
        probes.insert(0, context_mark.line)
    probes += [i for i in range(line - 1, max(-1, line - 3), -1)]
    if "mapping values" in problem or "could not find expected ':'" in problem:
        for i in probes:
            match = _KEY_NO_SPACE.match(lines[i]) if 0 <= i < len(lines) else None
            if match:
                key = match.group(2)
                value = lines[i][match.end() :].strip()
                return (
                    i,
                    match.end(),
                    f"no space after the colon in `{key}:{value}`",
                    f"write `{key}: {value}` (a space after the colon)",
                )
    if "mapping values" in problem and line < len(lines) and _KEY_VALUE.match(lines[line]):
        expected = _field_indent(lines, line)
        here = _indent(lines[line])
        if expected is not None and here > expected and not lines[line].lstrip().startswith("- "):
            return (
                line,
                here + 1,
                f"this line is indented by {here} spaces, the fields above by {expected}",
                f"indent it by {expected} spaces like the other fields of the item, "
                "or start a new item with `- ` at the list's indentation",
            )
    if "mapping values" in problem:
        match = _KEY_VALUE.match(lines[line]) if line < len(lines) else None
        if match:
            value = lines[line][match.start(3) :].rstrip().replace('"', '\\"')
            hint = f'put the whole value in quotes: `{match.group(2)}: "{value}"`'
        else:
            hint = 'put the whole value in quotes, e.g. `text: "Внимание: срок 15 минут"`'
        return (
            line,
            column,
            "a colon followed by a space inside a value (YAML reads it as a new field)",
            hint,
        )
    if "could not find expected ':'" in problem and context_mark is not None:
        start = context_mark.line
        return (
            start,
            context_mark.column + 1,
            "this line is not a `field: value` pair",
            "add the field name and a colon (`text: …`), or indent the line under the field whose text it continues",
        )
    if "alias" in context or "anchor" in context:
        start = context_mark.line if context_mark is not None else line
        col = context_mark.column + 1 if context_mark is not None else column
        sign = lines[start][col - 1 : col] if start < len(lines) else "*"
        return (
            start,
            col,
            f"a value that starts with `{sign}` is read as a YAML {'alias' if 'alias' in context else 'anchor'}",
            f'put the whole value in quotes: `"{sign}…"`',
        )
    if "cannot start any" in problem:
        sign = lines[line][column - 1 : column] if line < len(lines) else ""
        return (line, column, f"a value cannot start with `{sign}`", f'put the whole value in quotes: `"{sign}…"`')
    if "expected key" in problem or "expected <block end>" in problem or "expected '-' indicator" in problem:
        # what ended the value early: `text: [[ref]] …` (a flow list), `text: 'it's` (a closing quote)
        for i in range(line, max(-1, line - 3), -1):
            match = _KEY_VALUE.match(lines[i]) if 0 <= i < len(lines) else None
            if not match:
                continue
            value = lines[i][match.start(3) :]
            if value.startswith("[") and not value.rstrip().endswith("]"):
                return (
                    i,
                    match.start(3) + 1,
                    "a value that starts with `[` is read as a list, and text follows it",
                    f'put the whole value in quotes: `{match.group(2)}: "{value.rstrip()}"`',
                )
            if value[0] in "'\"" and value.rstrip()[-1:] != value[0]:
                return (
                    i,
                    match.start(3) + 1,
                    f"the quoted value ends at the second {value[0]}, and text follows it",
                    "write a quote inside '…' twice ('') or quote the value with the other kind of quote",
                )
            if i == line:
                break
        expected = _field_indent(lines, line)
        here = _indent(lines[line]) if line < len(lines) else 0
        if expected is not None and expected != here:
            return (
                line,
                here + 1,
                f"this line is indented by {here} spaces, the fields above by {expected}",
                f"indent it by {expected} spaces like the other fields of the item, "
                "or start a new item with `- ` at the list's indentation",
            )
        return (
            line,
            column,
            "this line does not fit the structure above it",
            "check its indentation and the colon after the field name",
        )
    detail = problem or context or "invalid YAML"
    if context and problem and context_mark is not None and context_mark.line != line:
        detail += f" ({context} that starts at line {context_mark.line + 1}, column {context_mark.column + 1})"
    return line, column, f"YAML syntax error: {detail}", "check indentation, colons and quotes on this line"


def _repair_line(line: str, column: int, message: str) -> str | None:
    """``line`` with the likely fix for ``message`` (an unclosed quote closed, a space after a colon), or None."""
    if message.startswith("the quote ") and "never closed" in message:
        quote = line[column - 1 : column]
        return line.rstrip() + quote if quote in ("'", '"') else None
    if message.startswith("no space after the colon") and line[column - 1 : column] == ":":
        return line[:column] + " " + line[column:]
    return None


def _item_region(lines: list[str], start: int) -> tuple[int, int] | None:
    """The lines of the list item (or the field) holding line ``start``: left out to get past an error."""
    if not 0 <= start < len(lines):
        return None
    here = _indent(lines[start]) if lines[start].strip() else 0
    first = None
    for i in range(start, -1, -1):
        stripped = lines[i].lstrip(" ")
        if stripped.startswith("- ") or stripped == "-":
            if i == start or _indent(lines[i]) <= here:  # (a field indented like its item's dash is still its)
                first = i
                break
        elif (
            i != start and _indent(lines[i]) < here and stripped.rstrip().endswith(":") and not stripped.startswith("#")
        ):
            break  # a parent field above any item: the error is in a field of a mapping, not in a list item
    if first is None:
        first = start
        level = here
    else:
        level = _indent(lines[first])
    last = max(first, start) + 1
    while last < len(lines):
        line = lines[last]
        if line.strip() and _indent(line) <= level:
            break
        last += 1
    if first == 0 and last >= len(lines):
        return None  # nothing would be left
    return first, last


def is_mapping(value: object) -> bool:
    return isinstance(value, dict)
