"""Forms for signing in, registering an organisation and choosing a password (GOV.UK widgets)."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, Field, Form, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from webapp.auth.passwords import password_problem
from webapp.forms.base import AppForm

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def strip_whitespace(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class GovEmailInput(GovTextInput):
    input_type = "email"


class EmailAddress:
    """A plausible email address; the confirmation email is the real check."""

    message = "Enter an email address in the correct format, like name@example.com"

    def __call__(self, form: Form, field: Field) -> None:
        if not EMAIL_PATTERN.match((field.data or "").strip()):
            raise ValidationError(self.message)


class GoodPassword:
    """Long enough and not a common password; `email_field` names the field to compare with."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form: Form, field: Field) -> None:
        email = form[self.email_field].data if self.email_field else None
        problem = password_problem(field.data or "", email=email)
        if problem:
            raise ValidationError(problem)


def email_field(
    label: str = "Email address",
    *,
    required_message: str = "Enter your email address",
    **kwargs: Any,
) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(required_message),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            EmailAddress(),
        ],
        filters=[strip_whitespace],
        widget=GovEmailInput(),
        **kwargs,
    )


def new_password_fields(email_field: str | None = None) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Create a password",
        description="Must be 12 characters or more. A few unrelated words make a strong one.",
        validators=[InputRequired("Enter a password"), GoodPassword(email_field)],
        widget=GovPasswordInput(),
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", message="Passwords must match"),
        ],
        widget=GovPasswordInput(),
    )
    return password, confirm


class SignInForm(AppForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password")],
        widget=GovPasswordInput(),
    )


class RegisterForm(AppForm):
    organisation_name = StringField(
        "Organisation’s legal name",
        description="As registered with Companies House, the Charity Commission or the FCA",
        validators=[
            DataRequired("Enter your organisation’s legal name"),
            Length(max=255, message="Legal name must be 255 characters or fewer"),
        ],
        filters=[strip_whitespace],
        widget=GovTextInput(),
    )
    name = StringField(
        "Your full name",
        validators=[
            DataRequired("Enter your full name"),
            Length(max=255, message="Full name must be 255 characters or fewer"),
        ],
        filters=[strip_whitespace],
        widget=GovTextInput(),
    )
    email = email_field(description="We will send a link to this address to confirm it")
    password, confirm_password = new_password_fields(email_field="email")


class EmailForm(AppForm):
    email = email_field()


class NewPasswordForm(AppForm):
    password, confirm_password = new_password_fields()
