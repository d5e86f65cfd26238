"""`reglament build --company ID` / `--all-companies` with the project's cache (``.reglament-cache/``), as the
base regulation's build has it (tests/site/test_build_cache.py).

* cached company builds give the sites and the diagnostics of ``--no-cache``, byte for byte: cold, after a duty's
  text changed and after a company's profile changed — in worker processes (``--jobs 2``) and in one process;
  ``--no-cache`` neither reads nor writes the cache, in the workers too;
* a warm company build — after a clause changed with words seen before — never loads the morphology dictionary,
  in either worker: the words each worker learnt are kept, none lost to the other's write (observed through
  the ``company`` laps the builds write, ``perf.lap``);
* a build refused its ``--out`` writes nothing, not even the cache;
* ``--all-companies`` with nothing changed answers from the build stamps without importing the model or the
  engine — and not when the root page or the profiles changed since;
* two processes keeping their words in the same slot at once: every read sees a whole, signed entry; processes
  making the signing key at once all sign with the same one.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build, edit_clause, same_tree
from reglament.check.checker import MentionMemo
from reglament.morphology import Morph
from reglament.source.cache import SourceCache

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("user_cache_home")]

GENERAL = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]] в {{ company.short_name }}.
  - id: response
    text: "Ответ на заявку — не позднее {{ params.response_minutes }} минут."
"""

DEFAULTS = """\
name: Компания
short_name: Компания
params:
  response_minutes: 15
"""

ALPHA = """\
id: alpha
name: Общество с ограниченной ответственностью «Альфа»
short_name: ООО «Альфа»
city: Москва
visibility: internal
params:
  response_minutes: 10
"""

BETA = """\
id: beta
name: Общество с ограниченной ответственностью «Бета»
short_name: ООО «Бета»
city: Казань
params:
  response_minutes: 20
"""


@pytest.fixture
def two_companies(project):
    return project(
        {
            "content/regulations/rules/general.yml": GENERAL,
            "content/defaults.yml": DEFAULTS,
            "content/companies/alpha.yml": ALPHA,
            "content/companies/beta.yml": BETA,
        },
        with_site_files=True,
    )


def company_dictionaries(laps: list[dict]) -> dict[str, bool]:
    """Company id → whether the process that built it had loaded the morphology dictionary by its end."""
    return {lap["company"]: bool(lap["dictionary"]) for lap in laps if lap["stage"] == "company"}


def cache_entries(root: Path) -> set[str]:
    folder = SourceCache(root).folder
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_cached_company_builds_are_the_uncached_builds(two_companies, tmp_path):
    root = two_companies
    runs = {  # every company in two worker processes; one company in this process
        "all": ("--all-companies", "--jobs", "2"),
        "one": ("--company", "beta", "--jobs", "1"),
    }

    def compare(step: str, *, expect: str | None = None) -> None:
        for name, options in runs.items():
            code, plain, _ = build(root, tmp_path / f"{step}-{name}-plain", *options, "--no-cache")
            cached_code, cached, _ = build(root, tmp_path / f"{step}-{name}-cached", *options)
            assert cached_code == code == 0
            assert cached == plain
            assert expect is None or expect in cached
            same_tree(tmp_path / f"{step}-{name}-plain", tmp_path / f"{step}-{name}-cached")

    code, _, _ = build(root, tmp_path / "no-cache", "--all-companies", "--jobs", "2", "--no-cache")
    assert code == 0
    assert not (root / ".reglament-cache").exists()  # --no-cache neither reads nor writes it, in the workers too
    compare("cold")
    entries = cache_entries(root)
    assert MentionMemo.WORDS in entries and MentionMemo.SLOT in entries
    assert len(entries) > 5  # the loaded files' entries beside the memo's slots
    # a duty's text edited: a new unlinked mention (a diagnostic) in words the cache knows
    edit_clause(root, "Оформить сделку.")
    compare("duty", expect="unlinked-term")
    # a company's profile edited: its name and a parameter its texts show
    profile = root / "content/companies/beta.yml"
    profile.write_text(BETA.replace("«Бета»", "«Бета-Плюс»").replace("20", "25"), encoding="utf-8")
    compare("profile")
    page = (tmp_path / "profile-all-cached/beta/rules/index.html").read_text(encoding="utf-8")
    assert "ООО «Бета-Плюс»" in page and "не позднее 25 минут" in page


