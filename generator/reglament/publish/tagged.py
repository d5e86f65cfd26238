"""An edition's tagged project: the tag resolved, its tree exported (nothing checked out) and loaded.

What is published is what was approved: the site is built from the tag
``edition/<id>``, never from the working tree, and the edition's metadata
comes from the tag's ``content/editions.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reglament.check.checker import Context
from reglament.check.rules import edition_date, edition_id, edition_order
from reglament.diagnostics import has_errors
from reglament.errors import NoContentError, PublishError, UnknownRevisionError
from reglament.model import editions as ed
from reglament.project import Project, load_project
from reglament.source import git

#: what a site build reads from the project (exported from the edition's tag)
PROJECT_PATHS = ("content", "templates", "mkdocs.yml")


@dataclass
class Source:
    """An edition's tagged project, exported into a work folder, with its metadata and companies."""

    edition: ed.Edition
    previous: ed.Edition | None
    tag: str
    commit: str
    project: Path
    loaded: Project
    notes: list[str] = field(default_factory=list)


def resolve_edition(root: Path, edition_id: str) -> tuple[str, str]:
    """(tag, commit) of an edition; raises :class:`PublishError` when the tag is missing."""
    problem = ed.id_problem(edition_id)
    if problem:
        raise PublishError(problem, hint="edition ids look like `2025.1`")
    tag = ed.tag_name(edition_id)
    try:
        commit = git.rev_parse(root, revision=f"refs/tags/{tag}")
    except UnknownRevisionError:
        raise PublishError(
            f"edition {edition_id} has no git tag `{tag}`",
            hint=f"list it in content/editions.yml, commit, then tag the approved commit: "
            f'`git tag -a {tag} -m "Редакция {edition_id}"`',
        ) from None
    return tag, commit


def export_tree(root: Path, *, commit: str, dest: Path) -> Path:
    """Write the project files of ``commit`` (relative to ``root``) into ``dest``; nothing is checked out."""
    for rel, data in git.read_tree(root, revision=commit, paths=PROJECT_PATHS).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest


def load_source(root: Path, *, edition: str, work: Path) -> Source:
    """Export the edition's tag into ``work`` and load it; raises :class:`PublishError` on bad metadata."""

    tag, commit = resolve_edition(root, edition)
    project = export_tree(root, commit=commit, dest=work)
    try:
        loaded = load_project(project)
    except NoContentError as exc:
        raise PublishError(f"tag `{tag}` holds no content: {exc}") from None
    editions = loaded.loaded.content.editions
    found = ed.find(editions, edition)
    if found is None:
        raise PublishError(
            f"edition {edition} is not listed in content/editions.yml at tag `{tag}`",
            hint="an edition's metadata (effective date, approval) is part of the tagged commit",
        )
    ctx = Context(loaded.loaded.content, loaded.morph)
    problems = [d for rule in (edition_id, edition_date, edition_order) for d in rule.check(ctx)]
    problems += [d for d in loaded.loaded.diagnostics if d.file == ed.EDITIONS_FILE]
    if has_errors(problems):
        raise PublishError(
            f"content/editions.yml at tag `{tag}` has errors; nothing was published",
            diagnostics=sorted(set(problems)),
            root=project,
        )
    source = Source(found, ed.previous(editions, edition), tag, commit, project, loaded)
    if source.previous is not None and git.ref_value(root, ref=f"refs/tags/{source.previous.tag}") is None:
        source.notes.append(
            f"no «Что изменилось» page: the previous edition {source.previous.key} has no tag `{source.previous.tag}`"
        )
        source.previous = None
    return source
