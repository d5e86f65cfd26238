"""The amendment order (`diff --format order`): applying its amendments to the old edition gives the new one.

The interpreter below reads exactly the formulas the drafter writes (and fails on anything else), resolves
every address against the OLD edition, as an amending act is read, and applies them; the result must equal
the new edition's text, clause by clause and paragraph by paragraph.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import minimal_files, run_cli, write_tree
from reglament.diff import compare_editions
from reglament.diff.order import draft_order, item_text, order_markdown
from reglament.diff.redline import blocks, readable
from reglament.model.content import Content, children, part_items
from reglament.source.loader import load

sys.path.insert(0, str(Path(__file__).parent))
from test_alignment import SECTION_A, SECTION_B, SECTION_C
from test_diff import tree

GOLDEN = Path(__file__).parent / "golden"

ORDINALS = [
    "перв",
    "втор",
    "трет",
    "четвёрт",
    "пят",
    "шест",
    "седьм",
    "восьм",
    "девят",
    "десят",
    "одиннадцат",
    "двенадцат",
]


def ordinal_number(word: str) -> int:
    stem = re.sub(r"(ый|ой|ий|ого|ьего|ом|ьем|ым|ьим)$", "", word)
    return ORDINALS.index(stem) + 1


def norm(text: str) -> str:
    return re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(text.split()))


def walk(nodes: list, prefix: str, items: dict[str, str]) -> None:
    for i, node in enumerate(nodes, 1):
        number = f"{prefix}.{i}"
        items[number] = norm(item_text(node))
        walk(children(node), number, items)


def edition_text(content: Content) -> dict:
    """Each regulation as a reader sees it: section titles, numbered clause texts, section blocks."""
    out = {}
    for reg in content.regulations:
        items: dict[str, str] = {}
        parts, bodies = {}, {}
        for s, part in enumerate(reg.loaded_parts, 1):
            parts[str(s)] = part.title
            walk(list(part_items(part)), str(s), items)
            body = getattr(part, "body", "") if hasattr(part, "body") else ""
            bodies[str(s)] = [norm(readable(b.text)) for b in blocks(body)]
        out[reg.title] = {"parts": parts, "items": items, "bodies": bodies}
    return out


def parse(order: str) -> dict[str, list[tuple[str, list[str]]]]:
    """Regulation title → [(formula, quoted texts)], from the order's Markdown."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    current = None
    for line in order.split("\n"):
        if mt := re.match(r"^\d+\. Внести в Регламент «(.*?)»(?:, утверждённый [^,]*,)? следующие изменения:$", line):
            current = out.setdefault(mt.group(1), [])
        elif mt := re.match(r"^    \d+\.\d+\. (.*?)[;.]?$", line):
            assert current is not None
            current.append((mt.group(1), []))
        elif mt := re.match(r"^        «(.*)»[;.]?$", line):
            current[-1][1].append(mt.group(1))
        elif re.match(r"^\d+\. ", line):
            current = None
    return out


BLOCK = r"(?:абзац\w* (?P<ord>\w+)(?: подраздела «(?P<under>[^«»]*)»)?|заголов\w* «(?P<head>[^«»]*)»)"


def resolve(body: list, mt: re.Match) -> int:
    """The old block index an address names."""
    if mt.group("head") is not None:
        found = [b.index for b in body if b.kind == "heading" and b.path[-1] == mt.group("head")]
    else:
        n = ordinal_number(mt.group("ord"))
        under = mt.group("under")
        found = [
            b.index
            for b in body
            if b.kind != "heading" and b.ordinal == n and ((b.path[-1] if b.path else None) == under)
        ]
    assert len(found) >= 1, mt.group(0)
    return found[0]


