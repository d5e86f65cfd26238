"""The texts' templates (``{{ params.x }}`` in the content) compiled once: their code kept in the user's
compiled-template cache (``sandbox.TemplateCodeCache.string_bucket``) under the same rules as the page templates'."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from conftest import REPO
from reglament import sandbox as sb
from reglament.project import check_project
from reglament.variant.resolve import TemplateCache

pytestmark = pytest.mark.usefixtures("user_cache_home")

TEXTS = [
    "Срок — {{ params.days }} дней",
    "{% if params.days > 3 %}долго{% else %}быстро{% endif %}: {{ params.days | plural('день', 'дня', 'дней') }}",
    "{{ company.name }}\n{{\n  params.days\n}}",  # spread over lines: compiled from the spread text
    "\ud800 {{ params.days }}",  # a lone surrogate (a YAML escape can leave one): a key all the same
]
SCOPE = {"params": {"days": 5}, "company": {"name": "ООО «Ромашка»"}}


@pytest.fixture
def fresh_process(monkeypatch, user_cache_home, tmp_path) -> Path:
    """A cache home of this test's own, and each call of ``template_code_cache`` as a new process sees it."""
    home = Path(user_cache_home) / tmp_path.name
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(sb, "_code_caches", {})
    return home / "reglament" / "templates"


@pytest.fixture
def compiled(monkeypatch) -> list[object]:
    """What environments compile (a template found in the cache is not)."""
    sources: list[object] = []
    original = jinja2.Environment.compile

    def compile(env, source, *args, **kwargs):
        sources.append(source)
        return original(env, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return sources


def rendered(cache: TemplateCache) -> list[str]:
    out = []
    for text in TEXTS:
        parsed = cache.parse(text)
        assert parsed.error is None and parsed.template is not None
        out.append(cache.env.render_bounded(parsed.template, SCOPE))
    return out


def test_a_second_process_reads_the_texts_code_instead_of_compiling(fresh_process, compiled, tmp_path, monkeypatch):
    first = TemplateCache(tmp_path)
    expected = [TemplateCache().env.render_bounded(TemplateCache().parse(t).template, SCOPE) for t in TEXTS]
    assert rendered(first) == expected
    assert first.code is not None and first.code.compiled == len(TEXTS)
    assert len([p for p in fresh_process.iterdir() if not p.name.startswith(".")]) == len(TEXTS)
    compiled.clear()

    monkeypatch.setattr(sb, "_code_caches", {})  # a new process: nothing in memory
    second = TemplateCache(tmp_path)
    assert rendered(second) == expected
    assert second.code is not None and (second.code.loaded, second.code.compiled) == (len(TEXTS), 0)
    assert compiled == []
    # the uses and free names are still read from the parse (the cache keeps code only)
    assert [u.name for u in second.parse(TEXTS[0]).uses] == ["days"]


def test_an_edited_text_is_compiled_anew_and_each_text_has_its_own_entry(fresh_process, compiled, tmp_path):
    cache = TemplateCache(tmp_path)
    cache.parse("{{ params.a }}")
    cache.parse("{{ params.b }}")
    assert len(compiled) == 2
    again = TemplateCache(tmp_path)  # the same process: the code is kept in memory too
    assert again.env.render_bounded(again.parse("{{ params.b }}").template, {"params": {"b": "бэ"}}) == "бэ"
    assert len(compiled) == 2
    again.parse("{{ params.b }}!")
    assert len(compiled) == 3


def test_another_environment_never_finds_the_texts_code(fresh_process, tmp_path):
    cache = TemplateCache(tmp_path)
    cache.parse(TEXTS[0])
    code = cache.code
    assert code is not None
    text = cache.env.spread(TEXTS[0]).source  # what was compiled: each tag on a line of its own
    mine = code.string_bucket(cache.env, sb.environment_fingerprint(cache.env, None), text)
    assert mine.code is not None
    plain = sb.sandbox()  # no `finalize`: other code for the same text
    other = code.string_bucket(plain, sb.environment_fingerprint(plain, None), text)
    assert other.code is None and other.key != mine.key


def test_a_tampered_entry_is_ignored_and_rewritten(fresh_process, compiled, tmp_path, monkeypatch):
    TemplateCache(tmp_path).parse(TEXTS[0])
    (entry,) = [p for p in fresh_process.iterdir() if not p.name.startswith(".")]
    data = bytearray(entry.read_bytes())
    data[-1] ^= 0xFF
    entry.write_bytes(bytes(data))
    compiled.clear()
    monkeypatch.setattr(sb, "_code_caches", {})
    cache = TemplateCache(tmp_path)
    assert cache.env.render_bounded(cache.parse(TEXTS[0]).template, SCOPE) == "Срок — 5 дней"
    assert len(compiled) == 1 and cache.code is not None and cache.code.loaded == 0


def test_no_project_or_a_cache_home_inside_it_keeps_nothing_on_disk(fresh_process, tmp_path, monkeypatch):
    assert TemplateCache().code is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    cache = TemplateCache(tmp_path)
    cache.parse(TEXTS[0])
    assert cache.code is not None and cache.code.folder is None
    assert not (tmp_path / "cache-home").exists()


def test_the_check_reads_the_sample_texts_code_from_the_cache(fresh_process, tmp_path, compiled):
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    first = check_project(root)
    texts = [s for s in compiled if isinstance(s, jinja2.nodes.Template) or "{" in str(s)]
    assert texts, "the sample has templated texts"
    compiled.clear()
    sb._code_caches.clear()  # a new process, the same cache home
    second = check_project(root)
    assert compiled == []
    assert second.diagnostics == first.diagnostics
    assert second.content is not None and first.content is not None
    assert [r.model_dump() for r in second.content.regulations] == [r.model_dump() for r in first.content.regulations]
