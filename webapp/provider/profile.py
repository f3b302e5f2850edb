"""Organisation profile pages: the summary with "Change" links, and the form that edits it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import Field, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from webapp.auth.roles import role_required
from webapp.forms.base import AppForm
from webapp.models import Organisation, Role
from webapp.provider import bp
from webapp.provider.access import signed_in_user
from webapp.services.profiles import (
    ProfileChoices,
    ProfileDetails,
    details_of,
    is_complete,
    normalise_charity_number,
    normalise_company_number,
    normalise_cqc_provider_id,
    normalise_phone,
    normalise_registered_postcode,
    organisation_of,
    profile_choices,
    profile_summary,
    save_profile,
)

MAX_HEADCOUNT = 1_000_000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(label: str, description: str | None = None, *validators: Any) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description=description or "",
        filters=[_strip],
        validators=list(validators),
    )


def _normalised(field: Field, normalise: Any, message: str) -> None:
    """Replace what was typed by its normal form, or refuse it with `message`."""
    if not field.data:
        field.data = None
        return
    value = normalise(field.data)
    if value is None:
        raise ValidationError(message)
    field.data = value


class ProfileForm(AppForm):
    name = _text(
        "Legal name",
        "As registered with Companies House, the Charity Commission or the FCA",
        DataRequired("Enter your organisation’s legal name"),
        Length(max=255, message="Legal name must be 255 characters or fewer"),
    )
    legal_form = RadioField(
        "Who owns and controls your organisation?",
        widget=GovRadioInput(),
        validators=[InputRequired("Select who owns and controls your organisation")],
    )
    company_number = _text(
        "Company number",
        "8 characters, like 01234567 or SC123456. Leave blank if you are not a company.",
    )
    charity_number = _text(
        "Charity number",
        "Like 1123456 or SC012345. Leave blank if you are not a registered charity.",
    )
    registered_postcode = _text(
        "Registered office postcode",
        "The postcode registered at Companies House, the Charity Commission or the FCA",
        DataRequired("Enter your registered office postcode"),
    )
    cqc_provider_id = _text(
        "CQC provider ID (optional)",
        "It looks like 1-123456789 and is on your CQC registration certificate",
    )
    cqc_rating = RadioField(
        "What is your current overall CQC rating?",
        widget=GovRadioInput(),
        description="The overall rating on your latest published CQC inspection report",
        validators=[InputRequired("Select your current overall CQC rating")],
    )
    headcount = _text(
        "Number of staff",
        "Everyone you employ, full and part time, including bank staff",
        DataRequired("Enter the number of staff you employ"),
    )
    contact_name = _text(
        "Contact name",
        "The person the council should contact about bids",
        DataRequired("Enter the name of the person to contact"),
        Length(max=255, message="Contact name must be 255 characters or fewer"),
    )
    contact_email = _text(
        "Contact email address",
        None,
        DataRequired("Enter the contact email address"),
        Length(max=320, message="Email address must be 320 characters or fewer"),
    )
    contact_phone = _text(
        "Contact telephone number",
        "For international numbers include the country code",
        DataRequired("Enter the contact telephone number"),
    )

    def __init__(self, choices: ProfileChoices, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.legal_form.choices = [SelectChoice(c.value, c.label) for c in choices.ownership]
        self.legal_form.description = choices.ownership_hint or ""
        self.cqc_rating.choices = [SelectChoice(c.value, c.label) for c in choices.cqc_rating]
        self.rating_hints = [c.hint for c in choices.cqc_rating]

    def validate_company_number(self, field: Field) -> None:
        _normalised(
            field,
            normalise_company_number,
            "Enter a company number of 8 characters, like 01234567 or SC123456",
        )

    def validate_charity_number(self, field: Field) -> None:
        _normalised(
            field, normalise_charity_number, "Enter a charity number, like 1123456 or SC012345"
        )

    def validate_registered_postcode(self, field: Field) -> None:
        _normalised(field, normalise_registered_postcode, "Enter a full UK postcode, like WN1 1AA")

    def validate_cqc_provider_id(self, field: Field) -> None:
        _normalised(
            field,
            normalise_cqc_provider_id,
            "Enter a CQC provider ID that starts with 1- followed by numbers, like 1-123456789",
        )

    def validate_headcount(self, field: Field) -> None:
        typed = field.data.replace(",", "")
        if not typed.isdigit():
            raise ValidationError("Number of staff must be a whole number, like 45")
        if not 1 <= int(typed) <= MAX_HEADCOUNT:
            raise ValidationError("Number of staff must be between 1 and 1,000,000")

    def validate_contact_email(self, field: Field) -> None:
        local, at, domain = field.data.rpartition("@")
        if not (at and local and "." in domain.strip(".")) or " " in field.data:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            )

    def validate_contact_phone(self, field: Field) -> None:
        _normalised(
            field,
            normalise_phone,
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        numbers = (self.company_number, self.charity_number)
        if not any(f.errors for f in numbers) and not any(f.data for f in numbers):
            self.company_number.errors = ["Enter a company number or a charity number"]
            return False
        return bool(valid)

    def details(self) -> ProfileDetails:
        return ProfileDetails(
            name=self.name.data,
            legal_form=self.legal_form.data,
            company_number=self.company_number.data or None,
            charity_number=self.charity_number.data or None,
            registered_postcode=self.registered_postcode.data,
            cqc_provider_id=self.cqc_provider_id.data or None,
            cqc_rating=self.cqc_rating.data,
            headcount=int(self.headcount.data.replace(",", "")),
            contact_name=self.contact_name.data,
            contact_email=self.contact_email.data,
            contact_phone=self.contact_phone.data,
        )


def _own_organisation() -> Organisation:
    try:
        return organisation_of(signed_in_user())
    except LookupError:
        abort(404)


@bp.get("/profile")
@role_required(Role.PROVIDER)
def profile() -> ResponseReturnValue:
    organisation = _own_organisation()
    return render_template(
        "provider/profile.html",
        organisation=organisation,
        summary=profile_summary(organisation),
        complete=is_complete(organisation),
    )


@bp.route("/profile/edit", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def edit_profile() -> ResponseReturnValue:
    organisation = _own_organisation()
    choices = profile_choices()
    if request.method == "POST":
        form = ProfileForm(choices)
        if form.validate():
            save_profile(signed_in_user(), form.details())
            flash("Your organisation profile has been saved", "success")
            return redirect(url_for("provider.profile"))
    else:
        form = ProfileForm(choices, data=details_of(organisation))
    return render_template(
        "provider/profile_edit.html", form=form, form_has_errors=bool(form.errors)
    )
