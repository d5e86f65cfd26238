"""Skip a build whose inputs have not changed.

A site depends on the sources under ``content/`` (for a company: all of them
but the other companies' profiles), ``templates/``, ``mkdocs.yml``, the
reglament package itself, the installed engine and the build options. Their
SHA-256 (:func:`inputs_digest`) is stored after a successful build in the stage
folder (``build/<company or default>/build-stamp.json``) together with that
build's diagnostics and the identity (device, inode, size, mtime) of the
``index.html`` it produced. A later build with the same digest, whose site
still holds that very ``index.html``, has nothing to do: :func:`fresh` returns
the stored diagnostics and the caller prints them again. Moving a finished
site into place (``rename``) or hard-linking it keeps the identity; deleting,
rebuilding or replacing the site by hand does not.

Hashing reads every source once (about 30 ms for the 10,000-clause benchmark
corpus); loading and checking it takes about two seconds, the engine far more.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from reglament.diagnostics import Diagnostic
from reglament.source.cache import library_versions, tool_digest

STAMP_FILE = "build-stamp.json"
INDEX = "index.html"
FORMAT = 1


#: the engines and what shapes their output beyond :data:`reglament.source.cache.LIBRARIES` (import names)
ENGINE_LIBRARIES = ("mkdocs", "material", "properdocs", "zensical", "pagefind", "pymorphy3_dicts_ru", "jinja2")


@lru_cache(maxsize=1)
def _tooling_digest() -> str:
    """The reglament package's own files and the engines' versions (cached per process).

    The package's files are hashed once per process for the source cache too (:func:`tool_digest`: every file
    of the package, the Python version and the versions of the libraries that shape a loaded model): the same
    digest serves both. The engines' versions are read as the cache reads its libraries' (:func:`library_versions`,
    from their metadata folders' names), before anything heavy is imported."""
    return hashlib.sha256(f"{tool_digest()}\0{library_versions(ENGINE_LIBRARIES)}".encode()).hexdigest()


def _walk(base: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        found.extend(Path(folder) / name for name in sorted(files))
    return found


def inputs_digest(root: Path, *, company: str | None = None, options: dict | None = None) -> str:
    """SHA-256 of everything a build of ``root`` (``company``'s variant; None: the base) depends on.

    ``options`` are the build options that change the output (public, the print
    edition, extra pages…); they must be JSON-serialisable or have a stable ``repr``.
    """
    h = hashlib.sha256()
    h.update(f"reglament-stamp/{FORMAT}\0{_tooling_digest()}\0".encode())
    h.update(json.dumps({"company": company, "options": options or {}}, sort_keys=True, default=repr).encode())
    companies = root / "content" / "companies"
    own = {companies / f"{company}.yml", companies / f"{company}.yaml"} if company else set()
    paths = [*_walk(root / "content"), *_walk(root / "templates"), root / "mkdocs.yml"]
    for path in paths:
        if company and path.parent == companies and path not in own:
            continue  # another company's profile cannot change this company's site
        h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError as exc:  # unreadable or a broken link: the load reports it; the digest just differs
            h.update(f"<{type(exc).__name__}>".encode())
    return h.hexdigest()


def write_json(path: Path, data: object) -> None:
    """``data`` as JSON in ``path``, whole or not at all (written beside it, then renamed into place)."""
    part = path.with_name(f".{path.name}.new")
    part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    part.replace(path)


def site_identity(site: Path) -> list[int] | None:
    """The identity of ``site``'s ``index.html`` (device, inode, size, modification time): a site this tool put
    in place keeps it (a rename, hard links); deleting, rebuilding or replacing it by hand does not."""
    try:
        st = (site / INDEX).stat()
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def fresh(stage: Path, site: Path, digest: str) -> list[Diagnostic] | None:
    """The diagnostics of the build recorded in ``stage`` when it is still ``site`` and had this digest; else None."""
    try:
        data = json.loads((stage / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("digest") != digest or data.get("format") != FORMAT:
        return None
    identity = site_identity(site)
    if identity is None or identity != data.get("index"):
        return None
    try:
        return [Diagnostic(**d) for d in data.get("diagnostics", [])]
    except TypeError:
        return None


def record(stage: Path, site: Path, digest: str, diagnostics: list[Diagnostic]) -> None:
    """Remember that ``site`` was built from inputs with ``digest`` (atomic write)."""
    identity = site_identity(site)
    if identity is None:
        return
    stage.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "digest": digest, "index": identity, "diagnostics": [d.to_json() for d in diagnostics]}
    write_json(stage / STAMP_FILE, data)


#: (in ``<root>/build/``) the last `build --all-companies`: the companies it listed with their inputs' digests and
#: the identity of the root ``index.html`` it wrote (:func:`record_companies`, :func:`fresh_companies`)
COMPANIES_STAMP = "companies-stamp.json"


def _profile_ids(root: Path) -> list[str]:
    """The ids every company's site would have: the names of the profiles in ``content/companies/``."""
    folder = root / "content" / "companies"
    try:
        return sorted(p.stem for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
    except OSError:
        return []


def record_companies(root: Path, out: Path, digests: list[tuple[str, str]]) -> None:
    """Remember that ``out`` (with its root ``index.html``) was built by `build --all-companies` for the companies
    ``digests`` names (id, its inputs' digest; in the order they are reported) — atomic write."""
    identity = site_identity(out)
    stage = root / "build"
    if identity is None:
        return
    stage.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "companies": digests, "index": identity}
    write_json(stage / COMPANIES_STAMP, data)


def fresh_companies(root: Path, out: Path, options: dict) -> list[tuple[str, list[Diagnostic]]] | None:
    """Each company's recorded diagnostics (in order) when nothing `build --all-companies` with ``options`` would
    change in ``out`` since it was last built so: the same profiles, each company's site :func:`fresh` with its
    inputs' digest, no other folder in ``out``, and the root ``index.html`` the one written then (it lists the
    companies by their profiles, which their digests cover); else None. Reads no model: nothing heavy is
    imported for it."""
    try:
        data = json.loads((root / "build" / COMPANIES_STAMP).read_text(encoding="utf-8"))
        recorded = [(str(cid), str(digest)) for cid, digest in data["companies"]]
        folders = {p.name for p in out.iterdir() if p.is_dir()}
    except (OSError, ValueError, TypeError, KeyError):
        return None
    ids = [cid for cid, _ in recorded]
    if data.get("format") != FORMAT or not ids or sorted(ids) != _profile_ids(root) or folders != set(ids):
        return None
    if site_identity(out) != data.get("index"):
        return None
    found = []
    for cid, digest in recorded:
        if inputs_digest(root, company=cid, options=options) != digest:
            return None
        cached = fresh(root / "build" / cid, out / cid, digest)
        if cached is None:
            return None
        found.append((cid, cached))
    return found


def link_copy(src: Path, dst: Path) -> None:
    """Copy the site ``src`` to ``dst`` with hard links (same inodes: :func:`fresh` still knows it)."""
    import shutil

    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, symlinks=True, copy_function=link)
