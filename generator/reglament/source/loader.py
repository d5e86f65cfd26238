"""Load the sources under ``<root>/content`` into the typed model.

Every problem — unreadable file, YAML syntax, duplicate key, unknown field,
wrong type, missing field — becomes a positioned :class:`Diagnostic`; loading
goes on with the other files so one run reports everything.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias, TypeVar, cast

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reglament.diagnostics import Diagnostic, Position
from reglament.errors import NoContentError
from reglament.model import nodes as m
from reglament.model.content import KINDS, Content, node_fields, text_fields
from reglament.model.editions import Editions
from reglament.model.nodes import CONTENT_DIR
from reglament.perf import fewer_gc_passes
from reglament.source.cache import SourceCache
from reglament.source.yaml_source import Path_, YamlDocument, parse_yaml

MAX_FILE_BYTES = 5 * 1024 * 1024

Loc: TypeAlias = tuple[int | str, ...]
"""Where a pydantic error points: field names and list indices (a path into the data, see :data:`Path_`)."""

N = TypeVar("N", bound=m.Node)
P = TypeVar("P", bound=m.ProsePart)
T = TypeVar("T")


@dataclass
class Loaded:
    content: Content
    diagnostics: list[Diagnostic] = field(default_factory=list)


# --------------------------------------------------------------------------
# Reading files


class SourceReader:
    """Reads files from a content tree: a directory on disk, or any mapping of paths to bytes (a git tree)."""

    def __init__(self, root: Path, files: dict[str, bytes] | None = None) -> None:
        self.root = root
        self._files = files
        self._content_root: str | None = None
        self._real_dirs: dict[str, str] = {}  # folder (relative to root) → its real path

    def list(self, folder: str) -> list[str]:
        """Relative paths (to root) of the files below ``folder``, sorted."""
        if self._files is not None:
            prefix = folder.rstrip("/") + "/"
            return sorted(p for p in self._files if p.startswith(prefix))
        base = self.root / folder
        if not base.is_dir():
            return []
        # os.scandir knows each entry's type without a stat call (pathlib's rglob stats every path).
        # Symlinks are listed, never followed: read() refuses those that leave the content folder.
        found: list[str] = []
        stack = [(str(base), folder.rstrip("/"))]
        while stack:
            path, rel = stack.pop()
            with os.scandir(path) as entries:
                for entry in entries:
                    name = f"{rel}/{entry.name}"
                    if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                        found.append(name)
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, name))
        return sorted(found)

    def exists(self, rel: str) -> bool:
        if self._files is not None:
            return rel in self._files
        return (self.root / rel).exists()

    def read(self, rel: str) -> bytes:
        if self._files is not None:
            return self._files[rel]
        real = self._real(rel)
        if self._content_root is None:
            self._content_root = os.path.realpath(os.path.join(self.root, CONTENT_DIR))
        content_root = self._content_root
        if real != content_root and not real.startswith(content_root.rstrip(os.sep) + os.sep):
            raise PermissionError(f"`{rel}` points outside the content folder (to {real})")
        with open(real, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise OverflowError(f"`{rel}` is {size // 1024 // 1024} MB; the limit is 5 MB")
            return stream.read()

    def _real(self, rel: str) -> str:
        """The real path of ``rel`` (every symlink resolved, as ``os.path.realpath``), resolving each folder once:
        the real path of a file that is not a link is its folder's real path and its name."""
        folder, _, name = rel.rpartition("/")
        if not folder or name in ("", ".", "..") or ".." in folder.split("/"):
            return os.path.realpath(os.path.join(self.root, rel))
        path = os.path.join(self.root, rel)
        if os.path.islink(path):
            return os.path.realpath(path)
        real_folder = self._real_dirs.get(folder)
        if real_folder is None:
            real_folder = self._real_dirs[folder] = os.path.realpath(os.path.join(self.root, folder))
        return os.path.join(real_folder, name)


def decode(raw: bytes, file: str) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 (with or without BOM, LF or CRLF) → text; anything else → a positioned diagnostic."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # lines end as in the decoded text (CRLF, CR or LF); columns count characters, as everywhere else
        before = raw[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        cause = ""
        try:
            legacy = raw.decode("cp1251")
            if sum("а" <= ch.lower() <= "я" for ch in legacy) >= sum(ch >= "\x80" for ch in legacy) * 0.8:
                cause = "; it looks saved in Windows-1251"  # Russian letters throughout: the usual Windows save
        except UnicodeDecodeError:
            pass
        return None, Diagnostic(
            file,
            line,
            column,
            "error",
            "encoding",
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}){cause}",
            "save the file as UTF-8 (in most editors: «Save with encoding» → UTF-8)",
        )
    if "\r" in text:  # (one scan for the usual LF-only file, not two copies)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


