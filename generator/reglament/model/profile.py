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
    publish: {remote: internal-docs, branch: pages}   # where the internal site goes (never gh-pages)
    overrides:
      call-lead: {deadline: в течение 10 минут, deadline_minutes: 10}
      motivation: {bonus_base: 80000}

Every field carries a description: it becomes the JSON Schema that editors
use for autocompletion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reglament.diagnostics import Diagnostic
from reglament.errors import UnknownCompanyError
from reglament.model import nodes as m
from reglament.model.nodes import CONTENT_DIR

COMPANIES_DIR = f"{CONTENT_DIR}/companies"
DEFAULTS_FILE = f"{CONTENT_DIR}/defaults.yml"

PARAM_PATTERN = r"^[a-z][a-z0-9_]*$"
ParamName = Annotated[
    str,
    StringConstraints(pattern=PARAM_PATTERN, max_length=60),
    Field(
        description="Parameter name as used in texts (`{{ params.plan_amount }}`): "
        "lowercase Latin letters, digits and underscores."
    ),
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
    department: str | None = Field(
        default=None, min_length=1, description="The department the role belongs to in this company."
    )


class Employee(m.Node):
    """A person who reads and signs the regulations of their role (the print edition's «Лист ознакомления»)."""

    name: str = Field(min_length=1, description="Full name as it is signed: «Иванов Иван Иванович».")
    role: m.Id = Field(
        description="Role id the person holds: they sign every regulation whose `audience` lists "
        "it; the holder of a regulation's `approver` role signs the approval block."
    )
    position: str | None = Field(
        default=None, min_length=1, description="Position as printed; default: the role's name in this company."
    )
    email: str | None = Field(
        default=None,
        min_length=3,
        description="E-mail: how the acknowledgement service (`reglament ack`) recognises the "
        "person behind a single sign-on proxy, and where reminders go.",
    )
    number: str | None = Field(
        default=None, min_length=1, description="Personnel number («табельный номер»): an identity for `reglament ack`."
    )


# --------------------------------------------------------------------------
# Where an internal site is published

PAGES_REMOTE = "origin"
"""The remote of the public Pages branch unless `publish --remote` says otherwise."""
PAGES_BRANCH = "gh-pages"
"""The public Pages branch: a public website for a public repository."""

REMOTE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
#: https://host/path, ssh://[user@]host/path, file:///path, or scp-like user@host:path — nothing that runs a
#: command (`ext::`), no plain-text transport (`http://`, `git://`), no spaces or quotes
REMOTE_URL_RE = re.compile(
    r"^(?:(?:https|ssh)://[A-Za-z0-9._~%@-]+(?::\d+)?/[^\s\"'<>`\\]+|file:///[^\s\"'<>`\\]+"
    r"|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s\"'<>`\\/][^\s\"'<>`\\]*)$"
)
_BRANCH_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]{0,99}$")


def is_remote_url(remote: str) -> bool:
    """A remote written as a URL (or scp-like ``user@host:path``), not as the name of a configured git remote."""
    return "://" in remote or "@" in remote or ":" in remote


def _target_error(message: str, hint: str, **ctx: str) -> PydanticCustomError:
    return PydanticCustomError("publish_target", message, {"hint": hint, **ctx})


