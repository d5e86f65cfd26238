"""`reglament diff`: two editions compared as models, on real git repositories built in temp folders."""

from __future__ import annotations

import html
import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import minimal_files, run_cli, write_tree
from reglament.diff import Changes, compare_editions, diff_revisions, format_html, format_markdown, format_text
from reglament.diff.compare import placements
from reglament.diff.formats import display_segments
from reglament.diff.model import FieldChange, Segment, Side
from reglament.diff.redline import diff_paragraphs, new_text, number_changes, old_text, paragraphs, redline, tokens
from reglament.diff.site import changes_page
from reglament.source import git
from reglament.source.loader import load

GOLDEN = Path(__file__).parent / "golden"

GENERAL_V1 = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]].
  - id: scope
    text: Регламент обязателен для всех менеджеров отдела продаж.
  - id: crm-only
    text: Все договорённости с клиентом менеджер фиксирует в карточке сделки.
  - id: obsolete
    text: Отчёт о звонках сдаётся на бумаге.
  - id: review
    text: Регламент пересматривается ежегодно.
    clauses:
      - id: review-owner
        text: Пересмотр готовит руководитель отдела.
"""

# v2: a clause inserted at 1.1 (everything after it renumbered), `crm-only` reworded,
# `obsolete` removed — `review` keeps its number 1.5, its sub-clause too.
GENERAL_V2 = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: terms-apply
    text: Термины регламента понимаются в значениях глоссария.
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]].
  - id: scope
    text: Регламент обязателен для всех менеджеров отдела продаж.
  - id: crm-only
    text: Все договорённости с клиентом менеджер в тот же день фиксирует в карточке сделки.
  - id: review
    text: Регламент пересматривается ежегодно.
    clauses:
      - id: review-owner
        text: Пересмотр готовит руководитель отдела.
"""

DUTIES_V1 = """\
id: duties
title: Обязанности
kind: duties
duties:
  - id: call-lead
    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].
    role: manager
    deadline: в течение 15 минут
    deadline_minutes: 15
  - id: weekly-report
    text: Готовить еженедельный отчёт о продажах.
    role: head
responsibility:
  - id: late-call
    text: За опоздание со звонком — замечание.
    enforces: [call-lead]
"""

DUTIES_V2 = DUTIES_V1.replace("в течение 15 минут", "в течение 10 минут").replace(
    "deadline_minutes: 15", "deadline_minutes: 10"
)

MOTIVATION_V1 = """\
id: motivation
title: Система мотивации
kind: motivation
bonus_base: 50000
kpis:
  - id: kpi-plan
    name: Выполнение плана
    measures: Доля выполнения плана по оплаченным [[deal|сделкам]].
    weight: 100
    target: 100 % плана
tiers:
  - id: tier-low
    from_percent: 0
    to_percent: 100
    bonus_percent: 0
  - id: tier-plan
    from_percent: 100
    bonus_percent: 5
"""

MOTIVATION_V2 = MOTIVATION_V1.replace("bonus_percent: 5", "bonus_percent: 7")

FINAL_V1 = """\
---
id: final
title: Заключительные положения
---

Регламент вступает в силу с даты утверждения.

Изменения согласуются с руководителем отдела продаж.

Споры о премии рассматриваются в течение 5 рабочих дней.
"""

FINAL_V2 = FINAL_V1.replace(
    "Изменения согласуются с руководителем отдела продаж.",
    "Изменения согласуются с руководителем отдела продаж и бухгалтерией.",
)

REGULATION = """\
id: rules
title: Регламент менеджера
owner: head
approver: head
audience: [manager]
parts:
  - general.yml
  - duties.yml
  - motivation.yml
  - final.md
"""


def tree(version: int) -> dict[str, str]:
    files = minimal_files()
    files["content/regulations/rules/regulation.yml"] = REGULATION
    files["content/regulations/rules/general.yml"] = GENERAL_V1 if version == 1 else GENERAL_V2
    files["content/regulations/rules/duties.yml"] = DUTIES_V1 if version == 1 else DUTIES_V2
    files["content/regulations/rules/motivation.yml"] = MOTIVATION_V1 if version == 1 else MOTIVATION_V2
    files["content/regulations/rules/final.md"] = FINAL_V1 if version == 1 else FINAL_V2
    if version == 2:
        files["content/glossary.yml"] = files["content/glossary.yml"].replace(
            "Потенциальный клиент, оставивший контакты.",
            "Потенциальный клиент, оставивший контакты через сайт или по телефону.",
        )
    return files


# --------------------------------------------------------------------------
# A real repository


