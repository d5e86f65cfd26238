"""Performance helpers shared by the stages that build large object graphs.

Loading and checking a big site allocate hundreds of thousands of small,
acyclic objects (YAML nodes, dicts, positions, models). CPython's cyclic
collector runs a pass every 700 net allocations and, as the heap grows, keeps
rescanning everything already loaded: on the 10,000-clause benchmark corpus
that was a quarter of the time of `reglament check`. Reference counting frees
acyclic garbage anyway, so these stages run with passes spaced further apart.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: allocations between two passes of the youngest generation while a stage runs (CPython's default: 700)
STAGE_GC_THRESHOLD = 100_000


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Raise the collector's first threshold for the duration of a stage; restore it afterwards.

    Usable as a decorator. Nesting is harmless: the inner call keeps the raised value.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], STAGE_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
