"""Evaluator pages: their rounds, conflicts of interest, marking one criterion per page,
checking and submitting marks, and the panel of everyone's marks once their own are in.

Only evaluators use these pages; a round they are not assigned to, or a bid they may not know
of, is "not found". Views parse, call `webapp.services.evaluation` and render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.auth.roles import role_required
from webapp.clock import london_text
from webapp.commissioning.forms import error_list
from webapp.evaluation import bp
from webapp.evaluation.forms import ConfirmForm, MarkForm, conflicts_form_class
from webapp.evaluation.pages import (
    IN_PROGRESS,
    NOT_STARTED,
    SUBMITTED,
    answer_sections,
    bid_status,
    criterion_answer,
    mark_rows,
    panel_tables,
    round_todo,
    your_marking,
)
from webapp.extensions import db
from webapp.models import Bid, CommissioningRound, MarkSheetStatus, Role, User
from webapp.services import evaluation
from webapp.services.award import (
    AwardStage,
    EvaluationLockedError,
    award_stage,
    ensure_evaluation_open,
)
from webapp.services.evaluation import MarkingRefusedError
from webapp.services.rounds import is_sealed, round_framework

evaluators_only = role_required(Role.EVALUATOR)


@bp.context_processor
def inject_helpers() -> dict[str, Any]:
    return {"london_text": london_text}


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _assigned_round(round_id: int) -> CommissioningRound:
    """The round, if the signed-in evaluator is assigned to it; else 404."""
    round_ = db.session.get(CommissioningRound, round_id)
    if round_ is None or evaluation.assignment(round_, _user()) is None:
        abort(404)
    return round_


def _bid_of(round_: CommissioningRound, bid_id: int) -> Bid:
    """A submitted bid of the unsealed round; else 404."""
    bid = next((b for b in evaluation.evaluation_bids(round_) if b.id == bid_id), None)
    if bid is None:
        abort(404)
    return bid


def _refused(round_: CommissioningRound, bid: Bid, title: str, reason: str, status: int) -> Any:
    return render_template(
        "evaluation/refused.html",
        round=round_,
        label=evaluation.bid_label(round_, bid),
        bid=bid,
        title=title,
        reason=reason,
    ), status


def _gate(round_: CommissioningRound, bid: Bid) -> ResponseReturnValue | None:
    """Refuse a bid page to an evaluator without a full declaration, or with a conflict."""
    user = _user()
    if not evaluation.conflicts_declared(round_, user):
        if request.method == "POST":
            return _refused(
                round_,
                bid,
                "Declare conflicts of interest first",
                "Declare any conflicts of interest with the bidders before you open a bid.",
                403,
            )
        flash("Declare any conflicts of interest with the bidders before you open a bid.")
        return redirect(url_for("evaluation.conflicts", id=round_.id))
    if evaluation.has_conflict(round_, user, bid):
        return _refused(
            round_,
            bid,
            "You do not evaluate this bid",
            "You declared a conflict of interest with this bidder, so you cannot open or "
            "mark its bid.",
            403,
        )
    return None


def _lock_reason(round_: CommissioningRound) -> str | None:
    try:
        ensure_evaluation_open(round_)
    except EvaluationLockedError as locked:
        return str(locked)
    return None


@bp.get("/")
@evaluators_only
def rounds() -> str:
    """The evaluator's start page, "Your marking"."""
    marking = your_marking(_user())
    return render_template(
        "evaluation/rounds.html",
        to_do=[r for r in marking if r.needs_action],
        others=[r for r in marking if not r.needs_action],
        statuses=(NOT_STARTED, IN_PROGRESS, SUBMITTED),
    )


