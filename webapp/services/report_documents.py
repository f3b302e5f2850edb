"""One document made off the request: a round's board pack, one bid's assessment summary, or
a provider's self-assessment report.

A request for a document's PDF never renders it. `prepare_board_pack`, `prepare_summary` and
`prepare_self_assessment_report` build the document as it stands now, down to its HTML (fast:
the scoring and the template, no PDF), and `sha256:` of that HTML names it: the same HTML gives
the same PDF. `request_document` then answers from the issued-report store when that HTML was
rendered before, or else queues one job to render it (`render_document`, run by a report worker)
and returns the job, which the page shows until it is done. A second request while the job runs
joins it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from reports.bulk import sha256_of
from reports.documents import BOARD_PACK as BOARD_PACK_TEMPLATE
from reports.documents import (
    SELF_ASSESSMENT,
    SUMMARY,
    board_pack_title,
    pdf_filename,
    render_html,
    self_assessment_title,
    summary_title,
)
from reports.render import render
from webapp.clock import now
from webapp.extensions import db
from webapp.jobs.queue import enqueue
from webapp.models import (
    Bid,
    CommissioningRound,
    IssuedReport,
    ReportJob,
    ReportJobStatus,
    SelfAssessment,
    User,
)
from webapp.services.issued_reports import (
    ASSESSMENT_SUMMARY,
    BOARD_PACK,
    SELF_ASSESSMENT_REPORT,
    current_issue,
    current_pdf,
    store_pdf,
)
from webapp.services.outcomes import RoundResults, round_results
from webapp.services.report_jobs import latest_job, unfinished_job
from webapp.services.reports import (
    board_pack_context_for,
    london_today,
    self_assessment_context_for,
    summary_context_for,
)

__all__ = [
    "DocumentRequest",
    "Prepared",
    "prepare_board_pack",
    "prepare_for_job",
    "prepare_self_assessment_report",
    "prepare_summary",
    "render_document",
    "request_document",
    "stored_pdf",
    "summary_filename",
]


@dataclass(frozen=True)
class Prepared:
    """A document as it would be rendered now: its HTML and what names and files it.

    A round's document has its `round` (and `bid`, for a bid's); a self-assessment report has
    its `self_assessment` and no round.
    """

    kind: str
    round: CommissioningRound | None
    bid: Bid | None
    html: str
    title: str
    filename: str
    inputs_digest: str
    self_assessment: SelfAssessment | None = None

    @property
    def subject(self) -> str:
        """Which document: "" for the round's own, "bid:<id>" for a bid's,
        "self-assessment:<id>" for a self-assessment's report."""
        if self.self_assessment is not None:
            return f"self-assessment:{self.self_assessment.id}"
        return "" if self.bid is None else f"bid:{self.bid.id}"

    @property
    def source_sha256(self) -> str:
        return "sha256:" + hashlib.sha256(self.html.encode()).hexdigest()


def prepare_board_pack(round_: CommissioningRound) -> Prepared:
    results = round_results(round_, analysis=True, with_agreement=True)
    context = board_pack_context_for(round_, results=results)
    return _prepared(BOARD_PACK, round_, None, BOARD_PACK_TEMPLATE, context, results)


def prepare_summary(
    round_: CommissioningRound, bid: Bid, *, results: RoundResults | None = None
) -> Prepared:
    """Raises KeyError when `bid` is not a submitted bid of `round_`."""
    results = results or round_results(round_)
    context = summary_context_for(round_, bid, results=results)
    return _prepared(ASSESSMENT_SUMMARY, round_, bid, SUMMARY, context, results)


def prepare_self_assessment_report(assessment: SelfAssessment) -> Prepared:
    """The provider's self-assessment report as it stands now (answers, scores and plan)."""
    context = self_assessment_context_for(assessment)
    html = render_html(SELF_ASSESSMENT, context)
    digest = "sha256:" + hashlib.sha256(html.encode()).hexdigest()
    return Prepared(
        kind=SELF_ASSESSMENT_REPORT,
        round=None,
        bid=None,
        self_assessment=assessment,
        html=html,
        title=self_assessment_title(context),
        filename=pdf_filename(
            "self-assessment", assessment.organisation.name, london_today().isoformat()
        ),
        # Its only inputs are the answers and the framework, and the HTML shows them all.
        inputs_digest=digest,
    )


def summary_filename(bid: Bid) -> str:
    """`CW-2027-0001-B3-assessment-summary.pdf`: the bid's receipt reference names it."""
    return pdf_filename(bid.reference or f"{bid.round.reference}-B{bid.id}", "assessment-summary")


