"""One form field per answer type: how it is made, filled, read back and shown.

`FIELD_KINDS` maps each `criteria` answer type to a `FieldKind`. Adding an answer type is one
`FieldKind` and one registry line; nothing else in the form builder switches on the type.
Fields carry no validators of their own: `criteria.answers.parse_answer` checks every answer,
and `criteria.answer_messages` words a required question left empty, so a provider reads the
domain's own messages, which name the question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

from criteria.model import Criterion

Params = dict[str, Any]

LEGEND_CLASSES = "govuk-fieldset__legend--m"
LABEL_CLASSES = "govuk-label--m"


class DatePartsField(Field):
    """A date typed into GOV.UK's three boxes (day, month, year), all posted under one name.

    `data` is a `date` when the three parts make a real date; `raw_data` keeps what was typed
    so the page shows it back after an error.
    """

    widget = GovDateInput()

    def process_data(self, value: Any) -> None:
        if isinstance(value, dt.date):
            self.data = value
            return
        try:
            self.data = dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            self.data = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(v).strip() for v in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        day, month, year = parts
        self.data = None
        if all(p.isdigit() for p in parts) and len(year) == 4:
            try:
                self.data = dt.date(int(year), int(month), int(day))
            except ValueError:
                self.data = None

    def _value(self) -> str:
        return self.data.isoformat() if self.data is not None else ""

    def typed_text(self) -> str | None:
        """ISO text for the parser: None when all boxes are empty, "" text when not a date."""
        if self.data is not None:
            return self.data.isoformat()
        if self.raw_data and any(self.raw_data):
            return "-".join(reversed(self.raw_data))  # year-month-day as typed: fails parsing
        return None


# --- what each kind does -------------------------------------------------------------------


def _no_params(criterion: Criterion) -> Params:
    return {}


def _data(bound: Field) -> Any:
    return bound.data


def _text(criterion: Criterion, value: Any) -> Any:
    return None if value is None else str(value)


def _same(criterion: Criterion, value: Any) -> Any:
    return value


def _field_id(element_id: str) -> str:
    return element_id


@dataclass(frozen=True)
class FieldKind:
    """How one answer type becomes a form field and back.

    `make` builds the unbound field; `params` adds GOV.UK macro parameters (prefix, suffix,
    word count...); `raw` reads the answer `parse_answer` checks; `initial` turns a stored JSON
    answer into the field's data; `anchor` turns the field's id into the id of its first
    input (what the error summary and "Change" links point at). `missing` and `invalid`, when
    set, replace the domain's message for a required question left empty and for an answer
    that cannot be used, where the field's shape differs from the domain's wording (a date in
    three boxes, a file to upload).
    """

    make: Callable[[Criterion], UnboundField]
    missing: str | None = None
    params: Callable[[Criterion], Params] = _no_params
    raw: Callable[[Field], Any] = _data
    initial: Callable[[Criterion, Any], Any] = _text
    anchor: Callable[[str], str] = _field_id
    invalid: str | None = None
    fieldset: bool = False
    """Radios, checkboxes and dates are fieldsets with a legend; the rest have a label."""
    choices: bool = False
    """Each option is an item that may reveal a follow-up question."""
    upload: bool = False
    """The answer is a document: the service stores the file and records its reference."""


def _label(criterion: Criterion) -> str:
    return criterion.prompt


def _description(criterion: Criterion) -> str:
    return criterion.hint or ""


# yes/no ------------------------------------------------------------------------------------

YES_NO_CHOICES = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def _yes_no_field(criterion: Criterion) -> UnboundField:
    return RadioField(
        _label(criterion),
        description=_description(criterion),
        choices=YES_NO_CHOICES,
        validate_choice=False,
        widget=GovRadioInput(),
    )


def _yes_no_initial(criterion: Criterion, value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _text(criterion, value)


# numbers -----------------------------------------------------------------------------------


def _number_field(criterion: Criterion) -> UnboundField:
    return StringField(
        _label(criterion), description=_description(criterion), widget=GovTextInput()
    )


def _number_params(inputmode: str, width: str, **extra: Any) -> Callable[[Criterion], Params]:
    def params(criterion: Criterion) -> Params:
        return {
            "inputmode": inputmode,
            "spellcheck": False,
            "classes": f"govuk-input--width-{width}",
            **extra,
        }

    return params


# choices -----------------------------------------------------------------------------------


def _choices(criterion: Criterion) -> list[SelectChoice]:
    return [SelectChoice(c.value, c.label) for c in criterion.choices or ()]


def _single_choice_field(criterion: Criterion) -> UnboundField:
    return RadioField(
        _label(criterion),
        description=_description(criterion),
        choices=_choices(criterion),
        validate_choice=False,
        widget=GovRadioInput(),
    )


def _multiple_choice_field(criterion: Criterion) -> UnboundField:
    return SelectMultipleField(
        _label(criterion),
        description=_description(criterion),
        choices=_choices(criterion),
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )


def _chosen(bound: Field) -> list[str] | None:
    return list(bound.data) if bound.data else None


def _choice_list(criterion: Criterion, value: Any) -> Any:
    return list(value) if isinstance(value, list) else None


# text, places, dates and documents ---------------------------------------------------------


def _narrative_field(criterion: Criterion) -> UnboundField:
    widget = GovCharacterCount() if criterion.max_words else GovTextArea()
    return TextAreaField(_label(criterion), description=_description(criterion), widget=widget)


def _narrative_params(criterion: Criterion) -> Params:
    params: Params = {"rows": 8}
    if criterion.max_words:
        params["maxwords"] = criterion.max_words
    return params


def _short_text_field(criterion: Criterion) -> UnboundField:
    return StringField(
        _label(criterion), description=_description(criterion), widget=GovTextInput()
    )


def _short_text_params(criterion: Criterion) -> Params:
    return {"spellcheck": False, "classes": "govuk-input--width-20"}


def _postcode_field(criterion: Criterion) -> UnboundField:
    return StringField(
        _label(criterion), description=_description(criterion), widget=GovTextInput()
    )


def _postcode_params(criterion: Criterion) -> Params:
    return {"autocomplete": "postal-code", "spellcheck": False, "classes": "govuk-input--width-10"}


def _date_field(criterion: Criterion) -> UnboundField:
    return DatePartsField(_label(criterion), description=_description(criterion) or "")


def _date_raw(bound: Field) -> Any:
    return bound.typed_text() if isinstance(bound, DatePartsField) else bound.data


def _date_anchor(element_id: str) -> str:
    return f"{element_id}-day"


def _date_params(criterion: Criterion) -> Params:
    return {"hint": {"text": criterion.hint or "For example, 27 3 2026"}}


def _evidence_field(criterion: Criterion) -> UnboundField:
    return FileField(_label(criterion), description=_description(criterion), widget=GovFileInput())


def _no_initial(criterion: Criterion, value: Any) -> Any:
    return None


FIELD_KINDS: dict[str, FieldKind] = {
    "yes_no": FieldKind(
        make=_yes_no_field,
        initial=_yes_no_initial,
        fieldset=True,
        choices=True,
    ),
    "integer": FieldKind(
        make=_number_field,
        params=_number_params("numeric", "5"),
    ),
    "decimal": FieldKind(
        make=_number_field,
        params=_number_params("decimal", "5"),
    ),
    "money": FieldKind(
        make=_number_field,
        params=_number_params("decimal", "5", prefix={"text": "£"}),
    ),
    "percentage": FieldKind(
        make=_number_field,
        params=_number_params("decimal", "3", suffix={"text": "%"}),
    ),
    "single_choice": FieldKind(
        make=_single_choice_field,
        fieldset=True,
        choices=True,
    ),
    "multiple_choice": FieldKind(
        make=_multiple_choice_field,
        raw=_chosen,
        initial=_choice_list,
        fieldset=True,
        choices=True,
    ),
    "narrative": FieldKind(make=_narrative_field, params=_narrative_params),
    "text": FieldKind(make=_short_text_field, params=_short_text_params),
    "postcode": FieldKind(
        make=_postcode_field,
        params=_postcode_params,
    ),
    "date": FieldKind(
        make=_date_field,
        missing="Enter a date, like 27 3 2026",
        raw=_date_raw,
        initial=_same,
        anchor=_date_anchor,
        invalid="Enter a real date, like 27 3 2026",
        params=_date_params,
        fieldset=True,
    ),
    "evidence": FieldKind(
        make=_evidence_field,
        missing="Select a file to upload",
        initial=_no_initial,
        upload=True,
    ),
}
"""The field kind for each answer type in `criteria.model.ANSWER_TYPES`."""


def kind_of(criterion: Criterion) -> FieldKind:
    return FIELD_KINDS[criterion.type]


def evidence_upload_field(criterion: Criterion) -> UnboundField:
    """The extra file field for a criterion that asks for a supporting document."""
    demand = criterion.evidence
    required = demand is not None and demand.required
    label = "Upload a supporting document" + ("" if required else " (optional)")
    return FileField(label, description=demand.description if demand else "", widget=GovFileInput())