@bp.get("/rounds/<int:id>")
@evaluators_only
def round(id: int) -> str:
    round_ = _assigned_round(id)
    user = _user()
    sealed = is_sealed(round_)
    declared = evaluation.conflicts_declared(round_, user)
    bids = evaluation.evaluation_bids(round_) if declared else []
    return render_template(
        "evaluation/round.html",
        round=round_,
        sealed=sealed,
        declared=declared,
        stage=award_stage(round_),
        locked=_lock_reason(round_) if not sealed else None,
        rows=[(b, evaluation.bid_label(round_, b), bid_status(round_, user, b)) for b in bids],
        todo=round_todo(round_, user),
    )


@bp.route("/rounds/<int:id>/conflicts", methods=["GET", "POST"])
@evaluators_only
def conflicts(id: int) -> ResponseReturnValue:
    round_ = _assigned_round(id)
    user = _user()
    if is_sealed(round_):
        abort(404)
    bids = evaluation.evaluation_bids(round_)
    declared = evaluation.latest_declarations(round_, user)
    data: dict[str, Any] = {}
    for bid in bids:
        if bid.id in declared:
            data[f"bid_{bid.id}"] = "yes" if declared[bid.id].has_conflict else "no"
            data[f"details_{bid.id}"] = declared[bid.id].details or ""
    form = conflicts_form_class(bids)(data=data)
    locked = _lock_reason(round_)
    status = 200
    if request.method == "POST" and locked:
        status = 409
    elif form.validate_on_submit():
        try:
            evaluation.declare_conflicts(round_, user, form.answers())
        except (MarkingRefusedError, EvaluationLockedError) as refusal:
            locked, status = str(refusal), 409
        else:
            flash("Conflicts of interest declared", "success")
            return redirect(url_for("evaluation.round", id=round_.id))
    errors = error_list(form)
    return render_template(
        "evaluation/conflicts.html",
        round=round_,
        form=form,
        errors=errors,
        form_has_errors=bool(errors),
        locked=locked,
        declared=bool(declared),
    ), status


