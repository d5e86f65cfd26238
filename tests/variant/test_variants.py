"""Company variants: profiles over one base regulation, checked per company, built per company.

Small content trees in temp folders (the `project` fixture); expected positions
are asserted exactly, one case per line where it fits (yamllint style).
"""

from __future__ import annotations

import gzip
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from conftest import DUTIES, REPO, check_json, run_cli, write_tree
from reglament.errors import UnknownCompanyError
from reglament.project import check_project, check_variant, load_project
from reglament.site.search import index_text
from reglament.variant.company_compare import compare_companies
from reglament.variant.resolve import escape_value, make_environment, resolve, used_params

GENERAL_T = """\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]] в {{ company.short_name }}.
  - id: plan
    text: "План продаж — {{ params.plan_amount | num }} ₽ в месяц."
  - id: crm
    text: "{% if params.has_crm %}Все [[lead|лиды]] ведутся в CRM.{% else %}Заявки ведутся в журнале.{% endif %}"
"""

DEFAULTS = """\
name: Компания
short_name: Компания
params:
  plan_amount: 1000000
  has_crm: true
"""

ALPHA = """\
id: alpha
name: Общество с ограниченной ответственностью «Альфа»
short_name: ООО «Альфа»
city: Москва
visibility: internal
params:
  plan_amount: 3000000
  has_crm: false
"""

BETA = """\
id: beta
name: Общество с ограниченной ответственностью «Бета»
short_name: ООО «Бета»
city: Казань
params:
  plan_amount: 1500000
"""


@pytest.fixture
def companies(project):
    """Factory: the minimal tree with templated texts, defaults and two profiles (plus overrides)."""

    def make(overrides: dict[str, str | None] | None = None, **kw) -> Path:
        files = {
            "content/regulations/rules/general.yml": GENERAL_T,
            "content/defaults.yml": DEFAULTS,
            "content/companies/alpha.yml": ALPHA,
            "content/companies/beta.yml": BETA,
        }
        files.update(overrides or {})
        return project(files, **kw)

    return make


def texts(checked) -> dict[str, str]:
    return {
        it.id: it.node.text for it in checked.content.index.values() if isinstance(getattr(it.node, "text", None), str)
    }


def problems(root: Path, company: str | None = None, code: str | None = None, **kw):
    found = check_project(root, company=company, **kw).diagnostics
    return [(d.code, d.file, d.line, d.column) for d in found if code is None or d.code == code]


# --------------------------------------------------------------------------
# Rendering


def test_base_renders_with_defaults_and_each_company_with_its_profile(companies):
    root = companies()
    base, alpha, beta = (check_project(root, company=c) for c in (None, "alpha", "beta"))
    assert [d for d in base.diagnostics + alpha.diagnostics + beta.diagnostics] == []
    assert texts(base)["purpose"] == "Регламент описывает работу с [[lead|лидами]] в Компания."
    assert texts(alpha)["purpose"] == "Регламент описывает работу с [[lead|лидами]] в ООО «Альфа»."
    assert texts(alpha)["plan"] == "План продаж — 3\u00a0000\u00a0000 ₽ в месяц."
    assert texts(beta)["plan"] == "План продаж — 1\u00a0500\u00a0000 ₽ в месяц."
    assert texts(alpha)["crm"] == "Заявки ведутся в журнале."
    assert texts(beta)["crm"] == "Все [[lead|лиды]] ведутся в CRM."  # inherited from defaults


def test_resolve_leaves_the_base_content_untouched(companies):
    project = load_project(companies())
    before = [it.node.text for it in project.loaded.content.index.values() if hasattr(it.node, "text")]
    check_variant(project, company="alpha")
    check_variant(project, company="beta", public=True)
    after = [it.node.text for it in project.loaded.content.index.values() if hasattr(it.node, "text")]
    assert before == after and "{{ company.short_name }}" in before[0]


def test_project_without_companies_or_templates_checks_and_lists_nothing(project):
    root = project()
    assert problems(root) == []
    proc = run_cli("companies", "--json", "--root", str(root))
    assert proc.returncode == 0 and json.loads(proc.stdout) == []
    proc = run_cli("check", "--all-companies", "--root", str(root))
    assert proc.returncode == 2 and "no company profiles" in proc.stderr


def test_unknown_company_is_a_usage_error_with_a_hint(companies):
    root = companies()
    proc = run_cli("check", "--company", "alfa", "--root", str(root))
    assert proc.returncode == 2
    assert "no company profile `alfa`; did you mean `alpha`?" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(UnknownCompanyError):
        check_project(root, company="gamma")


