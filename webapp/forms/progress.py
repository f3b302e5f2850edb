"""What a section still needs before it is complete, in words a provider reads on a task list.

The same test as `webapp.forms.builder.section_status`: every question asked that is required
has an answer that can be used, and every required document is attached.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from criteria.answers import AnswerError, parse_answer
from criteria.model import Framework
from webapp.forms.builder import visible_criteria

__all__ = ["SectionGaps", "section_gaps"]


@dataclass(frozen=True)
class SectionGaps:
    """The prompts of the required questions still unanswered (or answered in a way that
    cannot be used), and of the questions whose required document is not attached."""

    questions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.questions or self.documents)

    @property
    def text(self) -> str:
        """ "2 questions left: “…”; “…”. 1 document left: for “…”." """
        parts = []
        if self.questions:
            parts.append(_left(len(self.questions), "question", self.questions, ""))
        if self.documents:
            parts.append(_left(len(self.documents), "document", self.documents, "for "))
        return " ".join(parts)


def _left(count: int, noun: str, prompts: tuple[str, ...], lead: str) -> str:
    listed = "; ".join(f"{lead}“{prompt}”" for prompt in prompts)
    return f"{count} {noun if count == 1 else noun + 's'} left: {listed}."


def section_gaps(
    framework: Framework,
    section_id: str,
    answers: Mapping[str, Any],
    attachments: Collection[str] = frozenset(),
) -> SectionGaps:
    """What the section still needs, given the answers and the criteria with a document."""
    questions: list[str] = []
    documents: list[str] = []
    for criterion in visible_criteria(framework, section_id, answers):
        try:
            value = parse_answer(criterion, answers.get(criterion.id))
        except AnswerError:  # an answer that cannot be used leaves the section unfinished
            questions.append(criterion.prompt)
            continue
        if value is None and criterion.required:
            questions.append(criterion.prompt)
        demand = criterion.evidence
        if demand is not None and demand.required and criterion.id not in attachments:
            documents.append(criterion.prompt)
    return SectionGaps(tuple(questions), tuple(documents))
