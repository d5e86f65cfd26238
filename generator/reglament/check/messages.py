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
from functools import cache

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
    (r"`company\.(?P<n>[^`]*)` is not a company field", "`company.{n}` — не поле компании"),
    (r"undefined value in template: (?P<x>.*)", "в шаблоне текста неизвестное значение: {x}"),
    (r"forbidden in templates: (?P<x>.*)", "в шаблонах это запрещено: {x}"),
    (r"template too costly: (?P<x>.*)", "шаблон текста слишком дорогой: {x}"),
    (r"template error: (?P<x>.*)", "ошибка в шаблоне текста: {x}"),
    (
        r"public text reaches internal parameter `(?P<x>[^`]*)`",
        "открытый текст обращается к внутреннему параметру `{x}`",
    ),
    # rules (each rule's messages; tests/check/test_rule_messages.py holds every rule to it)
    (
        r"tiers start at (?P<n>\S+) %: fulfilment below it has no tier",
        "шкала премии начинается с {n} %: для выполнения ниже нет ступени",
    ),
    (
        r"tier `(?P<a>[^`]*)` is open-ended but tier `(?P<b>[^`]*)` follows it",
        "ступень `{a}` не ограничена сверху, но за ней идёт ступень `{b}`",
    ),
    (
        r"gap between tiers: (?P<a>\S+) % … (?P<b>\S+) % has no tier",
        "разрыв в шкале премии: от {a} % до {b} % нет ступени",
    ),
    (
        r"tiers `(?P<a>[^`]*)` and `(?P<b>[^`]*)` overlap: (?P<x>\S+) % … (?P<y>\S+) %",
        "ступени `{a}` и `{b}` пересекаются: {x} % … {y} %",
    ),
    (
        r"tier `(?P<t>[^`]*)` ends \((?P<x>\S+) %\) at or below its start \((?P<y>\S+) %\)",
        "ступень `{t}` кончается ({x} %) не выше своего начала ({y} %)",
    ),
    (
        r"the top tier `(?P<t>[^`]*)` ends at (?P<x>\S+) %: fulfilment above it has no tier",
        "верхняя ступень `{t}` кончается на {x} %: для выполнения выше нет ступени",
    ),
    (
        r"clause `(?P<c>[^`]*)` is numbered (?P<num>\S+): (?P<a>\d+) levels, more than the (?P<b>\d+) "
        r"a numbered regulation \(and a Word multi-level list\) can show",
        "пункт `{c}` получил номер {num}: это {a} уровней, а нумерация регламента "
        "(и многоуровневый список Word) показывает не больше {b}",
    ),
    (
        r"id `(?P<x>[^`]*)` \((?P<k>\w+)\) is also used at (?P<at>.*)",
        "id `{x}` ({k_gen_acc}) занят ещё и в {at}",
    ),
    (
        r"edition `(?P<e>[^`]*)`: `(?P<f>\w+)` (?P<v>.*) is not a date",
        "редакция `{e}`: `{f}` {v} — не дата",
    ),
    (
        r"edition `(?P<e>[^`]*)` takes effect \((?P<a>[^)]*)\) before it is approved \((?P<b>[^)]*)\)",
        "редакция `{e}` вступает в силу ({a}) раньше, чем утверждена ({b})",
    ),
    (r"edition id (?P<v>.*) is a number in YAML, not text", "id редакции {v} YAML прочитал как число, а не текст"),
    (
        r"`(?P<v>[^`]*)` is reserved for aliases on the published site",
        "`{v}` занято под псевдонимы на опубликованном сайте",
    ),
    (r"`(?P<v>[^`]*)` is not a valid edition id", "`{v}` — неподходящий id редакции"),
    (
        r"edition `(?P<e>[^`]*)` is listed twice \(first at line (?P<n>\d+)\)",
        "редакция `{e}` указана дважды (первый раз — в строке {n})",
    ),
    (
        r"edition `(?P<e>[^`]*)` is listed after `(?P<b>[^`]*)` but its id is lower",
        "редакция `{e}` стоит после `{b}`, но её id меньше",
    ),
    (
        r"edition `(?P<e>[^`]*)` takes effect \((?P<a>[^)]*)\) before the edition it replaces, "
        r"`(?P<b>[^`]*)` \((?P<c>[^)]*)\)",
        "редакция `{e}` вступает в силу ({a}) раньше редакции `{b}` ({c}), которую заменяет",
    ),
    (
        r"employee (?P<name>«[^»]*») holds role `(?P<r>[^`]*)`, which is not defined",
        "у сотрудника {name} роль `{r}`, а такой роли нет",
    ),
    (
        r"(?P<what>reference `[^`]*`|`[^`]*`) points at `(?P<t>[^`]*)`, which (?P<who>company `[^`]+`|the base "
        r"regulation) (?P<verb>excludes|does not include)(?: \(with `(?P<by>[^`]*)`\))?",
        "{what} ведёт к `{t}`, но {who} {verb} `{t}`{by}",
    ),
    (
        r"public (?P<what>reference `[^`]*`|`[^`]*`) points at internal `(?P<t>[^`]*)`"
        r"(?: \(inside internal `(?P<inside>[^`]*)`\))?",
        "{what} в открытой части ведёт к внутреннему `{t}`{inside}",
    ),
    (
        r"public text shows internal parameter `(?P<x>[^`]*)`",
        "открытый текст показывает внутренний параметр `{x}`",
    ),
    (r"KPI `(?P<x>[^`]*)` measures nothing defined", "KPI `{x}` не измеряет ничего определённого в глоссарии"),
    (
        r"(?P<who>company `[^`]+`|the base regulation) has no value for `(?P<x>[^`]*)`",
        "{who}: нет значения для `{x}`",
    ),
    (
        r"`company\.(?P<x>[^`]*)` exists only for a company, not for the base regulation",
        "`company.{x}` есть только у компании, у базового регламента его нет",
    ),
    (r"(?P<who>company `[^`]+`|the base regulation) has no `(?P<x>[^`]*)`", "{who}: нет `{x}`"),
    (r"shared duty `(?P<d>[^`]*)` has no accountable role", "у общей обязанности `{d}` нет отвечающей роли (A)"),
    (
        r"duty `(?P<d>[^`]*)` is performed by `(?P<r>[^`]*)`, which is not among its responsible roles",
        "обязанность `{d}` исполняет `{r}`, а этой роли нет среди исполнителей (`raci.responsible`)",
    ),
    (
        r"regulation `(?P<r>[^`]*)`: `review_every: (?P<v>[^`]*)` counts from the approval of an edition, "
        r"and content/editions\.yml lists none",
        "регламент `{r}`: `review_every: {v}` отсчитывается от утверждения редакции, а в content/editions.yml "
        "редакций нет",
    ),
    (
        r"regulation `(?P<r>[^`]*)`: the review was due by (?P<d>\S+)(?P<basis> \(.*\))?, (?P<n>\d+) days? ago",
        "регламент `{r}`: пересмотр нужно было провести до {d}{basis}, {n} {n_days} назад",
    ),
    (
        r"regulation `(?P<r>[^`]*)`: the review is due by (?P<d>\S+)(?P<basis> \(.*\))?, in (?P<n>\d+) days?",
        "регламент `{r}`: пересмотр — до {d}{basis}, через {n} {n_days}",
    ),
    (
        r"working hours end \((?P<e>[^)]*)\) before they start \((?P<s>[^)]*)\)",
        "рабочий день кончается ({e}) раньше, чем начинается ({s})",
    ),
    (
        r"block `(?P<b>[^`]*)` ends \((?P<e>[^)]*)\) at or before its start \((?P<s>[^)]*)\)",
        "блок `{b}` кончается ({e}) не позже своего начала ({s})",
    ),
    (
        r"block `(?P<b>[^`]*)` \((?P<t>[^)]*)\) is outside working hours (?P<h>\S+)",
        "блок `{b}` ({t}) выходит за рабочие часы {h}",
    ),
    (
        r"term definitions form a cycle: (?P<path>.*)",
        "определения терминов ссылаются друг на друга по кругу: {path}",
    ),
    (r"`(?P<l>\w+)` names unknown id `(?P<x>[^`]*)`", "`{l}`: id `{x}` нет"),
    (
        r"`include` lists regulations and parts, but `(?P<x>[^`]*)` is a (?P<k>\w+)",
        "`include` перечисляет регламенты и разделы, а `{x}` — это {k_gen_acc}",
    ),
    (
        r"`roles` renames roles, but `(?P<x>[^`]*)` is a (?P<k>\w+)",
        "`roles` переименовывает роли, а `{x}` — это {k_gen_acc}",
    ),
    (r"no role belongs to department (?P<d>«[^»]*»)", "ни одна роль не относится к отделу {d}"),
    (r"parameter `(?P<x>[^`]*)` is defined and never used", "параметр `{x}` задан, но нигде не используется"),
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
    # templates in texts
    (
        r"expressions are written `\{\{ params\.name \}\}`, conditions .*",
        "выражения пишутся `{{{{ params.name }}}}`, условия — `{{% if params.x %}}…{{% endif %}}`; "
        "чтобы показать фигурные скобки как есть, возьмите текст в `{{% raw %}}…{{% endraw %}}`",
    ),
    (
        r"texts may use `company\.…` and `params\.…` only",
        "в текстах можно использовать только `company.…` и `params.…`",
    ),
    (r"company fields: (?P<x>.*)", "поля компании: {x}"),
    (
        r"texts may read `company\.…` and `params\.…` values only",
        "тексты могут читать только значения `company.…` и `params.…`",
    ),
    (
        r"texts only show profile values: drop the loops and large repetitions",
        "тексты только показывают значения из профиля: уберите циклы и большие повторения",
    ),
    (r"check the names after `company\.` and `params\.`", "проверьте имена после `company.` и `params.`"),
    (r"simplify the text", "упростите текст"),
    (
        r"simplify the expression; texts only show profile values",
        "упростите выражение: тексты только показывают значения из профиля",
    ),
    # rules
    (
        r"add a tier from 0 % \(with `bonus_percent: 0` if nothing is paid\)",
        "добавьте ступень от 0 % (с `bonus_percent: 0`, если ничего не платится)",
    ),
    (r"set `to_percent: (?P<n>\S+)` on `(?P<t>[^`]*)`", "укажите `to_percent: {n}` у ступени `{t}`"),
    (r"start `(?P<t>[^`]*)` at (?P<n>\S+) or later", "начните `{t}` в {n} или позже"),
    (r"start `(?P<t>[^`]*)` at (?P<n>\S+)", "начните `{t}` с {n}"),
    (r"`to_percent` must be greater than `from_percent`", "`to_percent` должно быть больше `from_percent`"),
    (r"remove `to_percent` from the top tier", "уберите `to_percent` у верхней ступени"),
    (r"add a rule with `applies_to: \[(?P<c>[^\]]*)\]`", "добавьте правило с `applies_to: [{c}]`"),
    (
        r"move this clause and its sub-clauses up a level, or split the section into two",
        "поднимите этот пункт с подпунктами на уровень выше или разделите раздел на два",
    ),
    (
        r"ids must be unique across the whole site; rename one of them",
        "id должен быть единственным на весь сайт: переименуйте один из них",
    ),
    (
        r"add `role: <role id>` \(or `raci: \{responsible: \[\.\.\.\]\}`\)",
        "добавьте `role: <id роли>` (или `raci: {{responsible: [...]}}`)",
    ),
    (r"write dates as YYYY-MM-DD: `(?P<d>[^`]*)`", "пишите даты как ГГГГ-ММ-ДД: `{d}`"),
    (
        r"write dates as YYYY-MM-DD, e\.g\. `(?P<d>[^`]*)` \(a real calendar date\)",
        "пишите даты как ГГГГ-ММ-ДД, например `{d}` (существующая дата)",
    ),
    (
        r"an edition takes effect on or after its approval date: fix one of the two dates",
        "редакция вступает в силу в день утверждения или позже: исправьте одну из дат",
    ),
    (
        r"quote the id: `(?P<q>[^`]*)` \(unquoted `2025\.10` would read as `2025\.1`\)",
        "возьмите id в кавычки: `{q}` (без кавычек `2025.10` прочитается как `2025.1`)",
    ),
    (r"use a number-like id such as `(?P<x>[^`]*)`", "возьмите id вида `{x}`"),
    (
        r"use letters, digits, `\.`, `-` or `_` \(up to 40\), starting with a letter or digit, e\.g\. `(?P<x>[^`]*)`",
        "пишите латинские буквы, цифры, `.`, `-` или `_` (до 40 знаков), начиная с буквы или цифры, например `{x}`",
    ),
    (
        r"each edition has one entry; give the new edition a new id",
        "у каждой редакции одна запись: дайте новой редакции новый id",
    ),
    (r"list editions oldest first, with ascending ids", "перечисляйте редакции от старой к новой, id по возрастанию"),
    (
        r"a later edition takes effect on or after the earlier one; fix the date or the order",
        "более поздняя редакция вступает в силу не раньше предыдущей: исправьте дату или порядок",
    ),
    (r"use a role id from roles\.yml: (?P<x>.*)", "укажите id роли из roles.yml: {x}"),
    (
        r"exclude the referencing item too, or override its text in the profile",
        "исключите и ссылающийся элемент или переопределите его текст в профиле",
    ),
    (
        r"make the referencing item `visibility: internal` too, or the target public",
        "сделайте и ссылающийся элемент `visibility: internal` или откройте то, на что он ссылается",
    ),
    (
        r"make the text's item `visibility: internal`, or the parameter public",
        "сделайте элемент с этим текстом `visibility: internal` или параметр открытым",
    ),
    (r"reference what is measured, e\.g\. (?P<x>.*)", "сошлитесь на то, что измеряется, например {x}"),
    (r"add `(?P<x>[^`]*): …` under `params:` in (?P<f>\S+)", "добавьте `{x}: …` в `params:` файла {f}"),
    (r"guard it: `(?P<g>[^`]*)`", "проверьте, что оно есть: `{g}`"),
    (r"add `(?P<x>[^`]*): …` to (?P<f>\S+)", "добавьте `{x}: …` в {f}"),
    (
        r"add `accountable: <role id>`: exactly one role answers for the result",
        "добавьте `accountable: <id роли>`: за результат отвечает ровно одна роль",
    ),
    (r"add `(?P<r>[^`]*)` to `raci\.responsible`", "добавьте `{r}` в `raci.responsible`"),
    (r"add `enforces: \[<duty id>, …\]`", "добавьте `enforces: [<id обязанности>, …]`"),
    (
        r"list the approved edition in content/editions\.yml \(`approved: YYYY-MM-DD`\) or set `review_by:`",
        "внесите утверждённую редакцию в content/editions.yml (`approved: ГГГГ-ММ-ДД`) или укажите `review_by:`",
    ),
    (
        r"review the regulation and approve a new edition, or move `review_by:` with a reason",
        "пересмотрите регламент и утвердите новую редакцию или перенесите `review_by:`, указав причину",
    ),
    (
        r"plan the review: the regulation's owner checks it and a new edition is approved",
        "запланируйте пересмотр: владелец регламента проверяет его, и утверждается новая редакция",
    ),
    (r"move the block or change `hours`", "передвиньте блок или измените `hours`"),
    (
        r"the working day's `end` must be later than its `start` \(a 24-hour clock, e\.g\. (?P<x>`[^`]*`)\)",
        "конец рабочего дня (`end`) должен быть позже начала (`start`); время — по 24-часовым часам, например {x}",
    ),
    (
        r"a block's `end` must be later than its `start` \(a block cannot run past midnight\)",
        "конец блока (`end`) должен быть позже его начала (`start`): блок не может переходить через полночь",
    ),
    (
        r"define one of these terms without referring back to the others",
        "определите один из этих терминов без ссылки на остальные",
    ),
    (r"check the id in the base regulation", "проверьте id в базовом регламенте"),
    (
        r"to leave a clause or an item out, list it under `exclude:`",
        "чтобы убрать пункт или элемент, укажите его в `exclude:`",
    ),
    (
        r"use it in a text as `\{\{ params\.(?P<x>[^ ]*) \}\}`, or delete it",
        "используйте его в тексте как `{{{{ params.{x} }}}}` или удалите",
    ),
]


