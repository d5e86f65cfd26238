"""The «Что изменилось» page of a published edition: the edition compared with the previous one, per audience."""

from __future__ import annotations

from pathlib import Path

from reglament.diff.compare import compare_editions
from reglament.diff.model import Side
from reglament.diff.site import PAGE, changes_page
from reglament.diff.sources import LoadedSide, load_side, one_audience
from reglament.errors import DiffError, PublishError
from reglament.model import editions as ed
from reglament.model.profile import COMPANIES_DIR
from reglament.project import Checked
from reglament.source import git


def changes_pages(
    root: Path,
    *,
    edition: ed.Edition,
    previous: ed.Edition | None,
    company: str | None,
    public: bool,
    new: Checked,
    commit: str,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """The «Что изменилось» page comparing ``edition`` with ``previous``.

    ``new`` is the edition's variant as publishing already checked it (from the
    tag at ``commit``): only the previous edition is read from its tag here. Both
    sides are resolved for the one audience of the site being built, so a public
    site's page never mentions an item internal on either side.

    A company without a profile in the previous edition (it joined in this
    one) gets no page; a note says so.
    """

    if previous is None:
        return {}
    if company is not None and not any(
        git.show_file(root, revision=previous.tag, path=f"{COMPANIES_DIR}/{company}{ext}") is not None
        for ext in (".yml", ".yaml")
    ):
        if notes is not None:
            notes.append(
                f"no «Что изменилось» page for company `{company}`: it has no profile in edition {previous.key}"
            )
        return {}
    try:
        old = load_side(root, name=previous.tag, company=company, public=public, run_checks=False)
        new_side = LoadedSide(Side(edition.tag, commit, edition.key, tuple(new.diagnostics)), new.content, new.variant)
        old_content, new_content = one_audience(old, new_side, public=public)
        changes = compare_editions(old_content, new_content, old_side=old.side, new_side=new_side.side, company=company)
    except DiffError as exc:
        raise PublishError(
            f"cannot compare edition {edition.key} with {previous.key}: {exc}",
            hint="the «Что изменилось» page compares the two tagged editions",
        ) from None
    return {
        PAGE: changes_page(
            changes,
            old_title=f"{previous.key} — {previous.title}",
            new_title=f"{edition.key} — {edition.title}",
            source=ed.EDITIONS_FILE,
        )
    }
