"""Editor support: the committed JSON Schemas, the schema lines of the sample files,
the pre-commit hooks and `reglament new …` scaffolding."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
from ruamel.yaml import YAML

from conftest import REPO, check_json, run_cli
from reglament.editor import schema

SCHEMA_DIR = REPO / schema.DEFAULT_DIR
BIN = Path(sys.executable).parent


def plain(value):
    """YAML data as JSON sees it (an unquoted date is text to an editor's schema validator)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def load_yaml(path: Path):
    return plain(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------
# Schemas


def test_committed_schema_is_up_to_date():
    stale = schema.stale_files(SCHEMA_DIR)
    assert stale == [], f"schema/ is out of date with the models ({', '.join(stale)}): run `reglament schema`"


def test_schema_check_command(tmp_path):
    out = tmp_path / "schema"
    assert run_cli("schema", "--out", str(out), "--check").returncode == 1
    proc = run_cli("schema", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(schema.generate())
    assert run_cli("schema", "--out", str(out), "--check").returncode == 0
    (out / "glossary.schema.json").write_text("{}", encoding="utf-8")
    (out / "gone.schema.json").write_text("{}", encoding="utf-8")
    proc = run_cli("schema", "--out", str(out), "--check")
    assert proc.returncode == 1
    assert "glossary.schema.json: out of date" in proc.stderr and "gone.schema.json: out of date" in proc.stderr
    assert sorted(p.name for p in schema.write_schemas(out)) == ["glossary.schema.json", "gone.schema.json"]
    assert not (out / "gone.schema.json").exists()
    assert schema.stale_files(out) == []


@pytest.mark.parametrize("name", sorted(schema.generate()))
def test_schema_is_valid_draft7_with_descriptions(name):
    data = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(data)
    assert data["$schema"] == schema.DIALECT
    assert data["title"].startswith("reglament: ")


def test_every_source_kind_has_a_schema():
    from reglament.model import nodes as m

    names = set(schema.generate())
    assert {
        "glossary.schema.json",
        "roles.schema.json",
        "regulation.schema.json",
        "part.schema.json",
        "prose.schema.json",
        "editions.schema.json",
        "company.schema.json",
        "defaults.schema.json",
    } <= names
    assert {f"part-{kind}.schema.json" for kind in m.PART_KINDS} <= names


SAMPLE_YAML = sorted(p for p in (REPO / "content").rglob("*.yml"))


@pytest.mark.parametrize("path", SAMPLE_YAML, ids=lambda p: p.relative_to(REPO).as_posix())
def test_sample_file_names_its_schema_and_matches_it(path):
    """The first line is the modeline VS Code's YAML extension reads, and the file validates against it."""
    rel = path.relative_to(REPO).as_posix()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), f"{rel}: first line is {first!r}"
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target.is_file(), f"{rel}: the modeline points at {target}, which does not exist"
    assert target.parent == SCHEMA_DIR
    data = load_yaml(path)
    assert target.name == schema.schema_for_source(rel, data)
    validator = jsonschema.Draft7Validator(json.loads(target.read_text(encoding="utf-8")))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_catches_what_the_checker_catches_in_one_file():
    """An unknown field (a typo) and a wrong type are schema errors too: the editor underlines them."""
    part = json.loads((SCHEMA_DIR / "part-duties.schema.json").read_text(encoding="utf-8"))
    good = {
        "kind": "duties",
        "id": "d",
        "title": "Обязанности",
        "duties": [{"id": "call", "text": "Позвонить", "role": "manager", "deadline_minutes": 15}],
    }
    assert list(jsonschema.Draft7Validator(part).iter_errors(good)) == []
    typo = json.loads(json.dumps(good))
    typo["duties"][0]["rol"] = "manager"
    assert any("'rol' was unexpected" in e.message for e in jsonschema.Draft7Validator(part).iter_errors(typo))
    wrong = json.loads(json.dumps(good))
    wrong["duties"][0]["deadline_minutes"] = "15 минут"
    assert list(jsonschema.Draft7Validator(part).iter_errors(wrong))
    union = json.loads((SCHEMA_DIR / "part.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(union).iter_errors(good)) == []
    assert list(jsonschema.Draft7Validator(union).iter_errors({**good, "kind": "dutie"}))


def test_modeline_paths():
    assert (
        schema.modeline("content/glossary.yml", "glossary.schema.json")
        == "# yaml-language-server: $schema=../schema/glossary.schema.json"
    )
    assert (
        schema.modeline("content/regulations/a/duties.yml", "part-duties.schema.json")
        == "# yaml-language-server: $schema=../../../schema/part-duties.schema.json"
    )
    assert (
        str(PurePosixPath("content/regulations/a") / "../../../schema/x") == "content/regulations/a/../../../schema/x"
    )


# --------------------------------------------------------------------------
# pre-commit


def test_pre_commit_manifest_is_valid():
    proc = subprocess.run(
        [str(BIN / "pre-commit"), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_pre_commit_hook_entries_run(project):
    """Each hook's `entry`, run as pre-commit runs it (in the repository root, no file names), does its job."""
    hooks = {h["id"]: h for h in YAML(typ="safe", pure=True).load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"reglament-check", "reglament-check-companies", "reglament-schema"}
    assert all(h["pass_filenames"] is False and h["language"] == "python" for h in hooks.values())
    bad = "id: general\ntitle: О\nkind: clauses\nclauses:\n  - id: purpose\n    text: О [[leed]].\n"
    root = project({"content/regulations/rules/general.yml": bad})
    check = shlex.split(hooks["reglament-check"]["entry"])
    assert check[0] == "reglament"
    assert run_cli(*check[1:], cwd=root).returncode == 1
    (root / "content/regulations/rules/general.yml").write_text(bad.replace("leed", "lead"), encoding="utf-8")
    assert run_cli(*check[1:], cwd=root).returncode == 0
    companies = shlex.split(hooks["reglament-check-companies"]["entry"])
    (root / "content/companies").mkdir()
    (root / "content/companies/alpha.yml").write_text(
        "id: alpha\nname: ООО «Альфа»\nshort_name: Альфа\nexclude: [no-such-id]\n", encoding="utf-8"
    )
    assert run_cli(*companies[1:], cwd=root).returncode == 1
    (root / "content/companies/alpha.yml").write_text(
        "id: alpha\nname: ООО «Альфа»\nshort_name: Альфа\n", encoding="utf-8"
    )
    assert run_cli(*companies[1:], cwd=root).returncode == 0
    run_cli("schema", cwd=root)
    assert run_cli(*shlex.split(hooks["reglament-schema"]["entry"])[1:], cwd=root).returncode == 0
    (root / "schema" / "roles.schema.json").unlink()
    assert run_cli(*shlex.split(hooks["reglament-schema"]["entry"])[1:], cwd=root).returncode == 1


# --------------------------------------------------------------------------
# Scaffolding


@pytest.fixture
def sample(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(SCHEMA_DIR, root / "schema")
    return root


def test_new_regulation_passes_check_strict(sample):
    proc = run_cli("new", "regulation", "warehouse-clerk", "--root", str(sample), "--title", "Регламент кладовщика")
    assert proc.returncode == 0, proc.stderr
    folder = sample / "content" / "regulations" / "warehouse-clerk"
    assert sorted(p.name for p in folder.iterdir()) == ["duties.yml", "general.yml", "regulation.yml"]
    code, found = check_json(sample, "--strict")
    assert (code, found) == (0, [])
    reg = load_yaml(folder / "regulation.yml")
    assert reg["title"] == "Регламент кладовщика"
    assert (reg["owner"], reg["approver"], reg["audience"]) == ("head-of-sales", "head-of-sales", ["manager"])
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert text.count("\n# ") >= 1, f"{path.name} carries no comments"
        first = text.splitlines()[0]
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target.is_file()
        validator = jsonschema.Draft7Validator(json.loads(target.read_text(encoding="utf-8")))
        assert list(validator.iter_errors(load_yaml(path))) == []


def test_new_regulation_in_a_small_project_with_options(project):
    root = project()
    proc = run_cli(
        "new",
        "regulation",
        "heads",
        "--root",
        str(root),
        "--role",
        "head",
        "--owner",
        "head",
        "--title",
        'Регламент "руководителя": №1',
    )
    assert proc.returncode == 0, proc.stderr
    assert check_json(root, "--strict") == (0, [])
    reg = load_yaml(root / "content/regulations/heads/regulation.yml")
    assert reg["title"] == 'Регламент "руководителя": №1'
    assert not (root / "content/regulations/heads/regulation.yml").read_text().startswith("# yaml-language-server")


@pytest.mark.parametrize(
    "args,message",
    [
        (["rules"], "already exists"),
        (["Bad_Id"], "is not a valid regulation id"),
        (["fresh", "--role", "nobody"], "--role `nobody` is not a role"),
        (["manager"], "ids already used elsewhere in the content: manager"),
    ],
)
def test_new_regulation_refuses(project, args, message):
    root = project()
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    proc = run_cli("new", "regulation", *args, "--root", str(root))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


# --------------------------------------------------------------------------
# README for editors


def diagnostic_codes() -> set[str]:
    """Every code the package can report: the rule registry, and the codes written in loaders and the variant step."""
    import re

    from reglament.check.rules import RULES

    codes = {rule.ID for rule in RULES}
    for path in (REPO / "generator" / "reglament").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(re.findall(r'"(?:error|warning)",\s*"([a-z][a-z0-9-]+)"', text))
        codes.update(re.findall(r'\.problem\([^,()]+(?:\([^()]*\))?,\s*"([a-z][a-z0-9-]+)"', text))
    return codes - {"error", "warning"}


def readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("title", ["Для редакторов", "For editors"])
def test_readme_explains_every_check_code(title):
    section = readme_section(title)
    missing = sorted(code for code in diagnostic_codes() if f"`{code}`" not in section)
    assert missing == [], f"README «{title}» does not explain: {', '.join(missing)}"


def test_codeowners_example_leaves_content_to_the_reviewers_check():
    """Content is routed by kind (`.github/reviewers.example.yml`, tests/diff/test_reviewers.py), not by path:
    CODEOWNERS names no owner under content/, and owns the reviewers map itself."""
    lines = [
        line.split()
        for line in (REPO / ".github" / "CODEOWNERS.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert all(all(o.startswith("@") for o in parts[1:]) for parts in lines)
    owners = {parts[0]: parts[1:] for parts in lines}
    assert owners["/content/"] == []
    assert not [p for p in owners if p.startswith("/content/") and p != "/content/"]
    assert owners["/.github/reviewers.yml"]


@pytest.mark.slow
def test_new_company_demo_passes_check_company(sample):
    """The issue's check: `reglament new company demo`, then `reglament check --company demo` passes."""
    proc = run_cli("new", "company", "demo", "--root", str(sample))
    assert proc.returncode == 0, proc.stderr
    path = sample / "content" / "companies" / "demo.yml"
    assert check_json(sample, "--company", "demo", "--strict") == (0, [])
    assert check_json(sample, "--all-companies") == (0, [])
    profile = load_yaml(path)
    assert (profile["id"], profile["visibility"], profile["params"]) == ("demo", "public", {})
    text = path.read_text(encoding="utf-8")
    for param in ("plan_amount", "response_minutes"):  # the defaults the texts use, shown commented out
        assert f"#   {param}: " in text
    first = text.splitlines()[0]
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == sample / "schema" / "company.schema.json"
    validator = jsonschema.Draft7Validator(json.loads(target.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(profile)) == []
    proc = run_cli("companies", "--json", "--root", str(sample))
    assert "demo" in [c["id"] for c in json.loads(proc.stdout)]


def test_new_company_copies_a_parameter_without_default(project):
    """A parameter the texts need with no default gets another profile's value (and says so)."""
    general = (
        "id: general\ntitle: Общие положения\nkind: clauses\nclauses:\n  - id: purpose\n"
        "    text: Регламент описывает работу с [[lead|лидами]] {{ company.short_name }}; план {{ params.plan }}.\n"
    )
    alpha = "id: alpha\nname: ООО «Альфа»\nshort_name: Альфа\nparams:\n  plan: 100\n"
    root = project({"content/regulations/rules/general.yml": general, "content/companies/alpha.yml": alpha})
    proc = run_cli(
        "new",
        "company",
        "beta",
        "--root",
        str(root),
        "--short-name",
        "Бета",
        "--city",
        "Казань",
        "--visibility",
        "internal",
    )
    assert proc.returncode == 0, proc.stderr
    profile = load_yaml(root / "content/companies/beta.yml")
    assert (profile["short_name"], profile["city"], profile["visibility"], profile["params"]) == (
        "Бета",
        "Казань",
        "internal",
        {"plan": 100},
    )
    assert "значение взято из профиля alpha" in (root / "content/companies/beta.yml").read_text(encoding="utf-8")
    assert check_json(root, "--company", "beta", "--strict") == (0, [])


@pytest.mark.parametrize(
    "args,message",
    [
        (["alpha"], "already exists"),
        (["Bad_Id"], "is not a valid company id"),
    ],
)
def test_new_company_refuses(project, args, message):
    root = project({"content/companies/alpha.yml": "id: alpha\nname: ООО «Альфа»\nshort_name: Альфа\n"})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    proc = run_cli("new", "company", *args, "--root", str(root))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_new_company_without_content_exits_2(tmp_path):
    proc = run_cli("new", "company", "demo", "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "no `content/` folder" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "content").exists()
