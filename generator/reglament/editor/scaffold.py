"""`reglament new …`: valid, commented starting files for editors.

Every file written here passes ``reglament check`` as it stands, so an editor
starts from green and changes one thing at a time. Comments are in Russian:
they are read by the people who fill the files in.

Library functions raise :class:`ScaffoldError` (the CLI prints its message
and exits 2); nothing is written when they do.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reglament.diagnostics import format_text
from reglament.editor.schema import DEFAULT_DIR, SUFFIX, modeline
from reglament.errors import NoContentError, ScaffoldError
from reglament.model import nodes as m
from reglament.model.profile import COMPANIES_DIR, Param, param_infos
from reglament.project import base_check, check_variant, load_project
from reglament.source.loader import CONTENT_DIR, load
from reglament.source.profiles import load_profiles
from reglament.variant.resolve import TemplateCache, used_params

#: Longest id we accept: leaves room for the suffixes of the generated ids.
MAX_ID = 60


@dataclass(frozen=True)
class RegulationPlan:
    """What :func:`new_regulation` is about to write (resolved roles and ids)."""

    reg_id: str
    title: str
    role: str
    owner: str
    approver: str


def _check_id(ident: str, what: str) -> None:
    if not m.SLUG_RE.match(ident) or len(ident) > MAX_ID:
        raise ScaffoldError(
            f"`{ident}` is not a valid {what} id: use a Latin slug of at most {MAX_ID} "
            "characters: lowercase letters, digits and hyphens, e.g. `sales-manager`"
        )


def _yaml_str(value: str) -> str:
    """A YAML 1.2 double-quoted scalar (a JSON string is one)."""
    return json.dumps(value, ensure_ascii=False)


def _header(root: Path, rel: str, schema_name: str) -> str:
    """The schema modeline, when the project has that schema (a dangling one only shows an editor error)."""
    if (root / DEFAULT_DIR / schema_name).is_file():
        return modeline(rel, schema_name) + "\n"
    return ""


def _existing(root: Path) -> tuple[list[m.Role], set[str]]:
    """Roles and every id in use, from the project's content (empty when there is none yet)."""
    try:
        loaded = load(root)
    except NoContentError:
        return [], set()
    return list(loaded.content.roles), set(loaded.content.index)


def plan_regulation(
    root: Path,
    reg_id: str,
    *,
    title: str | None = None,
    role: str | None = None,
    owner: str | None = None,
    approver: str | None = None,
) -> RegulationPlan:
    """Resolve the roles of a new regulation from ``content/roles.yml``; raise on anything that would not check."""
    _check_id(reg_id, "regulation")
    folder = root / CONTENT_DIR / "regulations" / reg_id
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists; pick another id or edit that regulation")
    roles, ids = _existing(root)
    by_id = {r.id: r for r in roles}
    if not roles:
        raise ScaffoldError(
            f"no roles in {root / CONTENT_DIR / 'roles.yml'}: add the role the regulation is for "
            "first (or fix that file: `reglament check` shows what is wrong)"
        )
    if role is None:
        positions = [r for r in roles if r.kind == "position"]
        role = (positions or roles)[0].id
    if owner is None:
        reports_to = by_id[role].reports_to if role in by_id else None
        owner = reports_to if reports_to in by_id and reports_to is not None else role
    approver = approver or owner
    for label, value in (("--role", role), ("--owner", owner), ("--approver", approver)):
        if value not in by_id:
            known = ", ".join(sorted(by_id))
            raise ScaffoldError(f"{label} `{value}` is not a role in content/roles.yml (roles: {known})")
    taken = sorted(ids & set(_regulation_ids(reg_id)))
    if taken:
        raise ScaffoldError(f"ids already used elsewhere in the content: {', '.join(taken)}; pick another id")
    return RegulationPlan(reg_id, title or f"Регламент {reg_id}", role, owner, approver)


