"""Small wrappers over the git command line, in the style of mike's ``git_utils``.

One function per git command; arguments go as lists (never through a shell),
revisions are passed after ``--end-of-options`` and paths after ``--``, so a
revision or path that starts with ``-`` is never read as an option. A failing
git command raises :class:`GitError` carrying git's own stderr.

Reading a tree at a revision (:func:`read_tree`) uses ``ls-tree`` plus one
``cat-file --batch`` process: no checkout, the working tree and the index are
never touched.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reglament.errors import GitError, NotARepositoryError, PushRejectedError, UnknownRevisionError

GIT = "git"

_CREDENTIALS_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def redact(text: str) -> str:
    """``text`` with the user and password of every URL in it replaced by ``***`` (git echoes remote URLs)."""
    return _CREDENTIALS_RE.sub(r"\1***@", text)


def git(root: Path, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``git -C root ARGS``; bytes in and out. Raises :class:`GitError` on failure when ``check``."""
    command = [GIT, "-C", str(root), *args]
    try:
        proc = subprocess.run(command, input=input, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (no `git` on PATH)", command=command) from exc
    if check and proc.returncode != 0:
        stderr = redact(proc.stderr.decode("utf-8", "replace"))
        if "not a git repository" in stderr:
            raise NotARepositoryError(
                f"{root} is not inside a git repository", command=command, returncode=proc.returncode, stderr=stderr
            )
        raise GitError(f"`git {args[0]}` failed", command=command, returncode=proc.returncode, stderr=stderr)
    return proc


# --------------------------------------------------------------------------
# Queries


def toplevel(root: Path) -> Path:
    """The top folder of the work tree that holds ``root``."""
    out = git(root, "rev-parse", "--show-toplevel").stdout.decode("utf-8").strip()
    return Path(out)


def is_repository(root: Path) -> bool:
    """True when ``root`` is inside a git work tree."""
    if not root.is_dir():
        return False
    proc = git(root, "rev-parse", "--is-inside-work-tree", check=False)
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def rev_parse(root: Path, *, revision: str, kind: str = "commit") -> str:
    """The full object name of ``revision`` peeled to ``kind`` (``commit``, ``tree``…).

    Raises :class:`UnknownRevisionError` when it names nothing of that kind.
    """
    if not revision or revision.startswith("-"):
        raise UnknownRevisionError(revision)
    proc = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{{kind}}}", check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        if "not a git repository" in stderr:
            raise NotARepositoryError(
                f"{root} is not inside a git repository", returncode=proc.returncode, stderr=stderr
            )
        raise UnknownRevisionError(revision, stderr=stderr)
    return proc.stdout.decode("ascii").strip()


def short_name(root: Path, *, revision: str) -> str:
    """The abbreviated object name of ``revision`` (``git rev-parse --short``)."""
    return git(root, "rev-parse", "--short", "--end-of-options", revision).stdout.decode("ascii").strip()


@dataclass(frozen=True)
class TreeEntry:
    """One line of ``git ls-tree``: mode, object type, object name, size (blobs) and path."""

    mode: str
    type: str
    object: str
    size: int | None
    path: str

    @property
    def is_file(self) -> bool:
        """A regular (or executable) file: not a symlink, not a submodule."""
        return self.type == "blob" and self.mode in ("100644", "100755")


def ls_tree(root: Path, *, revision: str, paths: tuple[str, ...] = (), recursive: bool = True) -> list[TreeEntry]:
    """Entries of ``revision``'s tree below ``paths`` (all when empty); paths relative to ``root``."""
    args = ["ls-tree", "-z", "--long"]
    if recursive:
        args.append("-r")
    # `--` only before paths: with nothing after it, git 2.39 reads `--` itself as a path (and lists nothing)
    proc = git(root, *args, "--end-of-options", revision, *(("--", *paths) if paths else ()))
    entries = []
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, type_, obj, size = meta.decode("ascii").split(None, 3)
        entries.append(
            TreeEntry(
                mode, type_, obj, None if size.strip() == "-" else int(size), path.decode("utf-8", "surrogateescape")
            )
        )
    return entries


