"""Review routing by content (reglament.diff.reviewers, `reglament reviewers`): real git repositories in temp dirs.

The issue's case first: the motivation part moved into a file named `general-2.yml` with `bonus_base`
raised still needs finance — the kind comes from the model, not from the file name.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import minimal_files, run_cli, write_tree
from reglament.diff.reviewers import (
    KINDS,
    apply_approvals,
    approvals_from_reviews,
    format_markdown,
    format_text,
    parse_map,
    require_approvals,
    route,
)
from reglament.errors import ApprovalsMissingError, ReviewersMapError

MOTIVATION = """\
id: motivation
title: Система мотивации
kind: motivation
bonus_base: 50000
kpis:
  - id: kpi-plan
    name: Выполнение плана
    measures: Доля выполнения плана по оплаченным [[deal|сделкам]].
    weight: 100
    target: 100 % плана
tiers:
  - id: tier-low
    from_percent: 0
    to_percent: 100
    bonus_percent: 0
  - id: tier-plan
    from_percent: 100
    bonus_percent: 5
"""

CONFIDENTIALITY = """\
id: confidentiality
title: Конфиденциальность
kind: confidentiality
categories:
  - id: data-clients
    name: Клиентская база
    classification: trade-secret
    examples: Перечень клиентов и история [[deal|сделок]].
rules:
  - id: rule-crm
    text: Хранить сведения о клиентах только в CRM.
    applies_to: [data-clients]
"""

REGULATION = """\
id: rules
title: Регламент менеджера
owner: head
approver: director
audience: [manager]
parts:
  - general.yml
  - duties.yml
  - motivation.yml
  - confidentiality.yml
"""

ROLES = """\
roles:
  - id: manager
    name: Менеджер
    department: Отдел продаж
  - id: head
    name: Руководитель
    department: Отдел продаж
  - id: director
    name: Директор
    department: Дирекция
"""

MAP = """\
admin: ["@acme/office"]
roles:
  head: ["@acme/sales-heads"]
  director: "@ivanov"
kinds:
  motivation: ["@acme/finance", owner]
  duties: [owner]
  confidentiality: ["@acme/security"]
"""


def sh_git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def commit(repo: Path, files: dict[str, str | None], message: str) -> str:
    for rel, text in files.items():
        if text is None:
            (repo / rel).unlink()
    write_tree(repo, {k: v for k, v in files.items() if v is not None})
    sh_git(repo, "add", "-A")
    sh_git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", message)
    return sh_git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """`main` with the content and the reviewers map; the test commits its pull request on branch `pr`."""
    root = tmp_path / "repo"
    root.mkdir()
    sh_git(root, "init", "-q", "-b", "main")
    files: dict[str, str | None] = dict(minimal_files())
    files.update(
        {
            "content/roles.yml": ROLES,
            "content/regulations/rules/regulation.yml": REGULATION,
            "content/regulations/rules/motivation.yml": MOTIVATION,
            "content/regulations/rules/confidentiality.yml": CONFIDENTIALITY,
            ".github/reviewers.yml": MAP,
        }
    )
    commit(root, files, "base")
    sh_git(root, "checkout", "-q", "-b", "pr")
    return root


def read(repo: Path, rel: str) -> str:
    return (repo / rel).read_text(encoding="utf-8")


def kinds(routing) -> set[str]:
    return {c.kind for c in routing.changes}


def reviewers(routing, kind: str) -> set[tuple[str, ...]]:
    return {r.reviewers for r in routing.requirements if r.kind == kind}


def all_reviewers(routing) -> set[tuple[str, ...]]:
    return {r.reviewers for r in routing.requirements}


# --------------------------------------------------------------------------
# Routing by content


def move_motivation_and_raise_bonus(repo) -> None:
    """The issue's case on the PR branch: the motivation part moved to `general-2.yml`, its bonus base raised."""
    reg = "content/regulations/rules"
    text = read(repo, f"{reg}/motivation.yml").replace("bonus_base: 50000", "bonus_base: 70000")
    commit(
        repo,
        {
            f"{reg}/motivation.yml": None,
            f"{reg}/general-2.yml": text,
            f"{reg}/regulation.yml": REGULATION.replace("motivation.yml", "general-2.yml"),
        },
        "move and raise",
    )


