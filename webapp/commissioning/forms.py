"""The commissioning forms: a new round, a framework upload, invitations, publishing.

Messages follow the GOV.UK error message patterns. Each form knows only what was typed;
the services in `webapp.services.round_admin` decide what is allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.clock import from_london, now, to_london
from webapp.commissioning.fields import GovDateField, GovTimeField
from webapp.forms.base import AppForm
from webapp.models import FrameworkVersion, Organisation
from webapp.services.round_admin import SERVICES, NewRound


def error_list(form: FlaskForm, extra: Sequence[dict[str, str]] = ()) -> list[dict[str, str]]:
    """The error summary's items in page order, each linked to the input it is about."""
    items = []
    for field in form:
        if field.errors:
            anchor = getattr(field, "error_anchor", field.id)
            items.append({"text": str(field.errors[0]), "href": f"#{anchor}"})
    return [*items, *extra]


class NewRoundForm(AppForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example, Homecare in the east of the borough 2027 to 2030",
        validators=[
            InputRequired("Enter a title for the round"),
            Length(max=255, message="Title must be 255 characters or fewer"),
        ],
    )
    service = RadioField(
        "Service",
        widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in SERVICES.items()],
        validators=[InputRequired("Select the service this round buys")],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="What is being bought, for whom and where. Providers see this.",
        validators=[Length(max=5000, message="Description must be 5,000 characters or fewer")],
    )
    framework_version = RadioField(
        "Framework",
        widget=GovRadioInput(),
        coerce=int,
        validators=[InputRequired("Select the framework bids are scored against")],
    )
    opens_on = GovDateField("Opening date", description="For example, 27 3 2027")
    opens_time = GovTimeField("Opening time", description="For example, 9am or 14:30")
    closes_on = GovDateField("Closing date", description="For example, 30 4 2027")
    closes_time = GovTimeField("Closing time", description="For example, 12pm or 17:00")
    invite_only = RadioField(
        "Can only invited providers bid?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("no", "No, any registered provider can bid"),
            SelectChoice("yes", "Yes, only providers the council invites"),
        ],
        validators=[InputRequired("Select yes if only invited providers can bid")],
    )

    def set_frameworks(self, versions: Sequence[FrameworkVersion]) -> None:
        self.framework_version.choices = [SelectChoice(v.id, framework_label(v)) for v in versions]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        opens, closes = self.opens_at(), self.closes_at()
        if opens is None or closes is None:
            return valid
        if closes <= opens:
            field = (
                self.closes_time if self.closes_on.data == self.opens_on.data else self.closes_on
            )
            what = "time" if field is self.closes_time else "date"
            field.errors = [f"Closing {what} must be after the opening {what}"]
            return False
        if closes <= now():
            if self.closes_on.data < to_london(now()).date():
                self.closes_on.errors = ["Closing date must be in the future"]
            else:
                self.closes_time.errors = ["Closing time must be in the future"]
            return False
        return valid

    def opens_at(self) -> dt.datetime | None:
        return _moment(self.opens_on, self.opens_time)

    def closes_at(self) -> dt.datetime | None:
        return _moment(self.closes_on, self.closes_time)

    def new_round(self) -> NewRound:
        opens, closes = self.opens_at(), self.closes_at()
        if opens is None or closes is None:
            raise ValueError("read the new round only after the form has validated")
        return NewRound(
            title=self.title.data.strip(),
            service=self.service.data,
            description=(self.description.data or "").strip() or None,
            framework_version_id=self.framework_version.data,
            opens_at=opens,
            closes_at=closes,
            invite_only=self.invite_only.data == "yes",
        )


def _moment(date_field: GovDateField, time_field: GovTimeField) -> dt.datetime | None:
    """The UTC moment a London date and time name, once both were read without error."""
    if date_field.errors or time_field.errors:
        return None
    if not isinstance(date_field.data, dt.date) or not isinstance(time_field.data, dt.time):
        return None
    return from_london(dt.datetime.combine(date_field.data, time_field.data))


def framework_label(version: FrameworkVersion) -> str:
    origin = "built in" if version.builtin else "uploaded"
    return f"{version.title}, version {version.version} ({origin}, {version.content_hash[:19]})"


class UploadFrameworkForm(AppForm):
    framework_file = FileField(
        "Upload a framework file",
        widget=GovFileInput(),
        description="A YAML file (.yaml or .yml) written as criteria/README.md describes.",
        validators=[FileRequired("Select a framework file")],
    )

    def validate_framework_file(self, field: FileField) -> None:
        name = (field.data.filename or "").lower()
        if not name.endswith((".yaml", ".yml")):
            raise ValidationError("The selected file must be a YAML file (.yaml or .yml)")


class InvitationsForm(AppForm):
    organisations = SelectMultipleField(
        "Which providers can bid?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Select all that apply.",
    )

    def set_organisations(self, organisations: Sequence[Organisation]) -> None:
        self.organisations.choices = [SelectChoice(o.id, o.name) for o in organisations]


class ConfirmForm(AppForm):
    """A button that changes something: only its CSRF token is checked."""
