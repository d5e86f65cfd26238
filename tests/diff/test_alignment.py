"""Paragraph alignment on restructured editions (issue 14): each class of misleading diff, on Russian prose.

Each test is one class: a size cliff, whitespace-counting similarity with first-match pairing, moves in
prose and of whole sections (with edits inside), re-wrapped text, numbers read by language, the summary
counting sections, headings as blocks of their own.
"""

from __future__ import annotations

from pathlib import Path

from conftest import minimal_files, write_tree
from reglament.diff import compare_editions
from reglament.diff.redline import diff_paragraphs, new_text, number_changes, old_text, paragraphs
from reglament.source.loader import load

SERVICES = [
    ("Выезд менеджера к клиенту в пределах города", 3000),
    ("Выезд менеджера к клиенту за город", 4500),
    ("Консультация по подбору оборудования", 1200),
    ("Подготовка коммерческого предложения", 2000),
    ("Демонстрация продукции в шоуруме", 1500),
    ("Расчёт сметы на монтаж", 2500),
    ("Срочная доставка образцов курьером", 900),
    ("Повторная поставка по рекламации", 700),
    ("Обучение персонала клиента работе с системой", 8000),
    ("Настройка личного кабинета дилера", 1100),
    ("Проверка документов для тендера", 5000),
    ("Сопровождение сделки юристом", 6500),
    ("Подготовка отчёта о продажах для партнёра", 1800),
    ("Переоформление договора поставки", 1300),
    ("Выставление счёта в иностранной валюте", 600),
    ("Хранение товара на складе сверх срока", 400),
    ("Упаковка в фирменную тару", 350),
    ("Маркировка партии по требованиям маркетплейса", 950),
    ("Фотосъёмка образцов для каталога", 2200),
    ("Проверка комплектности при отгрузке", 800),
]


def price_list(raise_by: int = 0, heading: bool = False) -> str:
    rows = [f"- {name} — {price + raise_by} ₽" for name, price in SERVICES]
    head = "## Прайс-лист с 1 марта\n\nЦены указаны без НДС.\n\n" if heading else ""
    return head + "\n".join(rows)


def test_no_size_cliff_a_price_list_under_a_new_heading_pairs_each_row_with_itself():
    # every price raised by 100 ₽ and a heading with a note put on top: 20 × 22 candidate pairs
    result = diff_paragraphs(price_list(), price_list(100, heading=True))
    changed = [c for c in result if c.change == "changed"]
    assert len(changed) == len(SERVICES)
    for change, (name, _price) in zip(changed, SERVICES, strict=True):
        assert name in old_text(change.redline) and name in new_text(change.redline)
    assert [c.change for c in result if c.change != "changed"] == ["added", "added"]
    # every number change pairs a price with its own row's new price
    for change, (_name, price) in zip(changed, SERVICES, strict=True):
        [(old, new, _ctx)] = number_changes(old_text(change.redline), new_text(change.redline))
        assert (old, new) == (price, price + 100)


def test_unrelated_paragraphs_in_one_place_are_removed_and_added_not_redlined_into_each_other():
    old = (
        "Менеджер принимает заявки с сайта и из мессенджеров.\n\n"
        "Скидку свыше десяти процентов согласует руководитель отдела продаж письменно.\n\n"
        "Отчёт о работе сдаётся в пятницу."
    )
    new = (
        "Менеджер принимает заявки с сайта и из мессенджеров.\n\n"
        "При увольнении сотрудник передаёт клиентскую базу и пароли от служебных систем.\n\n"
        "Отчёт о работе сдаётся в пятницу."
    )
    result = diff_paragraphs(old, new)
    assert [(c.change, c.old_index, c.new_index) for c in result] == [("removed", 2, None), ("added", None, 2)]


def test_best_match_not_first_match_within_a_replaced_block():
    # the first old paragraph is half like the new one; the second is the same rule with one edit
    old = (
        "Клиенту выставляется предварительный счёт в течение одного рабочего дня после звонка.\n\n"
        "Счёт выставляется клиенту в течение одного рабочего дня после согласования заказа."
    )
    new = "Счёт выставляется клиенту в течение двух рабочих дней после согласования заказа."
    result = diff_paragraphs(old, new)
    assert [(c.change, c.old_index, c.new_index) for c in result] == [("removed", 1, None), ("changed", 2, 1)]
    assert "одного рабочего дня" in old_text(result[1].redline)
    assert "двух рабочих дней" in new_text(result[1].redline)


