"""The .docx as untrusted input: a zip whose parts are read within bounds, XML without entities.

A .docx comes from outside (mail, a document management system), so:

- sizes are bounded before anything is inflated: the file, each part, all parts together,
  and the compression ratio (a zip bomb inflates a few KB into gigabytes);
- inflating is bounded too (the sizes in a zip header may lie): reads stop at the limit;
- part names are never used as paths: images are written under names we make
  (:func:`safe_name`), so ``../../etc/passwd`` in a part name reaches no file system;
- XML is parsed with entities, DTDs and network access off (no XXE, no billion laughs).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from lxml import etree

from .errors import UnsafeDocxError, WordError

MAX_FILE = 100 * 1024 * 1024
"""Largest .docx accepted, bytes."""
MAX_PART = 50 * 1024 * 1024
"""Largest single part, inflated."""
MAX_TOTAL = 300 * 1024 * 1024
"""Largest sum of inflated parts."""
MAX_PARTS = 5000
MAX_RATIO = 200
"""Largest inflated/compressed ratio of a part above 1 MB (plain XML compresses ~10-30×)."""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {
    "w": W,
    "r": R,
    "pr": PR,
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "v": "urn:schemas-microsoft-com:vml",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)


def w(tag: str) -> str:
    """``{w-namespace}tag``."""
    return f"{{{W}}}{tag}"


def parse_xml(data: bytes, *, name: str = "") -> etree._Element:
    """XML → element, refusing a DTD (entities are the XXE and billion-laughs vectors)."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise UnsafeDocxError(f"{name or 'XML part'}: a DTD or entity declaration is not allowed in a .docx")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WordError(f"{name or 'XML part'} is not well-formed XML: {exc}") from exc


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool


class DocxPackage:
    """The parts of a .docx, read lazily and within bounds."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise WordError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if size > MAX_FILE:
            raise UnsafeDocxError(f"{path}: {size} bytes is more than the {MAX_FILE} a .docx may have")
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise WordError(f"{path} is not a .docx (not a zip package): {exc}") from exc
        infos = self._zip.infolist()
        if len(infos) > MAX_PARTS:
            raise UnsafeDocxError(f"{path}: {len(infos)} parts (at most {MAX_PARTS})")
        total = 0
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.file_size > MAX_PART:
                raise UnsafeDocxError(f"{path}: part {info.filename!r} inflates to {info.file_size} bytes")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UnsafeDocxError(f"{path}: part {info.filename!r} has a compression ratio of a zip bomb")
            total += info.file_size
            self._infos[info.filename] = info
        if total > MAX_TOTAL:
            raise UnsafeDocxError(f"{path}: parts inflate to {total} bytes (at most {MAX_TOTAL})")
        self._read_total = 0
        self.main = self._main_part()

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """A part's bytes; the read stops at :data:`MAX_PART` whatever the header claims."""
        info = self._infos.get(name)
        if info is None:
            raise WordError(f"{self.path}: no part {name!r}")
        with self._zip.open(info) as fh:
            data = fh.read(MAX_PART + 1)
        if len(data) > MAX_PART:
            raise UnsafeDocxError(f"{self.path}: part {name!r} inflates beyond {MAX_PART} bytes")
        self._read_total += len(data)
        if self._read_total > MAX_TOTAL:
            raise UnsafeDocxError(f"{self.path}: parts inflate beyond {MAX_TOTAL} bytes in total")
        return data

    def xml(self, name: str) -> etree._Element | None:
        """A part parsed as XML, or None when the package has no such part."""
        if not self.has(name):
            return None
        return parse_xml(self.read(name), name=name)

    def rels(self, part: str) -> dict[str, Rel]:
        """The relationships of ``part`` (targets resolved to part names inside the package)."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out: dict[str, Rel] = {}
        if root is None:
            return out
        for rel in root.iter(f"{{{PR}}}Relationship"):
            external = rel.get("TargetMode") == "External"
            target = rel.get("Target", "")
            if not external:
                target = part_name(folder, target)
            out[rel.get("Id", "")] = Rel(rel.get("Id", ""), rel.get("Type", ""), target, external)
        return out

    def _main_part(self) -> str:
        for rel in self.rels("").values():
            if rel.type == OFFICE_DOCUMENT and self.has(rel.target):
                return rel.target
        if self.has("word/document.xml"):
            return "word/document.xml"
        raise WordError(f"{self.path} is not a Word document (no main document part)")


def part_name(folder: str, target: str) -> str:
    """A relationship target → a part name in the package; never leaves the package root."""
    if target.startswith("/"):
        joined = target.lstrip("/")
    else:
        joined = posixpath.join(folder, target)
    parts: list[str] = []
    for piece in joined.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
            continue
        parts.append(piece)
    return "/".join(parts)


_UNSAFE = re.compile(r"[^a-z0-9._-]+")
IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "svg", "emf", "wmf"}


def safe_name(name: str, *, index: int) -> str:
    """A file name for an image from its part name: the last component only, lowercase, ASCII, bounded."""
    base = posixpath.basename(name.replace("\\", "/")).lower()
    stem, _, ext = base.rpartition(".")
    ext = ext if ext in IMAGE_TYPES else "bin"
    stem = _UNSAFE.sub("-", stem).strip("-.")[:40] or "image"
    return f"{index:02d}-{stem}.{ext}"
