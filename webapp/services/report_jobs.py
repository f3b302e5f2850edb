"""Issuing every assessment summary of a round in one action, in the background, with progress.

`start_summaries_job` records a `ReportJob` and runs it in a background thread with its own app
context (and so its own database connection). `run_job` is what that thread runs: it scores the
round once, builds one summary context per submitted bid, renders them over the CPU cores
(`reports.bulk.render_many`, `REPORT_PROCESSES` at once) while counting progress into the job,
then keeps each PDF on disk under its SHA-256 (beside the evidence files, as they are kept) with
an `IssuedReport` row holding the PDF's hash and the digest of the inputs it was made from, and
records one `report.issued` audit event. Any error marks the job failed with the error, so
nobody waits for a job that will never finish.

A round has at most one unfinished job (the database refuses a second). A job whose thread died
with the server stops reporting progress: after `REPORT_JOB_STALE_AFTER` without any, it is
marked failed when next read, and a new job may start.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from reports.bulk import Rendered, RenderJob, render_many, sha256_of
from reports.documents import SUMMARY
from webapp.audit.log import record
from webapp.clock import as_utc, now
from webapp.extensions import db
from webapp.models import (
    Bid,
    CommissioningRound,
    IssuedReport,
    ReportJob,
    ReportJobStatus,
    Role,
    User,
)
from webapp.services.evidence import move_into_place, upload_folder
from webapp.services.outcomes import RoundResults, round_results
from webapp.services.reports import summary_context_for
from webapp.services.results import submitted_bids_of
from webapp.services.rounds import is_sealed

__all__ = [
    "ASSESSMENT_SUMMARIES",
    "ASSESSMENT_SUMMARY",
    "JobAlreadyRunningError",
    "ReportJobNotAllowedError",
    "ReportJobRefusedError",
    "issued_by_job",
    "issued_folder",
    "issued_for_round",
    "issued_in_round",
    "issued_path",
    "issued_pdf",
    "job_for",
    "latest_issued",
    "latest_job",
    "run_job",
    "start_summaries_job",
    "unfinished_job",
]

ASSESSMENT_SUMMARIES = "assessment_summaries"
"""The kind of job that issues every bidder's assessment summary."""
ASSESSMENT_SUMMARY = "assessment_summary"
"""The kind of an issued report for one bid."""

UNFINISHED = (ReportJobStatus.QUEUED.value, ReportJobStatus.RUNNING.value)
STALE_ERROR = (
    "The job stopped without finishing, probably because the service restarted. "
    "No assessment summaries were issued by it. Start it again."
)
_COMMIT_EVERY_SECONDS = 1.0


class ReportJobRefusedError(Exception):
    """A job that cannot start now, with a message for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReportJobNotAllowedError(ReportJobRefusedError):
    """Only commissioners and administrators may issue a round's reports."""


class JobAlreadyRunningError(ReportJobRefusedError):
    """The round already has a job queued or running."""

    def __init__(self, job: ReportJob) -> None:
        super().__init__(
            "The assessment summaries for this round are already being issued. "
            "Wait for that to finish before starting again."
        )
        self.job = job


# --- starting and running -------------------------------------------------------------------


def start_summaries_job(round_: CommissioningRound, by: User) -> ReportJob:
    """Record a job issuing every submitted bid's assessment summary, and start it.

    The job is committed before its background thread starts. Raises `ReportJobNotAllowedError`
    for anyone but a commissioner or administrator, `ReportJobRefusedError` before the deadline
    or when no bid was submitted, and `JobAlreadyRunningError` while another job for the round
    is unfinished.
    """
    if not by.has_role(Role.COMMISSIONER, Role.ADMIN):
        raise ReportJobNotAllowedError(
            "Only commissioners and administrators can issue assessment summaries."
        )
    if is_sealed(round_):
        raise ReportJobRefusedError(
            "Assessment summaries can only be issued after the round has closed."
        )
    if not submitted_bids_of(round_):
        raise ReportJobRefusedError("The round has no submitted bids to write summaries for.")
    running = unfinished_job(round_)
    if running is not None:
        raise JobAlreadyRunningError(running)
    job = ReportJob(
        round_id=round_.id,
        kind=ASSESSMENT_SUMMARIES,
        requested_by_id=by.id,
        status=ReportJobStatus.QUEUED.value,
        total=0,
        done=0,
        created_at=now(),
    )
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request started one between our check and our insert.
        db.session.rollback()
        running = unfinished_job(round_)
        if running is None:
            raise
        raise JobAlreadyRunningError(running) from None
    _start(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]
    return job


def _start(app: Flask, job_id: int) -> None:
    if _in_memory_sqlite(app):
        # Another thread would open a different, empty in-memory database: run it here.
        run_job(job_id)
        return
    thread = threading.Thread(
        target=_run_in_app, args=(app, job_id), name=f"report-job-{job_id}", daemon=True
    )
    thread.start()


def _in_memory_sqlite(app: Flask) -> bool:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> ReportJob | None:
    """Run a queued job to the end: done, or failed with the error. Returns the job."""
    job = db.session.get(ReportJob, job_id)
    if job is None or job.status != ReportJobStatus.QUEUED.value:
        return job
    try:
        _issue_summaries(job)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("Report job %s failed", job_id)
        failed = db.session.get(ReportJob, job_id)
        if failed is None:
            return None
        failed.status = ReportJobStatus.FAILED.value
        failed.error = _error_text(exc)
        failed.finished_at = now()
        db.session.commit()
        return failed
    return job


