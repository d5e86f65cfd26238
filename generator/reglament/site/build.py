"""sources → checked model → rendered tree → site, never touching the old site on failure."""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.utils import get_build_date

from reglament.diagnostics import Diagnostic
from reglament.errors import EngineError, PdfError, TemplateFailure
from reglament.morphology import Morph
from reglament.perf import lap
from reglament.project import Checked, check_project, site_title
from reglament.render.pages import EDIT_SCHEME, RenderedTree, render
from reglament.sandbox import template_code_cache
from reglament.site import incremental as inc
from reglament.site import search
from reglament.site.engines import Engine, SiteSpec, engine_for
from reglament.site.engines.base import edit_base
from reglament.site.engines.mkdocs import MkDocsEngine, html_stamps
from reglament.site.out_guard import guard_out, mark
from reglament.site.overlap import OverlappedPass
from reglament.site.pagesteps import PageSteps, process_files
from reglament.site.postbuild import page_steps, process_site, with_heads
from reglament.site.records import Record
from reglament.site.search import term_forms
from reglament.site.stamp import record
from reglament.variant.resolve import Variant, escape_value

PrintEdition = Callable[[Path, Checked, Path], object]
"""Writes the print edition of a checked variant into a docs folder: ``(root, checked, docs_dir)``, as
:func:`reglament.pdf.document.site_pdfs` with its edition bound (``functools.partial(site_pdfs, edition=…)``).
The caller gives it, so that a build without PDFs never imports the PDF and diff modules."""


@dataclass
class Built:
    diagnostics: list[Diagnostic]
    site_dir: Path | None = None
    docs_dir: Path | None = None
    engine_warnings: list[str] = field(default_factory=list)
    rebuilt: list[str] | None = None
    """An incremental build (:mod:`reglament.site.incremental`): the HTML pages the engine wrote (relative to the
    site); None: a full build."""
    pages: int = 0
    """The HTML pages of the site."""

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


_EDIT_LINK = re.compile(r'(<a\b[^>]*?)href="' + EDIT_SCHEME + r'([^"]*)"')
_EDIT_ANCHOR = re.compile(r'<a\b[^>]*href="' + EDIT_SCHEME + r'[^"]*"[^>]*>.*?</a>', re.S)


def resolve_edit_links(markdown: str, base: str | None) -> str:
    """Links the renderer writes as ``reglament-source:<path>`` become edit links to that source (none without a repository)."""
    if EDIT_SCHEME not in markdown:
        return markdown
    if base is None:
        return _EDIT_ANCHOR.sub("", markdown)
    return _EDIT_LINK.sub(lambda mt: f'{mt.group(1)}href="{base}{mt.group(2)}"', markdown)