def _regulation_ids(reg_id: str) -> list[str]:
    return [
        reg_id,
        f"{reg_id}-general",
        f"{reg_id}-purpose",
        f"{reg_id}-scope",
        f"{reg_id}-duties",
        f"{reg_id}-first-duty",
        f"{reg_id}-first-duty-breach",
    ]


def regulation_files(root: Path, plan: RegulationPlan) -> dict[str, str]:
    """Relative path → text of the starting files of ``plan``'s regulation."""
    rid = plan.reg_id
    base = f"{CONTENT_DIR}/regulations/{rid}"
    files = {
        f"{base}/regulation.yml": f"""\
{_header(root, f"{base}/regulation.yml", "regulation" + SUFFIX)}\
# Паспорт регламента: название, кто ведёт и утверждает, для кого он и из каких разделов состоит.
# Создан командой `reglament new regulation {rid}`; проверка: `reglament check`.

# Постоянный латинский идентификатор: на него ссылаются [[…]] и адреса страниц сайта.
# Не меняйте его после первой публикации.
id: {rid}
# Полное название, как в шапке документа: «Регламент работы менеджера отдела продаж».
title: {_yaml_str(plan.title)}
# short_title: Короткое название для меню
# Роль (id из content/roles.yml), которая ведёт регламент и вносит в него изменения.
owner: {plan.owner}
# Роль, которая утверждает регламент.
approver: {plan.approver}
# Роли, которые обязаны знать регламент и работать по нему.
audience: [{plan.role}]
# Файлы разделов в этой папке, по порядку: порядок даёт номера разделов (1, 2, 3…).
# Другие виды разделов (поле `kind` в файле раздела): terms — термины, motivation — мотивация,
# schedule — рабочее время, confidentiality — конфиденциальность; *.md — свободный текст.
# Образцы каждого вида: content/regulations/sales-manager/ (в этом репозитории) и README.
parts:
  - general.yml
  - duties.yml
""",
        f"{base}/general.yml": f"""\
{_header(root, f"{base}/general.yml", "part-clauses" + SUFFIX)}\
# Раздел «Общие положения»: нумерованные пункты (1.1, 1.2…) свободного текста.
kind: clauses
id: {rid}-general
title: Общие положения
clauses:
  # Пункт: постоянный id и текст. Номер считается по порядку пунктов, а ссылки
  # ([[{rid}-purpose]]) идут по id, поэтому переживают перенумерацию.
  # Термин из глоссария пишите ссылкой: [[id-термина|нужная форма слова]].
  - id: {rid}-purpose
    text: >-
      Настоящий регламент устанавливает порядок работы роли [[{plan.role}]].
  - id: {rid}-scope
    text: >-
      Регламент обязателен для всех, кто работает в роли [[{plan.role}]].
    # Подпункты (1.2.1, 1.2.2…) — список `clauses:` внутри пункта.
""",
        f"{base}/duties.yml": f"""\
{_header(root, f"{base}/duties.yml", "part-duties" + SUFFIX)}\
# Раздел «Обязанности и ответственность».
kind: duties
id: {rid}-duties
title: Обязанности и ответственность
# Обязанности можно собрать в группы (`groups:`, у группы id, title и duties).
duties:
  # Обязанность: что сделать (text) и кто делает (role — id роли).
  - id: {rid}-first-duty
    text: Замените этот текст первой обязанностью.
    role: {plan.role}
    # Срок, если он есть, — словами и в минутах (минуты проверяются и сравниваются в diff):
    # deadline: в течение 15 минут
    # deadline_minutes: 15
    # Если работу делят несколько ролей — RACI (ровно одна accountable):
    # raci: {{responsible: [{plan.role}], accountable: {plan.owner}}}
responsibility:
  # Ответственность: за нарушение каких обязанностей (enforces) и что за этим следует.
  - id: {rid}-first-duty-breach
    text: За невыполнение обязанности [[{rid}-first-duty]] работник несёт дисциплинарную ответственность.
    enforces: [{rid}-first-duty]
    consequence: замечание
""",
    }
    return files


