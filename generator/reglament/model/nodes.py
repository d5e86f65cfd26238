"""The typed model of a regulation set: one class per source kind.

Every field carries a docstring (its ``description``) that becomes the JSON
Schema description editors show. Fields annotated as :data:`Text` may hold
``[[id]]`` / ``[[id|display form]]`` references and are scanned by the checker
and the renderer; every other string is plain data.

Each node remembers where it came from (:attr:`Node.origin`), set by the
loader after validation, so any later stage can point at a file:line:column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Literal, Protocol, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StringConstraints
from pydantic_core import PydanticCustomError, PydanticUndefined

from reglament.diagnostics import Position

CONTENT_DIR = "content"
"""The sources' folder under a project's root."""

SLUG_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)


class LineMap(Protocol):
    """Maps a position in a rendered (templated) text back to its source (the variant stage provides one)."""

    def position(self, index: int, column: int) -> tuple[int, int]: ...


class TextMarker:
    """Metadata marking a string field as text that may hold references."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "Text"


TEXT = TextMarker()

Id = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=80),
    Field(description="Stable Latin slug: lowercase letters, digits and hyphens, e.g. `lead-card`."),
]
Text = Annotated[str, TEXT]
Visibility = Literal["public", "internal"]
_CLOCK_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _clock(value: object) -> object:
    """`9:15` is taken as meant (`09:15`); a time YAML read as a number (`9.15`, `9:15` in YAML 1.1) is
    rejected with the exact fix: quotes and a colon."""
    if isinstance(value, str):
        match = _CLOCK_RE.match(value)
        if match and ":" in value:
            return f"{int(match.group(1)):02d}:{match.group(2)}"
        if match:  # "9.15" quoted, with a dot
            raise PydanticCustomError(
                "clock", "time `{given}` is written with a dot", {"given": value, "fix": _fixed(match)}
            )
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value:.2f}" if isinstance(value, float) else f"{value}.00"
        match = _CLOCK_RE.match(text)
        if match:
            raise PydanticCustomError(
                "clock", "time `{given}` is read as a number", {"given": str(value), "fix": _fixed(match)}
            )
    return value


def _fixed(match: re.Match) -> str:
    return f"{int(match.group(1)):02d}:{match.group(2)}"


Clock = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    BeforeValidator(_clock),
    Field(description='Time of day as HH:MM, e.g. `"09:30"`; `9:30` is read as `09:30`; `9.30` is an error.'),
]

_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?$|^[+-]?\d+,\d+$")


def _number(value: object) -> object:
    """Numbers as people write them are taken as meant: `60 000`, `1 200 000` (digit groups split by
    spaces) and `12,5` (a decimal comma). Anything else that is not a number is left to the type check."""
    if isinstance(value, str) and _GROUPED.match(value.strip()):
        cleaned = re.sub(r"[ \u00a0\u202f\u2009]", "", value.strip()).replace(",", ".")
        return float(cleaned) if "." in cleaned else int(cleaned)
    return value


_YES = {"да": True, "нет": False, "true": True, "false": False}


def _yes_no(value: object) -> object:
    """`да`/`нет` (any case) are taken as `true`/`false`."""
    if isinstance(value, str):
        return _YES.get(value.strip().lower(), value)
    return value


# the bounds stand before the validator so that they stay in the JSON Schema (`minimum`, `maximum`)
Number = Annotated[float, BeforeValidator(_number)]
"""A number; `60 000` and `12,5` are read as meant."""
NonNegative = Annotated[float, Field(ge=0), BeforeValidator(_number)]
Percent = Annotated[float, Field(gt=0, le=100), BeforeValidator(_number)]
Minutes = Annotated[int, Field(ge=0), BeforeValidator(_number)]
Flag = Annotated[bool, BeforeValidator(_yes_no)]
"""`true`/`false`; `да`/`нет` are read as meant."""


class Origin:
    """Where a node was loaded from: its source document and its path in it."""

    __slots__ = ("doc", "path")

    def __init__(self, doc, path: tuple) -> None:
        self.doc = doc  # a YamlDocument (positions of every key and value)
        self.path = path

    @property
    def file(self) -> str:
        return self.doc.file

    def at(self, field: str | int | None = None) -> Position:
        """Position of ``field``'s value in this node, or of the node itself."""
        positions = self.doc.positions
        if field is not None:
            pos = positions.get(self.path + (field,))
            if pos is not None:
                return pos
        pos = positions.get(self.path)
        if pos is not None:
            return pos
        return Position(self.doc.file, 1 + self.doc.line_offset, 1)

    def key_at(self, field: str) -> Position:
        """Position of ``field``'s key (falls back to the node)."""
        return self.doc.key_positions.get(self.path + (field,)) or self.at()

    def text_at(self, field: str, offset: int) -> Position:
        """Position of character ``offset`` inside the text value of ``field``."""
        value = getattr_path(self, field)
        pos = self.doc.text_position(self.path + (field,), value, offset) if isinstance(value, str) else None
        return pos or self.at(field)


