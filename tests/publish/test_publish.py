"""`reglament publish` / `reglament editions` against real git repositories and a bare remote.

Every test drives the installed CLI, as a user would, in a temp folder: a
project repository (small content, editions tagged `edition/<id>`) whose
`origin` is a bare repository next to it. Two editions are published once per
test module; tests that change something work on a copy of both repositories.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, launch_chromium, minimal_files, run_cli, write_tree

pytestmark = pytest.mark.slow

EDITION_1 = """\
  - id: "2025.1"
    title: Первая редакция
    effective: 2025-02-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2025-01-20
"""
EDITION_2 = """\
  - id: "2025.2"
    title: Вторая редакция
    effective: 2025-06-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2025-05-15
"""
FUTURE = """\
  - id: "2999.1"
    title: Будущая редакция
    effective: 2999-03-01
    approved_by: Генеральный директор А. В. Смирнов
    approved: 2999-01-15
"""
#: a third edition, in force since September 2025
EDITION_3 = EDITION_2.replace("2025.2", "2025.3").replace("Вторая", "Третья").replace("2025-06-01", "2025-09-01")
GENERAL = "content/regulations/rules/general.yml"


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def rev(cwd: Path, ref: str) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=cwd, capture_output=True, text=True)
    return proc.stdout.strip() or None


def show(cwd: Path, spec: str) -> str:
    return git(cwd, "show", spec)


def new_edition(proj: Path, entry: str, *, edit: tuple[str, str] | None = None, tag: str) -> None:
    """Append an edition to editions.yml (and change the text), commit, tag `edition/<tag>`."""
    with (proj / "content/editions.yml").open("a", encoding="utf-8") as f:
        f.write(entry)
    if edit:
        path = proj / GENERAL
        path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    git(proj, "commit", "-qam", f"edition {tag}")
    git(proj, "tag", "-a", f"edition/{tag}", "-m", f"Редакция {tag}")


def make_repos(base: Path) -> Path:
    """`base/proj` (a project repository with edition 2025.1 tagged) and its bare `base/remote.git`."""
    proj = base / "proj"
    files = dict(minimal_files())
    files["content/editions.yml"] = "editions:\n" + EDITION_1
    files["content/defaults.yml"] = "visibility: public\n"  # an internal site never goes to a Pages branch
    write_tree(proj, files)
    shutil.copy(REPO / "mkdocs.yml", proj / "mkdocs.yml")
    shutil.copytree(REPO / "templates", proj / "templates")
    git(base, "init", "-q", "--bare", "-b", "main", "remote.git")
    git(proj, "init", "-q", "-b", "main")
    git(proj, "config", "user.name", "Издатель")
    git(proj, "config", "user.email", "publisher@example.com")
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "Регламент, редакция 2025.1")
    git(proj, "tag", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    git(proj, "remote", "add", "origin", "../remote.git")
    git(proj, "push", "-q", "origin", "main", "--tags")
    return proj


def publish(proj: Path, *args: str) -> subprocess.CompletedProcess:
    proc = run_cli("publish", *args, "--root", str(proj))
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def state(base: Path) -> tuple[str | None, str | None]:
    """(local gh-pages, remote gh-pages) commits."""
    return rev(base / "proj", "refs/heads/gh-pages"), rev(base / "remote.git", "refs/heads/gh-pages")


def versions(repo: Path, prefix: str = "", branch: str = "gh-pages") -> dict[str, dict]:
    path = f"{prefix}/versions.json" if prefix else "versions.json"
    return {v["version"]: v for v in json.loads(show(repo, f"{branch}:{path}"))}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """Two editions published and pushed: 2025.1, then 2025.2 (a changed clause)."""
    base = tmp_path_factory.mktemp("published")
    proj = make_repos(base)
    first = publish(proj, "2025.1", "--push")
    assert first.returncode == 0, first.stderr
    new_edition(proj, EDITION_2, edit=("Регламент описывает", "Настоящий регламент описывает"), tag="2025.2")
    git(proj, "push", "-q", "origin", "main", "--tags")
    second = publish(proj, "2025.2", "--push")
    assert second.returncode == 0, second.stderr
    return base


def private_copy(repositories: Path, tmp_path: Path) -> Path:
    """A test's own copy of a module's repositories (remotes named by relative path stay within the copy)."""
    base = tmp_path / "copy"
    shutil.copytree(repositories, base, symlinks=True)
    return base


@pytest.fixture
def repos(published, tmp_path) -> Path:
    """A private copy of the published repositories (the remote stays at `../remote.git`)."""
    return private_copy(published, tmp_path)


# --------------------------------------------------------------------------
# Publishing


@pytest.mark.xdist_group("publish")
def test_two_editions_on_the_remote(published):
    remote = published / "remote.git"
    assert state(published)[0] == state(published)[1]
    top = set(git(remote, "ls-tree", "--name-only", "gh-pages").splitlines())
    assert {"2025.1", "2025.2", "latest", "versions.json", "index.html", ".nojekyll"} <= top
    # `latest` is mike's symlink to the newest edition in force; the root redirects to it
    assert git(remote, "ls-tree", "gh-pages", "latest").startswith("120000 ")
    assert show(remote, "gh-pages:latest") == "2025.2"
    assert 'href="latest/"' in show(remote, "gh-pages:index.html")
    found = versions(remote)
    assert found["2025.2"]["aliases"] == ["latest"] and found["2025.1"]["aliases"] == []
    props = found["2025.2"]["properties"]
    assert props["effective"] == "2025-06-01" and props["approved"] == "2025-05-15"
    assert props["approved_by"] == "Генеральный директор А. В. Смирнов"
    assert props["content_hash"].startswith("sha256:") and len(props["content_hash"]) == 71
    assert props["tag"] == "edition/2025.2" and props["commit"] == rev(published / "proj", "edition/2025.2^{commit}")
    assert "published_by" not in props and props["audience"] == "public"
    assert "publisher@example.com" not in show(remote, "gh-pages:versions.json")  # no personal data published
    assert found["2025.1"]["properties"]["effective"] == "2025-02-01"
    assert found["2025.1"]["title"] == "Первая редакция"
    # each edition is built from its own tag
    assert "Настоящий регламент" in show(remote, "gh-pages:2025.2/rules/index.html")
    assert "Настоящий регламент" not in show(remote, "gh-pages:2025.1/rules/index.html")


@pytest.mark.xdist_group("publish")
def test_what_changed_page_compares_with_the_previous_edition(published):
    remote = published / "remote.git"
    page = show(remote, "gh-pages:2025.2/changes/index.html")
    assert "Что изменилось" in page and "2025.1 — Первая редакция" in page
    assert re.search(r"<ins[^>]*>Настоящий( регламент)?</ins>", page), page  # the word redline of the clause
    assert "changes/index.html" not in git(remote, "ls-tree", "-r", "--name-only", "gh-pages", "2025.1/")


def test_public_what_changed_page_leaves_internal_items_out(repos):
    proj = repos / "proj"
    marker = "ВНУТРЕННИЙ-МАРКЕР-7Q"
    internal = f"  - id: secret-clause\n    text: {marker} только для сотрудников.\n    visibility: internal\n"
    path = proj / GENERAL
    path.write_text(path.read_text(encoding="utf-8") + internal, encoding="utf-8")
    new_edition(proj, EDITION_3, edit=("Настоящий регламент", "Этот регламент"), tag="2025.3")
    proc = publish(proj, "2025.3", "--public")
    assert proc.returncode == 0, proc.stderr
    page = show(proj, "gh-pages:2025.3/changes/index.html")
    assert "Этот" in page  # the public change is there
    assert marker not in page and "secret-clause" not in page
    listing = git(proj, "ls-tree", "-r", "--name-only", "gh-pages", "2025.3/")
    for name in listing.splitlines():
        blob = subprocess.run(["git", "show", f"gh-pages:{name}"], cwd=proj, capture_output=True).stdout
        assert marker.encode() not in blob, name


@pytest.mark.xdist_group("publish")
def test_outdated_banner_markup_and_version_provider(published):
    remote = published / "remote.git"
    old = show(remote, "gh-pages:2025.1/rules/index.html")
    assert 'data-md-component="outdated"' in old
    assert "Это не действующая редакция" in old and 'href="../../latest/"' in old
    assert 'data-reglament-effective="2025-02-01"' in old
    # Material's version provider: mike (reads ../versions.json; `latest` is the default, others are outdated)
    config = json.loads(old.split('<script id="__config" type="application/json">')[1].split("</script>")[0])
    assert config["version"] == {"provider": "mike", "default": "latest", "alias": True}


@pytest.mark.xdist_group("publish")
def test_editions_lists_what_is_published(published):
    proc = run_cli("editions", "--root", str(published / "proj"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "(default site):"
    assert lines[1].startswith("  2025.2 [latest]  «Вторая редакция» — действует с 1 июня 2025 г. — действует")
    assert lines[2].startswith("  2025.1  «Первая редакция» — действует с 1 февраля 2025 г. — устарела")
    data = json.loads(run_cli("editions", "--root", str(published / "proj"), "--format", "json").stdout)
    assert [v["version"] for v in data[""]] == ["2025.2", "2025.1"]


@pytest.mark.xdist_group("publish")
def test_republish_unchanged_makes_no_commit(repos):
    before = state(repos)
    proc = publish(repos / "proj", "2025.2", "--push")
    assert proc.returncode == 0, proc.stderr
    assert "unchanged: gh-pages:2025.2/" in proc.stderr and "nothing to commit" in proc.stderr
    assert state(repos) == before


@pytest.mark.xdist_group("publish")
def test_republish_changed_is_refused_without_force(repos):
    proj = repos / "proj"
    before = state(repos)
    path = proj / GENERAL
    path.write_text(path.read_text(encoding="utf-8").replace("описывает", "определяет"), encoding="utf-8")
    git(proj, "commit", "-qam", "a silent change")
    git(proj, "tag", "-f", "-a", "edition/2025.2", "-m", "moved tag")
    proc = publish(proj, "2025.2", "--push")
    assert proc.returncode == 2
    assert "edition 2025.2 is already published with different content" in proc.stderr
    assert "--force" in proc.stderr
    assert state(repos) == before
    assert "reglament-publish" not in git(proj, "for-each-ref")

    forced = publish(proj, "2025.2", "--push", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "overwrote (--force)" in forced.stderr
    local, remote = state(repos)
    assert local == remote != before[1]
    props = versions(repos / "remote.git")["2025.2"]["properties"]
    [overwrite] = props["overwrites"]
    assert "by" not in overwrite and overwrite["at"]
    assert overwrite["replaced_hash"] != props["content_hash"]
    assert "определяет" in show(repos / "remote.git", "gh-pages:2025.2/rules/index.html")


@pytest.mark.xdist_group("publish")
def test_rejected_push_leaves_local_and_remote_as_they_were(repos):
    proj = repos / "proj"
    hook = repos / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'публикация запрещена политикой' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    new_edition(proj, EDITION_3, tag="2025.3")
    before = state(repos)
    proc = publish(proj, "2025.3", "--push")
    assert proc.returncode == 2
    assert "origin refused the push to `gh-pages`" in proc.stderr and "публикация запрещена" in proc.stderr
    assert state(repos) == before
    assert "2025.3" not in versions(proj)
    assert "reglament-publish" not in git(proj, "for-each-ref")


@pytest.mark.xdist_group("publish")
def test_stale_clone_with_unpushed_publish_is_stopped(repos):
    proj = repos / "proj"
    other = repos / "other"
    git(repos, "clone", "-q", "remote.git", "other")
    git(other, "config", "user.name", "Коллега")
    git(other, "config", "user.email", "colleague@example.com")
    git(other, "branch", "-q", "gh-pages", "origin/gh-pages")
    # this clone publishes 2025.3 locally, without pushing
    new_edition(proj, EDITION_3, tag="2025.3")
    assert publish(proj, "2025.3").returncode == 0
    # meanwhile a colleague forces a different build of 2025.2 onto the remote
    path = other / GENERAL
    path.write_text(path.read_text(encoding="utf-8").replace("описывает", "регулирует"), encoding="utf-8")
    git(other, "commit", "-qam", "fix")
    git(other, "tag", "-f", "-a", "edition/2025.2", "-m", "moved")
    assert publish(other, "2025.2", "--push", "--force").returncode == 0
    before = state(repos)
    proc = publish(proj, "2025.3", "--push")
    assert proc.returncode == 2
    assert "local `gh-pages` and `origin/gh-pages` have diverged" in proc.stderr
    assert "git branch -f gh-pages origin/gh-pages" in proc.stderr
    assert state(repos) == before  # nothing lost on either side
    assert "2025.3" in versions(proj) and "регулирует" in show(repos / "remote.git", "gh-pages:2025.2/rules/index.html")


@pytest.mark.xdist_group("publish")
def test_clone_behind_the_remote_publishes_on_top_of_it(repos):
    """A clone whose gh-pages is behind fetches first: the colleague's publish is kept."""
    proj = repos / "proj"
    other = repos / "other"
    git(repos, "clone", "-q", "remote.git", "other")
    git(other, "config", "user.name", "Коллега")
    git(other, "config", "user.email", "colleague@example.com")
    new_edition(other, EDITION_3, tag="2025.3")
    git(other, "push", "-q", "origin", "main", "--tags")
    assert publish(other, "2025.3", "--push").returncode == 0
    colleague = rev(repos / "remote.git", "refs/heads/gh-pages")
    # proj still has the old gh-pages; republishing 2025.2 (unchanged) fast-forwards it, no new commit
    proc = publish(proj, "2025.2", "--push")
    assert proc.returncode == 0, proc.stderr
    assert state(repos) == (colleague, colleague)