def cat_file_batch(root: Path, *, objects: list[str]) -> dict[str, bytes]:
    """The contents of ``objects`` (object names) read through one ``git cat-file --batch``."""
    if not objects:
        return {}
    unique = list(dict.fromkeys(objects))
    proc = git(root, "cat-file", "--batch", input=("\n".join(unique) + "\n").encode("ascii"))
    out = proc.stdout
    result: dict[str, bytes] = {}
    pos = 0
    for name in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii", "replace").split()
        pos = end + 1
        if len(header) == 2 and header[1] == "missing":
            raise GitError(f"object {name} is missing from the repository", stderr="")
        size = int(header[2])
        result[name] = out[pos : pos + size]
        pos += size + 1  # the content is followed by a newline
    return result


def read_tree(
    root: Path, *, revision: str, paths: tuple[str, ...] = (), max_bytes: int | None = None
) -> dict[str, bytes]:
    """Every regular file below ``paths`` at ``revision`` as ``{path: bytes}`` (paths relative to ``root``).

    Symlinks and submodules are left out (a symlink in git is only the text of
    its target). Files larger than ``max_bytes`` raise :class:`GitError`.
    Nothing is checked out.
    """
    entries = [e for e in ls_tree(root, revision=revision, paths=paths) if e.is_file]
    if max_bytes is not None:
        for entry in entries:
            if entry.size is not None and entry.size > max_bytes:
                raise GitError(
                    f"`{entry.path}` at {revision} is {entry.size // 1024} KB; the limit is {max_bytes // 1024} KB"
                )
    blobs = cat_file_batch(root, objects=[e.object for e in entries])
    return {e.path: blobs[e.object] for e in entries}