# --------------------------------------------------------------------------
# Per-company rules


def test_missing_parameter_is_reported_at_the_expression_naming_the_company(companies):
    root = companies(
        {
            "content/defaults.yml": "short_name: Компания\nparams:\n  has_crm: true\n  plan_amount: 1\n",
            "content/companies/beta.yml": BETA.replace("  plan_amount: 1500000\n", "  has_crm: true\n").replace(
                "params:\n", "params:\n  bonus: 5\n"
            ),
        }
    )
    general = GENERAL_T.replace("{{ params.plan_amount | num }}", "{{ params.bonus_percent }}")
    write_tree(root, {"content/regulations/rules/general.yml": general})
    code, found = check_json(root, "--company", "beta")
    assert code == 1
    missing = [d for d in found if d["code"] == "missing-parameter"]
    assert [(d["file"], d["line"], d["column"]) for d in missing] == [("content/regulations/rules/general.yml", 8, 29)]
    assert "company `beta`" in missing[0]["message"] and "params.bonus_percent" in missing[0]["message"]
    assert "content/companies/beta.yml" in missing[0]["hint"]


def test_missing_company_field_names_the_field(companies):
    root = companies({"content/defaults.yml": "params:\n  plan_amount: 1\n  has_crm: true\n"})
    found = check_project(root).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("missing-parameter", 6, 61)]
    assert "`short_name`" in found[0].message and "content/defaults.yml" in found[0].hint


def test_guarded_parameter_is_not_missing(companies):
    general = GENERAL_T.replace("{{ params.plan_amount | num }}", "{{ params.plan_amount | default('по приказу') }}")
    root = companies(
        {
            "content/regulations/rules/general.yml": general,
            "content/defaults.yml": "short_name: К\nparams:\n  has_crm: true\n",
            "content/companies/alpha.yml": ALPHA.replace("  plan_amount: 3000000\n", ""),
        }
    )
    assert problems(root, "alpha") == []
    assert texts(check_project(root, company="alpha"))["plan"] == "План продаж — по приказу ₽ в месяц."


def test_unused_parameter_is_a_warning_at_its_key(companies):
    root = companies({"content/companies/beta.yml": BETA + "  bonus_percnt: 10\n"})
    assert problems(root, "beta", "unused-parameter") == [("unused-parameter", "content/companies/beta.yml", 7, 3)]
    assert problems(root, "alpha", "unused-parameter") == []


def test_parameter_used_only_in_an_override_is_used(companies):
    alpha = ALPHA + "  hotline: 8-800\noverrides:\n  purpose:\n    text: Звоните {{ params.hotline }}.\n"
    root = companies({"content/companies/alpha.yml": alpha})
    assert problems(root, "alpha") == []
    assert texts(check_project(root, company="alpha"))["purpose"] == "Звоните 8-800."


def test_unknown_override_exclude_and_include_ids(companies):
    alpha = ALPHA + (
        "exclude: [late-cal]\ninclude: [purpose]\noverrides:\n  purpse:\n    text: X\n"
        "roles:\n  manger: {name: Продавец}\ndepartments:\n  Отдел продажи: Коммерческий отдел\n"
    )
    root = companies({"content/companies/alpha.yml": alpha})
    found = sorted((d.code, d.line, d.column, d.hint) for d in check_project(root, company="alpha").diagnostics)
    assert found == [
        ("unknown-override", 12, 3, "did you mean `purpose`?"),
        ("unknown-override", 15, 3, "did you mean `manager`?"),
        ("unknown-override", 17, 3, "did you mean `Отдел продаж`?"),
        ("unknown-selection", 9, 11, "did you mean `late-call`?"),
        ("unknown-selection", 10, 11, "to leave a clause or an item out, list it under `exclude:`"),
    ]


def test_exclusion_orphaning_a_reference_is_an_error_for_that_company_only(companies):
    root = companies({"content/companies/alpha.yml": ALPHA + "exclude: [call-lead]\n"})
    assert problems(root) == [] and problems(root, "beta") == []
    found = check_project(root, company="alpha").diagnostics
    assert [(d.code, d.file, d.line, d.column) for d in found] == [
        ("unused-term", "content/glossary.yml", 5, 9),  # `deal` was referenced by the excluded duty only
        ("excluded-reference", "content/regulations/rules/duties.yml", 12, 16),
    ]
    assert found[0].message.startswith("company `alpha`: ") and "company `alpha` excludes" in found[1].message
    # the other companies' checks are unaffected, also when all are checked together
    code, all_found = check_json(root, "--all-companies")
    assert code == 1 and [d["code"] for d in all_found] == ["unused-term", "excluded-reference"]


