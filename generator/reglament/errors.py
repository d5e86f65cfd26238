"""The one error root: every failure the library raises on purpose is a :class:`ReglamentError`.

Each error knows the exit code the CLI ends with and may carry the
diagnostics that explain it and a hint, so ``cli.py`` has exactly one handler
(as mkdocs' ``MkDocsException`` and flake8's ``Flake8Exception`` do). Exit
codes: 1 — the content has errors (the diagnostics say where); 2 — the command
cannot run (bad arguments, unknown company or revision, git or engine
failure). Subsystems (publish, diff, pdf, Word, acknowledgements) derive their
errors from this root; nothing else escapes to the user as a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from reglament.diagnostics import Diagnostic


class ReglamentError(Exception):
    """Root of every error reglament raises for the CLI to report in one line (no traceback)."""

    default_exit_code: int = 2
    """The exit code when the error carries no error diagnostics (usage, environment)."""

    def __init__(
        self, message: str = "", *, hint: str = "", diagnostics: Sequence[Diagnostic] = (), root: Path | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        """What to do about it, in the user's words (printed after the message)."""
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        """The content problems behind the error, printed before it."""
        self.root = root
        """Where the diagnostics' files are (e.g. an exported tag), for their source lines."""

    @property
    def exit_code(self) -> int:
        """1 when the error is about the content (it carries error diagnostics), else the class's default."""
        if any(d.severity == "error" for d in self.diagnostics):
            return 1
        return self.default_exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(ReglamentError):
    """The command was asked for something that cannot be done (bad option combination, missing folder)."""


class NoContentError(ReglamentError):
    """The root has no content folder: nothing to check."""


class UnknownCompanyError(ReglamentError):
    """A company id that has no profile."""

    def __init__(
        self, company_id: str, known: Sequence[str], *, folder: str = "content/companies", where: str = ""
    ) -> None:
        close = difflib.get_close_matches(company_id, list(known), n=1)
        hint = (
            f"; did you mean `{close[0]}`?"
            if close
            else (f"; known companies: {', '.join(known)}" if known else f"; there are no profiles in {folder}/")
        )
        super().__init__(f"no company profile `{company_id}`{where}{hint}")
        self.company_id = company_id


# --------------------------------------------------------------------------
# git


class GitError(ReglamentError):
    """A git command failed (or git is missing): the command, its exit code and stderr."""

    def __init__(
        self, message: str, *, command: list[str] | None = None, returncode: int | None = None, stderr: str = ""
    ) -> None:
        super().__init__(message)
        self.command = list(command or [])
        self.returncode = returncode
        self.stderr = stderr.strip()

    def __str__(self) -> str:
        text = self.message
        if self.stderr:
            first = self.stderr.splitlines()[0]
            if first not in text:
                return f"{text}: {first}"
        return text


class UnknownRevisionError(GitError):
    """A revision (tag, branch, commit…) that does not name a commit in the repository."""

    def __init__(self, revision: str, *, stderr: str = "") -> None:
        super().__init__(f"unknown revision `{revision}`", stderr=stderr)
        self.revision = revision

    def __str__(self) -> str:  # git's stderr for an unknown revision only repeats the name
        return self.message


class NotARepositoryError(GitError):
    """The folder is not inside a git work tree."""


class PushRejectedError(GitError):
    """The remote refused a push (it moved meanwhile, a hook said no, no permission…)."""


# --------------------------------------------------------------------------
# stages and subsystems


class TemplateFailure(ReglamentError):
    """A page template (``templates/pages/*.j2``) failed: its syntax, an undefined name, a forbidden access.

    Carries the :class:`~reglament.diagnostics.Diagnostic` at the template's file and line.
    """

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(f"{diagnostic.file}:{diagnostic.line}: {diagnostic.message}", diagnostics=[diagnostic])
        self.diagnostic = diagnostic


class EngineError(ReglamentError):
    """The site engine failed; carries the engine's warnings and errors."""


class DiffError(ReglamentError):
    """The diff cannot run: an unknown revision, a side that does not load, an unknown company."""


class ReviewersMapError(DiffError):
    """The reviewers map (``.github/reviewers.yml`` at the base revision) is missing or does not validate."""


class ApprovalsMissingError(DiffError):
    """A pull request lacks an approval that its content requires (``reglament reviewers --approved``)."""

    default_exit_code = 1


class PdfError(ReglamentError):
    """The print edition cannot be produced (missing templates, a template error, a layout failure)."""


class ScaffoldError(ReglamentError):
    """The starting files cannot be created (bad id, it exists, no role to assign)."""


class PublishError(ReglamentError):
    """Publishing cannot go on; nothing was changed. ``hint`` says what to do."""


class EditionChangedError(PublishError):
    """The edition is already published with different content (and ``force`` was not given)."""


class DivergedError(PublishError):
    """Local and remote gh-pages both hold publishes the other lacks (a stale clone)."""
