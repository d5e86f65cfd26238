"""The term mentions kept between runs (check.checker.MentionMemo): a check with them is the check without them.

* the same diagnostics (unlinked-term included) cold, warm and after edits that
  add, move and remove mentions, and after a glossary change;
* a warm run finds mentions only in the texts that changed — with none changed,
  or with changes made of words analysed before, the morphology dictionary is never loaded;
* on generated trees (valid and mutated) the diagnostics are those of a run without the memo.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, write_tree
from reglament.check.checker import MentionMemo
from reglament.errors import NoContentError
from reglament.morphology import Morph
from reglament.project import check_variant, load_project
from reglament.source.cache import SourceCache
from test_fuzz import FUZZ, content_trees, mutated_trees

pytestmark = pytest.mark.usefixtures("user_cache_home")


def diagnostics(root: Path, *, cache: bool, morph: Morph | None = None):
    return check_variant(load_project(root, cache=cache, morph=morph or Morph())).diagnostics


def same(root: Path):
    expected = diagnostics(root, cache=False)
    assert diagnostics(root, cache=True) == expected
    return expected


def test_the_memo_never_changes_the_diagnostics(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    first = same(root)
    assert same(root) == first  # warm
    glossary = root / "content/glossary.yml"
    texts = sorted((root / "content/regulations").rglob("*.yml"))
    edited = texts[0].read_text(encoding="utf-8")
    # a text that mentions a term without linking it, one that loses its mentions, one moved down a line
    texts[0].write_text(edited.replace("text: ", "text: Клиент и заявка. ", 1), encoding="utf-8")
    changed = same(root)
    assert changed != first
    assert any(d.code == "unlinked-term" and d.file == texts[0].relative_to(root).as_posix() for d in changed)
    texts[0].write_text("\n" + edited, encoding="utf-8")
    same(root)
    source = glossary.read_text(encoding="utf-8")
    glossary.write_text(source.replace("synonyms:", "forms: [заявочка]\n    synonyms:", 1), encoding="utf-8")
    same(root)  # another glossary: the kept mentions are not used
    glossary.write_text(source, encoding="utf-8")
    assert same(root) == first


def test_unchanged_texts_need_no_morphology(project):
    root = project()
    expected = diagnostics(root, cache=True)
    morph = Morph()
    assert diagnostics(root, cache=True, morph=morph) == expected
    assert "_analyzer" not in morph.__dict__  # the dictionary was not even loaded
    store = SourceCache(root)
    hit, (_glossary, kept) = store.get(MentionMemo.SLOT)
    assert hit and kept
    hit, (lemmas, _nouns) = store.get(MentionMemo.WORDS)
    assert hit and lemmas
    duties = root / "content/regulations/rules/duties.yml"
    duties.write_text(duties.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    found = []
    real_add = MentionMemo.add

    def add(self, key, mentions):
        found.append(key)
        real_add(self, key, mentions)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(MentionMemo, "add", add)
        assert diagnostics(root, cache=True) == expected
    assert found == []  # the same texts: all kept
    general = root / "content/regulations/rules/general.yml"
    general.write_text(general.read_text(encoding="utf-8").replace("работу с", "работу работу с"), encoding="utf-8")
    morph = Morph()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(MentionMemo, "add", add)
        assert diagnostics(root, cache=True, morph=morph) == diagnostics(root, cache=False)
    assert len(found) == 1  # the edited text only
    assert "_analyzer" not in morph.__dict__  # its words were all analysed before: no dictionary


def test_a_corrupt_memo_is_recomputed(project):
    root = project()
    expected = diagnostics(root, cache=True)
    store = SourceCache(root)
    store.put(MentionMemo.SLOT, ("not this glossary", {b"x" * 16: ((0, 1, "nothing"),)}))
    assert diagnostics(root, cache=True) == expected
    (entry,) = store.folder.glob(MentionMemo.SLOT)
    entry.write_bytes(entry.read_bytes()[:40])
    assert diagnostics(root, cache=True) == expected


@pytest.mark.slow
@settings(FUZZ, max_examples=10)
@given(st.one_of(content_trees(), mutated_trees()), st.one_of(content_trees(), mutated_trees()))
def test_generated_trees_check_the_same_with_the_memo(tmp_path_factory, first, second):
    root = write_tree(tmp_path_factory.mktemp("tree"), first)
    try:
        diagnostics(root, cache=False)
    except NoContentError:  # nothing to check (the source cache tests cover this case)
        return
    same(root)
    write_tree(root, second)  # the second tree's files over the first's: old and new texts side by side
    same(root)


def test_the_words_a_run_learnt_are_kept(tmp_path):
    """The morphology's answers (lemmas, noun paradigms) go to the signed words slot, those of a run that learnt
    words before it read the slot too; an instance that recalls them answers without loading the dictionary."""
    first = Morph()
    first.lemmas("заявки")
    MentionMemo.keep_words(SourceCache(tmp_path), first)
    second = Morph()
    second.noun_forms("звонок")  # learnt before this instance read what is kept
    MentionMemo.keep_words(SourceCache(tmp_path), second)
    third = Morph()
    MentionMemo.recall(SourceCache(tmp_path), third)
    assert third.lemmas("заявки") == first.lemmas("заявки") and "заявка" in third.lemmas("заявки")
    assert third.noun_forms("звонок") == second.noun_forms("звонок")
    assert not third.loaded