def test_a_paragraph_is_not_paired_in_place_when_its_own_text_moved_elsewhere():
    # two alike rules swapped around an unchanged one, each edited: moves with edits, not two rewrites
    a = "Скидку до 5 % менеджер предоставляет самостоятельно по согласованию с клиентом."
    b = "Скидку свыше 5 % менеджер предоставляет только по согласованию с руководителем отдела."
    k = "Все скидки фиксируются в карточке сделки."
    a2 = a.replace("до 5 %", "до 7 %")
    b2 = b.replace("руководителем отдела", "руководителем отдела продаж")
    result = diff_paragraphs("\n\n".join([a, k, b]), "\n\n".join([b2, k, a2]))
    assert sorted((c.change, c.old_index, c.new_index) for c in result) == [("moved", 1, 3), ("moved", 3, 1)]
    by_new = {c.new_index: c for c in result}
    assert new_text(by_new[3].redline) == a2 and old_text(by_new[3].redline) == a
    assert number_changes(old_text(by_new[3].redline), new_text(by_new[3].redline)) == [
        (5, 7, "Скидку до 7 % менеджер предоставляет")
    ]


SECTION_A = """\
## Приём заявок

Менеджер принимает заявки с сайта, по телефону и из мессенджеров.

Заявка регистрируется в CRM в течение 15 минут после поступления."""

SECTION_B = """\
## Скидки

Скидку до 5 % менеджер предоставляет самостоятельно.

Скидку свыше 5 % согласует руководитель отдела продаж."""

SECTION_C = """\
## Отчётность

Менеджер сдаёт еженедельный отчёт о продажах в пятницу до 18:00."""


def test_reordered_sections_are_moves_with_the_edits_inside_shown():
    old = "\n\n".join([SECTION_A, SECTION_B, SECTION_C])
    # «Отчётность» moved to the top and edited there; «Скидки» edited in place
    new = "\n\n".join([SECTION_C.replace("в пятницу", "в четверг"), SECTION_A, SECTION_B.replace("до 5 %", "до 7 %")])
    result = diff_paragraphs(old, new)
    moved = [c for c in result if c.change == "moved"]
    assert [(c.kind, c.old_index, c.new_index, c.new_path) for c in moved] == [
        ("heading", 7, 1, ("Отчётность",)),
        ("paragraph", 8, 2, ("Отчётность",)),
    ]
    assert "".join(f"[{s.op}{s.text}]" for s in moved[1].redline if s.op != "=") == "[-пятницу][+четверг]"
    changed = [c for c in result if c.change == "changed"]
    assert len(changed) == 1 and changed[0].new_path == ("Скидки",) and changed[0].new_ordinal == 1
    assert number_changes(old_text(changed[0].redline), new_text(changed[0].redline)) == [
        (5, 7, "Скидку до 7 % менеджер предоставляет")
    ]
    assert len(result) == 3  # nothing reported as removed and added
    # the list is in the new document order (removals are not gathered after all additions)
    assert [c.new_index for c in result] == sorted(c.new_index for c in result)


def test_rewrapped_paragraph_is_no_change():
    old = (
        "Менеджер обязан ответить на обращение клиента в течение одного рабочего дня,\n"
        "а на повторное обращение — в течение двух часов."
    )
    new = (
        "Менеджер обязан ответить на обращение клиента\n"
        "в течение одного рабочего дня, а на повторное обращение — в течение двух часов."
    )
    assert diff_paragraphs(old, new) == ()
    assert diff_paragraphs(old, old.replace("\n", " ")) == ()


def test_heading_and_the_line_under_it_are_separate_blocks():
    assert paragraphs("## Скидки\nСкидку согласует руководитель.\n| Скидка | Кто |\n| 5 % | менеджер |") == [
        "## Скидки",
        "Скидку согласует руководитель.",
        "| Скидка | Кто |",
        "| 5 % | менеджер |",
    ]
    result = diff_paragraphs(
        "## Скидки\nСкидку согласует руководитель.", "## Скидки клиентам\nСкидку согласует руководитель."
    )
    assert [(c.change, c.kind) for c in result] == [("changed", "heading")]


def test_numbers_are_read_by_language_and_identifiers_are_not_parameters():
    assert number_changes("лимит 3,500 USD", "лимит 4,000 USD", lang="en") == [(3500, 4000, "лимит 4,000 USD")]
    assert number_changes("ставка 3,5 %", "ставка 4 %") == [(3.5, 4, "ставка 4 %")]
    assert number_changes("план 1 200 000 ₽", "план 1 500 000 ₽") == [(1200000, 1500000, "план 1 500 000 ₽")]
    # phones, postcodes, house numbers, clause numbers, dates and years are identifiers
    assert number_changes("тел. 8 (495) 123-45-67", "тел. 8 (495) 765-43-21") == []
    assert number_changes("Москва, 101000, ул. Ленина, д. 5", "Москва, 125009, ул. Ленина, д. 7") == []
    assert number_changes("согласно п. 3.2 регламента", "согласно п. 3.4 регламента") == []
    assert number_changes("с 1 марта 2025 года", "с 1 апреля 2026 года") == []
    assert number_changes("в течение 15 минут", "в течение 10 минут") == [(15, 10, "в течение 10 минут")]


