"""The sweep of the upload folder: files no row names, and unfinished writes, go once old."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from werkzeug.datastructures import FileStorage

from webapp.extensions import db
from webapp.models import Organisation
from webapp.services.evidence import store_evidence, upload_folder
from webapp.services.evidence_sweep import sweep_uploads

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HOUR_AGO = time.time() - 3600


def stored_pdf(app: Flask, text: bytes) -> str:
    """Store a PDF as an evidence row, committed; return its file name."""
    with app.app_context():
        organisation = Organisation(name="Wellfield Care Co-operative")
        db.session.add(organisation)
        db.session.flush()
        evidence = store_evidence(
            FileStorage(io.BytesIO(PDF + text), filename="policy.pdf"),
            organisation=organisation,
            uploaded_by=None,
            criterion_id="fw_sick_pay",
        )
        db.session.commit()
        return evidence.sha256


def aged(path: Path) -> Path:
    os.utime(path, (HOUR_AGO, HOUR_AGO))
    return path


def test_old_unreferenced_and_unfinished_files_are_removed_and_the_rest_kept(app: Flask) -> None:
    kept = stored_pdf(app, b"kept")
    with app.app_context():
        folder = upload_folder()
    aged(folder / kept)
    orphan = folder / hashlib.sha256(b"rolled back").hexdigest()
    orphan.write_bytes(b"rolled back")
    aged(orphan)
    unfinished = folder / ".upload-abc123"
    unfinished.write_bytes(b"%PDF-1.4 half")
    aged(unfinished)
    fresh = folder / hashlib.sha256(b"being saved").hexdigest()
    fresh.write_bytes(b"being saved")

    with app.app_context():
        report = sweep_uploads()

    assert report.unreferenced == [orphan.name]
    assert report.unfinished == [unfinished.name]
    assert report.missing == []
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted([kept, fresh.name])


def test_storing_the_same_bytes_again_keeps_the_file_from_the_sweep(app: Flask) -> None:
    first = stored_pdf(app, b"same")
    with app.app_context():
        path = aged(upload_folder() / first)
    assert stored_pdf(app, b"same") == first
    assert path.stat().st_mtime > HOUR_AGO + 60


def test_the_command_sweeps_and_reports_rows_whose_file_is_missing(
    app: Flask, runner: FlaskCliRunner
) -> None:
    name = stored_pdf(app, b"lost")
    with app.app_context():
        folder = upload_folder()
    (folder / ".upload-xyz").write_bytes(b"half")
    (folder / name).unlink()

    result = runner.invoke(args=["evidence", "sweep", "--older-than", "0"])

    assert result.exit_code == 1
    assert "Removed 0 unreferenced and 1 unfinished upload files" in result.output
    assert "Evidence records whose file is missing: 1." in result.output
    assert list(folder.iterdir()) == [folder / "issued-reports"]
