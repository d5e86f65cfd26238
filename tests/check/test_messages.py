"""Messages per class of problem, in English and in Russian (`--lang`), as an editor reads them:
what is wrong, where (the item's id or a 1-based number), and the exact fix."""

from __future__ import annotations

import pytest
from editor_mistakes import MISTAKES, apply, sample

from conftest import run_cli
from reglament.check.messages import default_lang, translate
from reglament.diagnostics import Diagnostic
from reglament.project import check_project

# mistake → (English message, English hint, Russian message, Russian hint)
EXPECTED = {
    "unknown optional field": (
        "unknown field `sinonimy` in Term",
        "did you mean `synonyms`?",
        "неизвестное поле `sinonimy`",
        "может быть, `synonyms`?",
    ),
    "time with a dot": (
        "`start` of block `rt-overnight-requests`: time `9.15` is read as a number",
        'write the time in quotes with a colon: `"09:15"`',
        "`start` у блока распорядка `rt-overnight-requests`: время `9.15` прочитано как число",
        'время пишите в кавычках и через двоеточие: `"09:15"`',
    ),
    "role typo": (
        "`role` names unknown role `manger`",
        "did you mean `manager`?",
        "`role`: роли `manger` нет",
        "может быть, `manager`?",
    ),
    "unclosed quote": (
        'the quote " opened here is never closed',
        'close it with " at the end of the value on line 30 (a " inside the text: \\")',
        'кавычка ", открытая здесь, не закрыта',
        'закройте кавычку, открытую в строке 30: поставьте " в конце значения',
    ),
    "no space after colon": (
        "no space after the colon in `weight:50`",
        "write `weight: 50` (a space after the colon)",
        "нет пробела после двоеточия в `weight:50`",
        "напишите `weight: 50` — с пробелом после двоеточия",
    ),
    "KPI lost to a colon in its name": (
        "a colon followed by a space inside a value (YAML reads it as a new field)",
        'put the whole value in quotes: `name: "Конверсия: лидов в оплату"`',
        "двоеточие с пробелом внутри значения (YAML читает его как начало нового поля)",
        'возьмите всё значение в кавычки: `name: "Конверсия: лидов в оплату"`',
    ),
    "field indented one space too far": (
        "this line is indented by 9 spaces, the fields above by 8",
        "indent it by 8 spaces like the other fields of the item, or start a new item with `- ` "
        "at the list's indentation",
        "строка сдвинута на 9 пробелов, а поля над ней — на 8",
        "сдвиньте её на 8 пробелов, как остальные поля элемента, или начните новый элемент с `- `",
    ),
    "list item without its dash": (
        "this line is indented by 6 spaces, the fields above by 8",
        "indent it by 8 spaces like the other fields of the item, or start a new item with `- ` "
        "at the list's indentation",
        "строка сдвинута на 6 пробелов, а поля над ней — на 8",
        "сдвиньте её на 8 пробелов, как остальные поля элемента, или начните новый элемент с `- `",
    ),
    "weights sum to 95": (
        "KPI weights sum to 95 %, not 100 % (50 + 15 + 15 + 15)",
        "adjust the weights by +5 % in total",
        "веса KPI в сумме дают 95 %, а не 100 % (50 + 15 + 15 + 15)",
        "измените веса в сумме на +5 %",
    ),
    "reference with one bracket": (
        "reference `[[crm|CRM-системе]` is closed with one bracket",
        "close it with two brackets: `[[crm|CRM-системе]]`",
        "ссылка `[[crm|CRM-системе]` закрыта одной скобкой",
        "закройте двумя скобками: `[[crm|CRM-системе]]`",
    ),
    "audience as a string": (
        "`audience`: a list is needed, got 'manager'",
        "write a list: `[a, b]`, or one `- item` per line",
        "`audience`: нужен список, а написано 'manager'",
        "напишите список: `[a, b]` или по `- элементу` на строку",
    ),
    "value not in the list": (
        "`period` of recurring `rec-weekly-meeting`: 'weakly' is not one of the allowed values "
        "(daily, weekly, monthly, quarterly)",
        "did you mean `weekly`?",
        "`period` у регулярного дела `rec-weekly-meeting`: 'weakly' — не из допустимых значений "
        "(daily, weekly, monthly, quarterly)",
        "может быть, `weekly`?",
    ),
    "colon inside a value": (
        "a colon followed by a space inside a value (YAML reads it as a new field)",
        'put the whole value in quotes: `deadline: "в течение: 1 рабочего дня"`',
        "двоеточие с пробелом внутри значения (YAML читает его как начало нового поля)",
        'возьмите всё значение в кавычки: `deadline: "в течение: 1 рабочего дня"`',
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_message_in_both_languages(tmp_path, mistake):
    root = sample(tmp_path)
    apply(root, [mistake])
    (diagnostic,) = check_project(root).diagnostics
    en_message, en_hint, ru_message, ru_hint = EXPECTED[mistake.name]
    assert (diagnostic.message, diagnostic.hint) == (en_message, en_hint)
    ru = translate(diagnostic, "ru")
    assert (ru.message, ru.hint) == (ru_message, ru_hint)
    assert (ru.file, ru.line, ru.column, ru.code) == (
        diagnostic.file,
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
    )


@pytest.mark.parametrize(
    ("message", "hint", "ru_message", "ru_hint"),
    [
        (
            "`weight` of kpi `kpi-plan`: a number is needed, got 'двадцать'",
            "write digits only, without units or words, e.g. `15`; `60 000` and `12,5` are fine",
            "`weight` у KPI `kpi-plan`: нужно число, а написано 'двадцать'",
            "пишите только цифры, без единиц и слов, например `15`; можно `60 000` и `12,5`",
        ),
        (
            "`is_break` of item 3 of `routine`: `true` or `false` is needed, got 'иногда'",
            "write `true` or `false` (`да` and `нет` work too)",
            "`is_break` у 3-го элемента списка `routine`: нужно `true` или `false` (`да` или `нет`), "
            "а написано 'иногда'",
            "напишите `true` или `false` (можно `да` или `нет`)",
        ),
        (
            "this line is indented by 3 spaces, the fields above by 4",
            "indent it by 4 spaces like the other fields of the item, or start a new item with `- ` "
            "at the list's indentation",
            "строка сдвинута на 3 пробела, а поля над ней — на 4",
            "сдвиньте её на 4 пробела, как остальные поля элемента, или начните новый элемент с `- `",
        ),
        (
            "file is not valid UTF-8 (byte 0xc7); it looks saved in Windows-1251",
            "save the file as UTF-8 (in most editors: «Save with encoding» → UTF-8)",
            "файл сохранён в кодировке Windows-1251, а не UTF-8 (байт 0xc7)",
            "сохраните файл в кодировке UTF-8 (обычно: «Сохранить как» → кодировка UTF-8)",
        ),
        (
            "reference `[[lead|…` is not closed",
            "add `]]` where the reference ends, e.g. `[[lead|лиду]]`",
            "ссылка `[[lead|…` не закрыта",
            "поставьте `]]` там, где ссылка кончается, например `[[lead|лиду]]`",
        ),
        (
            "template syntax error: the character '—' cannot stand inside `{{ … }}`",
            "",
            "ошибка в шаблоне текста: знак '—' не может стоять внутри `{{ … }}`",
            "",
        ),
        (
            "company `alfa`: reference `[[x]]` points to nothing",
            "",
            "компания `alfa`: ссылка `[[x]]` ведёт в никуда: такого id нет",
            "",
        ),
    ],
)
def test_message_classes_translate(message, hint, ru_message, ru_hint):
    ru = translate(Diagnostic("f.yml", 1, 1, "error", "code", message, hint), "ru")
    assert (ru.message, ru.hint) == (ru_message, ru_hint)


def test_english_is_kept_as_written():
    d = Diagnostic("f.yml", 1, 1, "error", "code", "anything", "hint")
    assert translate(d, "en") is d


def test_default_language_from_the_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert default_lang() == "en"
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    assert default_lang() == "ru"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert default_lang() == "en"


def test_cli_lang_option(tmp_path):
    root = sample(tmp_path)
    apply(root, [m for m in MISTAKES if m.name == "role typo"])
    ru = run_cli("check", "--root", str(root), "--lang", "ru")
    en = run_cli("check", "--root", str(root), "--lang", "en")
    assert ru.returncode == en.returncode == 1
    assert "`role`: роли `manger` нет" in ru.stdout and "может быть, `manager`?" in ru.stdout
    assert "`role` names unknown role `manger`" in en.stdout
