"""A generated regulation set of a chosen size, deterministic from a seed.

The corpus is written as a real project tree (``content/`` in the same layout
editors use) so every stage runs on it exactly as on hand-written content:
glossary terms made of real Russian words, referenced in every case and
number that pymorphy3 inflects («входящей заявки», «входящими заявками»);
roles grouped by department; regulations with numbered clauses and
sub-clauses, grouped duties with deadlines and RACI, responsibility clauses,
motivation, schedule, confidentiality and a Markdown part of prose
paragraphs; a small share of unlinked term mentions, as editors leave them.

    python benchmarks/corpus.py OUT --clauses 1000 --seed 7

The same arguments always give the same bytes (the generator uses only its
own ``random.Random(seed)`` and pymorphy3's dictionary).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import textwrap
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generator"))

from reglament import ru

# --------------------------------------------------------------------------
# Vocabulary. Term words and prose words are kept apart, so a term is
# mentioned only where the generator means it to be.

TERM_ADJECTIVES = (
    "входящий",
    "повторный",
    "оптовый",
    "первичный",
    "коммерческий",
    "дебиторский",
    "просроченный",
    "целевой",
    "холодный",
    "тёплый",
    "ключевой",
    "рамочный",
    "сводный",
    "отложенный",
    "резервный",
    "авансовый",
    "складской",
    "транзитный",
    "гарантийный",
    "бонусный",
    "региональный",
    "дилерский",
    "индивидуальный",
    "типовой",
    "закрывающий",
    "партнёрский",
    "страховой",
    "возвратный",
    "пробный",
    "экспортный",
    "приоритетный",
    "согласованный",
    "претензионный",
    "маркетинговый",
    "сезонный",
    "корпоративный",
    "розничный",
    "накладной",
    "учётный",
    "лимитный",
)
TERM_NOUNS = (
    "заявка",
    "сделка",
    "счёт",
    "отгрузка",
    "скидка",
    "претензия",
    "рекламация",
    "карточка",
    "воронка",
    "прайс-лист",
    "договор",
    "спецификация",
    "предоплата",
    "наценка",
    "поставка",
    "остаток",
    "заказ",
    "клиент",
    "контрагент",
    "покупатель",
    "партия",
    "резерв",
    "лимит",
    "кредит",
    "возврат",
    "акт",
    "накладная",
    "котировка",
    "тендер",
    "портфель",
    "канал",
    "сегмент",
    "лид",
    "звонок",
    "визит",
    "презентация",
    "бюджет",
    "прогноз",
    "квота",
    "маржа",
)
PROSE_ADJECTIVES = (
    "необходимый",
    "установленный",
    "соответствующий",
    "рабочий",
    "ежедневный",
    "полный",
    "точный",
    "письменный",
    "электронный",
    "внутренний",
    "текущий",
    "ответственный",
    "подробный",
    "утверждённый",
    "актуальный",
    "достоверный",
    "профильный",
    "смежный",
    "отчётный",
    "следующий",
)
PROSE_NOUNS = (
    "документ",
    "информация",
    "порядок",
    "результат",
    "процесс",
    "решение",
    "задача",
    "отчёт",
    "руководство",
    "подразделение",
    "система",
    "запись",
    "данные",
    "сведение",
    "изменение",
    "вопрос",
    "требование",
    "согласование",
    "проверка",
    "письмо",
    "сообщение",
    "журнал",
    "файл",
    "этап",
    "предложение",
    "контакт",
    "срок",
    "норма",
    "инструкция",
    "обращение",
    "материал",
    "статус",
)
VERBS = (
    "оформлять",
    "проверять",
    "согласовывать",
    "фиксировать",
    "передавать",
    "контролировать",
    "направлять",
    "обрабатывать",
    "готовить",
    "уточнять",
    "подписывать",
    "регистрировать",
    "актуализировать",
    "анализировать",
    "хранить",
    "сверять",
    "заполнять",
    "вести",
)
ADVERBS = ("своевременно", "ежедневно", "незамедлительно", "регулярно", "лично", "полностью", "точно", "аккуратно")
MODALS = ("обязан", "должен", "вправе", "не вправе", "обязан по требованию руководителя")
SUBJECTS = ("Работник", "Сотрудник", "Исполнитель", "Ответственный сотрудник")
PREPOSITIONS = (
    ("в соответствии с", "ablt"),
    ("с использованием", "gent"),
    ("по", "datv"),
    ("при", "loct"),
    ("для", "gent"),
    ("на основании", "gent"),
    ("без", "gent"),
)

# Departments with their genitive form for role names ("специалист отдела логистики").
DEPARTMENTS = (
    ("Отдел продаж", "отдела продаж"),
    ("Отдел логистики", "отдела логистики"),
    ("Бухгалтерия", "бухгалтерии"),
    ("Юридический отдел", "юридического отдела"),
    ("Служба безопасности", "службы безопасности"),
    ("Отдел маркетинга", "отдела маркетинга"),
    ("Склад", "склада"),
    ("Отдел закупок", "отдела закупок"),
    ("Сервисный центр", "сервисного центра"),
    ("Отдел кадров", "отдела кадров"),
    ("ИТ-отдел", "ИТ-отдела"),
    ("Клиентский отдел", "клиентского отдела"),
    ("Отдел качества", "отдела качества"),
    ("Финансовый отдел", "финансового отдела"),
    ("Отдел оптовых продаж", "отдела оптовых продаж"),
    ("Отдел розничных продаж", "отдела розничных продаж"),
    ("Колл-центр", "колл-центра"),
    ("Тендерный отдел", "тендерного отдела"),
    ("Отдел развития", "отдела развития"),
    ("Экспортный отдел", "экспортного отдела"),
    ("Планово-экономический отдел", "планово-экономического отдела"),
    ("Административный отдел", "административного отдела"),
    ("Отдел претензионной работы", "отдела претензионной работы"),
    ("Транспортный участок", "транспортного участка"),
    ("Отдел обучения", "отдела обучения"),
)
# Positions with their genitive form ("Регламент работы старшего менеджера отдела продаж").
POSITIONS = (
    ("Менеджер", "менеджера"),
    ("Старший менеджер", "старшего менеджера"),
    ("Руководитель", "руководителя"),
    ("Заместитель руководителя", "заместителя руководителя"),
    ("Специалист", "специалиста"),
    ("Ведущий специалист", "ведущего специалиста"),
    ("Главный специалист", "главного специалиста"),
    ("Аналитик", "аналитика"),
    ("Координатор", "координатора"),
    ("Ассистент", "ассистента"),
    ("Эксперт", "эксперта"),
    ("Инженер", "инженера"),
    ("Консультант", "консультанта"),
    ("Оператор", "оператора"),
    ("Администратор", "администратора"),
    ("Инспектор", "инспектора"),
    ("Стажёр", "стажёра"),
    ("Куратор", "куратора"),
    ("Методист", "методиста"),
    ("Контролёр", "контролёра"),
)
PARTICIPLES = (
    "оформляемый",
    "проверяемый",
    "согласуемый",
    "фиксируемый",
    "передаваемый",
    "контролируемый",
    "направляемый",
    "обрабатываемый",
    "уточняемый",
    "регистрируемый",
)


def slug(text: str) -> str:
    out = ru.translit(text, "simple")
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in out)
    return "-".join(p for p in out.split("-") if p)


# --------------------------------------------------------------------------
# Inflection (pymorphy3)


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def _noun(word: str):
    parses = _morph().parse(word)
    for p in parses:
        if "NOUN" in p.tag and "nomn" in p.tag and "Name" not in p.tag and "Surn" not in p.tag:
            return p
    return parses[0]


@cache
def _adj(word: str):
    parses = _morph().parse(word)
    for p in parses:
        if "ADJF" in p.tag and "nomn" in p.tag:
            return p
    return parses[0]


@cache
def noun_form(word: str, case: str, number: str) -> str:
    p = _noun(word)
    if "Pltm" in p.tag or "Sgtm" in p.tag:
        number = "plur" if "Pltm" in p.tag else "sing"
    form = p.inflect({case, number}) or p.inflect({case}) or p
    return form.word


@cache
def phrase_form(adjective: str, noun: str, case: str, number: str) -> str:
    """«входящий» + «заявка» in (case, number) → «входящими заявками», agreed in gender and animacy."""
    n = _noun(noun)
    if "Pltm" in n.tag:
        number = "plur"
    grammemes = {case, number}
    if number == "sing" and n.tag.gender:
        grammemes.add(n.tag.gender)
    if case == "accs" and (number == "plur" or n.tag.gender == "masc"):
        grammemes.add(n.tag.animacy or "inan")  # only these forms differ by animacy
    a = _adj(adjective)
    form = a.inflect(grammemes) or a.inflect({case, number}) or a
    return f"{form.word} {noun_form(noun, case, number)}"


def with_number(n: int, unit: str) -> str:
    return _noun(unit).make_agree_with_number(n).word


CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


# --------------------------------------------------------------------------
# The corpus model


@dataclass
class TermSpec:
    id: str
    adjective: str
    noun: str
    name: str
    definition: str = ""


@dataclass(frozen=True)
class RoleSpec:
    id: str
    name: str
    name_gent: str
    department: str


@dataclass
class Corpus:
    """What was generated: counts for the benchmark table, files for the writer."""

    files: dict[str, str] = field(default_factory=dict)
    clauses: int = 0  # numbered items (clauses, sub-clauses, duties, responsibility, KPIs…)
    terms: int = 0
    roles: int = 0
    regulations: int = 0
    paragraphs: int = 0
    companies: int = 0

    def write(self, root: Path) -> Path:
        for rel, text in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    def summary(self) -> dict:
        return {
            "clauses": self.clauses,
            "terms": self.terms,
            "roles": self.roles,
            "regulations": self.regulations,
            "paragraphs": self.paragraphs,
            "companies": self.companies,
            "bytes": sum(len(t.encode()) for t in self.files.values()),
            "files": len(self.files),
        }


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


_REF = re.compile(r"\[\[[^\]]*\]\]")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ~``width`` columns, never breaking inside a ``[[…]]`` reference."""
    glued = _REF.sub(lambda mt: mt.group().replace(" ", "\x00"), text)
    lines = textwrap.wrap(glued, width=width, break_long_words=False, break_on_hyphens=False)
    return [line.replace("\x00", " ") for line in lines]