def test_exclusion_renumbers_the_following_clauses(companies):
    root = companies({"content/companies/alpha.yml": ALPHA + "exclude: [purpose]\n"})
    base, alpha = check_project(root), check_project(root, company="alpha")
    assert (base.content.index["plan"].number, alpha.content.index["plan"].number) == ("1.2", "1.1")
    assert "purpose" not in alpha.content.index and "purpose" in base.content.index


def test_include_keeps_only_listed_parts(companies):
    root = companies({"content/companies/alpha.yml": ALPHA + "include: [duties]\n"})
    alpha = check_project(root, company="alpha")
    assert [p.id for r in alpha.content.regulations for p in r.loaded_parts] == ["duties"]
    assert alpha.content.index["call-lead"].number == "1.1"


def test_override_replaces_fields_validates_them_and_points_into_the_profile(companies):
    alpha = ALPHA + (
        "overrides:\n  call-lead:\n    deadline: в течение 5 минут\n    deadline_minutes: 5\n"
        "  late-call:\n    text: За опоздание — [[leed|штраф]].\n"
    )
    root = companies({"content/companies/alpha.yml": alpha})
    checked = check_project(root, company="alpha")
    duty = checked.content.index["call-lead"].node
    assert (duty.deadline, duty.deadline_minutes, duty.text.startswith("Позвонить")) == ("в течение 5 минут", 5, True)
    bad = [(d.code, d.file, d.line, d.column) for d in checked.diagnostics]
    assert bad == [("unknown-reference", "content/companies/alpha.yml", 14, 26)]


@pytest.mark.parametrize(
    "override, expected",
    [
        ("    deadline_minutes: скоро\n", ("wrong-type", 11, 23)),
        ("    dedline: завтра\n", ("unknown-field", 11, 5)),
        ("    id: other\n", ("unknown-field", 11, 5)),
    ],
)
def test_invalid_override_is_a_positioned_error(companies, override, expected):
    root = companies({"content/companies/alpha.yml": ALPHA + "overrides:\n  call-lead:\n" + override})
    found = [(d.code, d.line, d.column) for d in check_project(root, company="alpha").diagnostics]
    assert found == [expected]


def test_role_and_department_renames(companies):
    alpha = (
        ALPHA
        + "roles:\n  manager: {name: Менеджер по работе с клиентами}\ndepartments:\n  Отдел продаж: Коммерческий отдел\n"
    )
    root = companies({"content/companies/alpha.yml": alpha})
    roles = {r.id: (r.name, r.department) for r in check_project(root, company="alpha").content.roles}
    assert roles == {
        "manager": ("Менеджер по работе с клиентами", "Коммерческий отдел"),
        "head": ("Руководитель", "Коммерческий отдел"),
    }


def test_profile_id_must_match_the_file_name(companies):
    root = companies({"content/companies/beta.yml": BETA.replace("id: beta", "id: betta")})
    code, found = check_json(root)
    assert code == 1 and [(d["code"], d["line"], d["column"]) for d in found] == [("profile-id", 1, 5)]


def test_broken_profile_fails_its_company_with_positions(companies):
    root = companies(
        {"content/companies/beta.yml": BETA.replace("city: Казань\n", "city: Казань\nvisibilty: public\n")}
    )
    code, found = check_json(root, "--company", "beta")
    assert code == 1
    assert [(d["code"], d["line"], d["hint"]) for d in found] == [("unknown-field", 5, "did you mean `visibility`?")]
    proc = run_cli("companies", "--root", str(root))
    assert proc.returncode == 1 and proc.stdout.startswith("alpha\t")


# --------------------------------------------------------------------------
# Templates: errors and the sandbox


def test_template_syntax_error_is_a_diagnostic_at_its_line(companies):
    general = GENERAL_T.replace("{{ params.plan_amount | num }}", "{{ params.plan_amount | }}")
    root = companies({"content/regulations/rules/general.yml": general})
    code, found = check_json(root, "--company", "alpha")
    assert code == 1
    assert [(d["code"], d["file"], d["line"]) for d in found] == [
        ("template-syntax", "content/regulations/rules/general.yml", 8)
    ]