def test_motivation_moved_into_general_2_with_bonus_raised_needs_finance(repo):
    """The issue's case: CODEOWNERS would route `general-2.yml` as general text; the model says motivation."""
    move_motivation_and_raise_bonus(repo)
    routing = route(repo, base="main", head="pr")
    motivation = [c for c in routing.changes if c.kind == "motivation"]
    assert len(motivation) == 1
    change = motivation[0]
    assert change.item == "rules/motivation"
    assert change.file == "content/regulations/rules/general-2.yml"
    assert read(repo, change.file).splitlines()[change.line - 1] == "bonus_base: 70000"
    assert "bonus_base: 50000 → 70000" in change.detail
    assert reviewers(routing, "motivation") == {("@acme/finance",), ("@acme/sales-heads",)}
    # finance approving alone is not enough: the owner (head → @acme/sales-heads) must approve too
    partial = apply_approvals(routing, ["fin"], {"acme/finance": ["fin"]})
    with pytest.raises(ApprovalsMissingError, match="@acme/sales-heads"):
        require_approvals(partial)
    done = apply_approvals(routing, ["fin", "Boss"], {"acme/finance": ["fin"], "@acme/sales-heads": ["boss"]})
    require_approvals(done)


def test_pure_move_routes_no_content_kind(repo):
    """The same file moved under another name, not a byte of content changed: no finance, only the layout."""
    reg = "content/regulations/rules"
    commit(
        repo,
        {
            f"{reg}/motivation.yml": None,
            f"{reg}/general-2.yml": MOTIVATION,
            f"{reg}/regulation.yml": REGULATION.replace("motivation.yml", "general-2.yml"),
        },
        "rename",
    )
    routing = route(repo, base="main", head="pr")
    assert kinds(routing) == {"layout"}
    assert {c.file for c in routing.changes} == {
        f"{reg}/motivation.yml",
        f"{reg}/general-2.yml",
        f"{reg}/regulation.yml",
    }
    assert ("@acme/finance",) not in all_reviewers(routing)
    # `layout` is not in the map: the regulation's owner reviews it
    assert all_reviewers(routing) == {("@acme/sales-heads",)}


def test_confidentiality_edit_needs_security(repo):
    rel = "content/regulations/rules/confidentiality.yml"
    commit(repo, {rel: CONFIDENTIALITY.replace("только в CRM.", "только в CRM и нигде больше.")}, "tighten")
    routing = route(repo, base="main", head="pr")
    assert kinds(routing) == {"confidentiality"}
    (change,) = routing.changes
    assert (change.item, change.change, change.file) == ("rule-crm", "changed", rel)
    assert "только в CRM и нигде больше" in read(repo, rel).splitlines()[change.line - 1]
    assert all_reviewers(routing) == {("@acme/security",)}


def test_duty_edit_needs_the_regulations_owner(repo):
    rel = "content/regulations/rules/duties.yml"
    commit(repo, {rel: read(repo, rel).replace("в течение 15 минут", "в течение 10 минут")}, "faster")
    routing = route(repo, base="main", head="pr")
    assert kinds(routing) == {"duties"}
    (req,) = routing.requirements
    assert (req.kind, req.regulation, req.reviewers) == ("duties", "rules", ("@acme/sales-heads",))
    assert "owner: head" in req.why


