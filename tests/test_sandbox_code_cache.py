"""Compiled templates kept between processes (``sandbox.TemplateCodeCache``): loaded only when this process would
have compiled the same code, from the user's own cache folder, never from a file anyone else could have written."""

from __future__ import annotations

import json
import marshal
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic
from jinja2.exceptions import SecurityError

from conftest import REPO
from reglament import sandbox as sb
from reglament.project import check_project
from reglament.render.pages import render

pytestmark = pytest.mark.usefixtures("user_cache_home")

PAGE = """\
{% import "_macros.j2" as m %}
# {{ title | upper }}
{% for item in items %}
- {{ m.item(item) }} {{ "постоянная" | length }}
{% endfor %}
{{ "%5d" | format(items | length) }}
"""
MACROS = """\
{% macro item(x) %}[{{ x.name ~ "!" }}]{% endmacro %}
"""


class Counting:
    """Counts the templates an environment compiles (what it did not find in the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str | None] = []
        original = jinja2.Environment.compile

        def compile(env, source, name=None, filename=None, *args, **kwargs):
            self.names.append(name)
            return original(env, source, name, filename, *args, **kwargs)

        monkeypatch.setattr(jinja2.Environment, "compile", compile)


@pytest.fixture
def compiled(monkeypatch) -> Counting:
    return Counting(monkeypatch)


@pytest.fixture
def templates(tmp_path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.j2").write_text(PAGE, encoding="utf-8")
    (folder / "_macros.j2").write_text(MACROS, encoding="utf-8")
    return folder


@pytest.fixture
def folder(user_cache_home, tmp_path) -> Path:
    """A fresh cache folder (the user's, under the module's temporary cache home) for each test."""
    path = Path(user_cache_home) / tmp_path.name / "reglament" / "templates"
    return path


def fresh(folder: Path) -> sb.TemplateCodeCache:
    """The cache as a new process sees it: nothing in memory, only what is in ``folder``."""
    return sb.TemplateCodeCache(folder)


def sandboxed(templates: Path, cache: sb.TemplateCodeCache | None, **options) -> sb.Sandbox:
    return sb.Sandbox(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=cache,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )


ITEMS = [{"name": "первый"}, {"name": "второй"}]


def render_page(env: jinja2.Environment) -> str:
    return env.get_template("page.j2").render(title="заголовок", items=ITEMS)


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


# --------------------------------------------------------------------------- a second process


CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import jinja2

    names = []
    original = jinja2.Environment.compile

    def compile(env, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return original(env, source, name, filename, *args, **kwargs)

    jinja2.Environment.compile = compile

    from reglament.project import check_project
    from reglament.render.pages import render

    root = Path(sys.argv[1])
    checked = check_project(root)
    tree = render(checked.content, root / "templates")
    print(json.dumps({"compiled": sorted(n for n in names if n), "pages": tree.pages, "nav": tree.nav}))
    """
)


def run_child(root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, env=env, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_second_process_renders_the_site_from_the_cache_without_compiling(project, user_cache_home):
    root = project(with_site_files=True)
    first = run_child(root)
    second = run_child(root)
    # the first process compiled every page template it used; the second compiled none of them
    assert {"regulation.md.j2", "role.md.j2", "glossary.md.j2", "_macros.j2"} <= set(first["compiled"])
    assert second["compiled"] == []
    assert second["pages"] == first["pages"] and second["nav"] == first["nav"]
    kept = Path(user_cache_home) / "reglament" / "templates"
    assert len(entries(kept)) == len(set(first["compiled"]))


def test_the_folder_is_private_and_outside_the_project(templates, folder, compiled):
    assert not folder.exists()
    assert render_page(sandboxed(templates, fresh(folder)))
    assert (folder.stat().st_mode & 0o777) == 0o700
    for path in entries(folder):
        assert (path.stat().st_mode & 0o777) == 0o600
    # a cache home inside the project being rendered (XDG_CACHE_HOME pointing into a checkout) is not used
    home = Path(os.environ["XDG_CACHE_HOME"])
    assert sb.template_code_cache(project=home).folder is None
    assert sb.template_code_cache(project=home / "elsewhere").folder == sb.user_cache_folder()


def test_a_project_with_its_cache_home_inside_it_renders_but_writes_no_code(project, monkeypatch):
    root = project(with_site_files=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / ".reglament-cache"))
    tree = render(check_project(root).content, root / "templates")
    assert tree.pages
    assert not (root / ".reglament-cache").exists()


def test_no_folder_inside_a_git_working_tree(templates, tmp_path, compiled):
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    cache = fresh(checkout / ".cache" / "reglament" / "templates")
    assert render_page(sandboxed(templates, cache)) == render_page(sandboxed(templates, None))
    assert not cache.usable()
    assert not (checkout / ".cache").exists()  # not even created
    # and a new process (a fresh cache) compiles again: nothing was kept
    compiled.names.clear()
    render_page(sandboxed(templates, fresh(checkout / ".cache" / "reglament" / "templates")))
    assert sorted(compiled.names) == ["_macros.j2", "page.j2"]