def getattr_path(origin: Origin, field: str) -> object:
    data = origin.doc.data
    for step in origin.path + (field,):
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


#: immutable default values a node's private slot may start with as they are (pydantic copies the others)
_ATOMIC_DEFAULTS: tuple[type, ...] = (type(None), str, int, float, bool)


def _private_init(cls: type[BaseModel]) -> Callable[[BaseModel, object], None] | None:
    """A faster stand-in for pydantic's ``model_post_init`` of ``cls``, which only fills the private slot from
    each private attribute's default: pydantic's walks ``__private_attributes__`` and asks each for its default
    (twice per node for a subclass of a subclass: ~27,000 calls at 10,000 clauses). None when ``cls`` (or a
    class above it) has a ``model_post_init`` of its own or a default that is not an immutable value."""
    inner: object = cls.__dict__.get("model_post_init")
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    if inner is None or not (
        getattr(inner, "_fills_private_only", False) or getattr(inner, "__name__", "") == "init_private_attributes"
    ):
        return None
    defaults: dict[str, object] = {}
    factories: list[tuple[str, Callable[[], object]]] = []
    for name, attr in cls.__private_attributes__.items():
        if attr.default_factory is not None:
            if attr.default_factory_takes_validated_data:
                return None
            factories.append((name, cast(Callable[[], object], attr.default_factory)))
        elif attr.default is not PydanticUndefined:
            if not isinstance(attr.default, _ATOMIC_DEFAULTS):
                return None
            defaults[name] = attr.default

    def fill_private(self: BaseModel, context: object, /) -> None:
        if getattr(self, "__pydantic_private__", None) is None:
            private = defaults.copy()
            for name, factory in factories:
                private[name] = factory()
            object.__setattr__(self, "__pydantic_private__", private)

    fill_private._fills_private_only = True  # type: ignore[attr-defined]
    return fill_private


class Node(BaseModel):
    """Base of every model class: unknown fields are errors, origin is tracked."""

    # (field descriptions are given with `Field(description=…)`: reading attribute docstrings from the source
    # costs every run ~30 ms at import.) `defer_build`: a class's validator is built when it first validates
    # (a check after one edit validates one file's classes; building all ~40 at import cost ~35 ms)
    model_config = ConfigDict(extra="forbid", defer_build=True)

    _origin: Origin | None = PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fast = _private_init(cls)
        if fast is not None:
            cls.model_post_init = fast  # type: ignore[method-assign]

    @property
    def origin(self) -> Origin:
        # the private slot read directly: `self._origin` goes through pydantic's (slow) __getattr__
        private = self.__pydantic_private__
        origin = private.get("_origin") if private else None
        assert origin is not None, f"{type(self).__name__} has no origin"
        return origin

    def at(self, field: str | int | None = None) -> Position:
        """Shortcut for ``self.origin.at(field)``."""
        return self.origin.at(field)

    def text_at(self, field: str, offset: int) -> Position:
        """Position of character ``offset`` of text field ``field``."""
        return self.origin.text_at(field, offset)


# --------------------------------------------------------------------------
# Shared glossary and roles


class Term(Node):
    """A glossary entry («термин»), shared by every regulation of the site."""

    id: Id
    """Stable id used in references: `[[lead]]`."""
    term: str = Field(min_length=1, description="Display form, in the nominative case: «Лид».")
    definition: Text = Field(min_length=1, description="The definition; may reference other terms.")
    synonyms: list[str] = Field(default_factory=list, description="Other names of the same notion.")
    abbreviation: str | None = Field(default=None, description="Abbreviation, matched exactly: «КП».")
    match: Literal["morph", "exact"] = Field(
        default="morph",
        description="`morph`: recognise the term in any Russian word form; "
        "`exact`: only the term, its synonyms and `forms` as written (for terms that look like common words).",
    )
    forms: list[str] = Field(default_factory=list, description="Extra word forms to recognise as this term.")
    visibility: Visibility = Field(default="public", description="`internal` items never reach a public site.")


class Glossary(Node):
    """`content/glossary.yml`: the terms shared by all regulations."""

    terms: list[Term] = Field(description="Glossary entries.")


