"""Load the sources under ``<root>/content`` into the typed model.

Every problem — unreadable file, YAML syntax, duplicate key, unknown field,
wrong type, missing field — becomes a positioned :class:`Diagnostic`; loading
goes on with the other files so one run reports everything.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reglament.diagnostics import Diagnostic, Position
from reglament.errors import NoContentError
from reglament.model import nodes as m
from reglament.model.content import Content, node_fields
from reglament.model.editions import Editions
from reglament.model.nodes import CONTENT_DIR
from reglament.perf import fewer_gc_passes
from reglament.source.yaml_source import YamlDocument, parse_yaml

MAX_FILE_BYTES = 5 * 1024 * 1024


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
        self._content_root: Path | None = None

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
        path = self.root / rel
        real = path.resolve()
        if self._content_root is None:
            self._content_root = (self.root / CONTENT_DIR).resolve()
        content_root = self._content_root
        if not real.is_relative_to(content_root):
            raise PermissionError(f"`{rel}` points outside the content folder (to {real})")
        if real.stat().st_size > MAX_FILE_BYTES:
            raise OverflowError(f"`{rel}` is {real.stat().st_size // 1024 // 1024} MB; the limit is 5 MB")
        return real.read_bytes()


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
        return None, Diagnostic(
            file,
            line,
            column,
            "error",
            "encoding",
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8 (in most editors: «Save with encoding» → UTF-8)",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


# --------------------------------------------------------------------------
# Validation with positions


def _strip_optional(annotation):
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


def _model_at(cls: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
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


def validate(
    cls: type[m.Node], doc: YamlDocument, data: object | None = None
) -> tuple[m.Node | None, list[Diagnostic]]:
    """Validate ``doc.data`` (or ``data``) as ``cls``; map every pydantic error to a position."""
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        pos = doc.positions.get((), Position(doc.file, 1 + doc.line_offset, 1))
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
        return None, [_error_diagnostic(cls, doc, err) for err in exc.errors()]
    attach_origins(obj, doc, ())
    return obj, []


def _error_diagnostic(cls: type[BaseModel], doc: YamlDocument, err: dict) -> Diagnostic:
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
    pos = doc.positions.get(loc)
    probe = loc
    while pos is None and probe:
        probe = probe[:-1]
        pos = doc.positions.get(probe)
    pos = pos or Position(doc.file, 1, 1)
    field_name = ".".join(str(p) for p in loc)
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
            f"`{field_name}`: {_describe(err.get('input'))} has the wrong format",
            "times are written HH:MM, e.g. `09:30`" if "0-5" in str(err.get("ctx", {})) else "",
        )
    if kind.startswith("string") and isinstance(err.get("input"), list):
        if name == "accountable":  # the RACI rule: exactly one role answers for the result
            return Diagnostic.at(
                pos,
                "error",
                "raci-accountable",
                f"`{field_name}`: a shared duty has exactly one accountable role (A), not a list",
                "keep in `accountable` the one role that answers for the result; "
                "put the others in `responsible` or `consulted`",
            )
        return Diagnostic.at(
            pos, "error", "wrong-type", f"`{field_name}` takes one value, not a list", "write a single value"
        )
    return Diagnostic.at(
        pos,
        "error",
        "wrong-type",
        f"`{field_name}`: {err['msg']} (got {_describe(err.get('input'))})",
        _type_hint(kind),
    )


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


def attach_origins(node: object, doc: YamlDocument, path: tuple) -> None:
    """Give every model node its :class:`Origin` (file and path), recursively."""
    if isinstance(node, m.Node):
        node._origin = m.Origin(doc, path)
        for name in node_fields(type(node)):
            attach_origins(getattr(node, name), doc, path + (name,))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            attach_origins(item, doc, path + (i,))


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
    def __init__(self, reader: SourceReader) -> None:
        self.reader = reader
        self.diagnostics: list[Diagnostic] = []

    def text(self, rel: str) -> str | None:
        try:
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
        return text

    def yaml(self, rel: str) -> YamlDocument | None:
        text = self.text(rel)
        if text is None:
            return None
        doc = parse_yaml(text, rel)
        self.diagnostics.extend(doc.diagnostics)
        return doc if doc.data is not None else None

    def model(self, cls: type[m.Node], rel: str, data: object | None = None, doc: YamlDocument | None = None):
        doc = doc or self.yaml(rel)
        if doc is None:
            return None
        obj, problems = validate(cls, doc, data)
        self.diagnostics.extend(problems)
        return obj

    def markdown(self, cls: type[m.ProsePart], rel: str):
        text = self.text(rel)
        if text is None:
            return None
        doc, body, body_line = split_front_matter(text, rel)
        self.diagnostics.extend(doc.diagnostics)
        if doc.data is None:
            return None
        obj = self.model(cls, rel, doc=doc)
        if obj is not None:
            obj._body = body
            obj._body_line = body_line
        return obj

    def part(self, rel: str) -> m.Part | None:
        if rel.endswith(".md"):
            return self.markdown(m.ProsePart, rel)
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
            return None
        return self.model(cls, rel, doc=doc)

    def regulation(self, rel: str) -> m.Regulation | None:
        reg = self.model(m.Regulation, rel)
        if reg is None:
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
def load(root: Path, *, files: dict[str, bytes] | None = None) -> Loaded:
    """Load ``root/content`` (or ``files``, a mapping of relative paths to bytes) into a :class:`Content`."""
    reader = SourceReader(root, files)
    if files is None and not (root / CONTENT_DIR).is_dir():
        raise NoContentError(f"no `{CONTENT_DIR}/` folder in {root}")
    if not reader.list(CONTENT_DIR):
        raise NoContentError(f"`{CONTENT_DIR}/` in {root} holds no files")
    loader = Loader(reader)
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
    for rel in reader.list(f"{CONTENT_DIR}/regulations"):
        if rel.count("/") == 3 and rel.endswith("/regulation.yml"):
            reg = loader.regulation(rel)
            if reg is not None:
                content.regulations.append(reg)
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
    content.build_index()
    return Loaded(content, loader.diagnostics)
