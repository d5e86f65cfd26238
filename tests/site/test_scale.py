"""What keeps large sites fast: grouped navigation, skipping unchanged builds, one pass per stage."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))

from reglament.render.pages import NAV_GROUP_LIMIT, grouped_nav
from reglament.site import stamp


def test_small_sections_stay_flat():
    entries = [{f"Роль {i}": f"roles/r{i}.md"} for i in range(NAV_GROUP_LIMIT)]
    assert grouped_nav(entries, ["Отдел продаж", "Склад"] * (NAV_GROUP_LIMIT // 2) + ["Склад"]) == entries


def test_large_sections_are_grouped_by_department_in_order():
    entries = [{f"Роль {i}": f"roles/r{i}.md"} for i in range(40)]
    groups = ["Склад" if i % 3 else "Отдел продаж" for i in range(40)]
    nav = grouped_nav(entries, groups)
    assert [next(iter(g)) for g in nav] == ["Отдел продаж", "Склад"]
    assert nav[0]["Отдел продаж"] == entries[0::3]
    assert sum(len(next(iter(g.values()))) for g in nav) == 40


def test_one_department_is_not_grouped():
    entries = [{f"Роль {i}": f"roles/r{i}.md"} for i in range(40)]
    assert grouped_nav(entries, ["Склад"] * 40) == entries


def test_generated_site_navigation_carries_groups_not_every_page():
    from corpus import generate
    from reglament.render.pages import render
    from reglament.source.loader import load

    corpus = generate(clauses=1000, seed=3)
    loaded = load(Path("/nonexistent"), files={k: v.encode() for k, v in corpus.files.items()})
    tree = render(loaded.content, REPO / "templates")
    sections = {next(iter(s)): next(iter(s.values())) for s in tree.nav}
    roles = sections["Роли"]
    assert len(roles) < len(loaded.content.roles)  # 50 roles in their departments
    assert all(len(next(iter(g.values()))) <= NAV_GROUP_LIMIT for g in roles[2:])


# --------------------------------------------------------------------------- no-change rebuilds


def test_digest_follows_every_input(project):
    root = project(with_site_files=True)
    base = stamp.inputs_digest(root)
    assert stamp.inputs_digest(root) == base
    assert stamp.inputs_digest(root, options={"public": True}) != base
    (root / "templates" / "pages" / "index.md.j2").write_text("# x\n", encoding="utf-8")
    changed_template = stamp.inputs_digest(root)
    assert changed_template != base
    (root / "content" / "glossary.yml").write_bytes((root / "content" / "glossary.yml").read_bytes() + b"\n")
    assert stamp.inputs_digest(root) != changed_template


def test_digest_follows_an_engines_version_read_without_importing_it(tmp_path):
    """Another Pagefind installed (a folder ahead on the path, its metadata naming 9.9.9) gives another digest;
    the version comes from the metadata folder's name, the engine itself is not imported."""
    import subprocess

    shadow = tmp_path / "shadow"
    (shadow / "pagefind").mkdir(parents=True)
    (shadow / "pagefind" / "__init__.py").write_text("raise SystemExit('imported')\n", encoding="utf-8")
    (shadow / "pagefind-9.9.9.dist-info").mkdir()
    code = (
        "import sys\nfrom reglament.site import stamp\n"
        "print(stamp._tooling_digest()); print('pagefind-9.9.9.dist-info' in stamp.library_versions(stamp.ENGINE_LIBRARIES))"
        "\nassert 'pagefind' not in sys.modules and 'mkdocs' not in sys.modules"
    )

    def digest(*path: Path) -> list[str]:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(map(str, [*path, REPO / "generator"]))}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        return out.stdout.split()

    plain, shadowed = digest(), digest(shadow)
    assert plain[1] == "False" and shadowed[1] == "True"
    assert plain[0] != shadowed[0]