def sh_git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def commit(repo: Path, files: dict[str, str | None], message: str, *, tag: str | None = None) -> None:
    for rel, text in files.items():
        if text is None:
            (repo / rel).unlink()
    write_tree(repo, {k: v for k, v in files.items() if v is not None})
    sh_git(repo, "add", "-A")
    sh_git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)
    if tag:
        sh_git(repo, "tag", tag)


def make_repo(root: Path) -> Path:
    """A repository with history: a commit before content existed (tag `pre`), editions `v1` and `v2`."""
    root.mkdir()
    sh_git(root, "init", "-q", "-b", "main")
    commit(root, {"README.md": "Регламенты\n"}, "start", tag="pre")
    commit(root, tree(1), "edition 1", tag="v1")
    commit(root, tree(2), "edition 2", tag="v2")
    return root


@pytest.fixture
def repo(tmp_path) -> Path:
    """The history, for a test that changes it (commits, tags, working tree)."""
    return make_repo(tmp_path / "repo")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """The history, shared read-only by the tests of this module."""
    return make_repo(tmp_path_factory.mktemp("history") / "repo")


@pytest.fixture(scope="module")
def v1_v2(history) -> dict:
    """`reglament diff v1 v2 --format json`, run once."""
    return diff_json(history, "v1", "v2")


