"""The base regulation's check by partition (check.incremental): after any edit, the answer `check --no-cache` gives.

* edits that cross partitions — an id renamed that another regulation names, a
  did-you-mean whose nearest id appears in another regulation, a duplicate id (and
  its position moving), an id shadowed by an earlier regulation, a broken file whose
  ids others reference, a data rule in one regulation covering a category in
  another, the glossary, `defaults.yml`, the editions, regulations added and removed;
* the work follows the edit: a changed text loads and checks only its regulation,
  a changed term definition only the global partition;
* on generated trees (valid and mutated), turned into other trees one file at a
  time, every step gives the uncached answer;
* a corrupt partition state, and one from another root, are recomputed; partitions
  computed while a file changed are not kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from reglament.check import incremental
from reglament.check.checker import GLOBAL_PART
from reglament.cli import main
from reglament.source.cache import CACHE_DIR, SourceCache
from test_fuzz import FUZZ, content_trees, mutated_trees

A = "content/regulations/incoming-requests"
B = "content/regulations/sales-manager"


pytestmark = pytest.mark.usefixtures("user_cache_home")


@pytest.fixture
def work(monkeypatch):
    """The partitions each cached run loads and checks: {"loaded": [...], "checked": [...]} of the last run."""
    seen: dict[str, list[str]] = {"loaded": [], "checked": []}
    real_load = incremental._Run.load
    real_rules = incremental.local_diagnostics

    def load(self, key):
        seen["loaded"].append(key)
        return real_load(self, key)

    def rules(ctx):
        seen["checked"].append(ctx.part)
        return real_rules(ctx)

    monkeypatch.setattr(incremental._Run, "load", load)
    monkeypatch.setattr(incremental, "local_diagnostics", rules)
    return seen


def run(root: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--root", str(root), "--format", "json", "--lang", "en", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def same(root: Path, work: dict[str, list[str]] | None = None) -> str:
    """The cached check's output, asserted equal to the uncached one's."""
    expected = run(root, "--no-cache")
    if work is not None:
        work["loaded"].clear()
        work["checked"].clear()
    got = run(root)
    assert got == expected
    return got[1]


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture
def sample(tmp_path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_a_changed_text_loads_and_checks_its_regulation_alone(sample, work):
    clean = same(sample)
    edit(sample, f"{A}/duties.yml", "text: >-\n", "text: >-\n          Клиент и заявка.\n")
    changed = same(sample, work)
    assert changed != clean and "unlinked-term" in changed
    assert work["loaded"] == [A] and work["checked"] == [A]
    # a term's definition: the global partition alone (no regulation names a definition)
    edit(sample, "content/glossary.yml", "definition: >-\n", "definition: >-\n      Уточнено.\n")
    same(sample, work)
    assert work["loaded"] == [GLOBAL_PART] and work["checked"] == [GLOBAL_PART]
    # nothing changed: the stored result (nothing loaded at all)
    same(sample, work)
    assert work["loaded"] == [] and work["checked"] == []
    # a page template: its syntax checked again, no partition of the model loaded
    page = sorted((sample / "templates/pages").rglob("*.j2"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    assert "template-syntax" in same(sample, work)
    assert work["loaded"] == [] and work["checked"] == []


def test_edits_across_regulations(sample, work):
    same(sample)
    # B names an id of A with a typo: the did-you-mean picks from every id
    edit(sample, f"{B}/confidentiality.yml", "[[client|клиентов]]", "[[rd-integraton|клиентов]]")
    typo = same(sample, work)
    assert "rd-integration" in typo
    # A renames that id: B's reference and hint change although B did not
    edit(sample, f"{A}/duties.yml", "id: rd-integration\n", "id: rd-integration-renamed\n")
    renamed = same(sample, work)
    assert renamed != typo and B in work["checked"]
    # B declares an id A declares: both are reported, each naming the other's position
    edit(sample, f"{B}/confidentiality.yml", "id: data-public", "id: rd-integration-failure")
    duplicated = same(sample, work)
    assert "duplicate-id" in duplicated
    # A's lines move: B's message names the new line
    edit(sample, f"{A}/duties.yml", "kind: duties\n", "kind: duties\n\n\n")
    moved = same(sample, work)
    assert moved != duplicated and work["loaded"] == [A]
    # A breaks (a syntax error): the ids it declared are not reported as unknown where B names them
    edit(sample, f"{B}/confidentiality.yml", "[[lead|лидов]]", "[[rd-assign-priority|лидов]]")
    same(sample)
    edit(sample, f"{A}/duties.yml", "kind: duties\n", "kind: duties\n  broken: [\n")
    broken = same(sample, work)
    assert "yaml" in broken.lower()


def test_shadowing_by_an_earlier_regulation_and_regulations_coming_and_going(sample, work):
    clean = same(sample)
    # a copy of B sorted before it: every id of B is a duplicate, and B's own items are no longer the index's
    shutil.copytree(sample / B, sample / "content/regulations/a-copy")
    copied = same(sample, work)
    assert "duplicate-id" in copied and B in work["checked"]
    # the copy's duty loses its role: reported for the copy only (B's duty with that id is not the index's)
    edit(sample, "content/regulations/a-copy/duties.yml", "    role: manager\n", "    role: nobody\n")
    same(sample, work)
    shutil.rmtree(sample / "content/regulations/a-copy")
    assert same(sample, work) == clean
    # a regulation removed, then back
    shutil.move(sample / B, sample / "gone")
    without = same(sample, work)
    assert without != clean
    shutil.move(sample / "gone", sample / B)
    assert same(sample, work) == clean


def test_global_inputs_reach_every_regulation(sample, work):
    clean = same(sample)
    # a data rule moved to the other regulation still covers its category; removed, it does not
    edit(sample, f"{B}/confidentiality.yml", "applies_to: [", "applies_to: [nothing-here, ", count=-1)
    same(sample)
    # the defaults: a parameter the regulations use disappears
    edit(sample, "content/defaults.yml", "  response_minutes: 15\n", "")
    missing = same(sample, work)
    assert "missing-parameter" in missing and A in work["loaded"]
    edit(sample, "content/defaults.yml", "params:\n", "params:\n  response_minutes: 15\n")
    # a term renamed: every text's mentions are matched again
    edit(sample, "content/glossary.yml", "term: Клиент\n", "term: Покупатель\n")
    same(sample, work)
    assert set(work["checked"]) == {GLOBAL_PART, A, B}
    # the editions' dates (review cycles count from the latest approval), a company profile, a page template
    edit(sample, "content/editions.yml", "approved: 2025-02-20", "approved: 2020-02-20")
    same(sample)
    edit(sample, f"{A}/regulation.yml", "\ntitle:", "\nreview_every: 1y\ntitle:")
    same(sample)
    company = sorted((sample / "content/companies").glob("*.yml"))[0]
    company.write_text(company.read_text(encoding="utf-8") + "\nunknown_field: 1\n", encoding="utf-8")
    same(sample)
    page = sorted((sample / "templates/pages").rglob("*.j2"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    assert "template-syntax" in same(sample)
    assert same(sample) != clean


def test_public_and_options_keep_their_own_state(sample):
    same(sample)
    assert run(sample, "--public", "--no-cache") == run(sample, "--public")
    edit(sample, f"{A}/duties.yml", "text: >-\n", "text: >-\n          Клиент и заявка.\n")
    assert run(sample, "--public", "--no-cache") == run(sample, "--public")
    same(sample)


def test_a_corrupt_or_foreign_state_is_recomputed(sample, work, tmp_path):
    clean = same(sample)
    store = SourceCache(sample)
    (entry,) = store.folder.glob(incremental.SLOT)
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    edit(sample, f"{A}/duties.yml", "kind: duties\n", "kind: duties\n\n")
    same(sample, work)
    assert set(work["loaded"]) == {GLOBAL_PART, A, B}  # the state did not verify: every partition afresh
    # the same tree elsewhere (its cache folder copied along): the state names the other root
    other = tmp_path / "other"
    shutil.copytree(sample, other)
    same(other, work)
    assert set(work["loaded"]) == {GLOBAL_PART, A, B}
    shutil.rmtree(sample / CACHE_DIR)
    assert same(sample) == clean  # (a blank line changes no answer)


def test_partitions_are_not_kept_when_a_file_changed_while_they_were_computed(sample, work, monkeypatch):
    same(sample)
    duties = sample / f"{A}/duties.yml"
    original = duties.read_text(encoding="utf-8")
    edited = original.replace("text: >-\n", "text: >-\n          Клиент и заявка.\n", 1)
    real_load = incremental._Run.load

    def saved_meanwhile(self, key):
        duties.write_text(original, encoding="utf-8")  # the editor undid the edit after the files were hashed
        return real_load(self, key)

    duties.write_text(edited, encoding="utf-8")
    monkeypatch.setattr(incremental._Run, "load", saved_meanwhile)
    run(sample)
    monkeypatch.setattr(incremental._Run, "load", real_load)
    # had A's partition been kept (computed from the original text, under the edited text's digest), the
    # edited text would now be answered with the original's diagnostics
    duties.write_text(edited, encoding="utf-8")
    same(sample)
    duties.write_text(original, encoding="utf-8")
    same(sample)


def _write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=12)
@given(st.one_of(content_trees(), mutated_trees()), st.one_of(content_trees(), mutated_trees()))
def test_generated_trees_changed_one_file_at_a_time(tmp_path_factory, first, second):
    root = tmp_path_factory.mktemp("tree")
    _write(root, first)
    same(root)
    for rel in sorted(set(first) | set(second)):
        if first.get(rel) == second.get(rel):
            continue
        if rel in second:
            _write(root, {rel: second[rel]})
        else:
            (root / rel).unlink()
        same(root)
