"""The sandbox report and receipt templates render in: no Python internals, bounded work.

Templates travel between desks through git, so a helpdesk's template is
input to check, not code to trust. Jinja2's sandbox keeps it away from
Python's internals; this module also bounds what it may spend:

- steps: every loop iteration, every call, and the size of what every filter
  or call is given (a sixteenth of its length) count against MAX_STEPS, so
  nested loops, a macro that calls itself twice, or a filter walking a huge
  list end with an error instead of running for hours;
- size: ``*``, ``+`` and ``~`` may not make a text or list longer than
  MAX_TEXT, nor may a method (``extend``, ``update``) grow a list, dict or
  set past it; no padding (``center``, ``ljust``, ``indent``, a format
  width) wider than MAX_TEXT, no power larger than MAX_POWER_BITS, and one
  rendering writes at most MAX_OUTPUT characters.

Imported only when something is rendered (it imports jinja2).
"""

from __future__ import annotations
from lpsectl.i18n import _

import functools
import re
from typing import Any, Callable

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

# Loop iterations, calls and units of filter work in one rendering. The
# built-in templates spend a few per ticket listed: 100,000 tickets fit
# many times over, a runaway template stops within seconds.
MAX_STEPS = 5_000_000
# Characters one rendering may write (a recap of 100,000 tickets is ~20 MB).
MAX_OUTPUT = 64 * 1024 * 1024
# The longest text or list a template may build, and the widest padding.
MAX_TEXT = 1_000_000
MAX_POWER_BITS = 4096

# The filters the loops and joins of every template pass through.
_LOOP = "lpsectl_loop"
_JOINED = "lpsectl_joined"
# str methods whose arguments say how wide the result is.
_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# A width or precision of a million or more inside a format string.
_HUGE_WIDTH = re.compile(r"\d{7,}")
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
# Sequences a loop walks exactly len() times (not a subclass, which may iterate as it likes).
_COUNTED = frozenset(_SIZED)
_DICT_ATTRIBUTES = frozenset(dir(dict))
# What a template may grow in place by calling its methods: bounded in size after every call.
_GROWN = frozenset({list, dict, set, bytearray})


