"""The variant step: a company profile over the base content → a resolved model.

::

    sources ─load─▶ model ─check─▶ …
                      │
           profile ─variant─▶ resolved model ─render─▶ …

:func:`resolve` never changes the base :class:`~reglament.content.Content`; it
returns a new one, re-indexed and renumbered, in which

* every string field and Markdown body holding ``{{ … }}`` / ``{% … %}`` is
  rendered in Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
  with :class:`~jinja2.StrictUndefined`, with ``company`` and ``params`` in
  scope (the profile over ``content/defaults.yml``);
* values coming from a profile are inserted as *literal text*: Markdown and
  reference syntax in them is escaped here, and the renderer HTML-escapes
  every text, so a profile value can never become markup or a link;
* ``include``/``exclude`` leave regulations, parts and items out;
  ``overrides`` replace fields of items (validated like the sources);
  ``roles``/``departments`` rename display names;
* a public variant drops every ``visibility: internal`` item.

Positions survive: an overridden field points into the profile, a rendered
text maps its characters back to the template source (:class:`VariantOrigin`),
a rendered Markdown body maps its lines back. Problems of the step itself
(template syntax, forbidden attributes, invalid override values) are
:attr:`Variant.diagnostics`; the per-company rules in ``rules/``
(``missing-parameter``, ``unused-parameter``, ``unknown-override``,
``unknown-selection``, ``excluded-reference``, ``internal-reference``) read the
facts collected on :class:`Variant`.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jinja2 import Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from pydantic import ValidationError

from reglament.diagnostics import Diagnostic, Position
from reglament.model import nodes as m
from reglament.model.content import Content, node_fields
from reglament.model.profile import Defaults, ParamInfo, Profile, param_infos
from reglament.perf import fewer_gc_passes
from reglament.sandbox import (
    Sandbox,
    Spread,
    TemplateLimit,
    environment_fingerprint,
    error_line,
    sandbox,
    template_code_cache,
)
from reglament.source.loader import attach_origins
from reglament.source.yaml_source import Path_, YamlDocument

TEMPLATE_MARK = re.compile(r"\{\{|\{%|\{#")
#: the names a template sees
SCOPE = ("company", "params")
COMPANY_FIELDS = ("id", "name", "short_name", "city", "site_title")
#: longest string/list a template may build with `*`, and the largest exponent of `**`

N = TypeVar("N", bound=m.Node)
R = TypeVar("R", bound=m.Role)


# --------------------------------------------------------------------------
# Escaping: a profile value is literal text inside Markdown


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#])")


def escape_value(value: object) -> str:
    """A value as literal Markdown text: Markdown/reference syntax escaped, one line.

    ``< > &`` are left to the renderer, which HTML-escapes every model text
    (escaping them here too would show ``&lt;`` to the reader). Backslash
    escapes keep ``[[id]]``, ``[text](url)``, emphasis, code spans, table
    pipes and ``{: attr }`` lists from forming; newlines become spaces so a
    value cannot start a block of its own.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "да" if value else "нет"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    # one pass over maximal whitespace runs (linear: a pattern like `\s*[\r\n]+` backtracks quadratically)
    text = _SPACE_RUN.sub(_one_line, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


_SPACE_RUN = re.compile(r"\s+")


def _one_line(mt: re.Match[str]) -> str:
    run = mt.group()
    return " " if "\n" in run or "\r" in run else run


class HiddenValue(SecurityError):
    """A public text reached an internal parameter (by any path: alias, filter, computed key)."""

    def __init__(self, root: str, name: str) -> None:
        super().__init__(f"`{root}.{name}` is internal and not available to the texts of a public variant")
        self.root = root
        self.name = name


class Values:
    """A read-only namespace for templates: ``params.plan_amount``, ``company.short_name``.

    It holds only the values the variant's audience may see: a public variant's
    ``params`` is built without its internal parameters (their *names* are kept in
    ``hidden``, their values are not in the template context at all), so every
    path to one — ``params.x``, ``params[k]``, ``params|attr(k)``, an alias made
    with ``set``/``with``, a filter iterating ``params`` — ends in
    :class:`HiddenValue` (a positioned diagnostic), never in the value.
    Iterating (``items``, ``keys``, ``dictsort``) shows the visible values only.
    """

    __slots__ = ("_data", "_hidden", "_label")
    METHODS = frozenset({"items", "keys", "values"})

    def __init__(self, label: str, data: dict[str, object], hidden: Iterable[str] = ()) -> None:
        self._label = label
        self._hidden = frozenset(hidden)
        self._data = {k: v for k, v in data.items() if k not in self._hidden}

    def _get(self, name: object) -> object:
        if name in self._hidden:
            raise HiddenValue(self._label, str(name))
        if not isinstance(name, str):  # `params[1]`: no such value, as for any unknown name
            raise KeyError(name)
        return self._data[name]

    def __getattr__(self, name: str) -> object:
        try:
            return self._get(name)
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: object) -> object:
        return self._get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def items(self) -> list[tuple[str, object]]:
        return list(self._data.items())

    def keys(self) -> list[str]:
        return list(self._data)

    def values(self) -> list[object]:
        return list(self._data.values())

    def __repr__(self) -> str:
        return self._label

    def __str__(self) -> str:
        return self._label