def test_company_digest_ignores_other_companies(project):
    root = project(
        {
            "content/companies/a.yml": "id: a\nname: А\nshort_name: А\n",
            "content/companies/b.yml": "id: b\nname: Б\nshort_name: Б\n",
        }
    )
    a, b = stamp.inputs_digest(root, company="a"), stamp.inputs_digest(root, company="b")
    (root / "content" / "companies" / "b.yml").write_text("id: b\nname: Бета\nshort_name: Б\n", encoding="utf-8")
    assert stamp.inputs_digest(root, company="a") == a
    assert stamp.inputs_digest(root, company="b") != b


def test_fresh_needs_the_same_digest_and_the_same_site(tmp_path):
    from reglament.diagnostics import Diagnostic

    site, stage = tmp_path / "site", tmp_path / "stage"
    site.mkdir()
    (site / "index.html").write_text("<p>1</p>", encoding="utf-8")
    warning = Diagnostic("content/glossary.yml", 3, 5, "warning", "unused-term", "term `x` is never referenced")
    stamp.record(stage, site, "d1", [warning])
    assert stamp.fresh(stage, site, "d1") == [warning]
    assert stamp.fresh(stage, site, "d2") is None
    moved = tmp_path / "moved"
    site.rename(moved)  # a finished site renamed into place keeps its identity
    assert stamp.fresh(stage, moved, "d1") == [warning]
    (moved / "index.html").write_text("<p>2</p>", encoding="utf-8")  # rebuilt or edited by hand
    assert stamp.fresh(stage, moved, "d1") is None


@pytest.mark.slow
def test_build_twice_skips_the_second_and_rebuilds_after_an_edit(project):
    root = project(with_site_files=True)
    out = root / "site"
    first = run_cli("build", "--root", str(root), "--out", str(out))
    assert first.returncode == 0, first.stderr
    index = (out / "index.html").stat()
    second = run_cli("build", "--root", str(root), "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stderr
    assert (out / "index.html").stat().st_mtime_ns == index.st_mtime_ns
    glossary = root / "content" / "glossary.yml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("Лид", "Лид (потенциальный клиент)", 1), encoding="utf-8"
    )
    third = run_cli("build", "--root", str(root), "--out", str(out))
    assert third.returncode == 0, third.stderr
    assert "up to date" not in third.stderr
    assert "потенциальный клиент" in (out / "glossary" / "index.html").read_text(encoding="utf-8")
    strict = run_cli("build", "--root", str(root), "--out", str(out), "--strict")
    assert strict.returncode == 0 and "up to date" in strict.stderr  # no warnings: strict may skip too


def test_preview_reports_a_broken_page_template_and_keeps_serving(project, tmp_path):
    from reglament.site.preview import Preview

    root = project(with_site_files=True)
    (root / "templates" / "pages" / "glossary.md.j2").write_text("# Глоссарий\n{{ t.term \n", encoding="utf-8")
    said: list[str] = []
    preview = Preview(root, tmp_path / "stage", tmp_path / "site", said.append)
    assert preview.prepare() is None
    assert any("templates/pages/glossary.md.j2:2:1" in line and "template-syntax" in line for line in said), said
    assert (tmp_path / "site" / "index.html").exists()  # the placeholder page, not a crash


def test_benchmark_corpus_is_deterministic_and_clean():
    from corpus import generate
    from reglament.project import check_variant, load_project

    first, second = generate(clauses=300, companies=2, seed=5), generate(clauses=300, companies=2, seed=5)
    assert first.files == second.files
    assert generate(clauses=300, seed=6).files != first.files
    project = load_project(Path("/nonexistent"), files={k: v.encode() for k, v in first.files.items()})
    found = check_variant(project).diagnostics
    assert not [d for d in found if d.severity == "error"], found[:3]
    assert first.summary()["clauses"] >= 300 and first.summary()["companies"] == 2
    for company in project.profiles.ids:
        assert not [d for d in check_variant(project, company=company).diagnostics if d.severity == "error"]
