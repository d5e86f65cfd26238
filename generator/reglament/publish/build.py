"""An edition's site, ready to deploy: built from the tag, or built earlier (``--build-only``) and verified.

Each built site gets a manifest (``edition.json``: edition, tag, commit,
company, alias, audience and the site's content hash). CI builds the public
sites in parallel jobs with :func:`build_only`; the publish job deploys them
with ``prebuilt=``, after checking each against the tag and its own hash.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from reglament.errors import PublishError
from reglament.model import editions as ed
from reglament.project import check_variant
from reglament.publish.changes import changes_pages
from reglament.publish.published import ALIAS, BRANCH, check_alias
from reglament.publish.tagged import Source, load_source
from reglament.publish.targets import Target, of_company, public_targets, select_targets
from reglament.site.build import build
from reglament.site.out_guard import guard_out
from reglament.source import git

#: files of a built site that change with every build (MkDocs writes the build date into the sitemap)
VOLATILE_FILES = frozenset({"sitemap.xml", "sitemap.xml.gz"})
MANIFEST = "edition.json"


class Manifest(TypedDict):
    """``edition.json`` of a built site: what it is the build of."""

    format: int
    edition: str
    tag: str
    commit: str
    company: str | None
    alias: str
    public: bool
    content_hash: str


@dataclass
class EditionSite:
    """A built site of an edition, ready to deploy, and its manifest (``edition.json``)."""

    target: Target
    site: Path
    content_hash: str
    manifest: Manifest


def site_hash(site: Path) -> str:
    """``sha256:…`` over every file of a built site (path and bytes), except the dated sitemap."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel in VOLATILE_FILES:
            continue
        digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


def edition_config(edition: ed.Edition, *, alias: str) -> dict[str, str]:
    """The edition's data for its build (engine-neutral; the engine adapter makes it the version selector and banner)."""
    return {
        "id": edition.key,
        "title": edition.title,
        "alias": alias,
        "effective": edition.properties()["effective"],
        "effective_ru": ed.format_date_ru(edition.effective),
        "approved": edition.properties()["approved"],
        "approved_ru": ed.format_date_ru(edition.approved),
        "approved_by": edition.approved_by,
    }


def manifest_for(source: Source, target: Target, *, alias: str, public: bool, content_hash: str) -> Manifest:
    return {
        "format": 1,
        "edition": source.edition.key,
        "tag": source.tag,
        "commit": source.commit,
        "company": target.company,
        "alias": alias,
        "public": public,
        "content_hash": content_hash,
    }


def build_site(
    root: Path, source: Source, target: Target, *, alias: str, public: bool, out: Path, stage: Path
) -> EditionSite:
    """Check and build one target's site of the edition into ``out/site`` (+ ``out/edition.json``)."""

    checked = check_variant(source.loaded, company=target.company, public=public)
    if not checked.ok:
        raise PublishError(
            f"the content{of_company(target)} at tag `{source.tag}` has errors; nothing was published",
            hint="fix them, commit and move the tag (an unpublished edition may still change)",
            diagnostics=checked.diagnostics,
            root=source.project,
        )
    pages = changes_pages(
        root,
        edition=source.edition,
        previous=source.previous,
        company=target.company,
        public=public,
        new=checked,
        commit=source.commit,
        notes=source.notes,
    )
    built = build(
        source.project,
        out / "site",
        checked=checked,
        stage=stage,
        company=target.company,
        public=public,
        edition=edition_config(source.edition, alias=alias),
        extra_pages=pages,
    )
    if not built.ok:
        raise PublishError(
            f"the site{of_company(target)} did not build; nothing was published",
            diagnostics=built.diagnostics,
            root=source.project,
        )
    content_hash = site_hash(out / "site")
    manifest = manifest_for(source, target, alias=alias, public=public, content_hash=content_hash)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return EditionSite(target, out / "site", content_hash, manifest)


def prebuilt_site(source: Source, target: Target, *, alias: str, public: bool, folder: Path) -> EditionSite:
    """A site built earlier by ``--build-only`` (CI build jobs), verified against the tag and its own hash."""
    where = folder / target.company if target.company else folder
    try:
        manifest = json.loads((where / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(
            f"no prebuilt site{of_company(target)} in {where}: cannot read {MANIFEST} ({exc})",
            hint="build it with `reglament publish EDITION --build-only --out DIR`",
        ) from None
    content_hash = site_hash(where / "site") if (where / "site").is_dir() else "none"
    expected = manifest_for(source, target, alias=alias, public=public, content_hash=content_hash)
    wrong = [(k, value) for k, value in expected.items() if manifest.get(k) != value]
    if wrong:
        detail = ", ".join(f"{k}: {manifest.get(k)!r} ≠ {value!r}" for k, value in wrong)
        raise PublishError(
            f"the prebuilt site{of_company(target)} in {where} is not this edition as tagged ({detail})",
            hint="rebuild it from the current tag with --build-only; a changed content_hash means "
            "the files were changed after the build",
        )
    return EditionSite(target, where / "site", content_hash, manifest)


def build_only(
    root: Path,
    *,
    edition: str,
    company: str | None = None,
    all_companies: bool = False,
    alias: str = ALIAS,
    public: bool = False,
    out: Path,
) -> list[EditionSite]:
    """Build the edition's site(s) from its tag into ``out`` without publishing (CI build jobs).

    One company (or the default site): ``out/site`` + ``out/edition.json``;
    ``all_companies``: ``out/<company>/…``. ``publish(…, prebuilt=out)`` deploys them.
    """
    root = root.resolve()
    if not git.is_repository(root):
        raise PublishError(
            f"{root} is not inside a git repository",
            hint="editions are git tags: build from a clone of the project's repository",
        )
    check_alias(alias, edition)
    work = Path(tempfile.mkdtemp(prefix="reglament-build-"))
    try:
        source = load_source(root, edition=edition, work=work / "project")
        targets = public_targets(
            source, select_targets(source, company=company, all_companies=all_companies), public=public, branch=BRANCH
        )
        sites = []
        for target in targets:
            dest = out / target.company if all_companies and target.company else out
            if dest.exists() and not (dest / MANIFEST).is_file():
                guard_out(dest, root=root)  # only an empty folder or a site this tool built is replaced
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            sites.append(
                build_site(
                    root,
                    source,
                    target,
                    alias=alias,
                    public=public,
                    out=dest,
                    stage=work / "stage" / (target.prefix or "default"),
                )
            )
        return sites
    finally:
        shutil.rmtree(work, ignore_errors=True)
