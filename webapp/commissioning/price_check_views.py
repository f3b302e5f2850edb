"""Price checks: the round's flagged prices, asking a provider to explain, and the decision.

Only commissioners and administrators see these pages. A decision is final; nothing changes
while the results are with the board or after the award.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.commissioning.blueprint import bp, managers_only
from webapp.commissioning.forms import error_list
from webapp.commissioning.moderation_views import closed_round_or_404, locked_reason
from webapp.confirmation import is_confirmed
from webapp.forms.base import AppForm
from webapp.models import CommissioningRound, PriceCheckStatus, User
from webapp.services.award import EvaluationLockedError
from webapp.services.price_checks import (
    Decision,
    PriceCheckError,
    PriceCheckNotFoundError,
    PriceCheckRefusedError,
    PriceCheckRow,
    ask,
    ask_refusal,
    decide,
    decide_refusal,
    default_question,
    price_check_row,
    price_check_rows,
)


def _not_blank(message: str) -> Callable[[FlaskForm, Field], None]:
    """A validator refusing text that is only spaces (InputRequired lets it through)."""

    def check(form: FlaskForm, field: Field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(message)

    return check


class AskForm(AppForm):
    question = TextAreaField(
        "Question for the provider",
        widget=GovTextArea(),
        description="The provider’s users are emailed a link to read and answer it.",
        validators=[
            InputRequired("Enter the question for the provider"),
            _not_blank("Enter the question for the provider"),
            Length(max=5000, message="Question must be 5,000 characters or fewer"),
        ],
    )


class DecisionForm(AppForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(Decision.ACCEPT.value, "Accept the price"),
            SelectChoice(Decision.DISREGARD.value, "Disregard the tender"),
        ],
        validators=[InputRequired("Select whether to accept the price or disregard the tender")],
    )
    reason = TextAreaField(
        "Reason for your decision",
        widget=GovTextArea(),
        description="The reason is recorded and, for a disregarded tender, shown as why the "
        "bid was excluded.",
        validators=[
            InputRequired("Enter the reason for your decision"),
            _not_blank("Enter the reason for your decision"),
            Length(max=5000, message="Reason must be 5,000 characters or fewer"),
        ],
    )


def _user() -> User:
    return cast(User, current_user._get_current_object())


@bp.get("/rounds/<int:id>/price-checks")
@managers_only
def price_checks(id: int) -> str:
    round_ = closed_round_or_404(id)
    return render_template(
        "commissioning/price_checks.html",
        round=round_,
        rows=price_check_rows(round_),
        refusal=locked_reason(round_),
    )


@bp.route("/rounds/<int:id>/price-checks/<int:bid_id>/<flag_code>", methods=["GET", "POST"])
@managers_only
def price_check(id: int, bid_id: int, flag_code: str) -> ResponseReturnValue:
    round_ = closed_round_or_404(id)
    try:
        row = price_check_row(round_, bid_id, flag_code)
    except PriceCheckNotFoundError:
        abort(404)
    posted = request.form.get("action") if request.method == "POST" else None
    ask_form = AskForm(formdata=None if posted != "ask" else request.form)
    if posted != "ask":
        ask_form.question.data = (row.check.question if row.check else None) or default_question(
            row
        )
    decision_form = DecisionForm(formdata=None if posted != "decide" else request.form)
    refusal = locked_reason(round_) or _state_refusal(row, posted)
    forms: dict[str, FlaskForm] = {"ask": ask_form, "decide": decision_form}
    form = forms.get(posted or "")
    if request.method == "POST" and form is None:
        abort(400)
    if form is not None and refusal is None and form.validate_on_submit():
        if form is decision_form and _needs_confirmation(decision_form):
            return render_template(
                "commissioning/price_check_disregard.html",
                round=round_,
                row=row,
                reason=decision_form.reason.data.strip(),
            )
        try:
            if form is ask_form:
                ask(round_, row.bid, flag_code, ask_form.question.data, by=_user())
                message = f"Question sent to {row.bid.organisation.name}"
            else:
                check = decide(
                    round_,
                    row.bid,
                    flag_code,
                    Decision(decision_form.decision.data),
                    decision_form.reason.data,
                    by=_user(),
                )
                word = "accepted" if check.decision == Decision.ACCEPT.value else "disregarded"
                message = f"Decision recorded: the price of {row.bid.organisation.name} {word}"
        except (EvaluationLockedError, PriceCheckRefusedError) as error:
            refusal = str(error)
        except PriceCheckError as error:
            field = ask_form.question if form is ask_form else decision_form.reason
            field.errors = [str(error)]
        else:
            flash(message, "success")
            return redirect(url_for("commissioning.price_checks", id=round_.id))
    return _page(row, round_, ask_form, decision_form, refusal, posted)


def _needs_confirmation(form: DecisionForm) -> bool:
    """Disregarding a tender excludes the bid for good: it is asked for twice."""
    return form.decision.data == Decision.DISREGARD.value and not is_confirmed()


def _state_refusal(row: PriceCheckRow, posted: str | None) -> str | None:
    if posted == "ask":
        return ask_refusal(row.check)
    if posted == "decide":
        return decide_refusal(row.check)
    return None


def _page(
    row: PriceCheckRow,
    round_: CommissioningRound,
    ask_form: AskForm,
    decision_form: DecisionForm,
    refusal: str | None,
    posted: str | None,
) -> ResponseReturnValue:
    if posted and refusal:
        errors = [{"text": refusal, "href": "#refusal"}]
    elif posted == "ask":
        errors = error_list(ask_form)
    elif posted == "decide":
        errors = error_list(decision_form)
    else:
        errors = []
    status = row.status
    return render_template(
        "commissioning/price_check.html",
        round=round_,
        row=row,
        check=row.check,
        ask_form=ask_form,
        decision_form=decision_form,
        can_ask=refusal is None and status in {PriceCheckStatus.OPEN, PriceCheckStatus.ASKED},
        can_decide=refusal is None
        and status in {PriceCheckStatus.ASKED, PriceCheckStatus.ANSWERED},
        refusal=refusal,
        errors=errors,
        form_has_errors=bool(errors),
    ), (409 if posted and refusal else 200)