# --------------------------------------------------------------------------
# Validation with positions


def _strip_optional(annotation: object) -> object:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


def _model_at(cls: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that holds the last element of ``loc`` (for did-you-mean)."""
    current: object = cls
    for step in loc[:-1]:
        current = _strip_optional(current)
        if isinstance(step, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(step)
            current = info.annotation if info else None
        else:
            return None
    current = _strip_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass
class Lost:
    """What failed to load, so that nothing else is blamed for it (no cascades).

    ``broken``: ids declared in items or files that failed to load (id → kind, when known);
    ``refs``: ids their texts referenced; ``files``: files that lost items.
    """

    broken: dict[str, str | None] = field(default_factory=dict)
    refs: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)

    def salvage(self, data: object, file: str, kind: str | None = None) -> None:
        """Record every id declared in ``data`` (raw YAML data of a lost item or file) and its references."""
        self.files.add(file)
        if isinstance(data, dict):
            ident = data.get("id")
            if isinstance(ident, str) and ident:
                self.broken.setdefault(ident, kind)
            for key, value in data.items():
                self.salvage(value, file, _LIST_KINDS.get(key) if isinstance(value, list) else None)
                if key != "id":
                    self.salvage_refs(value)
        elif isinstance(data, list):
            for item in data:
                self.salvage(item, file, kind)

    def merge(self, other: Lost) -> None:
        """Add what ``other`` recorded, as if it had been recorded here (the first kind of an id wins)."""
        for ident, kind in other.broken.items():
            self.broken.setdefault(ident, kind)
        self.refs |= other.refs
        self.params |= other.params
        self.files |= other.files

    def salvage_refs(self, value: object) -> None:
        if isinstance(value, str) and "[[" in value:
            self.refs.update(match.strip() for match in _REF_TARGET.findall(value))
        if isinstance(value, str) and "params." in value:
            self.params.update(_PARAM.findall(value))

    def salvage_text(self, text: str, file: str) -> None:
        """Ids and references in source lines that could not be parsed at all."""
        self.files.add(file)
        for match in _ID_LINE.finditer(text):
            self.broken.setdefault(match.group(1), None)
        self.refs.update(match.strip() for match in _REF_TARGET.findall(text))
        self.params.update(_PARAM.findall(text))


#: the kind of the items of a list field, by the field's name
_LIST_KINDS = {
    "terms": "term",
    "roles": "role",
    "clauses": "clause",
    "groups": "group",
    "duties": "duty",
    "responsibility": "responsibility",
    "kpis": "kpi",
    "tiers": "tier",
    "reductions": "reduction",
    "routine": "block",
    "recurring": "recurring",
    "categories": "category",
    "rules": "rule",
    "measures": "measure",
}
_ID_LINE = re.compile(r"""^[ \t-]*id:[ \t]*["']?([a-z][a-z0-9]*(?:-[a-z0-9]+)*)["']?[ \t]*(?:#.*)?$""", re.M)
_PARAM = re.compile(r"\bparams\.([A-Za-z_]\w*)")
_REF_TARGET = re.compile(r"\[\[([^\[\]|\n]+)")


def validate(
    cls: type[N], doc: YamlDocument, data: object | None = None, lost: Lost | None = None
) -> tuple[N | None, list[Diagnostic]]:
    """Validate ``doc.data`` (or ``data``) as ``cls``; map every pydantic error to a position.

    On errors the object is recovered at the smallest unit: an unknown field is
    left out, an item (a list element) with an invalid field is left out and its
    id recorded in ``lost`` as declared-with-errors, an invalid optional field
    falls back to its default. Only what cannot be repaired (a required field of
    the object itself) loses the whole object — and then its ids are recorded.
    """
    lost = lost if lost is not None else Lost()
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        pos = doc.positions.get((), Position(doc.file, 1 + doc.line_offset, 1))
        lost.salvage(data, doc.file)
        return None, [
            Diagnostic.at(
                pos,
                "error",
                "wrong-type",
                f"expected a mapping of fields for {cls.__name__}, got {type(data).__name__}",
                "the file must start with `key: value` lines",
            )
        ]
    try:
        obj = cls.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        attach_origins(obj, doc, ())
        return obj, []
    problems = [_error_diagnostic(cls, doc, err) for err in errors]
    if any(err["type"] in ("recursion_loop", "recursion_depth_exceeded") for err in errors):
        lost.salvage_text("\n".join(doc.lines), doc.file)  # too deep to walk: what it declares is still known
        return None, problems
    try:
        return _recover(cls, doc, data, errors, lost), problems
    except RecursionError:
        lost.salvage_text("\n".join(doc.lines), doc.file)
        return None, problems


def _recover(
    cls: type[N], doc: YamlDocument, data: dict[object, object], errors: list[ErrorDetails], lost: Lost
) -> N | None:
    """``cls`` validated from ``data`` less what the errors point into (see :func:`validate`)."""
    drop: set[Path_] = set()  # original paths of list elements and keys left out
    replace: dict[Path_, object] = {}  # original path → the value used instead
    kept: dict[Path_, list[int]] = {}  # original path of a pruned list → the original indices it keeps
    for _round in range(4):
        for err in errors:
            loc = _original(tuple(err["loc"]), kept)
            if loc is None or not _repair(cls, data, loc, err, drop, replace):
                lost.salvage(data, doc.file)
                return None
        kept = {}
        pruned = _prune(data, (), drop, replace, kept)
        try:
            obj = cls.model_validate(pruned)
        except ValidationError as exc:
            errors = exc.errors()
            continue
        for path in drop:
            if path and isinstance(path[-1], int):
                lost.salvage(_at(data, path), doc.file, _kind_of(path))
        _attach_kept(obj, doc, (), kept)
        return obj
    lost.salvage(data, doc.file)
    return None


_MISSING = object()


def _at(data: object, path: Path_) -> object:
    for step in path:
        if isinstance(data, dict):
            if step not in data:
                return _MISSING
            data = data[step]
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return _MISSING
    return data


def _kind_of(path: Path_) -> str | None:
    names = [step for step in path if isinstance(step, str)]
    return _LIST_KINDS.get(names[-1]) if names else None


def _original(loc: Loc, kept: dict[Path_, list[int]]) -> Loc | None:
    """A location in the pruned data → the same location in the original data."""
    out: list[int | str] = []
    for step in loc:
        if isinstance(step, int):
            indices = kept.get(tuple(out))
            if indices is not None:
                if step >= len(indices):
                    return None
                step = indices[step]
        out.append(step)
    return tuple(out)


def _repair(
    cls: type[BaseModel],
    data: dict[object, object],
    loc: Loc,
    err: ErrorDetails,
    drop: set[Path_],
    replace: dict[Path_, object],
) -> bool:
    """Decide how to leave out what ``err`` points at; False when only the whole object can go."""
    # pydantic may end a location with steps that are not in the data (a union member's name)
    while loc and _at(data, loc) is _MISSING and err["type"] != "missing":
        loc = loc[:-1]
    if err["type"] == "extra_forbidden":
        if loc:
            drop.add(loc)
            return True
        return False
    for k in range(len(loc) - 1, -1, -1):  # the smallest unit: the innermost list element
        if isinstance(loc[k], int) and _at(data, loc[: k + 1]) is not _MISSING:
            drop.add(loc[: k + 1])
            return True
    if not loc:
        return False
    value = _at(data, loc)
    if err["type"] == "list_type" and isinstance(value, str):
        replace[loc] = [value]  # `audience: manager` meant `[manager]` (the error is reported all the same)
        return True
    if err["type"] == "string_type" and isinstance(value, list) and value and isinstance(value[0], str):
        replace[loc] = value[0]
        return True
    info = cls.model_fields.get(loc[0]) if isinstance(loc[0], str) else None
    if info is not None and not info.is_required():
        drop.add(loc[:1])  # an invalid optional field falls back to its default
        return True
    return False


def _prune(
    value: object, path: Path_, drop: set[Path_], replace: dict[Path_, object], kept: dict[Path_, list[int]]
) -> object:
    if path in replace:
        return replace[path]
    if isinstance(value, dict):
        return {k: _prune(v, path + (k,), drop, replace, kept) for k, v in value.items() if path + (k,) not in drop}
    if isinstance(value, list):
        indices = [i for i in range(len(value)) if path + (i,) not in drop]
        if len(indices) != len(value):
            kept[path] = indices
        return [_prune(value[i], path + (i,), drop, replace, kept) for i in indices]
    return value


def _attach_kept(node: object, doc: YamlDocument, path: Path_, kept: dict[Path_, list[int]]) -> None:
    """:func:`attach_origins` for data with list elements left out: each node keeps its original path."""
    if isinstance(node, m.Node):
        node._origin = m.Origin(doc, path)
        for name in node_fields(type(node)):
            _attach_kept(getattr(node, name), doc, path + (name,), kept)
    elif isinstance(node, list):
        indices = kept.get(path)
        for i, item in enumerate(node):
            _attach_kept(item, doc, path + (indices[i] if indices is not None else i,), kept)


def _error_diagnostic(cls: type[BaseModel], doc: YamlDocument, err: ErrorDetails) -> Diagnostic:
    loc = tuple(err["loc"])
    kind = err["type"]
    name = loc[-1] if loc else ""
    if kind in ("recursion_loop", "recursion_depth_exceeded"):  # pydantic stops at ~250 levels of nested items
        pos = doc.positions.get(loc) or doc.positions.get(loc[:-1]) or Position(doc.file, 1 + doc.line_offset, 1)
        return Diagnostic.at(
            pos,
            "error",
            "yaml-syntax",
            f"items are nested too deep ({len(loc) // 2} levels here)",
            "a regulation needs only a few levels of nesting; flatten the structure",
        )
    if kind == "missing":
        parent = doc.positions.get(loc[:-1]) or Position(doc.file, 1 + doc.line_offset, 1)
        holder = _model_at(cls, loc)
        info = holder.model_fields.get(name) if holder and isinstance(name, str) else None
        described = f": {info.description}" if info and info.description else ""
        return Diagnostic.at(
            parent,
            "error",
            "missing-field",
            f"missing required field `{name}`{described}",
            f"add `{name}: …` to this item",
        )
    if kind == "extra_forbidden":
        pos = doc.key_positions.get(loc) or doc.positions.get(loc) or Position(doc.file, 1, 1)
        holder = _model_at(cls, loc)
        allowed = sorted(holder.model_fields) if holder else []
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed fields: {', '.join(allowed)}"
        where = f" in {holder.__name__}" if holder else ""
        return Diagnostic.at(pos, "error", "unknown-field", f"unknown field `{name}`{where}", hint)
    found = doc.positions.get(loc)
    probe = loc
    while found is None and probe:
        probe = probe[:-1]
        found = doc.positions.get(probe)
    pos = found or Position(doc.file, 1, 1)
    field_name = describe_location(doc.data, loc)
    if kind == "clock":
        ctx = err.get("ctx") or {}
        return Diagnostic.at(
            pos,
            "error",
            "wrong-type",
            f"{field_name}: {err['msg']}",
            f'write the time in quotes with a colon: `"{ctx.get("fix", "09:00")}"`',
        )
    if kind == "publish_target":  # model.profile.PublishTarget: its own words and fix
        return Diagnostic.at(
            pos, "error", "publish-target", f"{field_name}: {err['msg']}", str((err.get("ctx") or {}).get("hint", ""))
        )
    if kind == "string_pattern_mismatch" and isinstance(name, str) and (name == "id" or name.endswith("id")):
        return Diagnostic.at(
            pos,
            "error",
            "invalid-id",
            f"`{err.get('input')}` is not a valid id",
            "use a Latin slug: lowercase letters, digits and hyphens, e.g. `lead-card`",
        )
    if kind == "string_pattern_mismatch":
        return Diagnostic.at(
            pos,
            "error",
            "wrong-type",
            f"{field_name}: {_describe(err.get('input'))} has the wrong format",
            "times are written HH:MM, e.g. `09:30`" if "0-5" in str(err.get("ctx", {})) else "",
        )
    if kind.startswith("string") and isinstance(err.get("input"), list):
        if name == "accountable":  # the RACI rule: exactly one role answers for the result
            return Diagnostic.at(
                pos,
                "error",
                "raci-accountable",
                f"{field_name}: a shared duty has exactly one accountable role (A), not a list",
                "keep in `accountable` the one role that answers for the result; "
                "put the others in `responsible` or `consulted`",
            )
        return Diagnostic.at(
            pos, "error", "wrong-type", f"{field_name} takes one value, not a list", "write a single value"
        )
    message, hint = _plain_words(kind, err)
    return Diagnostic.at(pos, "error", "wrong-type", f"{field_name}: {message}", hint or _type_hint(kind))


def describe_location(data: object, loc: Loc) -> str:
    """A location in the editor's words: the field and the item by its id, or by a 1-based number.

    ``("groups", 2, "duties", 4, "raci", "accountable")`` → «`raci.accountable` of duty `d-call`» (or
    «of the 5th item of `duties`» when the item has no id).
    """
    names = [str(step) for step in loc if isinstance(step, str)]
    items = [(k, step) for k, step in enumerate(loc) if isinstance(step, int)]
    if not items:
        return f"`{'.'.join(names)}`"
    item_at, index = items[-1]
    field = ".".join(str(step) for step in loc[item_at + 1 :] if isinstance(step, str))
    item = _at(data, loc[: item_at + 1])
    ident = item.get("id") if isinstance(item, dict) else None
    list_name = str(loc[item_at - 1]) if item_at > 0 else ""
    kind = _LIST_KINDS.get(list_name, "item")
    if isinstance(ident, str) and ident:
        owner = f"{kind} `{ident}`"
    else:
        owner = f"item {index + 1} of `{list_name}`" if list_name else f"item {index + 1}"
    return f"`{field}` of {owner}" if field else owner


_NUMBER_KINDS = ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float")
_BOUNDS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}


def _plain_words(kind: str, err: ErrorDetails) -> tuple[str, str]:
    """What a pydantic error means, in the words of someone editing the file (not of its programmer)."""
    value = err.get("input")
    got = _describe(value)
    if kind in _NUMBER_KINDS:
        if kind == "int_from_float":
            return f"a whole number is needed, got {got}", "write it without a fraction, e.g. `15`"
        return (
            f"a number is needed, got {got}",
            "write digits only, without units or words, e.g. `15`; `60 000` and `12,5` are fine",
        )
    if kind in ("bool_parsing", "bool_type"):
        return f"`true` or `false` is needed, got {got}", "write `true` or `false` (`да` and `нет` work too)"
    if kind in ("string_type",):
        what = "a number" if isinstance(value, int | float) else "a list" if isinstance(value, list) else got
        return f"text is needed, got {what}", "write text; put it in quotes if it starts with a special character"
    if kind == "list_type":
        return f"a list is needed, got {got}", "write a list: `[a, b]`, or one `- item` per line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"a group of `field: value` lines is needed, got {got}", "write the fields on their own lines, indented"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else f"write one of: {', '.join(f'`{a}`' for a in allowed)}"
        return f"{got} is not one of the allowed values ({', '.join(allowed)})", hint
    if kind in _BOUNDS:
        bound = (err.get("ctx") or {}).get(_BOUNDS[kind])
        words = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}[_BOUNDS[kind]]
        return f"must be {words} {bound}, got {got}", f"write a number {words} {bound}"
    if kind == "too_short":
        return "must not be empty", "write at least one item (or one character of text)"
    if kind == "string_too_long":
        limit = (err.get("ctx") or {}).get("max_length")
        return f"is too long (at most {limit} characters)", "shorten it"
    return f"{err['msg']} (got {got})", ""