def write_new(root: Path, files: dict[str, str], folder: Path) -> list[Path]:
    """Write ``files`` (all inside ``folder``) so that ``folder`` appears complete or not at all."""
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists")
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for rel, text in files.items():
            inside = (root / rel).relative_to(folder)
            target = stage / inside
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        stage.rename(folder)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return [root / rel for rel in files]


def new_regulation(
    root: Path,
    reg_id: str,
    *,
    title: str | None = None,
    role: str | None = None,
    owner: str | None = None,
    approver: str | None = None,
) -> list[Path]:
    """Create ``content/regulations/<reg_id>/`` with a regulation that passes ``reglament check``."""
    plan = plan_regulation(root, reg_id, title=title, role=role, owner=owner, approver=approver)
    folder = root / CONTENT_DIR / "regulations" / reg_id
    return write_new(root, regulation_files(root, plan), folder)


# --------------------------------------------------------------------------
# A company profile


@dataclass(frozen=True)
class CompanyPlan:
    """What :func:`new_company` writes: names, and the parameters the texts need."""

    company_id: str
    name: str
    short_name: str
    city: str | None
    visibility: str
    defaults: Mapping[str, tuple[object, str]]
    """Parameters with a default (name → (default value, description)): listed commented out."""
    required: Mapping[str, tuple[object, str]]
    """Parameters the texts use that have no default (name → (example value, which profile it is from))."""


def _yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _yaml_str(str(value))


def plan_company(
    root: Path,
    company_id: str,
    *,
    name: str | None = None,
    short_name: str | None = None,
    city: str | None = None,
    visibility: str = "public",
) -> CompanyPlan:
    """Resolve what a new company profile needs from the project (its used parameters and their defaults)."""

    _check_id(company_id, "company")
    folder = root / COMPANIES_DIR
    for suffix in (".yml", ".yaml"):
        if (folder / f"{company_id}{suffix}").exists():
            raise ScaffoldError(
                f"{folder / (company_id + suffix)} already exists; pick another id or edit that profile"
            )
    try:
        loaded = load(root)
    except NoContentError as exc:
        raise ScaffoldError(f"{exc}: create the regulations first (`reglament new regulation ID`)") from None
    profiles = load_profiles(root)
    used = used_params(loaded.content, [], TemplateCache())
    defaults_obj = profiles.defaults
    default_values = param_infos(defaults_obj)
    descriptions = {
        k: v.description
        for k, v in (defaults_obj.params.items() if defaults_obj else [])
        if isinstance(v, Param) and v.description
    }
    defaults = {k: (info.value, descriptions.get(k, "")) for k, info in sorted(default_values.items()) if k in used}
    required = {}
    for param in sorted(used - set(default_values)):
        example = next(
            ((info.value, p.id) for p in profiles.companies for k, info in param_infos(p).items() if k == param), None
        )
        if example is not None:
            required[param] = example
    return CompanyPlan(
        company_id,
        name or f"Общество с ограниченной ответственностью «{company_id}»",
        short_name or f"ООО «{company_id}»",
        city,
        visibility,
        defaults,
        required,
    )