def test_misspelt_scope_name_gets_a_did_you_mean(companies):
    general = GENERAL_T.replace("{{ company.short_name }}", "{{ compny.short_name }}")
    root = companies({"content/regulations/rules/general.yml": general})
    found = check_project(root).diagnostics
    assert [(d.code, d.line, d.column, d.hint) for d in found] == [
        ("template-undefined", 6, 61, "did you mean `company`?")
    ]


ATTACKS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ company.__class__ }}",
    "{{ params._data }}",
    "{{ params.__dict__ }}",
    "{{ params|attr('__class__') }}",
    "{{ [].append(23) }}",
    "{{ {1: 2}.clear() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{{ range(100000000) | list }}",
    "{{ self._TemplateReference__context }}",
    "{{ 'a' * 1000000000 }}",
    "{{ [1] * 1000000000 }}",
    "{{ 9 ** 999999999 }}",
    "{% for x in params.__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "{{ (params|attr('__init__')).__globals__ }}",
    "{{ company.name.format.__self__.__class__ }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_sandbox_attack_is_a_diagnostic_not_a_traceback(companies, attack):
    general = GENERAL_T.replace("{{ params.plan_amount | num }}", attack)
    root = companies({"content/regulations/rules/general.yml": general})
    # in-process: any exception escaping the variant step fails the test (the CLI case is tested above)
    found = [d for d in check_project(root, company="alpha").diagnostics if d.severity == "error"]
    codes = {d.code for d in found}
    allowed = {"template-forbidden", "template-limit", "template-undefined", "template-error", "missing-parameter"}
    assert codes and codes <= allowed, found
    assert all((d.file, d.line) == ("content/regulations/rules/general.yml", 8) for d in found), found


def test_template_error_only_one_company_has_names_it(companies):
    general = GENERAL_T.replace("{{ params.plan_amount | num }}", "{{ params.word * 1000 }}")
    root = companies(
        {
            "content/regulations/rules/general.yml": general,
            "content/defaults.yml": DEFAULTS + "  word: a\n",
            "content/companies/alpha.yml": ALPHA + f"  word: {'a' * 200}\n",
        }
    )
    assert [d for d in check_project(root).diagnostics if d.code != "unused-parameter"] == []
    found = [d for d in check_project(root, company="alpha").diagnostics if d.severity == "error"]
    assert [(d.code, d.line) for d in found] == [("template-limit", 8)]
    assert found[0].message.startswith("company `alpha`: template too costly")


def test_format_cannot_reach_attributes():
    env = make_environment()
    with pytest.raises(SecurityError):
        env.from_string('{{ "a{0.__class__}b".format(42) }}').render()
    assert env.from_string('{{ "a{0}b".format(42) }}').render() == "a42b"


# --------------------------------------------------------------------------
# Escaping: a profile value is text, never markup


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ООО «Альфа»", "ООО «Альфа»"),
        ("[[lead]]", r"\[\[lead\]\]"),
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("**bold** `code` _u_", r"\*\*bold\*\* \`code\` \_u\_"),
        ('{: onclick="alert(1)" }', r'\{: onclick="alert(1)" \}'),
        ("a | b", r"a \| b"),
        ("line\n# heading", r"line \# heading"),
        (3000000.0, "3000000"),
        (True, "да"),
    ],
)
def test_escape_value(value, expected):
    assert escape_value(value) == expected


def test_plural_and_num_filters():
    env = make_environment()
    tpl = env.from_string("{{ n }} {{ n | plural('минута', 'минуты', 'минут') }}; {{ 1234567.5 | num }}")
    assert [tpl.render(n=n).split(";")[0] for n in (1, 2, 5, 11, 21, 22, 112)] == [
        "1 минута",
        "2 минуты",
        "5 минут",
        "11 минут",
        "21 минута",
        "22 минуты",
        "112 минут",
    ]
    assert tpl.render(n=1).split("; ")[1] == "1\u00a0234\u00a0567,5"


SCRIPT = "<script>alert(1)</script>"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


