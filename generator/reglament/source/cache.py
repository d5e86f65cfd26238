"""A persistent cache of loaded source files, so that a check after one edit re-reads only that file.

Each source file's load — decoding, YAML parsing, pydantic validation and the
positions of every value — is a pure function of the file's bytes, its path and
the tool. Its result (the model object, the file's diagnostics and what it
declared but lost, see ``loader.Lost``) is pickled to
``.reglament-cache/<tool>/<key>`` under the project root, where ``<tool>`` is a
digest of the reglament package's own files, the Python version and the installed
versions of :data:`LIBRARIES` (an entry is never trusted across versions) and ``<key>`` hashes
the kind of load, the path and the bytes.

Beside the per-file entries, :class:`ResultCache` keeps the final result of a
whole command (``reglament check``) over a tree: its key hashes every input file
of the command (path and bytes), the command's options, the date (rules about
review cycles read it) and the tool, so an unchanged tree answers without
loading anything — not even the model's libraries. The input files' digests are
kept by their stamps (size, inode, times) as git's index keeps them: a file whose
stamp did not change since it was hashed, well after its last change, is not read again.

Safety: the folder is safe to delete at any time. Entries are written to a
temporary file and renamed into place (a crash leaves a whole entry or none).
Every entry carries an HMAC made with a key that lives outside the project (in
the user's cache folder), so an entry that is corrupt, truncated, or came from
elsewhere (a cache folder committed to a repository, another machine) fails
verification and is ignored and rewritten — it is never unpickled, and never an
error. Any failure to read or write the cache only costs the time it would have
saved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import importlib.util
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reglament.perf import user_cache_dir

CACHE_DIR = ".reglament-cache"
#: the layout of an entry; bump when it changes
FORMAT = b"reglament-cache/1\n"
_MAC_SIZE = hashlib.sha256().digest_size
#: names of the entries that are not one source file's (see :meth:`SourceCache.prune`)
SLOT_PREFIXES = ("result-", "memo-", "part-", "stamps-")

#: the libraries whose versions shape a loaded object or a check's result (parsing, validation, templates,
#: morphology and its dictionary)
LIBRARIES = ("pydantic", "pydantic_core", "yaml", "ruamel", "jinja2", "markupsafe", "pymorphy3", "pymorphy3_dicts_ru")
#: distribution names that differ from the import name
_DISTRIBUTIONS = {"yaml": "pyyaml", "material": "mkdocs_material"}

_tool_digest: str | None = None


def _files_under(folder: str) -> list[str]:
    """Every file below ``folder`` (paths relative to it, sorted); symlinks are listed, never followed."""
    found: list[str] = []
    stack = [(folder, "")]
    while stack:
        path, rel = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = f"{rel}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append((entry.path, name + "/"))
                else:
                    found.append(name)
    return sorted(found)


def library_versions(names: tuple[str, ...] = LIBRARIES) -> str:
    """The installed versions of the libraries ``names`` (import names; default :data:`LIBRARIES`), read from
    their distributions' metadata folder names (``pydantic-2.11.7.dist-info``) without importing them: one
    listing of a folder each, where ``importlib.metadata.version`` scans every distribution on the path. A
    library found without such metadata is named by its location and modification time instead."""
    parts = [sys.version]
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            parts.append(f"{name}: absent")
            continue
        where = spec.origin if spec.origin and spec.origin != "namespace" else None
        location = Path(where).parent if where else Path(next(iter(spec.submodule_search_locations or ["."])))
        site = location.parent
        prefix = _DISTRIBUTIONS.get(name, name).replace("_", "-").lower()
        try:
            dists = sorted(
                entry
                for entry in os.listdir(site)
                if entry.endswith((".dist-info", ".egg-info")) and entry.replace("_", "-").lower().startswith(prefix)
            )
        except OSError:
            dists = []
        if dists:
            parts.append(f"{name}: {' '.join(dists)}")
        else:
            try:
                stat = os.stat(where or location)
                parts.append(f"{name}: {where or location} {stat.st_mtime_ns} {stat.st_size}")
            except OSError:
                parts.append(f"{name}: {where or location}")
    return "\n".join(parts)


def tool_digest() -> str:
    """The reglament package's own files and the versions that shape a loaded object (cached per process)."""
    global _tool_digest
    if _tool_digest is None:
        h = hashlib.sha256(FORMAT)
        package = Path(__file__).resolve().parents[1]  # the whole reglament package
        for rel in _files_under(str(package)):
            h.update(rel.encode() + b"\0")
            h.update((package / rel).read_bytes())
        h.update(library_versions().encode())
        _tool_digest = h.hexdigest()
    return _tool_digest