def show_file(root: Path, *, revision: str, path: str) -> bytes | None:
    """One file's bytes at ``revision`` (``None`` when the path is not a file there)."""
    proc = git(root, "cat-file", "blob", "--end-of-options", f"{revision}:./{path}", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout


# --------------------------------------------------------------------------
# Refs, remotes and pushes (publishing editions to gh-pages)

ZERO_OID = "0" * 40


def ref_value(root: Path, *, ref: str) -> str | None:
    """The commit ``ref`` points at (a full ref name, e.g. ``refs/heads/gh-pages``), or None when absent."""
    try:
        return rev_parse(root, revision=ref)
    except NotARepositoryError:
        raise
    except UnknownRevisionError:
        return None


def update_ref(root: Path, *, ref: str, new: str, expected: str | None, message: str = "reglament") -> None:
    """Point ``ref`` at ``new`` only if it still points at ``expected`` (None: only if it does not exist).

    Atomic compare-and-swap: a concurrent change of the ref makes this raise
    :class:`GitError` instead of silently overwriting it.
    """
    git(root, "update-ref", "-m", message, "--end-of-options", ref, new, expected or ZERO_OID)


def delete_ref(root: Path, *, ref: str, expected: str | None = None) -> None:
    """Delete ``ref`` (only if it points at ``expected``, when given); a missing ref is not an error."""
    if ref_value(root, ref=ref) is None:
        return
    args = ["update-ref", "-d", "--end-of-options", ref]
    if expected:
        args.append(expected)
    git(root, *args)


def is_ancestor(root: Path, *, ancestor: str, descendant: str) -> bool:
    """True when commit ``ancestor`` is reachable from ``descendant`` (a fast-forward is possible)."""
    proc = git(root, "merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant, check=False)
    if proc.returncode in (0, 1):
        return proc.returncode == 0
    raise GitError("`git merge-base` failed", returncode=proc.returncode, stderr=proc.stderr.decode("utf-8", "replace"))


def merge_base(root: Path, *, a: str, b: str) -> str:
    """The best common ancestor of commits ``a`` and ``b`` (where a branch left its base).

    Raises :class:`GitError` when they share no history.
    """
    proc = git(root, "merge-base", "--end-of-options", a, b, check=False)
    if proc.returncode != 0:
        raise GitError(
            f"`{a[:12]}` and `{b[:12]}` have no common ancestor",
            returncode=proc.returncode,
            stderr=proc.stderr.decode("utf-8", "replace"),
        )
    return proc.stdout.decode("ascii").strip()


def has_remote(root: Path, *, remote: str) -> bool:
    """True when ``remote`` is a configured remote of the repository."""
    if not remote or remote.startswith("-"):
        return False
    return git(root, "remote", "get-url", "--", remote, check=False).returncode == 0


def remote_url(root: Path, *, remote: str) -> str | None:
    """The address of the configured remote ``remote`` (``git remote get-url``), or None when there is none."""
    if not remote or remote.startswith("-"):
        return None
    proc = git(root, "remote", "get-url", "--", remote, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").strip() or None


def remote_branch(root: Path, *, remote: str, branch: str) -> str | None:
    """The commit ``branch`` points at on ``remote`` right now (``git ls-remote``), or None when it has none."""
    proc = git(root, "ls-remote", "--heads", "--", remote, f"refs/heads/{branch}")
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        oid, _, name = line.partition("\t")
        if name == f"refs/heads/{branch}":
            return oid
    return None


def fetch_branch(root: Path, *, remote: str, branch: str, tracking: str | None = None) -> str | None:
    """Fetch ``remote``'s ``branch`` into ``tracking`` (default ``refs/remotes/<remote>/<branch>``; a remote given
    as a URL needs its own); its commit, or None when absent.

    Only the remote-tracking ref changes; local branches are never touched.
    """
    if remote_branch(root, remote=remote, branch=branch) is None:
        return None
    tracking = tracking or f"refs/remotes/{remote}/{branch}"
    git(root, "fetch", "--quiet", "--no-tags", "--", remote, f"+refs/heads/{branch}:{tracking}")
    return ref_value(root, ref=tracking)


def push_commit(root: Path, *, remote: str, commit: str, branch: str) -> None:
    """Push ``commit`` to ``remote``'s ``branch`` as a fast-forward (never forced).

    Raises :class:`PushRejectedError` carrying the remote's answer when it is
    refused (the branch moved meanwhile, a hook rejected it, no permission).
    """
    proc = git(root, "push", "--porcelain", "--", remote, f"{commit}:refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        stderr = redact(proc.stderr.decode("utf-8", "replace"))
        stdout = redact(proc.stdout.decode("utf-8", "replace"))
        detail = "\n".join(
            line
            for line in (stdout + "\n" + stderr).splitlines()
            if line.strip() and not line.startswith(("To ", "Done"))
        )
        raise PushRejectedError(f"{remote} refused the push to `{branch}`", returncode=proc.returncode, stderr=detail)


def push_with_lease(root: Path, *, remote: str, branch: str, commit: str | None, expected: str | None) -> None:
    """Set ``remote``'s ``branch`` to ``commit`` (None: delete it) only if it still points at ``expected``
    (None: only if it does not exist) — ``git push --force-with-lease``, a compare-and-swap on the remote.

    Used to rewrite a branch (``--purge-history``) and to undo a push of this run. Raises
    :class:`PushRejectedError` with the remote's answer when it is refused (the branch moved, or it is
    protected against forced pushes).
    """
    lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
    source = commit or ""
    proc = git(root, "push", "--porcelain", lease, "--", remote, f"{source}:refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        detail = redact(proc.stderr.decode("utf-8", "replace") + "\n" + proc.stdout.decode("utf-8", "replace"))
        lines = [line for line in detail.splitlines() if line.strip() and not line.startswith(("To ", "Done"))]
        raise PushRejectedError(
            f"{remote} refused the forced update of `{branch}`", returncode=proc.returncode, stderr="\n".join(lines)
        )


def config_value(root: Path, *, key: str) -> str | None:
    """A git config value as git sees it in ``root`` (repository, then global), or None when unset."""
    proc = git(root, "config", "--get", "--", key, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").strip() or None


def identity(root: Path) -> str:
    """``Name <email>`` of the configured git user (who publishes); raises :class:`GitError` when unset."""
    name = config_value(root, key="user.name")
    email = config_value(root, key="user.email")
    if not name or not email:
        raise GitError("git does not know who you are: set `git config user.name` and `git config user.email`")
    return f"{name} <{email}>"


def read_blob(root: Path, *, revision: str, path: str) -> bytes | None:
    """A file's bytes at ``revision``, ``path`` from the top of the tree (not the current folder); None when absent."""
    proc = git(root, "cat-file", "blob", "--end-of-options", f"{revision}:{path}", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout


def tree_names(root: Path, *, revision: str, folder: str = "") -> list[tuple[str, str]]:
    """``(type, name)`` of the entries directly inside ``folder`` of ``revision``'s tree (from the top of the tree)."""
    spec = f"{revision}:{folder.strip('/')}" if folder.strip("/") else f"{revision}^{{tree}}"
    proc = git(root, "ls-tree", "-z", "--end-of-options", spec, check=False)
    if proc.returncode != 0:
        return []
    entries = []
    for record in proc.stdout.split(b"\0"):
        if record:
            meta, _, name = record.partition(b"\t")
            entries.append((meta.decode("ascii").split()[1], name.decode("utf-8", "surrogateescape")))
    return entries
