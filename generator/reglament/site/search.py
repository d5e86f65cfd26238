"""One search for every engine: Pagefind over the built HTML, in Russian, offline, in records of a few sections.

:func:`index` runs Pagefind (the ``pagefind[bin]`` wheel ships the binary;
nothing is downloaded) with ``--force-language ru`` (Snowball stemming:
«заявкам», «заявкою» and «заявка» meet at one stem) and writes
``<site>/pagefind/``. Only what the post-build step marked with
:data:`~reglament.site.records.BODY_ATTR` (the page's article) is indexed:
navigation, header and footer are not.

Pagefind indexes the article in records of a few sections
(:func:`reglament.site.records.records`), each with the address of its first
section (``page/#anchor``), that section's heading as title and the page's
title beside; what comes before the first such heading (the page's title
and introduction) begins the page's own record. The page pass makes each
page's records as it finishes the page (in its worker processes, while the
engine still writes other pages); :func:`index` makes only the missing ones. Pagefind indexes these
records (written as small HTML files to a temporary folder, the section's
HTML unchanged, so the terms' word forms :data:`FORMS_ATTR` and any
``data-pagefind-*`` markup inside still count); the address, the titles and
the title's word forms (:class:`TitleForms`) are Pagefind metadata, which
the page-side client (templates/assets/reglament-search.js) links to,
shows and ranks by. Only what the built pages hold is indexed, so a public
build's index holds nothing internal either.

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
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pagefind_bin import get_executable

from reglament.errors import EngineError
from reglament.model.nodes import Term
from reglament.morphology import Morph
from reglament.render.pages import GLOSSARY
from reglament.site.records import BODY_ATTR, SPLIT_HEADINGS, TAG, Record, records, tag_attrs

FOLDER = "pagefind"
OFFLINE_BUNDLE = "offline.js"
_PAGEFIND_PREFIX = b"pagefind_dcd"
_WORD = re.compile(r"[А-Яа-яЁё]{3,}")
FORMS_ATTR = "data-rg-forms"
#: Pagefind metadata of a record besides ``url`` and ``title`` (the section's own heading): the title of the page a
#: section is on (the client shows «Page — Section»), and a glossary entry's word forms (:data:`FORMS_ATTR`). The
#: client ranks them (``metaWeights``): the page's title not at all — else every section of «Регламент обработки
#: входящих заявок» would outrank the rest for «заявок» — and the forms as the title
PAGE_META = "page"
FORMS_META = "forms"
#: Pagefind's weight (its highest) of a glossary entry's name: its heading, its word forms, its synonyms
ENTRY_WEIGHT = 10
#: the glossary's pages: ``glossary/index.html`` (or ``glossary.html``) and its letter pages under ``glossary/``
GLOSSARY_PAGES = GLOSSARY.removesuffix(".md")
#: the folder (in the temporary site Pagefind indexes) of the record files
_RECORDS = "r"


@dataclass(frozen=True)
class Indexed:
    files: int
    bytes: int
    records: int = 0


def head_tags(root: str, *, script: str, offline: bool = False) -> str:
    """What every page links in its ``<head>``: the search client (``root``: the relative path to the site root)."""
    bundle = f'<script src="{root}{FOLDER}/{OFFLINE_BUNDLE}" defer></script>' if offline else ""
    return bundle + f'<script src="{root}{script}" data-reglament-search-root="{root}" defer></script>'


_CHIP = '<span class="rg-chip">'


def _entry_weights(part: str) -> tuple[str, str]:
    """A glossary entry as Pagefind indexes it, and its word forms (:data:`FORMS_ATTR`). The term's name is what a
    reader searching for the term means: its heading and synonyms weigh :data:`ENTRY_WEIGHT`, so the entry ranks
    above the sections that merely use the word."""
    tag = TAG.match(part)
    if tag is None or (tag.group(2) or "").lower() not in SPLIT_HEADINGS:
        return part, ""
    forms = tag_attrs(tag.group(3) or "").get(FORMS_ATTR, "")
    start_tag = f'<{tag.group(2)} data-pagefind-weight="{ENTRY_WEIGHT}"' + tag.group(0)[1 + len(tag.group(2)) :]
    rest = part[tag.end() :].replace(_CHIP, f'<span class="rg-chip" data-pagefind-weight="{ENTRY_WEIGHT}">')
    return start_tag + rest, forms


def _record_file(record: Record, title_forms: TitleForms) -> str:
    """A record as the small HTML page Pagefind indexes: its HTML as the indexed body, its address, title, page title
    and word forms (a glossary entry's, its title's: :class:`TitleForms`) as Pagefind metadata (``url`` overrides
    the record file's own address in the results)."""
    body, forms = _entry_weights(record.html) if record.entry else (record.html, "")
    words = [*forms.split(), *(f for f in title_forms(record.title) if f not in forms.split())]
    meta = {"url": record.url, "title": record.title, PAGE_META: record.page, FORMS_META: " ".join(words)}
    tags = "".join(
        f'<meta data-pagefind-meta="{name}[content]" content="{html.escape(value)}">'
        for name, value in meta.items()
        if value
    )
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">{tags}</head>'
        f"<body><div {BODY_ATTR}>{body}</div></body></html>"
    )


