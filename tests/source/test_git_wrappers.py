"""The git wrappers on a real repository: what they list and the typed errors they raise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reglament.errors import GitError
from reglament.source import git


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "content" / "sub").mkdir(parents=True)
    (root / "README.md").write_text("top\n", encoding="utf-8")
    (root / "content" / "a.yml").write_text("a: 1\n", encoding="utf-8")
    (root / "content" / "sub" / "b.yml").write_text("b: 2\n", encoding="utf-8")
    env = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), *env, "commit", "-q", "-m", "one"], check=True)
    return root


def test_ls_tree_without_paths_lists_the_whole_tree(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    paths = sorted(e.path for e in git.ls_tree(root, revision="HEAD"))
    assert paths == ["README.md", "content/a.yml", "content/sub/b.yml"]


def test_ls_tree_below_a_path(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    entries = git.ls_tree(root, revision="HEAD", paths=("content/sub",))
    assert [(e.path, e.size) for e in entries] == [("content/sub/b.yml", 5)]


def test_ls_tree_of_an_unknown_revision_is_a_git_error(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    with pytest.raises(GitError):
        git.ls_tree(root, revision="no-such-revision")
