"""JSON Schema for every source file kind, generated from the pydantic models.

Editors (VS Code's YAML extension, JetBrains IDEs) read these files to
validate and autocomplete the sources while they are typed: every field's
docstring in :mod:`reglament.model` becomes the description shown on hover.
A source file names its schema in its first line::

    # yaml-language-server: $schema=../../../schema/part-duties.schema.json

The schemas describe the shape of one file; what spans files (references,
unique ids, KPI weights…) stays the job of ``reglament check``.

The schema folder is committed; :func:`stale_files` tells whether it still
matches the models (``reglament schema --check``, and a test).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from reglament.model import editions as ed
from reglament.model import nodes as m
from reglament.model import profile as pr

#: Draft-07: the newest draft that every editor's YAML language server reads.
#: Pydantic's output (``$defs`` with JSON-pointer ``$ref``s, ``anyOf``,
#: ``const``, ``pattern``) is valid draft-07.
DIALECT = "http://json-schema.org/draft-07/schema#"
SUFFIX = ".schema.json"
DEFAULT_DIR = "schema"


@dataclass(frozen=True)
class SchemaKind:
    """One source file kind: the schema file it gets and the files it describes."""

    name: str
    """File name in the schema folder, without the suffix: `glossary`."""
    title: str
    """Title editors show for the schema."""
    target: Any
    """The pydantic model class (or a type a TypeAdapter accepts) the schema comes from."""
    files: str
    """Glob (relative to the project root) of the source files of this kind."""

    @property
    def filename(self) -> str:
        return self.name + SUFFIX


def _yaml_part_union() -> Any:
    return Annotated[Union[tuple(m.PART_KINDS.values())], Field(discriminator="kind")]  # noqa: UP007 (a runtime union)


def schema_kinds() -> list[SchemaKind]:
    """Every schema ``reglament schema`` writes, in a stable order."""
    kinds = [
        SchemaKind("glossary", "reglament: glossary (content/glossary.yml)", m.Glossary, "content/glossary.yml"),
        SchemaKind("roles", "reglament: roles (content/roles.yml)", m.Roles, "content/roles.yml"),
        SchemaKind(
            "regulation",
            "reglament: regulation metadata (regulation.yml)",
            m.Regulation,
            "content/regulations/*/regulation.yml",
        ),
        SchemaKind(
            "part",
            "reglament: a YAML part of a regulation (any kind)",
            _yaml_part_union(),
            "content/regulations/*/*.yml",
        ),
    ]
    for kind, cls in m.PART_KINDS.items():
        kinds.append(
            SchemaKind(
                f"part-{kind}", f"reglament: a `{kind}` part of a regulation", cls, "content/regulations/*/*.yml"
            )
        )
    kinds.append(
        SchemaKind("prose", "reglament: front matter of a Markdown part or page", m.ProsePart, "content/**/*.md")
    )
    kinds.append(
        SchemaKind("editions", "reglament: editions (content/editions.yml)", ed.Editions, "content/editions.yml")
    )
    kinds.append(
        SchemaKind(
            "company",
            "reglament: a company profile (content/companies/<id>.yml)",
            pr.Profile,
            "content/companies/*.yml",
        )
    )
    kinds.append(
        SchemaKind(
            "defaults",
            "reglament: the base regulation's names and parameters (content/defaults.yml)",
            pr.Defaults,
            "content/defaults.yml",
        )
    )
    return kinds


# --------------------------------------------------------------------------
# Values as people write them: what the loader reads as meant, the schema accepts too

_SPACES = "[ \u00a0\u202f\u2009]"  # the digit-group separators the loader takes (space, no-break, narrow, thin)
_DIGITS = rf"(?:\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d+)"  # `60 000`, `1 200 000` or `60000`
_NUMBER_TEXT = rf"^\s*[+-]?{_DIGITS}(?:[.,]\d+)?\s*$"
_NON_NEGATIVE_TEXT = rf"^\s*\+?{_DIGITS}(?:[.,]\d+)?\s*$"
_WHOLE_TEXT = rf"^\s*\+?{_DIGITS}(?:[.,]0+)?\s*$"
_PERCENT_TEXT = r"^\s*\+?(?!0*(?:[.,]0*)?\s*$)0*(?:\d{1,2}(?:[.,]\d+)?|100(?:[.,]0+)?)\s*$"  # 0 < x <= 100
_CLOCK_TEXT = r"^\s*(?:[01]?[0-9]|2[0-3]):[0-5][0-9]\s*$"  # `9:15` is read as `09:15`


def _any_case(*words: str) -> str:
    return "|".join("".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word) for word in words)


#: `да`/`нет` (any case), and the words pydantic itself reads as booleans
_FLAG_TEXT = rf"^\s*(?:{_any_case('да', 'нет', 'true', 'false', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n')}|1|0)\s*$"


def _number_text(inner: JsonSchemaValue) -> str:
    """The pattern of a number written as text, for the bounds of ``inner`` (a number's JSON Schema)."""
    low = inner.get("minimum", inner.get("exclusiveMinimum"))
    if inner.get("type") == "integer":
        return _WHOLE_TEXT if low is not None and low >= 0 else _NUMBER_TEXT
    if inner.get("exclusiveMinimum") == 0 and inner.get("maximum") == 100:
        return _PERCENT_TEXT
    return _NON_NEGATIVE_TEXT if low is not None and low >= 0 else _NUMBER_TEXT


class _NaturalValues(GenerateJsonSchema):
    """Pydantic's schema, with the values the model's before-validators read as meant accepted as written:
    `60 000`, `12,5` for numbers (``nodes.Number`` and its bounded kin), `да`/`нет` for flags, `9:15` for times.
    The shape of the text is checked here; what spans values stays with ``reglament check``."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        inner = super().function_before_schema(schema)
        function = schema["function"].get("function")
        if function is m._number and inner.get("type") in ("number", "integer"):
            return {"anyOf": [inner, {"type": "string", "pattern": _number_text(inner)}]}
        if function is m._yes_no and inner.get("type") == "boolean":
            return {"anyOf": [inner, {"type": "string", "pattern": _FLAG_TEXT}]}
        if function is m._clock and inner.get("type") == "string":
            return {**inner, "pattern": _CLOCK_TEXT}
        return inner


def _schema_of(kind: SchemaKind) -> dict:
    target = kind.target
    if isinstance(target, type) and issubclass(target, m.Node):
        body = target.model_json_schema(mode="validation", schema_generator=_NaturalValues)
    else:
        body = TypeAdapter(target).json_schema(mode="validation", schema_generator=_NaturalValues)
    out: dict = {"$schema": DIALECT, "title": kind.title}
    description = body.pop("description", None)
    body.pop("title", None)
    if description:
        out["description"] = description
    out.update(body)
    _key_patterns(out)
    return out


def _key_patterns(node: object) -> None:
    """Make a mapping's key pattern binding: pydantic puts it in ``patternProperties`` only, where a key
    that does not match is still allowed; ``propertyNames`` makes the editor flag it."""
    if isinstance(node, dict):
        patterns = node.get("patternProperties")
        names = node.get("propertyNames")
        if isinstance(patterns, dict) and len(patterns) == 1 and isinstance(names, dict) and "pattern" not in names:
            names["pattern"] = next(iter(patterns))
        for value in node.values():
            _key_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _key_patterns(value)


def render_schema(kind: SchemaKind) -> str:
    """The text of ``kind``'s schema file (stable: equal models give equal bytes)."""
    return json.dumps(_schema_of(kind), ensure_ascii=False, indent=2) + "\n"


def generate() -> dict[str, str]:
    """File name → schema text, for every source kind."""
    return {kind.filename: render_schema(kind) for kind in schema_kinds()}


def stale_files(folder: Path) -> list[str]:
    """Names of schema files in ``folder`` that are missing, out of date, or no longer generated."""
    wanted = generate()
    stale = []
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    if folder.is_dir():
        stale.extend(sorted(p.name for p in folder.glob("*" + SUFFIX) if p.name not in wanted))
    return stale


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; remove schema files no longer generated. Returns what changed."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = generate()
    changed = []
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in sorted(folder.glob("*" + SUFFIX)):
        if path.name not in wanted:
            path.unlink()
            changed.append(path)
    return changed


def schema_for_source(rel: str, data: object = None) -> str | None:
    """Schema file name for a source path (relative to the project root), or None.

    For a YAML part the ``kind`` in ``data`` picks the part's own schema, which
    autocompletes better than the union.
    """
    path = PurePosixPath(rel)
    parts = path.parts
    if parts[:1] != ("content",):
        return None
    if parts == ("content", "glossary.yml"):
        return "glossary" + SUFFIX
    if parts == ("content", "roles.yml"):
        return "roles" + SUFFIX
    if parts == ("content", "editions.yml"):
        return "editions" + SUFFIX
    if parts == ("content", "defaults.yml"):
        return "defaults" + SUFFIX
    if len(parts) == 3 and parts[1] == "companies" and path.suffix in (".yml", ".yaml"):
        return "company" + SUFFIX
    if len(parts) == 4 and parts[1] == "regulations" and path.suffix in (".yml", ".yaml"):
        if path.name == "regulation.yml":
            return "regulation" + SUFFIX
        kind = data.get("kind") if isinstance(data, dict) else None
        if isinstance(kind, str) and kind in m.PART_KINDS:
            return f"part-{kind}{SUFFIX}"
        return "part" + SUFFIX
    return None


def modeline(rel: str, schema_name: str, *, schema_dir: str = DEFAULT_DIR) -> str:
    """The ``# yaml-language-server: $schema=…`` line for source ``rel``, with a path relative to it."""
    depth = len(PurePosixPath(rel).parts) - 1
    target = (
        PurePosixPath(*([".."] * depth), schema_dir, schema_name) if depth else PurePosixPath(schema_dir, schema_name)
    )
    return f"# yaml-language-server: $schema={target.as_posix()}"
