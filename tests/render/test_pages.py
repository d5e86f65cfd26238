"""The reader's site, rendered (no engine): automatic term links, role pages and
interactions, the RACI matrix, motivation arithmetic, the working-day timeline,
edit links. Small content trees in temp folders; assertions on the Markdown tree."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from conftest import DUTIES, GLOSSARY, REPO
from reglament.model.nodes import Term
from reglament.project import check_project
from reglament.render import motivation, views
from reglament.render.pages import RenderedTree, render

TEMPLATES = REPO / "templates"


def rendered_tree(root: Path) -> RenderedTree:
    checked = check_project(root)
    assert not [d for d in checked.diagnostics if d.severity == "error"], checked.diagnostics
    return render(checked.content, TEMPLATES)


def rendered(root: Path) -> dict[str, str]:
    return rendered_tree(root).pages


def clauses(text: str) -> str:
    return "id: general\ntitle: Общие положения\nkind: clauses\nclauses:\n" + "".join(
        f"  - id: c{i}\n    text: {json.dumps(t, ensure_ascii=False)}\n" for i, t in enumerate(text.split("\n"), 1)
    )


def links(markdown: str, target: str) -> list[str]:
    """Display texts of the Markdown links to ``target`` (a path#anchor suffix)."""
    return re.findall(r"\[([^\]]+)\]\([^)\s]*" + re.escape(target) + r' "', markdown)


def clause_line(page: str, clause_id: str) -> str:
    return next(line for line in page.split("\n") if f'href="#{clause_id}"' in line)


# --------------------------------------------------------------------------- automatic term links


def test_first_mention_in_any_form_becomes_a_link_with_the_definition(project):
    root = project(
        {"content/regulations/rules/general.yml": clauses("Лиды приходят с сайта; каждого лида квалифицируют.")}
    )
    tree = rendered_tree(root)
    line = clause_line(tree.pages["rules/index.md"], "c1")
    assert links(line, "glossary.md#lead") == ["Лиды"]  # the first mention only
    assert '"rg-tip:lead"' in line  # the title is the marker of the term's tooltip …
    assert tree.tooltips["lead"] == "Лид — Потенциальный клиент, оставивший контакты."  # … its definition
    assert "каждого лида" in line


@pytest.mark.parametrize(
    "text",
    [
        "Лидер рынка лидирует.",  # other words that share the stem
        "Поле `лид` в выгрузке.",  # code
        "См. [карточку лида](https://crm.example/lead).",  # an existing link
        "Ссылка https://example.com/lid/лид без текста.",  # a URL
    ],
)
def test_no_false_links(project, text):
    root = project({"content/regulations/rules/general.yml": clauses(text)})
    page = rendered(root)["rules/index.md"]
    assert links(clause_line(page, "c1"), "glossary.md#lead") == []


def test_explicit_link_is_not_doubled(project):
    root = project({"content/regulations/rules/general.yml": clauses("О [[lead|лидах]]: лиды приходят с сайта.")})
    line = clause_line(rendered(root)["rules/index.md"], "c1")
    assert links(line, "glossary.md#lead") == ["лидах"]


def test_each_clause_links_its_own_first_mention(project):
    root = project({"content/regulations/rules/general.yml": clauses("Лиды с сайта.\nЛидам звонят.")})
    page = rendered(root)["rules/index.md"]
    assert links(clause_line(page, "c1"), "glossary.md#lead") == ["Лиды"]
    assert links(clause_line(page, "c2"), "glossary.md#lead") == ["Лидам"]


def test_markdown_prose_links_once_per_paragraph_never_in_headings_or_code(project):
    reg = "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\nparts: [intro.md, duties.yml]\n"
    md = (
        "---\nid: intro\ntitle: Введение\n---\n\n## Работа с лидами\n\n"
        "Лиды приходят с сайта. Каждого лида квалифицируют.\nЛидов много.\n\n"
        "- лиды из рекламы\n- лиды с выставок\n\n```\nлид = Lead()\n```\n\n    лиды в отступе\n"
    )
    root = project(
        {
            "content/regulations/rules/regulation.yml": reg,
            "content/regulations/rules/general.yml": None,
            "content/regulations/rules/intro.md": md,
        }
    )
    page = rendered(root)["rules/index.md"].split("{: #duties }")[0]  # the prose part only
    assert "\n### Работа с лидами\n" in page  # heading untouched (one level below the part title)
    assert links(page, "glossary.md#lead") == ["Лиды", "лиды", "лиды"]  # paragraph once, each list item once
    assert "лид = Lead()" in page and "    лиды в отступе" in page


def test_term_marked_exact_links_only_its_listed_forms(project):
    """«Отказ» (a reason code in the CRM) must not link the common «отказа», «отказывать»: `match: exact` + `forms`."""
    glossary = GLOSSARY + (
        "  - id: refusal\n    term: Отказ\n    match: exact\n    forms: [отказы]\n"
        "    definition: Код причины закрытия сделки.\n"
    )
    text = "Отказ фиксируют кодом.\nОтказы считают за месяц.\nБез отказа от условий.\nНе отказывать клиенту."
    root = project({"content/glossary.yml": glossary, "content/regulations/rules/general.yml": clauses(text)})
    page = rendered(root)["rules/index.md"]
    assert [links(clause_line(page, f"c{i}"), "glossary.md#refusal") for i in (1, 2, 3, 4)] == [
        ["Отказ"],
        ["Отказы"],
        [],
        [],
    ]


def test_same_term_in_morph_mode_links_every_form(project):
    glossary = GLOSSARY + "  - id: refusal\n    term: Отказ\n    definition: Код причины закрытия сделки.\n"
    root = project(
        {"content/glossary.yml": glossary, "content/regulations/rules/general.yml": clauses("Без отказа от условий.")}
    )
    assert links(clause_line(rendered(root)["rules/index.md"], "c1"), "glossary.md#refusal") == ["отказа"]


def test_definition_does_not_link_its_own_term(project):
    glossary = GLOSSARY.replace(
        "Потенциальный клиент, оставивший контакты.", "Потенциальный клиент; лид становится сделкой после квалификации."
    )
    root = project({"content/glossary.yml": glossary})
    glossary_page = rendered(root)["glossary.md"]
    section = glossary_page.split("{: #lead }")[1].split("Где используется")[0]
    assert links(section, "#lead") == []
    assert links(section, "#deal") == ["сделкой"]


def test_where_used_counts_automatic_mentions(project):
    root = project({"content/regulations/rules/general.yml": clauses("Сделки оформляют в тот же день.")})
    glossary_page = rendered(root)["glossary.md"]
    deal = glossary_page.split("{: #deal }")[1]
    where = deal.split("Где используется")[1]
    assert "[п. 1.1](rules/index.md#c1" in where  # the clause that mentions «Сделки» without [[…]]


# --------------------------------------------------------------------------- roles, interaction, RACI

SHARED = DUTIES.replace(
    "    deadline: в течение 15 минут\n",
    """\
    deadline: в течение 15 минут
    deadline_minutes: 15
  - id: approve-discount
    text: Согласовать скидку для [[deal|сделки]] и сообщить [[accounting]].
    role: manager
    raci:
      responsible: [manager]
      accountable: head
      consulted: [legal]
      informed: [accounting]
  - id: send-invoice
    text: Выставить счёт по сделке.
    role: accounting
    deadline: в течение 1 часа
    raci:
      responsible: [accounting]
      accountable: accounting
      informed: [manager]
""",
)
ROLES_PLUS = """\
  - id: accounting
    name: Бухгалтерия
    department: Бухгалтерия
    kind: department
  - id: legal
    name: Юридический отдел
    department: Юридический отдел
    kind: department
"""


@pytest.fixture
def shared(project):
    from conftest import ROLES

    root = project({"content/regulations/rules/duties.yml": SHARED, "content/roles.yml": ROLES + ROLES_PLUS})
    return check_project(root).content, root


def test_raci_letters(shared):
    content, _ = shared
    assert views.raci_of(content.get("approve-discount").node) == {
        "manager": ("R",),
        "head": ("A",),
        "legal": ("C",),
        "accounting": ("I",),
    }
    assert views.raci_of(content.get("call-lead").node) == {"manager": ("R",)}


def test_role_view_groups_duties_and_finds_interactions(shared):
    content, _ = shared
    v = views.role_view(content, content.get("manager").node)
    assert [e.item.id for rd in v.duties for g in rd.performs for e in g.entries] == ["call-lead", "approve-discount"]
    assert [e.item.id for rd in v.duties for e in rd.participates] == ["send-invoice"]
    assert [e.item.id for e in v.deadlines] == ["call-lead"]  # performed duties with a deadline, shortest first
    assert [r.item.id for r in v.responsibility] == ["late-call"]
    by_other = {i.other.id: i for i in v.interactions}
    # accounting informs the manager of invoices; the manager informs accounting of discounts
    assert [e.item.id for e in by_other["accounting"].from_other] == ["send-invoice"]
    assert [e.item.id for e in by_other["accounting"].to_other] == ["approve-discount"]
    # the head decides (A) on discounts; the manager delivers the result to the head
    assert [e.item.id for e in by_other["head"].from_other] == ["approve-discount"]
    assert [e.item.id for e in by_other["head"].to_other] == ["approve-discount"]
    # legal is consulted: it owes the manager its opinion
    assert [e.item.id for e in by_other["legal"].from_other] == ["approve-discount"]
    assert by_other["legal"].to_other == []


def test_a_role_named_only_in_the_text_is_an_interaction(project):
    from conftest import ROLES

    duties = DUTIES.replace("Позвонить [[lead|лиду]]", "Позвонить [[lead|лиду]], сообщить [[accounting]]")
    root = project({"content/regulations/rules/duties.yml": duties, "content/roles.yml": ROLES + ROLES_PLUS})
    content = check_project(root).content
    acc = views.role_view(content, content.get("accounting").node)
    assert [(i.other.id, [e.item.id for e in i.from_other], i.to_other) for i in acc.interactions] == [
        ("manager", ["call-lead"], [])
    ]


def test_role_page_shows_duties_deadlines_and_interaction(shared):
    content, _ = shared
    pages = render(content, TEMPLATES).pages
    page = pages["roles/manager.md"]
    for heading in (
        "## Обязанности",
        "## Сроки и нормативы",
        "## Ответственность",
        "## Взаимодействие",
        "### Бухгалтерия",
        "### Юридический отдел",
    ):
        assert heading in page
    assert "Бухгалтерия → Менеджер" in page and "Менеджер → Бухгалтерия" in page
    assert "(../rules/index.md#send-invoice" in page  # links to the clause in the regulation


def test_raci_matrix_page(shared):
    content, _ = shared
    matrix = views.raci_matrix(content)
    assert [r.id for r in matrix.roles] == ["manager", "head", "accounting", "legal"]
    assert [row.item.id for row in matrix.shared] == ["approve-discount", "send-invoice"]
    page = render(content, TEMPLATES).pages["roles/raci.md"]
    assert "ровно одна роль A" in page
    row = next(line for line in page.split("\n") if "#approve-discount" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    letters = [re.findall(r">([RACI])<", c) for c in cells[2:]]
    assert letters == [["R"], ["A"], ["I"], ["C"]]


def test_accountable_given_as_a_list_is_a_raci_error(project):
    duties = DUTIES.replace(
        "    role: manager\n",
        "    role: manager\n    raci:\n      responsible: [manager]\n      accountable: [head, manager]\n",
    )
    root = project({"content/regulations/rules/duties.yml": duties})
    found = [(d.code, d.line, d.column) for d in check_project(root).diagnostics if d.severity == "error"]
    assert found == [("raci-accountable", 10, 20)]


# --------------------------------------------------------------------------- motivation


MOTIVATION = """\
id: pay
title: Система мотивации
kind: motivation
fixed:
  amount: 60000
bonus_base: 60000
kpis:
  - id: kpi-plan
    name: План
    measures: Выполнение плана по [[deal|сделкам]].
    weight: 100
    target: 100 %
tiers:
  - {id: t0, from_percent: 0, to_percent: 70, bonus_percent: 0}
  - {id: t70, from_percent: 70, to_percent: 90, bonus_percent: 50}
  - {id: t90, from_percent: 90, to_percent: 100, bonus_percent: 80}
  - {id: t100, from_percent: 100, bonus_percent: 100}
reductions:
  - id: red-late
    responsibility: late-call
    percent: 15
    text: Опоздание со звонком.
"""


@pytest.fixture
def pay(project):
    reg = (
        "id: rules\ntitle: Регламент\nowner: head\napprover: head\naudience: [manager]\n"
        "parts: [general.yml, duties.yml, pay.yml]\n"
    )
    root = project({"content/regulations/rules/regulation.yml": reg, "content/regulations/rules/pay.yml": MOTIVATION})
    checked = check_project(root)
    return checked.content.get("pay").node, checked.content


@pytest.mark.parametrize(
    "percent, tier, bonus",
    [
        (0, "t0", 0),
        (69.9, "t0", 0),
        (70, "t70", 30000),
        (87, "t70", 30000),
        (89.99, "t70", 30000),
        (90, "t90", 48000),
        (100, "t100", 60000),
        (250, "t100", 60000),
    ],
)
def test_tier_bounds_are_from_inclusive_to_exclusive(pay, percent, tier, bonus):
    part, _ = pay
    result = motivation.compute(part, percent)
    assert (result.tier.id, result.bonus, result.total) == (tier, bonus, 60000 + bonus)


def test_reductions_cut_the_bonus_and_never_below_zero(pay):
    part, _ = pay
    assert motivation.compute(part, 95, reductions=("red-late",)).bonus == 40800  # 48 000 − 15 %
    part.reductions[0].percent = 100
    assert motivation.compute(part, 95, reductions=("red-late", "red-late")).bonus == 0


def test_worked_example_is_computed_from_the_tiers(pay):
    part, content = pay
    assert motivation.example_percent(part) == 87  # near the top of the first paying tier
    page = render(content, TEMPLATES).pages["rules/index.md"]
    example = page.split("{: #pay-example }")[1].split("###")[0]
    assert "**87\u00a0%**" in example and "[п. 3.3](#t70)" in example
    assert "**30\u00a0000 ₽**" in example and "**90\u00a0000 ₽**" in example


def test_example_percent_can_be_chosen(project, pay):
    part, _ = pay
    part.example_percent = 104
    assert motivation.compute(part, motivation.example_percent(part)).bonus == 60000


def test_calculator_carries_the_tiers_as_data(pay):
    _part, content = pay
    page = render(content, TEMPLATES).pages["rules/index.md"]
    attr = re.search(r'data-rg-calc="([^"]*)"', page).group(1)
    data = json.loads(unescape(attr))
    assert data["base"] == 60000 and data["fixed"] == 60000 and data["example"] == 87
    assert data["tiers"][-1] == {"id": "t100", "from": 100, "to": None, "bonus": 100}
    assert data["reductions"] == [{"id": "red-late", "percent": 15}]


# --------------------------------------------------------------------------- working day, edit links


def test_timeline_positions_blocks_on_the_day():
    from reglament.model import nodes as m

    part = m.SchedulePart(
        id="wt",
        title="Время",
        kind="schedule",
        hours={"start": "09:00", "end": "18:00"},
        routine=[
            {"id": "a", "start": "09:00", "end": "13:00", "activity": "Работа"},
            {"id": "b", "start": "13:00", "end": "14:00", "activity": "Обед", "is_break": True},
            {"id": "c", "start": "14:00", "end": "18:00", "activity": "Работа"},
        ],
    )
    tl = views.timeline(part)
    assert [(b.left, b.width) for b in tl.blocks] == [(0, 44.444), (44.444, 11.111), (55.556, 44.444)]
    assert (tl.work, tl.breaks) == ("8\u00a0ч", "1\u00a0ч")
    assert tl.hours[0] == ("09:00", 0) and tl.hours[-1] == ("18:00", 100)


def test_every_section_links_its_own_source_file(project):
    page = rendered(project())["rules/index.md"]
    assert 'href="reglament-source:content/regulations/rules/general.yml"' in page
    assert 'href="reglament-source:content/regulations/rules/duties.yml"' in page
    assert 'reglament_source: "content/regulations/rules/regulation.yml"' in page


# --------------------------------------------------------------------------- nesting depth


def test_clauses_nested_five_levels_deep_keep_number_anchor_permalink_and_term_links(project):
    part = "id: general\ntitle: Общие положения\nkind: clauses\nclauses:\n"
    for level in range(1, 6):
        pad = "    " * (level - 1)
        part += f'{pad}  - id: c{level}\n{pad}    text: "Уровень {level}: [[lead|лиду]] звонят."\n'
        if level < 5:
            part += f"{pad}    clauses:\n"
    tree = rendered_tree(project({"content/regulations/rules/general.yml": part}))
    page = tree.pages["rules/index.md"]
    assert tree.tooltips["lead"] == "Лид — Потенциальный клиент, оставивший контакты."  # the tooltip
    for level in range(1, 6):
        number = "1." + ".".join(["1"] * level)  # «1.1», «1.1.1» … «1.1.1.1.1.1»
        line = clause_line(page, f"c{level}")
        assert f'<div class="rg-clause" id="c{level}" markdown>' in page
        assert f'title="Ссылка на п. {number}">{number}.</a> Уровень {level}:' in line
        assert links(line, "glossary.md#lead") == ["лиду"]
        assert '"rg-tip:lead"' in line  # the tooltip's marker


# --------------------------------------------------------------------------- no giant pages


def test_a_large_glossary_goes_on_a_page_per_letter_with_the_bar_links_and_where_used(project, monkeypatch):
    monkeypatch.setattr(views, "GLOSSARY_PAGE_WEIGHT", 4)  # at most one term (3 + its uses) a page
    pages = rendered(project())
    # «Лид» and «Сделка»: one page each, under their letters
    assert {"glossary/l.md", "glossary/s.md"} <= set(pages)
    lead, deal, index = pages["glossary/l.md"], pages["glossary/s.md"], pages["glossary.md"]
    assert "# Глоссарий: Л" in lead and "## Лид {: #lead }" in lead and "Потенциальный клиент" in lead
    assert "## Сделка {: #deal }" in deal and "{: #lead }" not in deal
    # the alphabet bar on every page: the current letter marked
    assert '<a href="l.md" aria-current="page">Л</a>' in lead and '<a href="s.md">С</a>' in lead
    assert '<a href="glossary/l.md">Л</a>' in index
    # the index lists every term, each with its old anchor (links to glossary.md#lead still land)
    assert '<span id="lead"></span>[Лид](glossary/l.md#lead)' in index
    assert '<span id="deal"></span>[Сделка](glossary/s.md#deal)' in index
    # term links from everywhere point to the term's page; where-used links back from it
    reg = pages["rules/index.md"]
    assert links(reg, "glossary/l.md#lead") and not links(reg, "glossary.md#lead")
    assert links(deal, "l.md#lead") == ["лида"]  # a definition linking another letter's term
    assert links(lead, "../rules/index.md#purpose")  # where-used: the clause that references «лид»


def test_a_small_glossary_stays_one_page(project):
    pages = rendered(project())
    assert "glossary/l.md" not in pages and "## Лид {: #lead }" in pages["glossary.md"]
    assert '<a href="#deal">С</a>' in pages["glossary.md"]


def test_a_large_raci_matrix_goes_on_a_page_per_regulation(project, monkeypatch):
    monkeypatch.setattr(views, "RACI_PAGE_ROWS", 0)
    root = project()
    checked = check_project(root)
    tree = render(checked.content, TEMPLATES)
    index, page = tree.pages["roles/raci.md"], tree.pages["roles/raci/rules.md"]
    assert "| [Регламент менеджера](raci/rules.md) | 1 | 0 | 1 |" in index
    assert "| Пункт | Обязанность |" not in index  # the tables are on the regulations' pages
    assert "# RACI: Регламент менеджера" in page and "[Матрица всех регламентов](../raci.md)" in page
    assert '| [2.1](../../rules/index.md#call-lead "' in page
    assert '[Менеджер](../manager.md "Менеджер (Отдел продаж)")' in page
    assert tree.sources["roles/raci/rules.md"] == "content/regulations/rules/duties.yml"
    roles_nav = next(entry["Роли"] for entry in tree.nav if "Роли" in entry)
    assert {"Матрица RACI": [{"Все регламенты": "roles/raci.md"}, {"Регламент менеджера": "roles/raci/rules.md"}]} in (
        roles_nav
    )


def test_a_reference_inside_code_is_shown_as_written(project):
    page = rendered(project({"content/regulations/rules/general.yml": clauses("Ссылка пишется так: `[[lead]]`.")}))
    line = clause_line(page["rules/index.md"], "c1")
    assert "`[[lead]]`" in line and "glossary.md#lead" not in line


def test_glossary_letter_page_names_are_the_published_ones():
    # published URLs (glossary/<name>.md): ru.translit's `letters` system must keep spelling them so
    names = {
        "А": "a", "Б": "b", "В": "v", "Г": "g", "Д": "d", "Е": "e", "Ж": "zh", "З": "z", "И": "i", "Й": "j", "К": "k",
        "Л": "l", "М": "m", "Н": "n", "О": "o", "П": "p", "Р": "r", "С": "s", "Т": "t", "У": "u", "Ф": "f", "Х": "h",
        "Ц": "c", "Ч": "ch", "Ш": "sh", "Щ": "shch", "Ъ": "hard", "Ы": "y", "Ь": "soft", "Э": "eh", "Ю": "yu", "Я": "ya",
    }  # fmt: skip
    assert {letter: views.letter_slug(letter) for letter in names} == names
    assert [views.letter_slug(c) for c in "Kz7?É"] == ["k", "z", "7", "u003f", "u00c9"]
    # Ё is filed under Е, so ё never names a page
    assert {views.term_letter(Term(id="hedgehog", term=t, definition="Зверь.")) for t in ("Ёж", "ёж", "Еж")} == {"Е"}


def test_a_text_shown_on_many_pages_links_into_each_page_as_an_anchor(project):
    """The renderer reuses a text's Markdown across the pages of one folder (the role pages), never on a page
    the text links to: there the link is to the page itself."""
    roles = "roles:\n" + "".join(
        f"  - id: {rid}\n    name: {name}\n    department: Отдел продаж\n"
        for rid, name in (("analyst", "Аналитик"), ("manager", "Менеджер"), ("head", "Руководитель"))
    )
    duties = DUTIES.replace(
        "    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].\n    role: manager\n",
        "    text: Позвонить [[lead|лиду]], сообщить [[head]] и [[manager]].\n    role: manager\n"
        "    raci:\n      responsible: [manager]\n      accountable: head\n      consulted: [analyst]\n",
    )
    root = project({"content/roles.yml": roles, "content/regulations/rules/duties.yml": duties})
    pages = rendered(root)

    def role_links(page: str) -> dict[str, str]:
        line = next(line for line in pages[page].split("\n") if "Позвонить" in line)
        return dict(re.findall(r'\[(Руководителю|Руководитель|Менеджер)\]\(([^)\s]*) "rg-tip:', line))

    assert role_links("roles/analyst.md") == {"Руководитель": "head.md", "Менеджер": "manager.md"}
    assert role_links("roles/manager.md") == {"Руководитель": "head.md", "Менеджер": ""}
    assert role_links("roles/head.md") == {"Руководитель": "", "Менеджер": "manager.md"}
    assert role_links("rules/index.md") == {"Руководитель": "../roles/head.md", "Менеджер": "../roles/manager.md"}


def test_a_name_with_a_nul_character_still_links_to_its_page(project):
    """A text's links are kept apart from its Markdown by a NUL character; a name holding one (YAML's "\\0")
    makes that text for each page on its own."""
    glossary = GLOSSARY.replace("    term: Сделка\n", '    term: "Сдел\\0ка"\n')
    duties = DUTIES.replace("Позвонить [[lead|лиду]] и оформить [[deal|сделку]].", "Позвонить и оформить [[deal]].")
    root = project({"content/glossary.yml": glossary, "content/regulations/rules/duties.yml": duties})
    pages = rendered(root)
    for page, href in (("rules/index.md", "../glossary.md#deal"), ("roles/manager.md", "../glossary.md#deal")):
        line = next(line for line in pages[page].split("\n") if "Позвонить" in line)
        assert f'[Сдел\0ка]({href} "rg-tip:deal")' in line, line