def test_owner_change_needs_both_owners_and_base_roles(repo):
    """Changing the owner cannot route the PR to a friendlier owner only: both sides' owners approve."""
    rel = "content/regulations/rules/regulation.yml"
    duties = "content/regulations/rules/duties.yml"
    commit(
        repo,
        {
            rel: REGULATION.replace("owner: head", "owner: director"),
            duties: read(repo, duties).replace("в течение 15 минут", "в течение 10 минут"),
        },
        "new owner",
    )
    routing = route(repo, base="main", head="pr")
    assert {"regulation", "duties"} <= kinds(routing)
    # each owner separately: the old owner's team and the new owner (director → @ivanov)
    assert reviewers(routing, "duties") == {("@acme/sales-heads",), ("@ivanov",)}
    done = apply_approvals(routing, ["boss", "ivanov"], {"acme/sales-heads": ["boss"]})
    assert not [r for r in done.missing if r.kind == "duties"]
    assert [r.kind for r in apply_approvals(routing, ["ivanov"], {}).missing if r.reviewers == ("@acme/sales-heads",)]


def test_reviewers_map_edited_in_the_pr_is_ignored_and_needs_admin(repo):
    """The PR removes finance from the map and raises the bonus: the base map still routes it to finance."""
    rel = "content/regulations/rules/motivation.yml"
    commit(
        repo,
        {
            ".github/reviewers.yml": MAP.replace('motivation: ["@acme/finance", owner]', 'motivation: ["@mallory"]'),
            rel: MOTIVATION.replace("bonus_percent: 5", "bonus_percent: 50"),
        },
        "self-serve",
    )
    routing = route(repo, base="main", head="pr")
    assert {"reviewers", "motivation"} == kinds(routing)
    assert reviewers(routing, "reviewers") == {("@acme/office",)}
    assert reviewers(routing, "motivation") == {("@acme/finance",), ("@acme/sales-heads",)}
    assert ("@mallory",) not in all_reviewers(routing)


@pytest.mark.parametrize(
    "path", [".github/workflows/evil.yml", "generator/reglament/x.py", "content/notes.txt", "Makefile"]
)
def test_unknown_files_need_admin(repo, path):
    commit(repo, {path: "echo hi\n"}, "unknown")
    routing = route(repo, base="main", head="pr")
    assert kinds(routing) == {"other"}
    assert all_reviewers(routing) == {("@acme/office",)}


def test_file_kinds_without_model_changes(repo):
    """Templates, editions and profiles route by what the file is; a comment-only edit of a part is layout."""
    rel = "content/regulations/rules/motivation.yml"
    commit(
        repo,
        {
            "templates/overrides/main.html": "{% extends 'base.html' %}\n",
            rel: "# мотивация менеджера\n" + MOTIVATION,
        },
        "site",
    )
    routing = route(repo, base="main", head="pr")
    assert kinds(routing) == {"site", "layout"}
    assert ("@acme/finance",) not in all_reviewers(routing)
    # kinds the map does not name, outside a regulation: the admins
    assert reviewers(routing, "site") == {("@acme/office",)}


def test_company_profile_raising_a_bonus_needs_finance(repo):
    """A profile overriding a bonus tier changes that company's motivation: finance, whatever the file is."""
    profile = "content/companies/north.yml"
    base_profile = "id: north\nname: ООО «Север»\nshort_name: Север\nvisibility: internal\n"
    commit(repo, {profile: base_profile}, "company")
    sh_git(repo, "branch", "-f", "main", "HEAD")
    commit(repo, {profile: base_profile + "overrides:\n  tier-plan:\n    bonus_percent: 9\n"}, "raise for north")
    routing = route(repo, base="main", head="pr")
    assert {"companies", "motivation"} <= kinds(routing)
    (tier,) = [c for c in routing.changes if c.kind == "motivation"]
    assert (tier.item, tier.company) == ("tier-plan", "north")
    assert ("@acme/finance",) in reviewers(routing, "motivation")


def test_kinds_cover_every_part_kind():
    from reglament.diff.reviewers import PART_KINDS

    assert set(PART_KINDS.values()) <= set(KINDS)


# --------------------------------------------------------------------------
# Approvals