def make_environment() -> Sandbox:
    """The sandbox texts render in: values Markdown-escaped, no globals (texts need only company and params)."""
    env = sandbox(finalize=escape_value)
    env.globals.clear()  # no range/cycler/joiner/namespace/lipsum/dict
    return env


# --------------------------------------------------------------------------
# What a template uses


@dataclass(frozen=True)
class Use:
    """``params.x`` / ``company.x`` in a template source: which, where (offset in the source)."""

    root: str
    name: str
    offset: int
    guarded: bool  # under `is defined` / `| default(…)`: a missing value is not an error


@dataclass
class Parsed:
    """A template source, compiled once and shared by every company."""

    template: Template | None
    uses: list[Use]
    free: list[tuple[str, int]]  # unknown names (not company/params) with their offsets
    error: TemplateSyntaxError | None = None
    spread: Spread | None = None  # what `template` was compiled from: its lines → offsets in the source

    def error_offset(self, exc: BaseException) -> int:
        """Where in the source a runtime error was raised: the `{{`/`{%` of its tag."""
        return self.spread.offset(error_line(exc)) if self.spread is not None else 0


def _line_offset(source: str, lineno: int) -> int:
    offset = 0
    for _ in range(max(lineno, 1) - 1):
        nxt = source.find("\n", offset)
        if nxt < 0:
            break
        offset = nxt + 1
    return offset


_OPENING = re.compile(r"\{[{%#]")
_UNEXPECTED_CHAR = re.compile(r"unexpected char (?P<char>'.+?') at \d+")


def _jinja_words(message: str) -> str:
    """Jinja's message without its offsets into the template (the diagnostic's position says where)."""
    return _UNEXPECTED_CHAR.sub(r"the character \g<char> cannot stand inside `{{ … }}`", message)


def _syntax_offset(env: Sandbox, source: str, exc: TemplateSyntaxError) -> int:
    """Offset of the `{{`/`{%` where a syntax error is: Jinja gives only a line, and a folded YAML text
    (`>-`) is one line however many lines it has in the file. The first prefix of the source, cut before
    a tag, that does not parse ends in the faulty tag (a block merely left open so far does not count)."""
    openings = [mt.start() for mt in _OPENING.finditer(source)]
    for i, start in enumerate(openings):
        end = openings[i + 1] if i + 1 < len(openings) else len(source)
        try:
            env.parse(source[:end])
        except TemplateSyntaxError as found:
            if end != len(source) and "looking for the following tags" in (found.message or ""):
                continue  # `{% if %}` not closed yet
            return start
    return _line_offset(source, exc.lineno or 1)


def _find(source: str, lineno: int, pattern: re.Pattern[str]) -> int:
    start = _line_offset(source, lineno)
    end = source.find("\n", start)
    end = len(source) if end < 0 else end
    mt = pattern.search(source, start, end) or pattern.search(source)
    return mt.start() if mt else start


