"""Company profiles: one base regulation, many companies.

A profile lives in ``content/companies/<id>.yml`` and says how one company's
variant differs from the base: its names, role and department display names,
the parameters its texts use (``{{ params.plan_amount }}``), which regulations
and parts apply, which items are left out, clause-level overrides, and whether
its site is public. ``content/defaults.yml`` (optional) holds the base
regulation's own names and parameter values: the base build uses them, and a
profile inherits every default it does not set.

Example (``content/companies/vector-msk.yml``)::

    id: vector-msk
    name: Общество с ограниченной ответственностью «Вектор»
    short_name: ООО «Вектор»
    city: Москва
    visibility: internal          # the site may show internal items
    roles:
      manager: {name: Менеджер по продажам}
    departments:
      Отдел продаж: Коммерческий отдел
    params:
      plan_amount: 3000000
      response_minutes: 15
      bonus_share: {value: 40, visibility: internal}
    exclude: [red-discount]       # any id: regulation, part, clause, duty, term…
    overrides:
      call-lead: {deadline: в течение 10 минут, deadline_minutes: 10}
      motivation: {bonus_base: 80000}

Every field carries a description: it becomes the JSON Schema that editors
use for autocompletion.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from . import model as m
from .diagnostics import Diagnostic
from .loader import CONTENT_DIR, Loader, SourceReader, attach_origins

COMPANIES_DIR = f"{CONTENT_DIR}/companies"
DEFAULTS_FILE = f"{CONTENT_DIR}/defaults.yml"

PARAM_PATTERN = r"^[a-z][a-z0-9_]*$"
ParamName = Annotated[
    str,
    StringConstraints(pattern=PARAM_PATTERN, max_length=60),
    Field(description="Parameter name as used in texts (`{{ params.plan_amount }}`): "
                      "lowercase Latin letters, digits and underscores."),
]
Scalar = bool | int | float | str


class Param(m.Node):
    """A parameter with metadata; a plain value (`plan_amount: 3000000`) is a public parameter."""

    value: Scalar = Field(description="The value texts show: a number, text, or true/false.")
    visibility: m.Visibility = Field(
        default="public",
        description="`internal`: the value may appear only in internal items; a public site that "
                    "would show it fails to build.",
    )
    description: str = Field(default="", description="What the parameter means (for editors; never shown).")


ParamValue = Annotated[
    bool | int | float | str | Param,
    Field(description="A value (number, text, true/false) or `{value: …, visibility: internal}`."),
]


class RoleNames(m.Node):
    """Display names of a role in this company."""

    name: str | None = Field(default=None, min_length=1, description="The role's name in this company.")
    department: str | None = Field(default=None, min_length=1,
                                   description="The department the role belongs to in this company.")


class Employee(m.Node):
    """A person who reads and signs the regulations of their role (the print edition's «Лист ознакомления»)."""

    name: str = Field(min_length=1, description="Full name as it is signed: «Иванов Иван Иванович».")
    role: m.Id = Field(description="Role id the person holds: they sign every regulation whose `audience` lists "
                                   "it; the holder of a regulation's `approver` role signs the approval block.")
    position: str | None = Field(default=None, min_length=1,
                                 description="Position as printed; default: the role's name in this company.")


EMPLOYEES_DESCRIPTION = (
    "People of the company, by role: the print edition (`reglament pdf`) pre-fills the acknowledgement sheet "
    "(«Лист ознакомления») of each regulation with the employees of its audience roles, and names the holder "
    "of its approver role in the approval block. Personal data: never printed in a public build.")


class Defaults(m.Node):
    """`content/defaults.yml`: the base regulation's own names and parameters.

    The base build (no company) renders texts with these values, and every
    company profile inherits the parameters it does not set.
    """

    name: str | None = Field(default=None, min_length=1,
                             description="Full name used by the base regulation: «Компания».")
    short_name: str | None = Field(default=None, min_length=1,
                                   description="Short name used by the base regulation: «Компания».")
    city: str | None = Field(default=None, min_length=1, description="City, when texts mention it.")
    params: dict[ParamName, ParamValue] = Field(
        default_factory=dict, description="Default parameter values; a profile overrides them one by one.")
    visibility: m.Visibility = Field(
        default="internal",
        description="Site visibility of the base build: `internal` shows internal items (an editor's preview), "
                    "`public` leaves them out.",
    )
    employees: list[Employee] = Field(default_factory=list, description=EMPLOYEES_DESCRIPTION
                                      + " Here: the base build's people; companies list their own.")


class Profile(m.Node):
    """`content/companies/<id>.yml`: how one company's variant differs from the base regulation."""

    id: m.Id = Field(description="Company id: the file name without `.yml`; names the site folder `site/<id>/`.")
    name: str = Field(min_length=1,
                      description="Full legal name: «Общество с ограниченной ответственностью «Вектор»».")
    short_name: str = Field(min_length=1, description="Short name used in texts and the site title: «ООО «Вектор»».")
    city: str | None = Field(default=None, min_length=1, description="City of the company (`{{ company.city }}`).")
    site_title: str | None = Field(
        default=None, min_length=1,
        description="Title of the company's site; default: the `site_name` of mkdocs.yml and the short name.",
    )
    visibility: m.Visibility = Field(
        default="public",
        description="`public`: the site leaves out every internal item (and fails if public text would point at "
                    "one); `internal`: the site is for employees and shows internal items too.",
    )
    roles: dict[m.Id, RoleNames] = Field(
        default_factory=dict, description="Role display names in this company, by role id.")
    departments: dict[str, Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=dict,
        description="Department renames: base department name → this company's name "
                    "(`Отдел продаж: Коммерческий отдел`).",
    )
    params: dict[ParamName, ParamValue] = Field(
        default_factory=dict,
        description="Parameters texts use as `{{ params.name }}`: plan amounts, currency, response limits, "
                    "working hours, bonus percentages… Defaults come from `content/defaults.yml`.",
    )
    include: list[m.Id] = Field(
        default_factory=list,
        description="Regulations (or parts) this company uses; empty: all of them. Listing a part keeps only the "
                    "listed parts of its regulation.",
    )
    exclude: list[m.Id] = Field(
        default_factory=list,
        description="Ids left out of this company's variant: regulations, parts, clauses, duties, KPIs, "
                    "reductions, terms, roles, pages… Items are renumbered.",
    )
    overrides: dict[m.Id, dict[str, Any]] = Field(
        default_factory=dict,
        description="Clause-level overrides by item id: the fields to replace (`text`, `deadline`, "
                    "`bonus_percent`, `bonus_base`, nested `fixed: {amount: …}`…). Texts may use `[[refs]]` "
                    "and `{{ params.x }}`.",
    )
    employees: list[Employee] = Field(default_factory=list, description=EMPLOYEES_DESCRIPTION)


# --------------------------------------------------------------------------
# Parameters as seen by the variant


@dataclass(frozen=True)
class ParamInfo:
    """A resolved parameter: its value, visibility and where it was defined."""

    name: str
    value: Scalar
    visibility: str
    file: str
    line: int
    column: int


def param_infos(owner: Profile | Defaults | None) -> dict[str, ParamInfo]:
    """The parameters defined by ``owner``, with their positions (the key in `params:`)."""
    if owner is None:
        return {}
    out = {}
    for name, raw in owner.params.items():
        pos = owner.origin.doc.key_positions.get(owner.origin.path + ("params", name)) or owner.at("params")
        if isinstance(raw, Param):
            out[name] = ParamInfo(name, raw.value, raw.visibility, *pos)
        else:
            out[name] = ParamInfo(name, raw, "public", *pos)
    return out


# --------------------------------------------------------------------------
# Loading


@dataclass
class Profiles:
    """Every company profile of a project, the defaults, and the problems found loading them."""

    companies: list[Profile] = field(default_factory=list)
    defaults: Defaults | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def get(self, company_id: str) -> Profile | None:
        return next((p for p in self.companies if p.id == company_id), None)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.companies]