@pytest.mark.slow
def test_profile_values_are_escaped_in_the_built_site(companies, tmp_path):
    """Every value a profile controls carries a script (and Markdown/attribute injections); none becomes markup."""
    evil = f"""\
id: alpha
name: "{SCRIPT}"
short_name: "{SCRIPT}"
city: '"><img src=x onerror=alert(1)>'
visibility: internal
roles:
  manager: {{name: "{SCRIPT}", department: "[dep](javascript:alert(1)) {SCRIPT}"}}
  head: {{name: "[[lead]] **x** {{: onclick=alert(1) }}"}}
params:
  plan_amount: "{SCRIPT} [x](javascript:alert(1)) {{: onclick=alert(1) }}"
  has_crm: true
overrides:
  late-call:
    text: "За опоздание {{{{ company.city }}}} {{{{ params.plan_amount }}}} — замечание. [жми](javascript:alert(2))"
"""
    general = GENERAL_T.replace("{{ params.plan_amount | num }}", "{{ params.plan_amount }}")
    root = companies(
        {"content/companies/alpha.yml": evil, "content/regulations/rules/general.yml": general}, with_site_files=True
    )
    out = tmp_path / "site"
    proc = run_cli("build", "--company", "alpha", "--root", str(root), "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = out / "alpha"
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in (".html", ".json", ".xml")}
    pages[out / "index.html"] = (out / "index.html").read_text(encoding="utf-8")
    for path, text in pages.items():
        assert SCRIPT not in text, path
        assert "<img src=x" not in text, path
        assert 'href="javascript:' not in text, path
        if path.suffix == ".html":
            tags = Tags()
            tags.feed(text)
            assert "alert(1)" not in "".join(tags.script_text), path  # no injected script element
            assert not [(tag, a) for tag, attrs in tags.found for a in attrs if a.startswith("on")], path
            assert not [
                h
                for _, attrs in tags.found
                for h in [attrs.get("href") or ""]
                if h.strip().lower().startswith("javascript:")
            ], path
    rules = (site / "rules" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))" in rules  # shown as text
    assert '"&gt;&lt;img src=x onerror=alert(1)&gt;' in rules  # text, not a tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (site / "index.html").read_text(encoding="utf-8")
    assert 'href="#">жми</a>' in rules  # an override's own javascript: link is defused


# --------------------------------------------------------------------------
# Internal content and public builds

MARKER = "ZQX-INTERNAL-7731"

INTERNAL_GLOSSARY = f"""\
terms:
  - id: lead
    term: Лид
    definition: Потенциальный клиент, оставивший контакты.
  - id: deal
    term: Сделка
    definition: Договорённость с клиентом о поставке, созданная из [[lead|лида]].
  - id: kickback
    term: Откатная ставка
    definition: Секретная ставка {MARKER}.
    visibility: internal
"""

INTERNAL_GENERAL = f"""\
id: general
title: Общие положения
kind: clauses
clauses:
  - id: purpose
    text: Регламент описывает работу с [[lead|лидами]] в {{{{ company.short_name }}}}.
  - id: secret-bonus
    visibility: internal
    text: Премия руководителя — {{{{ params.secret_bonus }}}} % ({MARKER}), см. [[kickback|откатную ставку]].
    clauses:
      - id: secret-sub
        text: Подпункт внутреннего пункта {MARKER}.
"""

INTERNAL_PART = f"""\
---
id: internal-notes
title: Служебные заметки {MARKER}
visibility: internal
---

Только для сотрудников: {MARKER}.
"""

INTERNAL_REG = """\
id: rules
title: Регламент менеджера
owner: head
approver: head
audience: [manager]
parts:
  - general.yml
  - duties.yml
  - internal.md
"""


@pytest.fixture
def internal_project(project):
    def make(extra: dict[str, str] | None = None) -> Path:
        files = {
            "content/glossary.yml": INTERNAL_GLOSSARY,
            "content/regulations/rules/general.yml": INTERNAL_GENERAL,
            "content/regulations/rules/internal.md": INTERNAL_PART,
            "content/regulations/rules/regulation.yml": INTERNAL_REG,
            "content/roles.yml": "roles:\n  - id: manager\n    name: Менеджер\n    department: Отдел продаж\n"
            "  - id: head\n    name: Руководитель\n    department: Отдел продаж\n"
            f"  - id: auditor\n    name: Аудитор {MARKER}\n    department: Аудит\n"
            "    visibility: internal\n",
            "content/defaults.yml": f"short_name: Компания\nparams:\n  secret_bonus:\n    value: 17\n"
            f"    visibility: internal\n    description: {MARKER}\n",
            **(extra or {}),
        }
        return project(files, with_site_files=True)

    return make


def site_files(site: Path) -> dict[Path, str]:
    """Every file of a built site as text (sitemap.xml.gz decoded)."""
    out = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        out[path] = raw.decode("utf-8", errors="replace")
    return out