def company_file(root: Path, plan: CompanyPlan) -> tuple[str, str]:
    """(relative path, text) of the starting profile of ``plan``'s company."""

    rel = f"{COMPANIES_DIR}/{plan.company_id}.yml"
    lines = [
        f"{_header(root, rel, 'company' + SUFFIX)}"
        "# Профиль компании: чем её вариант регламентов отличается от базового (content/regulations/).",
        f"# Создан командой `reglament new company {plan.company_id}`; проверка:",
        f"# `reglament check --company {plan.company_id}`, сборка: `reglament build --company {plan.company_id}`.",
        "",
        "# Постоянный id компании — имя этого файла; задаёт папку сайта site/<id>/. Не меняйте его.",
        f"id: {plan.company_id}",
        "# Полное юридическое наименование (замените).",
        f"name: {_yaml_str(plan.name)}",
        "# Краткое наименование: в текстах ({{ company.short_name }}) и в заголовке сайта.",
        f"short_name: {_yaml_str(plan.short_name)}",
        f"city: {_yaml_str(plan.city)}" if plan.city else "# city: Москва",
        "# site_title: Регламенты отдела продаж …",
        "# public — сайт без служебных пунктов и параметров (visibility: internal);",
        "# internal — сайт для сотрудников, со всеми пунктами.",
        f"visibility: {plan.visibility}",
        "",
        "# Названия ролей и отделов в этой компании, если они не такие, как в базовом регламенте:",
        "# roles:",
        "#   manager: {name: Менеджер по продажам}",
        "# departments:",
        "#   Отдел продаж: Коммерческий отдел",
        "",
        "# Параметры, которые используют тексты ({{ params.имя }}). Не указанный здесь параметр",
        "# берётся из content/defaults.yml (значение по умолчанию — в комментарии).",
        "# Служебное значение: {value: 40, visibility: internal} — не попадёт на публичный сайт.",
    ]
    defaults = []
    for param, (value, description) in plan.defaults.items():
        note = f"  # {description}" if description else ""
        defaults.append(f"#   {param}: {_yaml_value(value)}{note}")
    if plan.required:
        lines.append("params:")
        for param, (value, source) in plan.required.items():
            lines.append(f"  # нет значения по умолчанию; значение взято из профиля {source} — замените своим")
            lines.append(f"  {param}: {_yaml_value(value)}")
        if defaults:
            lines.append("  # по умолчанию (раскомментируйте и замените, чтобы задать своё):")
            lines += ["  " + line for line in defaults]
    else:
        lines.append("params: {}")
        if defaults:
            lines.append("# Чтобы задать свои значения, замените строку выше на `params:` и строки ниже,")
            lines.append("# раскомментировав нужные (сейчас действуют значения по умолчанию):")
            lines += defaults
    lines += [
        "",
        "# Что в этой компании не применяется: id регламентов, разделов, пунктов, обязанностей,",
        "# KPI, терминов… Пункты после исключённых перенумеруются.",
        "exclude: []",
        "# Только эти регламенты (или разделы); пустой список — все.",
        "include: []",
        "",
        "# Пункты с другим текстом или числами в этой компании (id пункта → поля, которые заменить):",
        "# overrides:",
        "#   <id пункта>: {deadline: в течение 20 минут, deadline_minutes: 20}",
    ]
    return rel, "\n".join(lines) + "\n"


def new_company(
    root: Path,
    company_id: str,
    *,
    name: str | None = None,
    short_name: str | None = None,
    city: str | None = None,
    visibility: str = "public",
) -> list[Path]:
    """Create ``content/companies/<id>.yml``, then check that company as ``reglament check --company`` does.

    When the new profile would bring errors of its own (a parameter the texts
    need and nothing provides), the file is removed again and
    :class:`ScaffoldError` says what to add first.
    """

    plan = plan_company(root, company_id, name=name, short_name=short_name, city=city, visibility=visibility)
    rel, text = company_file(root, plan)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_text(text, encoding="utf-8")
    tmp.rename(path)
    try:
        project = load_project(root)
        base = {(d.file, d.line, d.column, d.code) for d in base_check(project).diagnostics}
        own = [
            d
            for d in check_variant(project, company=company_id).diagnostics
            if d.severity == "error" and (d.file, d.line, d.column, d.code) not in base
        ]
    except Exception:
        path.unlink(missing_ok=True)
        raise
    if own:
        path.unlink()
        shown = format_text(own[:5], root=root)
        raise ScaffoldError(f"a profile for `{company_id}` would not pass the check; nothing was written:\n{shown}")
    return [path]
