"""Moderation: the table of evaluators' marks and their spread, and agreeing a moderated mark.

Only commissioners and administrators moderate; evaluators and the board are refused. Bids
are sealed until the deadline, so before it these pages do not exist.
"""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from criteria.model import Scale
from criteria.wording import criterion_title
from webapp.commissioning.blueprint import bp, managers_only, round_or_404
from webapp.commissioning.forms import error_list
from webapp.forms.base import AppForm
from webapp.forms.summary import answer_html
from webapp.models import CommissioningRound, User
from webapp.services.award import (
    AwardStage,
    EvaluationLockedError,
    award_stage,
    ensure_evaluation_open,
)
from webapp.services.moderation import (
    ModerationError,
    ModerationNotFoundError,
    moderate,
    moderation_history,
    moderation_row,
    moderation_rows,
    scale_of,
)
from webapp.services.rounds import round_framework

SHOW_CHOICES = ("all", "needed")
"""The table's filter: every row, or only the rows that still need a moderated mark."""


class ModerationForm(AppForm):
    points = RadioField(
        "Moderated mark",
        widget=GovRadioInput(),
        validators=[InputRequired("Select the moderated mark")],
        validate_choice=False,
    )
    rationale = TextAreaField(
        "Rationale",
        widget=GovTextArea(),
        description="Why the panel agreed this mark, tied to the bid's answer.",
        validators=[
            InputRequired("Enter the rationale for the moderated mark"),
            Length(max=5000, message="Rationale must be 5,000 characters or fewer"),
        ],
    )

    def set_scale(self, scale: Scale) -> None:
        self.scale = scale
        self.points.choices = [
            SelectChoice(str(p.points), f"{p.points}: {p.label}") for p in scale.points
        ]

    def validate_points(self, field: RadioField) -> None:
        allowed = {str(p.points) for p in self.scale.points}
        if field.data not in allowed:
            raise ValidationError(
                f"Select a mark on the scale, from {self.scale.minimum} to {self.scale.maximum}"
            )

    def validate_rationale(self, field: TextAreaField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter the rationale for the moderated mark")


def closed_round_or_404(round_id: int) -> CommissioningRound:
    """The round, once its deadline has passed; before that its bids do not exist for anyone."""
    round_ = round_or_404(round_id)
    if award_stage(round_) == AwardStage.NOT_CLOSED:
        abort(404)
    return round_


@bp.get("/rounds/<int:id>/moderation")
@managers_only
def moderation(id: int) -> str:
    round_ = closed_round_or_404(id)
    show = request.args.get("show", "all")
    if show not in SHOW_CHOICES:
        show = "all"
    rows = moderation_rows(round_)
    needed = sum(1 for r in rows if r.needs_moderation)
    shown = [r for r in rows if r.needs_moderation] if show == "needed" else rows
    return render_template(
        "commissioning/moderation.html",
        round=round_,
        rows=shown,
        total=len(rows),
        needed=needed,
        show=show,
        stage=award_stage(round_),
    )


@bp.route(
    "/rounds/<int:id>/moderation/<int:bid_id>/<criterion_id>",
    methods=["GET", "POST"],
    endpoint="moderate",
)
@managers_only
def moderate_view(id: int, bid_id: int, criterion_id: str) -> ResponseReturnValue:
    round_ = closed_round_or_404(id)
    try:
        row = moderation_row(round_, bid_id, criterion_id)
    except ModerationNotFoundError:
        abort(404)
    scale = scale_of(round_framework(round_), row.criterion)
    form = ModerationForm()
    form.set_scale(scale)
    refusal = locked_reason(round_)
    if request.method == "POST" and refusal is None and form.validate_on_submit():
        try:
            moderate(
                round_,
                row.bid,
                criterion_id,
                int(form.points.data),
                form.rationale.data,
                cast(User, current_user._get_current_object()),
            )
        except EvaluationLockedError as locked:
            refusal = str(locked)
        except ModerationError as error:
            form.points.errors = [str(error)]
        else:
            flash(
                f"Moderated mark of {form.points.data} recorded for "
                f"{row.bid.organisation.name}: {criterion_title(row.criterion)}",
                "success",
            )
            return redirect(url_for("commissioning.moderation", id=round_.id))
    posted = request.method == "POST"
    if posted and refusal:
        errors = [{"text": refusal, "href": "#locked"}]
    else:
        errors = error_list(form) if posted else []
    return render_template(
        "commissioning/moderation_mark.html",
        round=round_,
        row=row,
        scale=scale,
        answer=answer_html(row.criterion, (row.bid.answers or {}).get(criterion_id)),
        history=moderation_history(row.bid, criterion_id),
        form=form,
        refusal=refusal,
        errors=errors,
        form_has_errors=bool(errors),
    ), (409 if posted and refusal else 200)


def locked_reason(round_: CommissioningRound) -> str | None:
    """Why moderation cannot change now, for people; None while the round is being evaluated."""
    try:
        ensure_evaluation_open(round_)
    except EvaluationLockedError as locked:
        return str(locked)
    return None