def apply(old: dict, amendments: list[tuple[str, list[str]]], old_bodies: dict[str, list]) -> dict:
    items = dict(old["items"])
    parts = dict(old["parts"])
    added_items: dict[str, str] = {}
    added_parts: dict[str, str] = {}
    renumber: dict[str, str] = {}
    part_renumber: dict[str, str] = {}
    # blocks: per old part, per old index: replacement text (None: deleted); insertions after an index
    replaced: dict[str, dict[int, str | None]] = {k: {} for k in old_bodies}
    inserted: dict[str, dict[int, list[str]]] = {k: {} for k in old_bodies}
    new_bodies: dict[str, list[str]] = {}

    def word_edit(text: str, kind: str, a: str, b: str) -> str:
        assert text.count(a) == 1, (a, text)
        if kind == "replace":
            return norm(text.replace(a, b, 1))
        if kind == "delete":
            return norm(text.replace(a, "", 1))
        return norm(text.replace(a, f"{a} {b}", 1))

    def words(formula: str) -> tuple[str, str, str] | None:
        if mt := re.fullmatch(r"(?:слова|цифры) «([^«»]*)» заменить (?:словами|цифрами) «([^«»]*)»", formula):
            return "replace", mt.group(1), mt.group(2)
        if mt := re.fullmatch(r"слова «([^«»]*)» исключить", formula):
            return "delete", mt.group(1), ""
        if mt := re.fullmatch(r"после слов «([^«»]*)» дополнить словами «([^«»]*)»", formula):
            return "insert", mt.group(1), mt.group(2)
        return None

    for formula, quoted in amendments:
        if mt := re.fullmatch(
            r"(новый )?раздел (\d+) (?:в начале|в начале (?:нового )?пункта [\d.]+|после (?:нового )?пункта [\d.]+) "
            r"дополнить пунктом ([\d.]+) следующего содержания:",
            formula,
        ):
            number, text = quoted[0].split(". ", 1)
            assert number == mt.group(3)
            added_items[number] = norm(text)
        elif mt := re.fullmatch(r"пункт ([\d.]+) признать утратившим силу", formula):
            for k in [k for k in items if k == mt.group(1) or k.startswith(mt.group(1) + ".")]:
                del items[k]
        elif mt := re.fullmatch(r"пункт ([\d.]+) изложить в следующей редакции:", formula):
            number, text = quoted[0].split(". ", 1)
            assert number == mt.group(1) and number in items
            items[number] = norm(text)
        elif (mt := re.fullmatch(r"в пункте ([\d.]+) (.*)", formula)) and (edit := words(mt.group(2))):
            items[mt.group(1)] = word_edit(items[mt.group(1)], *edit)
        elif mt := re.fullmatch(r"пункты? ([\d., ]+) считать (?:соответственно )?пункт(?:ом|ами) ([\d., ]+)", formula):
            olds, news = mt.group(1).split(", "), mt.group(2).split(", ")
            renumber.update(zip(olds, news, strict=True))
        elif re.fullmatch(r"пункт [\d.]+ перенести в раздел \d+", formula):
            pass  # the place follows from the numbers
        elif mt := re.fullmatch(r"раздел (\d+) «(.*)» признать утратившим силу", formula):
            k = mt.group(1)
            del parts[k]
            for n in [n for n in items if n.startswith(k + ".")]:
                del items[n]
            replaced[k] = dict.fromkeys(range(len(old_bodies[k])))
        elif mt := re.fullmatch(r"дополнить разделом (\d+) «(.*)»", formula):
            added_parts[mt.group(1)] = mt.group(2)
        elif mt := re.fullmatch(r"наименование раздела (\d+) изложить в следующей редакции:", formula):
            parts[mt.group(1)] = quoted[0]
        elif mt := re.fullmatch(r"разделы ([\d, ]+) считать соответственно разделами ([\d, ]+)", formula):
            part_renumber.update(zip(mt.group(1).split(", "), mt.group(2).split(", "), strict=True))
        elif mt := re.fullmatch(rf"в разделе (\d+) {BLOCK} признать утратившим силу", formula):
            replaced[mt.group(1)][resolve(old_bodies[mt.group(1)], mt)] = None
        elif mt := re.fullmatch(rf"в разделе (\d+) {BLOCK} изложить в следующей редакции:", formula):
            replaced[mt.group(1)][resolve(old_bodies[mt.group(1)], mt)] = norm(quoted[0])
        elif (mt := re.fullmatch(rf"в разделе (\d+) в {BLOCK} (?P<rest>.*)", formula)) and (
            edit := words(mt.group("rest"))
        ):
            k, i = mt.group(1), resolve(old_bodies[mt.group(1)], mt)
            current = replaced[k].get(i, norm(readable(old_bodies[k][i].text)))
            replaced[k][i] = word_edit(current, *edit)
        elif mt := re.fullmatch(
            rf"(новый )?раздел (\d+) (?:в начале|после {BLOCK}) дополнить абзац(?:ем|ами) следующего содержания:",
            formula,
        ):
            k = mt.group(2)
            if mt.group(1):
                new_bodies.setdefault(k, []).extend(norm(q) for q in quoted)
            else:
                anchor = -1 if formula.split(" ", 2)[2].startswith("в начале") else resolve(old_bodies[k], mt)
                inserted[k].setdefault(anchor, []).extend(norm(q) for q in quoted)
        else:
            pytest.fail(f"the interpreter does not know the formula: {formula!r}")

    bodies: dict[str, list[str]] = {}
    for k, body in old_bodies.items():
        if k not in parts and k not in part_renumber:
            continue
        out = list(inserted[k].get(-1, []))
        for block in body:
            text = replaced[k].get(block.index, norm(readable(block.text)))
            if text is not None:
                out.append(text)
            out += inserted[k].get(block.index, [])
        bodies[part_renumber.get(k, k)] = out
    bodies.update({k: v for k, v in new_bodies.items()})
    for k in added_parts:
        bodies.setdefault(k, [])
    new_items = {renumber.get(k, k): v for k, v in items.items()}
    assert not set(new_items) & set(added_items)
    new_items.update(added_items)
    new_parts = {part_renumber.get(k, k): v for k, v in parts.items()}
    new_parts.update(added_parts)
    return {"parts": new_parts, "items": new_items, "bodies": bodies}


