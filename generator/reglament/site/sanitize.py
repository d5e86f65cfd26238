"""The post-build step: every HTML page of a built site is cleaned and then checked.

The engine (MkDocs + Material) turns the rendered Markdown into pages. Content
reaches them in the content area (``<article class="md-content__inner …">``: the
page body, its headings, tables, admonitions) and, escaped, in the chrome (the
site name, the navigation, the table of contents, the edition banner). This step

1. replaces the inner HTML of every content area with
   :func:`reglament.htmlsafe.clean_fragment` of it — the allowlist keeps only the
   tags, attributes, URL schemes and style properties the page templates
   produce, so an attribute smuggled in through a Markdown extension
   (``{: onmouseover=… }``, ``{: href="javascript:…" }``, ``{: style=… }``) is gone;
2. parses the whole page (:func:`reglament.htmlsafe.findings`) and reports every
   event attribute, script-capable URL or unexpected ``style`` left anywhere —
   the chrome comes from the theme, so any finding there is a template bug, and
   the build fails instead of publishing it.

It runs on the freshly built folder, before the site replaces the old one.
"""

from __future__ import annotations

import re
from pathlib import Path

from reglament.htmlsafe import clean_fragment, findings

_ARTICLE_OPEN = re.compile(r"<article\b[^>]*\bmd-content__inner\b[^>]*>", re.I)
_ARTICLE_TAG = re.compile(r"<(/?)article\b[^>]*>", re.I)


def clean_page(document: str) -> str:
    """``document`` with the inner HTML of each content area passed through the allowlist."""
    out: list[str] = []
    pos = 0
    for opening in _ARTICLE_OPEN.finditer(document):
        if opening.start() < pos:
            continue
        depth, end = 1, None
        for tag in _ARTICLE_TAG.finditer(document, opening.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.start()
                break
        if end is None:  # unbalanced: clean to the end of the document rather than leave it raw
            end = len(document)
        out.append(document[pos : opening.end()])
        out.append(clean_fragment(document[opening.end() : end]))
        pos = end
    out.append(document[pos:])
    return "".join(out)


def sanitize_page(document: str) -> tuple[str, list[str]]:
    """``document`` cleaned (:func:`clean_page`) and what is still unsafe in the cleaned page (:func:`findings`)."""
    cleaned = clean_page(document)
    return cleaned, findings(cleaned)


def sanitize_site(site_dir: Path) -> list[str]:
    """Clean every ``*.html`` of ``site_dir`` in place; what is still unsafe afterwards, as ``path: finding``."""
    problems: list[str] = []
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        cleaned, found = sanitize_page(text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
        rel = path.relative_to(site_dir).as_posix()
        problems.extend(f"{rel}: {finding}" for finding in found)
    return problems
