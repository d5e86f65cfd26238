"""Every kind of bad input becomes a positioned diagnostic — never a traceback."""

from __future__ import annotations

import pytest

from conftest import DUTIES, GLOSSARY, REGULATION, check_json
from reglament.project import check_project
from reglament.source.loader import SourceReader, load
from reglament.source.yaml_source import parse_yaml


def codes(root):
    return [(d.code, d.file, d.line, d.column) for d in check_project(root).diagnostics]


def test_positions_are_one_based_and_exact():
    doc = parse_yaml("a: 1\nb:\n  - x: hello\n", "f.yml")
    assert doc.positions[("a",)] == ("f.yml", 1, 4)
    assert doc.positions[("b", 0, "x")] == ("f.yml", 3, 8)
    assert doc.key_positions[("b", 0, "x")] == ("f.yml", 3, 5)


def test_yaml_1_2_keeps_yes_no_as_strings_and_dates_as_dates():
    doc = parse_yaml("a: yes\nb: no\nc: 2025-01-31\nd: '15'\ne: 15\n", "f.yml")
    import datetime as dt

    assert doc.data == {"a": "yes", "b": "no", "c": dt.date(2025, 1, 31), "d": "15", "e": 15}


def test_text_position_in_block_scalar():
    text = "t: |\n  первая строка\n  вторая [[x]] строка\n"
    doc = parse_yaml(text, "f.yml")
    value = doc.data["t"]
    offset = value.index("[[x]]")
    assert doc.text_position(("t",), value, offset) == ("f.yml", 3, 10)


def test_text_position_in_quoted_scalar():
    doc = parse_yaml('t: "abc [[x]]"\n', "f.yml")
    assert doc.text_position(("t",), doc.data["t"], 4) == ("f.yml", 1, 9)


def test_duplicate_keys_all_reported(project):
    glossary = "terms: []\nterms: []\nterms: []\n"
    found = [c for c in codes(project({"content/glossary.yml": glossary})) if c[0] == "duplicate-key"]
    assert found == [("duplicate-key", "content/glossary.yml", 2, 1), ("duplicate-key", "content/glossary.yml", 3, 1)]


def test_duplicate_top_level_key_via_cli(project):
    root = project({"content/regulations/rules/regulation.yml": REGULATION + "title: Ещё раз\n"})
    code, found = check_json(root)
    assert code == 1
    dup = [(d["file"], d["line"], d["column"]) for d in found if d["code"] == "duplicate-key"]
    assert dup == [("content/regulations/rules/regulation.yml", 9, 1)]


def test_syntax_error_position(project):
    bad = GLOSSARY.replace("    term: Лид\n", "    term: [Лид\n")
    found = codes(project({"content/glossary.yml": bad}))
    assert found[0][0] == "yaml-syntax" and found[0][1] == "content/glossary.yml"
    assert found[0][2] in (4, 5)


def test_tab_indentation(project):
    found = codes(project({"content/roles.yml": "roles:\n\t- id: manager\n"}))
    assert ("yaml-syntax", "content/roles.yml", 2, 1) in found


def test_unknown_field_with_did_you_mean(project):
    root = project({"content/regulations/rules/duties.yml": DUTIES.replace("    role: manager", "    rol: manager")})
    found = [d for d in check_project(root).diagnostics if d.code == "unknown-field"]
    assert [(d.file, d.line, d.column) for d in found] == [("content/regulations/rules/duties.yml", 7, 5)]
    assert found[0].hint == "did you mean `role`?"


def test_wrong_type(project):
    bad = DUTIES.replace("    role: manager\n", "    role: manager\n    deadline_minutes: пятнадцать\n")
    root = project({"content/regulations/rules/duties.yml": bad})
    found = [d for d in check_project(root).diagnostics if d.code == "wrong-type"]
    assert len(found) == 1 and (found[0].line, found[0].column) == (8, 23)
    assert "пятнадцать" in found[0].message


def test_missing_field_points_at_the_item(project):
    bad = GLOSSARY.replace("    definition: Потенциальный клиент, оставивший контакты.\n", "")
    found = [d for d in check_project(project({"content/glossary.yml": bad})).diagnostics if d.code == "missing-field"]
    assert [(d.line, d.column) for d in found] == [(2, 5)]
    assert "`definition`" in found[0].message