@pytest.mark.slow
def test_public_build_leaves_no_trace_of_internal_items(internal_project, tmp_path):
    root = internal_project()
    public, internal = tmp_path / "public", tmp_path / "internal"
    proc = run_cli("build", "--public", "--root", str(root), "--out", str(public))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = site_files(public)
    names = {p.relative_to(public).as_posix() for p in files}
    assert {"pagefind/pagefind-entry.json", "sitemap.xml", "sitemap.xml.gz", "rules/index.html"} <= names
    leaks = [p for p, text in files.items() if MARKER in text or MARKER in p.as_posix()]
    assert leaks == []
    # the search index (Pagefind: gzip-compressed fragments, lower-cased words) holds nothing internal either
    assert MARKER.lower() not in index_text(public).lower()
    assert "auditor" not in " ".join(names) and "internal-notes" not in files[public / "rules/index.html"]
    # the same content built for employees carries the marker: the scan above would have found it
    proc = run_cli("build", "--root", str(root), "--out", str(internal))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = site_files(internal)
    assert MARKER.lower() in index_text(internal).lower()
    assert MARKER in files[internal / "rules/index.html"]


def test_public_text_pointing_at_an_internal_item_fails_the_public_build(internal_project, tmp_path):
    duties = DUTIES.replace(
        "text: За опоздание со звонком — замечание.", "text: За опоздание — снижение по [[secret-bonus]]."
    )
    root = internal_project({"content/regulations/rules/duties.yml": duties})
    assert problems(root) == []  # an internal site may show it
    found = problems(root, public=True)
    assert found == [("internal-reference", "content/regulations/rules/duties.yml", 11, 38)]
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.html").write_text("old", encoding="utf-8")
    proc = run_cli("build", "--public", "--root", str(root), "--out", str(out), "--format", "json")
    assert proc.returncode == 1
    assert [d["code"] for d in json.loads(proc.stdout)] == ["internal-reference"]
    assert [p.name for p in out.iterdir()] == ["old.html"]


def test_public_text_showing_an_internal_parameter(internal_project):
    general = INTERNAL_GENERAL.replace("в {{ company.short_name }}.", "— ставка {{ params.secret_bonus }} %.")
    root = internal_project({"content/regulations/rules/general.yml": general})
    found = check_project(root, public=True).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("internal-reference", 6, 68)]
    assert "params.secret_bonus" in found[0].message


def test_public_company_profile_is_public_and_internal_company_is_not(internal_project):
    root = internal_project(
        {
            "content/companies/pub.yml": "id: pub\nname: П\nshort_name: П\nvisibility: public\n",
            "content/companies/emp.yml": "id: emp\nname: С\nshort_name: С\nvisibility: internal\n",
        }
    )
    pub, emp = check_project(root, company="pub"), check_project(root, company="emp")
    assert (pub.ok, emp.ok) == (True, True)
    assert "secret-bonus" not in pub.content.index and "kickback" not in pub.content.index
    assert "secret-bonus" in emp.content.index and pub.variant.removed["secret-sub"].by == "secret-bonus"


# --------------------------------------------------------------------------
# Positions inside rendered Markdown bodies


def test_rendered_markdown_body_keeps_source_lines(companies):
    md = (
        "---\nid: intro\ntitle: Введение\n---\n\n{% if params.has_crm %}\nРаботаем в CRM.\n\nЕщё строка.\n"
        "{% endif %}\n\nДля {{ company.short_name }} см. [[no-such-id]].\n"
    )
    reg = (
        "id: rules\ntitle: R\nowner: head\napprover: head\naudience: [manager]\n"
        "parts: [intro.md, general.yml, duties.yml]\n"
    )
    root = companies({"content/regulations/rules/intro.md": md, "content/regulations/rules/regulation.yml": reg})
    for company in (None, "alpha", "beta"):  # alpha renders without the if-block: lines shift
        found = [(d.code, d.line, d.column) for d in check_project(root, company=company).diagnostics]
        assert found == [("unknown-reference", 12, 34)], company


# --------------------------------------------------------------------------
# Compare


def test_compare_lists_names_parameters_exclusions_and_overrides(companies):
    alpha = ALPHA + "exclude: [late-call]\noverrides:\n  call-lead: {deadline: в течение 5 минут}\n"
    root = companies({"content/companies/alpha.yml": alpha})
    project = load_project(root)
    a, b = (check_variant(project, company=c).variant for c in ("alpha", "beta"))
    result = compare_companies(a, b)
    by = {(c.section, c.key): c for c in result.changes}
    assert (by["company", "short_name"].a, by["company", "short_name"].b) == ("ООО «Альфа»", "ООО «Бета»")
    assert (by["params", "plan_amount"].a, by["params", "plan_amount"].b) == (3000000, 1500000)
    assert (by["params", "has_crm"].a, by["params", "has_crm"].b) == (False, True)
    assert by["items", "late-call"].note == "only in beta; alpha: excluded by the profile"
    assert ("deadline", "в течение 5 минут", "в течение 15 минут") in by["items", "call-lead"].fields
    assert ("items", "purpose") in by and ("items", "deal") not in by


