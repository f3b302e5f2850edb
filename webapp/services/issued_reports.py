"""The issued-report store: each PDF kept once under its SHA-256, and its `IssuedReport` row.

A report is rendered once per inputs digest and served from here afterwards: the PDF is kept
on disk like evidence (in `issued-reports/` of the upload folder, outside static), written to
a temporary file and renamed into place, and its row says which round, bid and kind it is,
the PDF's hash and the digest of the inputs it was made from. Rows are never changed: a newer
issue adds a row, and the latest row for a round, bid and kind is the current one. A provider's
self-assessment report is kept here too, under its self-assessment and no round: it is made for
the provider alone and issued to nobody else.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from reports.bulk import sha256_of
from webapp.extensions import db
from webapp.models import Bid, CommissioningRound, IssuedReport, ReportJob, SelfAssessment
from webapp.services.evidence import move_into_place, upload_folder

__all__ = [
    "ASSESSMENT_SUMMARY",
    "BOARD_PACK",
    "SELF_ASSESSMENT_REPORT",
    "current_issue",
    "current_pdf",
    "issued_by_job",
    "issued_folder",
    "issued_for_round",
    "issued_in_round",
    "issued_path",
    "issued_pdf",
    "latest_issued",
    "of_document",
    "store_pdf",
]

ASSESSMENT_SUMMARY = "assessment_summary"
"""The kind of an issued report for one bid."""
BOARD_PACK = "board_pack"
"""The kind of an issued report for the round: its board pack."""
SELF_ASSESSMENT_REPORT = "self_assessment_report"
"""The kind of a provider's self-assessment report (of no round)."""


# --- the files --------------------------------------------------------------------


def issued_folder() -> Path:
    """Issued PDFs, named by their SHA-256, in a folder of the evidence store (outside static)."""
    folder = upload_folder() / "issued-reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def issued_path(issued: IssuedReport) -> Path:
    return issued_folder() / issued.pdf_sha256.removeprefix("sha256:")


def store_pdf(pdf: bytes, sha256: str) -> None:
    """Write the PDF under its hash, atomically; the same bytes already there are kept."""
    folder = issued_folder()
    final = folder / sha256.removeprefix("sha256:")
    if final.exists():
        return
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".issue-", delete=False)  # noqa: SIM115
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        move_into_place(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def issued_pdf(issued: IssuedReport) -> bytes | None:
    """The issued PDF's bytes, or None when the file is missing or no longer matches its hash."""
    path = issued_path(issued)
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data if sha256_of(data) == issued.pdf_sha256 else None


# --- the rows ---------------------------------------------------------------------------------


def issued_by_job(job: ReportJob) -> list[IssuedReport]:
    """The reports a job issued, by bidder name."""
    rows = db.session.scalars(sa.select(IssuedReport).where(IssuedReport.job_id == job.id))
    return sorted(rows, key=_by_bidder)


def latest_issued(
    round_: CommissioningRound, bid: Bid, kind: str = ASSESSMENT_SUMMARY
) -> IssuedReport | None:
    """The bid's current issued report of `kind`: the latest one issued."""
    return db.session.scalars(
        sa.select(IssuedReport)
        .where(
            IssuedReport.round_id == round_.id,
            IssuedReport.bid_id == bid.id,
            IssuedReport.kind == kind,
        )
        .order_by(IssuedReport.id.desc())
    ).first()


def current_issue(
    round_: CommissioningRound | None,
    bid: Bid | None,
    kind: str,
    source_sha256: str,
    *,
    self_assessment: SelfAssessment | None = None,
) -> IssuedReport | None:
    """The latest issue of this document rendered from exactly this HTML, if its PDF is intact.

    `bid` is None for the round's own documents (the board pack); `round_` is None, and
    `self_assessment` given, for a self-assessment report."""
    found = current_pdf(round_, bid, kind, source_sha256, self_assessment=self_assessment)
    return found[0] if found is not None else None


def current_pdf(
    round_: CommissioningRound | None,
    bid: Bid | None,
    kind: str,
    source_sha256: str,
    *,
    self_assessment: SelfAssessment | None = None,
) -> tuple[IssuedReport, bytes] | None:
    """`current_issue` with its PDF's bytes (checked against the hash kept for them)."""
    query = sa.select(IssuedReport).where(
        IssuedReport.kind == kind,
        IssuedReport.source_sha256 == source_sha256,
        *of_document(IssuedReport, round_, bid, self_assessment),
    )
    for issued in db.session.scalars(query.order_by(IssuedReport.id.desc())):
        data = issued_pdf(issued)
        if data is not None:
            return issued, data
    return None


def of_document(
    model: type[IssuedReport] | type[ReportJob],
    round_: CommissioningRound | None,
    bid: Bid | None,
    self_assessment: SelfAssessment | None,
) -> tuple[sa.ColumnElement[bool], ...]:
    """Which rows of `model` belong to this document's round, bid and self-assessment."""
    return (
        _same(model.round_id, round_),
        _same(model.bid_id, bid),
        _same(model.self_assessment_id, self_assessment),
    )


def _same(column: Any, row: CommissioningRound | Bid | SelfAssessment | None) -> Any:
    return column.is_(None) if row is None else column == row.id


def issued_for_round(round_: CommissioningRound) -> list[IssuedReport]:
    """The round's current issued reports (the latest per bid and kind), by kind and bidder."""
    latest: dict[tuple[int | None, str], IssuedReport] = {}
    rows = db.session.scalars(
        sa.select(IssuedReport).where(IssuedReport.round_id == round_.id).order_by(IssuedReport.id)
    )
    for row in rows:
        latest[(row.bid_id, row.kind)] = row
    return sorted(latest.values(), key=lambda r: (r.kind, _by_bidder(r)))


def issued_in_round(round_: CommissioningRound, issued_id: int) -> IssuedReport | None:
    issued = db.session.get(IssuedReport, issued_id)
    if issued is None or issued.round_id != round_.id:
        return None
    return issued


def _by_bidder(issued: IssuedReport) -> tuple[str, int]:
    name = issued.bid.organisation.name if issued.bid is not None else ""
    return (name.lower(), issued.id)
