"""Word in and out: import a regulation from .docx, export each company's edition as .docx.

Modules, in pipeline order:

- :mod:`.package` — the .docx as untrusted input: a bounded zip, XML parsed without entities;
- :mod:`.numbering` — Word's list numbers exactly as Word shows them (numbering.xml + styles);
- :mod:`.reader` — document.xml → blocks (paragraphs with numbers, styles, runs; tables;
  footnotes; images);
- :mod:`.slug` — GOST 7.79-2000 system B transliteration → stable, unique ids;
- :mod:`.recognise` — blocks → a regulation outline (title page, sections → part kinds,
  clauses, terms, duties);
- :mod:`.importer` — the outline → ``content/regulations/<id>/`` files that pass ``check``;
- :mod:`.export` — the model → .docx with real multi-level numbering equal to the site's;
- :mod:`.redline` — native tracked changes (w:ins / w:del) from the model diff;
- :mod:`.cli` — the ``reglament import`` and ``reglament export docx`` commands.

Everything this package takes from the rest of reglament is imported in :mod:`.deps`,
so a change of the package layout is re-pointed in one file.
"""
