"""The stored result of `reglament check` (source.cache.ResultCache): an unchanged tree is answered without
loading it, and the answer is always the one a run without the cache gives.

* the same output (byte for byte) as `--no-cache`, cold, warm and after every kind
  of change: a content file, a company profile, a page template, the options;
* a warm run imports none of the model's modules;
* on generated trees (valid and mutated), one tree replaced by another between
  two cached runs still gives the uncached answer;
* the date, a symlink, a corrupt entry and another version of the tool all make
  it compute afresh; a result computed while a file changed is not stored.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pydantic
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, write_tree
from reglament.cli import CHECK_INPUTS, main
from reglament.source import cache as cache_mod
from reglament.source.cache import CACHE_DIR, ResultCache, tree_digest
from test_fuzz import FUZZ, content_trees, mutated_trees

pytestmark = pytest.mark.usefixtures("user_cache_home")


def run(root: Path, *extra: str) -> tuple[int, str]:
    """`reglament check --format json` in this process: (exit code, output)."""
    result = CliRunner().invoke(main, ["check", "--root", str(root), "--format", "json", "--lang", "en", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def same_as_uncached(root: Path, *extra: str) -> tuple[int, str]:
    expected = run(root, "--no-cache", *extra)
    assert run(root, *extra) == expected
    return expected


def test_every_input_change_is_seen(project):
    root = project(with_site_files=True)
    clean = same_as_uncached(root)
    assert same_as_uncached(root) == clean  # warm
    duties = root / "content/regulations/rules/duties.yml"
    original = duties.read_text(encoding="utf-8")
    duties.write_text(original.replace("role: manager", "role: nobody"), encoding="utf-8")
    broken = same_as_uncached(root)
    assert broken != clean and "nobody" in broken[1]
    duties.write_text(original, encoding="utf-8")
    assert same_as_uncached(root) == clean  # back as it was
    page = sorted((root / "templates/pages").rglob("*.j2"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    templated = same_as_uncached(root)
    assert templated != clean and "template-syntax" in templated[1]
    page.unlink()
    (root / "content/companies").mkdir(exist_ok=True)
    (root / "content/companies/acme.yml").write_text("id: acme\nname: ООО «Акме»\nparams: {}\n", encoding="utf-8")
    first = same_as_uncached(root, "--all-companies")
    (root / "content/companies/acme.yml").write_text("id: acme\nname: [oops\n", encoding="utf-8")
    assert same_as_uncached(root, "--all-companies") != first
    assert same_as_uncached(root, "--public")[0] == same_as_uncached(root)[0]


def test_a_warm_check_imports_no_model_module(project):
    root = project()
    script = (
        "import sys\n"
        "from reglament.cli import main\n"
        "try:\n"
        f"    main(['check', '--root', {str(root)!r}, '--format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('reglament.model', 'reglament.project', 'pydantic'))),"
        " file=sys.stderr)\n"
    )

    def loaded() -> str:
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        return proc.stderr.strip().splitlines()[-1]

    assert "reglament.model.nodes" in loaded()  # cold: computed
    assert loaded() == "[]"  # warm: answered from the stored result


def test_the_sample_gives_the_same_answer(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    same_as_uncached(root)
    same_as_uncached(root, "--all-companies")
    assert same_as_uncached(root) == run(root)


@pytest.mark.slow
@settings(FUZZ, max_examples=15)
@given(st.one_of(content_trees(), mutated_trees()), st.one_of(content_trees(), mutated_trees()))
def test_generated_trees_give_the_uncached_answer_across_changes(tmp_path_factory, first, second):
    root = write_tree(tmp_path_factory.mktemp("tree"), first)
    same_as_uncached(root)
    shutil.rmtree(root / "content")
    write_tree(root, second)
    same_as_uncached(root)
    assert run(root) == run(root, "--no-cache")  # warm


def test_a_new_day_a_symlink_and_a_corrupt_entry_compute_afresh(project, monkeypatch, tmp_path):
    root = project()
    stored = ResultCache(root, "check", (), CHECK_INPUTS)
    stored.put(["a result"])
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() == ["a result"]
    assert ResultCache(root, "check", ("--public",), CHECK_INPUTS).get() is None

    class Tomorrow(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2099, 1, 1)

    with monkeypatch.context() as mp:
        mp.setattr(cache_mod.dt, "date", Tomorrow)
        assert ResultCache(root, "check", (), CHECK_INPUTS).get() is None

    (folder,) = [p for p in (root / CACHE_DIR).iterdir() if p.is_dir()]
    (entry,) = folder.glob("result-*")
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() is None
    entry.write_bytes(data)
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() == ["a result"]

    outside = tmp_path / "outside.yml"
    outside.write_text("terms: []\n", encoding="utf-8")
    os.symlink(outside, root / "content/linked.yml")
    assert tree_digest(root, CHECK_INPUTS) is None
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() is None
    same_as_uncached(root)  # the link's own diagnostic, computed every time


def test_a_result_is_not_stored_when_a_file_changed_while_it_was_computed(project):
    root = project()
    stored = ResultCache(root, "check", (), CHECK_INPUTS)
    glossary = root / "content/glossary.yml"
    before = glossary.read_bytes()
    glossary.write_bytes(before + b"\n# saved during the run\n")  # the computation may have read either version
    stored.put(["computed from a tree that no longer is"])
    glossary.write_bytes(before)
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() is None


def test_another_version_of_the_tool_computes_afresh(project, monkeypatch):
    root = project()
    ResultCache(root, "check", (), CHECK_INPUTS).put(["old"])
    monkeypatch.setattr(cache_mod, "_tool_digest", "0" * 64)
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() is None


def test_the_library_versions_are_read_without_importing_them():
    script = (
        "import sys\n"
        "from reglament.source.cache import library_versions\n"
        "text = library_versions()\n"
        "print(all(f'{n}: ' in text for n in ('pydantic', 'yaml', 'jinja2', 'pymorphy3')),"
        " [m for m in ('pydantic', 'yaml', 'jinja2', 'pymorphy3') if m in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.split() == ["True", "[]"]
    assert f"pydantic-{pydantic.VERSION}.dist-info" in cache_mod.library_versions()
    assert f"yaml: pyyaml-{yaml.__version__}.dist-info" in cache_mod.library_versions().lower()


def test_a_file_changed_after_it_was_hashed_is_seen_by_its_stamp_or_its_bytes(project):
    """`unchanged()` compares files' sizes, inodes and times; one changed shortly before it was hashed (its
    clock may not tick again) is hashed again."""
    root = project()
    hour_ago = dt.datetime.now().timestamp() - 3600
    for path in (root / "content").rglob("*"):
        if path.is_file():
            os.utime(path, (hour_ago, hour_ago))
    glossary = root / "content/glossary.yml"
    before = glossary.read_bytes()
    assert ResultCache(root, "check", (), CHECK_INPUTS).unchanged()  # nothing touched: by the stamps alone
    stored = ResultCache(root, "check", (), CHECK_INPUTS)
    glossary.write_bytes(before.replace(b"id:", b"Id:", 1))  # the same size, a new change time
    assert not stored.unchanged()
    fresh = ResultCache(root, "check", (), CHECK_INPUTS)  # the glossary is "racy" now: compared by its bytes
    glossary.write_bytes(before.replace(b"id:", b"iD:", 1))
    assert not fresh.unchanged()
    again = ResultCache(root, "check", (), CHECK_INPUTS)
    (root / "content/new.yml").write_text("a: 1\n", encoding="utf-8")  # a file more
    assert not again.unchanged()


def _age(root: Path, seconds: float = 3600) -> None:
    then = dt.datetime.now().timestamp() - seconds
    for path in (root / "content").rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_a_file_whose_stamp_is_unchanged_is_not_read_again(project):
    """The digests kept by stamp (as git's index): a file with the stamp it had is taken by its digest, any other
    is read again — whatever the kept digest says."""
    root = project()
    _age(root)
    stamps: dict = {}
    files = cache_mod.file_digests(root, CHECK_INPUTS, stamps)
    assert files is not None
    glossary, roles = "content/glossary.yml", "content/roles.yml"
    known = {rel: (stamps[rel], "kept") for rel in (glossary, roles)}
    assert cache_mod.file_digests(root, CHECK_INPUTS, known=known) == {**files, glossary: "kept", roles: "kept"}
    (root / glossary).write_bytes((root / glossary).read_bytes())  # the same bytes, a new stamp
    again = cache_mod.file_digests(root, CHECK_INPUTS, known=known)
    assert again == {**files, roles: "kept"}


def test_only_settled_files_are_kept_by_stamp_and_a_changed_one_is_seen(project, monkeypatch):
    monkeypatch.setattr(cache_mod, "RACY_NS", 300_000_000)  # (a change time cannot be set back: the tree waits)
    root = project()
    time.sleep(0.4)
    glossary = root / "content/glossary.yml"
    before = glossary.read_bytes()
    glossary.write_bytes(before + b"\n# just saved\n")  # changed within RACY_NS of the run: not settled
    stored = ResultCache(root, "check", (), CHECK_INPUTS)
    stored.put(["first"])
    hit, kept = stored.cache.get(stored.stamps_slot)
    assert hit and "content/glossary.yml" not in kept and "content/roles.yml" in kept
    assert {rel: digest for rel, (_, digest) in kept.items()} == {
        rel: d for rel, d in (stored.files or {}).items() if rel in kept
    }
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() == ["first"]
    roles = root / "content/roles.yml"
    text = roles.read_bytes()
    stat = roles.stat()
    roles.write_bytes(text.replace(b"id:", b"Id:", 1))  # the same size and modification time: a new change time
    os.utime(roles, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() is None
    roles.write_bytes(text)
    assert ResultCache(root, "check", (), CHECK_INPUTS).get() == ["first"]
    same_as_uncached(root)