class Role(Node):
    """A participant: a position in the department or another department it works with."""

    id: Id
    name: str = Field(min_length=1, description="Display name: «Менеджер отдела продаж».")
    department: str = Field(min_length=1, description="Department the role belongs to: «Отдел продаж».")
    kind: Literal["position", "department", "external"] = Field(
        default="position",
        description="`position`: a job in the company; `department`: another department as a whole; "
        "`external`: someone outside the company (a client, a carrier).",
    )
    description: Text = Field(default="", description="What the role is responsible for, in one or two sentences.")
    reports_to: str | None = Field(default=None, description="Role id this role reports to.")
    visibility: Visibility = "public"


class Roles(Node):
    """`content/roles.yml`: the roles shared by all regulations."""

    roles: list[Role] = Field(description="Roles.")


# --------------------------------------------------------------------------
# Regulation and its parts


#: a review period: a number of months or years, in English or Russian («12 months», «1 год», «6 месяцев»)
REVIEW_PERIOD = r"^\s*([1-9][0-9]{0,2})\s*(months?|years?|месяц|месяца|месяцев|год|года|лет)\s*$"
ReviewPeriod = Annotated[str, StringConstraints(pattern=REVIEW_PERIOD)]


def review_months(period: str) -> int:
    """``12 months`` → 12, ``2 года`` → 24."""
    found = re.match(REVIEW_PERIOD, period)
    if found is None:
        raise ValueError(f"not a review period: {period!r}")
    count, unit = int(found.group(1)), found.group(2)
    return count * 12 if unit.startswith(("year", "год", "лет")) else count


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (31 January + 1 month → the last day of February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


class Regulation(Node):
    """`content/regulations/<id>/regulation.yml`: a regulation's metadata and the order of its parts."""

    id: Id
    title: str = Field(min_length=1, description="Full title: «Регламент работы менеджера отдела продаж».")
    short_title: str | None = Field(default=None, description="Short title for navigation.")
    owner: str = Field(description="Role id that owns (maintains) the regulation.")
    approver: str = Field(description="Role id that approves the regulation.")
    audience: list[str] = Field(
        min_length=1, description="Role ids the regulation applies to (who must read and acknowledge it)."
    )
    parts: list[str] = Field(
        min_length=1,
        description="Part files in this folder, in order (`general.md`, `duties.yml`…). Order gives section numbers.",
    )
    visibility: Visibility = "public"
    review_by: dt.date | None = Field(
        default=None,
        description="Review cycle: the date by which the regulation must be reviewed (`2026-12-31`). "
        "`reglament check` warns when it has passed or is within 30 days; the page shows «Пересмотр не позднее …».",
    )
    review_every: ReviewPeriod | None = Field(
        default=None,
        description="Review cycle counted from the approval of the latest edition (`approved:` in "
        "`content/editions.yml`): `12 months`, `1 year`, `6 месяцев`. `review_by` wins when both are set.",
    )

    # Filled by the loader: the parsed parts in order.
    _parts: list[Part] = PrivateAttr(default_factory=list)

    def review_deadline(self, approved: dt.date | None) -> dt.date | None:
        """When the regulation must be reviewed: ``review_by``, else ``review_every`` after ``approved`` (the
        latest edition's approval; None: not known, so no deadline)."""
        if self.review_by is not None:
            return self.review_by
        if self.review_every is None or approved is None:
            return None
        return add_months(approved, review_months(self.review_every))

    @property
    def loaded_parts(self) -> list[Part]:
        return self._parts


class Clause(Node):
    """A numbered clause of free text; may hold sub-clauses."""

    id: Id
    text: Text = Field(min_length=1, description="The clause text (Markdown inline).")
    clauses: list[Clause] = Field(default_factory=list, description="Sub-clauses, numbered 1.2.1, 1.2.2…")
    visibility: Visibility = "public"


class PartBase(Node):
    """Fields shared by every part file."""

    id: Id
    title: str = Field(min_length=1, description="Section title: «Обязанности и ответственность».")
    intro: Text = Field(default="", description="Markdown shown under the section title, before the clauses.")
    visibility: Visibility = "public"


class ClausesPart(PartBase):
    """A section of numbered text clauses (e.g. «Общие положения»)."""

    kind: Literal["clauses"]
    clauses: list[Clause] = Field(min_length=1, description="The clauses, in order.")


class TermsPart(PartBase):
    """«Термины и определения»: the glossary terms this regulation uses."""

    kind: Literal["terms"]
    terms: list[str] = Field(
        default_factory=list,
        description="Term ids to list. Empty: every term the regulation references, alphabetically.",
    )


class Raci(Node):
    """RACI assignment of a shared duty."""

    responsible: list[str] = Field(default_factory=list, description="R: role ids that do the work.")
    accountable: str | None = Field(default=None, description="A: the one role id answerable for the result.")
    consulted: list[str] = Field(default_factory=list, description="C: role ids asked before or during the work.")
    informed: list[str] = Field(default_factory=list, description="I: role ids told about the result.")


class Duty(Node):
    """A duty: what a role must do, when, and with whom."""

    id: Id
    text: Text = Field(min_length=1, description="What must be done: «Обработать входящую заявку…».")
    role: str | None = Field(default=None, description="Role id that performs the duty.")
    deadline: Text | None = Field(default=None, description="Deadline or SLA: «в течение 15 минут».")
    deadline_minutes: Minutes | None = Field(
        default=None, description="The deadline in minutes, when it is a measurable SLA."
    )
    raci: Raci | None = Field(default=None, description="RACI assignment when several roles share the duty.")
    visibility: Visibility = "public"


class DutyGroup(Node):
    """A titled group of duties (numbered as a sub-section)."""

    id: Id
    title: str = Field(min_length=1)
    duties: list[Duty] = Field(min_length=1)
    visibility: Visibility = "public"


class Responsibility(Node):
    """A responsibility clause: which duties it enforces and what follows a breach."""

    id: Id
    text: Text = Field(min_length=1, description="The clause: «За нарушение срока обработки заявки…».")
    enforces: list[str] = Field(default_factory=list, description="Duty ids this clause enforces.")
    consequence: Text = Field(default="", description="What follows a breach: «замечание», «снижение премии на 10 %».")
    visibility: Visibility = "public"


class DutiesPart(PartBase):
    """«Обязанности и ответственность»: duties (optionally grouped) and responsibility clauses."""

    kind: Literal["duties"]
    groups: list[DutyGroup] = Field(default_factory=list, description="Groups of duties, in order.")
    duties: list[Duty] = Field(default_factory=list, description="Ungrouped duties, listed after the groups.")
    responsibility: list[Responsibility] = Field(default_factory=list, description="Responsibility clauses.")


class FixedPay(Node):
    """The fixed part of pay (оклад)."""

    amount: NonNegative = Field(description="Monthly amount; `60 000` is read as 60000.")
    currency: str = Field(default="₽", description="Currency sign or code.")
    text: Text = Field(default="", description="How the fixed part is paid.")
    visibility: Visibility = "public"


class Kpi(Node):
    """A key performance indicator with its weight in the bonus."""

    id: Id
    name: str = Field(min_length=1, description="«Выполнение плана продаж».")
    measures: Text = Field(min_length=1, description="What is measured and how; must reference a defined item.")
    weight: Percent = Field(description="Weight in the bonus, percent; weights sum to 100.")
    target: str = Field(min_length=1, description="Target value: «100 % плана», «не менее 40 звонков в день».")
    visibility: Visibility = "public"


class BonusTier(Node):
    """A bonus tier: plan fulfilment in [from, to) percent gives `bonus` percent of the bonus base."""

    id: Id
    from_percent: NonNegative = Field(description="Lower bound of plan fulfilment, percent, inclusive.")
    to_percent: Number | None = Field(
        default=None, description="Upper bound, percent, exclusive; empty for the open top tier."
    )
    bonus_percent: NonNegative = Field(description="Bonus, percent of the bonus base.")
    visibility: Visibility = "public"


class Reduction(Node):
    """A bonus reduction tied to a responsibility clause."""

    id: Id
    responsibility: str = Field(description="Responsibility clause id this reduction applies to.")
    percent: Percent = Field(description="Reduction of the bonus, percent.")
    text: Text = Field(min_length=1, description="When the reduction applies.")
    visibility: Visibility = "public"


class MotivationPart(PartBase):
    """«Система мотивации»: fixed pay, KPIs, bonus tiers and reductions."""

    kind: Literal["motivation"]
    fixed: FixedPay | None = Field(default=None, description="The fixed part of pay.")
    bonus_base: NonNegative = Field(description="Bonus base: the amount that bonus percentages apply to.")
    currency: str = Field(default="₽")
    kpis: list[Kpi] = Field(min_length=1, description="KPIs; weights sum to 100.")
    tiers: list[BonusTier] = Field(min_length=1, description="Bonus tiers by plan fulfilment, no gaps or overlaps.")
    reductions: list[Reduction] = Field(default_factory=list, description="Bonus reductions.")
    clauses: list[Clause] = Field(default_factory=list, description="Further clauses (payment terms…).")
    example_percent: NonNegative | None = Field(
        default=None,
        description="Plan fulfilment, percent, for the worked example the site computes (e.g. 87); "
        "empty: chosen from the tiers.",
    )


class WorkingHours(Node):
    """The working day."""

    start: Clock
    end: Clock
    days: str = Field(default="понедельник — пятница", description="Working days, as text.")


class TimeBlock(Node):
    """A block of the daily routine, or a break."""

    id: Id
    start: Clock
    end: Clock
    activity: Text = Field(min_length=1, description="What is done in this block.")
    is_break: Flag = Field(
        default=False, description="A break (lunch, rest), not work: `true` or `false` (`да`/`нет` are read as meant)."
    )
    visibility: Visibility = "public"


class Recurring(Node):
    """A recurring activity (weekly planning meeting, monthly report)."""

    id: Id
    period: Literal["daily", "weekly", "monthly", "quarterly"]
    when: str = Field(min_length=1, description="«по понедельникам в 09:30», «до 3-го числа».")
    activity: Text = Field(min_length=1)
    visibility: Visibility = "public"


class SchedulePart(PartBase):
    """«Организация рабочего времени»: hours, the daily routine, recurring activities."""

    kind: Literal["schedule"]
    hours: WorkingHours
    routine: list[TimeBlock] = Field(min_length=1, description="Daily routine, in order; no overlaps.")
    recurring: list[Recurring] = Field(default_factory=list)
    clauses: list[Clause] = Field(default_factory=list, description="Further clauses.")


class DataCategory(Node):
    """A category of data with its classification."""

    id: Id
    name: str = Field(min_length=1, description="«Персональные данные клиентов».")
    classification: Literal["public", "internal", "confidential", "personal", "trade-secret"]
    examples: Text = Field(default="", description="What belongs to the category.")
    visibility: Visibility = "public"


class DataRule(Node):
    """A rule for handling data of some categories."""

    id: Id
    text: Text = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1, description="Data category ids the rule applies to.")
    visibility: Visibility = "public"


