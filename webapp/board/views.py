"""The board's pages: rounds awaiting a decision, and one round's results with the decision form.

Only board members use these pages. A decision is recorded once per submission; a round whose
inputs changed after submission cannot be decided until it is submitted again.
"""

from __future__ import annotations

from typing import Any, cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.auth.roles import role_required
from webapp.board import bp
from webapp.board.forms import BoardDecisionForm
from webapp.clock import london_text
from webapp.commissioning.forms import error_list
from webapp.confirmation import is_confirmed
from webapp.models import BoardDecisionKind, BoardSubmission, CommissioningRound, Role, User
from webapp.services import award
from webapp.services.award import BoardRefusedError
from webapp.services.outcomes import BOARD_STAGES, round_results
from webapp.services.round_admin import find_round

board_only = role_required(Role.BOARD)


@bp.context_processor
def inject_london_text() -> dict[str, Any]:
    return {"london_text": london_text}


RECENT_DECISIONS = 10
"""How many past decisions the board's start page lists."""


@bp.get("/")
@board_only
def rounds() -> str:
    awaiting, decided = award.board_queue()
    return render_template(
        "board/rounds.html",
        awaiting=[(s, award.decision_refusal(s)) for s in awaiting],
        decided=decided[:RECENT_DECISIONS],
        more_decided=max(0, len(decided) - RECENT_DECISIONS),
    )


def _submitted_round(id: int) -> tuple[CommissioningRound, BoardSubmission]:
    """The round and its latest submission; 404 for a round never put to the board."""
    round_ = find_round(id)
    submission = award.latest_submission(round_) if round_ is not None else None
    if round_ is None or submission is None:
        abort(404)
    return round_, submission


@bp.route("/rounds/<int:id>", methods=["GET", "POST"])
@board_only
def round(id: int) -> ResponseReturnValue:
    round_, submission = _submitted_round(id)
    form = BoardDecisionForm(data={"submission": str(submission.id)})
    refusal: str | None = None
    if request.method == "POST" and form.validate_on_submit():
        target = award.submission_of(round_, form.submission_id() or submission.id)
        if target is None:
            abort(404)
        decision = BoardDecisionKind(form.decision.data)
        refusal = award.decision_refusal(target)
        if refusal is None and not is_confirmed():
            return _confirm_page(round_, target, form, decision)
        if refusal is None:
            try:
                award.record_decision(
                    target,
                    by=cast(User, current_user._get_current_object()),
                    decision=decision,
                    comments=form.comments.data,
                )
            except BoardRefusedError as error:
                refusal = str(error)
            else:
                words = award.DECISION_WORDS[decision]
                flash(f"Decision recorded: the board {words} the results", "success")
                return redirect(url_for("board.round", id=round_.id))
        round_, submission = _submitted_round(id)
    stage = award.award_stage(round_)
    open_for_decision = submission.decision is None
    changed = open_for_decision and award.results_changed(submission)
    errors = error_list(form, [{"text": refusal, "href": "#decision-refusal"}] if refusal else [])
    status = 409 if refusal else 200
    return render_template(
        "board/round.html",
        round=round_,
        submission=submission,
        stage=stage,
        results=round_results(round_, analysis=True) if stage in BOARD_STAGES else None,
        form=form,
        open_for_decision=open_for_decision and not changed,
        changed=changed,
        refusal=refusal,
        errors=errors,
        form_has_errors=bool(errors),
    ), status


def _confirm_page(
    round_: CommissioningRound,
    submission: BoardSubmission,
    form: BoardDecisionForm,
    decision: BoardDecisionKind,
) -> str:
    """The "Are you sure" page: the decision and comments as given, to post again."""
    return render_template(
        "board/confirm_decision.html",
        round=round_,
        submission=submission,
        decision=decision.value,
        comments=(form.comments.data or "").strip(),
    )