@cache
def _compiled(table: str) -> list[tuple[re.Pattern[str], str]]:
    """The patterns of MESSAGES or HINTS, compiled on the first translation (most runs translate nothing)."""
    return [(re.compile(p + r"\Z", re.S), t) for p, t in (MESSAGES if table == "messages" else HINTS)]


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
    if "who" in values:
        values["who"] = re.sub(r"^company ", "компания ", values["who"]).replace(
            "the base regulation", "базовый регламент"
        )
    if "verb" in values:
        values["verb"] = {"excludes": "исключает", "does not include": "не включает"}.get(
            values["verb"], values["verb"]
        )
    if "what" in values:
        values["what"] = re.sub(r"^reference ", "ссылка ", values["what"])
    if values.get("by"):
        values["by"] = f" (вместе с `{values['by']}`)"
    if values.get("inside"):
        values["inside"] = f" (он внутри внутреннего `{values['inside']}`)"
    if values.get("basis"):
        values["basis"] = re.sub(
            r"^ \((.*) after the approval of (.*)\)$", r" (`\1` после утверждения \2)", values["basis"]
        )
    if "n" in values and "n_days" in template:
        values["n_days"] = plural(values["n"], "день", "дня", "дней")
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
        message=_translate_text(diagnostic.message, _compiled("messages")),
        hint=_translate_text(diagnostic.hint, _compiled("hints")) if diagnostic.hint else "",
    )


def default_lang() -> str:
    """`ru` when the locale is Russian (LC_ALL, LC_MESSAGES or LANG), else `en`."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"
