"""Fuzzing with hypothesis: generated content trees, valid and mutated, through load + check + render.

Properties:

* nothing but our diagnostics comes out: load, variant + check and render never
  raise on any input (an empty tree is the one typed error, ``NoContentError``);
* every diagnostic points into its file: a line that exists, a column within it;
* render is deterministic: the same sources give byte-identical pages, sources
  and navigation, however many times and in whichever process state;
* check does not depend on file order: the same files listed (or written to
  disk) in another order give the same diagnostics.

Example counts are modest so the suite stays fast; the runs are derandomized
(the same examples every time) so a failure here is a real regression, and a
new finding becomes a case in ``tests/bad_inputs/``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import REPO
from reglament.diagnostics import Diagnostic, has_errors
from reglament.errors import NoContentError
from reglament.morphology import Morph
from reglament.project import check_variant, load_project
from reglament.render.pages import render

NOWHERE = Path("/nonexistent-fuzz-root")
TEMPLATES = REPO / "templates"
MORPH = Morph()  # the dictionary is loaded once for the whole module

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --------------------------------------------------------------------------- vocabulary

TERMS = [
    ("lead", "Лид", ["лида", "лиду", "лидом", "лидов"]),
    ("deal", "Сделка", ["сделки", "сделку", "сделкой", "сделок"]),
    ("request", "Заявка", ["заявки", "заявку", "заявкой", "заявок"]),
    ("client", "Клиент", ["клиента", "клиенту", "клиентом", "клиентов"]),
    ("invoice", "Счёт", ["счёта", "счёту", "счётом", "счетов"]),
    ("crm", "CRM-система", ["CRM-системы", "CRM-систему", "CRM-системой"]),
]
ROLES = [("manager", "Менеджер"), ("head", "Руководитель"), ("accounting", "Бухгалтерия")]
WORDS = [
    "работник",
    "обязан",
    "своевременно",
    "оформлять",
    "проверять",
    "документы",
    "в",
    "течение",
    "рабочего",
    "дня",
    "порядок",
    "согласование",
    "отчёт",
    "руководитель",
    "система",
    "данные",
    "срок",
    "минут",
    "часов",
    "по",
    "с",
    "для",
    "при",
    "о",
    "на",
    "и",
    "или",
]
ODD = [
    "`code [[lead]]`",
    "<b>жирно</b>",
    "[ссылка](https://example.com/a?b=1)",
    "https://example.com/x",
    "**важно**",
    "ё",
    "«кавычки»",
    "—",
    "&amp;",
    "{",
    "}",
    "%",
    "\\",
    "'",
    '"',
    "#",
    ":",
    "|",
    "<!-- -->",
    "\u00a0",
]


@st.composite
def texts(draw, ids: list[str], *, multiline: bool = False) -> str:
    """Russian prose with references to ``ids``, term word forms, and Markdown/HTML odds and ends."""
    pieces = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.integers(0, 9))
        if kind <= 4:
            pieces.append(draw(st.sampled_from(WORDS)))
        elif kind == 5 and ids:
            target = draw(st.sampled_from(ids))
            form = draw(st.sampled_from([None, *[f for t in TERMS if t[0] == target for f in t[2]], "тот самый"]))
            pieces.append(f"[[{target}|{form}]]" if form else f"[[{target}]]")
        elif kind == 6:
            pieces.append(draw(st.sampled_from([f for t in TERMS for f in t[2]])))  # an unlinked mention
        elif kind == 7:
            pieces.append(draw(st.sampled_from(ODD)))
        elif kind == 8 and multiline:
            pieces.append("\n")
        else:
            pieces.append(draw(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя", min_size=1, max_size=9)))
    text = " ".join(pieces).replace(" \n ", "\n").strip()
    return text or "текст"


#: clause nesting the generator goes to: the deepest that `clause-depth` allows (nine number levels, «1.1.1.1.1.1.1.1.1»)
MAX_DEPTH = 8
#: a word only internal items carry: a public output holding it leaks
INTERNAL_MARK = "Служебнаяпометка"


@st.composite
def clause_tree(draw, cid: str, ids: list[str], level: int, depth: int, budget: list[int]) -> list[str]:
    """YAML lines of the clause ``cid`` at nesting ``level`` (1 = a part's clause) and its sub-clauses, to at most
    ``depth`` levels, while ``budget[0]`` (clauses left, shared by the part) lasts; texts reference ``ids``."""
    pad = "    " * (level - 1)
    style = draw(st.sampled_from(["quoted", "folded", "literal"]))
    lines = [
        f"{pad}  - id: {cid}",
        f"{pad}    text: {yaml_str(draw(texts(ids, multiline=level == 1)), 4 * level + 2, style)}",
    ]
    budget[0] -= 1
    if level < depth and budget[0] > 0:
        subs = draw(st.integers(0, min(3, budget[0])))
        if subs:
            lines.append(f"{pad}    clauses:")
            for s in range(subs):
                lines += draw(clause_tree(f"{cid}-{s}", ids, level + 1, depth, budget))
    return lines


def yaml_str(text: str, indent: int, style: str) -> str:
    """``text`` as a YAML scalar: double-quoted (JSON), folded or literal block."""
    if style == "quoted" or not text.strip() or text != text.strip() or "\n\n" in text:
        return json.dumps(text, ensure_ascii=False)
    pad = " " * indent
    if style == "literal":
        return "|-\n" + "\n".join(pad + line for line in text.split("\n"))
    words = text.replace("\n", " ").split(" ")
    lines, line = [], ""
    for word in words:
        if line and len(line) + len(word) > 40:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if any(not ln or ln.startswith(("#", " ")) for ln in lines):
        return json.dumps(text.replace("\n", " "), ensure_ascii=False)
    return ">-\n" + "\n".join(pad + ln for ln in lines)


@st.composite
def content_trees(draw) -> dict[str, bytes]:
    """A valid content tree: glossary, roles, one or two regulations, sometimes prose and a company."""
    style = lambda: draw(st.sampled_from(["quoted", "folded", "literal"]))  # noqa: E731
    terms = draw(st.lists(st.sampled_from(TERMS), min_size=1, max_size=len(TERMS), unique_by=lambda t: t[0]))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=len(ROLES), unique_by=lambda r: r[0]))
    term_ids, role_ids = [t[0] for t in terms], [r[0] for r in roles]
    files: dict[str, str] = {}

    lines = ["terms:"]
    for i, (tid, name, _forms) in enumerate(terms):
        definition = draw(texts(term_ids[:i]))  # only earlier terms: no cycles
        lines += [
            f"  - id: {tid}",
            f"    term: {json.dumps(name, ensure_ascii=False)}",
            f"    definition: {yaml_str(definition, 6, style())}",
        ]
    files["content/glossary.yml"] = "\n".join(lines) + "\n"
    lines = ["roles:"]
    for rid, name in roles:
        lines += [f"  - id: {rid}", f"    name: {name}", "    department: Отдел продаж"]
    files["content/roles.yml"] = "\n".join(lines) + "\n"

    for r in range(draw(st.integers(1, 2))):
        reg = f"reg{r}"
        ids = term_ids + role_ids
        clause_lines = [f"id: {reg}-general", "title: Общие положения", "kind: clauses", "clauses:"]
        budget = [draw(st.integers(1, 40))]  # clauses left to write in this part: trees deep, wide or both
        for c in range(draw(st.integers(1, 4))):
            clause_lines += draw(clause_tree(f"{reg}-c{c}", ids, 1, draw(st.integers(1, MAX_DEPTH)), budget))
        if draw(st.booleans()):  # an internal clause: in every output of the company, in no public one
            clause_lines += [
                f"  - id: {reg}-secret",
                f"    text: {INTERNAL_MARK} {json.dumps(draw(texts([])), ensure_ascii=False)}",
                "    visibility: internal",
            ]
        duty_lines = [f"id: {reg}-duties", "title: Обязанности", "kind: duties", "duties:"]
        duty_ids = []
        for d in range(draw(st.integers(1, 3))):
            did = f"{reg}-d{d}"
            duty_ids.append(did)
            duty_lines += [
                f"  - id: {did}",
                f"    text: {yaml_str(draw(texts(ids)), 6, style())}",
                f"    role: {draw(st.sampled_from(role_ids))}",
            ]
            if draw(st.booleans()):
                duty_lines.append(f"    deadline: {json.dumps(draw(texts([])), ensure_ascii=False)}")
        duty_lines += [
            "responsibility:",
            f"  - id: {reg}-r0",
            "    text: За нарушение — замечание.",
            f"    enforces: [{duty_ids[0]}]",
        ]
        parts = ["general.yml", "duties.yml"]
        folder = f"content/regulations/{reg}"
        files[f"{folder}/general.yml"] = "\n".join(clause_lines) + "\n"
        files[f"{folder}/duties.yml"] = "\n".join(duty_lines) + "\n"
        if draw(st.booleans()):
            paragraphs = [draw(texts(ids, multiline=True)) for _ in range(draw(st.integers(1, 4)))]
            if draw(st.booleans()):
                paragraphs.insert(1, "```\n[[not-a-ref]] код\n```")
            if draw(st.booleans()):
                paragraphs.insert(0, "## Подраздел")
            files[f"{folder}/final.md"] = (
                f"---\nid: {reg}-final\ntitle: Заключение\n---\n\n" + "\n\n".join(paragraphs) + "\n"
            )
            parts.append("final.md")
        files[f"{folder}/regulation.yml"] = (
            "\n".join(
                [
                    f"id: {reg}",
                    f"title: Регламент {r + 1}",
                    f"owner: {role_ids[0]}",
                    f"approver: {role_ids[-1]}",
                    f"audience: [{', '.join(role_ids)}]",
                    "parts:",
                    *(f"  - {p}" for p in parts),
                ]
            )
            + "\n"
        )
    if draw(st.booleans()):
        files["content/defaults.yml"] = "name: ООО «Вектор»\nshort_name: ООО «Вектор»\nparams:\n  minutes: 15\n"
        files["content/regulations/reg0/general.yml"] = files["content/regulations/reg0/general.yml"].replace(
            "clauses:\n",
            'clauses:\n  - id: company-clause\n    text: "Действует в {{ company.short_name }}, '
            'ответ за {{ params.minutes }} минут."\n',
            1,
        )
        if draw(st.booleans()):
            files["content/companies/kama.yml"] = (
                "id: kama\nname: ООО «Кама»\nshort_name: ООО «Кама»\nparams:\n  minutes: 20\nexclude: [reg0-r0]\n"
            )
    return {rel: text.encode("utf-8") for rel, text in files.items()}


SNIPPETS = [
    "\t",
    ":",
    ": ",
    "- ",
    "-",
    "[[",
    "]]",
    "[[lead|",
    "{{",
    "}}",
    "{{ params.nope }}",
    "{%",
    "{% for %}",
    "&a ",
    "*a",
    "'",
    '"',
    "#",
    "---\n",
    "? ",
    "|",
    ">",
    "!!python/object:os.system ",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "\n  ",
    "  ",
    "id: lead\n",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "`",
    "<script>",
    "{{ ''.__class__.__mro__ }}",
    "{{ lipsum.__globals__ }}",
    "9" * 30,
    "1e999",
    "~",
    "null",
    "yes",
]
BYTES = [b"\x00", b"\x01", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\xd0"]


@st.composite
def mutated_trees(draw) -> dict[str, bytes]:
    """A valid tree with one to four edits a careless editor (or a bad disk) might make."""
    files = dict(draw(content_trees()))
    for _ in range(draw(st.integers(1, 4))):
        rel = draw(st.sampled_from(sorted(files)))
        data = files[rel]
        kind = draw(st.integers(0, 8))
        at = draw(st.integers(0, len(data)))
        lines = data.split(b"\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if kind == 0:
            data = data[:at] + draw(st.sampled_from(SNIPPETS)).encode() + data[at:]
        elif kind == 1:
            data = data[:at] + draw(st.sampled_from(BYTES)) + data[at:]
        elif kind == 2:
            data = b"\n".join(lines[:i] + lines[i + 1 :])  # a line deleted
        elif kind == 3:
            data = b"\n".join(lines[:i] + [lines[i]] + lines[i:])  # a line duplicated
        elif kind == 4:
            j = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == 5:
            data = data[:at]  # truncated
        elif kind == 6 and len(files) > 1:
            del files[rel]
            continue
        elif kind == 7:
            data = data.replace(b"  ", b"\t", 1)
        else:
            data = data[:at] + draw(st.text(min_size=1, max_size=6)).encode("utf-8", "surrogatepass") + data[at:]
        files[rel] = data
    return files


# --------------------------------------------------------------------------- the pipeline


def pipeline(files: dict[str, bytes]):
    """Load, resolve + check the base variant, render when there are no errors. Raises only NoContentError."""
    project = load_project(NOWHERE, files=files)
    project.morph = MORPH
    checked = check_variant(project)
    tree = None if has_errors(checked.diagnostics) else render(checked.content, TEMPLATES, morph=MORPH)
    return project, checked, tree


def assert_positioned(diagnostics: list[Diagnostic], files: dict[str, bytes]) -> None:
    for d in diagnostics:
        assert d.file and d.line >= 1 and d.column >= 1, d
        if d.file not in files:
            continue
        lines = files[d.file].decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        lines = lines.split("\n")
        assert d.line <= len(lines), f"{d} points past the end of {d.file} ({len(lines)} lines)"
        assert d.column <= len(lines[d.line - 1]) + 1, f"{d} points past the end of its line {lines[d.line - 1]!r}"


def tree_bytes(tree) -> bytes:
    return json.dumps(
        {"pages": tree.pages, "sources": tree.sources, "nav": tree.nav}, ensure_ascii=False, sort_keys=True
    ).encode("utf-8")


# --------------------------------------------------------------------------- properties


@FUZZ
@given(content_trees())
def test_valid_trees_render_deterministically(files):
    _, checked, tree = pipeline(files)
    assert_positioned(checked.diagnostics, files)
    assume(tree is not None)
    _, again, second = pipeline(dict(reversed(list(files.items()))))
    assert again.diagnostics == checked.diagnostics
    assert tree_bytes(second) == tree_bytes(tree)
    fresh = render(again.content, TEMPLATES, morph=Morph())
    assert tree_bytes(fresh) == tree_bytes(tree)


@settings(FUZZ, max_examples=80)
@given(mutated_trees())
def test_mutated_trees_give_diagnostics_never_exceptions(files):
    try:
        _, checked, tree = pipeline(files)
    except NoContentError:
        assert not any(rel.startswith("content/") for rel in files)
        return
    assert_positioned(checked.diagnostics, files)
    if tree is not None:
        assert "index.md" in tree.pages


@settings(FUZZ, max_examples=25)
@given(st.one_of(content_trees(), mutated_trees()), st.randoms(use_true_random=False))
def test_check_does_not_depend_on_file_order(files, rnd: random.Random):
    order = list(files)
    rnd.shuffle(order)
    try:
        _, first, _ = pipeline(files)
    except NoContentError:
        return
    _, second, _ = pipeline({rel: files[rel] for rel in order})
    assert second.diagnostics == first.diagnostics


@pytest.mark.slow
@settings(FUZZ, max_examples=10)
@given(st.one_of(content_trees(), mutated_trees()), st.randoms(use_true_random=False))
def test_files_on_disk_in_any_order_check_like_the_mapping(tmp_path_factory, files, rnd: random.Random):
    from reglament.project import check_project

    order = list(files)
    rnd.shuffle(order)
    root = tmp_path_factory.mktemp("tree")
    for rel in order:  # creation order is what os.scandir tends to return
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel])
    try:
        _, expected, _ = pipeline(files)
    except NoContentError:
        with pytest.raises(NoContentError):
            check_project(root)
        return
    assert check_project(root).diagnostics == expected.diagnostics