def _site_pages(site_dir: Path) -> Iterator[Path]:
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).parts
        if rel[0] != FOLDER and not any(part.startswith(".") for part in rel):
            yield path


def index(
    site_dir: Path,
    *,
    offline: bool = False,
    morph: Morph | None = None,
    known: Mapping[str, Sequence[Record]] | None = None,
) -> Indexed:
    """Index the built site with Pagefind (Russian), a record per section (:func:`~reglament.site.records.records`),
    into ``site_dir/pagefind`` (replaced whole); raises EngineError on failure. ``morph``: the run's morphology, for
    the titles' word forms (:class:`TitleForms`), whose dictionary is then not loaded a second time. ``known``: the
    records the page pass already made of pages as they are now (path in the site → its records); the other pages
    are read here."""
    known = known or {}
    with tempfile.TemporaryDirectory(prefix="reglament-search-") as tmp:
        source = Path(tmp) / "site"
        folder = source / _RECORDS
        folder.mkdir(parents=True)
        count = 0
        title_forms = TitleForms(morph)
        for whole in (False, True):  # no page marked for the index (not a page of reglament's): whole pages
            for path in _site_pages(site_dir):
                rel = path.relative_to(site_dir).as_posix()
                made = known.get(rel) if not whole else None
                if made is None:
                    made = records(path.read_text(encoding="utf-8"), rel, glossary=GLOSSARY_PAGES, whole=whole)
                for record in made:
                    (folder / f"{count:x}.html").write_text(_record_file(record, title_forms), encoding="utf-8")
                    count += 1
            if count:
                break
        # written beside the bundle it replaces (renamed into place: a live preview never serves half an index)
        for stale in site_dir.glob(f".{FOLDER}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        built = site_dir / f".{FOLDER}-new-{os.getpid()}"
        try:
            binary = str(get_executable())  # the binary itself: `python -m pagefind` would only exec it, ~0.1 s later
        except FileNotFoundError as exc:
            raise EngineError(
                f"the search index was not built: {exc}", hint="the pagefind[bin] package must be installed"
            ) from exc
        cmd = [
            binary,
            "--site",
            str(source),
            "--output-path",
            str(built),
            "--force-language",
            "ru",
            "--silent",
            "--exclude-selectors",
            ".headerlink",
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(built, ignore_errors=True)
            raise EngineError(f"the search index was not built: {exc}") from exc
        if proc.returncode != 0 or not (built / "pagefind.js").is_file():
            shutil.rmtree(built, ignore_errors=True)
            raise EngineError(
                f"Pagefind failed (exit {proc.returncode}): {(proc.stdout + proc.stderr).strip()}",
                hint="the pagefind[bin] package must be installed (see constraints.txt)",
            )
        if offline:
            files = {
                p.relative_to(built).as_posix(): base64.b64encode(p.read_bytes()).decode("ascii")
                for p in sorted(built.rglob("*"))
                if p.is_file() and _searched(p.relative_to(built).as_posix())
            }
            (built / OFFLINE_BUNDLE).write_text(
                "window.__reglamentPagefind = " + json.dumps(files) + ";\n", encoding="utf-8"
            )
        bundle = site_dir / FOLDER
        old = site_dir / f".{FOLDER}-old-{os.getpid()}"
        if bundle.exists():
            os.replace(bundle, old)
        os.replace(built, bundle)
        shutil.rmtree(old, ignore_errors=True)
    found = [p for p in bundle.rglob("*") if p.is_file()]
    return Indexed(len(found), sum(p.stat().st_size for p in found), count)


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


def term_forms(terms: list[Term], morph: Morph | None = None) -> dict[str, str]:
    """Term id → the few word forms of its name and synonyms that Snowball cannot bring to the name's stem.

    A fleeting vowel moves the stem («звонок» → «звонка», «заявка» →
    «заявок»): Snowball stems them apart and the query «звонков» would miss
    «Холодный звонок». One form per such stem (pymorphy3's paradigm, by the rule the titles' forms follow:
    :class:`TitleForms`) goes into the index with the term's heading (:func:`reglament.site.postbuild.finish`).
    ``morph``: the run's morphology, whose dictionary is then not loaded a second time (nor at all when it knows
    these words' paradigms from an earlier run: :meth:`Morph.noun_forms`).
    """
    forms = TitleForms(morph or Morph())
    found: dict[str, str] = {}
    for term in terms:
        extra: list[str] = []
        for name in [term.term, *term.synonyms]:
            for form in forms(name):
                if form not in extra:
                    extra.append(form)
        if extra:
            found[str(term.id)] = " ".join(extra)
    return found


# The endings Snowball's Russian stemmer takes off a noun (its "adjectival" step, tried first, and its "noun"
# step), longest first
_NOUN_ENDINGS = (
    "иями",
    "ами",
    "его",
    "ему",
    "ией",
    "ием",
    "ими",
    "иям",
    "иях",
    "ого",
    "ому",
    "ыми",
    "ями",
    "ам",
    "ах",
    "ая",
    "ев",
    "ее",
    "еи",
    "ей",
    "ем",
    "ею",
    "ие",
    "ии",
    "ий",
    "им",
    "их",
    "ию",
    "ия",
    "ов",
    "ое",
    "ой",
    "ом",
    "ою",
    "ую",
    "ые",
    "ый",
    "ым",
    "ых",
    "ье",
    "ью",
    "ья",
    "юю",
    "ям",
    "ях",
    "яя",
    "а",
    "е",
    "и",
    "й",
    "о",
    "у",
    "ы",
    "ь",
    "ю",
    "я",
)
_VOWELS = "аеиоуыэюяё"


def _snowball_like(word: str) -> str:
    """A noun form without the ending Snowball's Russian stemmer would take off (its noun step, after the first
    vowel): forms of one noun with the same result meet at one stem in Pagefind's index too."""
    first = next((i for i, ch in enumerate(word) if ch in _VOWELS), len(word))
    region = word[first + 1 :]
    for ending in _NOUN_ENDINGS:
        if region.endswith(ending):
            word, region = word[: len(word) - len(ending)], region[: len(region) - len(ending)]
            break
    return word[:-1] if region.endswith("и") else word  # its step 2


class TitleForms:
    """The word forms a record's title needs beside its own words to be found by every form of its nouns.

    Snowball stems the forms of a noun with a fleeting vowel apart («заявок» → заявок, «заявкам» → заявк), so
    the regulation titled «Регламент обработки входящих заявок» would not be found by «заявкам» in its title
    (the words a title counts most by). For each noun of a title: one form of each other stem of its paradigm
    (pymorphy3), as Pagefind metadata beside the title (:data:`FORMS_META`)."""

    def __init__(self, morph: Morph | None = None) -> None:
        self._morph = morph
        self._known: dict[str, list[str]] = {}

    def __call__(self, title: str) -> list[str]:
        found: list[str] = []
        for word in _WORD.findall(title.lower()):
            for form in self._word(word):
                if form not in found:
                    found.append(form)
        return found

    def _word(self, word: str) -> list[str]:
        if word not in self._known:
            if self._morph is None:
                self._morph = Morph()  # its dictionary loads on first use
            stems = {_snowball_like(word)}
            extra = []
            for form in self._morph.noun_forms(word):
                stem = _snowball_like(form)
                if stem not in stems:
                    stems.add(stem)
                    extra.append(form)
            self._known[word] = extra
        return self._known[word]
