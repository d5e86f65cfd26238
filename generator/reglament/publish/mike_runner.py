"""Run mike's own deploy, alias and set-default in a child process.

mike's ``git_utils`` run git in the *current* folder, and the library never
changes its folder (no ``os.chdir``), so :mod:`reglament.publish` starts
``python -m reglament.publish.mike_runner`` with the repository as its working folder
and a JSON request on stdin::

    {"branch": "reglament-publish/…", "operations": [
        {"op": "deploy", "site_dir": "…", "version": "2025.1", "title": "…",
         "aliases": ["latest"], "deploy_prefix": "acme", "properties": {…}, "message": "…"},
        {"op": "alias", "version": "2025.1", "aliases": ["latest"], "deploy_prefix": "acme", "message": "…"},
        {"op": "set_default", "identifier": "latest", "deploy_prefix": "acme", "message": "…"},
        {"op": "files", "files": {"index.html": "…"}, "message": "…"}]}

``python -m reglament.publish.mike_runner serve ADDRESS BRANCH`` runs mike's server
over the branch instead (``reglament serve --editions``).

It answers one JSON line on stdout: ``{"ok": true, "results": ["committed" |
"unchanged", …]}`` or ``{"ok": false, "error": "…"}`` (exit 1). The site is
already built by reglament: mike commits it (versions.json, alias symlinks,
properties, the default redirect) exactly as ``mike deploy`` would.
"""

from __future__ import annotations

import json
import sys

from mike import commands, git_utils


def _deploy(branch: str, op: dict) -> None:
    cfg = {"site_dir": op["site_dir"], "use_directory_urls": True}
    with commands.deploy(
        cfg,
        op["version"],
        op["title"],
        list(op["aliases"]),
        update_aliases=True,
        alias_type=commands.AliasType.symlink,
        branch=branch,
        message=op["message"],
        deploy_prefix=op["deploy_prefix"],
        set_props=[("", op["properties"])],
    ):
        pass  # the site is built already


def _alias(branch: str, op: dict) -> None:
    cfg = {"site_dir": "", "use_directory_urls": True}
    commands.alias(
        cfg,
        op["version"],
        list(op["aliases"]),
        update_aliases=True,
        alias_type=commands.AliasType.symlink,
        branch=branch,
        message=op["message"],
        deploy_prefix=op["deploy_prefix"],
    )


def _set_default(branch: str, op: dict) -> None:
    commands.set_default(op["identifier"], branch=branch, message=op["message"], deploy_prefix=op["deploy_prefix"])


def _files(branch: str, op: dict) -> None:
    with git_utils.Commit(branch, op["message"]) as commit:
        for path, text in sorted(op["files"].items()):
            commit.add_file(git_utils.FileInfo(path, text))


def _delete(branch: str, op: dict) -> None:
    if op.get("all"):  # the whole deploy prefix: its versions, aliases, redirect and versions.json
        commands.delete(all=True, branch=branch, message=op["message"], deploy_prefix=op["deploy_prefix"])
    else:
        commands.delete(list(op["versions"]), branch=branch, message=op["message"], deploy_prefix=op["deploy_prefix"])


OPERATIONS = {"deploy": _deploy, "alias": _alias, "set_default": _set_default, "files": _files, "delete": _delete}


def run(request: dict) -> list[str]:
    results = []
    for op in request["operations"]:
        try:
            OPERATIONS[op["op"]](request["branch"], op)
        except git_utils.GitEmptyCommit:
            results.append("unchanged")  # mike removed its own empty commit
        else:
            results.append("committed")
    return results


def main() -> int:
    if sys.argv[1:2] == [
        "serve"
    ]:  # `python -m reglament.publish.mike_runner serve ADDRESS BRANCH`: mike's git-branch server
        commands.serve(sys.argv[2], branch=sys.argv[3])
        return 0
    try:
        results = run(json.load(sys.stdin))
    except Exception as exc:  # reported to the parent as one message, never a traceback
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False))
        return 1
    print(json.dumps({"ok": True, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