def test_approvals_latest_decisive_review_on_head_commit():
    head, old = "a" * 40, "b" * 40
    reviews = [
        {"user": {"login": "Fin"}, "state": "APPROVED", "commit_id": head},
        {"user": {"login": "fin"}, "state": "COMMENTED", "commit_id": head},  # a comment keeps the approval
        {"user": {"login": "sec"}, "state": "APPROVED", "commit_id": head},
        {"user": {"login": "sec"}, "state": "CHANGES_REQUESTED", "commit_id": head},
        {"user": {"login": "stale"}, "state": "APPROVED", "commit_id": old},  # approved what is no longer there
        {"user": {"login": "gone"}, "state": "APPROVED", "commit_id": head},
        {"user": {"login": "gone"}, "state": "DISMISSED", "commit_id": head},
        {"user": None, "state": "APPROVED", "commit_id": head},
        "garbage",
    ]
    assert approvals_from_reviews(reviews, head_sha=head) == {"fin"}
    assert approvals_from_reviews(reviews, head_sha=None) == {"fin", "stale"}


def test_team_members_unknown_never_satisfy(repo):
    rel = "content/regulations/rules/confidentiality.yml"
    commit(repo, {rel: CONFIDENTIALITY.replace("CRM.", "CRM-системе.")}, "edit")
    routing = route(repo, base="main", head="pr")
    with pytest.raises(ApprovalsMissingError, match="members of @acme/security unknown"):
        require_approvals(apply_approvals(routing, ["sec"], {}))
    with pytest.raises(ApprovalsMissingError):
        require_approvals(apply_approvals(routing, ["someone"], {"acme/security": ["sec"]}))
    require_approvals(apply_approvals(routing, ["SEC"], {"acme/security": ["sec"]}))


def test_markdown_escapes_and_pings_nobody(repo):
    path = "docs/`x`<img src=x onerror=alert(1)>@evil.md"
    commit(repo, {path: "x\n"}, "odd name")
    text = format_markdown(route(repo, base="main", head="pr"))
    assert "<img" not in text
    assert "@evil" not in text and "@acme" not in text  # mentions neutralised (a word joiner after `@`)


# --------------------------------------------------------------------------
# The map


def test_bad_map_gives_positioned_diagnostics():
    text = (
        'admin: ["@acme/office"]\nroles:\n  head: sales-heads\nkinds:\n  motivaton: ["@acme/finance"]\n  duties: []\n'
    )
    parsed, diagnostics = parse_map(text, ".github/reviewers.yml")
    assert parsed is None
    found = {(d.line, d.column, d.code) for d in diagnostics}
    assert (3, 9, "reviewers-map") in found  # `sales-heads` without @
    assert (5, 3, "reviewers-map") in found  # the misspelt kind, at its key
    assert (6, 11, "reviewers-map") in found  # an empty list
    by_line = {d.line: d for d in diagnostics}
    assert "did you mean `motivation`" in by_line[5].hint
    assert '"@sales-heads"' in by_line[3].hint


def test_map_without_admin_and_broken_yaml():
    _, diagnostics = parse_map("kinds:\n  duties: [owner]\n")
    assert any("admin" in d.message for d in diagnostics)
    _, diagnostics = parse_map('admin: ["@a"\nkinds: {\n')
    assert diagnostics and diagnostics[0].code == "yaml-syntax" and diagnostics[0].line >= 1


def test_bad_map_at_base_is_an_error_with_diagnostics(repo):
    sh_git(repo, "checkout", "-q", "main")
    commit(repo, {".github/reviewers.yml": "admin: office\n"}, "broken map")
    sh_git(repo, "checkout", "-q", "pr")
    with pytest.raises(ReviewersMapError) as info:
        route(repo, base="main", head="pr")
    assert info.value.exit_code == 1
    assert [(d.file, d.line, d.column) for d in info.value.diagnostics] == [(".github/reviewers.yml", 1, 8)]


# --------------------------------------------------------------------------
# The command


