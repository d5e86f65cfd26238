"""The service's HTML (Russian), rendered with autoescaping: every text from the content or HR files is escaped."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

CHANGE_RU = {"added": "добавлен", "removed": "исключён", "changed": "изменён", "moved": "перенесён"}
REF_RE = re.compile(r"\[\[\s*([^\]|]+?)\s*(?:\|([^\]]*))?\]\]")

LAYOUT = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}Ознакомление с регламентами{% endblock %}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.5rem}.muted{color:#59636e}
.status{padding:.75rem 1rem;border-radius:6px;margin:1rem 0}.ok{background:#dafbe1}.todo{background:#fff8c5}
.bad{background:#ffebe9}del{background:#ffebe9;color:#82071e}ins{background:#dafbe1;color:#055d20;text-decoration:none}
.item{margin:.5rem 0}.num{font-weight:600;margin-right:.4rem}button{font-size:1rem;padding:.5rem 1.2rem;cursor:pointer}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #d1d9e0;padding:.3rem .5rem;text-align:left}
th{background:#f6f8fa}.overdue{color:#82071e;font-weight:600}form.filters{display:flex;gap:.5rem;flex-wrap:wrap}
</style></head><body>{% block body %}{% endblock %}</body></html>"""

MESSAGE = """{% extends "layout" %}{% block title %}{{ title }}{% endblock %}{% block body %}
<h1>{{ title }}</h1><p>{{ text }}</p>{% endblock %}"""

HOME = """{% extends "layout" %}{% block body %}
<h1>Ознакомление с регламентами</h1>
{% if not statuses %}<p>Для вас нет регламентов, требующих ознакомления.</p>{% endif %}
<ul>{% for s in statuses %}
<li><a href="{{ s.url }}">{{ s.status.doc.title }}</a> — редакция {{ s.status.doc.edition }}: {{ s.text }}</li>
{% endfor %}</ul>{% endblock %}"""

REGULATION = """{% extends "layout" %}{% block title %}{{ doc.title }}{% endblock %}{% block body %}
<p class="muted">{{ company_name }}</p>
<h1>{{ doc.title }}</h1>
<p class="muted">Редакция {{ doc.edition }}, действует с {{ doc.effective | date_ru }}</p>
{% if just_done %}<div class="status ok" role="status">Ознакомление подтверждено.</div>{% endif %}
{% set ob = status.obligation %}
{% if ob.status == "done" %}
<div class="status ok" id="ack-status">Вы ознакомлены с редакцией {{ doc.edition }} — {{ status.record.acked_at | stamp }}</div>
{% elif ob.status == "current" %}
<div class="status ok" id="ack-status">Вы ознакомлены с редакцией {{ ob.since }}{% if status.record %} — {{ status.record.acked_at | stamp }}{% endif %}.
Изменения редакции {{ doc.edition }} вашей роли не касаются.</div>
{% elif ob.status == "not_required" %}
<div class="status" id="ack-status">Этот регламент не требует вашего ознакомления.</div>
{% else %}
<div class="status todo" id="ack-status">
{% if ob.whole %}Ознакомьтесь с регламентом и подтвердите ознакомление{% else %}Редакция {{ doc.edition }} изменила пункты,
касающиеся вашей роли (после редакции {{ ob.since }}, с которой вы ознакомлены). Ознакомьтесь с изменениями и подтвердите{% endif %}
{% if status.due %} до {{ status.due | date_ru }}{% endif %}.</div>
{% if ob.whole %}
<div class="text">{% for item in doc.items %}
{% if item.kind == "part" %}<h2 id="{{ item.id }}"><span class="num">{{ item.number }}.</span>{{ item.label }}</h2>
{% if item.text %}<p>{{ item.text }}</p>{% endif %}
{% else %}<div class="item" id="{{ item.id }}" data-clause="{{ item.id }}"><span class="num">{{ item.number }}</span>{{ item.text or item.label }}</div>{% endif %}
{% endfor %}</div>
{% else %}
<div class="changes">{% for c in ob.changes %}
<div class="item change" data-clause="{{ c.id }}">
<p><span class="num">{% if c.get("new_number") %}п. {{ c.new_number }}{% elif c.get("old_number") %}п. {{ c.old_number }}{% endif %}</span>
{{ c.label | plain }} <span class="muted">({{ c.change | change_ru }}{% if c.get("old_number") and c.get("new_number") and c.old_number != c.new_number %}, был п. {{ c.old_number }}{% endif %}; редакция {{ c.edition }})</span></p>
{% for f in c.get("fields") or [] %}{% if f.redline %}<p>{{ f.redline | redline }}</p>{% elif f.kind == "list" %}<p class="muted">{{ f.field }}: {% if f.removed %}<del>{{ f.removed | join(", ") }}</del> {% endif %}{% if f.added %}<ins>{{ f.added | join(", ") }}</ins>{% endif %}</p>{% endif %}{% endfor %}
{% for p in c.get("parameters") or [] %}{% if p.source == "field" %}<p>{{ p.field }}: <del>{{ p.old }}</del> → <ins>{{ p.new }}</ins>{% if p.unit %} {{ p.unit }}{% endif %}</p>{% endif %}{% endfor %}
{% for para in c.get("paragraphs") or [] %}<p>{{ para.redline | redline }}</p>{% endfor %}
{% if c.change in ("added", "removed") and c.get("text") %}<p>{% if c.change == "added" %}<ins>{{ c.text | plain }}</ins>{% else %}<del>{{ c.text | plain }}</del>{% endif %}</p>{% endif %}
</div>{% endfor %}</div>
{% endif %}
<form method="post" action="{{ action }}">
<input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="edition" value="{{ doc.edition }}">
<button type="submit" id="ack-button">{% if ob.whole %}Ознакомиться{% else %}Подтверждаю ознакомление с изменениями{% endif %}</button>
</form>
{% endif %}
{% endblock %}"""