class TooMuchWork(SecurityError):
    """A template went past one of the bounds of this module."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _cost(values: Any) -> int:
    """One step, and one more for every 16 items of the texts and lists given."""
    steps = 1
    for v in values:
        if isinstance(v, _SIZED):
            steps += len(v) >> 4
    return steps


def _check_format(spec: Any) -> None:
    if isinstance(spec, str) and _HUGE_WIDTH.search(spec):
        raise TooMuchWork(_("a format width in {value!r} is too wide (at most {MAX_TEXT:,})").format(value=spec[:40], MAX_TEXT=MAX_TEXT))


class _Bound(NodeTransformer):
    """Route every loop's sequence and every ``~`` through the sandbox's checks."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP, [], [], None, None, lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return nodes.Filter(node, _JOINED, [], [], None, None, lineno=node.lineno)


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox with the bounds of this module; one instance renders one template."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.steps_left = MAX_STEPS
        self.filters[_LOOP] = self._loop
        self.filters[_JOINED] = self._joined

    # -- the budget -------------------------------------------------------

    def spend(self, steps: int = 1) -> None:
        self.steps_left -= steps
        if self.steps_left < 0:
            raise TooMuchWork(_("the template does too much work (more than {MAX_STEPS:,} steps: loops, calls, filters); "
                                "make it simpler").format(MAX_STEPS=MAX_STEPS))

    def _loop(self, seq: Any) -> Any:
        if type(seq) in _COUNTED:
            # As many iterations as it has items: paid at once, and Jinja2 walks it at C speed
            # (a recap's overdue list of a year is tens of thousands of rows).
            self.spend(_cost((seq,)) + len(seq))
            return seq
        self.spend(_cost((seq,)))
        return self._each(seq)

    def _each(self, seq: Any) -> Any:
        for item in seq:
            self.spend()
            yield item

    def _joined(self, text: Any) -> Any:
        if _size(text) > MAX_TEXT:
            raise TooMuchWork(_("a text of {value:,} characters is too long (at most {MAX_TEXT:,})").format(value=len(text), MAX_TEXT=MAX_TEXT))
        return text

    def charge_filters(self) -> None:
        """Make every filter registered so far pay for the size of what it is given."""
        for name, f in list(self.filters.items()):
            if name not in (_LOOP, _JOINED) and not getattr(f, "lpsectl_charged", False):
                self.filters[name] = self._charged(name, f)

    def _charged(self, name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        # Filters marked pass_context/pass_environment get that first: it is not data.
        skip = 1 if getattr(f, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(f)
        def charged(*args: Any, **kwargs: Any) -> Any:
            data = args[skip:]
            self.spend(_cost(data))
            if name in ("center", "indent"):
                widths = [a for a in (*data[1:], *kwargs.values()) if isinstance(a, int)]
                if any(w > MAX_TEXT for w in widths):
                    raise TooMuchWork(_("a {name} width of {value:,} is too wide (at most {MAX_TEXT:,})").format(name=name, value=max(widths), MAX_TEXT=MAX_TEXT))
            if name == "format" and data:
                _check_format(data[0])
            return f(*args, **kwargs)

        charged.lpsectl_charged = True  # type: ignore[attr-defined]
        return charged

    # -- the hooks of the sandbox -------------------------------------------

    def _parse(self, source: str, name: Any, filename: Any) -> nodes.Template:
        tree = _Bound().visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        self.charge_filters()
        return tree

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A plain dict's key that is no attribute of dict (``o.id``): what the
        # sandbox would find after failing getattr, without raising on the way.
        # The recap's lists ask this hundreds of thousands of times.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.spend(_cost(args) + (_cost(kwargs.values()) if kwargs else 0))
        if getattr(obj, "lpsectl_helper", False):
            # One of the helpers lpsectl hands every template (num, fmt_date, ...): plain
            # functions of plain values, called directly (they count as calls all the same),
            # without the loop's variables Jinja2 passes along for a context to see.
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return obj(*args, **kwargs)
        owner = getattr(obj, "__self__", None)
        if owner is None:  # the sandbox hands out str.format wrapped; the wrapper keeps the method
            owner = getattr(getattr(obj, "__wrapped__", None), "__self__", None)
        if isinstance(owner, str):
            method = getattr(obj, "__name__", "")
            if method in _PADDING and any(isinstance(a, int) and a > MAX_TEXT for a in args):
                raise TooMuchWork(_("str.{method} to a width over {MAX_TEXT:,} is too wide").format(method=method, MAX_TEXT=MAX_TEXT))
            if method in ("format", "format_map"):
                _check_format(owner)
            self.spend(len(owner) // 16)
        result = super().call(context, obj, *args, **kwargs)
        if type(owner) in _GROWN and len(owner) > MAX_TEXT:  # list.extend, dict.update, set.update ...
            raise TooMuchWork(_("a collection of {value:,} items is too long (at most {MAX_TEXT:,})").format(value=len(owner), MAX_TEXT=MAX_TEXT))
        return result

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, _SIZED) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise TooMuchWork(_("a repetition of {value:,} items is too long (at most {MAX_TEXT:,})").format(value=len(seq) * n, MAX_TEXT=MAX_TEXT))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if left.bit_length() * right > MAX_POWER_BITS:
                raise TooMuchWork(_("the power {left} ** {right} is too large").format(left=left, right=right))
        elif operator == "+" and _size(left) + _size(right) > MAX_TEXT:
            raise TooMuchWork(_("a sum of {value:,} items is too long (at most {MAX_TEXT:,})").format(value=_size(left) + _size(right), MAX_TEXT=MAX_TEXT))
        return super().call_binop(context, operator, left, right)

    # -- rendering ----------------------------------------------------------

    def render_bounded(self, template: Any, context: dict[str, Any]) -> str:
        """``template`` rendered with ``context``, refusing to write more than MAX_OUTPUT characters."""
        parts: list[str] = []
        written = 0
        for part in template.generate(**context):  # a recap of 100,000 tickets is a million parts
            written += len(part)
            if written > MAX_OUTPUT:
                raise OutputTooLong(template.filename or template.name)
            parts.append(part)
        return "".join(parts)


class OutputTooLong(Exception):
    """A rendering went past MAX_OUTPUT characters; carries the template's file."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self.filename = filename