def test_a_shared_or_foreign_folder_is_not_trusted(templates, folder, compiled):
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    render_page(sandboxed(templates, fresh(folder)))
    assert (folder.stat().st_mode & 0o777) == 0o700  # ours: made private before use
    if os.geteuid() == 0:  # a folder owned by someone else is never used (only root can make one here)
        other = folder.parent / "other"
        other.mkdir(mode=0o700)
        os.chown(other, 65534, 65534)
        assert not fresh(other).usable()
    link = folder.parent / "link"
    link.symlink_to(folder)
    assert not fresh(link).usable()


# --------------------------------------------------------------------------- what is loaded


def test_code_is_loaded_from_the_folder_by_a_new_cache(templates, folder, compiled):
    expected = render_page(sandboxed(templates, fresh(folder)))
    assert sorted(compiled.names) == ["_macros.j2", "page.j2"]
    compiled.names.clear()
    assert render_page(sandboxed(templates, fresh(folder))) == expected
    assert compiled.names == []


def test_an_edited_template_is_compiled_again(templates, folder, compiled):
    render_page(sandboxed(templates, fresh(folder)))
    (templates / "page.j2").write_text(PAGE.replace("upper", "lower"), encoding="utf-8")
    compiled.names.clear()
    assert "# заголовок" in render_page(sandboxed(templates, fresh(folder)))
    assert compiled.names == ["page.j2"]
    assert len(entries(folder)) == 2  # rewritten in place


def test_an_unsandboxed_environments_code_is_never_used_by_the_sandbox(templates, folder, compiled):
    (templates / "page.j2").write_text("{{ ''.__class__.__name__ }}", encoding="utf-8")
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=fresh(folder),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    assert plain.get_template("page.j2").render() == "str"  # a plain environment reads any attribute
    [plain_entry] = entries(folder)

    compiled.names.clear()
    env = sandboxed(templates, fresh(folder))
    with pytest.raises(SecurityError):
        env.get_template("page.j2").render()
    assert compiled.names == ["page.j2"]  # the sandbox compiled its own code …
    assert len(entries(folder)) == 2  # … and keeps it apart

    # even put in the sandbox's place, the plain code is refused (the file names the key it was written for)
    [own] = [p for p in entries(folder) if p != plain_entry]
    os.replace(plain_entry, own)
    compiled.names.clear()
    with pytest.raises(SecurityError):
        sandboxed(templates, fresh(folder)).get_template("page.j2").render()
    assert compiled.names == ["page.j2"]


@pytest.mark.parametrize(
    "options",
    [
        {"autoescape": True},
        {"finalize": str.strip},
        {"variable_start_string": "[[", "variable_end_string": "]]"},
        {"keep_trailing_newline": False},
    ],
    ids=["autoescape", "finalize", "delimiters", "newline"],
)
def test_another_configuration_has_its_own_code(templates, folder, compiled, options):
    base = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
    sb.Sandbox(loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=fresh(folder), **base).get_template(
        "page.j2"
    )
    compiled.names.clear()
    other = sb.Sandbox(
        loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=fresh(folder), **{**base, **options}
    )
    other.get_template("page.j2")
    assert compiled.names == ["page.j2"]


def test_a_filters_calling_convention_is_part_of_the_key(templates, folder, compiled):
    env = sandboxed(templates, fresh(folder))
    env.filters["upper"] = lambda s: s.upper()
    render_page(env)
    compiled.names.clear()
    other = sandboxed(templates, fresh(folder))
    other.filters["upper"] = jinja2.pass_context(lambda ctx, s: s.upper())
    assert "# ЗАГОЛОВОК" in render_page(other)  # compiled again: the call passes the context now
    assert "page.j2" in compiled.names


def test_filters_of_constants_run_when_the_template_renders(templates, folder, compiled):
    """A filter's result is never frozen into the compiled (and kept) code: the renderer's filters read the
    site being rendered, which changes between renders while the template does not."""
    (templates / "page.j2").write_text('{{ "[[lead]]" | text }} {{ "x" is site_term }}', encoding="utf-8")
    outputs = []
    for site in ("первый сайт", "второй сайт"):
        env = sandboxed(templates, fresh(folder))
        env.filters["text"] = lambda value, site=site: f"{value} на сайте «{site}»"
        env.tests["site_term"] = lambda value, site=site: site.startswith("первый")
        outputs.append(env.get_template("page.j2").render())
    assert outputs == ["[[lead]] на сайте «первый сайт» True", "[[lead]] на сайте «второй сайт» False"]
    assert compiled.names == ["page.j2"]  # the second site used the kept code


# --------------------------------------------------------------------------- bad files


