"""A round's results, each bid's drill-down, and putting the results to the board.

The results are recomputed from the stored inputs on every request. Commissioners and
administrators see them once the round has closed; board members once the results are with the
board or approved; evaluators never (they mark without seeing the ranking).
"""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.board.forms import SubmitToBoardForm
from webapp.commissioning.blueprint import bp, managers_only, round_or_404, viewers_only
from webapp.commissioning.forms import error_list
from webapp.models import CommissioningRound, User
from webapp.services import award
from webapp.services.award import AwardNotAllowedError, AwardStage, BoardRefusedError
from webapp.services.outcomes import may_see_results, round_results


def _user() -> User:
    return cast(User, current_user._get_current_object())


def visible_round(id: int) -> tuple[CommissioningRound, AwardStage]:
    """The round and its stage if the user may see its results: 404 unknown, 403 refused."""
    round_ = round_or_404(id)
    try:
        stage = may_see_results(_user(), round_)
    except AwardNotAllowedError:
        abort(403)
    return round_, stage


@bp.get("/rounds/<int:id>/results")
@viewers_only
def results(id: int) -> ResponseReturnValue:
    round_, stage = visible_round(id)
    if stage == AwardStage.NOT_CLOSED:
        return render_template("commissioning/results_sealed.html", round=round_)
    return render_template(
        "commissioning/results.html",
        round=round_,
        stage=stage,
        results=round_results(round_, analysis=True, with_agreement=True),
        submission=award.latest_submission(round_),
    )


@bp.get("/rounds/<int:id>/results/<int:bid_id>")
@viewers_only
def result_bid(id: int, bid_id: int) -> ResponseReturnValue:
    round_, stage = visible_round(id)
    if stage == AwardStage.NOT_CLOSED:
        abort(404)
    results = round_results(round_)
    bid = results.bid_for_row(bid_id)
    if bid is None:
        abort(404)
    return render_template("commissioning/results_bid.html", round=round_, results=results, bid=bid)


@bp.route("/rounds/<int:id>/submit-to-board", methods=["GET", "POST"])
@managers_only
def submit_to_board(id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    form = SubmitToBoardForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            award.submit_to_board(round_, by=_user(), note=form.note.data)
        except BoardRefusedError as refusal:
            return _submit_page(round_, form, refusal.reasons), 409
        flash("Results submitted to the board. Board members have been emailed.", "success")
        return redirect(url_for("commissioning.round", id=round_.id))
    reasons = award.readiness(round_)
    status = 409 if request.method == "POST" and reasons else 200
    return _submit_page(round_, form, reasons), status


def _submit_page(round_: CommissioningRound, form: SubmitToBoardForm, reasons: list[str]) -> str:
    errors = error_list(form)
    results = None if reasons else round_results(round_)
    return render_template(
        "commissioning/submit_to_board.html",
        round=round_,
        form=form,
        reasons=reasons,
        results=results,
        stage=award.award_stage(round_),
        submission=award.latest_submission(round_),
        errors=errors,
        form_has_errors=bool(errors),
    )
