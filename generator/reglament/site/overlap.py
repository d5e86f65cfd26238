"""The page pass while the engine builds: each page goes to a worker process as soon as the engine has written it.

:func:`reglament.site.postbuild.process_site` runs after the engine. On a machine with a second core that core
is idle while the engine (one process) builds, and the engine writes its pages one by one at the end of its
build. :class:`OverlappedPass` watches the site folder (inotify through watchdog: a file *closed after
writing*, or moved into place) and hands each finished ``*.html`` to a worker at once
(:func:`reglament.site.pagesteps.process_aside`); the worker writes the page's new text into a folder set aside,
never into the site the engine is still writing. Once the engine is done, :meth:`OverlappedPass.finish`:

* takes a worker's result only if the page is still, byte for byte, what the worker read (a digest of it), and
  only if the page was handed over once;
* processes every other page (missed by the watcher, written again, failed in the worker) as
  :func:`~reglament.site.postbuild.process_site` does;
* reports unsafe pages exactly as ``process_site`` does (the same findings, in the same order) and then moves
  nothing; else moves the new texts into place and indexes the site.

So the site is the same, byte for byte, as with the pass after the engine; only the wall time differs.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from watchdog.events import (
    FileClosedEvent,
    FileCreatedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from reglament.morphology import Morph
from reglament.site import postbuild
from reglament.site.pagesteps import (
    Done,
    PageSteps,
    page_digest,
    process_aside,
    process_files,
    start_worker,
    warm,
)
from reglament.site.postbuild import Processed, with_heads

#: folder depths of pages whose ``<head>`` tags are prepared before the engine runs (deeper pages: after it)
_DEPTHS = 16


class _QuietStop(logging.Filter):
    """watchdog logs an error when an event arrives as its inotify thread stops; the pass stops it on purpose
    once the engine is done (a page written after that is processed anyway), so the message says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


_INOTIFY_MODULE = "watchdog.observers.inotify"
_INOTIFY_LOG = logging.getLogger(_INOTIFY_MODULE)


class _Watch(FileSystemEventHandler):
    def __init__(self, on_page: Callable[[str, bool], None]) -> None:
        self.on_page = on_page

    def on_created(self, event: FileSystemEvent) -> None:
        self._page(event.src_path, False)

    def on_closed(self, event: FileSystemEvent) -> None:
        self._page(event.src_path, True)

    def on_moved(self, event: FileSystemEvent) -> None:
        self._page(event.dest_path, True)

    def _page(self, path: bytes | str, complete: bool) -> None:
        name = os.fsdecode(path)
        if name.endswith(".html"):
            self.on_page(name, complete)