def _user_key_file() -> Path:
    return user_cache_dir() / "cache-key"


def _user_key() -> bytes | None:
    """The secret that signs this user's cache entries (created on first use); None if it cannot be had."""
    path = _user_key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-key-")
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(32))
        # two processes racing (the first build's worker processes): the first key linked into place wins, and
        # each reads that one (a rename would let a process that read its own key keep signing with it)
        try:
            os.link(tmp, path)
        except FileExistsError:
            if len(path.read_bytes()) < 32:  # a broken key (never one being made: a linked key is whole)
                os.replace(tmp, path)
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
        Path(tmp).unlink(missing_ok=True)
        key = path.read_bytes()
        return key if len(key) >= 32 else None
    except OSError:
        return None


class SourceCache:
    """The cache folder of one project root for this version of the tool.

    ``get``/``put`` never raise on a bad entry or an unwritable folder; ``prune``
    (after a whole load) deletes the entries this run did not use.
    """

    def __init__(self, root: Path) -> None:
        self.base = root / CACHE_DIR
        self.folder = self.base / tool_digest()[:32]
        self._key = _user_key()
        self._used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self._ready = False

    @property
    def enabled(self) -> bool:
        return self._key is not None

    def key(self, kind: str, rel: str, raw: bytes) -> str:
        h = hashlib.sha256(kind.encode() + b"\0" + rel.encode() + b"\0")
        h.update(raw)
        return h.hexdigest()

    def _mac(self, payload: bytes) -> bytes:
        assert self._key is not None
        return hmac.new(self._key, FORMAT + payload, hashlib.sha256).digest()

    def get(self, key: str) -> tuple[bool, object]:
        """(True, value) for a verified entry; (False, None) when there is none or it is bad."""
        self._used.add(key)
        if self._key is None:
            return False, None
        try:
            data = (self.folder / key).read_bytes()
        except OSError:
            self.misses += 1
            return False, None
        mac, payload = data[:_MAC_SIZE], data[_MAC_SIZE:]
        if len(mac) != _MAC_SIZE or not hmac.compare_digest(mac, self._mac(payload)):
            self.misses += 1
            return False, None  # corrupt or foreign: rewritten by the put that follows
        try:
            value = pickle.loads(payload)
        except Exception:  # a signed entry that still does not load (a class renamed in place): recompute
            self.misses += 1
            return False, None
        self.hits += 1
        return True, value

    def put(self, key: str, value: object) -> None:
        if self._key is None:
            return
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something unpicklable in a result: that file is just not cached
            return
        try:
            self._prepare()
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(self._mac(payload) + payload)
                os.replace(tmp, self.folder / key)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return

    def _prepare(self) -> None:
        """Create the folder (marked as a cache for backup tools and ignored by git); drop other versions'."""
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        marker = self.base / "CACHEDIR.TAG"
        if not marker.exists():
            marker.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# the reglament source cache; safe to delete\n"
            )
        ignore = self.base / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# the reglament source cache (safe to delete)\n*\n")
        for other in self.base.iterdir():
            if other.is_dir() and other != self.folder:
                shutil.rmtree(other, ignore_errors=True)  # another version's entries are never used again
        self._ready = True

    @property
    def used(self) -> set[str]:
        """The entries this run asked for so far."""
        return set(self._used)

    def keep(self, keys: set[str]) -> None:
        """Count ``keys`` as used by this run (entries a partial run did not read but still needs)."""
        self._used.update(keys)

    def prune(self) -> None:
        """Delete the file entries this run did not use (files since changed or removed).

        Named slots (``result-…``, ``memo-…``: one per command and options, or per
        analysis) are replaced in place by their owners and stay.
        """
        if self._key is None or not self.folder.is_dir():
            return
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name not in self._used and not entry.name.startswith(SLOT_PREFIXES):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
        except OSError:
            return