def _block(text: str, indent: int) -> str:
    """A folded block scalar (``>-``) wrapped at ~100 columns, as editors write long texts."""
    pad = " " * indent
    return ">-\n" + "\n".join(pad + line for line in wrap(text, 100 - indent))


class Generator:
    def __init__(self, *, seed: int, unlinked_rate: float) -> None:
        self.rnd = random.Random(seed)
        self.unlinked_rate = unlinked_rate
        self.terms: list[TermSpec] = []
        self.roles: list[RoleSpec] = []
        self.unused_terms: list[TermSpec] = []
        self.corpus = Corpus()

    # ------------------------------------------------------------ words

    def term_ref(
        self,
        case: str | None = None,
        number: str | None = None,
        *,
        pool: list[TermSpec] | None = None,
        linked: bool = False,
    ) -> str:
        rnd = self.rnd
        if pool is None and self.unused_terms:
            term = self.unused_terms.pop()
        else:
            term = rnd.choice(pool or self.terms)
        case = case or rnd.choice(CASES)
        number = number or rnd.choice(("sing", "sing", "plur"))
        form = phrase_form(term.adjective, term.noun, case, number)
        if not linked and rnd.random() < self.unlinked_rate:
            return form  # an unlinked mention: the checker's unlinked-term rule finds it
        return f"[[{term.id}|{form}]]"

    def prose_phrase(self, case: str) -> str:
        rnd = self.rnd
        number = rnd.choice(("sing", "plur"))
        return phrase_form(rnd.choice(PROSE_ADJECTIVES), rnd.choice(PROSE_NOUNS), case, number)

    def role_ref(self, role: RoleSpec | None = None) -> str:
        role = role or self.rnd.choice(self.roles)
        return f"[[{role.id}|{role.name}]]"

    def deadline(self) -> tuple[str, int | None]:
        """A deadline in words and, when it is a measurable SLA, in minutes."""
        rnd = self.rnd
        n = rnd.choice((1, 2, 3, 5, 10, 15, 20, 21, 30))
        one = n % 10 == 1 and n % 100 != 11
        kind = rnd.randrange(4)
        if kind == 0:
            return f"в течение {n} {noun_form('минута', 'gent', 'sing' if one else 'plur')}", n
        if kind == 1:
            return f"не позднее чем через {n} {with_number(n, 'час')}", n * 60
        if kind == 2:
            return f"в течение {n} {'рабочего дня' if one else 'рабочих дней'}", None
        return f"до {min(n, 28)}-го числа каждого месяца", None

    def sentence(self, subject: str | None = None) -> str:
        rnd = self.rnd
        subject = subject or (self.role_ref() if rnd.random() < 0.3 else rnd.choice(SUBJECTS))
        obj = self.term_ref("accs") if rnd.random() < 0.6 else self.prose_phrase("accs")
        prep, case = rnd.choice(PREPOSITIONS)
        tail = self.term_ref(case) if rnd.random() < 0.4 else self.prose_phrase(case)
        parts = [subject, rnd.choice(MODALS)]
        if rnd.random() < 0.5:
            parts.append(rnd.choice(ADVERBS))
        parts += [rnd.choice(VERBS), obj, prep, tail]
        if rnd.random() < 0.3:
            parts.append(self.deadline()[0])
        return " ".join(parts) + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    # ------------------------------------------------------------ glossary and roles

    def make_terms(self, count: int) -> None:
        combos = [(a, n) for n in TERM_NOUNS for a in TERM_ADJECTIVES]
        self.rnd.shuffle(combos)
        if count > len(combos):
            raise ValueError(f"at most {len(combos)} distinct terms")
        for adjective, noun in combos[:count]:
            name = phrase_form(adjective, noun, "nomn", "sing")
            self.terms.append(TermSpec(slug(name), adjective, noun, name[0].upper() + name[1:]))
        lines = ["# Generated glossary (benchmarks/corpus.py).", "terms:"]
        for i, term in enumerate(self.terms):
            earlier = self.terms[max(0, i - 50) : i]  # definitions reference earlier terms only: no cycles
            refs = [self.term_ref(pool=earlier) for _ in range(self.rnd.randint(0, 2))] if earlier else []
            participle = phrase_form(self.rnd.choice(PARTICIPLES), self.rnd.choice(PROSE_NOUNS), "nomn", "sing")
            tail = f"для {' и '.join(refs)}" if refs else f"при {self.prose_phrase('loct')}"
            term.definition = f"{participle.capitalize()} {tail}."
            lines += [
                f"  - id: {term.id}",
                f"    term: {_q(term.name)}",
                f"    definition: {_block(term.definition, 6)}",
                "",
            ]
        self.unused_terms = list(reversed(self.terms))
        self.corpus.files["content/glossary.yml"] = "\n".join(lines)
        self.corpus.terms = count

    def make_roles(self, count: int) -> None:
        if count > len(DEPARTMENTS) * len(POSITIONS):
            raise ValueError(f"at most {len(DEPARTMENTS) * len(POSITIONS)} distinct roles")
        # departments take turns, so every department grows as the company does
        picked = [(POSITIONS[k // len(DEPARTMENTS)], DEPARTMENTS[k % len(DEPARTMENTS)]) for k in range(count)]
        for (position, position_gent), (dept, dept_gent) in picked:
            name = f"{position} {dept_gent}"
            self.roles.append(RoleSpec(slug(name), name, f"{position_gent} {dept_gent}", dept))
        lines = ["# Generated roles (benchmarks/corpus.py).", "roles:"]
        heads: dict[str, str] = {}
        for role in self.roles:
            heads.setdefault(role.department, role.id)
        for role in self.roles:
            lines += [f"  - id: {role.id}", f"    name: {_q(role.name)}", f"    department: {_q(role.department)}"]
            if heads[role.department] != role.id:
                lines.append(f"    reports_to: {heads[role.department]}")
            lines += [f"    description: {_block(self.paragraph(1), 6)}", ""]
        self.corpus.files["content/roles.yml"] = "\n".join(lines)
        self.corpus.roles = count

    # ------------------------------------------------------------ regulations

    def make_regulation(self, index: int, clauses: int, paragraphs: int) -> None:
        rnd = self.rnd
        rid = f"reg-{index + 1:03d}"
        owner = self.roles[index % len(self.roles)]
        audience = [owner] + rnd.sample(self.roles, min(3, len(self.roles)))
        audience = list(dict.fromkeys(audience))
        folder = f"content/regulations/{rid}"
        files = self.corpus.files
        count = 0

        # budget: 55 % clauses (with sub-clauses), 35 % duties, 10 % responsibility
        n_clauses = max(1, int(clauses * 0.55))
        n_duties = max(1, int(clauses * 0.35))
        n_resp = max(1, clauses - n_clauses - n_duties)

        # general.yml — numbered clauses with sub-clauses
        lines = ["kind: clauses", f"id: {rid}-general", "title: Общие положения", "clauses:"]
        made = 0
        c = 0
        while made < n_clauses:
            c += 1
            cid = f"{rid}-c{c}"
            text = self.paragraph(rnd.randint(1, 2))
            if c == 1:  # company variants: the text names the company ({{ company.short_name }})
                text = f"Настоящий регламент действует в {{{{ company.short_name }}}}. {text}"
            lines += [f"  - id: {cid}", f"    text: {_block(text, 6)}"]
            made += 1
            subs = min(rnd.choice((0, 0, 2, 3, 4)), n_clauses - made)
            if subs:
                lines.append("    clauses:")
                for s in range(1, subs + 1):
                    lines += [f"      - id: {cid}-{s}", f"        text: {_block(self.sentence(), 10)}"]
                made += subs
        files[f"{folder}/general.yml"] = "\n".join(lines) + "\n"
        count += made

        files[f"{folder}/terms.yml"] = f"kind: terms\nid: {rid}-terms\ntitle: Термины и определения\n"

        # duties.yml — groups of duties, responsibility clauses
        lines = [
            "kind: duties",
            f"id: {rid}-duties",
            "title: Обязанности и ответственность",
            f"intro: {_block(self.paragraph(2), 2)}",
            "groups:",
        ]
        duty_ids = []
        g = 0
        while len(duty_ids) < n_duties:
            g += 1
            lines += [
                f"  - id: {rid}-g{g}",
                f"    title: {_q('Работа с ' + phrase_form(rnd.choice(TERM_ADJECTIVES), rnd.choice(TERM_NOUNS), 'ablt', 'plur'))}",
                "    duties:",
            ]
            for _ in range(min(rnd.randint(3, 8), n_duties - len(duty_ids))):
                did = f"{rid}-d{len(duty_ids) + 1}"
                duty_ids.append(did)
                role = rnd.choice(audience)
                text, minutes = self.deadline()
                if len(duty_ids) % 10 == 1:  # a parameter every company may set
                    text = (
                        "в течение {{ params.response_minutes }} {{ params.response_minutes | plural('минуты', "
                        "'минут', 'минут') }}"
                    )
                    minutes = None
                lines += [
                    f"      - id: {did}",
                    f"        role: {role.id}",
                    f"        text: {_block(self.sentence(subject=rnd.choice(SUBJECTS)), 10)}",
                    f"        deadline: {_q(text)}",
                ]
                if minutes is not None:
                    lines.append(f"        deadline_minutes: {minutes}")
                if rnd.random() < 0.15:
                    others = [r.id for r in rnd.sample(self.roles, min(2, len(self.roles))) if r is not role]
                    lines += [
                        "        raci:",
                        f"          responsible: [{role.id}]",
                        f"          accountable: {owner.id}",
                        f"          consulted: [{', '.join(others)}]",
                    ]
            count += 1  # the group is numbered too
        count += len(duty_ids)
        lines.append("responsibility:")
        for r in range(1, n_resp + 1):
            enforced = rnd.sample(duty_ids, min(len(duty_ids), rnd.randint(1, 2)))
            lines += [
                f"  - id: {rid}-resp{r}",
                f"    text: {_block('За нарушение: ' + self.sentence(), 6)}",
                f"    enforces: [{', '.join(enforced)}]",
                f"    consequence: {_q(rnd.choice(('замечание', 'выговор', 'снижение премии на 10 %', 'снижение премии на 25 %')))}",
            ]
        count += n_resp
        files[f"{folder}/duties.yml"] = "\n".join(lines) + "\n"

        # motivation.yml
        weights = (40, 30, 20, 10)
        lines = [
            "kind: motivation",
            f"id: {rid}-motivation",
            "title: Система мотивации",
            "fixed:",
            f"  amount: {rnd.randrange(40, 120) * 1000}",
            "  text: Выплачивается два раза в месяц.",
            f"bonus_base: {rnd.randrange(20, 80) * 1000}",
            "kpis:",
        ]
        for k, w in enumerate(weights, 1):
            lines += [
                f"  - id: {rid}-kpi{k}",
                f"    name: {_q('Доля ' + phrase_form(rnd.choice(PROSE_ADJECTIVES), rnd.choice(PROSE_NOUNS), 'gent', 'plur'))}",
                f"    measures: {_block('Доля ' + self.term_ref('gent', 'plur', linked=True) + ', оформленных в срок', 6)}",
                f"    weight: {w}",
                f'    target: "{rnd.choice((80, 90, 95, 100))} %"',
            ]
        lines.append("tiers:")
        bounds = [0, 70, 90, 100, 120]
        for t in range(len(bounds)):
            lines += [f"  - id: {rid}-tier{t + 1}", f"    from_percent: {bounds[t]}"]
            if t + 1 < len(bounds):
                lines.append(f"    to_percent: {bounds[t + 1]}")
            lines.append(f"    bonus_percent: {[0, 50, 80, 100, 130][t]}")
        lines += [
            "reductions:",
            f"  - id: {rid}-red1",
            f"    responsibility: {rid}-resp1",
            "    percent: 10",
            f"    text: {_block(self.sentence(), 6)}",
        ]
        files[f"{folder}/motivation.yml"] = "\n".join(lines) + "\n"
        count += len(weights) + len(bounds) + 1

        # schedule.yml
        blocks = (
            ("09:00", "10:00", False),
            ("10:00", "13:00", False),
            ("13:00", "14:00", True),
            ("14:00", "17:30", False),
            ("17:30", "18:00", False),
        )
        lines = [
            "kind: schedule",
            f"id: {rid}-schedule",
            "title: Организация рабочего времени",
            "hours:",
            '  start: "09:00"',
            '  end: "18:00"',
            "routine:",
        ]
        for b, (start, end, is_break) in enumerate(blocks, 1):
            activity = "Обеденный перерыв" if is_break else self.sentence()
            lines += [
                f"  - id: {rid}-block{b}",
                f'    start: "{start}"',
                f'    end: "{end}"',
                f"    activity: {_block(activity, 6)}",
            ]
            if is_break:
                lines.append("    is_break: true")
        lines += [
            "recurring:",
            f"  - id: {rid}-weekly",
            "    period: weekly",
            "    when: по понедельникам в 09:30",
            f"    activity: {_block(self.sentence(), 6)}",
        ]
        files[f"{folder}/schedule.yml"] = "\n".join(lines) + "\n"
        count += len(blocks) + 1

        # confidentiality.yml
        lines = [
            "kind: confidentiality",
            f"id: {rid}-confidentiality",
            "title: Конфиденциальность и защита данных",
            "categories:",
        ]
        for k, cls in enumerate(("personal", "trade-secret", "internal"), 1):
            lines += [
                f"  - id: {rid}-cat{k}",
                f"    name: {_q(phrase_form(rnd.choice(PROSE_ADJECTIVES), rnd.choice(PROSE_NOUNS), 'nomn', 'plur').capitalize())}",
                f"    classification: {cls}",
                f"    examples: {_block(self.sentence(), 6)}",
            ]
        lines += ["rules:"]
        for k in range(1, 4):
            lines += [
                f"  - id: {rid}-rule{k}",
                f"    text: {_block(self.sentence(), 6)}",
                f"    applies_to: [{rid}-cat{k}]",
            ]
        lines += ["measures:", f"  - id: {rid}-measure1", f"    text: {_block(self.sentence(), 6)}"]
        files[f"{folder}/confidentiality.yml"] = "\n".join(lines) + "\n"
        count += 7

        # final.md — prose paragraphs
        body = []
        for p in range(paragraphs):
            if p and p % 5 == 0:
                body.append(f"## {self.prose_phrase('nomn').capitalize()}\n")
            if rnd.random() < 0.2:
                body.append("\n".join(f"- {self.sentence()}" for _ in range(3)) + "\n")
            else:
                body.append("\n".join(wrap(self.paragraph(rnd.randint(2, 5)), 100)) + "\n")
        files[f"{folder}/final.md"] = f"---\nid: {rid}-final\ntitle: Заключительные положения\n---\n\n" + "\n".join(
            body
        )
        self.corpus.paragraphs += paragraphs

        dept = owner.department
        title = f"Регламент работы {owner.name_gent}"
        if index >= len(self.roles):
            title += f" (редакция {index // len(self.roles) + 1})"
        files[f"{folder}/regulation.yml"] = "\n".join(
            [
                f"id: {rid}",
                f"title: {_q(title)}",
                f"short_title: {_q(owner.name + (f' ({index // len(self.roles) + 1})' if index >= len(self.roles) else ''))}",
                f"owner: {owner.id}",
                f"approver: {self.roles[0].id}",
                f"audience: [{', '.join(r.id for r in audience)}]",
                "parts:",
                *(
                    f"  - {p}"
                    for p in (
                        "general.yml",
                        "terms.yml",
                        "duties.yml",
                        "motivation.yml",
                        "schedule.yml",
                        "confidentiality.yml",
                        "final.md",
                    )
                ),
                f"# department: {dept}",
                "",
            ]
        )
        self.corpus.clauses += count
        self.corpus.regulations += 1


def generate(
    *,
    clauses: int,
    terms: int | None = None,
    roles: int | None = None,
    regulations: int | None = None,
    paragraphs: int | None = None,
    companies: int = 0,
    seed: int = 1,
    unlinked_rate: float = 0.01,
) -> Corpus:
    """A corpus of about ``clauses`` numbered items; the other counts scale with it by default.

    Defaults per ×10 size: one regulation per 100 clauses, one term per 10
    clauses, one role per 20 clauses (at least 5), two prose paragraphs per
    10 clauses.
    """
    terms = terms if terms is not None else max(5, clauses // 10)
    roles = roles if roles is not None else max(5, clauses // 20)
    regulations = regulations if regulations is not None else max(1, clauses // 100)
    paragraphs = paragraphs if paragraphs is not None else max(2, clauses // 5)
    gen = Generator(seed=seed, unlinked_rate=unlinked_rate)
    gen.make_terms(terms)
    gen.make_roles(roles)
    # every regulation carries ~25 fixed items (motivation, schedule, confidentiality)
    fixed = 25
    per_reg = max(4, clauses // regulations - fixed)
    per_para = max(1, paragraphs // regulations)
    for i in range(regulations):
        gen.make_regulation(i, per_reg, per_para)
    gen.corpus.files["content/defaults.yml"] = DEFAULTS
    gen.corpus.files["content/pages/index.md"] = (
        "---\nid: home\ntitle: Регламенты\n---\n\n"
        f"Сгенерированный набор регламентов: {regulations} регламентов, {terms} терминов, {roles} ролей.\n"
    )
    if companies:
        write_companies(gen.corpus, companies, seed=seed)
    return gen.corpus


DEFAULTS = """\
# Generated defaults (benchmarks/corpus.py): the base regulation's names and parameters.
name: Акционерное общество «Холдинг»
short_name: АО «Холдинг»
city: Москва
params:
  response_minutes: 15
"""

CITIES = ("Казань", "Екатеринбург", "Новосибирск", "Самара", "Пермь", "Уфа", "Воронеж", "Тюмень", "Омск", "Томск")
NAMES = ("Вектор", "Кама", "Урал", "Сибирь", "Волга", "Прогресс", "Альянс", "Меридиан", "Форвард", "Орион")


def write_companies(corpus: Corpus, count: int, *, seed: int = 1) -> None:
    """``count`` company profiles (a holding's subsidiaries): names, a parameter, an excluded measure, an override."""
    rnd = random.Random(seed * 7919 + count)
    regulations = corpus.regulations
    for k in range(count):
        name = f"{NAMES[k % len(NAMES)]}{'' if k < len(NAMES) else f'-{k // len(NAMES) + 1}'}"
        cid = slug(name) + f"-{k + 1:02d}"
        reg = f"reg-{k % regulations + 1:03d}"
        lines = [
            f"# Generated company profile {k + 1} of {count} (benchmarks/corpus.py).",
            f"id: {cid}",
            f"name: {_q(f'Общество с ограниченной ответственностью «{name}»')}",
            f"short_name: {_q(f'ООО «{name}»')}",
            f"city: {CITIES[k % len(CITIES)]}",
            f"visibility: {'public' if k % 2 else 'internal'}",
            "params:",
            f"  response_minutes: {rnd.choice((10, 20, 30))}",
            f"exclude: [{reg}-measure1]",
            "overrides:",
            f"  {reg}-d2:",
            f"    deadline: {_q('в течение 2 рабочих дней')}",
        ]
        corpus.files[f"content/companies/{cid}.yml"] = "\n".join(lines) + "\n"
    corpus.companies = count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="project folder to write (content/ goes inside)")
    parser.add_argument("--clauses", type=int, default=1000)
    parser.add_argument("--terms", type=int)
    parser.add_argument("--roles", type=int)
    parser.add_argument("--regulations", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    corpus = generate(
        clauses=args.clauses, terms=args.terms, roles=args.roles, regulations=args.regulations, seed=args.seed
    )
    corpus.write(args.out)
    print(json.dumps(corpus.summary(), ensure_ascii=False))


if __name__ == "__main__":
    main()
