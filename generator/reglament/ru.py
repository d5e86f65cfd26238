"""Russian formatting in one place: numbers, money, percents, dates, plurals, field labels and transliteration.

The site, the print edition, the diff, the page templates, the texts' own
templates (``{{ params.x | num }}``) and the Word export all format values
through this module, so one value prints the same everywhere: «3 000 000»,
«87,5 %», «1 235» (money rounded half up, as the site's calculator rounds),
«01.03.2025», «1 марта 2025 г.», «"01" марта 2025 г.».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

NBSP = "\u00a0"
"""The no-break space: between thousands, before «%» and units."""

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
"""Month names as a date says them («1 марта»)."""

PERIODS = {"daily": "ежедневно", "weekly": "еженедельно", "monthly": "ежемесячно", "quarterly": "ежеквартально"}
"""A recurring activity's period, as the schedule says it."""

CLASSIFICATIONS = {
    "public": "открытые",
    "internal": "для внутреннего использования",
    "confidential": "конфиденциально",
    "personal": "персональные данные",
    "trade-secret": "коммерческая тайна",
}
"""A data category's classification, as the confidentiality part names it."""

FIELD_LABELS = {
    "text": "текст",
    "definition": "определение",
    "deadline": "срок",
    "deadline_minutes": "срок, мин",
    "role": "исполнитель",
    "raci.responsible": "RACI: исполняет (R)",
    "raci.accountable": "RACI: отвечает (A)",
    "raci.consulted": "RACI: консультирует (C)",
    "raci.informed": "RACI: информируется (I)",
    "bonus_percent": "премия",
    "from_percent": "выполнение плана от",
    "to_percent": "выполнение плана до",
    "weight": "вес",
    "target": "цель",
    "name": "название",
    "measures": "что измеряется",
    "percent": "снижение премии",
    "enforces": "обеспечивает обязанности",
    "consequence": "последствие нарушения",
    "title": "заголовок",
    "intro": "вводный текст",
    "fixed.amount": "оклад",
    "amount": "оклад",
    "fixed.currency": "валюта оклада",
    "fixed.text": "порядок выплаты оклада",
    "bonus_base": "база премии",
    "currency": "валюта",
    "hours.start": "начало рабочего дня",
    "hours.end": "конец рабочего дня",
    "hours.days": "рабочие дни",
    "start": "начало",
    "end": "конец",
    "activity": "занятие",
    "is_break": "перерыв",
    "period": "периодичность",
    "when": "когда",
    "classification": "классификация",
    "examples": "примеры",
    "applies_to": "применяется к",
    "visibility": "видимость",
    "synonyms": "синонимы",
    "abbreviation": "сокращение",
    "match": "распознавание",
    "forms": "словоформы",
    "term": "термин",
    "department": "подразделение",
    "kind": "вид",
    "description": "описание",
    "reports_to": "подчиняется",
    "owner": "владелец",
    "approver": "утверждает",
    "audience": "адресаты",
    "short_title": "краткое название",
    "responsibility": "пункт ответственности",
    "terms": "термины",
    "example_percent": "пример расчёта: выполнение плана",
}
"""How every output names a model field (the diff, the change sheet of the PDF, the amendment order)."""


def field_label(name: str) -> str:
    """The Russian label of a field path (``hours.end`` → «конец рабочего дня»); unknown names as they are."""
    return FIELD_LABELS.get(name, name)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def number(value: object, digits: int | None = None) -> str:
    """«3 000 000», «87,5», «0,25»: thousands by no-break spaces, a decimal comma, no trailing zeros.

    ``digits`` rounds (half up) to that many decimals first. A value that is not
    a number is returned as text (None as «—»).
    """
    if not _is_number(value):
        return "—" if value is None else str(value)
    dec = Decimal(str(value))
    if digits is not None:
        dec = dec.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    sign = "-" if dec < 0 else ""
    text = f"{abs(dec):f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    return sign + grouped + ("," + frac if frac else "")


def money(amount: object) -> int:
    """Whole currency units, halves rounded up (as the site's calculator rounds with ``Math.round``)."""
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money_text(amount: object) -> str:
    """An amount of money as printed: whole units, grouped — «1 235»."""
    return number(money(amount)) if _is_number(amount) else str(amount)


def percent(value: object) -> str:
    """«87,5 %» (a no-break space before the sign)."""
    return f"{number(value)}{NBSP}%"