def test_invalid_id(project):
    bad = GLOSSARY.replace("id: lead", "id: Лид_1")
    found = [d for d in check_project(project({"content/glossary.yml": bad})).diagnostics if d.code == "invalid-id"]
    assert [(d.line, d.column) for d in found] == [(2, 9)]


def test_unknown_part_kind(project):
    bad = DUTIES.replace("kind: duties", "kind: dutys")
    found = [
        d
        for d in check_project(project({"content/regulations/rules/duties.yml": bad})).diagnostics
        if d.code == "unknown-kind"
    ]
    assert [(d.line, d.hint) for d in found] == [(3, "did you mean `duties`?")]


def test_missing_part_file(project):
    found = codes(project({"content/regulations/rules/duties.yml": None}))
    assert ("missing-part", "content/regulations/rules/regulation.yml", 8, 5) in found


def test_non_utf8_file(project):
    found = codes(project({"content/roles.yml": b"roles: []\n# " + "комментарий".encode("cp1251")}))
    assert [c[:3] for c in found if c[0] == "encoding"] == [("encoding", "content/roles.yml", 2)]


def test_bom_and_crlf_load_cleanly(project):
    crlf = "\ufeff" + GLOSSARY.replace("\n", "\r\n")
    root = project({"content/glossary.yml": crlf.encode("utf-8")})
    assert codes(root) == []


def test_markdown_front_matter_errors(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": "---\nid: intro\ntitel: Введение\n---\n\nТекст\n",
        }
    )
    found = [c for c in codes(root) if c[0] in ("unknown-field", "missing-field")]
    assert ("unknown-field", "content/regulations/rules/intro.md", 3, 1) in found


def test_all_problems_in_one_run(project):
    root = project(
        {
            "content/roles.yml": "roles:\n\t- id: x\n",
            "content/glossary.yml": GLOSSARY.replace("id: deal", "idd: deal"),
            "content/regulations/rules/duties.yml": DUTIES.replace("[[deal|сделку]]", "[[dael|сделку]]"),
        }
    )
    found = {c[0] for c in codes(root)}
    assert {"yaml-syntax", "unknown-field", "unknown-reference"} <= found


def test_deep_nesting_is_a_diagnostic(project):
    deep = "terms: " + "[" * 5000 + "]" * 5000 + "\n"
    found = codes(project({"content/glossary.yml": deep}))
    assert found and found[0][0] in ("yaml-syntax", "wrong-type")


def test_files_mapping_loads_without_disk(project, tmp_path):
    from conftest import minimal_files

    files = {k: v.encode() for k, v in minimal_files().items()}
    loaded = load(tmp_path / "nowhere", files=files)
    assert loaded.diagnostics == []
    assert loaded.content.index["call-lead"].number == "2.1"


def test_the_reader_follows_links_inside_the_content_folder_and_refuses_those_leaving_it(tmp_path):
    """`SourceReader.read` resolves each folder once: the same answers as resolving every path."""
    root = tmp_path / "proj"
    (root / "content" / "a").mkdir(parents=True)
    (root / "content" / "a" / "x.yml").write_bytes(b"x: 1\n")
    (root / "content" / "b").symlink_to(root / "content" / "a", target_is_directory=True)  # a folder link, inside
    (root / "content" / "a" / "y.yml").symlink_to(root / "content" / "a" / "x.yml")  # a file link, inside
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "z.yml").write_bytes(b"z: 1\n")
    (root / "content" / "c").symlink_to(outside, target_is_directory=True)
    (root / "content" / "a" / "out.yml").symlink_to(outside / "z.yml")
    reader = SourceReader(root)
    for _ in range(2):  # the second time from the resolved folders
        assert reader.read("content/a/x.yml") == reader.read("content/b/x.yml") == b"x: 1\n"
        assert reader.read("content/a/y.yml") == reader.read("content/b/y.yml") == b"x: 1\n"
        for rel in ("content/c/z.yml", "content/a/out.yml", "content/b/out.yml", "content/a/../../elsewhere/z.yml"):
            with pytest.raises(PermissionError, match="points outside the content folder"):
                reader.read(rel)
        with pytest.raises(FileNotFoundError):
            reader.read("content/a/missing.yml")
