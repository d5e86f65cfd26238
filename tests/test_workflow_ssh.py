"""The publish workflow's ssh deploy-key path, against a real OpenSSH server.

The step "add the internal targets' remotes" writes REGLAMENT_INTERNAL_SSH_KEY to a file and points
`core.sshCommand` at it and at REGLAMENT_INTERNAL_KNOWN_HOSTS (host keys checked strictly). Here it runs
as written (`run_step`), then a plain `git push` in that clone — with nothing but what the step configured
— goes to a bare repository behind an sshd started for the test: its own config, host key, authorized key
and port in a temporary folder, nothing of the machine's sshd config touched (`make sshd` installs Debian's
openssh-server; no sshd service need run).
"""

from __future__ import annotations

import fcntl
import os
import pwd
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO
from test_workflows import COMPANY, git, run_step, workflow_tools  # noqa: F401 (workflow_tools: jq for the step)

pytestmark = pytest.mark.usefixtures("workflow_tools")

SSHD = Path("/usr/sbin/sshd")
PRIVSEP_DIR = Path("/run/sshd")  # Debian's sshd, run as root, chroots its unprivileged child here
STEP = "add the internal targets' remotes"
INTERNAL = "visibility: internal\npublish: {remote: internal-docs, branch: gh-pages}\n"


def keygen(path: Path, comment: str) -> Path:
    """A new ed25519 key pair without a passphrase: ``path`` and ``path.pub``."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path


def fingerprint(path: Path) -> str:
    """``SHA256:…`` of a key pair, as sshd logs the key a client offered."""
    out = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(path.with_suffix(".pub"))], check=True, capture_output=True, text=True
    ).stdout
    return out.split()[1]


def public_key(path: Path) -> str:
    """``type base64`` of a key pair's public half (no comment)."""
    kind, blob = path.with_suffix(".pub").read_text(encoding="ascii").split()[:2]
    return f"{kind} {blob}"


@pytest.fixture(scope="session")
def sshd_binary() -> Path:
    """Debian's sshd; `make sshd` installs it when missing (once, across xdist workers)."""
    if not os.access(SSHD, os.X_OK):
        lock = Path(tempfile.gettempdir()) / "reglament-sshd.lock"
        with lock.open("w") as handle:  # two xdist workers must not run apt at once
            fcntl.flock(handle, fcntl.LOCK_EX)
            proc = subprocess.run(["make", "-s", "sshd"], cwd=REPO, capture_output=True, text=True, timeout=600)
        if not os.access(SSHD, os.X_OK):  # as the PostgreSQL and Chromium tests: a failure that says how to fix it
            output = (proc.stdout + proc.stderr).strip()[-500:]
            pytest.fail(f"OpenSSH's server is not installed and `make sshd` could not install it: {output}")
    if os.geteuid() == 0 and not PRIVSEP_DIR.is_dir():
        PRIVSEP_DIR.mkdir(mode=0o755)  # what the package's service unit would create (RuntimeDirectory)
    return SSHD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_banner(proc: subprocess.Popen, port: int, deadline: float) -> bool:
    """Poll until sshd on ``port`` answers with its protocol banner; False when it exited or time ran out."""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(64).startswith(b"SSH-2.0-"):
                    return True
        except OSError:
            pass  # not listening yet
        time.sleep(0.02)
    return False


