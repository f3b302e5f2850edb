"""A round's board pack and any bid's assessment summary, for staff and the board.

Whoever may see the round's results may see these (`may_see_results`): commissioners and
administrators once the round has closed, board members once the results are with the board
or approved. Evaluators, providers and other board members are refused (403), as on the
results page; before the deadline the reports do not exist yet (404).

A PDF is never rendered here. Its download page asks for the document as it stands now: if
that very document was rendered before, the download starts; if not, a report job makes it
and the page looks again until it is ready. The PDF's own URL serves it from the store, or
sends the person to the download page while it is being made.
"""

from __future__ import annotations

from typing import cast

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from reports.documents import BOARD_PACK, SUMMARY, board_pack_title, summary_title
from webapp.auth.roles import role_required
from webapp.commissioning.results_views import visible_round
from webapp.extensions import db
from webapp.models import Bid, BidStatus, CommissioningRound, User
from webapp.reports import bp
from webapp.reports.preparing import document_status_page
from webapp.reports.serving import pdf_download, twin_page
from webapp.services.award import AwardStage
from webapp.services.issued_reports import current_pdf
from webapp.services.outcomes import round_results
from webapp.services.report_documents import (
    Prepared,
    prepare_board_pack,
    prepare_summary,
    request_document,
)
from webapp.services.reports import board_pack_context_for, summary_context_for
from webapp.services.round_admin import VIEWERS

viewers_only = role_required(*VIEWERS)


def _closed_round(id: int) -> CommissioningRound:
    """The round if the user may see its results and it has closed; else 403 or 404."""
    round_, stage = visible_round(id)
    if stage == AwardStage.NOT_CLOSED:
        abort(404)
    return round_


def _results_link(round_: CommissioningRound) -> dict[str, str]:
    return {"text": "Back to the results", "href": url_for("commissioning.results", id=round_.id)}


@bp.get("/rounds/<int:id>/reports/board-pack")
@viewers_only
def board_pack(id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    context = board_pack_context_for(round_)
    return twin_page(
        BOARD_PACK,
        context,
        title=board_pack_title(context),
        back=_results_link(round_),
        pdf_url=url_for(".board_pack_download", id=round_.id),
        kind="Board pack",
    )


@bp.get("/rounds/<int:id>/reports/board-pack/download")
@viewers_only
def board_pack_download(id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    return _status_page(
        prepare_board_pack(round_),
        kind="Board pack",
        subject=f"for {round_.reference}: {round_.title}",
        pdf_url=url_for(".board_pack_pdf", id=round_.id),
        status_url=url_for(".board_pack_download", id=round_.id),
        back=_results_link(round_),
    )


@bp.get("/rounds/<int:id>/reports/board-pack.pdf")
@viewers_only
def board_pack_pdf(id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    return _stored_pdf(prepare_board_pack(round_), url_for(".board_pack_download", id=round_.id))


def _status_page(prepared: Prepared, **page: str | dict[str, str]) -> ResponseReturnValue:
    found = request_document(
        prepared,
        cast(User, current_user._get_current_object()),
        again=request.args.get("again") == "1",
    )
    template = BOARD_PACK if prepared.bid is None else SUMMARY
    return document_status_page(template, found, **page)  # type: ignore[arg-type]


def _stored_pdf(prepared: Prepared, download_page: str) -> ResponseReturnValue:
    """The document's PDF from the store; while it is not there, its download page."""
    found = current_pdf(prepared.round, prepared.bid, prepared.kind, prepared.source_sha256)
    if found is None:
        return redirect(download_page)
    return pdf_download(found[1], prepared.filename)


def _submitted_bid(round_: CommissioningRound, bid_id: int) -> Bid:
    """The round's submitted bid with this id, without scoring the round; else 404."""
    bid = db.session.get(Bid, bid_id)
    if bid is None or bid.round_id != round_.id or bid.status != BidStatus.SUBMITTED.value:
        abort(404)
    return bid


def _summary_context(round_: CommissioningRound, bid_id: int) -> tuple[Bid, dict[str, object]]:
    results = round_results(round_)
    for bid in results.inputs.rows.values():
        if bid.id == bid_id:
            return bid, summary_context_for(round_, bid, results=results)
    abort(404)


@bp.get("/rounds/<int:id>/reports/summaries/<int:bid_id>")
@viewers_only
def assessment_summary(id: int, bid_id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    bid, context = _summary_context(round_, bid_id)
    return twin_page(
        SUMMARY,
        context,
        title=summary_title(context),
        back=_results_link(round_),
        pdf_url=url_for(".assessment_summary_download", id=round_.id, bid_id=bid.id),
        kind="Assessment summary",
    )


@bp.get("/rounds/<int:id>/reports/summaries/<int:bid_id>/download")
@viewers_only
def assessment_summary_download(id: int, bid_id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    bid = _submitted_bid(round_, bid_id)
    return _status_page(
        _prepared_summary(round_, bid),
        kind="Assessment summary",
        subject=f"for {bid.organisation.name}’s bid in {round_.reference}",
        pdf_url=url_for(".assessment_summary_pdf", id=round_.id, bid_id=bid.id),
        status_url=url_for(".assessment_summary_download", id=round_.id, bid_id=bid.id),
        back=_results_link(round_),
    )


@bp.get("/rounds/<int:id>/reports/summaries/<int:bid_id>.pdf")
@viewers_only
def assessment_summary_pdf(id: int, bid_id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    bid = _submitted_bid(round_, bid_id)
    download_page = url_for(".assessment_summary_download", id=round_.id, bid_id=bid.id)
    return _stored_pdf(_prepared_summary(round_, bid), download_page)


def _prepared_summary(round_: CommissioningRound, bid: Bid) -> Prepared:
    try:
        return prepare_summary(round_, bid)
    except KeyError:
        abort(404)