@pytest.mark.xdist_group("publish")
def test_future_edition_keeps_latest_on_the_edition_in_force(repos):
    proj = repos / "proj"
    new_edition(proj, FUTURE, tag="2999.1")
    proc = publish(proj, "2999.1", "--push")
    assert proc.returncode == 0, proc.stderr
    assert "latest → 2025.2" in proc.stderr
    found = versions(repos / "remote.git")
    assert found["2025.2"]["aliases"] == ["latest"] and found["2999.1"]["aliases"] == []
    page = show(repos / "remote.git", "gh-pages:2999.1/index.html")
    assert "вступает в силу 1 марта 2999 г." in page and 'data-reglament-effective="2999-03-01"' in page
    listing = run_cli("editions", "--root", str(proj)).stdout
    assert "2999.1  «Будущая редакция» — действует с 1 марта 2999 г. — вступает в силу 1 марта 2999 г." in listing


@pytest.mark.xdist_group("publish")
def test_edition_without_tag_or_with_errors(repos):
    proj = repos / "proj"
    proc = publish(proj, "2026.1")
    assert proc.returncode == 2 and "edition 2026.1 has no git tag `edition/2026.1`" in proc.stderr
    assert "git tag -a edition/2026.1" in proc.stderr
    path = proj / GENERAL
    path.write_text(path.read_text(encoding="utf-8").replace("[[lead|лидами]]", "[[leed|лидами]]"), encoding="utf-8")
    new_edition(proj, EDITION_3.replace("2025.3", "2026.1"), tag="2026.1")
    before = state(repos)
    proc = publish(proj, "2026.1", "--push")
    assert proc.returncode == 1
    assert f"{GENERAL}:6:" in proc.stdout and "unknown-reference" in proc.stdout
    assert "the content at tag `edition/2026.1` has errors" in proc.stderr
    assert state(repos) == before


