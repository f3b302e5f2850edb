"""Forms for putting a round's results to the board, and for the board's decision."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from webapp.forms.base import AppForm
from webapp.models import BoardDecisionKind


class SubmitToBoardForm(AppForm):
    note = TextAreaField(
        "Note for the board (optional)",
        widget=GovTextArea(),
        description="For example, what the board should know about the price checks.",
        validators=[Length(max=5000, message="Note must be 5,000 characters or fewer")],
    )


class BoardDecisionForm(AppForm):
    submission = HiddenField()
    decision = RadioField(
        "What is the board's decision?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(BoardDecisionKind.APPROVE.value, "Approve the award"),
            SelectChoice(BoardDecisionKind.REFER_BACK.value, "Refer back to the commissioner"),
        ],
        validators=[InputRequired("Select whether the board approves or refers back")],
    )
    comments = TextAreaField(
        "Comments",
        widget=GovTextArea(),
        description="Required if you refer the results back: say what should be looked at.",
        validators=[Length(max=5000, message="Comments must be 5,000 characters or fewer")],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        referred = self.decision.data == BoardDecisionKind.REFER_BACK.value
        if valid and referred and not (self.comments.data or "").strip():
            self.comments.errors = [
                "Enter the board's comments: say what the commissioner should look at"
            ]
            return False
        return valid

    def submission_id(self) -> int | None:
        text = self.submission.data or ""
        return int(text) if text.isdigit() else None
