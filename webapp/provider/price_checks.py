"""A council's question about a provider's price, and the provider's answer.

The provider sees only questions about its own bids (another organisation's are "not found").
It answers once; the answer is then read-only. The council's decision stays private until the
board has approved the award: until then the page says the answer is being considered.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from criteria.judging import FLAG_TITLES
from webapp.auth.roles import role_required
from webapp.clock import london_text
from webapp.extensions import db
from webapp.forms.base import AppForm
from webapp.models import Bid, PriceCheck, PriceCheckStatus, Role
from webapp.provider import bp
from webapp.provider.access import own_bid, signed_in_user
from webapp.services.award import AwardStage, award_stage, outcome_published
from webapp.services.price_checks import (
    PriceCheckError,
    PriceCheckNotFoundError,
    PriceCheckRefusedError,
    answer,
    open_questions_for,
    price_check_row,
)


class AnswerForm(AppForm):
    response = TextAreaField(
        "Your answer",
        widget=GovTextArea(),
        description="Explain how you will deliver the service at the price you bid. You can "
        "answer only once.",
        validators=[
            InputRequired("Enter your answer to the council’s question"),
            Length(max=10000, message="Your answer must be 10,000 characters or fewer"),
        ],
    )

    def validate_response(self, field: TextAreaField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter your answer to the council’s question")


def _own_check(bid: Bid, check_id: int) -> PriceCheck:
    """The asked check on the provider's own bid, or a 404 page."""
    check = db.session.get(PriceCheck, check_id)
    if check is None or check.bid_id != bid.id or check.status == PriceCheckStatus.OPEN.value:
        abort(404)
    return check


@bp.route("/bids/<int:bid_id>/price-checks/<int:check_id>", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def price_check(bid_id: int, check_id: int) -> ResponseReturnValue:
    bid = own_bid(bid_id)
    check = _own_check(bid, check_id)
    form = AnswerForm()
    refusal = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                answer(check, form.response.data, by=signed_in_user())
            except PriceCheckNotFoundError:
                abort(404)
            except PriceCheckRefusedError as error:
                refusal = str(error)
            except PriceCheckError as error:
                form.response.errors = [str(error)]
            else:
                flash("Your answer has been sent to the council", "success")
                return redirect(url_for("provider.price_check", bid_id=bid.id, check_id=check.id))
        elif check.status != PriceCheckStatus.ASKED.value:
            refusal = (
                "This question has already been answered or closed: you cannot change the answer."
            )
    answerable = (
        check.status == PriceCheckStatus.ASKED.value
        and award_stage(bid.round) == AwardStage.EVALUATING
    )
    errors = (
        [{"text": refusal, "href": "#refusal"}]
        if refusal
        else [{"text": str(form.response.errors[0]), "href": f"#{form.response.id}"}]
        if form.response.errors
        else []
    )
    return render_template(
        "provider/price_check.html",
        bid=bid,
        check=check,
        title=FLAG_TITLES.get(check.flag_code, check.flag_code),
        reason=_flag_reason(bid, check),
        form=form,
        answerable=answerable and refusal is None,
        decision_visible=outcome_published(bid.round),
        refusal=refusal,
        errors=errors,
        form_has_errors=bool(errors),
        london_text=london_text,
    ), (409 if refusal else 200)


@bp.context_processor
def price_questions() -> dict[str, object]:
    """`price_questions_for(bid)`: the council's unanswered price questions on one of the
    user's bids (the dashboard links to them)."""
    asked: dict[int, list[PriceCheck]] | None = None

    def price_questions_for(bid: Bid) -> list[PriceCheck]:
        nonlocal asked
        if asked is None:
            asked = {}
            for question in open_questions_for(bid.organisation):
                asked.setdefault(question.bid_id, []).append(question)
        return asked.get(bid.id, [])

    return {"price_questions_for": price_questions_for}


def _flag_reason(bid: Bid, check: PriceCheck) -> str | None:
    """Why the engine flagged the price, as it says it; None if it no longer does."""
    try:
        return price_check_row(bid.round, bid.id, check.flag_code).reason
    except PriceCheckNotFoundError:
        return None