def test_a_warm_company_build_does_not_load_the_dictionary(two_companies, tmp_path):
    root, times, out = two_companies, tmp_path / "laps.jsonl", tmp_path / "sites"
    code, _, laps = build(root, out, "--all-companies", "--jobs", "2", times=times)
    assert code == 0
    assert company_dictionaries(laps) == {"alpha": True, "beta": True}  # cold: the dictionary answers every word
    # each worker learnt its own company's words («Альфа», «Бета», ...): the slot keeps both
    hit, (lemmas, _nouns) = SourceCache(root).get(MentionMemo.WORDS)
    assert hit and {"альфа", "бета"} <= set(lemmas)

    edit_clause(root, "Оформить замечание со звонком.")  # word forms the texts already hold
    code, _, laps = build(root, out, "--all-companies", "--jobs", "2", times=times)
    assert code == 0
    assert company_dictionaries(laps) == {"alpha": False, "beta": False}  # the check, links, search: the memo

    edit_clause(root, "Виолончелистка.")  # a word never seen: loaded for it in this one process, and kept
    code, _, laps = build(root, out, "--company", "alpha", "--jobs", "1", times=times)
    assert code == 0 and company_dictionaries(laps) == {"alpha": True}
    code, _, laps = build(root, out, "--all-companies", "--jobs", "2", times=times)
    assert code == 0 and company_dictionaries(laps) == {"beta": False}  # alpha's site is up to date
    hit, (lemmas, _nouns) = SourceCache(root).get(MentionMemo.WORDS)
    assert hit and "виолончелистка" in lemmas

    # nothing changed: every company is answered by its build stamp, the project is not even loaded
    code, _, laps = build(root, out, "--all-companies", "--jobs", "2", times=times)
    assert code == 0 and company_dictionaries(laps) == {}


def test_a_refused_out_writes_nothing_not_even_the_cache(two_companies, tmp_path):
    root, out = two_companies, tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("не сайт", encoding="utf-8")
    for options in (("--all-companies", "--jobs", "2"), ("--company", "alpha")):
        code, _, _ = build(root, out, *options)
        assert code == 2
        assert not (root / ".reglament-cache").exists()
        assert not (root / "build").exists()
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".precious")]  # no temp folder left


#: a process that keeps its answers in the project's slot again and again, as a worker's checks do: 500 words
#: more each round (a slot is written only when its writer knows words it does not hold)
WRITER = """\
import sys
from pathlib import Path
from reglament.check.checker import MentionMemo
from reglament.morphology import Morph
from reglament.source.cache import SourceCache

root, tag, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()  # start together
for n in range(rounds):
    morph = Morph()
    morph.remember({f"{tag}{n}-{i}": frozenset({tag}) for i in range(500)}, {f"{tag}{n}": (tag,)})
    MentionMemo.keep_words(SourceCache(root), morph)
"""