def diff_json(repo: Path, *args: str) -> dict:
    proc = run_cli("diff", *args, "--root", str(repo), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def items_by_id(data: dict) -> dict[str, dict]:
    out = {}
    for reg in data["regulations"]:
        for part in reg["parts"]:
            for item in part["items"]:
                out[item["id"]] = item
    for group in ("terms", "roles"):
        for item in data[group]:
            out[item["id"]] = item
    return out


# --------------------------------------------------------------------------
# What it reports


def test_json_lists_exactly_the_changed_items(history, v1_v2):
    data = v1_v2
    items = items_by_id(data)
    assert set(items) == {"terms-apply", "purpose", "scope", "crm-only", "obsolete", "call-lead", "tier-plan", "lead"}
    assert {i: items[i]["change"] for i in items} == {
        "terms-apply": "added",
        "obsolete": "removed",
        "crm-only": "changed",
        "call-lead": "changed",
        "tier-plan": "changed",
        "lead": "changed",
        "purpose": "moved",
        "scope": "moved",
    }
    assert data["summary"] == {
        "added": 1,
        "removed": 1,
        "changed": 4,
        "moved": 2,
        "parameters": 3,
        "paragraphs": 1,
        "roles": 1,
        "regulations_added": 0,
        "regulations_removed": 0,
        "parts_added": 0,
        "parts_removed": 0,
        "parts_moved": 0,
        "pages_added": 0,
        "pages_removed": 0,
        "sections_added": 0,
        "sections_removed": 0,
        "sections_moved": 0,
        "paragraphs_moved": 0,
    }
    assert data["old"]["revision"] == git.rev_parse(history, revision="v1")
    assert data["new"]["label"] == "v2"


def test_renumbering_caused_by_an_insertion_is_a_move(v1_v2):
    items = items_by_id(v1_v2)
    purpose, scope = items["purpose"], items["scope"]
    assert (purpose["old_number"], purpose["new_number"], purpose["move"]) == ("1.1", "1.2", "renumbered")
    assert (scope["old_number"], scope["new_number"], scope["move"]) == ("1.2", "1.3", "renumbered")
    assert purpose["fields"] == [] and purpose["parameters"] == []
    # changed and renumbered at once: both numbers, one item (not removed + added)
    crm = items["crm-only"]
    assert (crm["change"], crm["old_number"], crm["new_number"], crm["move"]) == ("changed", "1.3", "1.4", "renumbered")
    # 1.5 stays 1.5 (one inserted, one removed before it): not reported at all
    assert "review" not in items and "review-owner" not in items
    assert items["terms-apply"]["new_number"] == "1.1" and items["terms-apply"]["old_number"] is None
    assert items["obsolete"]["old_number"] == "1.4" and items["obsolete"]["new_number"] is None
    assert items["obsolete"]["text"] == "Отчёт о звонках сдаётся на бумаге."


def test_text_change_is_a_word_redline(v1_v2):
    crm = items_by_id(v1_v2)["crm-only"]
    (field,) = crm["fields"]
    assert field["field"] == "text" and field["kind"] == "text"
    assert field["redline"] == [
        ["=", "Все договорённости с клиентом менеджер "],
        ["+", "в тот же день "],
        ["=", "фиксирует в карточке сделки."],
    ]


def test_changed_bonus_tier_is_a_parameter_change(v1_v2):
    tier = items_by_id(v1_v2)["tier-plan"]
    assert tier["kind"] == "tier" and tier["new_number"] == "3.3"
    assert tier["fields"] == []
    assert tier["parameters"] == [
        {"field": "bonus_percent", "old": 5, "new": 7, "delta": 2, "unit": "%", "source": "field", "context": None}
    ]


def test_deadline_change_is_a_parameter_in_the_field_and_in_the_text(v1_v2):
    duty = items_by_id(v1_v2)["call-lead"]
    params = {(p["field"], p["source"]): p for p in duty["parameters"]}
    assert params[("deadline_minutes", "field")]["old"] == 15
    assert params[("deadline_minutes", "field")]["new"] == 10
    assert params[("deadline_minutes", "field")]["unit"] == "мин"
    text_param = params[("deadline", "text")]
    assert (text_param["old"], text_param["new"], text_param["context"]) == (15, 10, "в течение 10 минут")


def test_changed_term_definition(v1_v2):
    lead = items_by_id(v1_v2)["lead"]
    assert (lead["kind"], lead["change"], lead["label"]) == ("term", "changed", "Лид")
    (field,) = lead["fields"]
    assert field["field"] == "definition"
    assert (
        field["redline"][-1] == ["+", " через сайт или по телефону"]
        or ["+", " через сайт или по телефону"] in field["redline"]
    )
    assert field["old"] == "Потенциальный клиент, оставивший контакты."


def test_prose_part_is_diffed_by_paragraph_with_words_inside(v1_v2):
    data = v1_v2
    (reg,) = data["regulations"]
    final = next(p for p in reg["parts"] if p["id"] == "final")
    assert final["kind"] == "prose" and final["change"] == "changed"
    (para,) = final["paragraphs"]
    assert (para["change"], para["old_index"], para["new_index"]) == ("changed", 2, 2)
    assert para["redline"] == [
        ["=", "Изменения согласуются с руководителем отдела продаж"],
        ["+", " и бухгалтерией"],
        ["=", "."],
    ]


def test_impact_lists_the_roles_whose_duties_or_pay_changed(v1_v2):
    data = v1_v2
    (manager,) = data["impact"]
    assert manager["role"] == "manager" and manager["name"] == "Менеджер"
    kinds = {(r["kind"], r["item"]) for r in manager["reasons"]}
    assert ("duty", "call-lead") in kinds
    assert ("pay", "tier-plan") in kinds
    assert ("other", "crm-only") in kinds
    # a clause that was only renumbered changes nobody's work
    assert not any(r["item"] in ("purpose", "scope") for r in manager["reasons"])


def test_duty_reassigned_affects_both_roles(tmp_path):
    old = load_tree(tmp_path / "a", tree(1))
    files = tree(1)
    files["content/regulations/rules/duties.yml"] = DUTIES_V1.replace("    role: manager\n", "    role: head\n", 1)
    new = load_tree(tmp_path / "b", files)
    changes = compare_editions(old, new)
    assert {r.role for r in changes.impact} == {"manager", "head"}
    (item,) = list(changes.items())
    assert item.fields == (FieldChange("role", "text", "manager", "head", redline("manager", "head")),)


def test_reordered_and_relocated_items(tmp_path):
    old = load_tree(tmp_path / "a", tree(1))
    files = tree(1)
    # swap two clauses, and move `review` (with its sub-clause) into the duties part's … no: into its own part
    files["content/regulations/rules/general.yml"] = GENERAL_V1.replace(
        """  - id: scope
    text: Регламент обязателен для всех менеджеров отдела продаж.
  - id: crm-only
    text: Все договорённости с клиентом менеджер фиксирует в карточке сделки.
""",
        """  - id: crm-only
    text: Все договорённости с клиентом менеджер фиксирует в карточке сделки.
  - id: scope
    text: Регламент обязателен для всех менеджеров отдела продаж.
""",
    )
    files["content/regulations/rules/final.md"] = None
    files["content/regulations/rules/regulation.yml"] = REGULATION.replace("  - final.md\n", "  - closing.yml\n")
    files["content/regulations/rules/closing.yml"] = textwrap.dedent("""\
        id: closing
        title: Заключительные положения
        kind: clauses
        clauses:
          - id: review-owner
            text: Пересмотр готовит руководитель отдела.
        """)
    files["content/regulations/rules/general.yml"] = files["content/regulations/rules/general.yml"].replace(
        """    clauses:
      - id: review-owner
        text: Пересмотр готовит руководитель отдела.
""",
        "",
    )
    new = load_tree(tmp_path / "b", {k: v for k, v in files.items() if v is not None})
    changes = compare_editions(old, new)
    items = {i.id: i for i in changes.items()}
    moved = {i: (items[i].change, items[i].move, items[i].old_number, items[i].new_number) for i in items}
    assert moved["review-owner"] == ("moved", "relocated", "1.5.1", "4.1")
    assert items["review-owner"].old_part == "general" and items["review-owner"].new_part == "closing"
    # one of the swapped pair is outside the longest common order: reordered; the other follows it
    swapped = {moved["scope"][1], moved["crm-only"][1]}
    assert swapped == {"reordered", "renumbered"}
    assert moved["scope"][2:] == ("1.2", "1.3") and moved["crm-only"][2:] == ("1.3", "1.2")
    parts = {p.id: p for p in changes.regulations[0].parts}
    assert parts["final"].change == "removed" and parts["closing"].change == "added"
    assert [p.change for p in parts["final"].paragraphs] == ["removed"] * 3


def test_no_changes(history):
    proc = run_cli("diff", "v2", "--exit-code", "--root", str(history))
    assert proc.returncode == 0, proc.stderr
    assert "изменений нет" in proc.stdout
    data = diff_revisions(history, old="v2", new="v2").to_json()
    assert data["regulations"] == [] and data["impact"] == [] and data["terms"] == []
    assert run_cli("diff", "v1", "v2", "--exit-code", "--root", str(history)).returncode == 1


# --------------------------------------------------------------------------
# Sides: revisions, the working tree, editions


def test_new_defaults_to_the_working_tree_which_stays_untouched(repo):
    path = repo / "content/regulations/rules/motivation.yml"
    path.write_text(MOTIVATION_V2.replace("bonus_percent: 7", "bonus_percent: 9"), encoding="utf-8")
    status_before = sh_git(repo, "status", "--porcelain")
    head_before = sh_git(repo, "rev-parse", "HEAD")
    data = diff_json(repo, "v2")
    assert (data["new"]["label"], data["new"]["revision"], data["new"]["edition"]) == ("working tree", None, None)
    assert not [d for d in data["new"]["diagnostics"] if d["severity"] == "error"]
    (tier,) = [i for i in items_by_id(data).values()]
    assert tier["parameters"][0]["old"] == 7 and tier["parameters"][0]["new"] == 9
    assert sh_git(repo, "status", "--porcelain") == status_before
    assert sh_git(repo, "rev-parse", "HEAD") == head_before
    assert "bonus_percent: 9" in path.read_text(encoding="utf-8")


def test_both_sides_come_from_git_objects_not_the_working_tree(repo):
    (repo / "content/regulations/rules/motivation.yml").write_text("broken: [", encoding="utf-8")
    data = diff_revisions(repo, old="v1", new="v2").to_json()
    assert data["summary"]["changed"] == 4


def test_revision_kinds_commit_branch_and_relative(history):
    sha = sh_git(history, "rev-parse", "v1").strip()
    changes = diff_revisions(history, old=sha[:10], new="main", run_checks=False)
    assert changes.old.revision == sha and changes.new.revision == git.rev_parse(history, revision="v2")
    assert [i.change for i in changes.items() if i.id == "tier-plan"] == ["changed"]
    changes = diff_revisions(history, old="HEAD~1", run_checks=False)
    assert changes.new.label == "working tree" and changes.summary.changed == 4


def test_edition_ids_map_to_their_tags(repo):
    editions = textwrap.dedent("""\
        editions:
          - id: "2025.1"
            title: Первая редакция
            effective: 2025-02-01
            approved_by: Генеральный директор
            approved: 2025-01-20
          - id: "2025.2"
            title: Вторая редакция
            effective: 2025-06-01
            approved_by: Генеральный директор
            approved: 2025-05-20
        """)
    write_tree(repo, {"content/editions.yml": editions})
    sh_git(repo, "tag", "edition/2025.1", "v1")
    sh_git(repo, "tag", "edition/2025.2", "v2")
    data = diff_revisions(repo, old="2025.1", new="2025.2").to_json()
    assert data["old"]["edition"] == "2025.1" and data["new"]["edition"] == "2025.2"
    assert data["old"]["revision"] == git.rev_parse(repo, revision="v1")
    assert items_by_id(data)["tier-plan"]["change"] == "changed"
    proc = run_cli("diff", "2025.1", "2025.2", "--root", str(repo))
    assert "редакция 2025.1 → редакция 2025.2" in proc.stdout
    # an edition listed but never tagged: a clear message naming it
    third = editions.replace('"2025.2"', '"2025.3"').split("editions:\n")[1]
    (repo / "content/editions.yml").write_text(editions + third, encoding="utf-8")
    proc = run_cli("diff", "2025.3", "--root", str(repo))
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "error: edition `2025.3` is listed in content/editions.yml but not tagged: no tag `edition/2025.3`"
    )
    # an edition id that is also a plain tag (the tag `edition/…` missing) still resolves
    sh_git(repo, "tag", "2025.3", "v2")
    assert diff_revisions(repo, old="2025.1", new="2025.3").new.edition == "2025.3"