def test_not_a_repository(tmp_path):
    write_tree(tmp_path / "plain", minimal_files())
    proc = publish(tmp_path / "plain", "2025.1")
    assert proc.returncode == 2 and "is not inside a git repository" in proc.stderr


# --------------------------------------------------------------------------
# Companies: one prefix per company


def profile(cid: str, short: str, *, extra: str = "") -> str:
    return f"id: {cid}\nname: Общество с ограниченной ответственностью «{short}»\nshort_name: ООО «{short}»\n{extra}"


@pytest.fixture(scope="module")
def companies(tmp_path_factory) -> Path:
    """Two companies, two editions each, published with `--all --push`."""
    base = tmp_path_factory.mktemp("companies")
    proj = make_repos(base)
    (proj / "content/companies").mkdir()
    (proj / "content/companies/alpha.yml").write_text(profile("alpha", "Альфа"), encoding="utf-8")
    (proj / "content/companies/beta.yml").write_text(profile("beta", "Бета"), encoding="utf-8")
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "companies")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    first = publish(proj, "2025.1", "--all", "--push")
    assert first.returncode == 0, first.stderr
    new_edition(proj, EDITION_2, edit=("Регламент описывает", "Настоящий регламент описывает"), tag="2025.2")
    second = publish(proj, "2025.2", "--all", "--push")
    assert second.returncode == 0, second.stderr
    return base