def test_cli_exit_codes(repo, tmp_path):
    rel = "content/regulations/rules/motivation.yml"
    commit(repo, {rel: MOTIVATION.replace("bonus_base: 50000", "bonus_base: 60000")}, "raise")
    root = ["--root", str(repo)]

    report = run_cli("reviewers", "main", "pr", "--format", "json", *root)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert [k["kind"] for k in data["kinds"]] == ["motivation"]
    assert data["teams"] == ["@acme/finance", "@acme/sales-heads"]
    assert data["checked"] is False

    teams = tmp_path / "teams.json"
    teams.write_text(json.dumps({"acme/finance": ["fin"], "acme/sales-heads": ["boss"]}), encoding="utf-8")
    missing = run_cli("reviewers", "main", "pr", "--approved", "fin", "--teams", str(teams), *root)
    assert missing.returncode == 1
    assert "@acme/sales-heads" in missing.stderr and "Traceback" not in missing.stderr

    head = sh_git(repo, "rev-parse", "pr").strip()
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(
        "\n".join(
            json.dumps({"user": {"login": login}, "state": "APPROVED", "commit_id": head}) for login in ("fin", "boss")
        ),
        encoding="utf-8",
    )
    ok = run_cli(
        "reviewers", "main", "pr", "--reviews", str(reviews), "--teams", str(teams), "--format", "markdown", *root
    )
    assert ok.returncode == 0, ok.stderr
    assert "✅" in ok.stdout and "⏳" not in ok.stdout

    bad_teams = tmp_path / "bad.json"
    bad_teams.write_text("{nope", encoding="utf-8")
    assert run_cli("reviewers", "main", "pr", "--approved", "x", "--teams", str(bad_teams), *root).returncode == 2
    unknown = run_cli("reviewers", "main", "no-such-branch", *root)
    assert unknown.returncode == 2 and "no-such-branch" in unknown.stderr

    sh_git(repo, "rm", "-q", ".github/reviewers.yml")
    sh_git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "no map")
    no_map = run_cli("reviewers", "pr", "pr", *root)
    assert no_map.returncode == 2 and "no reviewers map" in no_map.stderr


def test_new_company_profile_is_routed_by_what_it_changes(repo):
    """A new profile that lowers the plan's bonus for its company: `companies` and `motivation` both."""
    profile = (
        "id: south\nname: ООО «Юг»\nshort_name: Юг\nvisibility: internal\n"
        "overrides:\n  tier-plan:\n    bonus_percent: 3\n"
    )
    commit(repo, {"content/companies/south.yml": profile}, "new company")
    routing = route(repo, base="main", head="pr")
    assert kinds(routing) == {"companies", "motivation"}
    (tier,) = [c for c in routing.changes if c.kind == "motivation"]
    assert (tier.item, tier.company, tier.detail) == ("tier-plan", "south", "bonus_percent: 5 → 3")


def test_map_role_that_the_content_lacks_is_a_positioned_warning(repo):
    sh_git(repo, "checkout", "-q", "main")
    commit(repo, {".github/reviewers.yml": MAP.replace("  director:", "  directr:")}, "typo")
    sh_git(repo, "checkout", "-q", "pr")
    sh_git(repo, "merge", "-q", "main")
    rel = "content/regulations/rules/duties.yml"
    commit(repo, {rel: read(repo, rel).replace("15 минут", "20 минут")}, "slower")
    routing = route(repo, base="main", head="pr")
    (warning,) = routing.diagnostics
    assert (warning.file, warning.line, warning.column, warning.severity) == (".github/reviewers.yml", 4, 3, "warning")
    assert "did you mean `director`" in warning.hint
    proc = run_cli("reviewers", "main", "pr", "--format", "json", "--root", str(repo))
    assert proc.returncode == 0 and "directr" in proc.stderr
    assert json.loads(proc.stdout)["diagnostics"][0]["line"] == 4


def test_the_report_and_the_error_count_the_missing_approvals_alike(repo):
    """Two reviewers are missing, one of them for two kinds: the text says 2, as the error does."""
    move_motivation_and_raise_bonus(repo)
    checked = apply_approvals(route(repo, base="main", head="pr"), [], {})
    assert len(checked.missing) == 3  # motivation: finance and the owner; layout: the owner
    assert "не хватает согласований: 2" in format_text(checked)
    with pytest.raises(ApprovalsMissingError, match=r"^2 approval\(s\) missing"):
        require_approvals(checked)
