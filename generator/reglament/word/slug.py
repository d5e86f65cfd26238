"""Ids from Russian text: GOST 7.79-2000, system B (the transliteration without diacritics).

The letters are spelt by :func:`reglament.ru.translit` (``system="gost"``): ё → yo, ж → zh,
й → j, х → x, ц → cz (c before е, и, ы, й), ч → ch, ш → sh, щ → shh, ю → yu, я → ya; an
id is a Latin slug (``[a-z0-9-]``), so ъ and ь are left out, ы → y, э → e. The same title
always gives the same id; :class:`Slugger` adds ``-2``, ``-3``…
only when an id is taken, in document order, so importing the same file again
gives the same ids.
"""

from __future__ import annotations

import re

from reglament import ru

#: words left out of an id: they make ids long and tell nothing
_STOP = {
    "и",
    "в",
    "во",
    "на",
    "с",
    "со",
    "по",
    "к",
    "ко",
    "о",
    "об",
    "от",
    "до",
    "для",
    "за",
    "из",
    "не",
    "а",
    "или",
    "the",
    "of",
    "and",
    "при",
    "под",
    "над",
    "у",
}
MAX_LENGTH = 40


def slugify(text: str, *, words: int = 5, max_length: int = MAX_LENGTH, fallback: str = "item") -> str:
    """A slug from the first significant words of ``text``: «Общие положения» → ``obshhie-polozheniya``."""
    tokens = [t for t in re.findall(r"[0-9a-zа-яё]+", text.lower()) if t not in _STOP]
    parts: list[str] = []
    for token in tokens[:words]:
        piece = re.sub(r"[^a-z0-9]", "", ru.translit(token, "gost"))
        if not piece:
            continue
        if parts and len("-".join([*parts, piece])) > max_length:
            break
        parts.append(piece[:max_length])
    slug = "-".join(parts)
    if not slug or not slug[0].isalpha():
        slug = f"{fallback}-{slug}" if slug else fallback
    return slug[:max_length].strip("-")


class Slugger:
    """Unique ids: ``taken`` are the ids already in use (the rest of the site)."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(taken or ())

    def claim(self, wanted: str) -> str:
        """``wanted`` if free, else ``wanted-2``, ``wanted-3``…; the result is taken from now on."""
        ident, n = wanted, 1
        while ident in self.taken:
            n += 1
            ident = f"{wanted}-{n}"
        self.taken.add(ident)
        return ident

    def make(self, text: str, *, prefix: str = "", words: int = 5, fallback: str = "item") -> str:
        base = slugify(text, words=words, fallback=fallback)
        if prefix:
            base = f"{prefix}-{base}"[:MAX_LENGTH].strip("-")
        return self.claim(base)
