"""The tooltips of links, out of the Markdown: a link's title in the rendered tree is a marker naming the item
(``rg-tip:<id>``), its text is in :attr:`RenderedTree.tooltips` (filled in after the engine, see
tests/site/test_postbuild_tips.py). So a changed definition changes the Markdown of the pages that show it as
text and of no page that only links the term — what lets the preview's engine rebuild so few pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import REPO
from reglament.htmlsafe import TIP_MARK
from reglament.project import check_project, site_title
from reglament.render.pages import RenderedTree, render

CRM_OLD = "Корпоративная информационная система (Битрикс24)"
CRM_NEW = "Корпоративная информационная система (Битрикс24, облачная версия)"


def sample_tree(root: Path) -> RenderedTree:
    checked = check_project(root)
    assert checked.ok, checked.diagnostics
    return render(checked.content, root / "templates", site_title=site_title(root))


def test_a_definition_edit_changes_only_the_pages_showing_it_as_text(tmp_path):
    root = tmp_path / "project"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    before = sample_tree(root)
    glossary = root / "content/glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(CRM_OLD, CRM_NEW, 1), encoding="utf-8")
    after = sample_tree(root)

    assert before.pages.keys() == after.pages.keys()
    changed = {path for path in after.pages if after.pages[path] != before.pages[path]}
    # the glossary and the two regulations with a terms part (the definition as text), not the role pages,
    # the home page or the regulations' clauses that link the term
    assert changed == {"glossary.md", "sales-manager/index.md", "incoming-requests/index.md"}
    linking = [path for path, md in after.pages.items() if f'"{TIP_MARK}crm"' in md]
    assert "roles/manager.md" in linking and "index.md" in linking
    assert {k for k in after.tooltips if after.tooltips[k] != before.tooltips.get(k)} == {"crm"}
    assert after.tooltips["crm"].startswith(f"CRM-система — {CRM_NEW},")


def test_every_marker_names_an_item_of_the_tooltip_map_and_no_text_is_left_in_titles(tmp_path):
    tree = sample_tree(REPO)
    named = {mt for md in tree.pages.values() for mt in re.findall(r'"' + re.escape(TIP_MARK) + r'([^"]+)"', md)}
    assert named and named <= tree.tooltips.keys()
    # every Markdown link that names an item carries the marker, not the text: e.g. no term definition in a title
    role = tree.pages["roles/manager.md"]
    assert "Корпоративная информационная система" not in role
    assert '"' not in "".join(tree.tooltips.values())  # a quote would end the Markdown title: ″ instead