DASHBOARD = """{% extends "layout" %}{% block title %}Ознакомление — {{ company }}{% endblock %}{% block body %}
<h1>Ознакомление: {{ company }}</h1>
<p>Ознакомлены: {{ counts.done + counts.current }} · не ознакомлены: {{ counts.pending + counts.overdue }}, из них срок истёк: <span class="overdue">{{ counts.overdue }}</span></p>
<form class="filters" method="get">
{% for name, label, values in selects %}<label>{{ label }} <select name="{{ name }}"><option value="">все</option>
{% for v in values %}<option value="{{ v }}"{% if filters[name] == v %} selected{% endif %}>{{ v }}</option>{% endfor %}</select></label>{% endfor %}
<button type="submit">Показать</button></form>
{% if reviews %}<h2>Пересмотр регламентов</h2>
<table class="reviews"><thead><tr><th>Регламент</th><th>Редакция</th><th>Пересмотр не позднее</th><th>Состояние</th></tr></thead>
<tbody>{% for r in reviews %}<tr><td>{{ r.title }}</td><td>{{ r.edition }}</td><td>{{ r.due | date_ru }}</td>
<td>{% if r.overdue %}<span class="overdue">просрочен на {{ r.days }} дн.</span>{% else %}осталось {{ -r.days }} дн.{% endif %}</td></tr>{% endfor %}</tbody></table>
<h2>Ознакомление</h2>{% endif %}
<p><a href="{{ export_csv }}">CSV</a> · <a href="{{ export_xlsx }}">XLSX</a>
{% for doc in sheets %} · <a href="{{ doc.url }}">Лист ознакомления: {{ doc.title }}, ред. {{ doc.edition }} (PDF)</a>{% endfor %}</p>
<form method="post" action="{{ links_action }}" class="links"><input type="hidden" name="csrf" value="{{ csrf }}">
<button type="submit" id="make-links">Создать персональные ссылки для неознакомленных (CSV)</button>
<span class="muted">ФИО, e-mail, регламент, срок и ссылка для каждого, кто ещё не ознакомлен; ссылки действуют ограниченное время.</span></form>
<table><thead><tr><th>ФИО</th><th>Подразделение</th><th>Роль</th><th>Регламент</th><th>Редакция</th><th>Статус</th><th>Срок</th><th>Дата и время (UTC)</th></tr></thead>
<tbody>{% for r in rows %}<tr class="{{ r.status }}"><td>{{ r.employee }}</td><td>{{ r.department }}</td><td>{{ r.role }}</td>
<td>{{ r.title }}</td><td>{{ r.edition }}</td><td>{{ status_ru[r.status] }}{% if r.what %} ({{ r.what }}){% endif %}</td>
<td>{{ r.due | date_ru if r.due else "" }}</td><td>{{ r.acknowledged_at | stamp if r.acknowledged_at else "" }}</td></tr>{% endfor %}</tbody></table>
{% endblock %}"""


def date_ru(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def stamp(value: str) -> str:
    """A stored UTC time as «03.03.2026 09:15 UTC»."""
    when = dt.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    return f"{when:%d.%m.%Y %H:%M} UTC"


def plain(text: str | None) -> str:
    """References as readers see them: ``[[lead|лидов]]`` → «лидов»."""
    if not text:
        return ""
    return REF_RE.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(1), text)


def redline(segments: list[list[str]]) -> Markup:
    out = []
    for op, text in segments:
        piece = escape(plain(text))
        out.append(
            piece if op == "=" else Markup(f"<del>{piece}</del>") if op == "-" else Markup(f"<ins>{piece}</ins>")
        )
    return Markup("").join(out)


def environment() -> Environment:
    env = Environment(
        loader=DictLoader(
            {"layout": LAYOUT, "message": MESSAGE, "home": HOME, "regulation": REGULATION, "dashboard": DASHBOARD}
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date_ru=date_ru, stamp=stamp, plain=plain, redline=redline, change_ru=lambda c: CHANGE_RU.get(c, c)
    )
    return env


_ENV = environment()


def render(name: str, **context: Any) -> str:
    return _ENV.get_template(name).render(**context)
