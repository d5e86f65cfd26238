"""Fixtures for the Word tests: LibreOffice conversions (each run with its own profile), exports."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def soffice(files: list[Path], fmt: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert ``files`` with one LibreOffice run (its own profile dir, so parallel runs never clash)."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is missing: `make libreoffice` installs it")
    outdir.mkdir(parents=True, exist_ok=True)
    profile.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    ext = fmt.split(":")[0]
    out = [outdir / (f.stem + "." + ext) for f in files]
    missing = [p for p in out if not p.exists()]
    assert not missing, f"LibreOffice wrote no {missing}: {done.stdout} {done.stderr}"
    return out


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture(scope="session")
def project():
    from reglament.word.deps import load_project

    return load_project(REPO)


@pytest.fixture(scope="session")
def exports(project, tmp_path_factory):
    """Every sample company's regulations exported to .docx, and LibreOffice's PDF of each (one run)."""
    from reglament.pdf.document import Edition, PrintJob, company_of, employees_of
    from reglament.project import check_variant
    from reglament.word.export import write_docx

    out = tmp_path_factory.mktemp("exports")
    result = {}
    files = []
    for cid in project.profiles.ids:
        checked = check_variant(project, company=cid)
        assert checked.ok, checked.diagnostics
        for reg in checked.content.regulations:
            job = PrintJob(
                content=checked.content,
                regulation=reg,
                company=company_of(REPO, checked.variant),
                edition=Edition(effective=dt.date(2025, 3, 1)),
                employees=employees_of(checked.variant),
            )
            path = write_docx(job, out / "docx", name=f"{cid}--{reg.id}.docx")
            result[(cid, reg.id)] = (checked, path)
            files.append(path)
    pdfs = soffice(files, "pdf", out / "pdf", out / "profile")
    return {key: (checked, path, pdf) for (key, (checked, path)), pdf in zip(result.items(), pdfs)}
