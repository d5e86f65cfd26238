"""Both sides of a diff, loaded from git objects (never a checkout) or the working tree.

A side is named by a git revision (tag, branch, commit) or by an edition id
(:func:`edition_revision`); ``None`` is the working tree. Each side is loaded
with :func:`reglament.loader.load` over the files of its ``content/`` tree and
checked; a side with errors is still compared where it loads, and its
diagnostics travel with it (:attr:`Side.diagnostics`). With a company, both
sides are that company's resolved variant, each with the profiles of its own
revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reglament.diagnostics import Diagnostic
from reglament.diff.compare import compare_editions
from reglament.diff.model import Changes, Side
from reglament.diff.order import draft_order, order_html, order_markdown
from reglament.errors import (
    DiffError,
    GitError,
    NoContentError,
    NotARepositoryError,
    UnknownCompanyError,
    UnknownRevisionError,
)
from reglament.model.content import Content
from reglament.model.editions import TAG_PREFIX, Editions, tag_name
from reglament.morphology import Morph
from reglament.project import Project, check_variant
from reglament.source import git
from reglament.source.loader import CONTENT_DIR, MAX_FILE_BYTES, Loaded, Loader, SourceReader, load
from reglament.source.profiles import load_profiles
from reglament.variant.resolve import Variant, compare_sides, resolve

WORKING_TREE = "working tree"


@dataclass
class LoadedSide:
    side: Side
    content: Content
    variant: Variant | None = None  # what the content was resolved from: a comparison re-resolves it for its audience


def edition_revision(root: Path, name: str) -> tuple[str, str | None]:
    """The git revision an edition id stands for, and the edition id (``None`` when ``name`` is not one).

    Editions are listed in ``content/editions.yml`` of the working tree and
    tagged ``edition/<id>`` (see :mod:`reglament.editions`); a name that is no
    edition is returned unchanged, to be read as a revision.
    """

    if name.startswith(TAG_PREFIX):
        return name, name[len(TAG_PREFIX) :]
    rel = f"{CONTENT_DIR}/editions.yml"
    reader = SourceReader(root)
    if not reader.exists(rel):
        return name, None
    editions = Loader(reader).model(Editions, rel)  # a broken file is the checker's to report
    if editions is not None and name in {e.key for e in editions.editions}:
        return tag_name(name), name
    return name, None


def _resolve(root: Path, name: str) -> tuple[str, str | None]:
    """(full commit name, edition id or None) of a side named ``name``."""
    target, edition = edition_revision(root, name)
    candidates = [target, name] if edition and target != name else [target]
    for candidate in candidates:
        try:
            return git.rev_parse(root, revision=candidate), edition
        except NotARepositoryError as exc:
            raise DiffError(f"{root} is not a git repository: cannot read revision `{name}`") from exc
        except UnknownRevisionError:
            continue
    if edition:
        raise DiffError(
            f"edition `{name}` is listed in {CONTENT_DIR}/editions.yml but not tagged: "
            f"no tag `{target}` (tag the approved commit: `git tag {target} <commit>`)"
        )
    raise DiffError(f"unknown revision `{name}`: no such tag, branch or commit")


def revision_files(root: Path, *, revision: str, label: str) -> dict[str, bytes]:
    """The files of ``content/`` at ``revision``, read from git objects."""
    files = git.read_tree(root, revision=revision, paths=(CONTENT_DIR,), max_bytes=MAX_FILE_BYTES)
    if not files:
        raise DiffError(
            f"`{label}` ({revision[:12]}) has no `{CONTENT_DIR}/` folder: it is from before the content format existed"
        )
    return files


def load_side(
    root: Path,
    *,
    name: str | None,
    company: str | None = None,
    public: bool = False,
    run_checks: bool = True,
    morph: Morph | None = None,
) -> LoadedSide:
    """Load one side: ``name`` is a revision or an edition id, ``None`` the working tree.

    The side is the variant ``reglament build`` builds from it: the base
    regulation (texts rendered with ``content/defaults.yml``) or ``company``'s;
    ``public`` leaves internal items out, as a public site does. ``morph``
    shares one lemmatiser (and its cache) between the sides of a diff.
    """
    edition = None
    if name is None:
        label, revision, files = WORKING_TREE, None, None
        try:
            loaded = load(root)
        except NoContentError as exc:
            raise DiffError(f"the working tree has no content to compare: {exc}") from exc
    else:
        label = name
        revision, edition = _resolve(root, name)
        try:
            files = revision_files(root, revision=revision, label=name)
        except GitError as exc:
            raise DiffError(f"cannot read `{name}`: {exc}") from exc
        try:
            loaded = load(root, files=files)
        except NoContentError as exc:
            raise DiffError(f"`{name}` has no content to compare: {exc}") from exc
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors and not loaded.content.regulations:
        first = errors[0]
        raise DiffError(
            f"the content at `{label}` does not load ({len(errors)} error(s); first: "
            f"{first.file}:{first.line}:{first.column}: {first.message})"
        )
    content, diagnostics, variant = _variant(
        root, loaded, files=files, label=label, company=company, public=public, run_checks=run_checks, morph=morph
    )
    return LoadedSide(Side(label, revision, edition, tuple(diagnostics)), content, variant)


def _variant(
    root: Path,
    loaded: Loaded,
    *,
    files: dict[str, bytes] | None,
    label: str,
    company: str | None,
    public: bool,
    run_checks: bool,
    morph: Morph | None,
) -> tuple[Content, list[Diagnostic], Variant | None]:
    """The variant `reglament build` builds from this side (the base, or ``company``'s), and its diagnostics.

    The profiles and defaults come from the same side; the checks are those of
    ``reglament check [--company ID]``.
    """

    profiles = load_profiles(root, files=files)
    profile = None
    if company is not None:
        profile = profiles.get(company)
        if profile is None:
            broken = [d for d in profiles.diagnostics if d.file.rsplit("/", 1)[-1].rsplit(".", 1)[0] == company]
            if broken:
                first = broken[0]
                raise DiffError(
                    f"the profile of company `{company}` at `{label}` does not load: "
                    f"{first.file}:{first.line}:{first.column}: {first.message}"
                )
            raise DiffError(f"{UnknownCompanyError(company, profiles.ids)} (at `{label}`)")
    if not run_checks:
        variant = resolve(loaded.content, profile=profile, defaults=profiles.defaults, public=public)
        return variant.content, [*loaded.diagnostics, *profiles.diagnostics, *variant.diagnostics], variant
    project = Project(root, loaded, profiles, morph=morph or Morph())
    checked = check_variant(project, company=company, public=public)
    return checked.content, list(checked.diagnostics), checked.variant


def diff_revisions(
    root: Path,
    *,
    old: str,
    new: str | None = None,
    company: str | None = None,
    public: bool = False,
    run_checks: bool = True,
    lang: str = "ru",
) -> Changes:
    """What changed from ``old`` to ``new`` (``None``: the working tree), as the base or ``company``'s variant.

    ``public`` compares public variants (internal items left out: what a
    public site's «Что изменилось» page may show). The output has one audience,
    the new side's (the edition being produced): when that is public, whatever
    is internal on *either* side is left out of both (:func:`reglament.variant.resolve.compare_sides`).
    Raises :class:`DiffError`
    with a one-line message naming the revision when a side cannot be compared. ``lang`` is the
    content's language, for reading numbers in texts (:func:`compare_editions`).
    """
    morph = Morph()
    a = load_side(root, name=old, company=company, public=public, run_checks=run_checks, morph=morph)
    b = load_side(root, name=new, company=company, public=public, run_checks=run_checks, morph=morph)
    old_content, new_content = one_audience(a, b, public=public)
    return compare_editions(old_content, new_content, old_side=a.side, new_side=b.side, company=company, lang=lang)


def order_revisions(
    root: Path,
    *,
    old: str,
    new: str | None = None,
    company: str | None = None,
    public: bool = False,
    lang: str = "ru",
    html: bool = False,
) -> tuple[Changes, str]:
    """The diff from ``old`` to ``new`` and the amendment order drafted from it (Markdown, or HTML).

    Both sides are resolved for one audience (``public``), as for every diff format; the new edition's
    effective date and approver come from ``content/editions.yml`` when a side is named by an edition id.
    """
    morph = Morph()
    a = load_side(root, name=old, company=company, public=public, run_checks=False, morph=morph)
    b = load_side(root, name=new, company=company, public=public, run_checks=False, morph=morph)
    old_content, new_content = one_audience(a, b, public=public)
    changes = compare_editions(old_content, new_content, old_side=a.side, new_side=b.side, company=company, lang=lang)
    editions = {e.key: e for e in b.content.editions}
    edition = editions.get(b.side.edition) if b.side.edition else None
    previous = editions.get(a.side.edition) if a.side.edition else None
    order = draft_order(changes, a.content, b.content, edition=edition, previous=previous, company=company)
    text = order_markdown(order, previous=previous)
    return changes, order_html(text) if html else text


def one_audience(a: LoadedSide, b: LoadedSide, *, public: bool) -> tuple[Content, Content]:
    """Both sides resolved for the output's one audience: the new side's (public if forced); public hides
    what is internal on either side (:func:`reglament.variant.resolve.compare_sides`)."""
    if a.variant is None or b.variant is None:
        return a.content, b.content
    old_content, new_content, _ = compare_sides(a.variant, b.variant, public=public)
    return old_content, new_content
