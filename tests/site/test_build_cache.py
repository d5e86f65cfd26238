"""`reglament build` with the project's cache (``.reglament-cache/``), as `check` has it.

* a build with the cache gives the site and the diagnostics of ``build --no-cache``, byte for byte: cold, warm,
  and after an edit;
* a warm build — in a fresh process, after one clause changed with words seen before — never loads the
  morphology dictionary: its check, its term links and its search word forms are all answered by the memo
  (observed through the stage times the command writes for the benchmark, ``perf.lap``);
* an entry of the memo that is tampered with, signed by another key (a cache committed to a pull request) or
  not signed at all is refused — never unpickled — and the build is still right.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import build, edit_clause, same_tree
from reglament.check.checker import MentionMemo
from reglament.morphology import Morph
from reglament.site.search import TitleForms, term_forms
from reglament.source.cache import SourceCache

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("user_cache_home")]


def dictionary_loaded(laps: list[dict]) -> bool:
    (last,) = [lap for lap in laps if lap["stage"] == "keep_words"]
    return bool(last["dictionary"])


@pytest.fixture
def site_project(project):
    return project(with_site_files=True)


def test_the_cached_build_is_the_uncached_build(site_project, tmp_path):
    root = site_project
    code, plain, _ = build(root, tmp_path / "plain", "--no-cache")
    assert code == 0
    assert not (root / ".reglament-cache").exists()  # --no-cache neither reads nor writes it
    code, cold, _ = build(root, tmp_path / "cold")
    assert code == 0 and cold == plain
    same_tree(tmp_path / "plain", tmp_path / "cold")
    assert (root / ".reglament-cache").is_dir()
    # an edit that adds an unlinked mention (a new diagnostic) and words the cache knows
    edit_clause(root, "Оформить сделку.")
    code, plain, _ = build(root, tmp_path / "plain2", "--no-cache")
    code_warm, warm, _ = build(root, tmp_path / "warm")
    assert code_warm == code == 0
    assert warm == plain and "unlinked-term" in warm
    same_tree(tmp_path / "plain2", tmp_path / "warm")


def test_a_warm_build_does_not_load_the_dictionary(site_project, tmp_path):
    root, times = site_project, tmp_path / "laps.jsonl"
    code, _, laps = build(root, tmp_path / "site", times=times)
    assert code == 0 and dictionary_loaded(laps)  # cold: the dictionary answers every word
    assert [lap["stage"] for lap in laps][:4] == ["start", "stamp", "imports", "load"]
    edit_clause(root, "Оформить замечание со звонком.")  # word forms the texts already hold
    code, _, laps = build(root, tmp_path / "site", times=times)
    assert code == 0
    assert not dictionary_loaded(laps)  # the check, the term links and the search's forms: all from the memo
    edit_clause(root, "Виолончелистка.")  # a word never seen: the dictionary is loaded for it, and kept
    code, _, laps = build(root, tmp_path / "site", times=times)
    assert code == 0 and dictionary_loaded(laps)
    edit_clause(root, "Виолончелистка.")  # that word again: known now
    code, _, laps = build(root, tmp_path / "site", times=times)
    hit, (lemmas, _nouns) = SourceCache(root).get(MentionMemo.WORDS)
    assert hit and "виолончелистка" in lemmas
    assert code == 0 and not dictionary_loaded(laps)


def _entry(root: Path) -> Path:
    (path,) = SourceCache(root).folder.glob(MentionMemo.WORDS)
    return path


def test_a_foreign_or_tampered_memo_is_refused(site_project, tmp_path, tmp_path_factory):
    root = site_project
    code, expected, _ = build(root, tmp_path / "plain", "--no-cache")
    assert code == 0
    # the memo as another user (another key) would sign it, holding lies: every word a form of «ложь»
    lies = ({"лид": frozenset({"ложь"})}, {"лид": ("ложь", "лжи"), "сделка": ("ложь",)})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("another-user")))
        SourceCache(root).put(MentionMemo.WORDS, lies)
    signed_elsewhere = _entry(root).read_bytes()
    code, found, _ = build(root, tmp_path / "foreign")
    assert code == 0 and found == expected
    same_tree(tmp_path / "plain", tmp_path / "foreign")
    hit, words = SourceCache(root).get(MentionMemo.WORDS)
    assert hit and words[0]["лид"] != lies[0]["лид"] and words[1]["лид"] != lies[1]["лид"]  # rewritten here

    # this user's own entry with its payload changed after signing
    entry = _entry(root)
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01
    entry.write_bytes(bytes(data))
    shutil.rmtree(tmp_path / "foreign")
    code, found, _ = build(root, tmp_path / "tampered")
    assert code == 0 and found == expected
    same_tree(tmp_path / "plain", tmp_path / "tampered")

    # a pickle that would act when loaded, with a made-up signature: never unpickled
    marker = tmp_path / "unpickled"
    payload = pickle.dumps(_Trap(str(marker)))
    entry.write_bytes(hashlib.sha256(b"not the key").digest() + payload)
    code, found, _ = build(root, tmp_path / "trap")
    assert code == 0 and found == expected
    assert not marker.exists()
    assert signed_elsewhere != _entry(root).read_bytes()


class _Trap:
    """Unpickling this creates a folder (what an attacker's pickle could do instead)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_the_search_forms_are_the_dictionary_s():
    """:meth:`Morph.noun_forms` is the dictionary's paradigm of the word's first noun parse; an instance that
    remembered another's answers gives the search the same word forms without loading the dictionary."""
    words = ["заявка", "звонок", "менеджера", "холодный", "быстро"]
    fresh = Morph()
    for word in words:
        nouns = [p for p in fresh.analyzer.parse(word) if p.tag.POS == "NOUN"]
        assert fresh.noun_forms(word) == (tuple(f.word for f in nouns[0].lexeme) if nouns else ())
    assert fresh.noun_forms("быстро") == ()  # an adverb: no noun paradigm
    assert "звонков" in fresh.noun_forms("звонок")
    terms = [SimpleNamespace(id="cold-call", term="Холодный звонок", synonyms=["заявка"])]
    title = "Холодный звонок менеджера"
    expected = (term_forms(terms, fresh), TitleForms(fresh)(title))  # type: ignore[arg-type]
    other = Morph()
    other.remember(fresh.known, fresh.nouns)
    assert (term_forms(terms, other), TitleForms(other)(title)) == expected  # type: ignore[arg-type]
    assert expected[0]["cold-call"] and expected[1]
    assert not other.loaded and fresh.loaded


def test_an_up_to_date_build_imports_neither_the_model_nor_the_engine(site_project, tmp_path):
    """Nothing changed since the site was built: the command answers from the build stamp before it imports the
    model, the templates or the engine (the no-change rebuild is the interpreter and the stamp)."""
    root, out = site_project, tmp_path / "site"
    assert build(root, out)[0] == 0
    heavy = ("reglament.project", "reglament.site.build", "pydantic", "jinja2", "mkdocs")
    script = (
        "import sys\n"
        "from reglament.cli import main\n"
        f"main(['build', '--root', {str(root)!r}, '--out', {str(out)!r}], standalone_mode=False)\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "is up to date" in proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    edit_clause(root, "Новая фраза.")  # a changed source: the build runs, and imports what it needs
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "is up to date" not in proc.stderr
    assert "reglament.site.build" in proc.stdout.strip().splitlines()[-1]
