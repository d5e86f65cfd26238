"""Benchmark: the diff of two editions of a 10,000-clause regulation, beyond loading.

    python benchmarks/bench_diff.py [--clauses 10000] [--seed 1] [--repeat 3]

Edition 1 is the generated corpus (``benchmarks/corpus.py``) as one
regulation; edition 2 changes it the way a real revision does: a clause
inserted at the top (renumbering every clause after it: moves), one word
reworded in about 5 % of the texts, sub-clauses removed, deadlines and a bonus
tier changed (parameters), 5 % of the prose paragraphs edited. Both editions
are loaded first (timed apart); then the comparison and each output format are
timed, best of ``--repeat``. It prints the figures; it is not a timed test.

:func:`run` returns the figures as a dict for the shared benchmark harness.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "generator"))

from corpus import generate  # noqa: E402
from reglament.diff import compare_editions, format_html, format_json, format_markdown, format_text  # noqa: E402
from reglament.diff.redline import diff_paragraphs  # noqa: E402
from reglament.source.loader import load  # noqa: E402

INSERTED = """\
  - id: bench-inserted
    text: >-
      Новый пункт редакции: работник обязан знакомиться с изменениями регламента в день их публикации.
"""


def second_edition(files: dict[str, str], *, every: int = 20) -> tuple[dict[str, str], dict[str, int]]:
    """Edition 2 of a generated corpus, and what was changed in it."""
    out = dict(files)
    made = {"inserted": 0, "reworded": 0, "removed": 0, "parameters": 0, "paragraphs": 0}
    for rel, text in files.items():
        if rel.endswith("/general.yml"):
            text = text.replace("clauses:\n", "clauses:\n" + INSERTED, 1)
            made["inserted"] += 1
            # remove every 200th sub-clause block (``      - id: …-cN-M`` up to the next item)
            blocks = list(re.finditer(r"(?m)^      - id: [a-z0-9-]+\n(?:^        .*\n)+", text))
            for match in reversed(blocks[::200]):
                text = text[: match.start()] + text[match.end() :]
                made["removed"] += 1
        if rel.endswith((".yml", ".yaml")):
            count = 0

            def reword(mt: re.Match) -> str:
                nonlocal count
                count += 1
                if count % every:
                    return mt.group(0)
                made["reworded"] += 1
                return mt.group(0).replace("обязан", "должен", 1)

            text = re.sub(r"(?m)^\s+(?:text: )?[^\n]*\bобязан\b[^\n]*$", reword, text)
            deadlines = 0

            def deadline(mt: re.Match) -> str:
                nonlocal deadlines
                deadlines += 1
                if deadlines % 10:
                    return mt.group(0)
                made["parameters"] += 1
                return f"{mt.group(1)}{int(mt.group(2)) + 5}"

            text = re.sub(r"(deadline_minutes: )(\d+)", deadline, text)
            if rel.endswith("/motivation.yml"):
                text, n = re.subn(
                    r"(bonus_percent: )(\d+)\n(?!.*bonus_percent)",
                    lambda mt: f"{mt.group(1)}{int(mt.group(2)) + 2}\n",
                    text,
                    count=1,
                    flags=re.S,
                )
                made["parameters"] += n
        if rel.endswith(".md") and "/regulations/" in rel:
            head, sep, body = text.partition("\n---\n")
            paras = body.split("\n\n")
            for i in range(1, len(paras), every):
                if "." in paras[i]:
                    paras[i] = paras[i].replace(".", " в установленном порядке.", 1)
                    made["paragraphs"] += 1
            text = head + sep + "\n\n".join(paras)
        out[rel] = text
    return out, made


def best(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU seconds of ``repeat`` runs, and the result.

    CPU time (this process only) is printed too: on a shared machine the wall
    clock also counts other processes' turns.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(walls), min(cpus), result


def run(*, clauses: int = 10_000, seed: int = 1, repeat: int = 3) -> dict:
    """Generate, load both editions, and time the comparison and the formats (seconds)."""
    corpus = generate(clauses=clauses, regulations=1, seed=seed)
    edition2, made = second_edition(corpus.files)
    encode = lambda files: {rel: text.encode("utf-8") for rel, text in files.items()}  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        old = load(root, files=encode(corpus.files))
        new = load(root, files=encode(edition2))
        loading = time.perf_counter() - start
    errors = [d for d in (*old.diagnostics, *new.diagnostics) if d.severity == "error"]
    if errors:
        raise SystemExit(f"the generated editions do not load: {errors[0]}")
    diff_wall, diff_cpu, changes = best(lambda: compare_editions(old.content, new.content), repeat)
    figures = {
        "clauses": corpus.clauses,
        "changes": changes.summary.to_json(),
        "made": made,
        "load_both_s": round(loading, 3),
        "compare_s": round(diff_wall, 3),
        "compare_cpu_s": round(diff_cpu, 3),
    }
    for name, fmt in (
        ("json", format_json),
        ("markdown", format_markdown),
        ("html", format_html),
        ("text", format_text),
    ):
        wall, cpu, text = best(lambda fmt=fmt: fmt(changes), repeat)
        figures[f"format_{name}_s"] = round(wall, 3)
        figures[f"format_{name}_cpu_s"] = round(cpu, 3)
        figures[f"format_{name}_kb"] = len(text.encode("utf-8")) // 1024
    return figures


SUBJECTS = [
    "менеджер",
    "клиент",
    "заявка",
    "сделка",
    "скидка",
    "счёт",
    "договор",
    "отчёт",
    "звонок",
    "поставка",
    "оплата",
    "рекламация",
]
VERBS = ["фиксирует", "согласует", "проверяет", "направляет", "готовит", "регистрирует", "уточняет", "контролирует"]
OBJECTS = [
    "в карточке сделки",
    "руководителю отдела",
    "в течение рабочего дня",
    "до конца недели",
    "по электронной почте",
    "в CRM",
]


def restructured_prose(paragraphs: int = 2000, seed: int = 1) -> tuple[str, str]:
    """A prose part of ``paragraphs`` blocks under headings, and a full restructuring of it: every section
    moved (shuffled), 10 % of the paragraphs moved to another section, 5 % reworded."""
    import random

    rnd = random.Random(seed)
    sections: list[list[str]] = []
    for n in range(paragraphs // 10):
        body = [f"## Раздел {n}: порядок работы {rnd.choice(SUBJECTS)}"]
        for k in range(9):
            words = [rnd.choice(SUBJECTS), rnd.choice(VERBS), rnd.choice(OBJECTS), f"по пункту {n}-{k}"]
            body.append(f"{' '.join(words).capitalize()}, {rnd.choice(VERBS)} {rnd.choice(OBJECTS)}.")
        sections.append(body)
    old = "\n\n".join(p for sec in sections for p in sec)
    new_sections = [list(sec) for sec in sections]
    rnd.shuffle(new_sections)
    for sec in new_sections:
        for k in range(1, len(sec)):
            if rnd.random() < 0.05:
                sec[k] = sec[k].replace(",", ", как правило,", 1)
    for _ in range(paragraphs // 10):
        a, b = rnd.sample(range(len(new_sections)), 2)
        if len(new_sections[a]) > 2:
            new_sections[b].append(new_sections[a].pop(rnd.randrange(1, len(new_sections[a]))))
    return old, "\n\n".join(p for sec in new_sections for p in sec)


def run_prose(*, paragraphs: int = 2000, repeat: int = 3) -> dict:
    old, new = restructured_prose(paragraphs)
    wall, cpu, changes = best(lambda: diff_paragraphs(old, new), repeat)
    kinds: dict[str, int] = {}
    for c in changes:
        kinds[c.change] = kinds.get(c.change, 0) + 1
    return {"paragraphs": paragraphs, "prose_s": round(wall, 3), "prose_cpu_s": round(cpu, 3), "kinds": kinds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clauses", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paragraphs", type=int, default=2000)
    args = parser.parse_args(argv)
    figures = run(clauses=args.clauses, seed=args.seed, repeat=args.repeat)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(
        f"diff of two editions of a {figures['clauses']}-clause regulation: compare {figures['compare_s']:.3f} s "
        f"(CPU {figures['compare_cpu_s']:.3f} s) "
        f"(+ json {figures['format_json_s']:.3f} s, markdown {figures['format_markdown_s']:.3f} s, "
        f"html {figures['format_html_s']:.3f} s) beyond loading ({figures['load_both_s']:.1f} s for both); "
        "target ≤ 1 s"
    )
    prose = run_prose(paragraphs=args.paragraphs, repeat=args.repeat)
    print(json.dumps(prose, ensure_ascii=False))
    print(
        f"a fully restructured {prose['paragraphs']}-paragraph prose part: {prose['prose_s']:.3f} s "
        f"(CPU {prose['prose_cpu_s']:.3f} s); target ≤ 2 s"
    )


if __name__ == "__main__":
    main()