def _type_hint(kind: str) -> str:
    if kind.startswith(("int", "float")):
        return "write a number without units or spaces, e.g. `15`"
    if kind.startswith("list"):
        return "write a list: one `- item` per line, or `[a, b]`"
    if kind.startswith(("model", "dict")):
        return "write a mapping of `key: value` lines"
    if kind == "literal_error":
        return "use one of the values listed"
    if kind.startswith("string"):
        return "write text; quote it if it starts with a special character"
    return ""


def attach_origins(node: object, doc: YamlDocument, path: Path_) -> None:
    """Give every model node its :class:`Origin` (file and path), recursively."""
    if isinstance(node, m.Node):
        _attach_node(node, doc, path)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            attach_origins(item, doc, path + (i,))


def _attach_node(node: m.Node, doc: YamlDocument, path: Path_) -> None:
    """:func:`attach_origins` of one node; its fields' nodes and lists of nodes looked at here (no call for a
    field that holds none: this runs for every node of every file)."""
    origin = m.Origin(doc, path)
    private = node.__pydantic_private__  # set in the private slot directly: pydantic's __setattr__ is slow
    if private is not None:
        private["_origin"] = origin
    else:
        node._origin = origin
    fields = node.__dict__  # the field values
    for name in node_fields(type(node)):
        value = fields[name]
        if isinstance(value, m.Node):
            _attach_node(value, doc, path + (name,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, m.Node):
                    _attach_node(item, doc, path + (name, i))
                elif isinstance(item, list):
                    attach_origins(item, doc, path + (name, i))


# --------------------------------------------------------------------------
# Markdown with front matter


def split_front_matter(text: str, file: str) -> tuple[YamlDocument, str, int]:
    """Front matter (as a YamlDocument) + body + 1-based line of the body's first line."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        doc = YamlDocument(file, data=None)
        doc.diagnostics.append(
            Diagnostic(
                file,
                1,
                1,
                "error",
                "front-matter",
                "missing front matter",
                "start the file with `---`, `id: …`, `title: …`, `---`",
            )
        )
        return doc, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            doc = parse_yaml("\n".join(lines[1:i]), file, line_offset=1)
            return doc, "\n".join(lines[i + 1 :]), i + 2
    doc = YamlDocument(file, data=None)
    doc.diagnostics.append(
        Diagnostic(
            file,
            1,
            1,
            "error",
            "front-matter",
            "front matter is not closed",
            "add a line `---` after the front matter fields",
        )
    )
    return doc, text, 1


# --------------------------------------------------------------------------
# The content tree


class Loader:
    def __init__(self, reader: SourceReader, cache: SourceCache | None = None) -> None:
        self.reader = reader
        self.diagnostics: list[Diagnostic] = []
        self.lost = Lost()
        self.cache = cache
        self._read_ahead: dict[str, bytes] = {}  # bytes read to compute a cache key, not read again

    def _cached(self, kind: str, rel: str, compute: Callable[[], T]) -> T:
        """``compute()`` — the load of one file — from the cache when the file's bytes were loaded before.

        The entry holds what that load returned, the diagnostics it added and what it
        recorded as lost; a hit replays them exactly as computing them would.
        """
        if self.cache is None:
            return compute()
        try:
            raw = self.reader.read(rel)
        except (OSError, OverflowError):  # compute() reads again and reports the problem
            return compute()
        key = self.cache.key(kind, rel, raw)
        hit, entry = self.cache.get(key)
        if hit:
            # the key holds `kind` (the model class), so the entry is what `put` below stored for this same `compute`
            obj, diagnostics, lost = cast(tuple[T, list[Diagnostic], Lost], entry)
            self.diagnostics.extend(diagnostics)
            self.lost.merge(lost)
            return obj
        outer_diagnostics, outer_lost = self.diagnostics, self.lost
        self.diagnostics, self.lost = [], Lost()
        self._read_ahead[rel] = raw
        try:
            obj = compute()
            own_diagnostics, own_lost = self.diagnostics, self.lost
        finally:
            self._read_ahead.pop(rel, None)
            self.diagnostics, self.lost = outer_diagnostics, outer_lost
        self.cache.put(key, (obj, own_diagnostics, own_lost))
        self.diagnostics.extend(own_diagnostics)
        self.lost.merge(own_lost)
        return obj

    def text(self, rel: str) -> str | None:
        try:
            raw = self._read_ahead.pop(rel, None)
            if raw is None:
                raw = self.reader.read(rel)
        except PermissionError as exc:
            self.diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "path-escape",
                    str(exc),
                    "keep every source file inside `content/`; copy it instead of linking",
                )
            )
            return None
        except OverflowError as exc:
            self.diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "file-too-large",
                    str(exc),
                    "split the file; a part of a regulation is a few hundred KB at most",
                )
            )
            return None
        except OSError as exc:
            self.diagnostics.append(
                Diagnostic(rel, 1, 1, "error", "unreadable", f"cannot read `{rel}`: {exc.strerror or exc}", "")
            )
            return None
        text, problem = decode(raw, rel)
        if problem:
            self.diagnostics.append(problem)
            self.lost.salvage_text(raw.decode("utf-8", "replace"), rel)
        return text

    def yaml(self, rel: str) -> YamlDocument | None:
        text = self.text(rel)
        if text is None:
            return None
        doc = parse_yaml(text, rel)
        self.diagnostics.extend(doc.diagnostics)
        if doc.data is None:
            self.lost.salvage_text(text, rel)
            return None
        if doc.blanked:  # lines left out to get past a syntax error: what they declared is not unknown
            self.lost.salvage_text("\n".join(doc.blanked), rel)
        return doc

    def model(self, cls: type[N], rel: str, data: object | None = None, doc: YamlDocument | None = None) -> N | None:
        if doc is None and data is None:
            return self._cached(f"model:{cls.__name__}", rel, lambda: self._model(cls, rel))
        return self._model(cls, rel, data, doc)

    def _model(self, cls: type[N], rel: str, data: object | None = None, doc: YamlDocument | None = None) -> N | None:
        doc = doc or self.yaml(rel)
        if doc is None:
            return None
        obj, problems = validate(cls, doc, data, self.lost)
        self.diagnostics.extend(problems)
        return obj

    def markdown(self, cls: type[P], rel: str) -> P | None:
        return self._cached(f"markdown:{cls.__name__}", rel, lambda: self._markdown(cls, rel))

    def _markdown(self, cls: type[P], rel: str) -> P | None:
        text = self.text(rel)
        if text is None:
            return None
        doc, body, body_line = split_front_matter(text, rel)
        self.diagnostics.extend(doc.diagnostics)
        if doc.data is None:
            self.lost.salvage_text(text, rel)
            return None
        if doc.blanked:
            self.lost.salvage_text("\n".join(doc.blanked), rel)
        obj = self._model(cls, rel, doc=doc)
        if obj is not None:
            obj._body = body
            obj._body_line = body_line
        return obj

    def part(self, rel: str) -> m.Part | None:
        if rel.endswith(".md"):
            return self.markdown(m.ProsePart, rel)
        return self._cached("part", rel, lambda: self._part(rel))

    def _part(self, rel: str) -> m.Part | None:
        doc = self.yaml(rel)
        if doc is None:
            return None
        data = doc.data
        kind = data.get("kind") if isinstance(data, dict) else None
        cls = m.PART_KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            pos = doc.positions.get(("kind",)) or Position(rel, 1, 1)
            known = ", ".join(m.PART_KINDS)
            close = difflib.get_close_matches(str(kind), list(m.PART_KINDS), n=1)
            message = "missing `kind` of the part" if kind is None else f"unknown part kind `{kind}`"
            hint = f"did you mean `{close[0]}`?" if close else f"use one of: {known}"
            self.diagnostics.append(Diagnostic.at(pos, "error", "unknown-kind", message, hint))
            self.lost.salvage(data, rel, "part")
            return None
        return self._model(cls, rel, doc=doc)

    def regulation(self, rel: str) -> m.Regulation | None:
        reg = self.model(m.Regulation, rel)
        if reg is None:
            self._orphan_parts(rel)
            return None
        folder = rel.rsplit("/", 1)[0]
        for i, name in enumerate(reg.parts):
            part_rel = f"{folder}/{name}"
            if "/" in name or name.startswith(".") or not name.endswith((".yml", ".yaml", ".md")):
                self.diagnostics.append(
                    Diagnostic.at(
                        reg.origin.doc.positions.get(("parts", i), reg.at("parts")),
                        "error",
                        "missing-part",
                        f"part `{name}` must be a `.yml` or `.md` file in this folder",
                        "list file names only, e.g. `duties.yml`",
                    )
                )
                continue
            if not self.reader.exists(part_rel):
                present = [p.rsplit("/", 1)[1] for p in self.reader.list(folder) if p != rel]
                close = difflib.get_close_matches(name, present, n=1)
                self.diagnostics.append(
                    Diagnostic.at(
                        reg.origin.doc.positions.get(("parts", i), reg.at("parts")),
                        "error",
                        "missing-part",
                        f"part file `{name}` does not exist",
                        f"did you mean `{close[0]}`?" if close else f"create `{part_rel}`",
                    )
                )
                continue
            part = self.part(part_rel)
            if part is not None:
                reg._parts.append(part)
        listed = {f"{folder}/{n}" for n in reg.parts} | {rel}
        for other in self.reader.list(folder):
            if other not in listed and other.endswith((".yml", ".yaml", ".md")):
                self.diagnostics.append(
                    Diagnostic(
                        other,
                        1,
                        1,
                        "warning",
                        "unlisted-part",
                        f"`{other}` is not listed in `parts` of {rel} and is ignored",
                        "add it to `parts:` or delete it",
                    )
                )
        return reg

    def _orphan_parts(self, rel: str) -> None:
        """The parts of a regulation whose `regulation.yml` did not load: still checked for their own
        errors, and what they declare is known (so nothing elsewhere is reported as pointing to nothing)."""
        folder = rel.rsplit("/", 1)[0]
        for other in self.reader.list(folder):
            if other == rel or other.count("/") != rel.count("/") or not other.endswith((".yml", ".yaml", ".md")):
                continue
            part = self.part(other)
            if part is not None:
                self.lost.files.add(other)
                for node in _walk_nodes(part):
                    ident = getattr(node, "id", None)
                    if isinstance(ident, str):
                        self.lost.broken.setdefault(ident, KINDS.get(type(node)))
                    for name in text_fields(type(node)):
                        self.lost.salvage_refs(getattr(node, name))


def _walk_nodes(node: object) -> Iterator[m.Node]:
    if isinstance(node, m.Node):
        yield node
        for name in node_fields(type(node)):
            yield from _walk_nodes(getattr(node, name))
    elif isinstance(node, list):
        for item in node:
            yield from _walk_nodes(item)


def linked_folders(root: Path, listed: list[str]) -> list[Diagnostic]:
    """Symlinked folders under ``content/``: never followed, so say so (or that they leave ``content/``)."""
    found = []
    content_root = (root / CONTENT_DIR).resolve()
    for rel in listed:
        path = root / rel
        if not (path.is_symlink() and path.is_dir()):
            continue
        real = path.resolve()
        if not real.is_relative_to(content_root):
            found.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "path-escape",
                    f"`{rel}` is a link to a folder outside the content folder ({real})",
                    "keep every source inside `content/`; copy the folder instead of linking it",
                )
            )
        else:
            found.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "warning",
                    "linked-folder",
                    f"`{rel}` is a link to another folder of `content/` and is not read",
                    "move or copy the files instead of linking the folder",
                )
            )
    return found


@fewer_gc_passes()
def load(root: Path, *, files: dict[str, bytes] | None = None, cache: bool = False) -> Loaded:
    """Load ``root/content`` (or ``files``, a mapping of relative paths to bytes) into a :class:`Content`.

    ``cache``: reuse (and keep) the per-file results in ``root/.reglament-cache/`` (see
    :mod:`reglament.source.cache`); only for the working tree, not for ``files``.
    """
    reader = open_content(root, files)
    source_cache = SourceCache(root) if cache and files is None else None
    loader = Loader(reader, source_cache)
    content = load_shared(loader, root, files=files)
    for rel in regulation_files(reader):
        reg = loader.regulation(rel)
        if reg is not None:
            content.regulations.append(reg)
    loaded = finish(content, loader)
    if source_cache is not None:
        source_cache.prune()
    return loaded


def open_content(root: Path, files: dict[str, bytes] | None = None) -> SourceReader:
    """A reader of ``root/content`` (or of ``files``); raises ``NoContentError`` when there is no content."""
    reader = SourceReader(root, files)
    if files is None and not (root / CONTENT_DIR).is_dir():
        raise NoContentError(f"no `{CONTENT_DIR}/` folder in {root}")
    if not reader.list(CONTENT_DIR):
        raise NoContentError(f"`{CONTENT_DIR}/` in {root} holds no files")
    return reader


def regulation_files(reader: SourceReader) -> list[str]:
    """The ``regulation.yml`` of every regulation folder, in load order."""
    return [
        rel
        for rel in reader.list(f"{CONTENT_DIR}/regulations")
        if rel.count("/") == 3 and rel.endswith("/regulation.yml")
    ]


def load_shared(loader: Loader, root: Path, *, files: dict[str, bytes] | None = None) -> Content:
    """Everything but the regulations: the glossary, the roles, the pages and the editions (and the
    diagnostics about linked folders)."""
    reader = loader.reader
    content = Content()
    for name, cls, attr in (("glossary.yml", m.Glossary, "terms"), ("roles.yml", m.Roles, "roles")):
        rel = f"{CONTENT_DIR}/{name}"
        if not reader.exists(rel):
            loader.diagnostics.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    "error",
                    "missing-file",
                    f"`{rel}` does not exist",
                    f"create it with a top-level `{attr}:` list",
                )
            )
            continue
        obj = loader.model(cls, rel)
        if obj is not None:
            getattr(content, attr).extend(getattr(obj, attr))

    if files is None:
        loader.diagnostics.extend(linked_folders(root, reader.list(CONTENT_DIR)))
    for rel in reader.list(f"{CONTENT_DIR}/pages"):
        if rel.endswith(".md"):
            page = loader.markdown(m.Page, rel)
            if page is not None:
                content.pages.append(page)
    editions_rel = f"{CONTENT_DIR}/editions.yml"
    if reader.exists(editions_rel):
        editions = loader.model(Editions, editions_rel)
        if editions is not None:
            content.editions.extend(editions.editions)
    return content


def finish(content: Content, loader: Loader) -> Loaded:
    """Index what ``loader`` loaded into ``content`` and record what failed to load."""
    content.build_index()
    lost = loader.lost
    content.broken = {ident: kind for ident, kind in lost.broken.items() if ident not in content.index}
    content.broken_refs = set(lost.refs)
    content.broken_params = set(lost.params)
    content.incomplete = set(lost.files)
    return Loaded(content, loader.diagnostics)
