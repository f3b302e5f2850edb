"""A provider's own reports: its bid's assessment summary and its self-assessment report.

The assessment summary exists for a provider only once the board has approved the award, and
only for its own organisation's submitted bid: anything else is "not found" (404), exactly as
the outcome page. When the round's summaries have been issued from the same inputs, the
provider downloads that issued PDF; otherwise a report job makes the summary (never inside a
request) and the download page looks again until it is ready. Each download of a summary is
recorded in the audit log as a report issued to the provider. The self-assessment report's
PDF is made the same way, by a report job, once for each state of the answers, and kept for the
provider alone.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue

from reports.documents import SELF_ASSESSMENT, SUMMARY, self_assessment_title, summary_title
from webapp.auth.roles import role_required
from webapp.models import Bid, BidStatus, IssuedReport, Role, SelfAssessment
from webapp.provider.access import signed_in_user
from webapp.reports import provider_bp
from webapp.reports.preparing import document_status_page
from webapp.reports.serving import pdf_download, twin_page
from webapp.services.award import outcome_published
from webapp.services.bids import BidNotFoundError, bid_for
from webapp.services.issued_reports import current_pdf, issued_pdf, latest_issued
from webapp.services.outcomes import RoundResults, round_results
from webapp.services.report_documents import (
    DocumentRequest,
    prepare_self_assessment_report,
    prepare_summary,
    request_document,
    stored_pdf,
    summary_filename,
)
from webapp.services.reports import (
    record_summary_issued,
    self_assessment_context_for,
    summary_context_for,
)
from webapp.services.self_assessments import open_self_assessment

providers_only = role_required(Role.PROVIDER)


def _published_bid(bid_id: int) -> Bid:
    """The organisation's own submitted bid whose outcome is published; else 404."""
    try:
        bid = bid_for(signed_in_user(), bid_id)
    except BidNotFoundError:
        abort(404)
    if bid.status != BidStatus.SUBMITTED.value or not outcome_published(bid.round):
        abort(404)
    return bid


@provider_bp.get("/bids/<int:bid_id>/assessment-summary")
@providers_only
def assessment_summary(bid_id: int) -> ResponseReturnValue:
    bid = _published_bid(bid_id)
    context = summary_context_for(bid.round, bid)
    return twin_page(
        SUMMARY,
        context,
        title=summary_title(context),
        back=_outcome_link(bid),
        pdf_url=url_for(".assessment_summary_download", bid_id=bid.id),
        kind="Assessment summary",
    )


@provider_bp.get("/bids/<int:bid_id>/assessment-summary/download")
@providers_only
def assessment_summary_download(bid_id: int) -> ResponseReturnValue:
    bid = _published_bid(bid_id)
    results = round_results(bid.round)
    issued = _issued_to_bidders(bid, results)
    if issued is not None:
        found = DocumentRequest(issued=issued[0])
    else:
        found = request_document(
            prepare_summary(bid.round, bid, results=results),
            signed_in_user(),
            again=request.args.get("again") == "1",
        )
    return document_status_page(
        SUMMARY,
        found,
        kind="Assessment summary",
        subject=f"for your bid {bid.reference} in {bid.round.reference}: {bid.round.title}",
        pdf_url=url_for(".assessment_summary_pdf", bid_id=bid.id),
        status_url=url_for(".assessment_summary_download", bid_id=bid.id),
        back=_outcome_link(bid),
    )


def _outcome_link(bid: Bid) -> dict[str, str]:
    return {
        "text": "Back to the outcome of your bid",
        "href": url_for("provider.outcome", bid_id=bid.id),
    }


def _issued_to_bidders(bid: Bid, results: RoundResults) -> tuple[IssuedReport, bytes] | None:
    """The summary the council issued to every bidder from these very inputs, if intact."""
    issued = latest_issued(bid.round, bid)
    if issued is None or issued.inputs_digest != results.digest:
        return None
    if issued.source_sha256 is not None:
        return None  # made for one download, not issued to every bidder
    data = issued_pdf(issued)
    return (issued, data) if data is not None else None


@provider_bp.get("/bids/<int:bid_id>/assessment-summary.pdf")
@providers_only
def assessment_summary_pdf(bid_id: int) -> ResponseReturnValue:
    bid = _published_bid(bid_id)
    results = round_results(bid.round)
    found = _issued_to_bidders(bid, results)
    if found is None:
        prepared = prepare_summary(bid.round, bid, results=results)
        found = current_pdf(bid.round, bid, prepared.kind, prepared.source_sha256)
    if found is None:
        return redirect(url_for(".assessment_summary_download", bid_id=bid.id))
    pdf = found[1]
    record_summary_issued(bid, to=signed_in_user(), pdf=pdf, inputs_digest=results.digest)
    return pdf_download(pdf, summary_filename(bid))


# --- the self-assessment report --------------------------------------------------------------


def _own_self_assessment() -> SelfAssessment:
    try:
        return open_self_assessment(signed_in_user())
    except LookupError:
        abort(404)


@provider_bp.get("/self-assessment/report")
@providers_only
def self_assessment_report() -> ResponseReturnValue:
    assessment = _own_self_assessment()
    context = self_assessment_context_for(assessment)
    return twin_page(
        SELF_ASSESSMENT,
        context,
        title=self_assessment_title(context),
        back=_results_link(),
        pdf_url=url_for(".self_assessment_report_download"),
        kind="Self-assessment report",
    )


def _results_link() -> dict[str, str]:
    return {
        "text": "Back to your self-assessment results",
        "href": url_for("provider.self_assessment_results"),
    }


@provider_bp.get("/self-assessment/report/download")
@providers_only
def self_assessment_report_download() -> ResponseReturnValue:
    assessment = _own_self_assessment()
    found = request_document(
        prepare_self_assessment_report(assessment),
        signed_in_user(),
        again=request.args.get("again") == "1",
    )
    return document_status_page(
        SELF_ASSESSMENT,
        found,
        kind="Self-assessment report",
        subject=f"for {assessment.organisation.name}",
        pdf_url=url_for(".self_assessment_report_pdf"),
        status_url=url_for(".self_assessment_report_download"),
        back=_results_link(),
    )


@provider_bp.get("/self-assessment/report.pdf")
@providers_only
def self_assessment_report_pdf() -> ResponseReturnValue:
    """The report's PDF for the answers as they stand; while it is not made, its status page."""
    prepared = prepare_self_assessment_report(_own_self_assessment())
    found = stored_pdf(prepared)
    if found is None:
        return redirect(url_for(".self_assessment_report_download"))
    return pdf_download(found[1], prepared.filename)