#: a file changed this recently (nanoseconds) before it was hashed may change again within the same tick of the
#: file system's clock without its times showing it: it is hashed again to tell (as git treats "racy" files)
RACY_NS = 2_000_000_000

#: what a file's metadata says of its bytes: size, inode, modification and change times
Stamp = tuple[int, int, int, int]


def _tree(root: Path, folders: tuple[str, ...]) -> list[tuple[str, os.DirEntry[str] | str]] | None:
    """The files below ``root``'s ``folders`` in order (per folder, sorted by path): (path relative to ``root``,
    its directory entry); a folder that is absent or not a folder as (folder, a word saying so). None when the
    tree holds a symlink or cannot be listed. ``__pycache__`` folders are left out."""
    found: list[tuple[str, os.DirEntry[str] | str]] = []
    for folder in folders:
        base = os.path.join(root, folder)
        if os.path.islink(base):
            return None
        if not os.path.isdir(base):
            found.append((folder, "absent" if not os.path.lexists(base) else "not a folder"))
            continue
        files: list[tuple[str, os.DirEntry[str] | str]] = []
        stack = [(base, folder + "/")]
        try:
            while stack:
                path, rel = stack.pop()
                with os.scandir(path) as entries:
                    for entry in entries:
                        if entry.is_symlink():
                            return None
                        if entry.is_dir():
                            if entry.name != "__pycache__":
                                stack.append((entry.path, f"{rel}{entry.name}/"))
                        else:
                            files.append((f"{rel}{entry.name}", entry))
        except OSError:
            return None
        files.sort(key=lambda f: f[0])
        found.extend(files)
    return found