def test_compare_cli_on_the_sample_companies_lists_their_real_differences():
    proc = run_cli("compare", "vector-msk", "kama-kzn", "--root", str(REPO))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in (
        "short_name: «ООО «Вектор-Москва»» → «ООО «Кама Трейд»»",
        "plan_amount: 3000000 → 1200000",
        "response_minutes: 15 → 20",
        "`red-discount` (reduction)",
        "kama-kzn: excluded by the profile",
        "`mot-bonus-fund` (clause)",
        "kama-kzn: internal (left out of a public site)",
        "bonus_base: 80000 → 60000",
        "deadline_minutes: 15 → 20",
    ):
        assert expected in out, expected
    data = json.loads(run_cli("compare", "ural-ekb", "--format", "json", "--root", str(REPO)).stdout)
    assert data["b"] == "base"
    keys = {(c["section"], c["key"]) for c in data["changes"]}
    assert {("items", "requests-channels"), ("items", "manager"), ("params", "plan_amount")} <= keys


def test_sample_companies_check_clean():
    proc = run_cli("check", "--all-companies", "--strict", "--root", str(REPO))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = json.loads(run_cli("companies", "--json", "--root", str(REPO)).stdout)
    assert [(c["id"], c["visibility"]) for c in listed] == [
        ("kama-kzn", "public"),
        ("ural-ekb", "internal"),
        ("vector-msk", "internal"),
    ]


# --------------------------------------------------------------------------
# Building every company