# --------------------------------------------------------------------------
# Bad input


def test_unknown_revision_exits_2_naming_it(history):
    repo = history
    proc = run_cli("diff", "v9", "--root", str(repo))
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: unknown revision `v9`: no such tag, branch or commit"
    proc = run_cli("diff", "v1", "--no-such-thing", "--root", str(repo))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    # a revision that looks like an option never reaches git as one
    proc = run_cli("diff", "--root", str(repo), "v1", "--", "--output=/tmp/x")
    assert proc.returncode == 2 and "unknown revision `--output=/tmp/x`" in proc.stderr


def test_revision_before_the_content_format_existed(history):
    proc = run_cli("diff", "pre", "v1", "--root", str(history))
    assert proc.returncode == 2
    assert "`pre`" in proc.stderr and "before the content format existed" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_not_a_repository(tmp_path, project):
    root = project()
    proc = run_cli("diff", "v1", "--root", str(root))
    assert proc.returncode == 2
    assert "not a git repository" in proc.stderr and "`v1`" in proc.stderr


def test_revision_whose_content_does_not_load(repo):
    commit(
        repo,
        {
            "content/roles.yml": "roles: [\n",
            "content/glossary.yml": "terms: {\n",
            "content/regulations/rules/regulation.yml": "id: [\n",
        },
        "broken",
        tag="broken",
    )
    proc = run_cli("diff", "v2", "broken", "--root", str(repo))
    assert proc.returncode == 2
    assert "`broken` does not load" in proc.stderr
    assert "content/" in proc.stderr and "Traceback" not in proc.stderr


