"""The evaluation forms: assigning evaluators and settings (commissioners), conflicts and marks.

Messages follow the GOV.UK error message patterns. Forms know only what was typed; the
services in `webapp.services.evaluation` and `webapp.services.evaluation_setup` decide what is
allowed. Forms whose questions depend on the round (one per bidder, one per evaluator) are
built per request from its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, IntegerField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from criteria.model import Scale, Section
from webapp.forms.base import AppForm
from webapp.models import Bid, User
from webapp.services.evaluation import MAX_JUSTIFICATION, MIN_JUSTIFICATION, ConflictAnswer

NO_CONFLICT = "no"
CONFLICT = "yes"
ALL_SECTIONS = "all"
SOME_SECTIONS = "some"
NOT_ASSIGNED = "none"


# --- conflicts of interest (evaluators) ---------------------------------------------------


class ConflictsForm(AppForm):
    """One "conflict or not" question per bidder, with details revealed under "conflict"."""

    bids: Sequence[Bid] = ()

    def questions(self) -> list[tuple[Bid, Field, Field]]:
        return [(b, self[f"bid_{b.id}"], self[f"details_{b.id}"]) for b in self.bids]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for bid, choice, details in self.questions():
            if choice.data == CONFLICT and not (details.data or "").strip():
                details.errors = [
                    f"Enter details of your conflict of interest with {bid.organisation.name}"
                ]
                valid = False
        return valid

    def answers(self) -> dict[int, ConflictAnswer]:
        return {
            bid.id: ConflictAnswer(choice.data == CONFLICT, (details.data or "").strip() or None)
            for bid, choice, details in self.questions()
        }


def conflicts_form_class(bids: Sequence[Bid]) -> type[ConflictsForm]:
    fields: dict[str, Any] = {"bids": tuple(bids)}
    for bid in bids:
        name = bid.organisation.name
        fields[f"bid_{bid.id}"] = RadioField(
            name,
            widget=GovRadioInput(),
            choices=[
                SelectChoice(NO_CONFLICT, "No conflict of interest"),
                SelectChoice(CONFLICT, "Conflict of interest"),
            ],
            validators=[
                InputRequired(f"Select whether you have a conflict of interest with {name}")
            ],
        )
        fields[f"details_{bid.id}"] = TextAreaField(
            "Describe the conflict of interest",
            widget=GovTextArea(),
            description="For example, a family member works there, or you advised them.",
            validators=[Length(max=5000, message="Details must be 5,000 characters or fewer")],
        )
    return type("BidConflictsForm", (ConflictsForm,), fields)


# --- marking (evaluators) ---------------------------------------------------------------


class MarkForm(AppForm):
    points = RadioField(
        "Your mark",
        widget=GovRadioInput(),
        coerce=int,
        validators=[InputRequired("Select a mark")],
    )
    justification = TextAreaField(
        "Why this mark",
        widget=GovTextArea(),
        description="Say what in the answer earns this mark, against the scale's descriptor. "
        "Moderators, the board and the bidder may read it.",
        validators=[
            InputRequired("Enter why you gave this mark"),
            Length(
                min=MIN_JUSTIFICATION,
                max=MAX_JUSTIFICATION,
                message=f"Why this mark must be between {MIN_JUSTIFICATION} and "
                f"{MAX_JUSTIFICATION:,} characters",
            ),
        ],
    )

    def set_scale(self, scale: Scale) -> None:
        self.points.choices = [
            SelectChoice(p.points, f"{p.points}: {p.label}") for p in scale.points
        ]


class ConfirmForm(AppForm):
    """A button that changes something: only its CSRF token is checked."""


# --- assigning evaluators and evaluation settings (commissioners) -----------------------


class AssignmentForm(AppForm):
    """For each evaluator: not assigned, every section, or only the sections selected."""

    evaluators: Sequence[User] = ()

    def questions(self) -> list[tuple[User, Field, Field]]:
        return [(u, self[f"evaluator_{u.id}"], self[f"sections_{u.id}"]) for u in self.evaluators]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for user, choice, sections in self.questions():
            if choice.data == SOME_SECTIONS and not sections.data:
                sections.errors = [f"Select the sections {user.name} evaluates"]
                valid = False
        return valid

    def wanted(self) -> dict[int, list[str] | None]:
        chosen: dict[int, list[str] | None] = {}
        for user, choice, sections in self.questions():
            if choice.data == ALL_SECTIONS:
                chosen[user.id] = None
            elif choice.data == SOME_SECTIONS:
                chosen[user.id] = list(sections.data or [])
        return chosen


def assignment_form_class(
    evaluators: Sequence[User], sections: Sequence[Section]
) -> type[AssignmentForm]:
    fields: dict[str, Any] = {"evaluators": tuple(evaluators)}
    for user in evaluators:
        fields[f"evaluator_{user.id}"] = RadioField(
            user.name,
            widget=GovRadioInput(),
            choices=[
                SelectChoice(NOT_ASSIGNED, "Not assigned"),
                SelectChoice(ALL_SECTIONS, "Evaluates every section"),
                SelectChoice(SOME_SECTIONS, "Evaluates only some sections"),
            ],
            default=NOT_ASSIGNED,
            validators=[InputRequired(f"Select whether {user.name} evaluates this round")],
        )
        fields[f"sections_{user.id}"] = SelectMultipleField(
            "Sections",
            widget=GovCheckboxesInput(),
            choices=[SelectChoice(s.id, s.title) for s in sections],
            description="Select all that apply.",
        )
    return type("RoundAssignmentForm", (AssignmentForm,), fields)


def assignment_data(
    evaluators: Sequence[User], assigned: dict[int, list[str] | None]
) -> dict[str, Any]:
    """The assignment form's initial values from the stored assignments."""
    data: dict[str, Any] = {}
    for user in evaluators:
        if user.id not in assigned:
            data[f"evaluator_{user.id}"] = NOT_ASSIGNED
            continue
        sections = assigned[user.id]
        data[f"evaluator_{user.id}"] = ALL_SECTIONS if sections is None else SOME_SECTIONS
        data[f"sections_{user.id}"] = list(sections or [])
    return data


YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class EvaluationSettingsForm(AppForm):
    anonymise_bidders = RadioField(
        "Hide bidder names from evaluators",
        widget=GovRadioInput(),
        description="Evaluators see “Bid A”, “Bid B” instead of the bidder’s name. They still "
        "see names when they declare conflicts of interest.",
        choices=YES_NO,
        validators=[InputRequired("Select yes if evaluators should not see bidder names")],
    )
    hide_price_from_evaluators = RadioField(
        "Hide price from evaluators",
        widget=GovRadioInput(),
        description="Evaluators do not see the answers in the price pillar.",
        choices=YES_NO,
        validators=[InputRequired("Select yes if evaluators should not see the price")],
    )
    spread_threshold = IntegerField(
        "Highlight marks that differ by at least",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the spread, in points, that moderation highlights")],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        field = self.spread_threshold
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            field.errors = ["The spread must be a whole number, like 2"]
        return valid

    def set_maximum(self, highest: int) -> None:
        self.spread_threshold.description = f"A whole number of points from 1 to {highest}."
        self.spread_threshold.validators = [
            *self.spread_threshold.validators,
            NumberRange(
                min=1, max=highest, message=f"The spread must be a whole number from 1 to {highest}"
            ),
        ]
