"""YAML 1.2 sources → plain data plus the position of every key and value.

ruamel.yaml composes the node tree (its round-trip parser, YAML 1.2); we turn
nodes into plain Python values ourselves so that *every* duplicate key of a
mapping is reported (ruamel's constructor stops at the first), and so that
each value's 1-based (line, column) and scalar style are kept in a flat index
keyed by the value's path (``("duties", 3, "text")``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, Position

Path_ = tuple  # a path of keys and indices into the data


@dataclass
class YamlDocument:
    """A parsed YAML file: its data (None when unreadable), positions and problems."""

    file: str
    data: object = None
    positions: dict[Path_, Position] = field(default_factory=dict)
    key_positions: dict[Path_, Position] = field(default_factory=dict)
    styles: dict[Path_, str | None] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    line_offset: int = 0

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(d.severity == "error" for d in self.diagnostics)

    def text_position(self, path: Path_, text: str, offset: int) -> Position | None:
        """Position of character ``offset`` of the string value at ``path``.

        Exact for single-line plain and quoted scalars and for literal block
        scalars (``|``); for folded or multi-line plain scalars, the line is
        the scalar's first line plus the newlines before ``offset``.
        """
        start = self.positions.get(path)
        if start is None:
            return None
        style = self.styles.get(path)
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

    def source_line(self, line: int) -> str | None:
        index = line - 1 - self.line_offset
        return self.lines[index] if 0 <= index < len(self.lines) else None


def position(file: str, mark, line_offset: int = 0) -> Position:
    """The one place where a parser's 0-based mark becomes a 1-based position."""
    return Position(file, mark.line + 1 + line_offset, mark.column + 1)


_BOOL = {"true": True, "false": False}
_TAG = "tag:yaml.org,2002:"


def _scalar(node: ScalarNode):
    tag = node.tag if isinstance(node.tag, str) else getattr(node.tag, "value", None) or ""
    value = node.value
    if node.style == ">":
        value = value.replace("\a", "")  # ruamel's round-trip scanner marks fold points with BEL
    if node.style not in (None, "") and node.style != "?":
        return value  # quoted or block scalars are always strings
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

    def pos(self, node: Node) -> Position:
        return position(self.doc.file, node.start_mark, self.line_offset)

    def convert(self, node: Node, path: Path_) -> object:
        self.doc.positions[path] = self.pos(node)
        if isinstance(node, ScalarNode):
            self.doc.styles[path] = node.style
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict = {}
            first_seen: dict[object, Position] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.doc.diagnostics.append(
                        Diagnostic.at(self.pos(key_node), "error", "yaml-syntax", "a mapping key must be a plain value",
                                      "write keys as simple words, e.g. `id:`")
                    )
                    continue
                key = _scalar(key_node)
                key_pos = self.pos(key_node)
                if key == "<<":
                    self.doc.diagnostics.append(
                        Diagnostic.at(key_pos, "error", "yaml-syntax", "merge keys (`<<`) are not supported",
                                      "write the fields out; every item should stand on its own")
                    )
                    continue
                if key in first_seen:
                    first = first_seen[key]
                    self.doc.diagnostics.append(
                        Diagnostic.at(
                            key_pos, "error", "duplicate-key",
                            f"duplicate key `{key}` (first defined at line {first.line})",
                            "remove one of the two, or rename it; YAML keeps only one value per key",
                        )
                    )
                    continue
                first_seen[key] = key_pos
                self.doc.key_positions[path + (key,)] = key_pos
                result[key] = self.convert(value_node, path + (key,))
            return result
        return None  # pragma: no cover - the composer yields only these three node kinds


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    return yaml


def parse_yaml(text: str, file: str, *, line_offset: int = 0) -> YamlDocument:
    """Parse ``text`` (one YAML document) into a :class:`YamlDocument`; never raises on bad input."""
    doc = YamlDocument(file, lines=text.splitlines(), line_offset=line_offset)
    if "\t" in text:
        for lineno, line in enumerate(text.splitlines(), 1):
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent:
                doc.diagnostics.append(
                    Diagnostic(file, lineno + line_offset, indent.index("\t") + 1, "error", "yaml-syntax",
                               "tab character in indentation", "YAML indents with spaces only; replace the tab with spaces")
                )
        if doc.diagnostics:
            return doc
    try:
        node = _yaml().compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = position(file, mark, line_offset) if mark else Position(file, 1 + line_offset, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        doc.diagnostics.append(
            Diagnostic.at(pos, "error", "yaml-syntax", f"YAML syntax error: {problem}",
                          "check indentation, colons and quotes on this line and the one above")
        )
        return doc
    except YAMLError as exc:
        doc.diagnostics.append(Diagnostic(file, 1 + line_offset, 1, "error", "yaml-syntax", f"YAML error: {exc}", ""))
        return doc
    except RecursionError:
        doc.diagnostics.append(
            Diagnostic(file, 1 + line_offset, 1, "error", "yaml-syntax", "YAML nesting is too deep",
                       "a regulation needs only a few levels of nesting; flatten the structure")
        )
        return doc
    if node is None:
        doc.data = {}
        return doc
    try:
        doc.data = _Converter(doc, line_offset).convert(node, ())
    except RecursionError:
        doc.data = None
        doc.diagnostics.append(
            Diagnostic(file, 1 + line_offset, 1, "error", "yaml-syntax", "YAML nesting is too deep",
                       "a regulation needs only a few levels of nesting; flatten the structure")
        )
    return doc


def is_mapping(value: object) -> bool:
    return isinstance(value, dict)
