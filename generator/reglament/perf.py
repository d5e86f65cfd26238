"""Performance helpers shared by the stages that build large object graphs.

Loading and checking a big site allocate hundreds of thousands of small,
acyclic objects (YAML nodes, dicts, positions, models). CPython's cyclic
collector runs a pass every 700 net allocations and, as the heap grows, keeps
rescanning everything already loaded: on the 10,000-clause benchmark corpus
that was a quarter of the time of `reglament check`. Reference counting frees
acyclic garbage anyway, so these stages run with passes spaced further apart.

What is kept between runs outside a project (the source cache's signing key, compiled templates) lives in
one folder of the user's: :func:`user_cache_dir`.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def user_cache_dir() -> Path:
    """reglament's folder in the user's cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``): never in a project."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reglament"


#: names a file to which a command appends the CPU and wall seconds of each of its stages (:func:`lap`): the
#: benchmark (``benchmarks/run.py``) measures `reglament build` as a user runs it this way
STAGE_TIMES_ENV = "REGLAMENT_STAGE_TIMES"


def lap(stage: str, **facts: object) -> None:
    """When ``$REGLAMENT_STAGE_TIMES`` names a file: append to it one JSON line with ``stage`` ending now — this
    process's CPU seconds so far, a wall clock reading — and ``facts``. Else nothing (one look at the
    environment). Nothing is kept between laps: :func:`read_laps` makes each stage's seconds from two lines."""
    path = os.environ.get(STAGE_TIMES_ENV)
    if not path:
        return
    line = {"stage": stage, "cpu": time.process_time(), "clock": time.perf_counter(), **facts}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def read_laps(path: Path) -> list[dict]:
    """The laps :func:`lap` wrote to ``path``, each with its stage's ``cpu_s`` (the first: since the process
    started) and ``wall_s`` (since the lap before; the first: None) and its facts."""
    laps = []
    before: dict | None = None
    for text in path.read_text(encoding="utf-8").splitlines():
        line = json.loads(text)
        cpu, clock = line.pop("cpu"), line.pop("clock")
        line["cpu_s"] = round(cpu - (before["cpu"] if before else 0.0), 4)
        line["wall_s"] = round(clock - before["clock"], 4) if before else None
        laps.append(line)
        before = {"cpu": cpu, "clock": clock}
    return laps
