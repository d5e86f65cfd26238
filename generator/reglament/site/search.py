"""One search for every engine: Pagefind over the built HTML, in Russian, offline.

:func:`index` runs Pagefind (the ``pagefind[bin]`` wheel ships the binary;
nothing is downloaded) over the site with ``--force-language ru`` (Snowball
stemming: «заявкам», «заявкою» and «заявка» meet at one stem) and writes
``<site>/pagefind/``. Only what the post-build step marked with
:data:`BODY_ATTR` (the page's article) is indexed: navigation, header and
footer are not. The page-side client (templates/assets/reglament-search.js)
loads only the index chunks a query needs.

For a site opened from ``file://`` (``offline``), browsers refuse both the
ES module and ``fetch``: :func:`index` then also writes
``pagefind/offline.js``, a classic script carrying every file of the bundle,
which the client serves to Pagefind instead of the network.

:func:`index_text` decodes the whole index (the fragments and chunks are
gzip-compressed) for the leak scans of a public build.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pymorphy3

from reglament.errors import EngineError
from reglament.model.nodes import Term

BODY_ATTR = "data-pagefind-body"
FOLDER = "pagefind"
OFFLINE_BUNDLE = "offline.js"
_PAGEFIND_PREFIX = b"pagefind_dcd"
_WORD = re.compile(r"[А-Яа-яЁё]{3,}")
FORMS_ATTR = "data-rg-forms"


@dataclass(frozen=True)
class Indexed:
    files: int
    bytes: int


def head_tags(root: str, *, script: str, offline: bool = False) -> str:
    """What every page links in its ``<head>``: the search client (``root``: the relative path to the site root)."""
    bundle = f'<script src="{root}{FOLDER}/{OFFLINE_BUNDLE}" defer></script>' if offline else ""
    return bundle + f'<script src="{root}{script}" data-reglament-search-root="{root}" defer></script>'


def index(site_dir: Path, *, offline: bool = False) -> Indexed:
    """Index the built site with Pagefind (Russian) into ``site_dir/pagefind``; raises EngineError on failure."""
    cmd = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--force-language",
        "ru",
        "--silent",
        "--exclude-selectors",
        ".headerlink",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"the search index was not built: {exc}") from exc
    bundle = site_dir / FOLDER
    if proc.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise EngineError(
            f"Pagefind failed (exit {proc.returncode}): {(proc.stdout + proc.stderr).strip()}",
            hint="the pagefind[bin] package must be installed (see constraints.txt)",
        )
    offline_file = bundle / OFFLINE_BUNDLE
    if offline:
        files = {
            p.relative_to(bundle).as_posix(): base64.b64encode(p.read_bytes()).decode("ascii")
            for p in sorted(bundle.rglob("*"))
            if p.is_file() and _searched(p.relative_to(bundle).as_posix())
        }
        offline_file.write_text("window.__reglamentPagefind = " + json.dumps(files) + ";\n", encoding="utf-8")
    found = [p for p in bundle.rglob("*") if p.is_file()]
    return Indexed(len(found), sum(p.stat().st_size for p in found))


def _searched(name: str) -> bool:
    """The files Pagefind's search itself reads (not its UI kits, worker or other languages' wasm)."""
    if name.split("/")[0] in ("index", "fragment", "filter"):
        return True
    return name in ("pagefind.js", "pagefind-entry.json", "wasm.ru.pagefind") or name.endswith(".pf_meta")


def index_text(site_dir: Path) -> str:
    """Every file of the site's search index as text (gzip-compressed parts decoded), for leak scans."""
    parts = []
    for path in sorted((site_dir / FOLDER).rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        if raw.startswith(_PAGEFIND_PREFIX):
            raw = raw[len(_PAGEFIND_PREFIX) :]
        parts.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def _common(a: str, b: str) -> int:
    """The length of the common beginning of two words."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _stem(word: str) -> str:
    """A rough stem: the word without its vowel ending (enough to tell a fleeting vowel apart)."""
    return word.rstrip("аеёиоуыэюяйь") or word


def term_forms(terms: list[Term]) -> dict[str, str]:
    """Term id → the few word forms of its name and synonyms that Snowball cannot bring to the name's stem.

    A fleeting vowel moves the stem («звонок» → «звонка», «заявка» →
    «заявок»): Snowball stems them apart and the query «звонков» would miss
    «Холодный звонок». One form per such stem (pymorphy3's paradigm) goes
    into the index with the term's heading (:func:`reglament.site.postbuild.finish`).
    """
    analyzer = pymorphy3.MorphAnalyzer(lang="ru")
    found: dict[str, str] = {}
    for term in terms:
        extra: dict[str, str] = {}
        for name in [term.term, *term.synonyms]:
            for word in _WORD.findall(name.lower()):
                parses = [p for p in analyzer.parse(word) if p.tag.POS == "NOUN"]  # fleeting vowels are in nouns
                if not parses:
                    continue
                base = _stem(word)
                for form in parses[0].lexeme:
                    if form.word.startswith(base) or base.startswith(_stem(form.word)):
                        continue
                    same = _common(form.word, word)
                    extra.setdefault(form.word[: same + 1], form.word)
        if extra:
            found[str(term.id)] = " ".join(extra.values())
    return found
