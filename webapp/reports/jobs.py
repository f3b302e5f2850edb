"""Issuing every assessment summary of a round at once: start the job, watch it, download.

Only commissioners and administrators may. The job runs in the background
(`webapp.services.report_jobs`); its status page refreshes itself every few seconds (a plain
`<meta http-equiv="refresh">`, so it works without JavaScript) until the summaries are issued,
then lists them with their hashes and links to download each PDF.
"""

from __future__ import annotations

from typing import cast

from flask import abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.auth.roles import role_required
from webapp.clock import london_text
from webapp.commissioning.blueprint import round_or_404
from webapp.models import ReportJobStatus, User
from webapp.reports import bp
from webapp.reports.serving import pdf_download
from webapp.services.issued_reports import issued_by_job, issued_in_round, issued_pdf
from webapp.services.report_jobs import (
    ASSESSMENT_SUMMARIES,
    JobAlreadyRunningError,
    ReportJobRefusedError,
    job_for,
    start_summaries_job,
)
from webapp.services.round_admin import MANAGERS

REFRESH_SECONDS = 2

managers_only = role_required(*MANAGERS)


def short_digest(value: str | None) -> str:
    """`sha256:1a2b3c4d5e6f…`: enough to tell hashes apart at a glance."""
    if not value:
        return ""
    algorithm, _, hexdigest = value.partition(":")
    return f"{algorithm}:{hexdigest[:12]}…" if hexdigest else value[:19]


@bp.post("/rounds/<int:id>/reports/summaries/issue")
@managers_only
def issue_summaries(id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    try:
        job = start_summaries_job(round_, by=cast(User, current_user._get_current_object()))
    except ReportJobRefusedError as refusal:
        running = refusal.job if isinstance(refusal, JobAlreadyRunningError) else None
        page = render_template(
            "reports/summaries_refused.html", round=round_, message=refusal.message, job=running
        )
        return page, 409
    return redirect(url_for(".summaries_job", id=round_.id, job_id=job.id))


@bp.get("/rounds/<int:id>/reports/jobs/<int:job_id>")
@managers_only
def summaries_job(id: int, job_id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    job = job_for(round_, job_id, ASSESSMENT_SUMMARIES)
    if job is None:
        abort(404)
    done = job.status == ReportJobStatus.DONE.value
    return render_template(
        "reports/summaries_job.html",
        round=round_,
        job=job,
        issued=issued_by_job(job) if done else [],
        refresh_seconds=REFRESH_SECONDS,
        london_text=london_text,
        short_digest=short_digest,
    )


@bp.get("/rounds/<int:id>/reports/issued/<int:issued_id>.pdf")
@managers_only
def issued_summary_pdf(id: int, issued_id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    issued = issued_in_round(round_, issued_id)
    if issued is None:
        abort(404)
    data = issued_pdf(issued)
    if data is None:
        current_app.logger.error(
            "Issued report %s: stored PDF %s is missing or changed", issued.id, issued.pdf_sha256
        )
        abort(404)
    return pdf_download(data, issued.filename)
