"""sources → checked model → rendered tree → site, never touching the old site on failure."""

from __future__ import annotations

import html
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reglament.diagnostics import Diagnostic
from reglament.errors import EngineError, PdfError, TemplateFailure
from reglament.pdf.document import Edition, site_pdfs
from reglament.project import Checked, check_project, site_title
from reglament.render.pages import RenderedTree, render
from reglament.site.mkdocs_adapter import build_site
from reglament.site.out_guard import guard_out, mark
from reglament.site.sanitize import sanitize_site
from reglament.site.stamp import record
from reglament.variant.resolve import Variant, escape_value


@dataclass
class Built:
    diagnostics: list[Diagnostic]
    site_dir: Path | None = None
    docs_dir: Path | None = None
    engine_warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.site_dir is not None


def ack_site(variant: Variant | None) -> dict[str, str] | None:
    """The acknowledgement service of the variant (``ack_url:`` of its profile, else of the defaults), or None."""
    if variant is None:
        return None
    url = (variant.profile.ack_url if variant.profile else None) or (
        variant.defaults.ack_url if variant.defaults else None
    )
    if not url:
        return None
    # the base build is company `base` in the service (reglament.ack.sources.BASE)
    return {"url": url.rstrip("/"), "company": variant.profile.id if variant.profile else "base"}


def write_tree(
    tree: RenderedTree, root: Path, stage: Path, site_dir: Path, *, extra_config: dict | None = None
) -> Path:
    """Write the docs tree and its child MkDocs config into ``stage``; returns the config path.

    ``extra_config`` adds top-level keys to the child config (mappings such as
    ``extra`` merge key by key with the inherited mkdocs.yml).
    """
    docs = stage / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    tree.write(docs)
    assets = root / "templates" / "assets"
    if assets.is_dir():
        shutil.copytree(assets, docs / "assets", dirs_exist_ok=True)
    config = {
        "INHERIT": str((root / "mkdocs.yml").resolve()),
        "docs_dir": str(docs.resolve()),
        "site_dir": str(site_dir.resolve()),
        "theme": {"name": "material", "custom_dir": str((root / "templates" / "overrides").resolve())},
        "nav": escape_nav(tree.nav),
        **(extra_config or {}),
    }
    path = stage / "mkdocs.yml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")  # JSON is YAML
    return path


def escape_nav(nav: object) -> object:
    """The navigation with its titles HTML-escaped: Material prints nav titles as HTML."""
    if isinstance(nav, list):
        return [escape_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {html.escape(str(k), quote=False): escape_nav(v) for k, v in nav.items()}
    return nav


def replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``, replacing what was there only once ``new`` is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build(
    root: Path,
    out: Path,
    *,
    checked: Checked | None = None,
    stage: Path | None = None,
    extra_config: dict | None = None,
    extra_pages: dict[str, str] | None = None,
    company: str | None = None,
    public: bool = False,
    pdf: Edition | None = None,
    digest: str | None = None,
) -> Built:
    """Check, render and build the site into ``out``. On any error ``out`` is left as it was.

    ``company`` builds that company's variant (``content/companies/<id>.yml``;
    None: the base regulation) with the company's name in the site title;
    ``public`` leaves every internal item out (a profile with
    ``visibility: public`` does so anyway). ``checked``, when given, must come
    from ``check_project(root, company=company, public=public)``. The docs tree
    and child MkDocs config are staged in ``stage`` (default:
    ``<root>/build/<company>/``, ``<root>/build/default/`` for the base).

    ``extra_pages`` (path → Markdown with a front matter title) are added to the
    rendered tree and to the end of the navigation; ``extra_config`` goes into
    the child MkDocs config (publishing uses both: the «Что изменилось» page,
    ``extra.version`` for mike).

    ``pdf`` (a :class:`reglament.pdf.Edition`) adds the print edition: each
    regulation's PDF in that edition goes to ``pdf/<regulation>.pdf`` of the
    site, and its page links to it (:func:`reglament.pdf.site_pdfs`).

    ``digest`` (:func:`reglament.stamp.inputs_digest`, computed *before* the
    sources were loaded) is recorded in the stage folder once the site is in
    place, so that a later build with the same inputs can skip
    (:func:`reglament.stamp.fresh`).
    """

    guard_out(out, root=root)  # `--out` replaces only an absent or empty folder, or a site this tool built
    checked = checked or check_project(root, company=company, public=public)
    if not checked.ok:
        return Built(checked.diagnostics)
    title = site_title(root)
    variant = checked.variant
    if company is not None and variant is not None:
        title = variant.site_title(title)
        # Material prints site_name as HTML (header, <title>, aria-label): a profile's name is escaped here
        extra_config = {"site_name": html.escape(title, quote=True), **(extra_config or {})}
    home_title = escape_value(title) if company is not None else title  # Markdown on the default home page
    try:
        tree = render(
            checked.content, root / "templates", site_title=home_title, pdf_links=pdf is not None, ack=ack_site(variant)
        )
    except TemplateFailure as exc:  # a broken page template: its file and line, never a traceback
        return Built([*checked.diagnostics, exc.diagnostic])
    for path, markdown in (extra_pages or {}).items():
        tree.pages[path] = markdown
        tree.nav.append(path)
    stage = stage or root / "build" / (company or "default")
    stage.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_site = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        config = write_tree(tree, root, stage, tmp_site, extra_config=extra_config)
        if pdf is not None:
            try:
                site_pdfs(root, checked, stage / "docs", edition=pdf)
            except PdfError as exc:
                diag = Diagnostic(
                    "templates/pdf", 1, 1, "error", "engine", f"the print edition failed: {exc}", "check templates/pdf/"
                )
                return Built([*checked.diagnostics, diag])
        try:
            warnings = build_site(config)
        except EngineError as exc:
            diag = Diagnostic(
                "mkdocs.yml",
                1,
                1,
                "error",
                "engine",
                f"the site engine failed: {exc}",
                "check mkdocs.yml and the templates",
            )
            return Built([*checked.diagnostics, diag])
        unsafe = sanitize_site(tmp_site)  # the allowlist over every page; what it cannot fix fails the build
        if unsafe:
            diag = Diagnostic(
                "templates",
                1,
                1,
                "error",
                "unsafe-html",
                f"the built site has unsafe markup: {'; '.join(unsafe[:5])}",
                "event attributes, script URLs and styles come only from templates: fix them",
            )
            return Built([*checked.diagnostics, diag])
        mark(tmp_site)
        replace_dir(tmp_site, out)
        if digest is not None:
            record(stage, out, digest, checked.diagnostics)
    finally:
        if tmp_site.exists():
            shutil.rmtree(tmp_site, ignore_errors=True)
    return Built(checked.diagnostics, out, stage / "docs", warnings)