@pytest.fixture
def company_repos(companies, tmp_path) -> Path:
    return private_copy(companies, tmp_path)


@pytest.mark.xdist_group("publish-companies")
def test_two_editions_of_two_companies(companies):
    remote = companies / "remote.git"
    assert state(companies)[0] == state(companies)[1]
    top = set(git(remote, "ls-tree", "--name-only", "gh-pages").splitlines())
    assert {"alpha", "beta", "index.html"} <= top and "versions.json" not in top
    root_page = show(remote, "gh-pages:index.html")
    assert 'href="alpha/"' in root_page and "ООО «Альфа»" in root_page and 'href="beta/"' in root_page
    for cid, short in (("alpha", "Альфа"), ("beta", "Бета")):
        names = set(git(remote, "ls-tree", "--name-only", f"gh-pages:{cid}").splitlines())
        assert {"2025.1", "2025.2", "latest", "versions.json", "index.html"} <= names
        assert show(remote, f"gh-pages:{cid}/latest") == "2025.2"
        found = versions(remote, cid)
        assert found["2025.2"]["aliases"] == ["latest"]
        assert found["2025.1"]["properties"]["effective"] == "2025-02-01"
        assert found["2025.2"]["properties"]["effective"] == "2025-06-01"
        page = show(remote, f"gh-pages:{cid}/2025.2/rules/index.html")
        assert short in page  # the company's own site title
        assert "Что изменилось" in show(remote, f"gh-pages:{cid}/2025.2/changes/index.html")
    alpha, beta = versions(remote, "alpha")["2025.2"], versions(remote, "beta")["2025.2"]
    assert alpha["properties"]["content_hash"] != beta["properties"]["content_hash"]
    listing = run_cli("editions", "--root", str(companies / "proj"), "--company", "beta")
    assert listing.returncode == 0 and listing.stdout.splitlines()[0] == "beta:"


@pytest.mark.xdist_group("publish-companies")
def test_companies_need_a_choice(company_repos):
    proc = publish(company_repos / "proj", "2025.2")
    assert proc.returncode == 2 and "pass --company ID, or --all" in proc.stderr
    proc = publish(company_repos / "proj", "2025.2", "--company", "gamma")
    assert proc.returncode == 2 and "no company profile `gamma`" in proc.stderr


@pytest.mark.xdist_group("publish-companies")
def test_failure_on_the_second_company_of_three_changes_nothing(company_repos):
    proj = company_repos / "proj"
    (proj / "content/companies/gamma.yml").write_text(profile("gamma", "Гамма"), encoding="utf-8")
    # beta's profile now excludes a clause that does not exist: an error for beta only
    (proj / "content/companies/beta.yml").write_text(
        profile("beta", "Бета", extra="exclude: [no-such-clause]\n"), encoding="utf-8"
    )
    git(proj, "add", "-A")
    new_edition(proj, EDITION_3, tag="2025.3")
    before = state(company_repos)
    proc = publish(proj, "2025.3", "--all", "--push")
    assert proc.returncode == 1, proc.stderr
    assert "company `beta`" in proc.stderr and "no-such-clause" in proc.stdout
    assert state(company_repos) == before
    assert "2025.3" not in versions(proj, "alpha")
    assert "reglament-publish" not in git(proj, "for-each-ref")
    # fixed and tagged again: all three go out; gamma joined in this edition, so it has no «Что изменилось» page
    (proj / "content/companies/beta.yml").write_text(profile("beta", "Бета"), encoding="utf-8")
    git(proj, "commit", "-qam", "beta fixed")
    git(proj, "tag", "-f", "-a", "edition/2025.3", "-m", "Редакция 2025.3")
    proc = publish(proj, "2025.3", "--all", "--push")
    assert proc.returncode == 0, proc.stderr
    assert "no «Что изменилось» page for company `gamma`: it has no profile in edition 2025.2" in proc.stderr
    remote = company_repos / "remote.git"
    assert [versions(remote, cid)["2025.3"]["aliases"] for cid in ("alpha", "beta", "gamma")] == [["latest"]] * 3
    assert 'href="gamma/"' in show(remote, "gh-pages:index.html")
    assert "changes" not in git(remote, "ls-tree", "--name-only", "gh-pages", "gamma/2025.3/")


@pytest.mark.xdist_group("publish-companies")
def test_build_only_then_deploy_from_the_built_sites(company_repos):
    proj = company_repos / "proj"
    new_edition(proj, EDITION_3, tag="2025.3")
    built = company_repos / "built"
    for cid in ("alpha", "beta"):
        proc = publish(proj, "2025.3", "--company", cid, "--build-only", "--out", str(built / cid))
        assert proc.returncode == 0, proc.stderr
        manifest = json.loads((built / cid / "edition.json").read_text(encoding="utf-8"))
        assert manifest["company"] == cid and manifest["edition"] == "2025.3"
    assert state(company_repos)[0] == state(company_repos)[1]  # building publishes nothing
    # a prebuilt file changed after the build is refused
    index = built / "beta" / "site" / "index.html"
    original = index.read_bytes()
    index.write_bytes(original + b"<!-- changed -->")
    before = state(company_repos)
    proc = publish(proj, "2025.3", "--all", "--from", str(built), "--push")
    assert proc.returncode == 2 and "is not this edition as tagged (content_hash" in proc.stderr
    assert state(company_repos) == before
    index.write_bytes(original)
    proc = publish(proj, "2025.3", "--all", "--from", str(built), "--push")
    assert proc.returncode == 0, proc.stderr
    for cid in ("alpha", "beta"):
        found = versions(company_repos / "remote.git", cid)
        assert found["2025.3"]["aliases"] == ["latest"]
        assert (
            found["2025.3"]["properties"]["content_hash"]
            == json.loads((built / cid / "edition.json").read_text(encoding="utf-8"))["content_hash"]
        )


