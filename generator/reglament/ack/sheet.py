"""The electronic лист ознакомления: the print edition's sheet, filled in from the records, as a PDF.

Laid out by WeasyPrint like ``reglament pdf`` (same fonts and table), from
an HTML string of this module: the columns of the print sheet (№, ФИО,
должность, дата) plus the edition, the time in UTC, the signing method and
the record's hash, which ``reglament ack verify`` checks against the chain.
Nothing is fetched: the document has no external resources at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from jinja2 import Environment, StrictUndefined
from sqlalchemy import Connection, select

from . import tables as t
from .dashboard import METHOD_RU
from .errors import AckError
from .materiality import Doc
from .pages import date_ru, stamp

CSS = """
@page { size: A4 landscape; margin: 15mm 12mm 18mm; @bottom-center { content: counter(page) " из " counter(pages); font-size: 9pt; } }
body { font-family: "Liberation Serif", "DejaVu Serif", serif; font-size: 11pt; }
h1 { text-align: center; font-size: 15pt; margin: 0 0 2mm; }
.sub { text-align: center; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10pt; }
th, td { border: 0.6pt solid #000; padding: 1.5mm 2mm; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
.c-num { width: 5%; } .c-name { width: 20%; } .c-pos { width: 16%; } .c-ed { width: 7%; } .c-date { width: 13%; }
.c-method { width: 20%; } .c-hash { width: 19%; font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
.foot { margin-top: 5mm; font-size: 9pt; }
"""

TEMPLATE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Лист ознакомления</title></head><body>
<h1>Лист ознакомления</h1>
<p class="sub">с документом «{{ doc.title }}» (редакция {{ doc.edition }}, вводится в действие с {{ doc.effective | date_ru }})<br>{{ company }}</p>
<table><thead><tr><th class="c-num">№ п/п</th><th class="c-name">Фамилия, имя, отчество</th><th class="c-pos">Должность</th>
<th class="c-ed">Редакция</th><th class="c-date">Дата и время ознакомления (UTC)</th><th class="c-method">Способ подписания</th>
<th class="c-hash">Запись (хеш)</th></tr></thead><tbody>
{% for r in records %}<tr><td class="c-num">{{ loop.index }}</td><td>{{ r.employee_name }}</td><td>{{ r.position }}</td>
<td>{{ r.edition }}</td><td>{{ r.acked_at | stamp }}</td><td>{{ method_ru.get(r.method, r.method) }}</td><td class="c-hash">{{ r.record_hash }}</td></tr>
{% endfor %}</tbody></table>
<p class="foot">Записи об ознакомлении хранятся в журнале с цепочкой хешей; проверка: <code>reglament ack verify</code>.
Сформирован {{ generated }}. Содержимое редакции: sha256 {{ doc.content_hash }}.</p>
</body></html>"""


def sheet_records(conn: Connection, doc: Doc) -> list[dict]:
    r = t.acknowledgements.c
    rows = conn.execute(
        select(t.acknowledgements)
        .where(r.company == doc.company, r.regulation == doc.regulation, r.edition == doc.edition)
        .order_by(r.seq)
    )
    return [dict(row) for row in rows.mappings()]


def sheet_html(doc: Doc, records: list[dict], *, company: str, generated: str) -> str:
    env = Environment(autoescape=True, undefined=StrictUndefined)
    env.filters.update(date_ru=date_ru, stamp=stamp)
    return env.from_string(TEMPLATE).render(
        doc=doc, records=records, company=company, method_ru=METHOD_RU, generated=generated
    )


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"the sheet loads nothing: {url}")


def render_sheet(conn: Connection, doc: Doc, *, company: str, now: dt.datetime | None = None) -> bytes:
    """The PDF: every record of this edition, in the order they were made."""
    import weasyprint

    records = sheet_records(conn, doc)
    when = (now or dt.datetime.now(dt.UTC)).strftime("%d.%m.%Y %H:%M UTC")
    html = sheet_html(doc, records, company=company, generated=when)
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        pdf = weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf(
            stylesheets=[weasyprint.CSS(string=CSS)], pdf_identifier=identifier
        )
    except Exception as exc:  # WeasyPrint raises many kinds
        raise AckError(f"the acknowledgement sheet could not be laid out: {exc}") from exc
    finally:
        logger.setLevel(previous)
    assert pdf is not None
    return bytes(pdf)
