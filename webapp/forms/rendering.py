"""Showing a built section form the GOV.UK way: questions, revealed follow-ups, the error summary.

A follow-up whose `show_if` depends on a radios or checkboxes question of the same section,
and holds for exactly one of its options, is revealed under that option (GOV.UK conditional
reveal; without JavaScript every revealed question simply shows). A follow-up that several
options of a radios question of the same page ask (the parent company, asked of three kinds of
owner) is on the page only when the answer given needs it: hidden otherwise, and shown as soon
as one of those options is chosen (`app-follow-up`, a few lines of script in the base page);
without JavaScript it appears once the answer that needs it is saved. Any other follow-up is
shown on the page with a hint saying when it applies, and is ignored when its condition does
not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from wtforms import Field

from criteria.answers import AnswerError, parse_answer
from criteria.conditions import condition_holds, describe_condition
from criteria.model import Criterion, Framework, ShowIf
from webapp.forms.builder import (
    SectionForm,
    current_answers,
    evidence_field_name,
    field_name,
    section_of,
    visible_criteria,
)
from webapp.forms.fields import LABEL_CLASSES, LEGEND_CLASSES, kind_of

__all__ = [
    "REQUIRED_DOCUMENT",
    "Question",
    "error_summary_items",
    "pending_upload",
    "section_questions",
]

REQUIRED_DOCUMENT = "You need to upload this document to complete the section."
"""Said under a required document: its label, like a required question's, is not marked."""


@dataclass
class Question:
    """One criterion on the page, with the follow-ups revealed under its options."""

    criterion: Criterion
    field: Field
    document: Field | None = None
    reveals: dict[int, list[Question]] = field(default_factory=dict)
    applies_when: str | None = None
    current_file: str | None = None
    pending_file: str | None = None
    """A file posted for the question with a save that was refused: kept, not yet saved."""
    pending_document: str | None = None
    nested: bool = False
    """Revealed under an option: a smaller label, as GOV.UK asks of conditional questions."""
    asked_by: tuple[str, tuple[str, ...]] | None = None
    """(the radios field, the option values that ask this question) for a follow-up shown
    only when one of those options is chosen."""
    asked: bool = True
    """Whether the answers so far ask this question; a follow-up that is not is hidden."""

    def render(self) -> Markup:
        """The question's HTML (GOV.UK macros), revealed follow-ups included."""
        html = Markup(self.field(params=self._params()))
        if self.pending_file:
            html += pending_upload(self.field.id, self.pending_file)
        if self.document is not None:
            html += Markup(self.document(params=self._document_params()))
            if self.pending_document:
                html += pending_upload(self.document.id, self.pending_document)
        if self.asked_by is None:
            return html
        field_name, values = self.asked_by
        return Markup(
            '<div class="app-follow-up" id="follow-up-{id}" data-app-follow-up="{field}" '
            'data-app-follow-up-values="{values}"{hidden}>{html}</div>'
        ).format(
            id=self.criterion.id,
            field=field_name,
            values=" ".join(values),
            hidden=Markup("") if self.asked else Markup(" hidden"),
            html=html,
        )

    def _hint(self) -> dict[str, Any] | None:
        parts = [p for p in (self.criterion.hint, self.applies_when) if p]
        if kind_of(self.criterion).upload and self.current_file:
            parts.append(f"Current file: {self.current_file}. Uploading a new file replaces it.")
        if self.criterion.type == "date" and not parts:
            parts.append("For example, 27 3 2026")
        if not parts:
            return None
        return {"html": Markup("<br>").join(escape(p) for p in parts)}

    def _params(self) -> dict[str, Any]:
        kind = kind_of(self.criterion)
        params: dict[str, Any] = kind.params(self.criterion)
        params["hint"] = self._hint()
        if kind.fieldset:
            legend = "govuk-fieldset__legend--s" if self.nested else LEGEND_CLASSES
            params["fieldset"] = {"legend": {"text": self._prompt(), "classes": legend}}
        else:
            label = "govuk-label--s" if self.nested else LABEL_CLASSES
            params["label"] = {"text": self._prompt(), "classes": label}
        if kind.choices:
            params["items"] = self._items()
            if self.criterion.type == "yes_no" and not self.reveals:
                params["classes"] = "govuk-radios--inline"
        return params

    def _prompt(self) -> str:
        """The question, marked "(optional)" when it need not be answered (the GOV.UK way:
        questions and documents that are needed are not marked, optional ones are)."""
        return (
            self.criterion.prompt
            if self.criterion.required
            else f"{self.criterion.prompt} (optional)"
        )

    def _items(self) -> list[dict[str, Any]]:
        choices = self.criterion.choices or ()
        count = len(choices) if choices else 2  # yes/no
        items: list[dict[str, Any]] = []
        for index in range(count):
            item: dict[str, Any] = {}
            if index < len(choices) and choices[index].hint:
                item["hint"] = {"text": choices[index].hint}
            follow_ups = self.reveals.get(index)
            if follow_ups:
                item["conditional"] = {"html": Markup("").join(q.render() for q in follow_ups)}
            items.append(item)
        return items

    def _document_params(self) -> dict[str, Any]:
        demand = self.criterion.evidence
        parts = [demand.description] if demand else []
        if demand is not None and demand.required:
            parts.append(REQUIRED_DOCUMENT)
        if self.current_file:
            parts.append(f"Current file: {self.current_file}. Uploading a new file replaces it.")
        return {
            "label": {"classes": "govuk-label--s"},
            "hint": {"html": Markup("<br>").join(escape(p) for p in parts)} if parts else None,
        }


