"""The one Jinja sandbox for everything the content and the project's templates render.

Texts with ``{{ params.x }}`` (the variant stage), page templates
(``templates/pages``) and print templates (``templates/pdf``) all render in
:class:`Sandbox`: Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
(no attribute starting with ``_``, no mutation of lists and dicts, no access to
functions' internals), with :class:`~jinja2.StrictUndefined` and bounds on
the operations that turn a short template into a huge value:

* ``*`` building a string or list longer than :data:`MAX_ITEMS`;
* ``**`` with an exponent over :data:`MAX_EXPONENT`;
* a ``%``-format or ``str.format`` field wider or more precise than :data:`MAX_WIDTH`;
* the ``center``, ``indent``, ``wordwrap``, ``truncate`` and ``format``
  filters asked for more than :data:`MAX_WIDTH` characters.

Each overrun raises :class:`~jinja2.exceptions.SecurityError`, which the callers
turn into a positioned diagnostic at the template expression.

On top of those per-operation bounds, :meth:`Sandbox.render_bounded` bounds a
whole render (:class:`TemplateLimit`, reported as ``template-limit``):

* CPU time per text (:data:`TEXT_SECONDS`) and per build (:data:`BUILD_SECONDS`,
  the environment's :class:`Budget`): every loop body, macro body and call
  ticks the clock, so nested loops and recursive macros stop in time;
* output size per text (:data:`TEXT_CHARS`) and per build (:data:`BUILD_CHARS`);
* the size of every value built on the way: ``~`` concatenation, the result of
  every filter and method call, ``join``/``replace`` *before* they allocate, and
  the items a filter pulls out of a generator (``map``, ``select``, …) are
  counted against :data:`VALUE_CHARS`;
* integer arithmetic growing past :data:`MAX_INT_BITS` bits.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import operator
import os
import re
import stat
import string
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import BaseLoader, BytecodeCache, StrictUndefined, TemplateSyntaxError, nodes, pass_eval_context
from jinja2.bccache import Bucket, bc_magic
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import Environment
from jinja2.exceptions import SecurityError
from jinja2.runtime import Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from reglament import ru
from reglament.perf import user_cache_dir

MAX_ITEMS = 100_000
"""The longest string or list ``*`` may build."""
MAX_EXPONENT = 64
"""The largest exponent ``**`` accepts."""
MAX_WIDTH = 10_000
"""The widest field a format spec or a padding filter may ask for."""
VALUE_CHARS = 1_000_000
"""The longest string (or list) any single operation of a template may build."""
TEXT_CHARS = 1_000_000
"""The most characters one render may output."""
BUILD_CHARS = 50_000_000
"""The most characters all the renders of one environment (one build) may output."""
TEXT_SECONDS = 2.0
"""CPU seconds one render may take."""
BUILD_SECONDS = 60.0
"""CPU seconds all the bounded renders of one environment (one build) may take."""
MAX_INT_BITS = 4_096
"""The largest integer (in bits) arithmetic in a template may produce."""


class Budget:
    """What the bounded renders of one environment (one build) have used so far."""

    def __init__(self, seconds: float = BUILD_SECONDS, chars: int = BUILD_CHARS) -> None:
        self.seconds = seconds
        self.chars = chars
        self.used_seconds = 0.0
        self.used_chars = 0
        self._lock = threading.Lock()

    def spend(self, seconds: float, chars: int) -> None:
        with self._lock:
            self.used_seconds += seconds
            self.used_chars += chars


class _Render:
    """The bounds of the render running in this thread."""

    __slots__ = ("budget", "deadline", "pulled", "seconds", "start", "ticks")

    def __init__(self, budget: Budget, seconds: float) -> None:
        self.budget = budget
        self.seconds = seconds
        self.start = time.thread_time()
        left = budget.seconds - budget.used_seconds
        self.deadline = self.start + max(0.0, min(seconds, left))
        self.pulled = 0  # characters pulled out of generators by filters
        self.ticks = 0


_current = threading.local()


def _active() -> _Render | None:
    return getattr(_current, "render", None)


def _size(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return len(value)
    return 0


#: result types that are never iterators and whose size :func:`_size` measures by ``len`` (or that have none):
#: a result of one of these exact types needs no ``isinstance(…, Iterator)`` (an ABC check, slow) to be bounded
_PLAIN = frozenset({str, Markup, list, tuple, dict, set, frozenset, bool, float, type(None)})
#: the attribute values :meth:`Sandbox.wrap_str_format` may have to wrap (``str.format`` and ``format_map``)
_METHODS = (types.MethodType, types.BuiltinMethodType)
#: callables whose ``__call__`` is a method-wrapper (which never carries Jinja's ``jinja_pass_arg``): for them
#: Jinja's ``Context.call`` only passes the context or environment when the callable itself asks for it
_PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType})


def _bound_result(value: Any, what: Callable[[], str]) -> Any:
    """``value`` — the result of a call or a filter — metered when it is an iterator, checked against the value
    bounds otherwise (:func:`_check_value`; ``what()`` names the operation in the error)."""
    kind = type(value)
    if kind in _PLAIN:
        if kind is bool or kind is float or value is None or len(value) <= VALUE_CHARS:
            return value
        return _check_value(value, what())
    if kind is int:
        return value if value.bit_length() <= MAX_INT_BITS else _check_value(value, what())
    if isinstance(value, Iterator) and not isinstance(value, (str, bytes)):
        return _metered(value)
    if _size(value) > VALUE_CHARS or (isinstance(value, int) and value.bit_length() > MAX_INT_BITS):
        return _check_value(value, what())
    return value


def _check_value(value: object, what: str) -> object:
    size = _size(value)
    if size > VALUE_CHARS:
        raise TemplateLimit(f"{what} built {size} characters or items (the limit is {VALUE_CHARS})")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"{what} built a {value.bit_length()}-bit number (the limit is {MAX_INT_BITS} bits)")
    return value


def tick() -> None:
    """Called at every loop iteration, macro call and call in a template: stop a render that ran out of time."""
    render = getattr(_current, "render", None)  # what _active() reads, without a call: ticks are many
    if render is None:
        return
    render.ticks += 1
    if render.ticks & 63 == 0 and time.thread_time() > render.deadline:
        _out_of_time(render)


def _out_of_time(render: _Render) -> None:
    if render.budget.used_seconds + (time.thread_time() - render.start) >= render.budget.seconds:
        raise TemplateLimit(f"the templates of this build took over {render.budget.seconds:g} s of CPU time")
    raise TemplateLimit(f"the template took over {render.seconds:g} s of CPU time")


def _metered(items: Iterable[Any]) -> Iterator[Any]:
    """Items of a generator a filter consumes, counted against the render's value bound."""
    for item in items:
        render = _active()
        if render is not None:
            render.pulled += _size(item) + 1
            if render.pulled > VALUE_CHARS * 4:
                raise TemplateLimit(f"filters pulled over {VALUE_CHARS * 4} characters out of generated sequences")
            tick()
        yield item