def started_together(scripts: list[list[str]]) -> list[subprocess.Popen]:
    """Python processes (``[code, *argv]`` each) that print ``ready`` once set up, released at once by a line on
    their stdin: the closest the tests can bring their next steps to the same moment."""
    procs = [
        subprocess.Popen([sys.executable, "-c", *script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for script in scripts
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return procs


def test_two_processes_keeping_words_at_once_leave_a_whole_slot(tmp_path, monkeypatch):
    """Each write is a whole, signed entry renamed into place: a reader never sees a torn one, and the slot
    left at the end is one writer's whole last write (its words of its last round, and what it read there).

    No signing key exists yet (a first build): the writers and the reader make one at once, and all sign and
    verify with the same one (else a reader would refuse a writer's entries)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh-user-cache"))
    root = tmp_path / "proj"
    root.mkdir()
    rounds = 25
    writers = started_together([[WRITER, str(root), tag, str(rounds)] for tag in ("a", "b")])
    reads = torn = 0
    path = SourceCache(root).folder / MentionMemo.WORDS
    while any(proc.poll() is None for proc in writers):
        if path.exists():
            hit, _ = SourceCache(root).get(MentionMemo.WORDS)
            reads += 1
            torn += not hit
    assert [proc.wait(timeout=60) for proc in writers] == [0, 0]
    assert reads > 0 and torn == 0
    hit, (known, nouns) = SourceCache(root).get(MentionMemo.WORDS)
    assert hit
    # the last write is whole: its writer's last round is there, every word of it (beside what it read there)
    last = [tag for tag in ("a", "b") if all(f"{tag}{rounds - 1}-{i}" in known for i in range(500))]
    assert last and all(f"{tag}{rounds - 1}" in nouns for tag in last)
    assert all(lemmas == {word[0]} for word, lemmas in known.items())
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
    morph = Morph()
    MentionMemo.recall(SourceCache(root), morph)  # what a later run reads: every word, without the dictionary
    assert morph.size == len(known) + len(nouns) and not morph.loaded


KEY_READER = """\
import sys
from reglament.source.cache import SourceCache
print("ready", flush=True)
sys.stdin.readline()
print(SourceCache(__import__("pathlib").Path(sys.argv[1]))._key.hex())
"""


def test_processes_making_the_signing_key_at_once_all_use_the_same_one(tmp_path, monkeypatch):
    """The first build's worker processes find no signing key and make one each at the same moment: the first
    one in place wins and every process signs with it (else one's entries fail the other's verification)."""
    for trial in range(6):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"user-cache-{trial}"))
        procs = started_together([[KEY_READER, str(tmp_path)] for _ in range(4)])
        keys = {proc.communicate(timeout=60)[0].strip() for proc in procs}
        assert len(keys) == 1 and len(next(iter(keys))) == 64
        assert (tmp_path / f"user-cache-{trial}/reglament/cache-key").read_bytes().hex() in keys


def _build_in_process(root: Path, out: Path, *extra: str) -> tuple[list[dict], list[str], str]:
    """`reglament build` in a fresh interpreter: its JSON diagnostics, which heavy modules it imported, its stderr."""
    heavy = ("reglament.project", "reglament.site.build", "reglament.site.all_companies", "pydantic", "mkdocs")
    args = ["build", "--root", str(root), "--out", str(out), "--format", "json", *extra]
    script = (
        "import sys\n"
        "from reglament.cli import main\n"
        f"main({args!r}, standalone_mode=False)\n"
        f"print('\\n' + repr([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    diagnostics, _, modules = proc.stdout.rstrip("\n").rpartition("\n")
    return json.loads(diagnostics or "[]"), ast.literal_eval(modules), proc.stderr


def test_an_unchanged_all_companies_build_imports_neither_the_model_nor_the_engine(two_companies, tmp_path):
    """Nothing changed since `--all-companies` built OUT: the command answers from the build stamps (every company
    unchanged, the same diagnostics) before it imports the model or the engine; whatever the stamps cannot vouch
    for — the root page rewritten by a one-company build, a profile gone — goes through the build."""
    root, out = two_companies, tmp_path / "sites"
    edit_clause(root, "Оформить сделку.")  # a diagnostic to answer with
    code, built, _ = build(root, out, "--all-companies", "--jobs", "2")
    assert code == 0 and "unlinked-term" in built
    diagnostics, modules, stderr = _build_in_process(root, out, "--all-companies")
    assert modules == []
    assert diagnostics == json.loads(built)
    assert "[1/2] alpha: unchanged" in stderr and "[2/2] beta: unchanged" in stderr
    assert f"built 2 companies into {out.resolve()}" in stderr

    # one company built on its own rewrites the root page: the next --all-companies writes it again
    assert build(root, out, "--company", "alpha")[0] == 0
    diagnostics, modules, stderr = _build_in_process(root, out, "--all-companies")
    assert "reglament.site.all_companies" in modules and diagnostics == json.loads(built)
    assert "[2/2] beta: unchanged" in stderr
    assert _build_in_process(root, out, "--all-companies")[1] == []  # and then it is up to date again

    # a profile removed: its site goes, and the root page no longer lists it
    (root / "content/companies/beta.yml").unlink()
    diagnostics, modules, stderr = _build_in_process(root, out, "--all-companies")
    assert "reglament.site.all_companies" in modules and "[1/1] alpha: unchanged" in stderr
    assert sorted(p.name for p in out.iterdir()) == [".reglament-site", "alpha", "index.html"]
    assert 'href="beta/"' not in (out / "index.html").read_text(encoding="utf-8")
    assert _build_in_process(root, out, "--all-companies")[1] == []