class Measure(Node):
    """A protective measure."""

    id: Id
    text: Text = Field(min_length=1)
    visibility: Visibility = "public"


class ConfidentialityPart(PartBase):
    """«Конфиденциальность и защита данных»: categories, rules, measures."""

    kind: Literal["confidentiality"]
    categories: list[DataCategory] = Field(min_length=1)
    rules: list[DataRule] = Field(min_length=1)
    measures: list[Measure] = Field(default_factory=list)


class ProsePart(Node):
    """A Markdown part (`*.md`): front matter `id`, `title`, optional `visibility`; the body is free prose."""

    id: Id
    title: str = Field(min_length=1)
    visibility: Visibility = "public"

    _body: str = PrivateAttr(default="")
    _body_line: int = PrivateAttr(default=1)
    # Set by the variant step when the body was rendered from a template: maps body positions back to the
    # template source (an object with `position(index, column) -> (index, column)`).
    _line_map: LineMap | None = PrivateAttr(default=None)

    @property
    def body(self) -> str:
        return self._body

    @property
    def body_line(self) -> int:
        """1-based line of the first body line in the source file."""
        return self._body_line

    def source_line(self, index: int) -> int:
        """1-based source line of body line ``index`` (0-based); a rendered (templated) body maps back."""
        return self.source_position(index, 1)[0]

    def source_position(self, index: int, column: int) -> tuple[int, int]:
        """1-based (line, column) in the source file of 1-based ``column`` on body line ``index`` (0-based)."""
        if self._line_map is not None:
            index, column = self._line_map.position(index, column)
        return self._body_line + index, column


YamlPart = ClausesPart | TermsPart | DutiesPart | MotivationPart | SchedulePart | ConfidentialityPart
Part = YamlPart | ProsePart

PART_KINDS: dict[str, type[YamlPart]] = {
    "clauses": ClausesPart,
    "terms": TermsPart,
    "duties": DutiesPart,
    "motivation": MotivationPart,
    "schedule": SchedulePart,
    "confidentiality": ConfidentialityPart,
}


class Page(ProsePart):
    """A free Markdown page under `content/pages/` (e.g. the home page `index.md`)."""


# the one recursive model is built at once (~5 ms): the classes that hold it then validate its nesting as they did
# when every class was built at import — pydantic's depth limit stops at the same item («nested too deep»)
Clause.model_rebuild()