# --------------------------------------------------------------------------
# In a browser: `reglament serve --editions`, Material's version provider, the banners


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
@pytest.mark.xdist_group("publish")
def test_banners_and_selector_in_a_browser(repos):
    from playwright.sync_api import sync_playwright

    proj = repos / "proj"
    new_edition(proj, FUTURE, tag="2999.1")
    assert publish(proj, "2999.1").returncode == 0
    port = free_port()
    exe = Path(sys.executable).with_name("reglament")
    server = subprocess.Popen(
        [str(exe), "serve", "--editions", "--root", str(proj), "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))

            # the older edition: Material reveals the banner (it does not carry `latest`)
            page.goto(f"{base}/2025.1/rules/")
            page.wait_for_selector("[data-md-component=outdated]:not([hidden])", timeout=15000)
            banner = page.locator("[data-md-component=outdated]")
            assert "Это не действующая редакция" in banner.inner_text()
            assert "вступает в силу" not in banner.inner_text()
            # the edition selector lists the published editions by title
            page.wait_for_selector(".md-version__list", state="attached", timeout=15000)
            titles = page.locator(".md-version__link").all_inner_texts()
            assert any("Вторая редакция" in t for t in titles) and any("Первая редакция" in t for t in titles)
            # its link leads to the edition in force, which shows no banner
            banner.locator("a").first.click()
            page.wait_for_load_state("load")
            assert page.url == f"{base}/latest/"
            page.wait_for_selector(".md-version__list", state="attached", timeout=15000)
            page.wait_for_timeout(300)
            assert page.locator("[data-md-component=outdated]").get_attribute("hidden") is not None

            # a future edition says when it takes effect
            page.goto(f"{base}/2999.1/")
            page.wait_for_selector("[data-md-component=outdated]:not([hidden])", timeout=15000)
            text = page.locator("[data-md-component=outdated]").inner_text()
            assert "вступает в силу 1 марта 2999 г." in text and "Это не действующая" not in text
            browser.close()
        assert requested and all(url.startswith(base) for url in requested), requested
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
    assert [line for line in processes if f"127.0.0.1:{port}" in line] == []  # mike's server stopped with it


# --------------------------------------------------------------------------
# Internal sites never go to a Pages branch; a switch to public removes the internal editions


@pytest.mark.xdist_group("publish-internal")
def test_internal_sites_are_not_published_to_pages_and_a_public_switch_removes_them(tmp_path):
    proj = make_repos(tmp_path)
    (proj / "content/companies").mkdir()
    (proj / "content/companies/alpha.yml").write_text(profile("alpha", "Альфа"), encoding="utf-8")
    (proj / "content/companies/vault.yml").write_text(
        profile("vault", "Сейф", extra="visibility: internal\n"), encoding="utf-8"
    )
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "companies")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    refused = publish(proj, "2025.1", "--company", "vault")
    assert refused.returncode == 2, refused.stderr
    assert "refusing to publish internal `vault`" in refused.stderr and "access control" in refused.stderr
    assert rev(proj, "refs/heads/gh-pages") is None  # nothing was published
    artifact = publish(proj, "2025.1", "--company", "vault", "--build-only", "--out", str(tmp_path / "built"))
    assert artifact.returncode == 2 and not (tmp_path / "built").exists()  # nor built into a CI artifact
    both = publish(proj, "2025.1", "--all")
    assert both.returncode == 0, both.stderr
    assert "not published to `gh-pages`: internal `vault`" in both.stderr
    top = set(git(proj, "ls-tree", "--name-only", "gh-pages").splitlines())
    assert "alpha" in top and "vault" not in top
    assert "Сейф" not in show(proj, "gh-pages:index.html")  # the root page does not list it either


@pytest.mark.xdist_group("publish-internal")
def test_switch_to_public_removes_legacy_internal_editions(tmp_path):
    """An internal edition published before this guard existed (no `audience` property) goes when the site turns public."""
    proj = make_repos(tmp_path)
    (proj / "content/defaults.yml").write_text("visibility: internal\n", encoding="utf-8")
    git(proj, "commit", "-qam", "internal base")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    first = publish(proj, "2025.1", "--public")  # the tool only builds it publicly…
    assert first.returncode == 0, first.stderr
    # …so make it look like an internal build of the old tool: no `audience`, the tag's defaults internal
    data = json.loads(show(proj, "gh-pages:versions.json"))
    del data[0]["properties"]["audience"]
    git(proj, "checkout", "-q", "gh-pages")
    (proj / "versions.json").write_text(json.dumps(data), encoding="utf-8")
    git(proj, "commit", "-qam", "legacy")
    git(proj, "checkout", "-q", "main")
    (proj / "content/defaults.yml").write_text("visibility: public\n", encoding="utf-8")
    new_edition(proj, EDITION_2, edit=("Регламент описывает", "Настоящий регламент описывает"), tag="2025.2")
    second = publish(proj, "2025.2")
    assert second.returncode == 0, second.stderr
    assert "removed the internal edition(s) 2025.1" in second.stderr
    assert set(versions(proj)) == {"2025.2"}
    assert "2025.1" not in git(proj, "ls-tree", "--name-only", "gh-pages").split()


@pytest.mark.xdist_group("publish-internal")
def test_builds_of_a_still_internal_company_left_on_pages_are_removed(tmp_path):
    """An internal company's build an older tool put on the Pages branch (no `audience` property, the profile
    internal at the tag) is removed by the next publish to that branch, its folder whole; the public company
    stays as it was."""
    proj = make_repos(tmp_path)
    (proj / "content/companies").mkdir()
    (proj / "content/companies/alpha.yml").write_text(profile("alpha", "Альфа"), encoding="utf-8")
    (proj / "content/companies/vault.yml").write_text(
        profile("vault", "Сейф", extra="visibility: internal\n"), encoding="utf-8"
    )
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "companies")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    first = publish(proj, "2025.1", "--all", "--public")  # the tool only builds it publicly…
    assert first.returncode == 0, first.stderr
    assert "vault" in git(proj, "ls-tree", "--name-only", "gh-pages").split()
    # …so make it look like the old tool's build for employees: no `audience` (the tag says internal)
    data = json.loads(show(proj, "gh-pages:vault/versions.json"))
    for entry in data:
        del entry["properties"]["audience"]
    git(proj, "checkout", "-q", "gh-pages")
    (proj / "vault/versions.json").write_text(json.dumps(data), encoding="utf-8")
    git(proj, "commit", "-qam", "legacy internal build")
    git(proj, "checkout", "-q", "main")
    alpha_before = git(proj, "rev-parse", "gh-pages:alpha")
    again = publish(proj, "2025.1", "--all")
    assert again.returncode == 0, again.stderr
    assert "removed the internal edition(s) 2025.1 of company `vault` from `gh-pages`" in again.stderr
    assert "vault" not in git(proj, "ls-tree", "--name-only", "gh-pages").split()
    assert git(proj, "rev-parse", "gh-pages:alpha") == alpha_before
    assert "Сейф" not in show(proj, "gh-pages:index.html")