class PublishTarget(m.Node):
    """Where `reglament publish` puts an internal site: a git branch that only employees can read.

    A Pages branch of a public repository is a public website, so an internal
    site never goes there; it goes to this remote's branch instead, served by
    a host with access control (GitHub Enterprise private Pages, GitLab Pages
    access control, any static host behind authentication).
    """

    remote: str = Field(
        min_length=1,
        max_length=300,
        description="The git remote to push the internal site to: the name of a remote configured in the "
        "publishing clone (`internal-docs`; in CI the workflow adds it from a secret), or its address without "
        "credentials (`git@gitlab.example.ru:docs/internal.git`, `https://ghe.example.ru/docs/internal.git`).",
        json_schema_extra={"pattern": f"{REMOTE_NAME_RE.pattern}|{REMOTE_URL_RE.pattern}"},
    )
    branch: str = Field(
        default=PAGES_BRANCH,
        min_length=1,
        max_length=100,
        description="The branch of `remote` that the access-controlled host serves; default: `gh-pages`. "
        "The remote's branch must not be the public Pages branch.",
        json_schema_extra={"pattern": _BRANCH_RE.pattern},
    )

    @field_validator("remote")
    @classmethod
    def _remote(cls, value: str) -> str:
        if is_remote_url(value):
            if re.match(r"^https://[^/]*@", value):
                raise _target_error(
                    "the address `{given}` carries credentials; content is read by everyone who reads the repository",
                    "write the address without `user:token@` (or the name of a git remote) and give the "
                    "credentials to git in the publishing job (a secret, a deploy key)",
                    given=re.sub(r"//[^/@]*@", "//***@", value),
                )
            if not REMOTE_URL_RE.match(value):
                raise _target_error(
                    "`{given}` is not a git remote address reglament pushes to",
                    "write `https://host/path.git`, `ssh://git@host/path.git`, `git@host:path.git` or "
                    "`file:///path` — or the name of a git remote (`internal-docs`)",
                    given=value,
                )
        elif not REMOTE_NAME_RE.match(value):
            raise _target_error(
                "`{given}` is not the name of a git remote",
                "a remote name is Latin letters, digits, `.`, `_` and `-` (`internal-docs`); "
                "or write the remote's address",
                given=value,
            )
        return value

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if (
            not _BRANCH_RE.match(value)
            or ".." in value
            or "//" in value
            or value.endswith(("/", ".", ".lock"))
            or "/." in value
        ):
            raise _target_error(
                "`{given}` is not a git branch name",
                "write a plain branch name such as `pages` or `internal-pages`",
                given=value,
            )
        return value

    @model_validator(mode="after")
    def _not_the_pages_branch(self) -> PublishTarget:
        if self.remote == PAGES_REMOTE and self.branch == PAGES_BRANCH:
            raise _target_error(
                "`{remote}` branch `{branch}` is the public Pages branch: an internal site there is on the public web",
                "name another remote (a host with access control) or another branch that only employees can read",
                remote=self.remote,
                branch=self.branch,
            )
        return self

    @property
    def label(self) -> str:
        """``remote:branch`` for messages."""
        return f"{self.remote} {self.branch}"


PUBLISH_DESCRIPTION = (
    "Where `reglament publish` pushes this site when it is internal (`visibility: internal`): "
    "`{remote: internal-docs, branch: pages}`. Without it an internal site is never published "
    "(a Pages branch is a public website); a public site always goes to the Pages branch."
)


#: an http(s) address without spaces, quotes or angle brackets (it goes into a page's HTML)
AckUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s\"'<>`]+$", max_length=300)]

EMPLOYEES_DESCRIPTION = (
    "People of the company, by role: the print edition (`reglament pdf`) pre-fills the acknowledgement sheet "
    "(«Лист ознакомления») of each regulation with the employees of its audience roles, and names the holder "
    "of its approver role in the approval block. Personal data: never printed in a public build."
)


class Defaults(m.Node):
    """`content/defaults.yml`: the base regulation's own names and parameters.

    The base build (no company) renders texts with these values, and every
    company profile inherits the parameters it does not set.
    """

    name: str | None = Field(
        default=None, min_length=1, description="Full name used by the base regulation: «Компания»."
    )
    short_name: str | None = Field(
        default=None, min_length=1, description="Short name used by the base regulation: «Компания»."
    )
    city: str | None = Field(default=None, min_length=1, description="City, when texts mention it.")
    params: dict[ParamName, ParamValue] = Field(
        default_factory=dict, description="Default parameter values; a profile overrides them one by one."
    )
    visibility: m.Visibility = Field(
        default="internal",
        description="Site visibility of the base build: `internal` shows internal items (an editor's preview), "
        "`public` leaves them out.",
    )
    employees: list[Employee] = Field(
        default_factory=list,
        description=EMPLOYEES_DESCRIPTION + " Here: the base build's people; companies list their own.",
    )
    ack_url: AckUrl | None = Field(
        default=None,
        description="The acknowledgement service (`reglament ack serve`) of the base build (companies inherit it): its address, "
        "`https://ack.example.ru`. Each regulation page then shows the reader's status «Вы ознакомлены с "
        "редакцией …» or a button «Ознакомиться»; without it the site has no link to the service.",
    )
    publish: PublishTarget | None = Field(
        default=None,
        description=PUBLISH_DESCRIPTION + " Here: the default site's target, and every company's unless its "
        "profile names its own.",
    )