def plural(value: object, one: str, few: str, many: str) -> str:
    """The Russian plural form for a number: 1 минута, 2 минуты, 5 минут, 21 минута."""
    try:
        n = abs(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return many
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


_ORDINAL_STEMS = {
    1: ("перв", "hard"), 2: ("втор", "stressed"), 3: ("трет", "soft"), 4: ("четвёрт", "hard"), 5: ("пят", "hard"),
    6: ("шест", "stressed"), 7: ("седьм", "stressed"), 8: ("восьм", "stressed"), 9: ("девят", "hard"),
    10: ("десят", "hard"), 11: ("одиннадцат", "hard"), 12: ("двенадцат", "hard"), 13: ("тринадцат", "hard"),
    14: ("четырнадцат", "hard"), 15: ("пятнадцат", "hard"), 16: ("шестнадцат", "hard"), 17: ("семнадцат", "hard"),
    18: ("восемнадцат", "hard"), 19: ("девятнадцат", "hard"), 20: ("двадцат", "hard"), 30: ("тридцат", "hard"),
    40: ("сороков", "stressed"), 50: ("пятидесят", "hard"), 60: ("шестидесят", "hard"), 70: ("семидесят", "hard"),
    80: ("восьмидесят", "hard"), 90: ("девяност", "hard"),
}  # fmt: skip
_ORDINAL_ENDINGS = {
    "hard": {"nom": "ый", "gen": "ого", "ins": "ым", "prep": "ом"},
    "stressed": {"nom": "ой", "gen": "ого", "ins": "ым", "prep": "ом"},
    "soft": {"nom": "ий", "gen": "ьего", "ins": "ьим", "prep": "ьем"},
}
_TENS_CARDINAL = {20: "двадцать", 30: "тридцать", 40: "сорок", 50: "пятьдесят", 60: "шестьдесят", 70: "семьдесят",
                  80: "восемьдесят", 90: "девяносто"}  # fmt: skip


def ordinal(n: int, case: str = "nom") -> str:
    """A masculine ordinal in words, as legal drafting writes paragraph numbers: «второй» (``nom``),
    «второго» (``gen``), «вторым» (``ins``), «втором» (``prep``); 1–99, digits beyond."""
    if not 1 <= n <= 99:
        return str(n)
    if n in _ORDINAL_STEMS:
        stem, kind = _ORDINAL_STEMS[n]
        return stem + _ORDINAL_ENDINGS[kind][case]
    tens, unit = divmod(n, 10)
    return f"{_TENS_CARDINAL[tens * 10]} {ordinal(unit, case)}"


def date_short(value: dt.date | None) -> str:
    """«01.03.2025»."""
    return value.strftime("%d.%m.%Y") if value else ""


def date_text(value: dt.date | None) -> str:
    """«1 марта 2025 г.» — a date in running text."""
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г." if value else ""


def date_long(value: dt.date | None) -> str:
    """«"01" марта 2025 г.» — a date on an approval block or an order."""
    return f"«{value.day:02d}» {MONTHS_GENITIVE[value.month - 1]} {value.year} г." if value else ""


FILTERS: dict[str, Callable[..., Any]] = {
    "num": number,
    "money": money_text,
    "pct": percent,
    "plural": plural,
    "date_short": date_short,
    "date_text": date_text,
    "date_long": date_long,
}
"""The Jinja filters every template environment registers (site pages, PDF, texts' templates)."""


TranslitSystem = Literal["gost", "letters", "simple"]

_TRANSLIT_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "ч": "ch", "ш": "sh",
    "ы": "y", "ю": "yu", "я": "ya",
}  # fmt: skip
"""The letters every system below spells alike."""

TRANSLIT_SYSTEMS: dict[str, dict[str, str]] = {
    "gost": {"ё": "yo", "й": "j", "х": "x", "ц": "cz", "щ": "shh", "ъ": "", "ь": "", "э": "e"},
    "letters": {"ё": "yo", "й": "j", "х": "h", "ц": "c", "щ": "shch", "ъ": "hard", "ь": "soft", "э": "eh"},
    "simple": {"ё": "e", "й": "y", "х": "kh", "ц": "ts", "щ": "shch", "ъ": "", "ь": "", "э": "e"},
}
"""How each system spells the letters where they differ (the rest is ``_TRANSLIT_COMMON``):

* ``gost`` — GOST 7.79-2000, system B, for ids (the Word importer's ids of sections and clauses): ё → yo,
  й → j, х → x, щ → shh, ц → cz but c before е, и, ы, й; the signs system B writes with apostrophes are
  simplified for a ``[a-z0-9-]`` id: ъ and ь are left out, э → e;
* ``letters`` — the glossary's page names, one per first letter (``glossary/eh.md``): every letter a
  distinct, non-empty name, so ъ → hard, ь → soft, э → eh, х → h, ц → c, щ → shch (published URLs —
  never change them);
* ``simple`` — the common informal spelling (ё → e, й → y, х → kh, ц → ts, щ → shch, ъ and ь left out),
  the benchmark corpus's ids (its trees must stay byte-identical for a seed).
"""

_TRANSLIT_TABLES = {name: {**_TRANSLIT_COMMON, **diff} for name, diff in TRANSLIT_SYSTEMS.items()}
_GOST_SOFT = frozenset("еиыйeiyj")
"""ц is c (not cz) before these letters in GOST B (the Latin ones for mixed text)."""


def translit(text: str, system: TranslitSystem = "gost") -> str:
    """``text`` lower-cased, its Russian letters in Latin by ``system`` (see :data:`TRANSLIT_SYSTEMS`); every
    other character is kept as it is: «Щука, цирк» → ``shhuka, cirk`` (``gost``), ``shchuka, tsirk``
    (``simple``)."""
    table = _TRANSLIT_TABLES[system]
    low = text.lower()
    if system != "gost":
        return "".join(table.get(ch, ch) for ch in low)
    return "".join(
        "c" if ch == "ц" and low[i + 1 : i + 2] in _GOST_SOFT else table.get(ch, ch) for i, ch in enumerate(low)
    )