@dataclass(frozen=True)
class Server:
    port: int
    user: str
    host_key: Path
    deploy_key: Path  # its public half is the only authorized key
    log: Path  # sshd's own log (-e, LogLevel VERBOSE): which key each connection offered, accepted or not

    def url(self, bare: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{bare}"

    def log_since(self, offset: int) -> str:
        return self.log.read_bytes()[offset:].decode("utf-8", "replace")


@pytest.fixture(scope="module")
def sshd(sshd_binary, tmp_path_factory) -> Iterator[Server]:
    """A private sshd on a free localhost port: public-key login for this user with the deploy key only."""
    root = tmp_path_factory.mktemp("sshd")
    host_key = keygen(root / "host_key", "reglament-test-host")
    deploy_key = keygen(root / "deploy_key", "reglament-deploy")
    (root / "authorized_keys").write_text(public_key(deploy_key) + "\n", encoding="ascii")
    user = pwd.getpwuid(os.geteuid()).pw_name
    config = root / "sshd_config"
    proc = None
    for _ in range(3):  # a free port may be taken by someone else before sshd binds it
        port = free_port()
        config.write_text(
            "\n".join(
                [
                    f"ListenAddress 127.0.0.1:{port}",
                    f"HostKey {host_key}",
                    f"PidFile {root / 'sshd.pid'}",
                    f"AuthorizedKeysFile {root / 'authorized_keys'}",
                    f"AllowUsers {user}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "UsePAM no",
                    "StrictModes no",  # the temporary folders are not the user's own ~/.ssh
                    "UseDNS no",
                    "PrintMotd no",
                    "LogLevel VERBOSE",
                ]
            )
            + "\n",
            encoding="ascii",
        )
        log = (root / "sshd.log").open("w")
        proc = subprocess.Popen([str(sshd_binary), "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        if wait_for_banner(proc, port, time.monotonic() + 15):
            break
        proc.kill()
        proc.wait()
        log.close()
        if "Address already in use" not in (root / "sshd.log").read_text(errors="replace"):
            break
    assert proc is not None and proc.poll() is None, (root / "sshd.log").read_text(errors="replace")
    try:
        yield Server(port=port, user=user, host_key=host_key, deploy_key=deploy_key, log=root / "sshd.log")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def keyscan(server: Server) -> str:
    """What the README tells to put into REGLAMENT_INTERNAL_KNOWN_HOSTS: `ssh-keyscan` of the host."""
    proc = subprocess.run(
        ["ssh-keyscan", "-p", str(server.port), "127.0.0.1"], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr
    return proc.stdout


def bare_repository(tmp_path: Path) -> tuple[Path, str]:
    """The internal target: a bare repository whose gh-pages holds one earlier publish."""
    bare = tmp_path / "internal docs.git"  # a space: the path travels through the URL and the remote's shell
    git(tmp_path, "init", "-q", "--bare", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "init", "-q", "-b", "gh-pages", str(seed))
    (seed / "index.html").write_text("<p>Редакция 2024.1</p>\n", encoding="utf-8")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "Редакция 2024.1")
    git(seed, "push", "-q", str(bare), "gh-pages")
    return bare, git(seed, "rev-parse", "HEAD")


def publish_clone(project, tmp_path: Path, bare: Path) -> tuple[Path, str]:
    """The publish job's clone: a project with an internal company published to `internal-docs`, and the
    next gh-pages commit (on top of what the target holds, fetched over the file system here)."""
    root = project({"content/companies/vault.yml": COMPANY.format(id="vault", name="Vault") + INTERNAL})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Редакция 2025.1")
    git(root, "fetch", "-q", str(bare), "gh-pages:gh-pages")
    git(root, "checkout", "-q", "gh-pages")
    (root / "index.html").write_text("<p>Редакция 2025.1</p>\n", encoding="utf-8")
    git(root, "add", "index.html")
    git(root, "commit", "-qm", "Редакция 2025.1: vault")
    commit = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "main")
    return root, commit


def configure(root: Path, tmp_path: Path, *, remotes: str, key: str, known_hosts: str) -> Path:
    """Run the workflow step as written; the runner's temp folder (with a space, as a self-hosted runner's
    may have) is returned."""
    runner_temp = tmp_path / "runner temp"
    runner_temp.mkdir()
    proc, _, _ = run_step(
        "publish.yml",
        "publish",
        STEP,
        cwd=root,
        env={
            "INTERNAL_REMOTES": remotes,
            "INTERNAL_SSH_KEY": key,
            "INTERNAL_KNOWN_HOSTS": known_hosts,
            "RUNNER_TEMP": str(runner_temp),
        },
        tmp_path=tmp_path / "step",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return runner_temp


def push(root: Path, home: Path, *refspec: str) -> subprocess.CompletedProcess:
    """`git push internal-docs …` with only what the step configured: no ssh agent, no GIT_SSH*, an empty
    home (no ~/.ssh), so the key and the host keys can only come from `core.sshCommand`."""
    home.mkdir(exist_ok=True)
    return subprocess.run(
        ["git", "push", "--porcelain", "internal-docs", *refspec],
        cwd=root,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def refs(bare: Path) -> str:
    return git(bare, "for-each-ref", "--format=%(refname) %(objectname)")


# how a secret may hold a file's text: as it is, without its last line end (pasted), with Windows line ends
# (`gh secret set NAME < file` keeps them: ssh loads no key with them, the step drops them)
SECRET_FORMS = {
    "as-the-file": lambda text: text,
    "no-last-newline": lambda text: text.rstrip("\n"),
    "crlf": lambda text: text.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("form", SECRET_FORMS)
def test_deploy_key_pushes_over_ssh(sshd, project, tmp_path, form):
    """With the deploy key and `ssh-keyscan`'s output as the secrets, the clone pushes to the ssh target:
    the bare repository then holds exactly the pushed commit, fetched back over the same connection."""
    bare, before = bare_repository(tmp_path)
    root, commit = publish_clone(project, tmp_path, bare)
    scanned = keyscan(sshd)
    assert public_key(sshd.host_key) in scanned  # it is our sshd that answers
    runner_temp = configure(
        root,
        tmp_path,
        remotes=f"internal-docs {sshd.url(bare)}\n",
        key=SECRET_FORMS[form](sshd.deploy_key.read_text(encoding="ascii")),
        known_hosts=SECRET_FORMS[form](scanned),
    )

    keyfile = runner_temp / "internal-target-key"
    assert keyfile.stat().st_mode & 0o777 == 0o600  # ssh refuses a private key others can read
    assert git(root, "remote", "get-url", "internal-docs") == sshd.url(bare)

    offset = sshd.log.stat().st_size
    proc = push(root, tmp_path / "home", f"{commit}:refs/heads/gh-pages")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the key of the secret logged in, from the file the step wrote
    assert f"Accepted publickey for {sshd.user} " in sshd.log_since(offset)
    assert fingerprint(sshd.deploy_key) in sshd.log_since(offset)
    assert f"{before[:7]}..{commit[:7]}" in proc.stdout  # a fast-forward of the earlier publish
    assert refs(bare) == f"refs/heads/gh-pages {commit}"
    assert git(bare, "show", "gh-pages:index.html") == "<p>Редакция 2025.1</p>"
    # `reglament publish` asks the remote for its branch (ls-remote) and fetches it before pushing
    fetch = subprocess.run(
        ["git", "fetch", "-q", "internal-docs", "gh-pages"],
        cwd=root,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fetch.returncode == 0, fetch.stderr
    assert git(root, "rev-parse", "FETCH_HEAD") == commit
    assert not (tmp_path / "home" / ".ssh" / "known_hosts").exists()  # nothing learnt on the fly


@dataclass(frozen=True)
class Refused:
    """A push the step's configuration should stop: ssh's error, what sshd logged meanwhile, and the target."""

    stderr: str
    log: str
    bare: Path
    before: str
    commit: str

    def target_unchanged(self) -> bool:
        arrived = subprocess.run(["git", "cat-file", "-e", self.commit], cwd=self.bare).returncode == 0
        return refs(self.bare) == f"refs/heads/gh-pages {self.before}" and not arrived


def refused_push(sshd: Server, project, tmp_path: Path, *, key: str, known_hosts: str) -> Refused:
    """The step configured with ``key`` and ``known_hosts``, then a push that must fail."""
    bare, before = bare_repository(tmp_path)
    root, commit = publish_clone(project, tmp_path, bare)
    configure(root, tmp_path, remotes=f"internal-docs {sshd.url(bare)}\n", key=key, known_hosts=known_hosts)
    offset = sshd.log.stat().st_size
    proc = push(root, tmp_path / "home", f"{commit}:refs/heads/gh-pages")
    assert proc.returncode != 0, proc.stderr
    return Refused(proc.stderr, sshd.log_since(offset), bare, before, commit)


def test_wrong_host_key_is_refused(sshd, project, tmp_path):
    """Known hosts naming another key for the host (a man in the middle, or a stale secret): the push stops
    at the host-key check, before the deploy key is offered, and the target is unchanged."""
    impostor = keygen(tmp_path / "impostor", "impostor")
    out = refused_push(
        sshd,
        project,
        tmp_path,
        key=sshd.deploy_key.read_text(encoding="ascii"),
        known_hosts=f"[127.0.0.1]:{sshd.port} {public_key(impostor)}\n",
    )
    assert "publickey" not in out.log  # the client left before offering any key
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in out.stderr, out.stderr
    assert "Host key verification failed." in out.stderr, out.stderr
    assert out.target_unchanged()  # no ref moved, no object arrived


def test_unknown_host_is_refused(sshd, project, tmp_path):
    """No host key in the secret: strict checking refuses the host instead of trusting it on first use."""
    out = refused_push(sshd, project, tmp_path, key=sshd.deploy_key.read_text(encoding="ascii"), known_hosts="")
    assert "publickey" not in out.log
    assert "No ED25519 host key is known for [127.0.0.1]" in out.stderr, out.stderr
    assert "Host key verification failed." in out.stderr, out.stderr
    assert out.target_unchanged()


def test_key_not_authorized_is_refused(sshd, project, tmp_path):
    """A deploy key the server does not know (revoked, or another repository's): refused, target unchanged."""
    stranger = keygen(tmp_path / "stranger", "stranger")
    out = refused_push(sshd, project, tmp_path, key=stranger.read_text(encoding="ascii"), known_hosts=keyscan(sshd))
    assert "Permission denied (publickey)" in out.stderr, out.stderr
    # the server saw that key, and only that one (IdentitiesOnly: no other key of the machine is tried)
    assert f"Failed publickey for {sshd.user} " in out.log and fingerprint(stranger) in out.log, out.log
    assert out.log.count("publickey for") == 1 and "Accepted publickey" not in out.log, out.log
    assert out.target_unchanged()