class TemplateCache:
    """Compiled templates by source text; one per run, shared across companies.

    With a ``project`` (the tree whose texts these are), each distinct text's compiled code is also kept in the
    user's compiled-template cache (:func:`~reglament.sandbox.template_code_cache`, never inside ``project``), so a
    later run only parses the text (for its uses) and skips the code generation and Python's compile."""

    def __init__(self, project: Path | None = None) -> None:
        self.env = make_environment()
        self._parsed: dict[str, Parsed] = {}
        self.code = template_code_cache(project) if project is not None else None
        self._fingerprint: str | None = None  # of `env`, which is not changed after `make_environment`

    def compile(self, text: str, ast: nodes.Template | None = None) -> Template:
        """The template of ``text`` (``ast``: its parse, when made already): compiled, or its code read from the
        code cache."""
        env, code = self.env, self.code
        if code is None:
            return env.from_string(text if ast is None else ast)
        if self._fingerprint is None:
            self._fingerprint = environment_fingerprint(env, None)
        bucket = code.string_bucket(env, self._fingerprint, text)
        if bucket.code is None:
            bucket.code = env.compile(text if ast is None else ast)
            code.set_bucket(bucket)
        return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)

    def parse(self, source: str) -> Parsed:
        parsed = self._parsed.get(source)
        if parsed is None:
            parsed = self._parse(source)
            self._parsed[source] = parsed
        return parsed

    def _parse(self, source: str) -> Parsed:
        try:
            ast = self.env.parse(source)
            spread = self.env.spread(source)
            template = self.compile(source, ast) if spread.source == source else self.compile(spread.source)
        except TemplateSyntaxError as exc:
            # the uses a broken template would make still count (no `unused-parameter` noise)
            uses = [Use(mt.group(1), mt.group(2) or mt.group(3), mt.start(), False) for mt in _USE_RE.finditer(source)]
            return Parsed(None, uses, [], exc)
        guarded: set[int] = set()
        for test in ast.find_all(nodes.Test):
            if test.name in ("defined", "undefined", "none"):
                guarded.add(id(test.node))
        for flt in ast.find_all(nodes.Filter):
            if flt.name in ("default", "d") and flt.node is not None:
                guarded.add(id(flt.node))
        # `params.items()` / `.keys()` / `.values()` iterate the namespace, they name no parameter
        methods = {
            id(call.node)
            for call in ast.find_all(nodes.Call)
            if isinstance(call.node, nodes.Getattr) and call.node.attr in Values.METHODS
        }
        uses = []
        for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
            if isinstance(node, nodes.Getattr):
                name = node.attr
            elif (
                isinstance(node, nodes.Getitem)
                and isinstance(node.arg, nodes.Const)
                and isinstance(node.arg.value, str)
            ):
                name = node.arg.value
            else:
                continue
            target = node.node
            if not (isinstance(target, nodes.Name) and target.name in SCOPE) or id(node) in methods:
                continue
            root = target.name
            pattern = re.compile(rf"\b{root}\s*(?:\.\s*{re.escape(name)}\b|\[\s*['\"]{re.escape(name)}['\"]\s*\])")
            uses.append(Use(root, name, _find(source, node.lineno, pattern), id(node) in guarded))
        free = []
        # the undeclared names are among the names read (Jinja's analysis, a code generator's pass, is asked only
        # when some name is not `company`/`params`: a loop variable, a `set`, or a free name)
        read = {n.name for n in ast.find_all(nodes.Name)} - set(SCOPE)
        for name in sorted(meta.find_undeclared_variables(ast) - set(SCOPE) if read else ()):
            lineno = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == name), 1)
            free.append((name, _find(source, lineno, re.compile(rf"\b{re.escape(name)}\b"))))
        return Parsed(template, uses, free, spread=spread)


_USE_RE = re.compile(r"\b(params|company)\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")


# --------------------------------------------------------------------------
# Positions of resolved nodes


class VariantOrigin(m.Origin):
    """Origin of a resolved node: its base origin, with some fields taken from a
    profile (overrides, renames) and some texts rendered (offsets mapped back)."""

    __slots__ = ("base", "fields", "maps")

    def __init__(
        self,
        base: m.Origin,
        *,
        fields: dict[str, tuple[m.Origin, str]] | None = None,
        maps: dict[str, Callable[[int], int]] | None = None,
    ) -> None:
        super().__init__(base.doc, base.path)
        self.base = base
        #: field → (origin that holds the value, the field's key in that origin)
        self.fields: dict[str, tuple[m.Origin, str]] = dict(fields or {})
        #: field → rendered offset → source offset
        self.maps: dict[str, Callable[[int], int]] = dict(maps or {})

    def _holder(self, name: str) -> tuple[m.Origin, str]:
        return self.fields.get(name, (self.base, name))

    def at(self, field: str | int | None = None) -> Position:
        if field is None or isinstance(field, int):  # the node itself, or a list element (never from a profile)
            return self.base.at(field)
        origin, key = self._holder(field)
        return origin.at(key)

    def key_at(self, field: str) -> Position:
        origin, key = self._holder(field)
        return origin.key_at(key)

    def text_at(self, field: str, offset: int) -> Position:
        fn = self.maps.get(field)
        origin, key = self._holder(field)
        return origin.text_at(key, fn(offset) if fn else offset)


def offset_map(source: str, rendered: str) -> Callable[[int], int]:
    """Rendered offset → source offset: exact in literal text, the expression's start inside it.

    The alignment is computed on the first call: most rendered texts never need a position.
    """
    ops: Sequence[tuple[str, int, int, int, int]] | None = None

    def back(offset: int) -> int:
        nonlocal ops
        if ops is None:
            ops = difflib.SequenceMatcher(None, source, rendered, autojunk=False).get_opcodes()
        for tag, i1, _i2, j1, j2 in ops:
            if j1 <= offset < j2:
                if tag == "equal":
                    return i1 + offset - j1
                return i1
        return len(source)

    return back