def pending_upload(field_id: str, filename: str) -> Markup:
    """A kept upload under its file input, with a button for the page's `remove-<id>` form (a
    form of its own, after the section form, so pressing Enter in an answer never removes it)."""
    return Markup(
        '<div class="govuk-inset-text govuk-!-margin-top-0" id="{id}-pending">'
        '<p class="govuk-body govuk-!-margin-bottom-2"><strong>{name}</strong> is attached, '
        "not yet saved. It is saved when this section is.</p>"
        '<button type="submit" form="remove-{id}" class="govuk-button govuk-button--secondary '
        'govuk-!-margin-bottom-0" data-module="govuk-button">'
        'Remove<span class="govuk-visually-hidden"> {name}</span></button></div>'
    ).format(id=field_id, name=filename)


def _option_values(criterion: Criterion) -> list[str]:
    return ["yes", "no"] if criterion.type == "yes_no" else list(criterion.choice_values)


def _asking_options(
    parent: Criterion, follow_up: Criterion, params: Mapping[str, Any]
) -> list[int]:
    """The options of `parent` that, chosen on their own, ask `follow_up`."""
    if not kind_of(parent).choices or follow_up.show_if is None:
        return []
    holding = []
    for index, value in enumerate(_option_values(parent)):
        raw: Any = [value] if parent.type == "multiple_choice" else value
        try:
            typed = parse_answer(parent, raw)
        except AnswerError:
            continue
        if condition_holds(follow_up.show_if, typed, params):
            holding.append(index)
    return holding


def _asked_by_radios(parent: Criterion, options: list[int]) -> tuple[str, tuple[str, ...]] | None:
    """(field, option values) when a radios question asks the follow-up for several options.

    Checkboxes are left out: with several boxes ticked, one option alone does not decide.
    """
    if parent.type == "multiple_choice" or len(options) < 2:
        return None
    values = _option_values(parent)
    return field_name(parent.id), tuple(values[index] for index in options)


_CONDITION_VERBS = (
    ("must not be ", "is not "),
    ("must include ", "includes "),
    ("must be ", "is "),
)


def applies_when(condition: ShowIf, asker: Criterion, params: Mapping[str, Any]) -> str:
    """When a follow-up applies, in words: "Answer this only if the answer to “…” is …"."""
    words = describe_condition(condition, params, asker)
    for verb, plain in _CONDITION_VERBS:
        words = words.replace(verb, plain)
    return f"Answer this only if the answer to “{asker.prompt}” {words}."


def section_questions(framework: Framework, section_id: str, form: SectionForm) -> list[Question]:
    """The section's questions in page order, follow-ups nested under the option they need."""
    section = section_of(framework, section_id)
    params = framework.parameter_values()
    asked = {
        c.id
        for c in visible_criteria(framework, section, current_answers(framework, section, form))
    }
    questions: dict[str, Question] = {}
    top: list[Question] = []
    for criterion in section.criteria:
        document = (
            form[evidence_field_name(criterion.id)] if criterion.evidence is not None else None
        )
        question = Question(
            criterion=criterion,
            field=form[field_name(criterion.id)],
            document=document,
            current_file=form.attachments.get(criterion.id),
            pending_file=form.pending.get(field_name(criterion.id)),
            pending_document=form.pending.get(evidence_field_name(criterion.id)),
        )
        questions[criterion.id] = question
        condition = criterion.show_if
        parent = questions.get(condition.criterion) if condition is not None else None
        options = _asking_options(parent.criterion, criterion, params) if parent else []
        if parent is not None and len(options) == 1:
            question.nested = True
            parent.reveals.setdefault(options[0], []).append(question)
            continue
        if parent is not None:
            question.asked_by = _asked_by_radios(parent.criterion, options)
            question.asked = criterion.id in asked
        if condition is not None:
            asker = framework.criteria[condition.criterion]
            question.applies_when = applies_when(condition, asker, params)
        top.append(question)
    return top


def error_summary_items(form: SectionForm, errors: Mapping[str, str]) -> list[dict[str, str]]:
    """GOV.UK error summary items in page order, each linked to its field's first input."""
    items = []
    for name, bound in form._fields.items():
        if name not in errors:
            continue
        criterion = next(
            (c for c in form._section.criteria if field_name(c.id) == name),
            None,
        )
        anchor = kind_of(criterion).anchor(bound.id) if criterion is not None else bound.id
        items.append({"text": errors[name], "href": f"#{anchor}"})
    return items
