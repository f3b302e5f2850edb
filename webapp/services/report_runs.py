"""Running a report job: one attempt of it, to done or failed, with a heartbeat.

`run_job(job_id)` is what a worker (or the web process's thread) runs. It takes a job that is
queued, or running when a worker died under it and the queue tries it again, counts the attempt,
and runs the job's kind: issuing every summary of a round, or rendering one document (a board
pack, a summary or a self-assessment report). Up to `REPORT_JOB_RETRIES` retries follow a crash
of a worker's process; an error raised by the job itself marks it failed with that error at
once, since running it again would raise it again. While it runs, the job is stamped every few
seconds, so readers see a job whose worker died as failed within `REPORT_JOB_STALE_AFTER`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from webapp.clock import now
from webapp.extensions import db
from webapp.jobs.heartbeat import beating
from webapp.models import ReportJob, ReportJobStatus
from webapp.services.issued_reports import ASSESSMENT_SUMMARY, BOARD_PACK, SELF_ASSESSMENT_REPORT
from webapp.services.report_documents import render_document
from webapp.services.report_jobs import ASSESSMENT_SUMMARIES, issue_summaries

__all__ = ["RUNNERS", "run_job"]

RUNNERS: dict[str, Callable[[ReportJob], None]] = {
    ASSESSMENT_SUMMARIES: issue_summaries,
    BOARD_PACK: render_document,
    ASSESSMENT_SUMMARY: render_document,
    SELF_ASSESSMENT_REPORT: render_document,
}
"""What runs each kind of job."""

TOO_MANY_ATTEMPTS = (
    "The job stopped without finishing {attempts} times, so it was not tried again. "
    "Nothing was made by it. Start it again, or ask for help if it keeps stopping."
)


def run_job(job_id: int) -> ReportJob | None:
    """Run one attempt of job `job_id`: done, or failed with the error. Returns the job."""
    job = db.session.get(ReportJob, job_id)
    unfinished = (ReportJobStatus.QUEUED.value, ReportJobStatus.RUNNING.value)
    if job is None or job.status not in unfinished:
        return job
    if job.attempts > int(current_app.config["REPORT_JOB_RETRIES"]):
        return _fail(job_id, TOO_MANY_ATTEMPTS.format(attempts=job.attempts))
    moment = now()
    job.attempts += 1
    job.status = ReportJobStatus.RUNNING.value
    job.started_at = moment
    job.progressed_at = moment
    db.session.commit()
    try:
        with beating(current_app._get_current_object(), job_id):  # type: ignore[attr-defined]
            RUNNERS[job.kind](job)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("Report job %s failed", job_id)
        return _fail(job_id, _error_text(exc))
    return job


def _fail(job_id: int, error: str) -> ReportJob | None:
    failed = db.session.get(ReportJob, job_id)
    if failed is None:
        return None
    failed.status = ReportJobStatus.FAILED.value
    failed.error = error
    failed.finished_at = now()
    db.session.commit()
    return failed


def _error_text(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
