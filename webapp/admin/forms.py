"""Forms of the admin blueprint."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from webapp.auth.forms import email_field, strip_whitespace
from webapp.forms.base import AppForm
from webapp.models import Role

INVITABLE_ROLES = (Role.COMMISSIONER, Role.EVALUATOR, Role.BOARD, Role.ADMIN)

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.COMMISSIONER: "Creates rounds and frameworks, sees results after the deadline",
    Role.EVALUATOR: "Marks the narrative answers of bids after the deadline",
    Role.BOARD: "Reviews and signs off a round’s results",
    Role.ADMIN: "Manages user accounts",
}


class InviteForm(AppForm):
    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the person’s full name"),
            Length(max=255, message="Full name must be 255 characters or fewer"),
        ],
        filters=[strip_whitespace],
        widget=GovTextInput(),
    )
    email = email_field(
        required_message="Enter the person’s email address",
        description="We will send the invitation to this address",
    )
    role = RadioField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in INVITABLE_ROLES],
        # Nothing chosen is "not a valid choice" to WTForms: one message covers both.
        invalid_choice_message="Select the person’s role",
        widget=GovRadioInput(),
    )
