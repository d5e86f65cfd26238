"""The print edition: real PDFs laid out by WeasyPrint, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, run_cli, write_tree
from reglament.diff import compare_editions
from reglament.model import nodes as m
from reglament.model.content import children, part_items
from reglament.pdf.document import (
    Change,
    ChangeSheet,
    Company,
    Edition,
    Employee,
    PdfError,
    PrintJob,
    _fetcher,
    change_sheet_from,
    document_html,
    print_editions,
    render_pdf,
    site_pdfs,
    split_signer,
    typography,
)
from reglament.project import check_project

TODAY = dt.date(2026, 3, 2)
MARKER = "ВНУТРЕННИЙМАРКЕР7Q"

# A richer regulation than the minimal tree: nested clauses, a group, tables, prose, internal items.
RICH = {
    "content/glossary.yml": """\
        terms:
          - id: lead
            term: Лид
            definition: Потенциальный клиент, оставивший контакты.
          - id: deal
            term: Сделка
            definition: Договорённость с клиентом, созданная из [[lead|лида]].
          - id: secret-term
            term: Секретный термин
            definition: Определение с маркером ВНУТРЕННИЙМАРКЕР7Q.
            visibility: internal
        """,
    "content/regulations/rules/regulation.yml": """\
        id: rules
        title: Регламент работы менеджера
        short_title: Менеджер
        owner: head
        approver: head
        audience: [manager]
        parts:
          - general.yml
          - duties.yml
          - final.md
        """,
    "content/regulations/rules/general.yml": """\
        id: general
        title: Общие положения
        kind: clauses
        clauses:
          - id: purpose
            text: Регламент описывает работу с [[lead|лидами]]; <b>не тег</b> и 60 000 ₽.
          - id: docs
            text: 'Менеджер руководствуется:'
            clauses:
              - id: docs-law
                text: законодательством;
              - id: docs-secret
                text: секретным приказом ВНУТРЕННИЙМАРКЕР7Q;
                visibility: internal
              - id: docs-rules
                text: настоящим регламентом (см. [[late-call]]).
          - id: internal-clause
            text: Только для своих [[secret-term]] ВНУТРЕННИЙМАРКЕР7Q.
            visibility: internal
          - id: last
            text: Последний пункт раздела.
        """,
    "content/regulations/rules/duties.yml": """\
        id: duties
        title: Обязанности
        kind: duties
        groups:
          - id: calls
            title: Звонки
            duties:
              - id: call-lead
                text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].
                role: manager
                deadline: в течение 15 минут
        duties:
          - id: report
            text: Сдавать отчёт.
            role: manager
        responsibility:
          - id: late-call
            text: За опоздание со звонком — замечание.
            enforces: [call-lead]
        """,
    "content/regulations/rules/final.md": """\
        ---
        id: final
        title: Заключительные положения
        ---

        Регламент вступает в силу с даты утверждения. Контроль — за [[head|руководителем]].
        """,
}


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def job_for(root: Path, *, public: bool = False, **kw) -> PrintJob:
    checked = check_project(root, public=public)
    assert checked.ok, checked.diagnostics
    content = checked.content
    defaults = dict(
        company=Company(
            full_name="Общество с ограниченной ответственностью «Ромашка»", short_name="ООО «Ромашка»", city="Казань"
        ),
        edition=Edition(effective=TODAY),
    )
    defaults.update(kw)
    return PrintJob(content=content, regulation=content.regulations[0], public=public, **defaults)


def expected_numbers(content, reg: m.Regulation) -> list[str]:
    """Numbers in document order, straight from the content index (what the site shows)."""
    out = []

    def walk(nodes):
        for node in nodes:
            out.append(content.index[node.id].number)
            walk(children(node))

    for s, part in enumerate(reg.loaded_parts, 1):
        out.append(str(s))
        walk(part_items(part))
    return out


def in_order(text: str, needles: list[str]) -> list[str]:
    """The needles not found in order in ``text`` (a number must stand alone: «3.1» does not match «13.1.2»)."""
    missing, pos = [], 0
    for needle in needles:
        found = re.compile(r"(?<![\d.])" + re.escape(needle) + r"(?!\.?\d)").search(text, pos)
        if found is None:
            missing.append(needle)
        else:
            pos = found.end()
    return missing


@pytest.fixture
def rich(project):
    return project(RICH, with_site_files=True)


# ------------------------------------------------------------------ the document


@pytest.mark.slow
def test_pdf_has_title_approval_clauses_and_sheets(rich):
    job = job_for(
        rich, employees=(Employee("Иванов Иван Иванович", "manager"), Employee("Петрова Анна Сергеевна", "head"))
    )
    data = render_pdf(job, templates=rich / "templates", root=rich)
    text, pages = pdf_text(data)
    flat = re.sub(r"\s+", " ", text)
    assert data.startswith(b"%PDF-")
    assert "Регламент работы менеджера" in flat
    assert "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РОМАШКА»" in flat
    assert "УТВЕРЖДАЮ" in flat and "Руководитель" in flat and "ООО «Ромашка»" in flat
    assert "Рабочая редакция по состоянию на 02.03.2026" in flat
    assert "СОДЕРЖАНИЕ" in flat and "ЛИСТ ОЗНАКОМЛЕНИЯ" in flat
    for header in ("Фамилия, имя, отчество", "Должность", "Дата ознакомления", "Подпись"):
        assert header in flat, header
    # only employees of the audience roles are pre-filled; the position is the role's name
    ack = flat[flat.index("ЛИСТ ОЗНАКОМЛЕНИЯ") :]
    assert "Иванов Иван Иванович Менеджер" in ack
    assert "Петрова" not in ack
    # the holder of the approver role signs the approval block
    title_page = flat[: flat.index("СОДЕРЖАНИЕ")]
    assert "А. С. Петрова" in title_page
    assert "ЛИСТ ИЗМЕНЕНИЙ" not in flat  # no predecessor: no change sheet
    # no terms part: the referenced terms form the glossary appendix
    assert "ГЛОССАРИЙ" in flat and "Лид — Потенциальный клиент" in flat
    # every clause number in document order, numbered as the content index numbers them
    body = flat[flat.index("1. ОБЩИЕ ПОЛОЖЕНИЯ") :]
    expected = expected_numbers(job.content, job.regulation)
    assert expected[:6] == ["1", "1.1", "1.2", "1.2.1", "1.2.2", "1.2.3"]
    assert in_order(body, expected) == []
    # footer «N из M» on every page after the title page
    for n in range(2, pages + 1):
        assert f"{n} из {pages}" in flat
    # raw HTML in a text stays text; numbers keep their non-breaking spaces
    assert "<b>не тег</b>" in flat and "60 000 ₽" in flat


def test_html_numbers_are_the_index_numbers_for_the_sample():
    """The sample content: every numbered element carries `Item.number` — the site's number — in order."""
    checked = check_project(REPO)
    assert checked.ok
    for reg in checked.content.regulations:
        job = PrintJob(
            content=checked.content,
            regulation=reg,
            company=Company(full_name="Компания"),
            edition=Edition(effective=TODAY),
        )
        html = document_html(job, templates=REPO / "templates")
        shown = re.findall(
            r'id="([a-z0-9-]+)"[^>]*>\s*(?:<h2>)?(?:<td class="c-num num">|<span class="num">)([\d.]+?)\.?<', html
        )
        index = checked.content.index
        numbered = [(ident, num) for ident, num in shown if not ident.startswith("term-")]
        assert numbered, reg.id
        for ident, num in numbered:
            assert index[ident].number == num, ident
        assert [num for _, num in numbered] == expected_numbers(checked.content, reg)
        # the terms part numbers its entries like the site: «<part>.<position>»
        terms = [num for ident, num in shown if ident.startswith("term-")]
        if terms:
            part_no = terms[0].split(".")[0]
            assert terms == [f"{part_no}.{i}" for i in range(1, len(terms) + 1)]