class Profile(m.Node):
    """`content/companies/<id>.yml`: how one company's variant differs from the base regulation."""

    id: m.Id = Field(description="Company id: the file name without `.yml`; names the site folder `site/<id>/`.")
    name: str = Field(min_length=1, description="Full legal name: «Общество с ограниченной ответственностью «Вектор»».")
    short_name: str = Field(min_length=1, description="Short name used in texts and the site title: «ООО «Вектор»».")
    city: str | None = Field(default=None, min_length=1, description="City of the company (`{{ company.city }}`).")
    site_title: str | None = Field(
        default=None,
        min_length=1,
        description="Title of the company's site; default: the `site_name` of mkdocs.yml and the short name.",
    )
    visibility: m.Visibility = Field(
        default="public",
        description="`public`: the site leaves out every internal item (and fails if public text would point at "
        "one); `internal`: the site is for employees and shows internal items too.",
    )
    roles: dict[m.Id, RoleNames] = Field(
        default_factory=dict, description="Role display names in this company, by role id."
    )
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
    ack_url: AckUrl | None = Field(
        default=None,
        description="The acknowledgement service (`reglament ack serve`) of this company; default: the one in `content/defaults.yml`: its address, "
        "`https://ack.example.ru`. Each regulation page then shows the reader's status «Вы ознакомлены с "
        "редакцией …» or a button «Ознакомиться»; without it the site has no link to the service.",
    )
    publish: PublishTarget | None = Field(
        default=None, description=PUBLISH_DESCRIPTION + " Default: the one in `content/defaults.yml`."
    )


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
        """The loaded profile of this company, or None (absent or broken: see :meth:`lookup`)."""
        return next((p for p in self.companies if p.id == company_id), None)

    @property
    def ids(self) -> list[str]:
        """Ids of the profiles that loaded, in file order."""
        return [p.id for p in self.companies]

    def problems_of(self, company_id: str) -> list[Diagnostic]:
        """The diagnostics of this company's own profile file (``companies/<id>.yml`` or ``.yaml``)."""
        return [d for d in self.diagnostics if _profile_stem(d.file) == company_id]

    @property
    def broken_ids(self) -> list[str]:
        """Ids (file names) of profiles that exist but do not load: checked, and failed, with their own errors."""
        stems = {_profile_stem(d.file) for d in self.diagnostics if d.severity == "error"}
        return sorted(s for s in stems - set(self.ids) if s is not None)

    @property
    def all_ids(self) -> list[str]:
        """Every company: the loaded profiles, then the broken ones."""
        return self.ids + self.broken_ids

    def lookup(self, company_id: str) -> Profile | None:
        """The one answer to "which company is this id?" — used by every command.

        Returns the loaded profile; None when the profile exists but does not
        load (:meth:`problems_of` says why); raises
        :class:`~reglament.errors.UnknownCompanyError` when there is no profile.
        """
        profile = self.get(company_id)
        if profile is None and company_id not in self.broken_ids:
            raise UnknownCompanyError(company_id, self.ids, folder=COMPANIES_DIR)
        return profile

    def publish_target(self, company_id: str | None) -> PublishTarget | None:
        """Where the internal site of this company (None: the default site) is published: its profile's
        `publish`, else the defaults'; None when neither names one (or the profile does not load)."""
        profile = self.get(company_id) if company_id is not None else None
        if profile is not None and profile.publish is not None:
            return profile.publish
        return self.defaults.publish if self.defaults is not None else None


def _profile_stem(file: str) -> str | None:
    """The company id a diagnostic's file names, when it is a profile (``content/companies/<id>.yml|.yaml``)."""
    folder, _, name = file.rpartition("/")
    if folder != COMPANIES_DIR or not name.endswith((".yml", ".yaml")):
        return None
    return name.rsplit(".", 1)[0]


PARAM_NAME_RE = re.compile(PARAM_PATTERN)