def write_tree(
    tree: RenderedTree,
    root: Path,
    stage: Path,
    site_dir: Path,
    *,
    engine: Engine,
    site_name: str | None = None,
    edition: dict | None = None,
    offline: bool = False,
) -> tuple[Path, SiteSpec]:
    """Write the docs tree into ``stage/docs`` and the engine's configuration into ``stage``.

    The docs tree is engine-neutral: Markdown with the edit links already
    resolved, and the assets under ``assets/``. Returns the engine's config
    file and the :class:`SiteSpec` it was written from.
    """
    docs = stage / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    base = edit_base(root)
    RenderedTree({p: resolve_edit_links(md, base) for p, md in tree.pages.items()}, tree.sources, tree.nav).write(docs)
    assets = root / "templates" / "assets"
    if assets.is_dir():
        shutil.copytree(assets, docs / "assets", dirs_exist_ok=True)
    spec = SiteSpec(
        root=root,
        docs_dir=docs,
        site_dir=site_dir,
        nav=escape_nav(tree.nav),  # type: ignore[arg-type]
        site_name=site_name,
        edition=edition,
        offline=offline,
    )
    return engine.configure(spec, stage), spec


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
    edition: dict | None = None,
    extra_pages: dict[str, str] | None = None,
    company: str | None = None,
    public: bool = False,
    pdf: PrintEdition | None = None,
    digest: str | None = None,
    engine: str | None = None,
    offline: bool = False,
    morph: Morph | None = None,
    jobs: int | None = None,
    incremental: bool = False,
    full: bool = False,
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
    rendered tree and to the end of the navigation; ``edition`` (the banner's
    data and the version alias, see :class:`reglament.site.engines.SiteSpec`)
    makes the site one edition of a versioned site (publishing uses both: the
    «Что изменилось» page, the version selector and banner).

    ``engine`` picks the site engine (``mkdocs``, ``properdocs``, ``zensical``;
    None: the project's ``extra.reglament_engine``, default MkDocs); after it,
    :func:`reglament.site.postbuild.process_site` sanitises the pages, adds edit
    buttons and the search index (``jobs``: worker processes for a large site;
    None: one per core). ``offline``: a site that works opened from ``file://`` (page links
    end in ``.html``, the search index loads as a script).

    ``pdf`` (a :data:`PrintEdition`: :func:`reglament.pdf.document.site_pdfs` with an edition bound) adds the
    print edition: each regulation's PDF in that edition goes to ``pdf/<regulation>.pdf`` of the site, and its
    page links to it.

    ``digest`` (:func:`reglament.stamp.inputs_digest`, computed *before* the
    sources were loaded) is recorded in the stage folder once the site is in
    place, so that a later build with the same inputs can skip
    (:func:`reglament.stamp.fresh`).

    ``morph`` (the project's :class:`reglament.morphology.Morph`, with its dictionary and word forms already
    loaded by the check) is reused for the automatic term links.

    ``incremental`` (``reglament build`` of the base regulation): when ``out`` still holds the site the last
    build of this stage produced and nothing but pages' Markdown changed, only those pages are rebuilt, giving
    the same bytes as a full build (:mod:`reglament.site.incremental`); the inputs are recorded for the next
    build. ``full``: record them, but build everything.
    """

    guard_out(out, root=root)  # `--out` replaces only an absent or empty folder, or a site this tool built
    checked = checked or check_project(root, company=company, public=public)
    if not checked.ok:
        return Built(checked.diagnostics)
    title = site_title(root)
    variant = checked.variant
    site_name = None
    if company is not None and variant is not None:
        title = variant.site_title(title)
        # Material prints site_name as HTML (header, <title>, aria-label): a profile's name is escaped here
        site_name = html.escape(title, quote=True)
    try:
        adapter = engine_for(engine, root)
    except EngineError as exc:
        return Built([*checked.diagnostics, _engine_diagnostic(exc)])
    home_title = escape_value(title) if company is not None else title  # Markdown on the default home page
    morph = morph or Morph()  # one dictionary for the term links and the search's word forms
    try:
        tree = render(
            checked.content,
            root / "templates",
            site_title=home_title,
            morph=morph,
            pdf_links=pdf is not None,
            ack=ack_site(variant),
        )
    except TemplateFailure as exc:  # a broken page template: its file and line, never a traceback
        return Built([*checked.diagnostics, exc.diagnostic])
    code = template_code_cache(root)  # (the page templates' compiled code: read from the user's cache, or compiled)
    lap("render", templates_compiled=code.compiled, templates_loaded=code.loaded)
    for path, markdown in (extra_pages or {}).items():
        tree.pages[path] = markdown
        tree.nav.append(path)
    stage = stage or root / "build" / (company or "default")
    stage.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_site = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        config, spec = write_tree(
            tree, root, stage, tmp_site, engine=adapter, site_name=site_name, edition=edition, offline=offline
        )
        if pdf is not None:
            try:
                pdf(root, checked, stage / "docs")
            except PdfError as exc:
                diag = Diagnostic(
                    "templates/pdf", 1, 1, "error", "engine", f"the print edition failed: {exc}", "check templates/pdf/"
                )
                return Built([*checked.diagnostics, diag])
        lap("write")
        # reglament's page pass over the built HTML (engine-neutral): its settings, for the pass over every page
        # below or over the pages an incremental build has the engine rebuild
        steps = page_steps(
            tmp_site,
            spec.docs_dir,
            edit_base=edit_base(root),
            offline=offline,
            forms=term_forms(checked.content.terms, morph),
            tooltips=tree.tooltips,
            records=True,
        )
        inputs = plan = previous = None
        if incremental and _reusable(root, adapter, company, edition, pdf, extra_pages):
            inputs = inc.inputs(
                root=root,
                docs=spec.docs_dir,
                config=config,
                engine=adapter.name,
                settings={"edit_base": steps.edit_base, "offline": offline, "forms": steps.forms, "public": public},
                tooltips=tree.tooltips,
                build_date=get_build_date(),
            )
            previous = None if full else inc.load(stage, out)
            if previous is not None:
                plan = inc.plan(previous.inputs, inputs, spec.docs_dir, offline=offline)
        if plan is not None and previous is not None:
            assert isinstance(adapter, MkDocsEngine)
            lap("incremental_plan", stale=len(plan.stale))  # (a full build times the same work in its next lap)
            outcome = _rebuild(out, tmp_site, config, spec, adapter, plan, previous.records, steps, morph)
            if isinstance(outcome, Diagnostic):
                return Built([*checked.diagnostics, outcome])
            warnings, rebuilt, records = outcome
            mark(tmp_site)
            replace_dir(tmp_site, out)
            _recorded(stage, out, inputs, records, digest, checked.diagnostics)
            return Built(checked.diagnostics, out, stage / "docs", warnings, rebuilt, _pages(out))
        # ---- reglament's post-build steps over the built HTML (engine-neutral), one pass per page ----
        # first the allowlist over every page the engine wrote (what it cannot make safe fails the build), then
        # edit buttons, word forms and the search box; the search index is built last, from the sanitised pages.
        # With a second core the pages are processed as the engine writes them (site/overlap.py): the same bytes.
        jobs = default_jobs() if jobs is None else jobs
        overlap = OverlappedPass.start(tmp_site, spec.docs_dir, steps, jobs=jobs, morph=morph)
        lap("forms_and_pass_start")  # the terms' word forms for search; the page pass's workers started
        try:
            try:
                warnings = adapter.build(config, spec)
            except EngineError as exc:
                return Built([*checked.diagnostics, _engine_diagnostic(exc)])
            try:
                if overlap is not None:
                    processed = overlap.finish()
                else:
                    processed = process_site(tmp_site, steps, jobs=jobs, morph=morph)
            except EngineError as exc:
                return Built([*checked.diagnostics, _engine_diagnostic(exc)])
        finally:
            if overlap is not None:
                overlap.close()
        if processed.unsafe:
            return Built([*checked.diagnostics, _unsafe_diagnostic(processed.unsafe)])
        # ---- end of the post-build steps ----
        mark(tmp_site)
        replace_dir(tmp_site, out)
        _recorded(stage, out, inputs, processed.records, digest, checked.diagnostics)
    finally:
        if tmp_site.exists():
            shutil.rmtree(tmp_site, ignore_errors=True)
    return Built(checked.diagnostics, out, stage / "docs", warnings, None, _pages(out))


def _reusable(
    root: Path,
    adapter: Engine,
    company: str | None,
    edition: dict | None,
    pdf: PrintEdition | None,
    extra_pages: dict[str, str] | None,
) -> bool:
    """Whether this build may reuse the previous site: the base regulation, no print edition, no edition, MkDocs
    or ProperDocs, and no engine plugins or hooks whose inputs are unknown (:func:`inc.engine_dependent`)."""
    if company is not None or edition is not None or pdf is not None or extra_pages:
        return False
    if not isinstance(adapter, MkDocsEngine) or adapter.name not in inc.ENGINES:
        return False
    try:
        return not inc.engine_dependent(root)
    except EngineError:
        return False


def _rebuild(
    out: Path,
    tmp_site: Path,
    config: Path,
    spec: SiteSpec,
    adapter: MkDocsEngine,
    plan: inc.Plan,
    records: dict[str, tuple[Record, ...]],
    steps: PageSteps,
    morph: Morph,
) -> tuple[list[str], list[str], dict[str, tuple[Record, ...]]] | Diagnostic:
    """The incremental build into ``tmp_site`` (see :mod:`reglament.site.incremental`): the engine's warnings, the
    pages it wrote and every page's search records, or what failed. ``out`` is only read; ``records``: the search
    records of the previous site's pages; ``steps``: the page pass's settings."""
    inc.copy_site(out, tmp_site)
    for rel in plan.stale:
        (tmp_site / rel).unlink(missing_ok=True)
    lap("incremental_copy")
    try:
        warnings = adapter.build(config, spec, dirty=True)
    except EngineError as exc:
        return _engine_diagnostic(exc)
    # what the engine wrote: the pages removed, and any other page whose bytes are no longer the finished page's
    # (the engine's output never is: the page pass changes every page), whatever the file system's clock says
    stale = set(plan.stale)
    rebuilt = sorted(rel for rel in html_stamps(tmp_site) if rel in stale or _differs(tmp_site / rel, out / rel))
    lap("engine", rebuilt=len(rebuilt))
    steps = with_heads(steps, {rel.count("/") for rel in rebuilt})
    done = process_files(str(tmp_site), rebuilt, steps)
    unsafe = [problem for page in done for problem in page.problems]
    if unsafe:
        return _unsafe_diagnostic(unsafe)
    known = {rel: found for rel, found in records.items() if rel not in plan.stale}
    known.update((rel, page.records) for rel, page in zip(rebuilt, done, strict=True))
    try:
        search.index(tmp_site, offline=steps.offline, morph=morph, known=known)
    except EngineError as exc:
        return _engine_diagnostic(exc)
    lap("pass_and_index")
    return warnings, rebuilt, known


def _differs(new: Path, old: Path) -> bool:
    try:
        return new.stat().st_size != old.stat().st_size or new.read_bytes() != old.read_bytes()
    except FileNotFoundError:
        return True


def _recorded(
    stage: Path,
    out: Path,
    inputs: inc.Inputs | None,
    records: dict[str, tuple[Record, ...]],
    digest: str | None,
    diagnostics: list[Diagnostic],
) -> None:
    """The site is in place: remember its inputs and search records for the next incremental build, and its stamp."""
    if inputs is not None:
        inc.record(stage, out, inputs, records)
    if digest is not None:
        record(stage, out, digest, diagnostics)


def _pages(site: Path) -> int:
    return sum(1 for _ in html_stamps(site)) - sum(1 for _ in html_stamps(site / search.FOLDER))


def _unsafe_diagnostic(unsafe: list[str]) -> Diagnostic:
    return Diagnostic(
        "templates",
        1,
        1,
        "error",
        "unsafe-html",
        f"the built site has unsafe markup: {'; '.join(unsafe[:5])}",
        "event attributes, script URLs and styles come only from templates: fix them",
    )


def default_jobs() -> int:
    """Worker processes for the post-build pass of one site: one per core."""
    return max(1, os.cpu_count() or 1)


def _engine_diagnostic(exc: EngineError) -> Diagnostic:
    hint = exc.hint or "check mkdocs.yml and the templates"
    return Diagnostic("mkdocs.yml", 1, 1, "error", "engine", f"the site engine failed: {exc.message}", hint)