def check_order(old: Content, new: Content) -> str:
    changes = compare_editions(old, new)
    order = order_markdown(draft_order(changes, old, new))
    assert "ПРИКАЗЫВАЮ:" in order
    parsed = parse(order)
    old_text, new_text = edition_text(old), edition_text(new)
    for reg in old.regulations:
        old_bodies = {str(s): blocks(getattr(p, "body", "")) for s, p in enumerate(reg.loaded_parts, 1)}
        result = apply(old_text[reg.title], parsed.get(reg.title, []), old_bodies)
        expected = new_text[reg.title]
        assert result["items"] == expected["items"], order
        assert result["parts"] == expected["parts"], order
        assert {k: v for k, v in result["bodies"].items() if v} == {k: v for k, v in expected["bodies"].items() if v}, (
            order
        )
    return order


def load_tree(root: Path, files: dict[str, str]) -> Content:
    write_tree(root, files)
    loaded = load(root)
    assert not [d for d in loaded.diagnostics if d.severity == "error"], loaded.diagnostics
    return loaded.content


def test_order_applied_to_the_old_edition_gives_the_new_one(tmp_path):
    order = check_order(load_tree(tmp_path / "a", tree(1)), load_tree(tmp_path / "b", tree(2)))
    # the standard formulas, numbers of the old edition
    assert "раздел 1 в начале дополнить пунктом 1.1 следующего содержания:" in order
    assert "пункт 1.4 признать утратившим силу" in order
    assert "в пункте 1.3 после слов «менеджер» дополнить словами «в тот же день»" in order
    assert "пункты 1.1, 1.2, 1.3 считать соответственно пунктами 1.2, 1.3, 1.4" in order
    assert re.search(r"в пункте 3\.3 цифры «5» заменить цифрами «7»", order)
    assert (GOLDEN / "order_v1_v2.md").read_text(encoding="utf-8") == order


REGULATION = """\
id: rules
title: Регламент менеджера
owner: head
approver: head
audience: [manager]
parts:
  - general.yml
  - duties.yml
  - sales.md
"""


