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
"""

from __future__ import annotations

import operator
import re
import string
from collections.abc import Callable
from typing import Any

from jinja2 import BaseLoader, BytecodeCache, StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reglament import ru

MAX_ITEMS = 100_000
"""The longest string or list ``*`` may build."""
MAX_EXPONENT = 64
"""The largest exponent ``**`` accepts."""
MAX_WIDTH = 10_000
"""The widest field a format spec or a padding filter may ask for."""

_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
_FORMAT_WIDTH = re.compile(r"(\d+)")


def _check_width(width: object, what: str) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > MAX_WIDTH:
        raise SecurityError(f"{what} asks for {width} characters (the limit is {MAX_WIDTH})")


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

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        options.setdefault("undefined", StrictUndefined)
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}
        self.filters.update(ru.FILTERS)
        # padding filters: the width is the positional argument after the value (and the environment)
        for name, index in (("center", 1), ("indent", 1), ("wordwrap", 2), ("truncate", 2)):  # after env, value
            if name in self.filters:
                self.filters[name] = _bounded(name, self.filters[name], index)
        self.filters["format"] = self._format_filter

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is too large (the limit is {MAX_EXPONENT})")
            return operator.pow(left, right)
        if operator_name == "%":
            if isinstance(left, str):
                _check_percent_format(left)
            return operator.mod(left, right)
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
                raise SecurityError(f"`*` would build {len(seq) * times} items (the limit is {MAX_ITEMS})")
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


def sandbox(
    *,
    loader: BaseLoader | None = None,
    bytecode_cache: BytecodeCache | None = None,
    autoescape: bool = False,
    finalize: Callable[[Any], Any] | None = None,
    keep_trailing_newline: bool = True,
) -> Sandbox:
    """A :class:`Sandbox` with the project's settings (blocks trimmed, the Russian formatting filters)."""
    options: dict[str, Any] = dict(
        loader=loader,
        bytecode_cache=bytecode_cache,
        autoescape=autoescape,
        keep_trailing_newline=keep_trailing_newline,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if finalize is not None:
        options["finalize"] = finalize
    return Sandbox(**options)