def opened_bid(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """A bid page's round and bid, found and gated once: the view is called with them.

    An unassigned round or a bid not in it is 404; a missing declaration or a conflict is
    refused by `_gate`.
    """

    @wraps(view)
    def wrapped(id: int, bid_id: int, **kwargs: Any) -> ResponseReturnValue:
        round_ = _assigned_round(id)
        bid = _bid_of(round_, bid_id)
        refusal = _gate(round_, bid)
        if refusal is not None:
            return refusal
        return view(round_, bid, **kwargs)

    return wrapped


@bp.get("/rounds/<int:id>/bids/<int:bid_id>")
@evaluators_only
@opened_bid
def bid(round_: CommissioningRound, bid: Bid) -> ResponseReturnValue:
    user = _user()
    criteria = evaluation.criteria_for(round_, user)
    sheet = evaluation.sheet_for(round_, user, bid)
    return render_template(
        "evaluation/bid.html",
        round=round_,
        bid=bid,
        label=evaluation.bid_label(round_, bid),
        criteria=criteria,
        marked={m.criterion_id for m in sheet.marks} if sheet else set(),
        submitted=sheet is not None and sheet.status == MarkSheetStatus.SUBMITTED.value,
        sections=answer_sections(round_, bid, exclude={c.id for c in criteria}),
        locked=_lock_reason(round_),
    )


@bp.route("/rounds/<int:id>/bids/<int:bid_id>/criteria/<criterion_id>", methods=["GET", "POST"])
@evaluators_only
@opened_bid
def criterion(round_: CommissioningRound, bid: Bid, criterion_id: str) -> ResponseReturnValue:
    user = _user()
    criteria = evaluation.criteria_for(round_, user)
    item = next((c for c in criteria if c.id == criterion_id), None)
    if item is None:
        abort(404)
    framework = round_framework(round_)
    scale = evaluation.criterion_scale(framework, item)
    sheet = evaluation.sheet_for(round_, user, bid)
    mark = next((m for m in sheet.marks if m.criterion_id == item.id), None) if sheet else None
    data = {"points": mark.points, "justification": mark.justification} if mark else {}
    form = MarkForm(data=data)
    form.set_scale(scale)
    refusal_text = _lock_reason(round_)
    if sheet is not None and sheet.status == MarkSheetStatus.SUBMITTED.value:
        refusal_text = (
            "You have submitted your marks for this bid, so they can no longer change. "
            "Any change is made in moderation."
        )
    status = 200
    if request.method == "POST" and refusal_text:
        status = 409
    elif form.validate_on_submit():
        try:
            evaluation.save_mark(
                round_, user, bid, item.id, form.points.data, form.justification.data
            )
        except (MarkingRefusedError, EvaluationLockedError) as refused:
            refusal_text, status = str(refused), 409
        else:
            remaining = evaluation.unmarked_criteria(round_, user, bid)
            position = [c.id for c in criteria].index(item.id)
            later = [c for c in remaining if criteria.index(c) > position]
            following = (later or remaining or [None])[0]
            if following is None:
                return redirect(url_for("evaluation.check", id=round_.id, bid_id=bid.id))
            return redirect(
                url_for(
                    "evaluation.criterion",
                    id=round_.id,
                    bid_id=bid.id,
                    criterion_id=following.id,
                )
            )
    errors = error_list(form)
    return render_template(
        "evaluation/criterion.html",
        round=round_,
        bid=bid,
        label=evaluation.bid_label(round_, bid),
        criterion=item,
        number=criteria.index(item) + 1,
        count=len(criteria),
        answer=criterion_answer(round_, bid, item),
        scale=scale,
        form=form,
        mark=mark,
        refusal=refusal_text,
        errors=errors,
        form_has_errors=bool(errors),
    ), status


@bp.route("/rounds/<int:id>/bids/<int:bid_id>/check", methods=["GET", "POST"])
@evaluators_only
@opened_bid
def check(round_: CommissioningRound, bid: Bid) -> ResponseReturnValue:
    user = _user()
    form = ConfirmForm()
    sheet = evaluation.sheet_for(round_, user, bid)
    submitted = sheet is not None and sheet.status == MarkSheetStatus.SUBMITTED.value
    refusal_text = _lock_reason(round_)
    status = 200
    if request.method == "POST" and (refusal_text or submitted):
        refusal_text = refusal_text or "You have already submitted your marks for this bid."
        status = 409
    elif form.validate_on_submit():
        try:
            evaluation.submit_sheet(round_, user, bid)
        except (MarkingRefusedError, EvaluationLockedError) as refused:
            refusal_text, status = str(refused), 409
        else:
            flash(
                f"Marks submitted for {evaluation.bid_label(round_, bid)}. You can now see the "
                "other evaluators' marks for it.",
                "success",
            )
            return redirect(url_for("evaluation.round", id=round_.id))
    missing = evaluation.unmarked_criteria(round_, user, bid)
    editable = not submitted and not _lock_reason(round_)
    return render_template(
        "evaluation/check.html",
        round=round_,
        bid=bid,
        label=evaluation.bid_label(round_, bid),
        rows=mark_rows(round_, user, bid, editable=editable),
        missing=missing,
        submitted=submitted,
        sheet=sheet,
        form=form,
        refusal=refusal_text,
        editable=editable,
    ), status


@bp.get("/rounds/<int:id>/bids/<int:bid_id>/panel")
@evaluators_only
@opened_bid
def panel(round_: CommissioningRound, bid: Bid) -> ResponseReturnValue:
    sheet = evaluation.sheet_for(round_, _user(), bid)
    if sheet is None or sheet.status != MarkSheetStatus.SUBMITTED.value:
        return _refused(
            round_,
            bid,
            "Submit your own marks first",
            "Evaluators mark independently: you can see the other evaluators' marks for this "
            "bid only after you have submitted your own.",
            403,
        )
    return render_template(
        "evaluation/panel.html",
        round=round_,
        bid=bid,
        label=evaluation.bid_label(round_, bid),
        tables=panel_tables(round_, _user(), bid),
        moderating=award_stage(round_) == AwardStage.EVALUATING,
    )