class BodyMap:
    """Positions in a rendered Markdown body → positions in its template source (0-based lines, 1-based columns).

    Characters are matched between source and output, so literal text maps
    exactly and text produced by an expression maps to the expression.
    """

    def __init__(self, source: str, rendered: str) -> None:
        self.source = source
        self.rendered = rendered
        self.back = offset_map(source, rendered)
        self.starts = [0]
        for line in rendered.split("\n")[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def position(self, index: int, column: int) -> tuple[int, int]:
        if not 0 <= index < len(self.starts):
            return index, column
        offset = self.back(self.starts[index] + column - 1)
        before = self.source[:offset]
        return before.count("\n"), offset - (before.rfind("\n") + 1) + 1


# --------------------------------------------------------------------------
# The resolved variant


@dataclass(frozen=True)
class Selection:
    """An id named by a profile's `include`, `exclude`, `overrides`, `roles` or `departments`."""

    list_name: str
    ident: str
    position: Position


@dataclass(frozen=True)
class Removal:
    """Why an id is not in the resolved variant."""

    reason: str  # "excluded" | "not-included" | "internal"
    by: str  # the id that was left out (the item itself, or its regulation/part/parent)


@dataclass(frozen=True)
class ParamUse:
    """A use of ``params.x``/``company.x`` in a text of the resolved variant."""

    root: str
    name: str
    position: Position
    guarded: bool
    missing: bool


@dataclass
class Variant:
    """A resolved variant: the new content plus what the per-company rules need to know."""

    content: Content
    base: Content
    profile: Profile | None
    defaults: Defaults | None
    public: bool
    params: dict[str, ParamInfo]
    company: dict[str, object]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    uses: list[ParamUse] = field(default_factory=list)
    #: parameter names used anywhere: every base text (also left-out ones) and the overrides
    used_params: set[str] = field(default_factory=set)
    removed: dict[str, Removal] = field(default_factory=dict)
    unknown: list[tuple[Selection, str]] = field(default_factory=list)  # (selection, message) for the rules

    @property
    def company_id(self) -> str | None:
        return self.profile.id if self.profile else None

    @property
    def values_source(self) -> Profile | Defaults | None:
        """The file that supplies this variant's values: the company profile, else `content/defaults.yml`."""
        return self.profile if self.profile is not None else self.defaults

    @property
    def label(self) -> str:
        return f"company `{self.profile.id}`" if self.profile else "the base regulation"

    @property
    def params_file(self) -> str:
        if self.profile is not None:
            return self.profile.origin.file
        return self.defaults.origin.file if self.defaults is not None else "content/defaults.yml"

    def site_title(self, base_title: str) -> str:
        """The title of this variant's site: the profile's `site_title`, or «<base> — <short name>»."""
        if self.profile is None:
            return base_title
        if self.profile.site_title:
            return self.profile.site_title
        return f"{base_title} — {self.profile.short_name}" if base_title else self.profile.short_name


def is_public(*, profile: Profile | None, defaults: Defaults | None, public: bool) -> bool:
    """Whether a variant leaves internal items out: forced by ``public``, else the profile's (or defaults') say."""
    if public:
        return True
    if profile is not None:
        return profile.visibility == "public"
    return defaults is not None and defaults.visibility == "public"


@dataclass(frozen=True)
class Audience:
    """Who one output is for. Every output is made for exactly one audience.

    ``public``: internal items and parameters are left out. ``internal_ids`` and
    ``internal_params`` are what is internal on *another* revision of a
    comparison (a company internal at one edition, public at the next): a
    public audience leaves those out too, so neither side of a comparison shows
    an item or a value that was internal on either side.
    """

    public: bool
    internal_ids: frozenset[str] = frozenset()
    internal_params: frozenset[str] = frozenset()


def internal_names(variant: Variant) -> tuple[set[str], set[str]]:
    """Ids (with everything inside them) and parameter names that are internal in ``variant``'s sources."""
    public = resolve(variant.base, profile=variant.profile, defaults=variant.defaults, public=True)
    ids = {ident for ident, gone in public.removed.items() if gone.reason == "internal"}
    params = {name for name, info in variant.params.items() if info.visibility == "internal"}
    return ids, params


def comparison_audience(old: Variant, new: Variant, *, public: bool = False) -> Audience:
    """The one audience of a comparison: the new side's (the edition being produced), public when forced.

    A public audience hides what is internal on *either* side.
    """
    if not (public or new.public):
        return Audience(False)
    ids_old, params_old = internal_names(old)
    ids_new, params_new = internal_names(new)
    return Audience(True, frozenset(ids_old | ids_new), frozenset(params_old | params_new))


def for_audience(variant: Variant, audience: Audience) -> Content:
    """``variant``'s sources resolved again for ``audience`` (one side of a comparison)."""
    return resolve(variant.base, profile=variant.profile, defaults=variant.defaults, audience=audience).content


def compare_sides(old: Variant, new: Variant, *, public: bool = False) -> tuple[Content, Content, Audience]:
    """Both sides of a comparison resolved for its one audience (:func:`comparison_audience`)."""
    audience = comparison_audience(old, new, public=public)
    return for_audience(old, audience), for_audience(new, audience), audience


@fewer_gc_passes()
def resolve(
    content: Content,
    *,
    profile: Profile | None = None,
    defaults: Defaults | None = None,
    public: bool = False,
    other_profiles: Iterable[Profile] = (),
    cache: TemplateCache | None = None,
    audience: Audience | None = None,
) -> Variant:
    """Resolve ``profile`` (None: the base regulation) over ``content`` into a new, re-indexed :class:`Variant`.

    ``public`` forces a public variant (internal items left out) whatever the
    profile says. ``other_profiles`` are the remaining company profiles: for the
    base variant, a default parameter used only by their overrides counts as used.
    ``cache`` shares compiled templates between the variants of one run.
    ``audience``, when given, decides instead of the profile (a comparison's
    sides are both resolved for the audience of the output, see :class:`Audience`).
    """
    resolver = _Resolver(
        content,
        profile,
        defaults,
        audience.public if audience is not None else is_public(profile=profile, defaults=defaults, public=public),
        list(other_profiles),
        cache or TemplateCache(),
    )
    if audience is not None and audience.public:
        resolver.restrict(audience)
    return resolver.run()


class _Resolver:
    def __init__(
        self,
        content: Content,
        profile: Profile | None,
        defaults: Defaults | None,
        public: bool,
        others: list[Profile],
        cache: TemplateCache,
    ) -> None:
        self.base = content
        self.profile = profile
        self.defaults = defaults
        self.public = public
        self.others = others
        self.cache = cache
        params = param_infos(defaults)
        params.update(param_infos(profile))
        company: dict[str, object] = {}
        for name in COMPANY_FIELDS:
            value = getattr(profile, name, None) if profile is not None else None
            if value is None and defaults is not None:
                value = getattr(defaults, name, None)
            if value is not None:
                company[name] = value
        self.variant = Variant(Content(), content, profile, defaults, public, params, company)
        #: internal parameters of a public variant: their names only, never their values
        self.hidden = {k for k, p in params.items() if p.visibility == "internal"} if public else set()
        self.scope = {
            "company": Values("company", company),
            "params": Values("params", {k: p.value for k, p in params.items()}, self.hidden),
        }
        self.excluded: dict[str, str] = {}  # id → reason
        self.forced_internal: set[str] = set()  # internal on another revision of a comparison
        self.overrides: dict[str, dict[str, object]] = {}
        #: the templated strings the walk met, when it meets every node of the base unchanged (no profile, nothing
        #: left out as internal): then they are :func:`template_sources` of the base, without a second walk
        self.sources: list[str] | None = [] if profile is None and not public else None

    def restrict(self, audience: Audience) -> None:
        """Leave out, as internal, what the audience may not see because it is internal on another revision."""
        self.forced_internal = set(audience.internal_ids)
        self.hidden |= set(audience.internal_params)
        self.scope["params"] = Values("params", {k: p.value for k, p in self.variant.params.items()}, self.hidden)

    # ------------------------------------------------------------ selection

    def _selection(self, list_name: str) -> Iterator[Selection]:
        p = self.profile
        if p is None:
            return
        values = getattr(p, list_name)
        doc, path = p.origin.doc, p.origin.path
        if isinstance(values, list):
            for i, ident in enumerate(values):
                yield Selection(list_name, ident, doc.positions.get(path + (list_name, i), p.at(list_name)))
        else:
            for ident in values:
                yield Selection(list_name, ident, doc.key_positions.get(path + (list_name, ident), p.at(list_name)))

    def _unknown(self, sel: Selection, message: str) -> None:
        self.variant.unknown.append((sel, message))

    def select(self) -> None:
        index = self.base.index
        kinds = {"include": ("regulation", "part")}
        for list_name in ("include", "exclude", "overrides", "roles"):
            for sel in self._selection(list_name):
                item = index.get(sel.ident)
                if item is None:
                    self._unknown(sel, f"`{list_name}` names unknown id `{sel.ident}`")
                elif list_name in kinds and item.kind not in kinds[list_name]:
                    self._unknown(sel, f"`include` lists regulations and parts, but `{sel.ident}` is a {item.kind}")
                elif list_name == "roles" and item.kind != "role":
                    self._unknown(sel, f"`roles` renames roles, but `{sel.ident}` is a {item.kind}")
        p = self.profile
        if p is None:
            return
        departments = {r.department for r in self.base.roles}
        for sel in self._selection("departments"):
            if sel.ident not in departments:
                self._unknown(sel, f"no role belongs to department «{sel.ident}»")
        for ident in p.exclude:
            if ident in index:
                self.excluded[ident] = "excluded"
        included = [i for i in p.include if i in index and index[i].kind in ("regulation", "part")]
        if included:
            keep_regs = {reg.id for i in included if (reg := index[i].regulation) is not None}  # set for both kinds
            listed_parts = {i for i in included if index[i].kind == "part"}
            for reg in self.base.regulations:
                if reg.id not in keep_regs:
                    self.excluded.setdefault(reg.id, "not-included")
                    continue
                own = {part.id for part in reg.loaded_parts}
                if own & listed_parts:
                    for part_id in own - listed_parts:
                        self.excluded.setdefault(part_id, "not-included")
        self.overrides = {k: v for k, v in p.overrides.items() if k in index}

    # ------------------------------------------------------------ overrides

    def apply_override(self, node: N, data: Mapping[str, object], doc: YamlDocument, path: Path_) -> N:
        """``node`` with the fields of ``data`` (a mapping in the profile at ``path``) replaced and validated."""
        cls = type(node)
        values: dict[str, object] = {}
        fields: dict[str, tuple[m.Origin, str]] = {}
        holder = m.Origin(doc, path)
        ident = getattr(node, "id", None)
        what = f"override of `{ident}`" if ident else "override"
        for key, value in data.items():
            pos = doc.key_positions.get(path + (key,)) or holder.at()
            if key not in cls.model_fields or key == "id":
                allowed = [f for f in cls.model_fields if f != "id"]
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                message = (
                    "the id of an item cannot be overridden"
                    if key == "id"
                    else f"{what}: {cls.__name__} has no field `{key}`"
                )
                self.problem(
                    pos,
                    "unknown-field",
                    message,
                    f"did you mean `{close[0]}`?" if close else f"fields: {', '.join(allowed)}",
                )
                continue
            current = getattr(node, key)
            if isinstance(current, list) and any(isinstance(x, m.Node) for x in current):
                self.problem(
                    pos,
                    "wrong-type",
                    f"{what}: `{key}` is a list of items and cannot be replaced whole",
                    "override each item by its own id, or list unwanted ones under `exclude:`",
                )
                continue
            if isinstance(current, m.Node) and isinstance(value, dict) and not hasattr(current, "id"):
                values[key] = self.apply_override(current, value, doc, path + (key,))
            elif isinstance(value, str) and m.TEXT not in cls.model_fields[key].metadata:
                values[key] = escape_value(value)  # a plain value (a name, a currency): literal text, never Markdown
            else:
                values[key] = value
            fields[key] = (holder, key)
        if not values:
            return node
        data_all = {name: getattr(node, name) for name in cls.model_fields}
        data_all.update(values)
        try:
            new = cls.model_validate(data_all)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                found = None
                probe = path + loc
                while found is None and len(probe) >= len(path):
                    found = doc.positions.get(probe)
                    probe = probe[:-1]
                name = ".".join(str(x) for x in loc)
                self.problem(
                    found or holder.at(),
                    "wrong-type",
                    f"{what}: `{name}`: {err['msg']}",
                    "give the value the same type as in the base item",
                )
            return node
        for key, value in values.items():
            if isinstance(value, m.Node) and value._origin is None:
                attach_origins(value, doc, path + (key,))
        if node.__pydantic_private__:
            new.__pydantic_private__ = dict(node.__pydantic_private__)
        new._origin = VariantOrigin(node.origin, fields=fields) if node._origin is not None else holder
        return new

    def renames(self, role: R) -> R:
        p = self.profile
        if p is None:
            return role
        doc = p.origin.doc
        if role.department in p.departments:
            new = role.model_copy(update={"department": escape_value(p.departments[role.department])})
            new._origin = VariantOrigin(
                role.origin, fields={"department": (m.Origin(doc, p.origin.path + ("departments",)), role.department)}
            )
            role = new
        names = p.roles.get(role.id)
        if names is not None:
            data = {k: v for k, v in (("name", names.name), ("department", names.department)) if v is not None}
            role = self.apply_override(role, data, doc, names.origin.path)
        return role

    def problem(self, pos: Position, code: str, message: str, hint: str = "") -> None:
        self.variant.diagnostics.append(Diagnostic.at(pos, "error", code, message, hint))

    # ------------------------------------------------------------ templates

    def render(self, source: str, locate: Callable[[int], Position]) -> str | None:
        """Render one template source; None (and diagnostics) when it cannot be rendered."""
        parsed = self.cache.parse(source)
        if parsed.error is not None:
            exc = parsed.error
            pos = locate(_syntax_offset(self.cache.env, source, exc))
            self.problem(
                pos,
                "template-syntax",
                f"template syntax error: {_jinja_words(exc.message or '')}",
                "expressions are written `{{ params.name }}`, conditions `{% if params.x %}…{% endif %}`; "
                "to show braces literally, wrap the text in `{% raw %}…{% endraw %}`",
            )
            return None
        ok = True
        for name, offset in parsed.free:
            close = difflib.get_close_matches(name, SCOPE, n=1)
            self.problem(
                locate(offset),
                "template-undefined",
                f"`{name}` is not defined in templates",
                f"did you mean `{close[0]}`?" if close else "texts may use `company.…` and `params.…` only",
            )
            ok = False
        for use in parsed.uses:
            pos = locate(use.offset)
            if use.root == "company":
                missing = use.name not in self.variant.company
                if use.name not in COMPANY_FIELDS:
                    close = difflib.get_close_matches(use.name, COMPANY_FIELDS, n=1)
                    self.problem(
                        pos,
                        "template-undefined",
                        f"`company.{use.name}` is not a company field",
                        f"did you mean `company.{close[0]}`?"
                        if close
                        else f"company fields: {', '.join(COMPANY_FIELDS)}",
                    )
                    ok = False
                    continue
            else:
                missing = use.name not in self.variant.params
                if use.name in self.hidden:
                    ok = False  # reported by the internal-reference rule, at this use
            self.variant.uses.append(ParamUse(use.root, use.name, pos, use.guarded, missing))
            if missing and not use.guarded:
                ok = False  # reported by the missing-parameter rule
        if not ok:
            return None
        try:
            return self.cache.env.render_bounded(parsed.template, self.scope)
        except HiddenValue as exc:
            at = parsed.error_offset(exc)
            pattern = re.compile(rf"\b{re.escape(exc.name)}\b|\b{exc.root}\b")
            found = pattern.search(source, at) or pattern.search(source)
            pos = locate(found.start() if found else at)
            self.problem(
                pos,
                "internal-reference",
                f"public text reaches internal parameter `{exc.root}.{exc.name}`",
                "make the text's item `visibility: internal`, or the parameter public",
            )
        except TemplateLimit as exc:
            pos = locate(parsed.error_offset(exc))
            self.problem(
                pos,
                "template-limit",
                f"template too costly: {exc}",
                "texts only show profile values: drop the loops and large repetitions",
            )
        except SecurityError as exc:
            pos = locate(parsed.error_offset(exc))
            self.problem(
                pos,
                "template-forbidden",
                f"forbidden in templates: {exc}",
                "texts may read `company.…` and `params.…` values only",
            )
        except UndefinedError as exc:
            pos = locate(parsed.error_offset(exc))
            self.problem(
                pos,
                "template-undefined",
                f"undefined value in template: {exc}",
                "check the names after `company.` and `params.`",
            )
        except MemoryError:
            pos = locate(_line_offset(source, 1))
            self.problem(pos, "template-limit", "template too costly: it ran out of memory", "simplify the text")
        except Exception as exc:
            pos = locate(parsed.error_offset(exc))
            self.problem(
                pos,
                "template-error",
                f"template error: {type(exc).__name__}: {exc}",
                "simplify the expression; texts only show profile values",
            )
        return None

    # ------------------------------------------------------------ the walk

    def removed(self, node: m.Node, reason: str, by: str) -> None:
        """Record ``node`` and every id under it as left out."""
        stack: list[object] = [node]
        if isinstance(node, m.Regulation):
            stack.extend(node.loaded_parts)
        while stack:
            cur = stack.pop()
            if isinstance(cur, m.Node):
                ident = getattr(cur, "id", None)
                if isinstance(ident, str):
                    self.variant.removed.setdefault(ident, Removal(reason, by))
                stack.extend(getattr(cur, name) for name in type(cur).model_fields)
            elif isinstance(cur, list):
                stack.extend(cur)

    def node(self, node: N) -> N | None:
        fields = node.__dict__  # a pydantic model's field values (getattr of a missing `id` is slow)
        ident = fields.get("id")
        if isinstance(ident, str) and ident in self.excluded:
            self.removed(node, self.excluded[ident], ident)
            return None
        if isinstance(ident, str) and ident in self.overrides and self.profile is not None:
            p = self.profile
            node = self.apply_override(node, self.overrides[ident], p.origin.doc, p.origin.path + ("overrides", ident))
        if isinstance(node, m.Role):
            node = self.renames(node)
        if self.public and (getattr(node, "visibility", "public") == "internal" or ident in self.forced_internal):
            self.removed(node, "internal", ident or "")
            return None
        sources = self.sources
        updates: dict[str, object] = {}
        maps: dict[str, Callable[[int], int]] = {}
        holders = node_fields(type(node))  # the fields whose type may hold nodes (the others: no look inside)
        for name, value in list(node.__dict__.items()):  # the node as overridden or renamed above
            if isinstance(value, str):
                if "{" in value and TEMPLATE_MARK.search(value):
                    if sources is not None:
                        sources.append(value)
                    if name == "id":
                        continue
                    rendered = self.render(value, _text_locator(node, name))
                    if rendered is not None:
                        updates[name] = rendered
                        maps[name] = offset_map(value, rendered)
            elif name not in holders:
                continue
            elif isinstance(value, list) and any(isinstance(x, m.Node) for x in value):
                new_list = [r for r in (self.node(x) for x in value) if r is not None]
                if len(new_list) != len(value) or any(a is not b for a, b in zip(new_list, value)):
                    updates[name] = new_list
            elif isinstance(value, m.Node):
                new = self.node(value)
                if new is not value:
                    updates[name] = new
        body: BodyMap | None = None  # a rendered Markdown body
        if isinstance(node, m.ProsePart) and TEMPLATE_MARK.search(node.body):
            if sources is not None:
                sources.append(node.body)
            rendered = self.render(node.body, self._body_locator(node))
            body = BodyMap(node.body, rendered) if rendered is not None else None
        if not updates and body is None:
            return node
        new = node.model_copy(update=updates)
        if maps:
            new._origin = VariantOrigin(node.origin, maps=maps)
        prose: m.Node = new  # (a body was rendered: the copy is a ProsePart)
        if body is not None and isinstance(prose, m.ProsePart):
            prose._body = body.rendered
            prose._line_map = body
        return new

    @staticmethod
    def _body_locator(part: m.ProsePart) -> Callable[[int], Position]:
        body = part.body

        def locate(offset: int) -> Position:
            before = body[:offset]
            line_index = before.count("\n")
            return Position(part.origin.file, part.source_line(line_index), offset - (before.rfind("\n") + 1) + 1)

        return locate

    def regulation(self, reg: m.Regulation) -> m.Regulation | None:
        new = self.node(reg)
        if new is None:
            return None
        parts = [r for r in (self.node(p) for p in reg.loaded_parts) if r is not None]
        if new is reg:
            new = reg.model_copy()
        new._parts = parts
        return new

    # ------------------------------------------------------------ run

    def run(self) -> Variant:
        self.select()
        base = self.base
        resolved = dataclasses.replace(
            base,
            terms=[r for r in (self.node(t) for t in base.terms) if r is not None],
            roles=[r for r in (self.node(r) for r in base.roles) if r is not None],
            pages=[r for r in (self.node(p) for p in base.pages) if r is not None],
            regulations=[r for r in (self.regulation(g) for g in base.regulations) if r is not None],
            index={},
            all_items=[],
        )
        resolved.build_index()
        self.variant.content = resolved
        self.variant.used_params = used_params(
            base, [p for p in (self.profile, *self.others) if p is not None], self.cache, sources=self.sources
        )
        return self.variant


def _text_locator(node: m.Node, name: str) -> Callable[[int], Position]:
    """Position of a character of text field ``name`` of ``node``."""
    return lambda offset: node.text_at(name, offset)


# --------------------------------------------------------------------------
# Which parameters the sources use


def template_sources(content: Content) -> list[str]:
    """Every templated string of the base content (string fields and Markdown bodies), the nodes taken as
    :meth:`Content.nodes` walks them (into nodes and lists), read from each node's field values directly: this
    runs over every field of every node."""
    found: list[str] = []
    search = TEMPLATE_MARK.search

    def walk(value: object) -> None:
        if isinstance(value, m.Node):
            holders = node_fields(type(value))  # where nodes may be (lists of words are not looked into)
            for name, field_value in value.__dict__.items():  # a pydantic model's field values
                if isinstance(field_value, str):
                    if "{" in field_value and search(field_value):
                        found.append(field_value)
                elif name in holders:
                    walk(field_value)
            if isinstance(value, m.ProsePart) and search(value.body):
                found.append(value.body)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for group in (content.terms, content.roles, content.pages):
        walk(group)
    for reg in content.regulations:
        walk(reg)
        walk(reg.loaded_parts)
    return found


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def used_params(
    content: Content, profiles: Iterable[Profile], cache: TemplateCache, *, sources: list[str] | None = None
) -> set[str]:
    """Names of parameters used by any text of ``content`` or any override of ``profiles``.

    ``sources``: :func:`template_sources` of ``content`` when the caller met them already (in any order).
    """
    sources = template_sources(content) if sources is None else list(sources)
    for p in profiles:
        sources.extend(s for s in _strings(p.overrides) if TEMPLATE_MARK.search(s))
    used: set[str] = set()
    for source in sources:
        used.update(u.name for u in cache.parse(source).uses if u.root == "params")
    return used
