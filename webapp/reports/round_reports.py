"""A round's board pack and any bid's assessment summary, for staff and the board.

Whoever may see the round's results may see these (`may_see_results`): commissioners and
administrators once the round has closed, board members once the results are with the board
or approved. Evaluators, providers and other board members are refused (403), as on the
results page; before the deadline the reports do not exist yet (404).
"""

from __future__ import annotations

from flask import abort, url_for
from flask.typing import ResponseReturnValue

from reports.documents import BOARD_PACK, SUMMARY, board_pack_title, pdf_filename, summary_title
from webapp.auth.roles import role_required
from webapp.commissioning.results_views import visible_round
from webapp.extensions import db
from webapp.models import Bid, BidStatus, CommissioningRound
from webapp.reports import bp
from webapp.reports.preparing import preparing_page
from webapp.reports.serving import pdf_response, summary_filename, twin_page
from webapp.services.award import AwardStage
from webapp.services.outcomes import round_results
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
    return preparing_page(
        BOARD_PACK,
        kind="Board pack",
        subject=f"for {round_.reference}: {round_.title}",
        pdf_url=url_for(".board_pack_pdf", id=round_.id),
        back=_results_link(round_),
    )


@bp.get("/rounds/<int:id>/reports/board-pack.pdf")
@viewers_only
def board_pack_pdf(id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    context = board_pack_context_for(round_)
    return pdf_response(BOARD_PACK, context, pdf_filename(round_.reference, "board-pack"))


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
    return preparing_page(
        SUMMARY,
        kind="Assessment summary",
        subject=f"for {bid.organisation.name}’s bid in {round_.reference}",
        pdf_url=url_for(".assessment_summary_pdf", id=round_.id, bid_id=bid.id),
        back=_results_link(round_),
    )


@bp.get("/rounds/<int:id>/reports/summaries/<int:bid_id>.pdf")
@viewers_only
def assessment_summary_pdf(id: int, bid_id: int) -> ResponseReturnValue:
    round_ = _closed_round(id)
    bid, context = _summary_context(round_, bid_id)
    return pdf_response(SUMMARY, context, summary_filename(bid))