@pytest.mark.xdist_group("publish")
def test_a_publish_killed_mid_way_leaves_nothing_for_the_next_run(repos):
    proj = repos / "proj"
    head = git(proj, "rev-parse", "gh-pages")
    git(proj, "update-ref", "refs/heads/reglament-publish/deadbeef0001", head)  # what a SIGKILL leaves
    new_edition(proj, EDITION_3, edit=("Настоящий регламент", "Этот регламент"), tag="2025.3")
    proc = publish(proj, "2025.3")
    assert proc.returncode == 0, proc.stderr
    assert git(proj, "for-each-ref", "refs/heads/reglament-publish/") == ""


@pytest.mark.xdist_group("publish-internal")
def test_purge_history_leaves_no_internal_build_reachable(tmp_path):
    proj = make_repos(tmp_path)
    (proj / "content/defaults.yml").write_text("visibility: internal\n", encoding="utf-8")
    git(proj, "commit", "-qam", "internal base")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    assert publish(proj, "2025.1", "--public", "--push").returncode == 0
    data = json.loads(show(proj, "gh-pages:versions.json"))
    del data[0]["properties"]["audience"]  # as the old tool published it: an internal build
    git(proj, "checkout", "-q", "gh-pages")
    (proj / "versions.json").write_text(json.dumps(data), encoding="utf-8")
    git(proj, "commit", "-qam", "legacy")
    git(proj, "push", "-q", "origin", "gh-pages")
    git(proj, "checkout", "-q", "main")
    (proj / "content/defaults.yml").write_text("visibility: public\n", encoding="utf-8")
    new_edition(proj, EDITION_2, edit=("Регламент описывает", "Настоящий регламент описывает"), tag="2025.2")
    proc = publish(proj, "2025.2", "--push", "--purge-history")
    assert proc.returncode == 0, proc.stderr
    remote = tmp_path / "remote.git"
    commits = git(remote, "rev-list", "gh-pages").split()
    assert len(commits) == 1
    assert set(versions(remote)) == {"2025.2"}
    for commit in commits:
        assert "2025.1" not in git(remote, "ls-tree", "--name-only", commit).split()


# --------------------------------------------------------------------------
# Every engine publishes mike's layout


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["properdocs", "zensical"])
def test_edition_published_with_each_engine_keeps_mikes_layout(tmp_path, engine):
    """The project's engine (``extra.reglament_engine``) builds the edition; mike's library commits it —
    versions.json, the version folder, the `latest` alias — the same whatever built it, and the page carries
    the version selector's settings, the banner markup and the search index."""
    proj = make_repos(tmp_path)
    config = proj / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("reglament_engine: mkdocs", f"reglament_engine: {engine}"),
        encoding="utf-8",
    )
    git(proj, "commit", "-qam", f"engine: {engine}")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    proc = publish(proj, "2025.1")
    assert proc.returncode == 0, proc.stderr
    found = versions(proj)
    assert found["2025.1"]["aliases"] == ["latest"]
    page = show(proj, "gh-pages:2025.1/rules/index.html")
    settings = json.loads(page.split('<script id="__config" type="application/json">')[1].split("</script>")[0])
    assert settings["version"] == {"provider": "mike", "default": "latest", "alias": True}
    assert 'data-reglament-edition="2025.1"' in page
    assert show(proj, "gh-pages:2025.1/pagefind/pagefind-entry.json").startswith("{")


