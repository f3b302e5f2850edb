"""The base of the app's forms: no text field accepts a character no database can keep.

PostgreSQL refuses the NUL character in text (the save would fail with a server error), and
nobody means to type one: it arrives pasted from a broken document. Every text field of a form
built on `AppForm` refuses it with a message next to the field, before any other check, so the
page comes back with the answers kept. Section forms check answers their own way
(`webapp.forms.text_limits`).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, Form, StringField
from wtforms.validators import StopValidation

__all__ = ["NUL_FIELD_MESSAGE", "AppForm", "refuse_nul"]

NUL_FIELD_MESSAGE = (
    "{label} contains a hidden character that cannot be saved (a null character): "
    "type it again, or paste it as plain text"
)


def refuse_nul(form: Form, field: Field) -> None:
    """A WTForms validator: stop when the field's text holds a NUL character."""
    values = field.raw_data or []
    if any(isinstance(value, str) and "\x00" in value for value in values):
        raise StopValidation(NUL_FIELD_MESSAGE.format(label=field.label.text or "This field"))


class AppForm(FlaskForm):
    """A Flask-WTF form whose text fields (text boxes, text areas) refuse NUL characters."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Form, unbound_field: Any, options: dict[str, Any]) -> Field:
            bound: Field = super().bind_field(form, unbound_field, options)
            if isinstance(bound, StringField):
                # A new list: an unbound field's validators are shared by every form made.
                bound.validators = [refuse_nul, *bound.validators]
            return bound