@pytest.mark.slow
def test_build_all_companies_one_failing_keeps_its_old_site_and_names_it(companies, tmp_path):
    root = companies(with_site_files=True)
    out = tmp_path / "site"
    proc = run_cli("build", "--all-companies", "--jobs", "2", "--root", str(root), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [".reglament-site", "alpha", "beta", "index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="alpha/"' in index and "ООО «Бета»" in index
    alpha_home = (out / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "ООО «Альфа»" in alpha_home and "3\u00a0000\u00a0000" in (out / "alpha/rules/index.html").read_text("utf-8")
    assert "1\u00a0500\u00a0000" in (out / "beta/rules/index.html").read_text(encoding="utf-8")
    before = (out / "beta" / "index.html").read_bytes()

    write_tree(
        root,
        {
            "content/companies/beta.yml": BETA + "exclude: [call-lead]\n",
            "content/companies/alpha.yml": ALPHA.replace("3000000", "4000000"),
        },
    )
    proc = run_cli("build", "--all", "--jobs", "1", "--root", str(root), "--out", str(out))
    assert proc.returncode == 1
    assert "build failed for: beta" in proc.stderr and "[2/2] beta: FAILED, previous site kept" in proc.stderr
    assert "excluded-reference" in proc.stdout
    assert "4\u00a0000\u00a0000" in (out / "alpha/rules/index.html").read_text(encoding="utf-8")  # rebuilt
    assert (out / "beta" / "index.html").read_bytes() == before  # kept whole
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".site")]  # no temp folders left

    # one company rebuilt on its own: the other companies' sites stay, the index lists them all
    proc = run_cli("build", "--company", "alpha", "--root", str(root), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [".reglament-site", "alpha", "beta", "index.html"]
    assert (out / "beta" / "index.html").read_bytes() == before
    assert 'href="beta/"' in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_sample_sites_differ_in_names_and_numbers_as_the_profiles_say(tmp_path):
    """What `make site` does, into a temp folder: every sample company's site."""
    root = tmp_path / "sample"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    out = tmp_path / "site"
    proc = run_cli("build", "--all-companies", "--root", str(root), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = {
        cid: (out / cid / "sales-manager" / "index.html").read_text(encoding="utf-8")
        for cid in ("vector-msk", "kama-kzn", "ural-ekb")
    }
    assert "ООО «Вектор-Москва»" in page["vector-msk"] and "3\u00a0000\u00a0000" in page["vector-msk"]
    assert "ООО «Кама Трейд»" in page["kama-kzn"] and "1\u00a0200\u00a0000" in page["kama-kzn"]
    assert "ООО «Урал-Вектор»" in page["ural-ekb"] and "1\u00a0800\u00a0000" in page["ural-ekb"]
    assert 'id="red-discount"' in page["vector-msk"] and 'id="red-discount"' not in page["kama-kzn"]
    assert "Фонд премирования" in page["vector-msk"] and not any(
        "Фонд премирования" in text for text in site_files(out / "kama-kzn").values()
    )
    requests = (out / "ural-ekb" / "incoming-requests" / "index.html").read_text(encoding="utf-8")
    assert 'id="requests-channels"' not in requests and "Коммерческий отдел" in (
        out / "ural-ekb" / "roles" / "manager" / "index.html"
    ).read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# Internal parameters are absent from a public variant's template context

SECRET = "17"  # the internal parameter's value (content/defaults.yml of internal_project)


def _general(expression: str) -> str:
    return INTERNAL_GENERAL.replace("в {{ company.short_name }}.", f"— ставка {expression} %.")


@pytest.mark.parametrize(
    "expression, code",
    [
        ("{% set p = params %}{{ p.secret_bonus }}", "internal-reference"),
        ("{{ params|attr('secret_bonus') }}", "internal-reference"),
        ("{{ params['secret_' ~ 'bonus'] }}", "internal-reference"),
        ("{% with p = params %}{{ p['secret_bonus'] }}{% endwith %}", "internal-reference"),
        ("{% set k = 'secret_bonus' %}{{ params[k] }}", "internal-reference"),
        ("{{ params.secret_bonus }}", "internal-reference"),
    ],
)
def test_every_path_to_an_internal_parameter_is_a_positioned_diagnostic(internal_project, expression, code):
    root = internal_project({"content/regulations/rules/general.yml": _general(expression)})
    assert check_project(root).diagnostics == []  # the internal site may show it
    found = check_project(root, public=True).diagnostics
    assert [(d.code, d.file, d.line) for d in found] == [(code, "content/regulations/rules/general.yml", 6)]
    assert found[0].column > 1
    assert "secret_bonus" in found[0].message and SECRET not in found[0].message


@pytest.mark.parametrize(
    "expression",
    [
        "{{ params|dictsort }}",
        "{% for k, v in params.items() %}{{ k }}={{ v }};{% endfor %}",
        "{{ params|list|join(',') }}",
        "{{ params.values()|join(',') }}",
        "{{ params }}",
    ],
)
def test_iterating_params_shows_only_what_the_audience_may_see(internal_project, expression):
    general = _general(expression)
    root = internal_project(
        {
            "content/regulations/rules/general.yml": general,
            "content/defaults.yml": "short_name: Компания\nparams:\n  secret_bonus:\n    value: 9918273\n"
            "    visibility: internal\n  plan:\n    value: 5\n",
        }
    )
    checked = check_project(root, public=True)
    assert [d.code for d in checked.diagnostics if d.code != "unused-parameter"] == []
    purpose = checked.variant.content.index["purpose"].node.text
    assert "9918273" not in purpose and "secret_bonus" not in purpose


@pytest.mark.parametrize("public", [False, True])
def test_used_parameters_of_the_base_are_those_of_every_template_source(companies, public):
    # the base variant's walk collects the templated strings it meets (every node, unchanged) instead of
    # walking the content a second time: the same parameters as template_sources of the whole content
    body = "---\nid: notes\ntitle: Заметки\n---\nОтвет в течение {{ params.reply_hours }} часов.\n"
    hidden = "  - id: internal-note\n    visibility: internal\n    text: Порог {{ params.secret_limit }}.\n"
    root = companies(
        {
            "content/regulations/rules/general.yml": GENERAL_T + hidden,
            "content/regulations/rules/notes.md": body,
            "content/defaults.yml": DEFAULTS + "  reply_hours: 4\n  secret_limit: 5\n",
        }
    )
    reg = root / "content/regulations/rules/regulation.yml"
    reg.write_text(reg.read_text().replace("- general.yml", "- general.yml\n  - notes.md"), encoding="utf-8")
    project = load_project(root)
    content = project.loaded.content
    variant = resolve(
        content,
        defaults=project.profiles.defaults,
        public=public,
        other_profiles=project.companies,
        cache=project.cache,
    )
    expected = used_params(content, list(project.companies), project.cache)
    assert variant.used_params == expected
    assert {"plan_amount", "has_crm", "reply_hours", "secret_limit"} <= expected
