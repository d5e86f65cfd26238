"""What a publish branch holds: each prefix's ``versions.json`` (mike's format), read, listed and served.

A prefix is a company id (``""`` for the single default site). reglament's
properties of each version (effective date, content hash, tag, audience…)
tell which edition is *in force* — the one the alias points at.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, cast

from reglament.errors import PublishError
from reglament.model import editions as ed
from reglament.model.profile import PAGES_BRANCH
from reglament.source import git

BRANCH = PAGES_BRANCH
ALIAS = "latest"
VERSIONS_FILE = "versions.json"


class Overwrite(TypedDict):
    """One ``--force`` overwrite of a published version, kept in its properties."""

    at: str
    replaced_hash: str | None
    replaced_published_at: str | None


class VersionProperties(TypedDict, total=False):
    """reglament's properties of a published version (mike's ``properties`` in ``versions.json``)."""

    effective: str
    approved_by: str
    approved: str
    content_hash: str
    tag: str
    commit: str
    published_at: str
    audience: str
    """``public`` or ``internal``: whom the build was for (absent on versions published before it existed)."""
    overwrites: list[Overwrite]


@dataclass(frozen=True)
class PublishedEdition:
    """One entry of a prefix's ``versions.json`` (mike's format), with reglament's properties."""

    version: str
    title: str
    aliases: tuple[str, ...] = ()
    properties: VersionProperties = field(default_factory=VersionProperties, hash=False, compare=True)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PublishedEdition:
        props = data.get("properties")
        aliases = data.get("aliases", [])
        return cls(
            str(data["version"]),
            str(data.get("title", data["version"])),
            tuple(sorted(str(a) for a in aliases)) if isinstance(aliases, list) else (),
            # the branch's JSON, not checked key by key: every reader of a value copes with a wrong type
            # (dates through ed.parse_date, hashes and audiences compared, the rest only shown)
            cast(VersionProperties, props) if isinstance(props, dict) else VersionProperties(),
        )

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"version": self.version, "title": self.title, "aliases": list(self.aliases)}
        if self.properties:
            data["properties"] = self.properties
        return data

    @property
    def effective(self) -> dt.date | None:
        return ed.parse_date(self.properties.get("effective"))

    @property
    def content_hash(self) -> str | None:
        return self.properties.get("content_hash")

    def status(self, today: dt.date, current: str | None) -> str:
        """«действует», «вступает в силу …» or «устарела» for a listing."""
        if self.effective and self.effective > today:
            return f"вступает в силу {ed.format_date_ru(self.effective)}"
        return "действует" if self.version == current else "устарела"


def parse_versions(raw: bytes | None) -> list[PublishedEdition]:
    if not raw:
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PublishError(
            f"{VERSIONS_FILE} on the publish branch is not valid JSON: {exc}",
            hint="it is written by mike; restore it from the branch history",
        ) from exc
    return [PublishedEdition.from_json(item) for item in data if isinstance(item, dict) and "version" in item]


def in_force(published: list[PublishedEdition], today: dt.date) -> str | None:
    """The edition in force on ``today``: the newest one already effective, else the earliest one."""
    if not published:
        return None
    ordered = sorted(published, key=lambda p: ed.edition_key(p.version))
    effective = [p for p in ordered if p.effective is None or p.effective <= today]
    return (effective[-1] if effective else ordered[0]).version


def versions_path(prefix: str) -> str:
    return f"{prefix}/{VERSIONS_FILE}" if prefix else VERSIONS_FILE


def read_published(root: Path, *, revision: str | None, prefix: str) -> list[PublishedEdition]:
    """The editions published under ``prefix`` at ``revision`` of the publish branch."""
    if revision is None:
        return []
    return parse_versions(git.read_blob(root, revision=revision, path=versions_path(prefix)))


def list_prefixes(root: Path, *, revision: str) -> list[str]:
    """Prefixes (company ids) with a versions.json on the branch; ``""`` when the root holds one."""
    found = []
    entries = git.tree_names(root, revision=revision)
    if ("blob", VERSIONS_FILE) in entries:
        found.append("")
    for kind, name in entries:
        if kind == "tree" and git.read_blob(root, revision=revision, path=f"{name}/{VERSIONS_FILE}") is not None:
            found.append(name)
    return found


def check_alias(alias: str, edition: str) -> None:
    if not ed.ID_PATTERN.match(alias) or alias in (VERSIONS_FILE, "index.html") or alias == edition:
        raise PublishError(
            f"`{alias}` cannot be the alias of the edition in force", hint="use a plain name such as `latest`"
        )


def list_published(
    root: Path, *, branch: str = BRANCH, company: str | None = None
) -> dict[str, list[PublishedEdition]]:
    """Published editions by prefix (company id; ``""`` for the default site), newest first.

    Reads the local ``branch``, or ``origin/<branch>`` when there is no local one.
    """
    root = root.resolve()
    if not git.is_repository(root):
        raise PublishError(f"{root} is not inside a git repository", hint="run it in a clone of the project")
    revision = git.ref_value(root, ref=f"refs/heads/{branch}") or git.ref_value(
        root, ref=f"refs/remotes/origin/{branch}"
    )
    if revision is None:
        return {}
    prefixes = list_prefixes(root, revision=revision)
    if company is not None:
        if company not in prefixes:
            known = ", ".join(p for p in prefixes if p) or "none"
            raise PublishError(
                f"no editions of company `{company}` on `{branch}`", hint=f"published companies: {known}"
            )
        prefixes = [company]
    listing = {}
    for prefix in prefixes:
        items = read_published(root, revision=revision, prefix=prefix)
        listing[prefix] = sorted(items, key=lambda p: ed.edition_key(p.version), reverse=True)
    return listing


def serve_editions(root: Path, *, address: str = "localhost:8000", branch: str = BRANCH) -> int:
    """Serve the publish branch as published (mike's server: the version selector and banners work).

    Blocks until interrupted; returns the server's exit code. Serves the local
    ``branch``, or ``origin/<branch>`` when there is no local one.
    """
    root = root.resolve()
    if not git.is_repository(root):
        raise PublishError(f"{root} is not inside a git repository", hint="run it in a clone of the project")
    revision = branch
    if git.ref_value(root, ref=f"refs/heads/{branch}") is None:
        if git.ref_value(root, ref=f"refs/remotes/origin/{branch}") is None:
            raise PublishError(
                f"no `{branch}` branch here: nothing is published yet",
                hint="publish an edition first (`reglament publish EDITION`), or fetch it: "
                f"`git fetch origin {branch}`",
            )
        revision = f"origin/{branch}"
    host, _, port = address.rpartition(":") if ":" in address else (address, "", "8000")
    if not port.isdigit():
        raise PublishError(f"`{address}` is not HOST:PORT", hint="e.g. localhost:8000")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reglament.publish.mike_runner", "serve", f"{host or 'localhost'}:{port}", revision],
        cwd=root,
    )
    try:
        return proc.wait()
    finally:  # interrupted (Ctrl+C, SIGTERM): never leave the server behind
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
