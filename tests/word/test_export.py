"""Export: every sample company's regulations as .docx — Word's numbers equal the site's, LibreOffice opens
each file, python-docx reads it back; and the round trip export → import gives the same model."""

from __future__ import annotations

import re

import docx
import pytest

from reglament.word.deps import children, display_name, m, part_items, part_terms
from reglament.word.importer import import_docx
from reglament.word.oxml import id_of_bookmark
from reglament.word.reader import Paragraph, Table, read_docx

from .conftest import pdf_pages, pdf_text

pytestmark = [pytest.mark.xdist_group("word"), pytest.mark.slow]


def numbered(path) -> dict[str, str]:
    """Bookmark id → the number Word shows for that paragraph (our resolver), body and table cells."""
    out: dict[str, str] = {}

    def visit(p: Paragraph) -> None:
        if p.label is not None and p.bookmarks:
            out[id_of_bookmark(p.bookmarks[0])] = p.label

    for block in read_docx(path).blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    for p in cell:
                        visit(p)
        else:
            visit(block)
    return out


def site_numbers(content, reg) -> dict[str, str]:
    out = {}
    for item in content.index.values():
        if item.regulation is reg and item.number:
            out[item.id] = item.number
    for s, part in enumerate(reg.loaded_parts, 1):
        if isinstance(part, m.TermsPart):
            for i, term in enumerate(part_terms(content, reg, part), 1):
                out[term.id] = f"{s}.{i}"
    return out


def test_every_export_has_the_sites_numbers_in_word_and_in_libreoffice(exports):
    assert len(exports) == 6
    for (cid, reg_id), (checked, path, pdf) in exports.items():
        reg = next(r for r in checked.content.regulations if r.id == reg_id)
        expected = site_numbers(checked.content, reg)
        got = numbered(path)
        assert {k: v.rstrip(".") for k, v in got.items()} == expected, (cid, reg_id)
        assert len(expected) > 20
        # LibreOffice renders the same numbers, in document order
        text = pdf_text(pdf)
        starts = [line.split(" ")[0].rstrip(".") for line in text.splitlines() if re.match(r"^\d+(\.\d+)*\.\s", line)]
        order = [n for n in got.values()]
        shown = iter(starts)
        for number in order:
            assert any(s == number.rstrip(".") for s in shown), (cid, reg_id, number)
        # title page alone on page 1, acknowledgement sheet last
        pages = text.split("\f")
        assert "УТВЕРЖДАЮ" in pages[0] and not re.search(r"^1\.1\.", pages[0], re.MULTILINE)
        assert "Лист ознакомления" in [p for p in pages if p.strip()][-1]
        assert pdf_pages(pdf) >= (12 if reg_id == "sales-manager" else 6)
        # python-docx opens it: styles, the list style and the title are there
        document = docx.Document(str(path))
        names = {s.name for s in document.styles}
        assert {"Reglament Clause", "Reglament Meta", "Reglament Numbering"} <= names
        assert document.core_properties.title == reg.title
        assert any(p.style.name == "Title" and p.text == reg.title for p in document.paragraphs)


def plain(text: str, content) -> str:
    from reglament.word.deps import REF_RE

    text = REF_RE.sub(lambda mt: mt.group(2) or display_name(content.get(mt.group(1).strip()), mt.group(1)), text)
    text = re.sub(r"[*_`\\]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def shape(part, content, reg) -> list:
    """What a reader sees of a part: kind, id, title, items (id, kind, texts, numbers), prose blocks."""
    if isinstance(part, m.ProsePart):
        blocks = [plain(b, content) for b in re.split(r"\n\s*\n", part.body) if b.strip()]
        return ["prose", part.id, part.title, [re.sub(r"^(#+|-|\d+\.)\s*", "", b) for b in blocks]]
    out = [part.kind, part.id, part.title, plain(part.intro, content)]
    if isinstance(part, m.TermsPart):
        out.append([t.id for t in part_terms(content, reg, part)])

    def item(node, number):
        fields = {}
        for name in (
            "text",
            "title",
            "name",
            "measures",
            "examples",
            "activity",
            "deadline",
            "consequence",
            "target",
            "when",
        ):
            value = getattr(node, name, None)
            if isinstance(value, str):
                fields[name] = plain(value, content)
        for name in (
            "role",
            "deadline_minutes",
            "weight",
            "from_percent",
            "to_percent",
            "bonus_percent",
            "percent",
            "responsibility",
            "enforces",
            "applies_to",
            "classification",
            "period",
            "start",
            "end",
            "is_break",
        ):
            if hasattr(node, name):
                fields[name] = getattr(node, name)
        if getattr(node, "raci", None) is not None:
            fields["raci"] = node.raci.model_dump()
        return [
            type(node).__name__,
            node.id,
            number,
            fields,
            [item(c, f"{number}.{i}") for i, c in enumerate(children(node), 1)],
        ]

    out.append([item(n, str(i)) for i, n in enumerate(part_items(part), 1)])
    for name in ("fixed", "hours"):
        value = getattr(part, name, None)
        if value is not None:
            out.append(value.model_dump(exclude={"visibility"}))
    for name in ("bonus_base", "currency", "example_percent"):
        if hasattr(part, name):
            out.append(getattr(part, name))
    return out


def test_round_trip_gives_back_the_same_model_for_every_company(exports, tmp_path):
    from ruamel.yaml import YAML

    for (cid, reg_id), (checked, path, _pdf) in exports.items():
        content = checked.content
        reg = next(r for r in content.regulations if r.id == reg_id)
        imported = import_docx(path, reg_id=reg_id, vocabulary=content)
        assert not imported.new_terms, imported.new_terms
        assert not imported.warnings, (cid, reg_id, imported.warnings)
        data = YAML(typ="safe").load(
            imported.files["regulation.yml"].split("\n", 1)[1]
            if imported.files["regulation.yml"].startswith("#")
            else imported.files["regulation.yml"]
        )
        assert (data["title"], data["owner"], data["approver"], data["audience"]) == (
            reg.title,
            reg.owner,
            reg.approver,
            reg.audience,
        )
        assert len(data["parts"]) == len(reg.loaded_parts)
        for name, original in zip(data["parts"], reg.loaded_parts):
            text = imported.files[name]
            if name.endswith(".md"):
                _, front, body = text.split("---\n", 2)
                meta = YAML(typ="safe").load(front)
                back = m.ProsePart(id=meta["id"], title=meta["title"])
                back._body = body
            else:
                raw = YAML(typ="safe").load(text)
                back = m.PART_KINDS[raw["kind"]].model_validate(raw)
            if isinstance(back, m.TermsPart):  # the document lists the terms; the source may have left them implicit
                assert back.terms == [t.id for t in part_terms(content, reg, original)]
                back = back.model_copy(update={"terms": []})
                original = original.model_copy(update={"terms": []})
            assert shape(back, content, reg) == shape(original, content, reg), (cid, reg_id, name)


def test_cli_export_docx_all_companies(tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import REPO

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import reglament.cli as c; c.main()",
            "export",
            "docx",
            "--all",
            "--date",
            "2025-03-01",
            "--root",
            str(REPO),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.docx"))
    assert files == [
        f"{c}/{r}.docx" for c in ("kama-kzn", "ural-ekb", "vector-msk") for r in ("incoming-requests", "sales-manager")
    ]
    # a public company's file holds no internal item (vector-msk's internal clause is not in kama-kzn's)
    kama = read_docx(tmp_path / "kama-kzn" / "sales-manager.docx")
    text = " ".join(b.text for b in kama.blocks if isinstance(b, Paragraph))
    assert "Для служебного пользования" not in text
