"""Answering a framework section's page in the browser, as a person would, from stored answers.

The page's fields are named by criterion id (`webapp.forms.builder.field_name`); radios and
checkboxes are ticked by value, text is typed, and a required document is attached from the
file chooser. Questions are answered in framework order, so a follow-up revealed by an earlier
answer is visible by the time it is filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from playwright.sync_api import Page

from criteria.model import Criterion, Section
from webapp.demo.documents import demo_pdf
from webapp.forms.builder import evidence_field_name, field_name

Answerer = Callable[[Page, Criterion, Any], None]


def _tick(page: Page, criterion: Criterion, values: list[str]) -> None:
    name = field_name(criterion.id)
    for value in values:
        page.locator(f'input[name="{name}"][value="{value}"]').check()


def _type(page: Page, criterion: Criterion, value: Any) -> None:
    page.locator(f'[name="{field_name(criterion.id)}"]').fill(str(value))


def _yes_no(page: Page, criterion: Criterion, value: Any) -> None:
    _tick(page, criterion, ["yes" if value in (True, "yes") else "no"])


ANSWERERS: dict[str, Answerer] = {
    "yes_no": _yes_no,
    "single_choice": lambda page, criterion, value: _tick(page, criterion, [str(value)]),
    "multiple_choice": lambda page, criterion, value: _tick(page, criterion, list(value)),
}
"""How to give an answer of each type; every other type is typed into its box."""


def answer_section(page: Page, section: Section, answers: Mapping[str, Any]) -> int:
    """Answer every question of `section` that `answers` has; attach each required document.

    Returns how many questions were answered.
    """
    answered = 0
    for criterion in section.criteria:
        if criterion.id in answers:
            ANSWERERS.get(criterion.type, _type)(page, criterion, answers[criterion.id])
            answered += 1
        demand = criterion.evidence
        if demand is not None and demand.required:
            page.locator(
                f'input[type="file"][name="{evidence_field_name(criterion.id)}"]'
            ).set_input_files(
                {
                    "name": f"{criterion.id}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": demo_pdf(demand.description, [criterion.prompt]),
                }
            )
    return answered