def prose_tree(body: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    files = minimal_files()
    files["content/regulations/rules/regulation.yml"] = REGULATION
    files["content/regulations/rules/sales.md"] = f"---\nid: sales\ntitle: Продажи\n---\n\n{body}\n"
    files.update(extra or {})
    return files


def test_order_for_a_restructured_prose_section(tmp_path):
    old_body = "\n\n".join([SECTION_A, SECTION_B, SECTION_C, "Контроль ведёт руководитель отдела продаж."])
    rewritten = (
        "Заявка регистрируется в CRM сразу после поступления, с указанием канала, источника "
        "и ответственного менеджера; повторная заявка привязывается к уже открытой сделке."
    )
    new_body = "\n\n".join(
        [
            SECTION_C.replace("в пятницу", "в четверг"),
            SECTION_A.replace("Заявка регистрируется в CRM в течение 15 минут после поступления.", rewritten),
            SECTION_B.replace("## Скидки", "## Скидки и акции").replace("до 5 %", "до 7 %"),
            "Новый порядок применяется ко всем открытым сделкам.",
        ]
    )
    order = check_order(
        load_tree(tmp_path / "a", prose_tree(old_body)), load_tree(tmp_path / "b", prose_tree(new_body))
    )
    # a paragraph rewritten beyond recognition goes and a new one comes; a small edit is word-level
    assert "в разделе 3 абзац второй подраздела «Приём заявок» признать утратившим силу" in order
    assert "раздел 3 после абзаца первого подраздела «Приём заявок» дополнить абзацем" in order
    assert "в разделе 3 в абзаце первом подраздела «Скидки» цифры «5» заменить цифрами «7»" in order
    # the moved section: gone from its old place, added at the new one with its edit
    assert "в разделе 3 заголовок «Отчётность» признать утратившим силу" in order
    assert "отчёт о продажах в четверг до 18:00" in order


def test_order_for_added_and_removed_sections_and_clauses(tmp_path):
    old = tree(1)
    new = tree(2)
    new["content/regulations/rules/regulation.yml"] = new["content/regulations/rules/regulation.yml"].replace(
        "  - final.md\n", "  - extra.md\n  - final.md\n"
    )
    new["content/regulations/rules/extra.md"] = "---\nid: extra\ntitle: Дополнение\n---\n\n" + SECTION_B + "\n"
    check_order(load_tree(tmp_path / "a", old), load_tree(tmp_path / "b", new))


def test_cli_order_for_one_audience_from_git_revisions(tmp_path):
    from test_diff import commit, sh_git

    repo = tmp_path / "repo"
    repo.mkdir()
    sh_git(repo, "init", "-q", "-b", "main")
    commit(repo, tree(1), "edition 1", tag="v1")
    v2 = tree(2)
    v2["content/regulations/rules/general.yml"] += (
        "  - id: secret-bonus\n    visibility: internal\n    text: Закрытый бонус руководителю — 40 000 ₽.\n"
    )
    commit(repo, v2, "edition 2", tag="v2")
    internal = run_cli("diff", "v1", "v2", "--root", str(repo), "--format", "order")
    assert internal.returncode == 0, internal.stderr
    assert "ПРИКАЗЫВАЮ:" in internal.stdout and "Закрытый бонус" in internal.stdout
    public = run_cli("diff", "v1", "v2", "--root", str(repo), "--format", "order", "--public")
    assert public.returncode == 0, public.stderr
    assert "ПРИКАЗЫВАЮ:" in public.stdout and "Закрытый бонус" not in public.stdout
    page = run_cli("diff", "v1", "v2", "--root", str(repo), "--format", "order-html", "--public")
    assert page.returncode == 0 and page.stdout.startswith("<!doctype html>")
    assert "<script" not in page.stdout and "Закрытый бонус" not in page.stdout
    # a re-wrapped text is no change: --exit-code 0
    v3 = dict(v2)
    v3["content/regulations/rules/final.md"] = v2["content/regulations/rules/final.md"].replace(
        "Изменения согласуются с руководителем отдела продаж и бухгалтерией.",
        "Изменения согласуются с руководителем\nотдела продаж и бухгалтерией.",
    )
    commit(repo, v3, "re-wrap", tag="v3")
    proc = run_cli("diff", "v2", "v3", "--root", str(repo), "--exit-code")
    assert proc.returncode == 0, proc.stdout


def test_order_closing_provisions_come_from_the_editions(tmp_path):
    from reglament.model.editions import Edition

    old, new = load_tree(tmp_path / "a", tree(1)), load_tree(tmp_path / "b", tree(2))
    previous = Edition(
        id="2025.1", title="Первая редакция", effective="2025-03-01", approved_by="Директор", approved="2025-02-20"
    )
    edition = Edition(
        id="2025.2",
        title="Вторая редакция",
        effective="2025-09-01",
        approved_by="Генеральный директор А. В. Смирнов",
        approved="2025-08-20",
    )
    order = order_markdown(
        draft_order(compare_editions(old, new), old, new, edition=edition, previous=previous), previous=previous
    )
    assert "В связи с утверждением редакции «Вторая редакция» (2025.2) ПРИКАЗЫВАЮ:" in order
    assert "1. Внести в Регламент «Регламент менеджера», утверждённый 20 февраля 2025 г., следующие изменения:" in order
    assert "Изменения вступают в силу с «01» сентября 2025 г." in order
    assert "работников, занимающих должности: Менеджер." in order
    assert order.rstrip().endswith("Генеральный директор А. В. Смирнов  ____________ (подпись)")


def test_order_for_a_new_clause_with_sub_clauses(tmp_path):
    new = tree(2)
    new["content/regulations/rules/general.yml"] += (
        "  - id: bonus-fund\n    text: Фонд премирования отдела составляет 3 % валовой маржи.\n"
        "    clauses:\n      - id: bonus-fund-cut\n        text: Если премии превышают фонд, они уменьшаются.\n"
    )
    order = check_order(load_tree(tmp_path / "a", tree(1)), load_tree(tmp_path / "b", new))
    assert "раздел 1 в начале нового пункта 1.6 дополнить пунктом 1.6.1 следующего содержания:" in order
