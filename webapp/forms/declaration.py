"""The declaration a provider makes before submitting a bid."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextInput
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from webapp.forms.base import AppForm

DECLARATION = (
    "I confirm that the answers and documents in this bid are true and complete to the best "
    "of my knowledge, and that I am authorised to submit this bid for my organisation."
)


class DeclarationForm(AppForm):
    """The "I confirm ..." box and the submitter's name; `version` guards against stale pages."""

    confirm = BooleanField(
        DECLARATION,
        validators=[DataRequired("Confirm the declaration to submit your bid")],
        widget=GovCheckboxInput(),
    )
    full_name = StringField(
        "Your full name",
        validators=[
            DataRequired("Enter your full name"),
            Length(max=255, message="Full name must be 255 characters or fewer"),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        widget=GovTextInput(),
    )
    version = HiddenField()
