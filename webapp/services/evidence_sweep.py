"""Clearing the upload folder of files no saved record refers to.

An upload is written to a temporary file (`.upload-…`) beside its final place, flushed to disk
and renamed to its SHA-256 in one step, so a file under a final name is always whole. Its
`EvidenceFile` row is committed after the rename: a save that is refused and rolled back, or a
server that dies between the rename and the commit, leaves a whole file that no row names, and
a server that dies while copying leaves a temporary file. Neither is ever shown or served (only
rows are), and `sweep_uploads` removes them once they are older than a grace period, so a save
still in progress on another worker keeps its file. `flask --app webapp evidence sweep` runs it;
with the server stopped, `--older-than 0` clears everything at once.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from webapp.extensions import db
from webapp.models import EvidenceFile, IssuedReport
from webapp.services.evidence import TEMPORARY_PREFIX, upload_folder

__all__ = ["SweepReport", "evidence_cli", "sweep_uploads"]

DEFAULT_GRACE = timedelta(hours=1)


@dataclass
class SweepReport:
    """What a sweep removed, and the rows whose file is missing (which it cannot mend)."""

    unfinished: list[str] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


def sweep_uploads(older_than: timedelta = DEFAULT_GRACE) -> SweepReport:
    """Remove unfinished and unreferenced files last changed more than `older_than` ago:
    evidence in the upload folder, and issued report PDFs in its `issued-reports` folder."""
    from webapp.services.issued_reports import issued_folder

    report = SweepReport()
    cutoff = time.time() - older_than.total_seconds()
    evidence = set(db.session.scalars(sa.select(EvidenceFile.sha256).distinct()))
    _sweep(upload_folder(), evidence, TEMPORARY_PREFIX, cutoff, report)
    issued = {
        digest.removeprefix("sha256:")
        for digest in db.session.scalars(sa.select(IssuedReport.pdf_sha256).distinct())
    }
    _sweep(issued_folder(), issued, ".issue-", cutoff, report)
    rows = db.session.execute(sa.select(EvidenceFile.id, EvidenceFile.sha256).order_by("id"))
    report.missing = [row.id for row in rows if not (upload_folder() / row.sha256).is_file()]
    return report


def _sweep(
    folder: Path, referenced: set[str], temporary_prefix: str, cutoff: float, report: SweepReport
) -> None:
    removed = False
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        unfinished = path.name.startswith(temporary_prefix)
        if not unfinished and path.name in referenced:
            continue
        # Checked last, just before removing: storing the same bytes again touches the file.
        try:
            if path.stat().st_mtime > cutoff:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        removed = True
        (report.unfinished if unfinished else report.unreferenced).append(path.name)
    if removed:
        _sync_directory(folder)


def _sync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@click.group("evidence")
def evidence_cli() -> None:
    """Look after the uploaded evidence files."""


@evidence_cli.command("sweep")
@click.option(
    "--older-than",
    "minutes",
    type=click.IntRange(min=0),
    default=int(DEFAULT_GRACE.total_seconds() // 60),
    show_default=True,
    help="Only remove files last changed this many minutes ago (0 only with the server stopped).",
)
@with_appcontext
def sweep_command(minutes: int) -> None:
    """Remove upload files that no saved record refers to, and unfinished uploads."""
    report = sweep_uploads(timedelta(minutes=minutes))
    click.echo(
        f"Removed {len(report.unreferenced)} unreferenced and "
        f"{len(report.unfinished)} unfinished upload files from {upload_folder()}."
    )
    if report.missing:
        numbers = ", ".join(str(number) for number in report.missing)
        click.echo(f"Evidence records whose file is missing: {numbers}.", err=True)
        raise SystemExit(1)