# --------------------------------------------------------------------------
# Whole editions: moves across parts, the summary


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
  - service.md
"""


def prose(pid: str, title: str, body: str) -> str:
    return f"---\nid: {pid}\ntitle: {title}\n---\n\n{body}\n"


def edition(root: Path, sales: str, service: str, extra: dict[str, str] | None = None):
    files = minimal_files()
    files["content/regulations/rules/regulation.yml"] = REGULATION
    files["content/regulations/rules/sales.md"] = prose("sales", "Продажи", sales)
    files["content/regulations/rules/service.md"] = prose("service", "Сервис", service)
    files.update(extra or {})
    write_tree(root, files)
    loaded = load(root)
    assert not [d for d in loaded.diagnostics if d.severity == "error"], loaded.diagnostics
    return loaded.content


def test_a_section_moved_to_another_part_is_a_move_with_its_edits(tmp_path):
    old = edition(tmp_path / "a", "\n\n".join([SECTION_A, SECTION_B]), SECTION_C)
    new = edition(
        tmp_path / "b", SECTION_A, "\n\n".join([SECTION_C, SECTION_B.replace("руководитель отдела", "директор")])
    )
    changes = compare_editions(old, new)
    parts = {p.id: p for reg in changes.regulations for p in reg.parts}
    assert set(parts) == {"sales", "service"}  # the part it left is changed too
    moved = parts["service"].paragraphs
    assert {c.change for c in moved} == {"moved"} and {c.moved_from for c in moved} == {"rules/sales"}
    assert len(moved) == 3
    edited = [c for c in moved if any(s.op != "=" for s in c.redline)]
    assert [new_text(c.redline) for c in edited] == ["Скидку свыше 5 % согласует директор продаж."]
    s = changes.summary
    assert (s.sections_moved, s.paragraphs_moved, s.paragraphs, s.removed, s.added) == (1, 2, 0, 0, 0)


def test_summary_counts_parts_and_sections_not_their_paragraphs(tmp_path):
    old = edition(tmp_path / "a", SECTION_A, SECTION_C)
    extra_sections = "\n\n".join(
        f"## Раздел {n}\n\nМенеджер выполняет порядок {n} для клиентов сегмента {n}.\n\nКонтроль ведёт руководитель."
        for n in ("первый", "второй", "третий")
    )
    new = edition(
        tmp_path / "b",
        SECTION_A + "\n\n" + extra_sections,
        SECTION_C,
        {
            "content/regulations/rules/regulation.yml": REGULATION + "  - extra.md\n",
            "content/regulations/rules/extra.md": prose("extra", "Дополнение", SECTION_B),
        },
    )
    s = compare_editions(old, new).summary
    assert (s.parts_added, s.sections_added, s.paragraphs, s.added) == (1, 3, 6, 0)


def test_text_moved_word_for_word_affects_nobody(tmp_path):
    old = edition(tmp_path / "a", "\n\n".join([SECTION_A, SECTION_B]), SECTION_C)
    new = edition(tmp_path / "b", SECTION_A, "\n\n".join([SECTION_C, SECTION_B]))
    changes = compare_editions(old, new)
    assert changes.summary.sections_moved == 1 and not changes.impact


def test_human_formats_place_each_block_under_its_headings_and_render_markup(tmp_path):
    from reglament.diff import format_html, format_text

    old = edition(tmp_path / "a", "\n\n".join([SECTION_A, SECTION_B]), SECTION_C)
    new_sales = "\n\n".join([SECTION_B.replace("## Скидки", "## Скидки **клиентам**"), SECTION_A])
    new = edition(tmp_path / "b", new_sales.replace("до 5 %", "до 7 %"), SECTION_C)
    changes = compare_editions(old, new)
    page = format_html(changes)
    assert "##" not in page and "**" not in page
    assert "Скидки<ins> клиентам</ins>" in page
    assert "Заголовок «Скидки клиентам» — перемещён; было: заголовок «Скидки»" in page
    text = format_text(changes)
    # the edited rule: where it is now, and that it moved (with its edit shown)
    assert "«Скидки клиентам», абзац 1 — перемещён; было: «Скидки», абзац 1" in text
    assert "{+7+}" in text and "[-5-]" in text