@pytest.mark.slow
def test_public_pdf_has_no_internal_item_and_numbers_close_up(rich):
    internal = render_pdf(job_for(rich), templates=rich / "templates", root=rich)
    public_job = job_for(rich, public=True)
    public = render_pdf(public_job, templates=rich / "templates", root=rich)
    text_internal, _ = pdf_text(internal)
    text_public, _ = pdf_text(public)
    assert MARKER in text_internal.replace("\n", "")
    assert MARKER not in text_public.replace("\n", "").replace(" ", "")
    assert MARKER.encode() not in public
    reader = PdfReader(io.BytesIO(public))
    assert MARKER not in str(reader.metadata)
    # public numbering is recomputed without the internal items: «Последний пункт» is 1.3, not 1.4
    assert public_job.content.index["last"].number == "1.3"
    assert re.search(r"1\.3\.\s+Последний пункт", text_public)
    assert "public" in (reader.metadata.get("/Keywords") or "")


@pytest.mark.slow
def test_same_input_same_pdf(rich):
    job = job_for(rich)
    first = render_pdf(job, templates=rich / "templates", root=rich)
    second = render_pdf(job_for(rich), templates=rich / "templates", root=rich)
    assert len(PdfReader(io.BytesIO(first)).pages) == len(PdfReader(io.BytesIO(second)).pages)
    assert first == second
    # the blank acknowledgement sheet fits its own page: the last page holds its title and all rows
    last = PdfReader(io.BytesIO(first)).pages[-1].extract_text()
    assert "ЛИСТ ОЗНАКОМЛЕНИЯ" in last and re.search(r"(?m)^\s*15\s*$", last)


