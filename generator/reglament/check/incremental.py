"""The base regulation's check split by regulation, so that a check after one edit costs that edit.

The model is cut into partitions: one per regulation folder
(``content/regulations/<folder>/``) and one for everything else (glossary, roles,
pages, editions, ``defaults.yml``, company profiles; the page templates' syntax is
kept apart, by the templates' digest). Each
partition is loaded, resolved and checked on its own; the rules read the other
partitions only through a :class:`~reglament.check.checker.World` made of every
partition's :class:`~reglament.check.checker.Exports` (ids, kinds, positions,
what its texts reference, the parameters they use…), and the rules that judge
the whole model (duplicate ids, unused terms and parameters, categories without
a rule) read only those exports.

Per partition ``.reglament-cache/`` keeps (one signed slot, see
:mod:`reglament.source.cache`): a digest of its files (a regulation's also of
``defaults.yml``, whose values its texts render), its exports, the diagnostics of
loading and resolving it, a stamp of what its rules read from the world besides
the ids it names (:func:`~reglament.check.checker.world_stamp`) and its rules'
diagnostics. A run then loads only the partitions whose files changed, reruns the
rules only of those and of the partitions naming an id whose standing in the world
changed (:meth:`~reglament.check.checker.World.lookup`), or whose stamp did, then
the whole-model rules on the exports — and gives exactly what the check without
the cache gives (``tests/check/test_partitioned_check.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reglament.check.checker import (
    GLOBAL_PART,
    Context,
    Exports,
    MentionMemo,
    Whole,
    World,
    local_diagnostics,
    names,
    touched_ids,
    whole_diagnostics,
    world_stamp,
)
from reglament.check.templates import page_template_diagnostics
from reglament.diagnostics import Diagnostic
from reglament.model.content import Content
from reglament.model.profile import Defaults
from reglament.morphology import Morph
from reglament.source.cache import SourceCache, file_digests
from reglament.source.loader import Loader, SourceReader, finish, load_shared, open_content, regulation_files
from reglament.source.profiles import load_defaults, load_profiles
from reglament.variant.resolve import TemplateCache, Variant, resolve

#: the slot of the partitions' state (one per set of options); bump the suffix when :class:`Part` changes
SLOT = "part-check-4"
DEFAULTS = "content/defaults.yml"
#: what the check reads below the root: the sources (company profiles included) and the page templates
PAGES = "templates/pages"
INPUTS = ("content", PAGES)


@dataclass
class Part:
    """What is kept of one partition between runs."""

    files: str
    """Digest of its files (a regulation's: and of ``defaults.yml``)."""
    exports: Exports
    loaded: list[Diagnostic]
    """Loading and resolving it (the global partition: also the profiles)."""
    stamp: str
    """What its rules read from the world besides the ids it names, when they last ran (see ``world_stamp``)."""
    pooled: bool
    """Its rules looked at every id (a did-you-mean): its imports cover them all."""
    ruled: list[Diagnostic]
    """Its rules' diagnostics."""
    keys: set[str] = field(default_factory=set)
    """The source-cache entries it was loaded from (kept when it is not loaded again)."""


@dataclass
class _Fresh:
    """A partition loaded and resolved in this run."""

    ctx: Context
    loaded: list[Diagnostic]
    keys: set[str]


def partition_of(rel: str, folders: set[str]) -> str:
    """The partition of an input file: its regulation's folder, the page templates, else the global partition."""
    if rel.startswith(PAGES):
        return PAGES
    parts = rel.split("/", 3)
    if len(parts) == 4 and parts[0] == "content" and parts[1] == "regulations":
        folder = "/".join(parts[:3])
        if folder in folders:
            return folder
    return GLOBAL_PART


class _Run:
    def __init__(self, root: Path, reader: SourceReader, store: SourceCache, public: bool, today: dt.date) -> None:
        self.root, self.reader, self.store = root, reader, store
        self.public, self.today = public, today
        self.templates = TemplateCache(root)
        self.morph = Morph()
        self._defaults: tuple[Defaults | None, set[str]] | None = None
        self.regulations = {rel.rsplit("/", 1)[0]: rel for rel in regulation_files(reader)}

    def defaults(self) -> tuple[Defaults | None, set[str]]:
        """``defaults.yml`` for the regulations' texts (its problems are the global partition's), and the
        source-cache entries it is read from."""
        if self._defaults is None:
            before = self.store.used
            self._defaults = (load_defaults(Loader(self.reader, self.store)), self.store.used - before)
        return self._defaults

    def load(self, key: str) -> _Fresh:
        """Load, resolve and set up the check of one partition."""
        before = self.store.used
        loader = Loader(self.reader, self.store)
        extra: list[Diagnostic] = []
        if key == GLOBAL_PART:
            content = load_shared(loader, self.root)
            loaded = finish(content, loader)
            profiles = load_profiles(self.root)
            variant = self._resolve(content, profiles.defaults, profiles.companies)
            extra = profiles.diagnostics
        else:
            content = Content()
            reg = loader.regulation(self.regulations[key])
            if reg is not None:
                content.regulations.append(reg)
            loaded = finish(content, loader)
            defaults, keys = self.defaults()
            variant = self._resolve(content, defaults, [])
            before -= keys  # (read once per run, for every regulation)
        ctx = Context(variant.content, self.morph, variant, self.today, part=key)
        diagnostics = [*loaded.diagnostics, *variant.diagnostics, *extra]
        return _Fresh(ctx, diagnostics, self.store.used - before)

    def _resolve(self, content: Content, defaults: Defaults | None, companies: list) -> Variant:
        return resolve(content, defaults=defaults, public=self.public, other_profiles=companies, cache=self.templates)


def _stored(store: SourceCache, key: str) -> tuple[dict[str, Part], tuple[str, list[Diagnostic]] | None]:
    """The partitions kept by the last run with these options, and the page templates' (digest, diagnostics)."""
    hit, value = store.get(SLOT)
    if not (hit and isinstance(value, tuple) and len(value) == 3 and value[0] == key and isinstance(value[1], dict)):
        return {}, None
    parts = {k: v for k, v in value[1].items() if isinstance(k, str) and isinstance(v, Part)}
    pages = value[2] if isinstance(value[2], tuple) and len(value[2]) == 2 else None
    return parts, pages


def check_base(
    root: Path,
    files: dict[str, str],
    *,
    public: bool = False,
    today: dt.date | None = None,
    unchanged: Callable[[], bool] | None = None,
) -> list[Diagnostic] | None:
    """The base regulation's check (content and page templates) of ``root``, as ``check --no-cache`` gives it.

    ``files``: every input file's digest (:func:`reglament.source.cache.file_digests` of
    ``INPUTS``, taken before reading them); ``unchanged()`` tells whether they are still
    so once the check is done (by default they are hashed again): the partitions are kept
    only then — one computed from a file that changed meanwhile may stand for neither
    version. None when the cache cannot be used (no signing key): then the caller checks
    without it. Raises ``NoContentError`` like loading does.
    """
    store = SourceCache(root)
    if not store.enabled:
        return None
    reader = open_content(root)
    today = today or dt.date.today()
    run = _Run(root, reader, store, public, today)
    keys = [GLOBAL_PART, *run.regulations]
    folders = set(run.regulations)
    grouped: dict[str, list[tuple[str, str]]] = {key: [] for key in (*keys, PAGES)}
    for rel, digest in files.items():
        grouped[partition_of(rel, folders)].append((rel, digest))
    shared = files.get(DEFAULTS, "absent")
    digests = {
        key: hashlib.sha256(repr((grouped[key], shared if key != GLOBAL_PART else "")).encode()).hexdigest()
        for key in keys
    }
    state_key = repr((str(root.resolve()), public))
    old, kept_pages = _stored(store, state_key)
    # the page templates are checked for their syntax alone (they depend on no content)
    pages_digest = hashlib.sha256(repr(grouped[PAGES]).encode()).hexdigest()
    if kept_pages is None or kept_pages[0] != pages_digest:
        kept_pages = (pages_digest, page_template_diagnostics(root))
        pages_changed = True
    else:
        pages_changed = False

    fresh: dict[str, _Fresh] = {}
    exports: dict[str, Exports] = {}
    for key in keys:
        kept = old.get(key)
        if kept is not None and kept.files == digests[key]:
            exports[key] = kept.exports
        else:
            fresh[key] = run.load(key)
            exports[key] = fresh[key].ctx.exports
    world = World.merge([(key, exports[key]) for key in keys], partitioned=True)

    # an id's standing in the world (kind, first partition, broken, left out) can change only if a partition
    # loaded again (or gone) declares it, breaks it or leaves it out, before or now: those whose standing did
    candidates: set[str] = set()
    for key in set(fresh) | (set(old) - set(keys)):
        if key in old:
            candidates |= touched_ids(old[key].exports)
        if key in exports:
            candidates |= touched_ids(exports[key])
    before = World.merge([(key, part.exports) for key, part in old.items()], partitioned=True)
    touched = {ident for ident in candidates if before.lookup(ident) != world.lookup(ident)}
    to_check = []
    for key in keys:
        kept = old.get(key)
        if (
            key in fresh
            or kept is None
            or kept.stamp != world_stamp(world, today, kept.pooled)
            or not touched.isdisjoint(names(exports[key]))
        ):
            to_check.append(key)
    memo = MentionMemo(store, world.terms, run.morph) if to_check else None
    parts: dict[str, Part] = {}
    for key in keys:
        if key not in to_check:
            parts[key] = old[key]
            continue
        if key not in fresh:
            fresh[key] = run.load(key)
        now = fresh[key]
        ctx = now.ctx
        ctx.given_world, ctx.memo = world, memo
        ruled = sorted(local_diagnostics(ctx))
        parts[key] = Part(digests[key], ctx.exports, now.loaded, ctx.stamp(), ctx.pooled, ruled, now.keys)
    found: set[Diagnostic] = set()
    for part in parts.values():
        found.update(part.loaded)
        found.update(part.ruled)
    found |= whole_diagnostics(Whole.of([(key, exports[key]) for key in keys], world))
    found.update(kept_pages[1])
    if memo is not None:
        memo.save(every_text=len(to_check) == len(keys))
    if unchanged is None:
        unchanged = lambda: file_digests(root, INPUTS) == files  # noqa: E731
    if (to_check or pages_changed or set(old) != set(parts)) and unchanged():
        store.put(SLOT, (state_key, parts, kept_pages))
    for part in parts.values():
        store.keep(part.keys)
    store.prune()
    return sorted(found)
