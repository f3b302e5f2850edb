"""Report jobs: the records of reports being made in the background, and the bulk issue.

A `ReportJob` is committed, then queued (`webapp.jobs.queue.enqueue`: an RQ worker when
`REDIS_URL` is set, else a thread of the web process); `webapp.services.report_runs.run_job`
runs it. One kind is here: issuing every assessment summary of a round in one action
(`start_summaries_job`, run by `issue_summaries`), which scores the round once, builds one
summary context per submitted bid, renders them over the CPU cores (`reports.bulk.render_many`,
`REPORT_PROCESSES` at once) while counting progress into the job, keeps each PDF in the
issued-report store (`webapp.services.issued_reports`) and records one `report.issued` audit
event. The single documents (a board pack, one summary) are `webapp.services.report_documents`.

A document has at most one unfinished job (the database refuses a second). A running job is
stamped every few seconds while it runs (`webapp.jobs.heartbeat`); one silent for longer than
`REPORT_JOB_STALE_AFTER` has lost its worker and is marked failed when next read, and a job
that no worker has taken within `REPORT_JOB_QUEUED_LIMIT` likewise, so a new job may start.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from reports.bulk import Rendered, RenderJob, render_many
from reports.documents import SUMMARY
from webapp.audit.log import record
from webapp.clock import as_utc, now
from webapp.extensions import db
from webapp.jobs.queue import enqueue
from webapp.models import (
    Bid,
    CommissioningRound,
    IssuedReport,
    ReportJob,
    ReportJobStatus,
    Role,
    User,
)
from webapp.services.issued_reports import ASSESSMENT_SUMMARY, store_pdf
from webapp.services.outcomes import RoundResults, round_results
from webapp.services.reports import summary_context_for
from webapp.services.results import submitted_bids_of
from webapp.services.rounds import is_sealed

__all__ = [
    "ASSESSMENT_SUMMARIES",
    "NOT_TAKEN_ERROR",
    "STALE_ERROR",
    "UNFINISHED",
    "JobAlreadyRunningError",
    "ReportJobNotAllowedError",
    "ReportJobRefusedError",
    "issue_summaries",
    "job_for",
    "latest_job",
    "start_summaries_job",
    "unfinished_job",
]

ASSESSMENT_SUMMARIES = "assessment_summaries"
"""The kind of job that issues every bidder's assessment summary."""

UNFINISHED = (ReportJobStatus.QUEUED.value, ReportJobStatus.RUNNING.value)
STALE_ERROR = (
    "The job stopped without finishing, probably because the service restarted. "
    "Nothing was issued by it. Start it again."
)
NOT_TAKEN_ERROR = (
    "No worker took the job, so nothing was made. Check that the report workers are running, "
    "then start it again."
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
    enqueue(job.id)
    return job


def issue_summaries(job: ReportJob) -> None:
    """Run a bulk issue: render every submitted bid's summary and keep them (a job's runner)."""
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
        store_pdf(summary.rendering.pdf, summary.sha256)
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


# --- reading jobs and issued reports --------------------------------------------------------


def _expire_if_stale(job: ReportJob) -> ReportJob:
    """Mark an unfinished job failed when its worker is gone: running without a heartbeat for
    `REPORT_JOB_STALE_AFTER`, or queued and not taken for `REPORT_JOB_QUEUED_LIMIT`."""
    if job.status == ReportJobStatus.RUNNING.value:
        last = job.progressed_at or job.started_at or job.created_at
        limit, error = current_app.config["REPORT_JOB_STALE_AFTER"], STALE_ERROR
    elif job.status == ReportJobStatus.QUEUED.value:
        last = job.created_at
        limit, error = current_app.config["REPORT_JOB_QUEUED_LIMIT"], NOT_TAKEN_ERROR
    else:
        return job
    if now() - as_utc(last) <= limit:
        return job
    job.status = ReportJobStatus.FAILED.value
    job.error = error
    job.finished_at = now()
    db.session.commit()
    return job


def unfinished_job(
    round_: CommissioningRound | None, kind: str = ASSESSMENT_SUMMARIES, subject: str = ""
) -> ReportJob | None:
    """The document's job that is queued or running, if any (a stale one is failed first).

    `round_` is None for a document of no round, which its `subject` names alone."""
    query = sa.select(ReportJob).where(
        _of_round(round_),
        ReportJob.kind == kind,
        ReportJob.subject == subject,
        ReportJob.status.in_(UNFINISHED),
    )
    for job in db.session.scalars(query):
        if _expire_if_stale(job).status in UNFINISHED:
            return job
    return None


def job_for(round_: CommissioningRound, job_id: int, kind: str | None = None) -> ReportJob | None:
    """The round's job `job_id` (of `kind`, when given), or None if it is not that."""
    job = db.session.get(ReportJob, job_id)
    if job is None or job.round_id != round_.id or (kind is not None and job.kind != kind):
        return None
    return _expire_if_stale(job)


def latest_job(
    round_: CommissioningRound | None, kind: str = ASSESSMENT_SUMMARIES, subject: str = ""
) -> ReportJob | None:
    """The document's latest job, finished or not."""
    job = db.session.scalars(
        sa.select(ReportJob)
        .where(_of_round(round_), ReportJob.kind == kind, ReportJob.subject == subject)
        .order_by(ReportJob.id.desc())
    ).first()
    return _expire_if_stale(job) if job is not None else None


def _of_round(round_: CommissioningRound | None) -> sa.ColumnElement[bool]:
    return ReportJob.round_id.is_(None) if round_ is None else ReportJob.round_id == round_.id