class UnknownCompanyError(Exception):
    """A company id that has no profile (the CLI exits 2)."""

    def __init__(self, company_id: str, known: list[str]) -> None:
        close = difflib.get_close_matches(company_id, known, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else (
            f"; known companies: {', '.join(known)}" if known else f"; there are no profiles in {COMPANIES_DIR}/")
        super().__init__(f"no company profile `{company_id}`{hint}")
        self.company_id = company_id


def _attach_dict_origins(obj: m.Node, field_name: str) -> None:
    """Origins for model values held in a dict field (``attach_origins`` walks lists only)."""
    values = getattr(obj, field_name)
    for key, value in values.items():
        if isinstance(value, m.Node):
            attach_origins(value, obj.origin.doc, obj.origin.path + (field_name, key))


def load_profiles(root: Path, *, files: dict[str, bytes] | None = None) -> Profiles:
    """Load ``content/companies/*.yml`` and ``content/defaults.yml`` (both optional)."""
    reader = SourceReader(root, files)
    loader = Loader(reader)
    result = Profiles()
    if reader.exists(DEFAULTS_FILE):
        defaults = loader.model(Defaults, DEFAULTS_FILE)
        if defaults is not None:
            _attach_dict_origins(defaults, "params")
            result.defaults = defaults
    for rel in reader.list(COMPANIES_DIR):
        name = rel[len(COMPANIES_DIR) + 1:]
        if "/" in name or not name.endswith((".yml", ".yaml")):
            if name.endswith((".yml", ".yaml", ".md")):
                loader.diagnostics.append(Diagnostic(rel, 1, 1, "warning", "unlisted-part",
                                                     f"`{rel}` is not a company profile and is ignored",
                                                     f"keep profiles directly in `{COMPANIES_DIR}/`"))
            continue
        profile = loader.model(Profile, rel)
        if profile is None:
            continue
        stem = name.rsplit(".", 1)[0]
        if profile.id != stem:
            loader.diagnostics.append(Diagnostic.at(
                profile.at("id"), "error", "profile-id",
                f"profile id `{profile.id}` does not match its file name `{name}`",
                f"rename the file to `{profile.id}.yml` or set `id: {stem}`"))
            continue
        _attach_dict_origins(profile, "params")
        _attach_dict_origins(profile, "roles")
        result.companies.append(profile)
    result.diagnostics = loader.diagnostics
    return result


PARAM_NAME_RE = re.compile(PARAM_PATTERN)