@pytest.mark.slow
def test_edition_title_page_and_change_sheet(rich):
    edition = Edition(
        effective=dt.date(2026, 2, 1),
        id="2026.1",
        title="Вторая редакция",
        approved_by="А. В. Смирнов",
        approved_position="Генеральный директор",
        approved_on=dt.date(2026, 1, 20),
    )
    sheet = ChangeSheet(
        "редакция 2025.1",
        (
            Change("changed", "п.\u00a01.1", "Регламент описывает работу с лидами"),
            Change("moved", "п.\u00a01.2 → п.\u00a01.3", "Последний пункт раздела."),
            Change("removed", "п.\u00a02.3", "Старый пункт"),
        ),
    )
    job = job_for(rich, edition=edition, change_sheet=sheet)
    text, _ = pdf_text(render_pdf(job, templates=rich / "templates", root=rich))
    flat = re.sub(r"\s+", " ", text)
    assert "Генеральный директор" in flat and "А. В. Смирнов" in flat
    assert "«20» января 2026 г." in flat
    assert "Вводится в действие с 01.02.2026" in flat
    assert "Редакция 2026.1" in flat
    assert "ЛИСТ ИЗМЕНЕНИЙ" in flat and "по сравнению с редакцией 2025.1" in flat
    assert "п. 1.2 → п. 1.3" in flat and "исключён" in flat and "изменён" in flat
    # the running header names the edition on every page but the title page
    assert flat.count("Редакция 2026.1, действует с 01.02.2026") >= 3


def test_blank_acknowledgement_rows_without_employees(rich):
    html = document_html(job_for(rich), templates=rich / "templates")
    ack = html[html.index('id="acknowledgement"') :]
    assert ack.count('<tr><td class="c-num">') == 15
    assert "Иванов" not in ack


def test_split_signer_and_typography():
    assert split_signer("Генеральный директор А. В. Смирнов") == ("Генеральный директор", "А. В. Смирнов")
    assert split_signer("Директор Смирнов Алексей Викторович") == ("Директор", "Смирнов Алексей Викторович")
    assert split_signer("Генеральный директор") == ("Генеральный директор", "")
    assert (
        typography("см. п. 3.2: 20 % от 60 000 ₽ — да") == "см. п.\u00a03.2: 20\u00a0% от 60\u00a0000\u00a0₽\u00a0— да"
    )