# --------------------------------------------------------------------------
# An internal site goes to the target its profile names (`publish: {remote, branch}`), never to gh-pages

VAULT_TARGET = "visibility: internal\npublish: {remote: internal-docs, branch: pages}\n"
INTERNAL_LOCAL = "refs/heads/reglament-target/internal-docs/pages"


def all_refs(repo: Path) -> dict[str, str]:
    out = git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags")
    return dict(line.split(" ", 1) for line in out.splitlines())


def history_names(repo: Path, branch: str) -> set[str]:
    """Every top-level name in every commit of ``branch`` (what its whole history ever held)."""
    names: set[str] = set()
    for commit in git(repo, "rev-list", branch).split():
        names |= set(git(repo, "ls-tree", "--name-only", commit).splitlines())
    return names


def make_internal_target(base: Path) -> Path:
    """alpha (public), vault (internal, its own target `internal-docs` → `internal.git` branch `pages`),
    nopub (internal, no target); edition 2025.1 tagged."""
    proj = make_repos(base)
    git(base, "init", "-q", "--bare", "-b", "main", "internal.git")
    git(proj, "remote", "add", "internal-docs", "../internal.git")
    (proj / "content/companies").mkdir()
    (proj / "content/companies/alpha.yml").write_text(profile("alpha", "Альфа"), encoding="utf-8")
    (proj / "content/companies/vault.yml").write_text(profile("vault", "Сейф", extra=VAULT_TARGET), encoding="utf-8")
    (proj / "content/companies/nopub.yml").write_text(
        profile("nopub", "Тайна", extra="visibility: internal\n"), encoding="utf-8"
    )
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "companies")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    return proj


@pytest.fixture(scope="module")
def internal_target(tmp_path_factory) -> Path:
    """Edition 2025.1 published with `--all --push`: alpha to gh-pages, vault to internal-docs' `pages`."""
    base = tmp_path_factory.mktemp("internal-target")
    proj = make_internal_target(base)
    proc = publish(proj, "2025.1", "--all", "--push")
    assert proc.returncode == 0, proc.stderr
    (base / "stderr.txt").write_text(proc.stderr, encoding="utf-8")
    return base


@pytest.fixture
def target_repos(internal_target, tmp_path) -> Path:
    return private_copy(internal_target, tmp_path)


@pytest.mark.xdist_group("publish-target")
def test_all_splits_public_and_internal_sites_between_their_branches(internal_target):
    base = internal_target
    proj, public, internal = base / "proj", base / "remote.git", base / "internal.git"
    stderr = (base / "stderr.txt").read_text(encoding="utf-8")
    assert "not published to `gh-pages`: internal `nopub` (its profile names no `publish:` target)" in stderr
    assert "pushed gh-pages to origin" in stderr
    assert "pushed reglament-target/internal-docs/pages to internal-docs `pages`" in stderr
    # the public remote: alpha only, in the tip and in every commit of its history; no internal branch there
    assert set(git(public, "for-each-ref", "--format=%(refname:short)", "refs/heads").split()) == {"main", "gh-pages"}
    assert {"alpha", "index.html"} <= history_names(public, "gh-pages")
    assert not {"vault", "nopub"} & history_names(public, "gh-pages")
    root_page = show(public, "gh-pages:index.html")
    assert 'href="alpha/"' in root_page and "Сейф" not in root_page and "Тайна" not in root_page
    assert versions(public, "alpha")["2025.1"]["properties"]["audience"] == "public"
    # the internal remote: vault only, on `pages`; nothing else pushed there
    assert git(internal, "for-each-ref", "--format=%(refname)") == "refs/heads/pages"
    assert {"vault", "index.html"} <= history_names(internal, "pages")
    assert not {"alpha", "nopub"} & history_names(internal, "pages")
    found = versions(internal, "vault", "pages")  # `git show` of the internal remote's branch
    assert {v: found[v]["properties"]["audience"] for v in found} == {"2025.1": "internal"}
    assert show(internal, "pages:vault/latest") == "2025.1"
    assert "ООО «Сейф»" in show(internal, "pages:vault/2025.1/rules/index.html")
    assert 'href="vault/"' in show(internal, "pages:index.html")
    # local branches: each holds what its remote holds; the project's own branches are untouched
    assert rev(proj, "refs/heads/gh-pages") == rev(public, "refs/heads/gh-pages")
    assert rev(proj, INTERNAL_LOCAL) == rev(internal, "refs/heads/pages")
    assert rev(proj, "refs/heads/pages") is None
    assert git(proj, "for-each-ref", "refs/heads/reglament-publish/") == ""