def test_side_with_check_errors_is_still_diffed_and_errors_listed(repo):
    commit(
        repo,
        {
            "content/regulations/rules/duties.yml": DUTIES_V2.replace("[[deal|сделку]]", "[[dael|сделку]]"),
            "content/regulations/rules/final.md": "no front matter\n",
        },
        "typo",
        tag="typo",
    )
    proc = run_cli("diff", "v2", "typo", "--root", str(repo), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    codes = {d["code"] for d in data["new"]["diagnostics"]}
    assert {"unknown-reference", "front-matter"} <= codes
    assert data["old"]["diagnostics"] == [] or all(d["severity"] != "error" for d in data["old"]["diagnostics"])
    items = items_by_id(data)
    assert items["call-lead"]["change"] == "changed"
    # the part that did not load is reported as removed (its paragraphs with it)
    parts = {p["id"]: p for p in data["regulations"][0]["parts"]}
    assert parts["final"]["change"] == "removed"
    assert "`typo` has" in proc.stderr and "error(s)" in proc.stderr
    text = run_cli("diff", "v2", "typo", "--root", str(repo)).stdout
    assert "Ошибки в typo (new)" in text
    assert "content/regulations/rules/duties.yml:" in text


# --------------------------------------------------------------------------
# Formats


def test_markdown_renders_as_github_flavoured_markdown(history):
    repo = history
    import cmarkgfm
    from cmarkgfm.cmark import Options

    proc = run_cli("diff", "v1", "v2", "--root", str(repo), "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    rendered = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
    # the heading, the impact table, the regulation in an (open: the diff is short) details block
    assert "<h3>Что изменилось: <code>v1</code> → <code>v2</code></h3>" in rendered
    assert re.search(r"<table>\s*<thead>\s*<tr>\s*<th>Роль</th>", rendered)
    assert "<td>Менеджер</td>" in rendered
    assert re.search(r"<details open>\s*<summary><strong>Регламент менеджера</strong>", rendered)
    # Markdown inside <details> is rendered (a blank line after </summary>)
    assert "<h4>Раздел 1. Общие положения</h4>" in rendered
    assert "<li><strong>перенумерованы без изменения текста: 1.1 → 1.2, 1.2 → 1.3</strong></li>" in rendered
    assert re.search(
        r"<li><strong>Изменён и перенумерован</strong> п. 1.3 → п. 1.4 \(пункт <code>crm-only</code>\)", rendered
    )
    assert "менеджер <ins>в тот же день </ins>фиксирует" in rendered
    assert re.search(r"параметр премия: 5\xa0% → <strong>7\xa0%</strong>", rendered)
    assert "</details>" in rendered
    assert "<p>" not in rendered.split("<details open>")[1].split("</summary>")[0]


def test_markdown_collapses_long_diffs_and_escapes_markup(tmp_path):
    many = "\n".join(
        f"  - id: c{i}\n    text: Пункт номер {i} со *звёздочкой* и <b>тегом</b> | чертой." for i in range(40)
    )
    head = "id: general\ntitle: Общие положения\nkind: clauses\nclauses:\n"
    old = load_tree(tmp_path / "a", {**tree(1), "content/regulations/rules/general.yml": head + many})
    new = load_tree(
        tmp_path / "b",
        {**tree(1), "content/regulations/rules/general.yml": head + many.replace("со *звёздочкой*", "со *звездой*")},
    )
    changes = compare_editions(old, new)
    md = format_markdown(changes)
    assert "<details>\n<summary>" in md and "<details open>" not in md
    assert "\\*звёздочкой\\*" not in md  # the unchanged part of a long text is elided…
    assert "&lt;b&gt;тегом&lt;/b&gt; \\| чертой" in md  # …and what is shown is escaped
    assert "<b>" not in md
    short = format_markdown(changes, max_chars=2000)
    assert len(short) <= 2000 and "не поместилось" in short


def test_html_redline_inside_a_russian_sentence(history):
    repo = history
    proc = run_cli("diff", "v1", "v2", "--root", str(repo), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    page = proc.stdout
    assert page.startswith("<!doctype html>") and '<html lang="ru">' in page and '<meta charset="utf-8">' in page
    assert "Все договорённости с клиентом менеджер <ins>в тот же день </ins>фиксирует в карточке сделки." in page
    assert "Изменения согласуются с руководителем отдела продаж<ins> и бухгалтерией</ins>." in page
    assert "<del>Отчёт о звонках сдаётся на бумаге.</del>" in page
    assert "<del>5\xa0%</del> → <ins>7\xa0%</ins>" in page
    # standalone: no scripts, no external assets
    assert "<script" not in page and "src=" not in page and "<link" not in page and "http" not in page


def test_html_escapes_everything_from_the_content(tmp_path):
    evil = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    old = load_tree(tmp_path / "a", tree(1))
    files = tree(1)
    files["content/regulations/rules/general.yml"] = GENERAL_V1.replace(
        "text: Отчёт о звонках сдаётся на бумаге.", f"text: 'Отчёт {evil}'"
    )
    new = load_tree(tmp_path / "b", files)
    page = format_html(compare_editions(old, new))
    assert "<script" not in page and "<img" not in page
    assert html.escape(evil, quote=True) in page


def test_text_format_marks_words_and_colours_only_when_asked(history):
    changes = diff_revisions(history, old="v1", new="v2", run_checks=False)
    plain_text = format_text(changes)
    assert "\033[" not in plain_text
    assert "менеджер {+в тот же день +}фиксирует" in plain_text
    assert "[-Отчёт о звонках сдаётся на бумаге.-]" not in plain_text  # removed items show their text plainly
    assert "- п. 1.4  пункт obsolete — удалён: Отчёт о звонках сдаётся на бумаге." in plain_text
    assert "→ перенумерованы без изменения текста: 1.1 → 1.2, 1.2 → 1.3" in plain_text
    assert "параметр премия: 5\xa0% → 7\xa0%" in plain_text
    coloured = format_text(changes, color=True)
    assert "\033[32;4mв тот же день \033[0m" in coloured


def test_site_page_what_changed(history):
    import markdown

    changes = diff_revisions(history, old="v1", new="v2", run_checks=False)
    page = changes_page(changes, page_path="changes.md", old_title="2025.1", new_title="2025.2")
    assert page.startswith('---\ntitle: "Что изменилось"')
    body = page.split("---\n", 2)[2]
    rendered = markdown.markdown(body, extensions=["tables", "md_in_html", "attr_list"])
    assert "<h1>Что изменилось</h1>" in rendered
    assert "Изменения редакции «2025.2» по сравнению с «2025.1»" in rendered
    assert '<a href="rules/index.md#crm-only">п. 1.3 → п. 1.4</a>' in rendered
    assert '<a href="glossary.md#lead">Термин</a>' in rendered
    assert "менеджер <ins>в тот же день </ins>фиксирует" in rendered
    assert "<del>Отчёт о звонках сдаётся на бумаге.</del>" in rendered
    assert "<table>" in rendered and "<td>Менеджер</td>" in rendered
    # removed items are not linked (their anchor is gone)
    assert "#obsolete" not in rendered
    # links are relative to the page's folder
    nested = changes_page(changes, page_path="changes/2025.2.md")
    assert "(../rules/index.md#crm-only)" in nested


# --------------------------------------------------------------------------
# The value: JSON round trip and a golden structure


def test_json_round_trip_and_equality(history):
    changes = diff_revisions(history, old="v1", new="v2")
    data = json.loads(json.dumps(changes.to_json(), ensure_ascii=False))
    assert Changes.from_json(data) == changes
    assert Changes.from_json(data).to_json() == data
    with pytest.raises(ValueError, match="unsupported diff format"):
        Changes.from_json({**data, "format": 99})


def test_golden_json_structure(tmp_path):
    old = load_tree(tmp_path / "a", tree(1))
    new = load_tree(tmp_path / "b", tree(2))
    changes = compare_editions(old, new, old_side=Side("v1"), new_side=Side("v2"))
    expected = json.loads((GOLDEN / "diff_v1_v2.json").read_text(encoding="utf-8"))
    assert changes.to_json() == expected


# --------------------------------------------------------------------------
# Redline units


def test_tokens_keep_russian_words_numbers_and_references_whole():
    assert tokens("Позвонить [[lead|лиду]] в течение 15 минут, план 3 000 000 ₽; кто-либо") == [
        "Позвонить",
        " ",
        "[[lead|лиду]]",
        " ",
        "в",
        " ",
        "течение",
        " ",
        "15",
        " ",
        "минут",
        ",",
        " ",
        "план",
        " ",
        "3 000 000",
        " ",
        "₽",
        ";",
        " ",
        "кто-либо",
    ]
    assert tokens("ёлка Ёж") == ["ёлка", " ", "Ёж"]


def test_redline_words_and_whitespace_folding():
    segs = redline("Менеджер звонит клиенту сразу.", "Менеджер пишет клиенту письмо сразу.")
    assert segs == (
        Segment("=", "Менеджер "),
        Segment("-", "звонит"),
        Segment("+", "пишет"),
        Segment("=", " клиенту"),
        Segment("+", " письмо"),
        Segment("=", " сразу."),
    )
    # a rewritten phrase reads as one deletion and one insertion
    segs = redline("оформить заказ сегодня же", "подписать договор завтра же")
    assert segs == (
        Segment("-", "оформить заказ сегодня"),
        Segment("+", "подписать договор завтра"),
        Segment("=", " же"),
    )
    assert redline("", "новый текст") == (Segment("+", "новый текст"),)
    assert redline("без изменений", "без изменений") == (Segment("=", "без изменений"),)


def test_number_changes_in_text():
    assert list(number_changes("план 3 000 000 ₽ в месяц", "план 3 500 000 ₽ в месяц")) == [
        (3000000, 3500000, "план 3 500 000 ₽ в месяц")
    ]
    assert list(number_changes("ставка 1,5 %", "ставка 2 %")) == [(1.5, 2, "ставка 2 %")]
    assert list(number_changes("15 минут", "пятнадцать минут")) == []


def test_paragraphs_and_paragraph_pairing():
    text = "Первый абзац\nпродолжение.\n\n- пункт списка\n- второй пункт\n\n```\nкод\n\nкод\n```\n\n## Заголовок"
    assert paragraphs(text) == [
        "Первый абзац\nпродолжение.",
        "- пункт списка",
        "- второй пункт",
        "```\nкод\n\nкод\n```",
        "## Заголовок",
    ]
    old = "Альфа бета гамма.\n\nДельта эпсилон.\n\nЗета эта тета."
    new = "Альфа бета гамма.\n\nСовсем новый абзац про другое.\n\nДельта эпсилон дзета.\n\nЗета эта тета."
    changes = diff_paragraphs(old, new)
    assert [(c.change, c.old_index, c.new_index) for c in changes] == [("added", None, 2), ("changed", 2, 3)]
    assert changes[1].redline == (Segment("=", "Дельта эпсилон"), Segment("+", " дзета"), Segment("=", "."))


def test_display_shows_ids_when_only_a_reference_target_changed():
    segs = redline("по [[claim|рекламации]] клиента", "по [[complaint|рекламации]] клиента")
    assert display_segments(segs) == [
        Segment("=", "по "),
        Segment("-", "рекламации (claim)"),
        Segment("+", "рекламации (complaint)"),
        Segment("=", " клиента"),
    ]


def test_large_documents_are_diffed_by_paragraph_first():
    # 5,000 paragraphs, a few changed: a word-level diff over the whole text would not finish
    base = [f"Абзац номер {i}: менеджер фиксирует звонок {i} в карточке клиента." for i in range(5000)]
    changed = list(base)
    for i in range(0, 5000, 500):
        changed[i] = changed[i].replace("фиксирует", "сразу фиксирует")
    result = diff_paragraphs("\n\n".join(base), "\n\n".join(changed))
    assert len(result) == 10 and all(c.change == "changed" for c in result)
    assert [s.op for s in result[0].redline] == ["=", "+", "="]
    assert new_text(result[0].redline) == changed[0] and old_text(result[0].redline) == base[0]


# --------------------------------------------------------------------------
# helpers


def load_tree(root: Path, files: dict[str, str]):
    write_tree(root, files)
    loaded = load(root)
    assert not [d for d in loaded.diagnostics if d.severity == "error"], loaded.diagnostics
    return loaded.content


def test_placements_number_like_the_content_index(tmp_path):
    content = load_tree(tmp_path / "a", tree(2))
    placed, _ = placements(content)
    for ident, p in placed.items():
        assert content.index[ident].number == p.number


# --------------------------------------------------------------------------
# Company variants


DEFAULTS = """\
name: Компания
short_name: Компания
params:
  plan_amount: 2500000
"""


def acme(plan: int, overrides: str = "") -> str:
    return f"""\
id: acme
name: Общество с ограниченной ответственностью «Акме»
short_name: ООО «Акме»
params:
  plan_amount: {plan}
{overrides}"""


def test_company_parameter_change_shows_as_changed_clause_text(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    sh_git(root, "init", "-q", "-b", "main")
    files = tree(1)
    files["content/regulations/rules/general.yml"] = GENERAL_V1.replace(
        "text: Регламент пересматривается ежегодно.",
        "text: 'План продаж {{ company.short_name }} — {{ params.plan_amount | num }} ₽ в месяц.'",
    )
    files["content/defaults.yml"] = DEFAULTS
    files["content/companies/acme.yml"] = acme(3000000)
    commit(root, files, "acme", tag="c1")
    commit(
        root,
        {"content/companies/acme.yml": acme(3500000, "overrides:\n  call-lead:\n    deadline_minutes: 10\n")},
        "acme: a bigger plan, a shorter deadline",
        tag="c2",
    )

    data = diff_json(root, "c1", "c2", "--company", "acme")
    assert data["company"] == "acme"
    items = items_by_id(data)
    assert set(items) == {"review", "call-lead"}
    review = items["review"]
    (field,) = review["fields"]
    assert [s for s in field["redline"] if s[0] != "="] == [["-", "3\u00a0000\u00a0000"], ["+", "3\u00a0500\u00a0000"]]
    assert field["new"] == "План продаж ООО «Акме» — 3\u00a0500\u00a0000 ₽ в месяц."
    (param,) = review["parameters"]
    assert (param["old"], param["new"], param["delta"], param["source"]) == (3000000, 3500000, 500000, "text")
    duty = items["call-lead"]
    assert duty["parameters"] == [
        {
            "field": "deadline_minutes",
            "old": 15,
            "new": 10,
            "delta": -5,
            "unit": "мин",
            "source": "field",
            "context": None,
        }
    ]
    # the base regulation did not change: its defaults are the same
    assert diff_revisions(root, old="c1", new="c2").regulations == ()
    # an unknown company: a clear message naming it and the revision, exit 2
    proc = run_cli("diff", "c1", "c2", "--company", "acne", "--root", str(root))
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: no company profile `acne`; did you mean `acme`? (at `c1`)"


def test_text_format_keeps_terminal_control_sequences_out(tmp_path):
    old = load_tree(tmp_path / "a", tree(1))
    files = tree(1)
    files["content/regulations/rules/general.yml"] = GENERAL_V1.replace(
        "text: Отчёт о звонках сдаётся на бумаге.", 'text: "Отчёт \\e]0;pwned\\a\\e[2J сдаётся"'
    )
    new = load_tree(tmp_path / "b", files)
    out = format_text(compare_editions(old, new), color=True)
    assert "\x1b]" not in out and "\x1b[2J" not in out and "\x07" not in out
    assert "\ufffd]0;pwned\ufffd\ufffd[2J" in out
    assert "\x1b[1m" in out  # our own colours stay