def test_fetcher_serves_only_the_shipped_print_assets(tmp_path):
    assets = tmp_path / "templates" / "pdf"
    assets.mkdir(parents=True)
    (assets / "logo.png").write_bytes(b"\x89PNG")
    (assets / ".env").write_text("SECRET=1", encoding="utf-8")
    (tmp_path / ".env").write_text("SECRET=1", encoding="utf-8")
    fetcher = _fetcher(assets)
    for url in (
        "http://127.0.0.1:9/x.png",
        "file:///etc/hostname",
        (tmp_path / ".env").as_uri(),
        (assets / ".env").as_uri(),
        (assets / ".." / ".." / ".env").as_uri(),
        "data:text/plain,SECRET",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((assets / "logo.png").as_uri()) is not None


HOSTILE_FINAL = """\
    ---
    id: final
    title: Заключительные положения
    ---

    Регламент вступает в силу. [Приложение](../../../.env){: rel="attachment" } и
    [конфиг](../../../.git/config){: rel="attachment" }, [js](javascript:alert(1)), [файл](file:///etc/passwd),
    [данные](data:text/html,<b>x</b>), ![картинка](../../../.env){: onerror="alert(1)" }

    Абзац с атрибутами {: onmouseover="alert(2)" style="background:url(javascript:alert(3))" }

    ## Заголовок {: onclick="alert(4)" }
    """


def test_content_never_creates_attachments_or_script_links(rich, tmp_path):
    from pypdf.generic import IndirectObject

    (rich / ".env").write_text("DB_PASSWORD=ZQX-SECRET-5511\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(rich)], check=True)
    (rich / "content/regulations/rules/final.md").write_text(textwrap.dedent(HOSTILE_FINAL), encoding="utf-8")
    out = tmp_path / "pdf"
    proc = run_cli("pdf", "--root", str(rich), "--out", str(out), "--date", "2026-03-02")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = out.glob("*.pdf")
    raw = path.read_bytes()
    reader = PdfReader(io.BytesIO(raw))
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    assert reader.attachments == {}
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object() if isinstance(annot, IndirectObject) else annot
            assert annot.get("/Subtype") != "/FileAttachment"
            action = annot.get("/A")
            if action is not None:
                action = action.get_object()
                assert action.get("/S") in ("/URI", "/GoTo", None), action
                if "/URI" in action:
                    uris.append(str(action["/URI"]))
    assert not [u for u in uris if not u.startswith(("http:", "https:", "mailto:", "tel:"))], uris
    text, _ = pdf_text(raw)
    assert "ZQX-SECRET-5511" not in text and b"ZQX-SECRET-5511" not in raw
    assert "Приложение" in text and "Заголовок" in text  # the text stays, the markup goes


def test_template_sandbox_and_missing_templates(rich, tmp_path):
    (rich / "templates" / "pdf" / "document.html.j2").write_text(
        "{{ job.content.__class__.__mro__ }}", encoding="utf-8"
    )
    with pytest.raises(PdfError, match="template"):
        document_html(job_for(rich), templates=rich / "templates")
    with pytest.raises(PdfError, match="no print templates"):
        document_html(job_for(rich), templates=tmp_path)


# ------------------------------------------------------------------ the command


@pytest.mark.slow
def test_cli_writes_one_pdf_per_regulation(rich, tmp_path):
    out = tmp_path / "pdf"
    proc = run_cli("pdf", "--root", str(rich), "--out", str(out), "--date", "2026-03-02")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["rules.pdf"]
    text, _ = pdf_text((out / "rules.pdf").read_bytes())
    assert "по состоянию на 02.03.2026" in text


def test_cli_content_errors_write_nothing(project, tmp_path):
    root = project(
        {"content/regulations/rules/general.yml": "id: general\ntitle: X\nkind: clauses\nclauses: []\n"},
        with_site_files=True,
    )
    out = tmp_path / "pdf"
    proc = run_cli("pdf", "--root", str(root), "--out", str(out), "--format", "json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert '"file": "content/regulations/rules/general.yml"' in proc.stdout
    assert not out.exists()


def test_cli_unknown_edition_exits_2(rich, tmp_path):
    proc = run_cli("pdf", "--root", str(rich), "--out", str(tmp_path / "pdf"), "--edition", "9.9")
    assert proc.returncode == 2
    assert "no edition `9.9`" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "pdf").exists()


# ------------------------------------------------------------------ editions and the change sheet

EDITIONS = """\
editions:
  - id: "2026.1"
    title: Первая редакция
    effective: 2026-02-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2026-01-20
  - id: "2026.2"
    title: Вторая редакция
    effective: 2026-06-01
    approved_by: Генеральный директор Смирнов Алексей Викторович
    approved: 2026-05-15
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True, capture_output=True
    )


def test_change_sheet_from_a_real_diff(rich):
    old = check_project(rich).content
    general = (rich / "content/regulations/rules/general.yml").read_text(encoding="utf-8")
    general = general.replace("Последний пункт раздела.", "Последний пункт раздела, исправленный.")
    general = general.replace(
        "  - id: purpose\n", "  - id: inserted\n    text: Новый пункт о [[deal|сделках]].\n  - id: purpose\n"
    )
    (rich / "content/regulations/rules/general.yml").write_text(general, encoding="utf-8")
    duties = (rich / "content/regulations/rules/duties.yml").read_text(encoding="utf-8")
    (rich / "content/regulations/rules/duties.yml").write_text(
        duties.replace("в течение 15 минут", "в течение 10 минут"), encoding="utf-8"
    )
    new = check_project(rich).content
    sheet = change_sheet_from(compare_editions(old, new), regulation="rules", previous="редакция 1", content=new)
    rows = {(c.kind, c.where): c.summary for c in sheet.changes}
    assert rows[("added", "п.\u00a01.1")] == "Новый пункт о сделках."
    assert (old.index["last"].number, new.index["last"].number) == ("1.4", "1.5")
    assert rows[("changed", "п.\u00a01.4 → п.\u00a01.5")] == "Последний пункт раздела, исправленный."
    assert "10" in rows[("changed", "п.\u00a02.1.1")]
    # clauses renumbered only by the insertion are no change of their own
    assert not any(c.kind == "moved" for c in sheet.changes)


@pytest.mark.slow
def test_edition_from_its_tag_with_change_sheet(rich, tmp_path):
    write_tree(rich, {"content/editions.yml": EDITIONS})
    git(rich, "init", "-q", "-b", "main")
    git(rich, "add", "-A")
    git(rich, "commit", "-qm", "first")
    git(rich, "tag", "edition/2026.1")
    general = rich / "content/regulations/rules/general.yml"
    general.write_text(
        general.read_text(encoding="utf-8").replace(
            "Последний пункт раздела.", "Последний пункт раздела, в новой редакции."
        ),
        encoding="utf-8",
    )
    git(rich, "commit", "-qam", "second")
    git(rich, "tag", "edition/2026.2")
    # the working tree moves on after the tag: the PDF prints the tagged text
    general.write_text(general.read_text(encoding="utf-8").replace("в новой редакции", "ЧЕРНОВИК"), encoding="utf-8")
    out = tmp_path / "pdf"
    printed = print_editions(rich, out, today=TODAY, edition="2026.2")
    assert printed.ok and printed.notes == []
    text, _ = pdf_text((out / "rules.pdf").read_bytes())
    flat = re.sub(r"\s+", " ", text)
    assert "ЧЕРНОВИК" not in flat and "в новой редакции" in flat
    assert "Вторая редакция" in flat and "Редакция 2026.2" in flat
    assert "А. В. Смирнов" in flat and "«15» мая 2026 г." in flat
    assert "ЛИСТ ИЗМЕНЕНИЙ" in flat and "по сравнению с редакцией 2026.1" in flat
    sheet = flat[flat.index("ЛИСТ ИЗМЕНЕНИЙ") : flat.index("ЛИСТ ОЗНАКОМЛЕНИЯ")]
    assert "п. 1.4 изменён Последний пункт раздела, в новой редакции." in sheet
    # the first edition has no predecessor: no change sheet
    printed = print_editions(rich, out, today=TODAY, edition="2026.1")
    text, _ = pdf_text((out / "rules.pdf").read_bytes())
    assert "ЛИСТ ИЗМЕНЕНИЙ" not in text and "в новой редакции" not in text


def test_untagged_edition_prints_the_working_tree_with_a_note(rich, tmp_path):
    write_tree(rich, {"content/editions.yml": EDITIONS})
    printed = print_editions(rich, tmp_path / "pdf", today=TODAY, edition="2026.2")
    assert printed.ok
    assert printed.notes == [
        "no tag `edition/2026.2` yet: printing the working tree as edition 2026.2",
        "no change sheet: the previous edition's tag `edition/2026.1` is missing",
    ]
    assert (tmp_path / "pdf" / "rules.pdf").exists()


# ------------------------------------------------------------------ companies

COMPANY_A = """\
id: alfa
name: Общество с ограниченной ответственностью «Альфа»
short_name: ООО «Альфа»
city: Тверь
visibility: internal
roles:
  manager: {name: Менеджер по продажам}
employees:
  - name: Кузнецова Мария Олеговна
    role: manager
  - name: Орлов Пётр Ильич
    role: manager
    position: Старший менеджер
  - name: Белов Андрей Сергеевич
    role: head
"""

COMPANY_B = """\
id: beta
name: Акционерное общество «Бета»
short_name: АО «Бета»
visibility: public
employees:
  - name: Секретов Тайный Маркерович
    role: manager
"""


@pytest.mark.slow
def test_companies_get_their_names_people_and_visibility(rich, tmp_path):
    write_tree(rich, {"content/companies/alfa.yml": COMPANY_A, "content/companies/beta.yml": COMPANY_B})
    out = tmp_path / "pdf"
    printed = print_editions(rich, out, today=TODAY, companies=["alfa", "beta"])
    assert printed.ok, printed.diagnostics
    assert sorted(p.relative_to(out).as_posix() for p in printed.files) == ["alfa/rules.pdf", "beta/rules.pdf"]
    alfa, _ = pdf_text((out / "alfa" / "rules.pdf").read_bytes())
    alfa = re.sub(r"\s+", " ", alfa)
    assert "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «АЛЬФА»" in alfa and "Тверь, 2026" in alfa
    ack = alfa[alfa.index("ЛИСТ ОЗНАКОМЛЕНИЯ") :]
    # names pre-filled for the audience role, with the company's name of the role (or the given position)
    assert "1 Кузнецова Мария Олеговна Менеджер по продажам" in ack
    assert "2 Орлов Пётр Ильич Старший менеджер" in ack
    assert "Белов" not in ack and "А. С. Белов" in alfa[: alfa.index("СОДЕРЖАНИЕ")]
    assert MARKER in alfa.replace(" ", "")  # an internal company prints internal items
    beta, _ = pdf_text((out / "beta" / "rules.pdf").read_bytes())
    beta = re.sub(r"\s+", " ", beta)
    assert "АКЦИОНЕРНОЕ ОБЩЕСТВО «БЕТА»" in beta
    assert MARKER not in beta.replace(" ", "")  # a public company leaves internal items out…
    assert "Секретов" not in beta  # …and prints no employee's name (personal data)


def test_employee_with_unknown_role_is_a_check_error(rich):
    write_tree(rich, {"content/companies/alfa.yml": COMPANY_A.replace("role: head", "role: haed")})
    found = [d for d in check_project(rich, company="alfa").diagnostics if d.code == "employee-role"]
    assert [(d.file, d.line, d.column) for d in found] == [("content/companies/alfa.yml", 15, 11)]
    assert "`head`" in found[0].hint


@pytest.mark.slow
def test_cli_all_companies_one_failing(rich, tmp_path):
    write_tree(
        rich,
        {
            "content/companies/alfa.yml": COMPANY_A,
            "content/companies/beta.yml": COMPANY_B.replace("role: manager", "role: nobody"),
        },
    )
    out = tmp_path / "pdf"
    proc = run_cli("pdf", "--root", str(rich), "--all", "--out", str(out), "--format", "json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "pdf failed for beta" in proc.stderr
    assert '"code": "employee-role"' in proc.stdout
    assert (out / "alfa" / "rules.pdf").exists() and not (out / "beta").exists()
    proc = run_cli("pdf", "--root", str(rich), "--company", "gamma", "--out", str(out))
    assert proc.returncode == 2 and "gamma" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ the site's copies


@pytest.mark.slow
def test_public_site_links_its_pdfs_and_they_hold_nothing_internal(rich, tmp_path):
    from reglament.site.build import build

    edition = functools.partial(site_pdfs, edition=Edition(effective=TODAY))
    built = build(rich, tmp_path / "site", public=True, pdf=edition, stage=tmp_path / "stage")
    assert built.ok, built.diagnostics
    page = (tmp_path / "site" / "rules" / "index.html").read_text(encoding="utf-8")
    assert 'href="../pdf/rules.pdf"' in page and page.count("Скачать PDF") == 1
    data = (tmp_path / "site" / "pdf" / "rules.pdf").read_bytes()
    text, _ = pdf_text(data)
    assert "УТВЕРЖДАЮ" in text
    assert MARKER not in text.replace("\n", "").replace(" ", "")
    # without pdf= the site has neither the files nor the link
    built = build(rich, tmp_path / "site2", public=True, stage=tmp_path / "stage2")
    assert built.ok
    assert not (tmp_path / "site2" / "pdf").exists()
    assert "Скачать PDF" not in (tmp_path / "site2" / "rules" / "index.html").read_text(encoding="utf-8")