def file_digests(
    root: Path,
    folders: tuple[str, ...],
    stamps: dict[str, Stamp] | None = None,
    known: dict[str, tuple[Stamp, str]] | None = None,
) -> dict[str, str] | None:
    """Every file below ``root``'s ``folders``: its path (relative to ``root``) → a digest of its bytes; a
    folder that is absent or not a folder maps to a word saying so. Paths sorted per folder.

    ``stamps``, when given, receives each file's :data:`Stamp`, taken before its bytes are read
    (see :func:`still_same`). ``known``: digests of an earlier run by path, with the stamp each file had
    then (see :func:`settled`); a file whose stamp is still that one is not read again (as git's index).

    None when the tree holds a symlink or an unreadable file: what those mean is
    decided while loading (they may be errors), so such a tree is never answered
    from a stored result.
    """
    tree = _tree(root, folders)
    if tree is None:
        return None
    found: dict[str, str] = {}
    sha256 = hashlib.sha256
    try:
        for rel, entry in tree:
            if isinstance(entry, str):
                found[rel] = entry
                continue
            if stamps is not None or known:
                st = os.lstat(entry.path)
                stamp = (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
                if stamps is not None:
                    stamps[rel] = stamp
                if known:
                    before = known.get(rel)
                    if before is not None and before[0] == stamp:
                        found[rel] = before[1]
                        continue
            with open(entry.path, "rb") as stream:
                found[rel] = sha256(stream.read()).hexdigest()
    except OSError:
        return None
    return found


def still_same(
    root: Path, folders: tuple[str, ...], files: dict[str, str], stamps: dict[str, Stamp], since: int
) -> bool:
    """Whether the files :func:`file_digests` found (``files``, with their ``stamps``, hashed from ``since``, a
    :func:`time.time_ns`) are all still there and as they were, and no other file came: by their stamps, and
    for a file changed shortly before ``since`` (see :data:`RACY_NS`) by its bytes."""
    now: dict[str, Stamp] = {}
    again = file_digests_of_stamps(root, folders, now)
    if (
        again is None
        or again != {rel: d for rel, d in files.items() if rel not in stamps}
        or now.keys() != stamps.keys()
    ):
        return False
    for rel, stamp in stamps.items():
        if now[rel] != stamp:
            return False
        if max(stamp[2], stamp[3]) >= since - RACY_NS:
            try:
                with open(os.path.join(root, rel), "rb") as stream:
                    if hashlib.sha256(stream.read()).hexdigest() != files[rel]:
                        return False
            except OSError:
                return False
    return True


def settled(files: dict[str, str], stamps: dict[str, Stamp], since: int) -> dict[str, tuple[Stamp, str]]:
    """The digests :func:`file_digests` found (hashed from ``since``, a :func:`time.time_ns`) that a later run
    may take by their stamps alone: those of files last changed well before they were hashed (see
    :data:`RACY_NS`; a file changed within the same tick of the clock may change again without its stamp
    showing it)."""
    return {
        rel: (stamp, files[rel])
        for rel, stamp in stamps.items()
        if rel in files and max(stamp[2], stamp[3]) < since - RACY_NS
    }


def file_digests_of_stamps(root: Path, folders: tuple[str, ...], stamps: dict[str, Stamp]) -> dict[str, str] | None:
    """Like :func:`file_digests`, reading no file: each file's :data:`Stamp` into ``stamps``, and the folders
    that are absent or not folders (None on a symlink)."""
    tree = _tree(root, folders)
    if tree is None:
        return None
    found: dict[str, str] = {}
    try:
        for rel, entry in tree:
            if isinstance(entry, str):
                found[rel] = entry
                continue
            st = entry.stat(follow_symlinks=False)
            stamps[rel] = (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    except OSError:
        return None
    return found


def digest_of(files: dict[str, str]) -> str:
    """One digest of :func:`file_digests`' answer."""
    h = hashlib.sha256(FORMAT)
    for rel, digest in files.items():
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def tree_digest(root: Path, folders: tuple[str, ...]) -> str | None:
    """A digest of every file below ``root``'s ``folders`` (path and bytes, and which folders exist); None as
    for :func:`file_digests`."""
    files = file_digests(root, folders)
    return digest_of(files) if files is not None else None


class ResultCache:
    """The stored result of one command with one set of options over a whole tree.

    ``get`` gives the value stored by the last ``put`` when nothing it depends on
    changed since — the files below ``folders``, the options, the date, the root's
    location and the tool — else None. One slot per command and options: a new
    result replaces the old one. Stored through :class:`SourceCache` (signed,
    atomic, never trusted across versions); like it, it never raises.
    """

    def __init__(self, root: Path, command: str, options: object, folders: tuple[str, ...]) -> None:
        self.cache = SourceCache(root)
        what = repr((command, options)).encode()
        self.slot = "result-" + hashlib.sha256(what).hexdigest()[:24]
        self.root, self.folders = root, folders
        # the files' digests of the last run that stored a result, by their stamps: only the files changed since
        # are read and hashed (one slot per set of folders, whatever the command and options)
        self.stamps_slot = "stamps-" + hashlib.sha256(repr((str(root.resolve()), folders)).encode()).hexdigest()[:24]
        hit, known = self.cache.get(self.stamps_slot)
        self.known: dict[str, tuple[Stamp, str]] = known if hit and isinstance(known, dict) else {}
        #: every input file's digest (None: the tree holds a symlink or an unreadable file)
        self.since = time.time_ns()
        self.stamps: dict[str, Stamp] = {}
        self.files = file_digests(root, folders, self.stamps, self.known)
        self.tree = tree = digest_of(self.files) if self.files is not None else None
        self.key: str | None = None
        self._unchanged: bool | None = None
        if tree is not None:
            h = hashlib.sha256(FORMAT + b"result\0" + what + b"\0")
            h.update(f"{dt.date.today().isoformat()}\0{root.resolve()}\0{tree}".encode())
            self.key = h.hexdigest()

    def get(self) -> object | None:
        if self.key is None:
            return None
        hit, value = self.cache.get(self.slot)
        if hit and isinstance(value, tuple) and len(value) == 2 and value[0] == self.key:
            return value[1]
        return None

    def unchanged(self) -> bool:
        """Whether every input file is still as it was when this was made (asked once: the answer is kept,
        for the result and for whatever else was computed from these files in the same run)."""
        if self._unchanged is None:
            self._unchanged = self.files is not None and still_same(
                self.root, self.folders, self.files, self.stamps, self.since
            )
        return self._unchanged

    def put(self, value: object) -> None:
        """Store ``value`` — unless a file changed while it was computed (it may stand for neither version)."""
        if self.key is not None and self.unchanged():
            self.cache.put(self.slot, (self.key, value))
            assert self.files is not None  # (a key is made only of digests)
            now = settled(self.files, self.stamps, self.since)
            if now != self.known:
                self.cache.put(self.stamps_slot, now)
