"""The one catalogue of message translations: diagnostics are written in English where they are made,
and shown in Russian (`--lang ru`, or a Russian locale) by :func:`translate` at output time.

Each entry is a pattern of an English message (or hint) and its Russian form; the
named groups carry ids, values and positions over unchanged. A message no entry
matches is shown in English — a test lists every class of problem in both languages.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from reglament.diagnostics import Diagnostic
from reglament.ru import plural

LANGS = ("ru", "en")

#: item kinds (as the loader and the rules name them) → Russian, genitive («у обязанности …»)
KINDS_GEN = {
    "term": "термина",
    "role": "роли",
    "duty": "обязанности",
    "group": "группы обязанностей",
    "responsibility": "пункта ответственности",
    "kpi": "KPI",
    "tier": "ступени шкалы премии",
    "reduction": "снижения премии",
    "block": "блока распорядка",
    "recurring": "регулярного дела",
    "category": "категории данных",
    "rule": "правила",
    "measure": "меры",
    "clause": "пункта",
    "item": "элемента",
    "part": "раздела",
    "regulation": "регламента",
}
KINDS_NOM = {
    "term": "термин",
    "role": "роль",
    "duty": "обязанность",
    "group": "группа обязанностей",
    "responsibility": "пункт ответственности",
    "kpi": "KPI",
    "tier": "ступень шкалы премии",
    "reduction": "снижение премии",
    "block": "блок распорядка",
    "recurring": "регулярное дело",
    "category": "категория данных",
    "rule": "правило",
    "measure": "мера",
    "clause": "пункт",
    "part": "раздел",
    "regulation": "регламент",
    "page": "страница",
}
_BOUNDS = {"greater than": "больше", "at least": "не меньше", "less than": "меньше", "at most": "не больше"}

_WHERE = r"(?P<where>`[^`]+`(?: of (?:\w+ `[^`]+`|item \d+ of `[^`]+`|item \d+))?|\w+ `[^`]+`|item \d+ of `[^`]+`)"

MESSAGES: list[tuple[str, str]] = [
    # reading files
    (r"the quote (?P<q>.) opened here is never closed", "кавычка {q}, открытая здесь, не закрыта"),
    (r"no space after the colon in `(?P<kv>[^`]*)`", "нет пробела после двоеточия в `{kv}`"),
    (
        r"a colon followed by a space inside a value \(YAML reads it as a new field\)",
        "двоеточие с пробелом внутри значения (YAML читает его как начало нового поля)",
    ),
    (
        r"a value that starts with `\[` is read as a list, and text follows it",
        "значение, которое начинается с `[`, YAML читает как список, а за ним идёт текст",
    ),
    (
        r"the quoted value ends at the second (?P<q>.), and text follows it",
        "значение в кавычках кончается на второй кавычке {q}, а за ней идёт текст",
    ),
    (
        r"a value that starts with `(?P<s>.)` is read as a YAML (alias|anchor)",
        "значение, которое начинается с `{s}`, YAML читает как ссылку-якорь",
    ),
    (r"a value cannot start with `(?P<s>.*)`", "значение не может начинаться с `{s}`"),
    (
        r"this line is indented by (?P<n>\d+) spaces, the fields above by (?P<m>\d+)",
        "строка сдвинута на {n} {n_spaces}, а поля над ней — на {m}",
    ),
    (r"this line is not a `field: value` pair", "эта строка — не пара `поле: значение`"),
    (r"this line does not fit the structure above it", "эта строка не вписывается в структуру над ней"),
    (r"tab character in indentation", "в отступе стоит символ табуляции"),
    (r"YAML syntax error: (?P<x>.*)", "ошибка синтаксиса YAML: {x}"),
    (r"YAML nesting is too deep", "слишком глубокая вложенность"),
    (
        r"file is not valid UTF-8 \(byte (?P<b>0x..)\); it looks saved in Windows-1251",
        "файл сохранён в кодировке Windows-1251, а не UTF-8 (байт {b})",
    ),
    (r"file is not valid UTF-8 \(byte (?P<b>0x..)\)", "файл не в кодировке UTF-8 (байт {b})"),
    (
        r"duplicate key `(?P<k>[^`]*)` \(first defined at line (?P<n>\d+)\)",
        "поле `{k}` указано дважды (первый раз — в строке {n})",
    ),
    (r"missing front matter", "у файла нет шапки (front matter)"),
    (r"front matter is not closed", "шапка (front matter) не закрыта"),
    # the model
    (r"unknown field `(?P<f>[^`]+)`(?: in \w+)?", "неизвестное поле `{f}`"),
    (r"missing required field `(?P<f>[^`]+)`(?::.*)?", "не хватает обязательного поля `{f}`"),
    (r"`(?P<v>[^`]*)` is not a valid id", "`{v}` — неподходящий id"),
    (r"unknown part kind `(?P<k>[^`]*)`", "неизвестный вид раздела `{k}`"),
    (r"missing `kind` of the part", "у раздела не указан `kind`"),
    (r"part file `(?P<f>[^`]*)` does not exist", "файла раздела `{f}` нет"),
    (_WHERE + r": time `(?P<v>[^`]*)` is read as a number", "{where}: время `{v}` прочитано как число"),
    (_WHERE + r": time `(?P<v>[^`]*)` is written with a dot", "{where}: время `{v}` написано через точку"),
    (_WHERE + r": a number is needed, got (?P<got>.*)", "{where}: нужно число, а написано {got}"),
    (_WHERE + r": a whole number is needed, got (?P<got>.*)", "{where}: нужно целое число, а написано {got}"),
    (
        _WHERE + r": `true` or `false` is needed, got (?P<got>.*)",
        "{where}: нужно `true` или `false` (`да` или `нет`), а написано {got}",
    ),
    (_WHERE + r": text is needed, got (?P<got>.*)", "{where}: нужен текст, а написано {got}"),
    (_WHERE + r": a list is needed, got (?P<got>.*)", "{where}: нужен список, а написано {got}"),
    (
        _WHERE + r": a group of `field: value` lines is needed, got (?P<got>.*)",
        "{where}: нужны строки `поле: значение`, а написано {got}",
    ),
    (
        _WHERE + r": (?P<got>.*) is not one of the allowed values \((?P<list>[^)]*)\)",
        "{where}: {got} — не из допустимых значений ({list})",
    ),
    (
        _WHERE + r": must be (?P<bound>greater than|at least|less than|at most) (?P<n>\S+), got (?P<got>.*)",
        "{where}: должно быть {bound} {n}, а написано {got}",
    ),
    (_WHERE + r": must not be empty", "{where}: не может быть пустым"),
    (_WHERE + r": is too long \(at most (?P<n>\d+) characters\)", "{where}: слишком длинно (не больше {n} знаков)"),
    (_WHERE + r" takes one value, not a list", "{where}: нужно одно значение, а не список"),
    # references
    (r"reference `(?P<r>[^`]*)` points to nothing", "ссылка `{r}` ведёт в никуда: такого id нет"),
    (r"`(?P<f>[^`]+)` names unknown (?P<k>\w+) `(?P<v>[^`]*)`", "`{f}`: {k_gen} `{v}` нет"),
    (
        r"`(?P<f>[^`]+)` must name a (?P<k>\w+), but `(?P<v>[^`]*)` is a (?P<k2>\w+)",
        "`{f}` должно называть {k_gen_acc}, а `{v}` — это {k2_nom}",
    ),
    (r"reference `(?P<r>[^`]*)` is closed with one bracket", "ссылка `{r}` закрыта одной скобкой"),
    (r"reference `(?P<r>[^`]*)` is not closed", "ссылка `{r}` не закрыта"),
    (r"reference `(?P<r>[^`]*)` has an empty display form after `\|`", "в ссылке `{r}` после `|` пусто"),
    (r"reference `(?P<r>[^`]*)` names no id", "в ссылке `{r}` нет id"),
    # rules
    (
        r"KPI weights sum to (?P<n>\S+) %, not 100 % \((?P<d>[^)]*)\)",
        "веса KPI в сумме дают {n} %, а не 100 % ({d})",
    ),
    (r"term `(?P<t>[^`]*)` \((?P<name>«[^»]*»)\) is never referenced", "на термин `{t}` {name} нет ни одной ссылки"),
    (
        r"«(?P<w>[^»]*)» is the term `(?P<t>[^`]*)` \((?P<name>«[^»]*»)\) but is not linked",
        "«{w}» — это термин `{t}` {name}, но без ссылки",
    ),
    (r"duty `(?P<d>[^`]*)` has no performing role", "у обязанности `{d}` нет исполнителя"),
    (
        r"responsibility clause `(?P<r>[^`]*)` enforces no duty",
        "пункт ответственности `{r}` не называет ни одной обязанности",
    ),
    (r"data category `(?P<c>[^`]*)` has no rule", "для категории данных `{c}` нет ни одного правила"),
    (
        r"block `(?P<b>[^`]*)` \((?P<t>[^)]*)\) overlaps `(?P<p>[^`]*)` \((?P<t2>[^)]*)\)",
        "блок `{b}` ({t}) пересекается с `{p}` ({t2})",
    ),
    (
        r"template syntax error: the character (?P<c>'.+?') cannot stand inside `\{\{ … \}\}`",
        "ошибка в шаблоне текста: знак {c} не может стоять внутри `{{{{ … }}}}`",
    ),
    (r"template syntax error: (?P<x>.*)", "ошибка в шаблоне текста: {x}"),
    (r"page template syntax error: (?P<x>.*)", "ошибка в шаблоне страницы: {x}"),
    (r"`(?P<n>[^`]*)` is not defined in templates", "`{n}` нет среди имён шаблонов"),
]

HINTS: list[tuple[str, str]] = [
    (
        r"close it with (?P<q>.) at the end of the value on line (?P<n>\d+).*",
        "закройте кавычку, открытую в строке {n}: поставьте {q} в конце значения",
    ),
    (r"write `(?P<kv>[^`]*)` \(a space after the colon\)", "напишите `{kv}` — с пробелом после двоеточия"),
    (
        r"put the whole value in quotes, e\.g\. (?P<x>.*)",
        "возьмите всё значение в кавычки, например {x}",
    ),
    (r"put the whole value in quotes: (?P<x>.*)", "возьмите всё значение в кавычки: {x}"),
    (
        r"write a quote inside '…' twice \(''\) or quote the value with the other kind of quote",
        "кавычку внутри '…' пишите дважды ('') или возьмите значение в другие кавычки",
    ),
    (
        r"indent it by (?P<m>\d+) spaces like the other fields of the item, or start a new item with `- ` "
        r"at the list's indentation",
        "сдвиньте её на {m} {m_spaces}, как остальные поля элемента, или начните новый элемент с `- `",
    ),
    (
        r"add the field name and a colon .*",
        "допишите имя поля и двоеточие (`text: …`) или сдвиньте строку под поле, текст которого она продолжает",
    ),
    (
        r"YAML indents with spaces only; replace the tab with spaces",
        "в YAML отступы только пробелами: замените табуляцию пробелами",
    ),
    (r"save the file as UTF-8.*", "сохраните файл в кодировке UTF-8 (обычно: «Сохранить как» → кодировка UTF-8)"),
    (r"remove one of the two, or rename it.*", "оставьте одно из двух или переименуйте одно"),
    (r"did you mean `(?P<x>[^`]*)`\?", "может быть, `{x}`?"),
    (r"allowed fields: (?P<x>.*)", "допустимые поля: {x}"),
    (r"add `(?P<f>[^`]*): …` to this item", "добавьте в этот элемент `{f}: …`"),
    (r"write the time in quotes with a colon: (?P<x>.*)", "время пишите в кавычках и через двоеточие: {x}"),
    (
        r"write digits only, without units or words, e\.g\. `15`; `60 000` and `12,5` are fine",
        "пишите только цифры, без единиц и слов, например `15`; можно `60 000` и `12,5`",
    ),
    (r"write it without a fraction, e\.g\. `15`", "пишите без дробной части, например `15`"),
    (r"write `true` or `false` \(`да` and `нет` work too\)", "напишите `true` или `false` (можно `да` или `нет`)"),
    (
        r"write text; put it in quotes if it starts with a special character",
        "напишите текст; если он начинается с особого знака — в кавычках",
    ),
    (r"write a list: `\[a, b\]`, or one `- item` per line", "напишите список: `[a, b]` или по `- элементу` на строку"),
    (r"write the fields on their own lines, indented", "напишите поля на отдельных строках с отступом"),
    (r"write one of: (?P<x>.*)", "напишите одно из: {x}"),
    (r"write a number (?P<bound>greater than|at least|less than|at most) (?P<n>\S+)", "напишите число {bound} {n}"),
    (
        r"write at least one item \(or one character of text\)",
        "впишите хотя бы один элемент (или хоть один знак текста)",
    ),
    (r"write a single value", "оставьте одно значение"),
    (r"use a Latin slug.*", "id пишется латиницей: строчные буквы, цифры и дефисы, например `lead-card`"),
    (r"define `(?P<x>[^`]*)` or use an existing (?P<k>\w+)", "определите `{x}` или укажите существующий id"),
    (r"close it with two brackets: `(?P<x>[^`]*)`", "закройте двумя скобками: `{x}`"),
    (
        r"add `\]\]` where the reference ends, e\.g\. `(?P<x>[^`]*)`",
        "поставьте `]]` там, где ссылка кончается, например `{x}`",
    ),
    (
        r"write the word after `\|` \(`(?P<a>[^`]*)`\), or drop the `\|`: `(?P<b>[^`]*)`",
        "впишите слово после `|` (`{a}`) или уберите `|`: `{b}`",
    ),
    (r"write the id after `\[\[`.*", "впишите id после `[[`, например `[[lead]]` или `[[lead|лидов]]`"),
    (r"adjust the weights by (?P<n>\S+) % in total", "измените веса в сумме на {n} %"),
    (r"write \[\[(?P<x>[^\]]*)\]\]", "напишите [[{x}]]"),
    (
        r"reference it as `(?P<r>[^`]*)` where it is used, or remove it from the glossary",
        "сошлитесь на него `{r}` там, где он используется, или уберите его из глоссария",
    ),
]

_COMPILED_MESSAGES = [(re.compile(p + r"\Z", re.S), t) for p, t in MESSAGES]
_COMPILED_HINTS = [(re.compile(p + r"\Z", re.S), t) for p, t in HINTS]
_WHERE_RE = re.compile(
    r"`(?P<f>[^`]+)` of (?P<k>\w+) `(?P<id>[^`]+)`|`(?P<f2>[^`]+)` of item (?P<n>\d+) of `(?P<l>[^`]+)`"
)


def _where_ru(text: str) -> str:
    def one(mt: re.Match) -> str:
        if mt.group("f"):
            return f"`{mt.group('f')}` у {KINDS_GEN.get(mt.group('k'), mt.group('k'))} `{mt.group('id')}`"
        return f"`{mt.group('f2')}` у {mt.group('n')}-го элемента списка `{mt.group('l')}`"

    return _WHERE_RE.sub(one, text)


def _fill(template: str, mt: re.Match) -> str:
    values = {k: (v or "") for k, v in mt.groupdict().items()}
    if "where" in values:
        values["where"] = _where_ru(values["where"])
    for name in ("n", "m"):
        if name in values:
            values[f"{name}_spaces"] = plural(values[name], "пробел", "пробела", "пробелов")
    if "bound" in values:
        values["bound"] = _BOUNDS.get(values["bound"], values["bound"])
    if "k" in values:
        values["k_gen"] = KINDS_GEN.get(values["k"], values["k"])
        values["k_gen_acc"] = KINDS_NOM.get(values["k"], values["k"])
    if "k2" in values:
        values["k2_nom"] = KINDS_NOM.get(values["k2"], values["k2"])
    return template.format(**values)


def _translate_text(text: str, table) -> str:
    prefix = ""
    company = re.match(r"company `[^`]+`: ", text)
    if company:  # a company's check names it first (project.tag)
        prefix, text = f"компания `{company.group()[9:-3]}`: ", text[company.end() :]
    for pattern, template in table:
        mt = pattern.match(text)
        if mt:
            return prefix + _fill(template, mt)
    return prefix + text


def translate(diagnostic: Diagnostic, lang: str) -> Diagnostic:
    """The diagnostic in ``lang`` (`en`: as it is)."""
    if lang != "ru":
        return diagnostic
    return replace(
        diagnostic,
        message=_translate_text(diagnostic.message, _COMPILED_MESSAGES),
        hint=_translate_text(diagnostic.hint, _COMPILED_HINTS) if diagnostic.hint else "",
    )


def default_lang() -> str:
    """`ru` when the locale is Russian (LC_ALL, LC_MESSAGES or LANG), else `en`."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"
