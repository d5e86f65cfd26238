"""The persistent source cache (`.reglament-cache/`): a cached load is indistinguishable from a fresh one.

* the same diagnostics (byte for byte: file, line, column, message, hint) and the
  same resolved model (ids, kinds, numbers, field values) with and without the
  cache, cold and warm, on generated trees (valid and mutated) and on the sample;
* a changed file is re-read (its new diagnostic appears) and only it gets a new entry;
* another version of the tool never reads this version's entries;
* a corrupt, truncated or foreign entry is ignored and rewritten — a foreign
  pickle is never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, check_json, write_tree
from reglament.errors import NoContentError
from reglament.morphology import Morph
from reglament.project import Project, check_variant
from reglament.source import cache as cache_mod
from reglament.source.cache import CACHE_DIR, FORMAT, SourceCache
from reglament.source.loader import load
from reglament.source.profiles import load_profiles
from test_fuzz import FUZZ, content_trees, mutated_trees

MORPH = Morph()


pytestmark = pytest.mark.usefixtures("user_cache_home")


def outcome(root: Path, *, cache: bool):
    """Diagnostics and the resolved model of the base variant, loaded with or without the cache."""
    project = Project(root, load(root, cache=cache), load_profiles(root), morph=MORPH)
    checked = check_variant(project)
    model = [
        (it.id, it.kind, it.number, it.node.model_dump(mode="json"), getattr(it.node, "_body", None))
        for it in checked.content.all_items
    ]
    return checked.diagnostics, model


def entries(root: Path) -> set[str]:
    folders = [p for p in (root / CACHE_DIR).iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return {p.name for p in folders[0].iterdir()}


def assert_same_cold_and_warm(root: Path) -> None:
    try:
        expected = outcome(root, cache=False)
    except NoContentError:
        with pytest.raises(NoContentError):
            load(root, cache=True)
        return
    assert not (root / CACHE_DIR).exists()  # cache=False neither reads nor writes
    cold = outcome(root, cache=True)
    warm = outcome(root, cache=True)
    assert cold == expected
    assert warm == expected


@pytest.mark.slow
@settings(FUZZ, max_examples=15)
@given(st.one_of(content_trees(), mutated_trees()))
def test_generated_trees_load_the_same_with_and_without_the_cache(tmp_path_factory, files):
    root = write_tree(tmp_path_factory.mktemp("tree"), files)
    assert_same_cold_and_warm(root)


def test_the_sample_loads_the_same_with_and_without_the_cache(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    assert_same_cold_and_warm(root)
    # one entry per content file (company profiles and defaults.yml are loaded with the profiles, uncached)
    loaded = [p for p in (root / "content").rglob("*") if p.is_file() and "companies" not in p.parts]
    assert len(entries(root)) == len([p for p in loaded if p.name != "defaults.yml"])


def test_a_changed_file_is_read_again_and_only_it(project):
    root = project()
    diagnostics, _ = outcome(root, cache=True)
    assert not [d for d in diagnostics if d.severity == "error"]
    before = entries(root)
    duties = root / "content/regulations/rules/duties.yml"
    duties.write_text(duties.read_text(encoding="utf-8").replace("role: manager", "role: nobody"), encoding="utf-8")
    changed, _ = outcome(root, cache=True)
    assert any(d.file.endswith("duties.yml") and "nobody" in d.message for d in changed), changed
    assert changed == outcome(root, cache=False)[0]
    after = entries(root)
    assert len(after - before) == 1 and len(before - after) == 1  # one new entry; the stale one is pruned


def test_another_version_of_the_tool_does_not_read_these_entries(project, monkeypatch):
    root = project()
    expected = outcome(root, cache=True)
    old = entries(root)
    (folder,) = [p for p in (root / CACHE_DIR).iterdir() if p.is_dir()]
    monkeypatch.setattr(cache_mod, "_tool_digest", hashlib.sha256(b"another version").hexdigest())
    misses = []
    real_get = SourceCache.get

    def get(self, key):
        hit, value = real_get(self, key)
        misses.append(not hit)
        return hit, value

    monkeypatch.setattr(SourceCache, "get", get)
    assert outcome(root, cache=True) == expected
    assert misses and all(misses)
    assert not folder.exists()  # the other version's folder is removed, not left to grow
    assert entries(root) == old  # same files, same keys, in this version's folder


def test_the_tool_digest_covers_the_package_and_the_versions():
    digest = cache_mod.tool_digest()
    assert len(digest) == 64 and digest == cache_mod.tool_digest()
    h = hashlib.sha256(FORMAT)
    package = Path(cache_mod.__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    assert h.hexdigest() != digest  # the Python/pydantic/PyYAML versions are part of it too


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_corrupt_entry_is_ignored_and_rewritten(project, damage):
    root = project({"content/regulations/rules/duties.yml": "id: duties\nkind: duties\nduties: [oops\n"})
    expected = outcome(root, cache=True)
    assert expected[0]  # the broken file's diagnostics are part of what is cached
    (folder,) = [p for p in (root / CACHE_DIR).iterdir() if p.is_dir()]
    good = {p.name: p.read_bytes() for p in folder.iterdir()}
    for path in folder.iterdir():
        data = path.read_bytes()
        path.write_bytes(
            {
                "garbage": os.urandom(len(data)),
                "truncated": data[: len(data) // 2],
                "flipped": data[:-1] + bytes([data[-1] ^ 1]),
                "empty": b"",
            }[damage]
        )
    assert outcome(root, cache=True) == expected
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == good  # rewritten whole


def test_a_foreign_entry_is_never_unpickled(project, tmp_path):
    root = project()
    expected = outcome(root, cache=True)
    (folder,) = [p for p in (root / CACHE_DIR).iterdir() if p.is_dir()]
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    payload = pickle.dumps(Payload())
    other_key = os.urandom(32)  # e.g. a cache folder committed to the repository by someone else
    for path in folder.iterdir():
        path.write_bytes(hmac.new(other_key, FORMAT + payload, hashlib.sha256).digest() + payload)
    assert outcome(root, cache=True) == expected
    assert not marker.exists()


def test_an_unwritable_cache_folder_is_not_an_error(project):
    root = project()
    (root / CACHE_DIR).write_text("not a folder")
    assert outcome(root, cache=True) == outcome(root, cache=False)


def test_check_cli_uses_the_cache_unless_told_not_to(project):
    root = project({"content/regulations/rules/duties.yml": "id: duties\nkind: duties\nduties: [oops\n"})
    code, uncached = check_json(root, "--no-cache")
    assert code == 1 and uncached
    assert not (root / CACHE_DIR).exists()
    assert check_json(root) == (code, uncached)
    assert (root / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"  # git never sees it
    assert (root / CACHE_DIR / "CACHEDIR.TAG").exists()
    assert check_json(root) == (code, uncached)  # warm