@pytest.mark.xdist_group("publish-target")
def test_named_internal_company_goes_to_its_target_and_a_turned_internal_company_leaves_the_root_index(
    target_repos,
):
    proj, public, internal = target_repos / "proj", target_repos / "remote.git", target_repos / "internal.git"
    refused = publish(proj, "2025.1", "--company", "nopub")
    assert refused.returncode == 2 and "refusing to publish internal `nopub`" in refused.stderr
    assert "publish: {remote:" in refused.stderr  # the hint names the field
    # alpha turns internal with its own target in 2025.2: its new edition goes there, and the public root
    # page stops listing it (its earlier, public edition stays where it was)
    (proj / "content/companies/alpha.yml").write_text(profile("alpha", "Альфа", extra=VAULT_TARGET), encoding="utf-8")
    git(proj, "add", "-A")
    new_edition(proj, EDITION_2, edit=("Регламент описывает", "Настоящий регламент описывает"), tag="2025.2")
    public_before = rev(public, "refs/heads/gh-pages")
    proc = publish(proj, "2025.2", "--company", "alpha", "--push")
    assert proc.returncode == 0, proc.stderr
    assert rev(public, "refs/heads/gh-pages") == public_before  # nothing went to the Pages branch
    assert set(versions(internal, "alpha", "pages")) == {"2025.2"}
    assert versions(internal, "alpha", "pages")["2025.2"]["properties"]["audience"] == "internal"
    assert {"alpha", "vault"} <= set(git(internal, "ls-tree", "--name-only", "pages").splitlines())
    proc = publish(proj, "2025.2", "--all", "--push")  # vault's 2025.2; gh-pages only gets its root page again
    assert proc.returncode == 0, proc.stderr
    root_page = show(public, "gh-pages:index.html")
    assert 'href="alpha/"' not in root_page and "Альфа" not in root_page and "Сейф" not in root_page
    assert "2025.2" not in git(public, "ls-tree", "--name-only", "gh-pages:alpha").split()
    assert set(versions(internal, "vault", "pages")) == {"2025.1", "2025.2"}


@pytest.mark.xdist_group("publish-target")
def test_a_target_that_is_the_public_pages_branch_is_rejected_with_its_position(target_repos):
    proj = target_repos / "proj"
    vault = proj / "content/companies/vault.yml"
    # written as the Pages remote: `check` already says so, at the field
    vault.write_text(profile("vault", "Сейф", extra="visibility: internal\npublish:\n  remote: origin\n"), "utf-8")
    proc = run_cli("check", "--company", "vault", "--root", str(proj))
    assert proc.returncode == 1
    assert "content/companies/vault.yml:6:3: error [publish-target]" in proc.stdout, proc.stdout
    assert "public Pages branch" in proc.stdout
    # the same remote under another spelling (its URL): found when publishing, at the field, nothing changed
    url = f"file://{(target_repos / 'remote.git').resolve()}"
    vault.write_text(profile("vault", "Сейф", extra=f"visibility: internal\npublish:\n  remote: {url}\n"), "utf-8")
    git(proj, "commit", "-qam", "vault to the Pages branch by URL")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    assert run_cli("check", "--company", "vault", "--root", str(proj)).returncode == 0  # an address: not known here
    before = {name: all_refs(target_repos / name) for name in ("proj", "remote.git", "internal.git")}
    proc = publish(proj, "2025.1", "--all", "--push")
    assert proc.returncode == 1, proc.stderr
    assert "content/companies/vault.yml:6:11: error [publish-target]" in proc.stdout, proc.stdout
    assert "which is the public Pages branch" in proc.stdout
    assert "refusing to publish internal `vault` to the Pages branch" in proc.stderr
    assert {name: all_refs(target_repos / name) for name in ("proj", "remote.git", "internal.git")} == before
    # a remote this clone does not have: at the field, with the command that adds it
    vault.write_text(profile("vault", "Сейф", extra="visibility: internal\npublish: {remote: vault-docs}\n"), "utf-8")
    git(proj, "commit", "-qam", "vault to an unknown remote")
    git(proj, "tag", "-f", "-a", "edition/2025.1", "-m", "Редакция 2025.1")
    proc = publish(proj, "2025.1", "--company", "vault")
    assert proc.returncode == 1
    assert "content/companies/vault.yml:5:19: error [publish-target]" in proc.stdout, proc.stdout
    assert "git remote add vault-docs URL" in proc.stdout


def reject_pushes(bare: Path) -> None:
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'read-only: maintenance' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)


@pytest.mark.xdist_group("publish-target")
def test_a_refused_push_to_either_remote_leaves_every_remote_and_branch_as_it_was(target_repos):
    proj, public, internal = target_repos / "proj", target_repos / "remote.git", target_repos / "internal.git"
    new_edition(proj, EDITION_2, edit=("Регламент описывает", "Настоящий регламент описывает"), tag="2025.2")
    names = ("proj", "remote.git", "internal.git")
    before = {name: all_refs(target_repos / name) for name in names}
    # the internal target refuses (pushed first): nothing went anywhere
    reject_pushes(internal)
    proc = publish(proj, "2025.2", "--all", "--push")
    assert proc.returncode == 2, proc.stderr
    assert "internal-docs refused the push to `pages`" in proc.stderr and "read-only: maintenance" in proc.stderr
    assert "nothing was changed, locally or on any remote" in proc.stderr
    assert {name: all_refs(target_repos / name) for name in names} == before
    # the Pages branch refuses after the internal push went through: that push is undone (compare-and-swap)
    (internal / "hooks" / "pre-receive").unlink()
    reject_pushes(public)
    proc = publish(proj, "2025.2", "--all", "--push")
    assert proc.returncode == 2, proc.stderr
    assert "origin refused the push to `gh-pages`" in proc.stderr
    assert "the pushes to `pages` of internal-docs were undone" in proc.stderr
    assert {name: all_refs(target_repos / name) for name in names} == before
    assert git(proj, "for-each-ref", "refs/heads/reglament-publish/") == ""
    # once the remote takes pushes again, both go out
    (public / "hooks" / "pre-receive").unlink()
    proc = publish(proj, "2025.2", "--all", "--push")
    assert proc.returncode == 0, proc.stderr
    assert "2025.2" in versions(public, "alpha") and "2025.2" in versions(internal, "vault", "pages")
    assert "vault" not in history_names(public, "gh-pages")