def _prepared(
    kind: str,
    round_: CommissioningRound,
    bid: Bid | None,
    template: str,
    context: dict[str, Any],
    results: RoundResults,
) -> Prepared:
    if bid is None:
        title, filename = board_pack_title(context), pdf_filename(round_.reference, "board-pack")
    else:
        title, filename = summary_title(context), summary_filename(bid)
    return Prepared(
        kind=kind,
        round=round_,
        bid=bid,
        html=render_html(template, context),
        title=title,
        filename=filename,
        inputs_digest=results.digest,
    )


def prepare_for_job(job: ReportJob) -> Prepared:
    """The document a single-document job renders, as it stands now."""
    if job.kind == SELF_ASSESSMENT_REPORT:
        assessment = db.session.get(SelfAssessment, job.self_assessment_id)
        if assessment is None:
            raise LookupError(f"report job {job.id}: that self-assessment no longer exists")
        return prepare_self_assessment_report(assessment)
    if job.round is None:
        raise LookupError(f"report job {job.id}: a {job.kind} job needs a round")
    if job.kind == BOARD_PACK:
        return prepare_board_pack(job.round)
    bid = db.session.get(Bid, job.bid_id)
    if bid is None:
        raise LookupError(f"report job {job.id}: bid {job.bid_id} no longer exists")
    return prepare_summary(job.round, bid)


# --- asking for a document ----------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRequest:
    """What a request for a document's PDF finds: the issued PDF, or the job making it."""

    issued: IssuedReport | None = None
    job: ReportJob | None = None


def request_document(prepared: Prepared, by: User, *, again: bool = False) -> DocumentRequest:
    """The document's stored PDF if this HTML was rendered before; else the job rendering it.

    A new job is queued unless one is unfinished already; a job that failed for this very HTML
    is returned as it is (so a page that refreshes does not start it over and over) until
    `again` asks for another try.
    """
    issued = _current_issue(prepared)
    if issued is not None:
        return DocumentRequest(issued=issued)
    running = unfinished_job(prepared.round, prepared.kind, prepared.subject)
    if running is not None:
        return DocumentRequest(job=running)
    last = latest_job(prepared.round, prepared.kind, prepared.subject)
    if (
        not again
        and last is not None
        and last.status == ReportJobStatus.FAILED.value
        and last.source_sha256 == prepared.source_sha256
    ):
        return DocumentRequest(job=last)
    job = ReportJob(
        round_id=_id(prepared.round),
        kind=prepared.kind,
        subject=prepared.subject,
        bid_id=_id(prepared.bid),
        self_assessment_id=_id(prepared.self_assessment),
        requested_by_id=by.id,
        status=ReportJobStatus.QUEUED.value,
        total=1,
        done=0,
        inputs_digest=prepared.inputs_digest,
        source_sha256=prepared.source_sha256,
        created_at=now(),
    )
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request queued it between our look and our insert: join that job.
        db.session.rollback()
        running = unfinished_job(prepared.round, prepared.kind, prepared.subject)
        if running is None:
            raise
        return DocumentRequest(job=running)
    enqueue(job.id)
    return DocumentRequest(job=job)


# --- making it (a job's runner) -------------------------------------------------------------


def render_document(job: ReportJob) -> None:
    """Render the job's document as it stands now, keep it, and finish the job."""
    prepared = prepare_for_job(job)
    issued = _current_issue(prepared)
    if issued is None:
        rendering = render(prepared.html, title=prepared.title)
        for warning in rendering.warnings:
            current_app.logger.warning("Report job %s: renderer warning: %s", job.id, warning)
        sha256 = sha256_of(rendering.pdf)
        store_pdf(rendering.pdf, sha256)
        issued = IssuedReport(
            round_id=_id(prepared.round),
            bid_id=_id(prepared.bid),
            self_assessment_id=_id(prepared.self_assessment),
            job_id=job.id,
            kind=prepared.kind,
            filename=prepared.filename,
            pdf_sha256=sha256,
            inputs_digest=prepared.inputs_digest,
            source_sha256=prepared.source_sha256,
            pages=rendering.pages,
            created_at=now(),
            created_by_id=job.requested_by_id,
        )
        db.session.add(issued)
    job.source_sha256 = prepared.source_sha256
    job.done = 1
    job.status = ReportJobStatus.DONE.value
    job.finished_at = now()
    db.session.commit()


def stored_pdf(prepared: Prepared) -> tuple[IssuedReport, bytes] | None:
    """The PDF rendered before from exactly this document's HTML, with its row, if intact."""
    return current_pdf(
        prepared.round,
        prepared.bid,
        prepared.kind,
        prepared.source_sha256,
        self_assessment=prepared.self_assessment,
    )


def _current_issue(prepared: Prepared) -> IssuedReport | None:
    return current_issue(
        prepared.round,
        prepared.bid,
        prepared.kind,
        prepared.source_sha256,
        self_assessment=prepared.self_assessment,
    )


def _id(row: CommissioningRound | Bid | SelfAssessment | None) -> int | None:
    return row.id if row is not None else None
