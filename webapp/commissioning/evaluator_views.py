"""A round's evaluators: who evaluates which sections, how far they have got, and the
evaluation settings (hide bidder names, hide price, the spread moderation highlights)."""

from __future__ import annotations

from typing import Any, cast

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.commissioning.blueprint import bp, managers_only, round_or_404
from webapp.commissioning.forms import error_list
from webapp.evaluation.forms import (
    AssignmentForm,
    EvaluationSettingsForm,
    assignment_data,
    assignment_form_class,
)
from webapp.models import CommissioningRound, User
from webapp.services import evaluation, evaluation_setup
from webapp.services.evaluation_setup import EvaluationSettings, SetupRefusedError
from webapp.services.rounds import is_sealed, round_framework


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _assignment_form(round_: CommissioningRound) -> AssignmentForm:
    evaluators = evaluation_setup.available_evaluators(round_)
    sections = evaluation.evaluation_sections(round_framework(round_))
    assigned = {a.user_id: a.section_ids for a in evaluation.assignments_of(round_)}
    return assignment_form_class(evaluators, sections)(data=assignment_data(evaluators, assigned))


def _settings_form(round_: CommissioningRound) -> EvaluationSettingsForm:
    form = EvaluationSettingsForm(
        data={
            "anonymise_bidders": "yes" if round_.anonymise_bidders else "no",
            "hide_price_from_evaluators": "yes" if round_.hide_price_from_evaluators else "no",
            "spread_threshold": round_.spread_threshold,
        }
    )
    form.set_maximum(evaluation.scale_maximum(round_framework(round_)))
    return form


def _page(
    round_: CommissioningRound,
    assign: AssignmentForm,
    settings: EvaluationSettingsForm,
    *,
    refusal: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    errors = error_list(assign) + error_list(settings)
    locked = evaluation_setup.setup_locked_reason(round_)
    offered = evaluation.evaluation_sections(round_framework(round_))
    context: dict[str, Any] = {
        "round": round_,
        "assign": assign,
        "settings": settings,
        "sections": {s.id: s.title for s in offered},
        "progress": evaluation.evaluator_progress(round_),
        "sealed": is_sealed(round_),
        "locked": locked,
        "refusal": refusal,
        "errors": errors,
        "form_has_errors": bool(errors),
    }
    return render_template("commissioning/evaluators.html", **context), status


@bp.route("/rounds/<int:id>/evaluators", methods=["GET", "POST"])
@managers_only
def evaluators(id: int) -> ResponseReturnValue:
    round_ = round_or_404(id)
    assign = _assignment_form(round_)
    settings = _settings_form(round_)
    locked = evaluation_setup.setup_locked_reason(round_)
    if request.method == "POST" and locked:
        return _page(round_, assign, settings, refusal=locked, status=409)
    if assign.validate_on_submit():
        try:
            evaluation_setup.assign_evaluators(round_, assign.wanted(), by=_user())
        except SetupRefusedError as refused:
            return _page(round_, assign, settings, refusal=str(refused), status=409)
        flash("Evaluators saved", "success")
        return redirect(url_for("commissioning.evaluators", id=round_.id))
    return _page(round_, assign, settings)


@bp.route("/rounds/<int:id>/evaluators/settings", methods=["GET", "POST"])
@managers_only
def evaluation_settings(id: int) -> ResponseReturnValue:
    """The settings form on the evaluators page posts here (a GET shows the same page)."""
    round_ = round_or_404(id)
    assign = _assignment_form(round_)
    settings = _settings_form(round_)
    locked = evaluation_setup.setup_locked_reason(round_)
    if request.method == "POST" and locked:
        return _page(round_, assign, settings, refusal=locked, status=409)
    if settings.validate_on_submit():
        chosen = EvaluationSettings(
            anonymise_bidders=settings.anonymise_bidders.data == "yes",
            hide_price_from_evaluators=settings.hide_price_from_evaluators.data == "yes",
            spread_threshold=settings.spread_threshold.data,
        )
        try:
            evaluation_setup.update_evaluation_settings(round_, chosen, by=_user())
        except SetupRefusedError as refused:
            return _page(round_, assign, settings, refusal=str(refused), status=409)
        flash("Evaluation settings saved", "success")
        return redirect(url_for("commissioning.evaluators", id=round_.id))
    return _page(round_, assign, settings)
