"""Answers read back: GOV.UK summary list rows for a section ("Check your answers")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from criteria.answers import AnswerError, choice_label, describe_answer, parse_answer
from criteria.model import AnswerValue, Criterion, Framework
from webapp.forms.builder import evidence_field_name, field_name, visible_criteria
from webapp.forms.fields import kind_of

__all__ = ["NOT_ANSWERED", "answer_html", "summary_rows"]

NOT_ANSWERED = "Not answered"


def _lines(parts: list[str]) -> Markup:
    return Markup("<br>").join(escape(p) for p in parts)


def _narrative(criterion: Criterion, value: AnswerValue, attached: str | None) -> Markup:
    return _lines(str(value).splitlines())


def _multiple(criterion: Criterion, value: AnswerValue, attached: str | None) -> Markup:
    chosen = value if isinstance(value, list) else [str(value)]
    return _lines([choice_label(criterion, v) for v in chosen])


def _document(criterion: Criterion, value: AnswerValue, attached: str | None) -> Markup:
    return escape(attached or "Document attached")


def _described(criterion: Criterion, value: AnswerValue, attached: str | None) -> Markup:
    return escape(describe_answer(criterion, value))


ANSWER_DISPLAYS: dict[str, Callable[[Criterion, AnswerValue, str | None], Markup]] = {
    "narrative": _narrative,
    "multiple_choice": _multiple,
    "evidence": _document,
}
"""How an answer type reads back when `describe_answer`'s words are not enough."""


def answer_html(criterion: Criterion, raw: Any, attached: str | None = None) -> Markup:
    """A stored answer as a person reads it; "Not answered" when empty or unusable."""
    try:
        value = parse_answer(criterion, raw)
    except AnswerError:
        value = None
    if value is None:
        return escape(NOT_ANSWERED)
    return ANSWER_DISPLAYS.get(criterion.type, _described)(criterion, value, attached)


def _row(key: str, value: Markup, href: str | None, hidden_text: str) -> dict[str, Any]:
    row: dict[str, Any] = {"key": {"text": key}, "value": {"html": value}}
    if href is not None:
        row["actions"] = {
            "items": [{"href": href, "text": "Change", "visuallyHiddenText": hidden_text}]
        }
    return row


def summary_rows(
    framework: Framework,
    section_id: str,
    answers: Mapping[str, Any],
    *,
    attachments: Mapping[str, str] | None = None,
    change_href: Callable[[str], str] | None = None,
) -> list[dict[str, Any]]:
    """`govukSummaryList` rows for the questions asked in a section, in page order.

    `change_href(element_id)` gives the link to change an answer (None for a read-only list).
    A criterion that asks for a supporting document gets a row for it after its answer.
    """
    attached = attachments or {}
    rows = []
    for criterion in visible_criteria(framework, section_id, answers):
        element = kind_of(criterion).anchor(field_name(criterion.id))
        rows.append(
            _row(
                criterion.prompt,
                answer_html(criterion, answers.get(criterion.id), attached.get(criterion.id)),
                change_href(element) if change_href else None,
                criterion.prompt,
            )
        )
        if criterion.evidence is not None:
            document = attached.get(criterion.id)
            rows.append(
                _row(
                    "Supporting document",
                    escape(document or "None attached"),
                    change_href(evidence_field_name(criterion.id)) if change_href else None,
                    f"supporting document for “{criterion.prompt}”",
                )
            )
    return rows