def _str_join(items: Iterable[Any], sep: str = "") -> str:
    total = 0
    parts = []
    for item in items:
        text = str(item)
        total += len(text) + len(sep)
        if total > VALUE_CHARS:
            raise TemplateLimit(f"joining would build over {VALUE_CHARS} characters")
        parts.append(text)
    return sep.join(parts)


def _precheck_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Refuse the string methods that would allocate a huge result before they run."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(obj, "__name__", "")
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(args[0], f"`str.{name}`")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and owner.count("\t") * max(size, 0) + len(owner) > VALUE_CHARS:
            raise TemplateLimit(f"`expandtabs` would build over {VALUE_CHARS} characters")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = owner.count(args[0]) if args[0] else len(owner) + 1
        if len(owner) + count * len(args[1]) > VALUE_CHARS:
            raise TemplateLimit(f"`replace` would build over {VALUE_CHARS} characters")
    elif name == "join" and args:
        raise SecurityError("`str.join` is not available in templates; use the `join` filter")


@pass_eval_context
def _join_filter(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    """The ``join`` filter, refusing before it would build over :data:`VALUE_CHARS` characters."""
    if attribute is not None:
        value = (item[attribute] if isinstance(item, dict) else getattr(item, str(attribute)) for item in value)
    if eval_ctx.autoescape:
        return Markup(_str_join((escape(v) for v in value), str(escape(d))))
    return _str_join(value, str(d))


@pass_eval_context
def _replace_filter(eval_ctx: Any, s: str, old: str, new: str, count: int | None = None) -> str:
    """The ``replace`` filter, refusing before it would build over :data:`VALUE_CHARS` characters."""
    if eval_ctx.autoescape and not isinstance(s, Markup):
        s = escape(s)
    text, old, new = str(s), str(old), str(new)
    _precheck_call(text.replace, (old, new), {})
    result = text.replace(old, new, -1 if count is None else count)
    return Markup(result) if isinstance(s, Markup) else result


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with ``~`` going through :meth:`Sandbox.call_concat`, and the clock ticks
    :meth:`Sandbox._parse` puts into loop and macro bodies as direct calls of :func:`tick`.

    A tick is the sandbox's own code, not the template's: routed through :meth:`Sandbox.call` like a call the
    template makes, it was over half the sandboxed calls of a render. A template cannot produce the node
    (Jinja's parser never makes an :class:`~jinja2.nodes.EnvironmentAttribute`), so only the ticks take this path.
    """

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if _is_tick(node):
            self.write("environment.tick()")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.call_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _not_constant(eval_ctx: nodes.EvalContext | None = None) -> Any:
    raise nodes.Impossible()


def _at_runtime(ast: nodes.Template) -> None:
    """Make every filter and test of ``ast`` run when the template renders.

    Jinja folds a filter or test of constant arguments (``{{ "[[t1]]" | text }}``) at compile time, calling the
    environment's function then and putting its result into the compiled code. Renderer filters read the site
    being rendered (its terms, its links), so a folded result would be the site's at compile time, and compiled
    code outlives a render (:class:`TemplateCodeCache`). Applied at runtime, the compiled code depends only on
    which filters and tests exist and what they are passed (in the cache key), and the output is the same.
    """
    # Jinja allows no node subclass: the node's own ``as_const`` (what every folding path asks) is replaced
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        setattr(node, "as_const", _not_constant)  # noqa: B010 (an instance attribute over the method)


def _tick_node(lineno: int) -> nodes.Stmt:
    call = nodes.Call(nodes.EnvironmentAttribute("tick", lineno=lineno), [], [], None, None, lineno=lineno)
    return nodes.ExprStmt(call, lineno=lineno)


def _is_tick(node: nodes.Call) -> bool:
    """Is ``node`` a clock tick made by :func:`_tick_node` (not anything a template wrote)?"""
    target = node.node
    return (
        isinstance(target, nodes.EnvironmentAttribute)
        and target.name == "tick"
        and not node.args
        and not node.kwargs
        and node.dyn_args is None
        and node.dyn_kwargs is None
    )


def _wrap_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose generator input is metered and whose result is bounded."""
    pass_arg = getattr(original, "jinja_pass_arg", None)
    value_index = 0 if pass_arg is None else 1

    def what() -> str:
        return f"`{name}`"

    def checked(*args: Any, **kwargs: Any) -> Any:
        tick()
        if len(args) > value_index:
            value = args[value_index]
            if type(value) not in _PLAIN and isinstance(value, Iterator) and not isinstance(value, (str, bytes)):
                args = (*args[:value_index], _metered(value), *args[value_index + 1 :])
        return _bound_result(original(*args, **kwargs), what)

    checked.__name__ = getattr(original, "__name__", name)
    if pass_arg is not None:
        checked.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return checked


class TemplateLimit(SecurityError):
    """A render went over a time or size bound: reported as ``template-limit``."""

    template_line: int | None = None
    """Where the render was when a whole-render bound (output size, time between chunks) stopped it."""


@dataclass(frozen=True)
class Spread:
    """A template source with a line break put just inside each of its `{{ … }}` and `{% … %}` tags.

    Jinja tells where a runtime error happened only by the template line, and a folded YAML
    text (``>``) is one line however many it has in the file. Compiled from :attr:`source`,
    every tag's expression is on a line of its own, so the line names the tag; a break inside
    a tag is whitespace to Jinja, so the output is the same.
    """

    source: str
    starts: tuple[int, ...]
    """Where each line of :attr:`source` begins in the original: a tag's own line at its `{{`/`{%`."""

    def offset(self, line: int) -> int:
        """The offset in the original source of line ``line`` (1-based) of :attr:`source`."""
        return self.starts[min(max(line, 1), len(self.starts)) - 1]

    @classmethod
    def plain(cls, source: str) -> Spread:
        """``source`` as it is (its own lines)."""
        return cls(source, (0, *(i + 1 for i, ch in enumerate(source) if ch == "\n")))


def error_line(exc: BaseException) -> int:
    """The template line ``exc`` was raised at: the innermost template frame of its traceback (Jinja rewrites
    tracebacks to show template lines), or where the render was when a whole-render bound stopped it; 1 if unknown."""
    line = getattr(exc, "template_line", None) or 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _suspended_line(gen: Any, template: Any) -> int | None:
    """The template line a render's generator is suspended at (the chunk it yielded last)."""
    name = getattr(template, "filename", None) or "<template>"
    line = None
    while gen is not None:
        frame = getattr(gen, "gi_frame", None)
        if frame is not None and frame.f_code.co_filename == name:
            line = template.get_corresponding_lineno(frame.f_lineno)
        gen = getattr(gen, "gi_yieldfrom", None)
    return line


_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
_FORMAT_WIDTH = re.compile(r"(\d+)")


def _check_width(width: object, what: str) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > MAX_WIDTH:
        raise TemplateLimit(f"{what} asks for {width} characters (the limit is {MAX_WIDTH})")


def _check_percent_format(fmt: str) -> None:
    for match in _PERCENT_SPEC.finditer(fmt):
        for group in match.groups():
            if group == "*":
                raise SecurityError("a `*` width in a %-format is not allowed")
            if group is not None:
                _check_width(int(group), "a %-format field")


def _bounded(name: str, original: Callable[..., Any], *width_args: int) -> Callable[..., Any]:
    """A filter that refuses a width argument (by position after the value, or ``width=``) over the limit."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        for index in width_args:
            if len(args) > index:
                _check_width(args[index], f"`{name}`")
        _check_width(kwargs.get("width"), f"`{name}`")
        _check_width(kwargs.get("length"), f"`{name}`")
        return original(*args, **kwargs)

    checked.__name__ = getattr(original, "__name__", name)
    for attr in ("jinja_pass_arg",):  # keep Jinja's context/environment passing markers
        if hasattr(original, attr):
            setattr(checked, attr, getattr(original, attr))
    return checked


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, bounded, with its attribute verdicts remembered.

    The sandbox asks :meth:`is_safe_attribute` on every attribute a template reads;
    the answer depends only on the object's type and the attribute's name, so it
    is cached per (type, name) — rendering a large site reads millions of them.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any) -> None:
        options.setdefault("undefined", StrictUndefined)
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}
        self.budget = Budget()
        self.filters.update(ru.FILTERS)
        # padding filters: the width is the positional argument after the value (and the environment)
        for name, index in (("center", 1), ("indent", 1), ("wordwrap", 2), ("truncate", 2)):  # after env, value
            if name in self.filters:
                self.filters[name] = _bounded(name, self.filters[name], index)
        self.filters["format"] = self._format_filter
        self.filters["join"] = _join_filter
        self.filters["replace"] = _replace_filter
        for name, original in list(self.filters.items()):
            self.filters[name] = _wrap_filter(name, original)
        self.tick = tick

    # ------------------------------------------------------------ whole renders

    def render_bounded(self, template: Any, context: dict[str, Any], *, seconds: float = TEXT_SECONDS) -> str:
        """Render ``template`` within the per-text and per-build bounds; :class:`TemplateLimit` on an overrun."""
        budget = self.budget
        if budget.used_chars >= budget.chars:
            raise TemplateLimit(f"the templates of this build output over {budget.chars} characters")
        if budget.used_seconds >= budget.seconds:
            raise TemplateLimit(f"the templates of this build took over {budget.seconds:g} s of CPU time")
        outer = _active()
        render = _Render(budget, seconds)
        _current.render = render
        out: list[str] = []
        size = 0
        chunks = template.generate(context)
        try:
            for chunk in chunks:
                size += len(chunk)
                try:
                    if size > TEXT_CHARS:
                        raise TemplateLimit(f"the template output over {TEXT_CHARS} characters")
                    if budget.used_chars + size > budget.chars:
                        raise TemplateLimit(f"the templates of this build output over {budget.chars} characters")
                    if time.thread_time() > render.deadline:
                        _out_of_time(render)
                except TemplateLimit as exc:
                    exc.template_line = _suspended_line(chunks, template)
                    raise
                out.append(chunk)
        finally:
            _current.render = outer
            budget.spend(time.thread_time() - render.start, size)
        return "".join(out)

    def spread(self, source: str) -> Spread:
        """``source`` with each `{{`/`{%` tag's expression on a line of its own (see :class:`Spread`); as it is
        when it does not lex (its syntax error is reported from the original)."""
        cuts: list[tuple[int, int]] = []  # (offset after a tag's opener, the opener's offset)
        pos = 0
        try:
            for _, kind, value in self.lexer.tokeniter(source, None):
                if not source.startswith(value, pos):  # whitespace `lstrip_blocks` left out before a block tag
                    found = source.find(value, pos)
                    if found < 0 or source[pos:found].strip(" \t"):
                        return Spread.plain(source)
                    pos = found
                if kind in ("variable_begin", "block_begin"):
                    cuts.append((pos + len(value), pos))
                pos += len(value)
        except TemplateSyntaxError:
            return Spread.plain(source)
        pieces: list[str] = []
        starts = [0]
        last = 0
        for cut, opener in [*cuts, (len(source), -1)]:
            piece = source[last:cut]
            pieces.append(piece)
            starts.extend(last + i + 1 for i, ch in enumerate(piece) if ch == "\n")
            if opener >= 0:
                pieces.append("\n")
                starts.append(opener)
            last = cut
        return Spread("".join(pieces), tuple(starts))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse, then make every loop body, macro and call block tick the render's clock, and every filter and
        test run at render time (:func:`_at_runtime`)."""
        ast = super()._parse(source, name, filename)
        _at_runtime(ast)
        for node in ast.find_all((nodes.For, nodes.Macro, nodes.CallBlock)):
            assert isinstance(node, (nodes.For, nodes.Macro, nodes.CallBlock))
            node.body.insert(0, _tick_node(node.lineno))
        return ast

    def call_concat(self, values: tuple[Any, ...]) -> str:
        """``a ~ b ~ …``: refused before it would build over :data:`VALUE_CHARS` characters."""
        parts = [str(v) for v in values]
        if sum(map(len, parts)) > VALUE_CHARS:
            raise TemplateLimit(f"`~` would build over {VALUE_CHARS} characters")
        return "".join(parts)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call in a template: Jinja's sandboxed call (:meth:`is_safe_callable`, then the context's call),
        ticking the clock, refusing string methods that would allocate too much, bounding the result.

        Jinja's :meth:`SandboxedEnvironment.call` is inlined (the same two steps), and so is the context's call
        of a plain function or method that asks for no context, and of a macro (what ``Context.call`` does for
        them: drop the loop and block variables, pass a macro the evaluation context, call, a ``StopIteration``
        giving an undefined value): a render makes hundreds of thousands of calls, and each layer of
        ``*args, **kwargs`` forwarding costs."""
        tick()
        _precheck_call(__obj, args, kwargs)
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        kind = type(__obj)
        if (kind in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg")) or kind is Macro:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                # a macro's ``__call__`` asks for the evaluation context (``pass_eval_context``): passed as the
                # context's call would pass it
                result = __obj(__context.eval_ctx, *args, **kwargs) if kind is Macro else __obj(*args, **kwargs)
            except StopIteration:
                result = __self.undefined("value was undefined because a callable raised a StopIteration exception")
        else:
            result = __context.call(__obj, *args, **kwargs)
        return _bound_result(result, lambda: f"`{getattr(__obj, '__name__', 'call')}`")

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` in a template: Jinja's :meth:`SandboxedEnvironment.getattr`, step by step the same,
        with the verdict of :meth:`is_safe_attribute` looked up in its cache first and ``str.format``
        wrapping asked only of methods (the only values it wraps)."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                pass
            return self.undefined(obj=obj, name=attribute)
        if isinstance(value, _METHODS):
            fmt = self.wrap_str_format(value)
            if fmt is not None:
                return fmt
        verdict = self._verdicts.get((type(obj), attribute))
        if verdict is None:
            verdict = self.is_safe_attribute(obj, attribute, value)
        if verdict:
            return value
        return self.unsafe_undefined(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        tick()
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise TemplateLimit(f"exponent {right} is too large (the limit is {MAX_EXPONENT})")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * max(right, 0) > MAX_INT_BITS:
                raise TemplateLimit(f"`**` would build a number over {MAX_INT_BITS} bits")
            return _check_value(operator.pow(left, right), "`**`")
        if operator_name == "%":
            if isinstance(left, str):
                _check_percent_format(left)
            return _check_value(operator.mod(left, right), "`%`")
        if operator_name == "+":
            if _size(left) + _size(right) > VALUE_CHARS:
                raise TemplateLimit(f"`+` would build over {VALUE_CHARS} characters or items")
            return _check_value(operator.add(left, right), "`+`")
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
                raise TemplateLimit(f"`*` would build {len(seq) * times} items (the limit is {MAX_ITEMS})")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(f"`*` would build a number over {MAX_INT_BITS} bits")
        return operator.mul(left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>9}'.format(x)`` in a template: Jinja's sandboxed formatting, with widths bounded."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        for _, _, spec, _ in string.Formatter().parse(value.__self__):
            for number in _FORMAT_WIDTH.findall(spec or ""):
                _check_width(int(number), "a format field")
        return wrapped

    @staticmethod
    def _format_filter(value: str, *args: Any, **kwargs: Any) -> str:
        """The ``format`` filter (``'%5d' | format(x)``) with widths bounded."""
        if args and kwargs:
            raise SecurityError("`format` takes positional or keyword arguments, not both")
        _check_percent_format(str(value))
        return str(value) % (kwargs or args)


# ------------------------------------------------------------ compiled templates, kept between processes

CODE_CACHE_FORMAT = b"reglament-template-code/1\n"
"""The layout of a compiled-template file; bump when it changes."""
CODE_CACHE_MAX_BYTES = 16 * 2**20
"""A file larger than this is not read (a page template compiles to a few tens of kilobytes)."""
CODE_CACHE_STALE_DAYS = 14
"""A file left by another version of reglament, Jinja or Python is deleted when it is this old."""

_module_digests: dict[str, str] = {}
_tool_fingerprint: str | None = None


def _module_digest(module: str) -> str:
    """A digest of the source file of ``module`` (its code shapes the compiled code: a code generator, a parse
    step, a ``finalize``); of its name alone when it has no file."""
    found = _module_digests.get(module)
    if found is None:
        path = getattr(sys.modules.get(module), "__file__", None)
        try:
            data = Path(path).read_bytes() if path else b""
        except OSError:
            data = b""
        found = _module_digests[module] = hashlib.sha256(module.encode() + b"\0" + data).hexdigest()
    return found


def _tool() -> str:
    """What compiles a template in this process: Python (its version and bytecode tag), Jinja (its version and
    the bytes of its modules: the lexer, parser, optimizer and code generator) and Jinja's own bytecode magic."""
    global _tool_fingerprint
    if _tool_fingerprint is None:
        h = hashlib.sha256(CODE_CACHE_FORMAT + bc_magic)
        h.update(f"{sys.version}\0{sys.implementation.cache_tag}\0{jinja2.__version__}\0".encode())
        folder = Path(jinja2.__file__).parent
        for path in sorted(folder.glob("*.py")):
            h.update(path.name.encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"?")
        _tool_fingerprint = h.hexdigest()
    return _tool_fingerprint


def _callable_name(obj: Any) -> str:
    kind = getattr(obj, "jinja_pass_arg", None)
    module = getattr(obj, "__module__", None) or type(obj).__module__
    name = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{module}.{name} {_module_digest(module)} {getattr(kind, 'name', kind)}"


def environment_fingerprint(env: Environment, name: str | None) -> str:
    """Everything of ``env`` that shapes the code it compiles for the template ``name``.

    Jinja's own key is the template's name and file plus its source; but the same source compiles to other code
    in another environment: a sandboxed one routes every call, attribute and intercepted operator through the
    environment (``environment.call``, ``environment.getattr``…), autoescaping wraps output in ``escape``, the
    delimiters and whitespace options change what is text and what is code, ``finalize`` is applied to constants
    at compile time, and a filter's or test's calling convention (``pass_context``…) is written into the call.
    So the key also holds: the class and its code generator (their modules' source, for the sandbox: its bounds
    and clock ticks), every option the lexer, parser and compiler read, ``autoescape`` as decided for ``name``,
    ``finalize``, the extensions, and the names and calling conventions of the filters and tests. What a filter
    or test *does* is not in it: :class:`Sandbox` never applies them at compile time (:func:`_at_runtime`).
    """
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    classes = [*type(env).__mro__, *env.code_generator_class.__mro__]
    parts = [
        " ".join(f"{c.__module__}.{c.__qualname__}" for c in classes),
        " ".join(sorted({_module_digest(c.__module__) for c in classes if not c.__module__.startswith("jinja2")})),
        repr(
            (
                env.block_start_string,
                env.block_end_string,
                env.variable_start_string,
                env.variable_end_string,
                env.comment_start_string,
                env.comment_end_string,
                env.line_statement_prefix,
                env.line_comment_prefix,
                env.trim_blocks,
                env.lstrip_blocks,
                env.newline_sequence,
                env.keep_trailing_newline,
                env.optimized,
                env.is_async,
                env.sandboxed,
                bool(autoescape),
                sorted(getattr(env, "intercepted_binops", ())),
                sorted(getattr(env, "intercepted_unops", ())),
            )
        ),
        "finalize " + (_callable_name(env.finalize) if env.finalize else "-"),
        "extensions " + " ".join(sorted(_callable_name(type(ext)) for ext in env.extensions.values())),
    ]
    for kind, table in (("filter", env.filters), ("test", env.tests)):
        parts.extend(
            f"{kind} {key} {getattr(getattr(func, 'jinja_pass_arg', None), 'name', '-')}"
            for key, func in sorted(table.items())
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def user_cache_folder() -> Path:
    """Where compiled templates are kept: ``reglament/templates`` in the user's cache folder (``XDG_CACHE_HOME``,
    else ``~/.cache``) — where the source cache's signing key lives, never in a project."""
    return user_cache_dir() / "templates"


def _in_repository(folder: Path) -> bool:
    """Is ``folder`` inside a git working tree (a checkout whose files a pull request may choose)?"""
    return any(os.path.lexists(parent / ".git") for parent in (folder, *folder.parents))


class TemplateCodeCache(BytecodeCache):
    """Compiled templates, kept in this process and (when :attr:`folder` is usable) in the user's cache folder.

    Compiling the page templates was about a third of rendering a site, paid again by every process. A compiled
    template is Python code that the process runs, so what is loaded must be what this process would compile:

    * **where**: only the user's own cache folder (:func:`user_cache_folder`), created ``0700``; not used when it
      is inside a git working tree or inside the project being rendered (``outside``), where a pull request
      could put files; not used when it is a symlink, is owned by another user, or cannot be made ``0700``;
      a file is read only if it is a regular file owned by this user that no one else may write;
    * **what**: the file's name hashes the tool (:func:`_tool`: Python, Jinja and its bytecode magic), the
      environment (:func:`environment_fingerprint`) and the template's name and path, so code compiled by
      another environment (a plain, unsandboxed one; another autoescape or finalize) or another version is
      never looked up; the file repeats that name, the source checksum and a SHA-256 of the code, all checked
      before the code is unmarshalled (Jinja's own file layout unpickles the checksum first; this one unpickles
      nothing);
    * **failures**: a missing, truncated, corrupt or foreign file, or one for an older source, is ignored and the
      template compiled again and rewritten (atomically: a temporary file renamed into place); a folder that
      cannot be written only costs the compile. None of it is ever an error.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._ready: bool | None = None if folder is not None else False
        self._memory: dict[str, tuple[str, types.CodeType]] = {}
        self._lock = threading.Lock()
        self.compiled = 0
        """Templates compiled by this process (not found, or found unusable): what a benchmark reports."""
        self.loaded = 0
        """Templates whose code this process read from :attr:`folder`."""

    # ------------------------------------------------------------ keys

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        parts = (environment_fingerprint(environment, name), name, filename or "")
        return self._bucket(environment, parts, self.get_source_checksum(source))

    def string_bucket(self, environment: Environment, fingerprint: str, source: str) -> Bucket:
        """The bucket of the template ``environment`` compiles from the string ``source`` (``from_string``: no name,
        no file), its code filled in when kept (this process, else :attr:`folder`); store it with :meth:`set_bucket`
        once compiled. ``fingerprint`` is :func:`environment_fingerprint` of ``environment`` for no name, computed by
        the caller once for an environment it no longer changes. The key hashes the tool, that fingerprint and the
        source itself (a source is its own name here), the checksum the source again: the rules of the class hold."""
        text = source.encode("utf-8", "surrogatepass")  # a YAML escape may leave a lone surrogate in a text
        digest = hashlib.sha256(text).hexdigest()
        return self._bucket(environment, (fingerprint, "<string>", digest), digest)

    def _bucket(self, environment: Environment, parts: tuple[str, ...], checksum: str) -> Bucket:
        """The bucket whose file is named by the tool (:func:`_tool`) and a hash of ``parts``, its code filled in
        when kept."""
        key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        bucket = Bucket(environment, f"{_tool()[:16]}-{key}", checksum)
        self.load_bytecode(bucket)
        return bucket

    def _header(self, bucket: Bucket) -> bytes:
        return CODE_CACHE_FORMAT + bc_magic + f"{bucket.key}\n{bucket.checksum}\n".encode()

    # ------------------------------------------------------------ the folder

    def usable(self) -> bool:
        """Can compiled templates be kept in :attr:`folder`? (Created ``0700`` on first use; see the class.)"""
        if self._ready is None:
            with self._lock:
                if self._ready is None:
                    self._ready = self._prepare()
        return self._ready

    def _prepare(self) -> bool:
        folder = self.folder
        if folder is None or not hasattr(os, "geteuid"):  # no owner to check files by: kept in memory only
            return False
        try:
            if _in_repository(folder.resolve()):
                return False
            folder.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
            info = os.lstat(folder)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                return False
            if stat.S_IMODE(info.st_mode) != 0o700:
                os.chmod(folder, 0o700)
            return True
        except OSError:
            return False

    # ------------------------------------------------------------ load and store

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self._memory.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]
            return
        if not self.usable():
            return
        code = self._read(bucket)
        if code is not None:
            self.loaded += 1
            bucket.code = code
            self._memory[bucket.key] = (bucket.checksum, code)

    def _read(self, bucket: Bucket) -> types.CodeType | None:
        assert self.folder is not None
        try:
            fd = os.open(self.folder / bucket.key, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as f:
                info = os.fstat(f.fileno())
                if (
                    not stat.S_ISREG(info.st_mode)
                    or info.st_uid != os.geteuid()
                    or info.st_mode & 0o022
                    or info.st_size > CODE_CACHE_MAX_BYTES
                ):
                    return None
                data = f.read(CODE_CACHE_MAX_BYTES + 1)
        except OSError:
            return None
        header = self._header(bucket)
        digest_end = len(header) + hashlib.sha256().digest_size
        if not data.startswith(header) or len(data) <= digest_end:
            return None
        payload = data[digest_end:]
        if hashlib.sha256(payload).digest() != data[len(header) : digest_end]:
            return None
        try:
            code = marshal.loads(payload)
        except Exception:  # any malformed payload: compiled anew
            return None
        return code if isinstance(code, types.CodeType) else None

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.code
        if code is None:
            return
        self.compiled += 1  # Jinja stores a bucket only after compiling its template
        self._memory[bucket.key] = (bucket.checksum, code)
        if not self.usable():
            return
        assert self.folder is not None
        payload = marshal.dumps(code)
        data = self._header(bucket) + hashlib.sha256(payload).digest() + payload
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")  # mode 0600
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.folder / bucket.key)
            tmp = None
            self._prune()
        except OSError:
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def _prune(self) -> None:
        """Delete the files of other tools (another reglament, Jinja or Python) not written for a while."""
        assert self.folder is not None
        current = _tool()[:16] + "-"
        old = time.time() - CODE_CACHE_STALE_DAYS * 86_400
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.startswith(current):
                    continue
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < old:
                        os.unlink(entry.path)

    def clear(self) -> None:
        self._memory.clear()
        if not self.usable():
            return
        assert self.folder is not None
        with os.scandir(self.folder) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)


_module_digest(__name__)  # this module's code, read as it is imported (not as it may be edited later)

_code_caches: dict[Path | None, TemplateCodeCache] = {}
_code_caches_lock = threading.Lock()


def template_code_cache(project: Path | None = None) -> TemplateCodeCache:
    """The compiled-template cache of this process in the user's cache folder (:func:`user_cache_folder`, read
    when called: a changed ``XDG_CACHE_HOME`` is a new cache); one that keeps code in memory only when that
    folder is inside ``project`` (the tree being rendered)."""
    folder: Path | None = user_cache_folder()
    if project is not None and folder is not None:
        try:
            folder.resolve().relative_to(project.resolve())
            folder = None
        except ValueError:
            pass
    with _code_caches_lock:
        cache = _code_caches.get(folder)
        if cache is None:
            cache = _code_caches[folder] = TemplateCodeCache(folder)
    return cache


def sandbox(
    *,
    loader: BaseLoader | None = None,
    code_cache: bool = True,
    project: Path | None = None,
    autoescape: bool = False,
    finalize: Callable[[Any], Any] | None = None,
    keep_trailing_newline: bool = True,
) -> Sandbox:
    """A :class:`Sandbox` with the project's settings (blocks trimmed, the Russian formatting filters).

    With a ``loader`` and ``code_cache``, the templates it loads are compiled once and kept (this process, and
    the user's cache folder unless it is inside ``project``: :class:`TemplateCodeCache`)."""
    options: dict[str, Any] = dict(
        loader=loader,
        bytecode_cache=template_code_cache(project) if loader is not None and code_cache else None,
        autoescape=autoescape,
        keep_trailing_newline=keep_trailing_newline,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if finalize is not None:
        options["finalize"] = finalize
    return Sandbox(**options)