class OverlappedPass:
    """Start before the engine (:meth:`start`), :meth:`finish` after it; :meth:`close` always."""

    def __init__(self, site_dir: Path, steps: PageSteps, *, workers: int, morph: Morph | None = None) -> None:
        self.site_dir = site_dir
        self.steps = steps
        self.morph = morph
        self.aside = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.pass-", dir=site_dir.parent))
        ctx = multiprocessing.get_context("spawn")
        self.pool: concurrent.futures.ProcessPoolExecutor | None = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=start_worker,
            initargs=(str(site_dir), str(self.aside), steps),
        )
        self.pool.submit(warm)  # the worker starts while the engine is still converting Markdown
        self.lock = threading.Lock()
        self.handed: dict[str, list[tuple[str, concurrent.futures.Future]]] = {}
        self.pending: list[str] = []  # created, not yet known to be complete
        self.serial = 0  # names the files set aside
        self.observer: BaseObserver | None = None
        if not any(isinstance(f, _QuietStop) for f in _INOTIFY_LOG.filters):
            _INOTIFY_LOG.addFilter(_QuietStop())
        # watchdog warns when the engine creates a folder while its recursive watch is being added (it watches
        # the folder once either way); the warning is about watchdog's bookkeeping, not the build
        warnings.filterwarnings(
            "ignore", message="Callback with id .* already exists", category=RuntimeWarning, module=_INOTIFY_MODULE
        )
        observer = Observer()
        try:
            observer.schedule(
                _Watch(self._seen),
                str(site_dir),
                recursive=True,
                event_filter=[FileCreatedEvent, FileClosedEvent, FileMovedEvent],
            )
            observer.start()
        except OSError:  # no watcher (inotify limits): every page is processed after the engine
            return
        self.observer = observer

    @classmethod
    def start(
        cls, site_dir: Path, docs_dir: Path, steps: PageSteps, *, jobs: int, morph: Morph | None = None
    ) -> OverlappedPass | None:
        """The pass, watching ``site_dir`` (empty: the engine has not run) with ``steps`` (its
        :func:`~reglament.site.postbuild.page_steps`); None where it would not pay: one job, fewer than
        :data:`~reglament.site.postbuild.PARALLEL_PAGES` pages in ``docs_dir``, or an offline site (its links
        depend on which pages exist, so its pages wait for the whole site)."""
        if jobs < 2 or steps.offline:
            return None
        if sum(1 for _ in docs_dir.rglob("*.md")) < postbuild.PARALLEL_PAGES:
            return None
        # one core stays with the engine; the workers keep up with its writing and take what is left after it
        return cls(site_dir, with_heads(steps, range(_DEPTHS)), workers=max(1, jobs - 1), morph=morph)

    def _seen(self, path: str, complete: bool) -> None:
        """A page was created (``complete`` False) or closed after writing / moved into place (True).

        A closed page is handed over. So is every page created before the newest one: an engine writes its pages
        one after another, and a page created in a folder the watcher had not seen yet is reported as created
        only, never as closed. Handing over a page too early costs only work: its digest tells (:meth:`finish`).
        """
        rel = Path(os.path.relpath(path, self.site_dir)).as_posix()
        if rel.startswith("../"):
            return
        with self.lock:
            if self.pool is None:
                return
            if complete:
                if rel in self.pending:
                    self.pending.remove(rel)
                self._hand(rel)
            elif rel not in self.pending:
                self.pending.append(rel)
            while len(self.pending) > 1:
                self._hand(self.pending.pop(0))

    def _hand(self, rel: str) -> None:
        assert self.pool is not None
        self.serial += 1
        name = f"{self.serial}.html"
        try:
            future = self.pool.submit(process_aside, rel, name)
        except concurrent.futures.process.BrokenProcessPool:  # a worker died: the page waits for the end
            return
        self.handed.setdefault(rel, []).append((name, future))

    def finish(self, *, index: bool = True) -> Processed:
        """Once the engine is done: every page of the site processed (see the module's docstring), then indexed."""
        self._stop_watching()
        with self.lock:
            handed = dict(self.handed)
        rels = [p.relative_to(self.site_dir).as_posix() for p in sorted(self.site_dir.rglob("*.html"))]
        steps = with_heads(self.steps, {rel.count("/") for rel in rels})  # a page deeper than those prepared
        results = self._take_back(rels, handed, steps)
        moves: list[tuple[str, str]] = []
        again: list[str] = []
        for rel in rels:
            if rel in results:
                continue
            tries = handed.get(rel, [])
            digest = page_digest((self.site_dir / rel).read_bytes()) if tries else b""
            # the last try that read the page as it is now (any earlier one read it before the engine was done)
            taken = next(
                ((name, out) for name, f in reversed(tries) if (out := _outcome(f)) and out[0] == digest), None
            )
            if taken is None:
                again.append(rel)
                continue
            name, (_, wrote, done) = taken
            results[rel] = done
            if wrote:
                moves.append((name, rel))
        if again:
            chunks = [again[i : i + 8] for i in range(0, len(again), 8)]
            assert self.pool is not None
            try:
                chunks_done = list(
                    self.pool.map(process_files, [str(self.site_dir)] * len(chunks), chunks, [steps] * len(chunks))
                )
            except concurrent.futures.process.BrokenProcessPool:  # a worker died: the rest in this process
                chunks_done = [process_files(str(self.site_dir), chunk, steps) for chunk in chunks]
            for chunk, chunk_results in zip(chunks, chunks_done, strict=True):
                results.update(zip(chunk, chunk_results, strict=True))
        ordered = {rel: results[rel] for rel in rels}
        if not any(page.problems for page in ordered.values()):  # an unsafe site: nothing moves, the build fails
            for name, rel in moves:
                os.replace(self.aside / name, self.site_dir / rel)
        return postbuild.indexed_site(
            self.site_dir, ordered, steps if index else replace(steps, glossary=None), self.morph
        )

    def _take_back(
        self, rels: list[str], handed: dict[str, list[tuple[str, concurrent.futures.Future]]], steps: PageSteps
    ) -> dict[str, Done]:
        """The pages this process does itself now that the engine is done and its core is free: those never
        handed over, then, from the last one handed, one page after another whose tries the worker has not begun
        (taken back: cancelled), until it reaches one the worker has begun — the worker does the pages from the
        first one meanwhile, so the two cores meet in the middle."""
        site = str(self.site_dir)
        mine = [rel for rel in rels if rel not in handed]
        done = dict(zip(mine, process_files(site, mine, steps), strict=True))
        order = sorted(
            ((rel, name) for rel, tries in handed.items() for name, _ in tries),
            key=lambda item: int(item[1].removesuffix(".html")),
        )
        present = set(rels)
        for rel, _ in reversed(order):
            if rel in done:
                continue
            if rel not in present:  # handed over, then gone (an engine's temporary file): no try is wanted
                for _, future in handed[rel]:
                    future.cancel()
                continue
            if not all(f.cancel() for _, f in handed[rel]):
                break
            done[rel] = process_files(site, [rel], steps)[0]
        return done

    def _stop_watching(self) -> None:
        observer, self.observer = self.observer, None
        if observer is not None:
            observer.stop()
            observer.join()

    def close(self) -> None:
        """Stop the watcher and the workers, remove the folder set aside (whether or not :meth:`finish` ran)."""
        self._stop_watching()
        with self.lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.aside, ignore_errors=True)


def _outcome(future: concurrent.futures.Future) -> tuple[bytes, bool, Done] | None:
    try:
        return future.result()
    except Exception:  # a page the worker could not read or process: processed again after the engine
        return None