def _error_text(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _issue_summaries(job: ReportJob) -> None:
    moment = now()
    job.status = ReportJobStatus.RUNNING.value
    job.started_at = moment
    job.progressed_at = moment
    db.session.commit()

    round_ = job.round
    results = round_results(round_)
    bids = list(results.inputs.rows.values())
    jobs = [
        RenderJob(str(bid.id), SUMMARY, summary_context_for(round_, bid, results=results))
        for bid in bids
    ]
    job.total = len(jobs)
    job.inputs_digest = results.digest
    db.session.commit()

    rendered = render_many(
        jobs,
        processes=int(current_app.config["REPORT_PROCESSES"]),
        progress=_Progress(job),
    )
    _keep(job, round_, bids, rendered, results)


class _Progress:
    """Counts rendered reports into the job, committing at most about once a second."""

    def __init__(self, job: ReportJob) -> None:
        self.job = job
        self.committed = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        self.job.done = done
        self.job.progressed_at = now()
        if done == total or time.monotonic() - self.committed >= _COMMIT_EVERY_SECONDS:
            db.session.commit()
            self.committed = time.monotonic()


def _keep(
    job: ReportJob,
    round_: CommissioningRound,
    bids: Sequence[Bid],
    rendered: Sequence[Rendered],
    results: RoundResults,
) -> None:
    """Store each PDF and its row, record the issue, and finish the job, in one transaction."""
    moment = now()
    issued = []
    for bid, summary in zip(bids, rendered, strict=True):
        for warning in summary.rendering.warnings:
            current_app.logger.warning("Report job %s, bid %s: %s", job.id, bid.id, warning)
        _store(summary.rendering.pdf, summary.sha256)
        row = IssuedReport(
            round_id=round_.id,
            bid_id=bid.id,
            job_id=job.id,
            kind=ASSESSMENT_SUMMARY,
            filename=_summary_filename(round_, bid),
            pdf_sha256=summary.sha256,
            inputs_digest=results.digest,
            pages=summary.rendering.pages,
            created_at=moment,
            created_by_id=job.requested_by_id,
        )
        db.session.add(row)
        issued.append(row)
    db.session.flush()
    count = len(issued)
    record(
        "report.issued",
        actor=job.requested_by,
        subject=f"report_job:{job.id}",
        summary=(
            f"{count} assessment {'summary' if count == 1 else 'summaries'} issued "
            f"from inputs {results.digest}"
        ),
        round_=round_,
        after={
            "kind": ASSESSMENT_SUMMARIES,
            "inputs_digest": results.digest,
            "reports": [
                {"issued_report": r.id, "bid": r.bid_id, "pdf_sha256": r.pdf_sha256} for r in issued
            ],
        },
    )
    job.done = count
    job.status = ReportJobStatus.DONE.value
    job.finished_at = moment
    db.session.commit()


def _summary_filename(round_: CommissioningRound, bid: Bid) -> str:
    name = secure_filename(f"{round_.reference} {bid.organisation.name}").lower().replace("_", "-")
    return f"assessment-summary-{name or f'bid-{bid.id}'}.pdf"


# --- where PDFs are kept --------------------------------------------------------------------


def issued_folder() -> Path:
    """Issued PDFs, named by their SHA-256, in a folder of the evidence store (outside static)."""
    folder = upload_folder() / "issued-reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def issued_path(issued: IssuedReport) -> Path:
    return issued_folder() / issued.pdf_sha256.removeprefix("sha256:")


def _store(pdf: bytes, sha256: str) -> None:
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


# --- reading jobs and issued reports --------------------------------------------------------


def _expire_if_stale(job: ReportJob) -> ReportJob:
    """Mark an unfinished job failed when it has been silent too long (its thread is gone)."""
    if job.status not in UNFINISHED:
        return job
    last = job.progressed_at or job.started_at or job.created_at
    limit = current_app.config["REPORT_JOB_STALE_AFTER"]
    if now() - as_utc(last) <= limit:
        return job
    job.status = ReportJobStatus.FAILED.value
    job.error = STALE_ERROR
    job.finished_at = now()
    db.session.commit()
    return job


def unfinished_job(round_: CommissioningRound) -> ReportJob | None:
    """The round's job that is queued or running, if any (a stale one is marked failed first)."""
    query = sa.select(ReportJob).where(
        ReportJob.round_id == round_.id, ReportJob.status.in_(UNFINISHED)
    )
    for job in db.session.scalars(query):
        if _expire_if_stale(job).status in UNFINISHED:
            return job
    return None


def job_for(round_: CommissioningRound, job_id: int) -> ReportJob | None:
    """The round's job `job_id`, or None if it is not this round's."""
    job = db.session.get(ReportJob, job_id)
    if job is None or job.round_id != round_.id:
        return None
    return _expire_if_stale(job)


def latest_job(round_: CommissioningRound) -> ReportJob | None:
    job = db.session.scalars(
        sa.select(ReportJob).where(ReportJob.round_id == round_.id).order_by(ReportJob.id.desc())
    ).first()
    return _expire_if_stale(job) if job is not None else None


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