CORRUPTIONS = [
    "empty",
    "truncated",
    "header only",
    "code byte flipped",
    "checksum byte flipped",
    "digest byte flipped",
    "other format",
    "garbage",
]


def corrupt(data: bytes, kind: str) -> bytes:
    """``data`` (a kept file: format, Jinja's magic, key, source checksum, SHA-256 of the code, code) damaged."""
    head = data.index(b"\n", len(sb.CODE_CACHE_FORMAT + bc_magic)) + 1  # after the key line

    def flip(at: int) -> bytes:
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]

    return {
        "empty": lambda: b"",
        "truncated": lambda: data[: len(data) // 2],
        "header only": lambda: data[: head + 41 + 32],
        "code byte flipped": lambda: flip(len(data) - 10),
        "checksum byte flipped": lambda: flip(head + 2),
        "digest byte flipped": lambda: flip(head + 41),
        "other format": lambda: b"reglament-template-code/0\n" + data[len(sb.CODE_CACHE_FORMAT) :],
        "garbage": lambda: os.urandom(len(data)),
    }[kind]()


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_a_corrupt_file_is_ignored_and_rewritten(templates, folder, compiled, kind):
    expected = render_page(sandboxed(templates, fresh(folder)))
    for path in entries(folder):
        path.write_bytes(corrupt(path.read_bytes(), kind))
    compiled.names.clear()
    assert render_page(sandboxed(templates, fresh(folder))) == expected
    assert sorted(compiled.names) == ["_macros.j2", "page.j2"]
    compiled.names.clear()  # rewritten whole: the next process loads it
    assert render_page(sandboxed(templates, fresh(folder))) == expected
    assert compiled.names == []


def test_jinjas_own_layout_is_never_unpickled(templates, folder, compiled, tmp_path):
    """Jinja's bucket files start with a pickle; one put where the cache looks is not read as one."""
    render_page(sandboxed(templates, fresh(folder)))
    marker = tmp_path / "unpickled"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    for path in entries(folder):
        code = compile("x = 1", "<template>", "exec")
        path.write_bytes(bc_magic + pickle.dumps(Evil(), 2) + marshal.dumps(code))
    compiled.names.clear()
    render_page(sandboxed(templates, fresh(folder)))
    assert not marker.exists()
    assert sorted(compiled.names) == ["_macros.j2", "page.j2"]


def test_a_file_others_may_write_or_a_symlink_is_not_read(templates, folder, compiled, tmp_path):
    render_page(sandboxed(templates, fresh(folder)))
    page, macros = entries(folder)
    os.chmod(page, 0o666)
    elsewhere = tmp_path / "elsewhere"
    os.replace(macros, elsewhere)
    macros.symlink_to(elsewhere)
    compiled.names.clear()
    render_page(sandboxed(templates, fresh(folder)))
    assert sorted(compiled.names) == ["_macros.j2", "page.j2"]


# --------------------------------------------------------------------------- the sandbox still holds


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ obj._secret }}",
        "{{ items.append(1) }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ 'x' * 1000000 }}",
        "{{ 10 ** 100000 }}",
        "{{ ('x' | center(9000)) ~ ('x' | center(9000)) ~ big }}",
        "{{ '{:>100000000}'.format('x') }}",
        "{% for i in range(3) %}{{ ' '.join(items) }}{% endfor %}",
    ],
)
def test_refusals_hold_with_cached_code(templates, folder, compiled, source):
    (templates / "page.j2").write_text(source, encoding="utf-8")

    class Obj:
        _secret = "s"

    context = {"obj": Obj(), "items": ["a"], "big": "x" * sb.VALUE_CHARS}
    with pytest.raises(SecurityError):
        sandboxed(templates, fresh(folder)).get_template("page.j2").render(**context)
    compiled.names.clear()
    env = sandboxed(templates, fresh(folder))
    with pytest.raises(SecurityError):
        env.get_template("page.j2").render(**context)
    assert compiled.names == []  # the code came from the cache


def test_a_bounded_render_stops_in_time_with_cached_code(templates, folder, compiled):
    (templates / "page.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8"
    )
    sandboxed(templates, fresh(folder)).get_template("page.j2")
    compiled.names.clear()
    env = sandboxed(templates, fresh(folder))
    template = env.get_template("page.j2")
    assert compiled.names == []
    with pytest.raises(sb.TemplateLimit):
        env.render_bounded(template, {}, seconds=0.2)


def test_the_page_templates_of_the_repository_are_kept(folder):
    env = sb.sandbox(loader=jinja2.FileSystemLoader(str(REPO / "templates" / "pages")))
    assert isinstance(env.bytecode_cache, sb.TemplateCodeCache)
    assert env.bytecode_cache.folder == sb.user_cache_folder()
    assert sb.sandbox().bytecode_cache is None  # texts (`from_string`) are not loaded through a cache
