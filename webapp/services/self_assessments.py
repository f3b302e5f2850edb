"""Self-assessment: a provider scores itself against the latest built-in framework, any time.

One `SelfAssessment` per organisation per framework version, created on the first visit with
the organisation profile's answers filled in. Sections are saved like a bid's (the form
builder reads them; a version number guards against a stale save from a second tab).

The scoring itself is pure and lives in `criteria.self_assessment`, which the report and the
command line use too; the names it shares with the web pages are re-exported from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from criteria.model import Framework, Section
from criteria.self_assessment import (
    EVALUATOR_MARKED,
    GroupOutcome,
    SelfAssessmentResult,
    assessed_sections,
    evaluator_marked,
)
from criteria.self_assessment import score_self_assessment as score_answers
from webapp.extensions import db
from webapp.forms.builder import (
    SectionForm,
    SectionStatus,
    answers_from_form,
    merge_section_answers,
    section_status,
    set_errors,
    uploaded_files,
)
from webapp.forms.progress import SectionGaps, section_gaps
from webapp.models import EvidenceFile, Organisation, SelfAssessment, User
from webapp.services.evidence import store_uploads
from webapp.services.frameworks import framework_of, latest_builtin
from webapp.services.profiles import organisation_of, prefill_answers

__all__ = [
    "CONFLICT_MESSAGE",
    "EVALUATOR_MARKED",
    "GroupOutcome",
    "SaveOutcome",
    "SectionTask",
    "SelfAssessmentResult",
    "assessed_sections",
    "attachments_of",
    "evaluator_marked",
    "next_section_id",
    "open_self_assessment",
    "save_section",
    "score_self_assessment",
    "section_tasks",
    "self_assessment_framework",
    "unfinished_tasks",
]


# --- opening ---------------------------------------------------------------------------------


def open_self_assessment(user: User) -> SelfAssessment:
    """The user's organisation's self-assessment against the latest built-in framework,
    created (prefilled from the organisation profile) on the first visit.

    Raises LookupError when the user belongs to no organisation.
    """
    organisation = organisation_of(user)
    version = latest_builtin()
    existing = db.session.scalars(
        sa.select(SelfAssessment)
        .where(
            SelfAssessment.organisation_id == organisation.id,
            SelfAssessment.framework_version_id == version.id,
        )
        .order_by(SelfAssessment.id)
    ).first()
    if existing is not None:
        return existing
    assessment = SelfAssessment(
        organisation_id=organisation.id,
        framework_version_id=version.id,
        answers=prefill_answers(organisation, framework_of(version)),
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment


def self_assessment_framework(assessment: SelfAssessment) -> Framework:
    return framework_of(assessment.framework_version)


def next_section_id(framework: Framework, section_id: str) -> str | None:
    ids = [s.id for s in assessed_sections(framework)]
    position = ids.index(section_id)
    return ids[position + 1] if position + 1 < len(ids) else None


def attachments_of(assessment: SelfAssessment) -> dict[str, str]:
    """Criterion id -> the name of the latest document attached to it."""
    files = db.session.scalars(
        sa.select(EvidenceFile)
        .where(EvidenceFile.self_assessment_id == assessment.id)
        .order_by(EvidenceFile.id)
    )
    return {f.criterion_id: f.filename for f in files}


@dataclass(frozen=True, slots=True)
class SectionTask:
    section: Section
    status: SectionStatus
    gaps: SectionGaps = field(default_factory=SectionGaps)
    """What the section still needs; empty once it is completed."""


def section_tasks(assessment: SelfAssessment) -> list[SectionTask]:
    framework = self_assessment_framework(assessment)
    attached = attachments_of(assessment)
    answers = assessment.answers or {}
    return [
        SectionTask(
            s,
            section_status(framework, s.id, answers, attached),
            section_gaps(framework, s.id, answers, attached),
        )
        for s in assessed_sections(framework)
    ]


def unfinished_tasks(assessment: SelfAssessment) -> list[SectionTask]:
    """The sections not completed yet, in framework order."""
    return [t for t in section_tasks(assessment) if t.status != SectionStatus.COMPLETED]


# --- saving a section ----------------------------------------------------------------------------


CONFLICT_MESSAGE = (
    "This self-assessment was changed in another tab or by a colleague since you opened this "
    "page. Your answers below have not been saved. Check them and save again."
)


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What happened to a save: `conflict` when the page was stale (nothing saved); else the
    answers that could be used were saved and `errors` (by field name) are still to fix."""

    conflict: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def save_section(
    user: User,
    section_id: str,
    form: SectionForm,
    *,
    expected_version: int | None,
) -> SaveOutcome:
    """Save one section of the user's own self-assessment from its posted form.

    Every answer that can be used is saved, and a question whose answer cannot keeps its
    stored answer, so nothing is lost; a self-assessment has nothing to submit, so unanswered
    questions are not errors. Uploaded documents are stored with the evidence service; one
    that is refused becomes an error on its field. A page opened at another version than the
    stored one (a second tab, a colleague) is a conflict and saves nothing.
    """
    assessment = open_self_assessment(user)
    if expected_version is None or expected_version != assessment.version:
        return SaveOutcome(conflict=True)
    framework = self_assessment_framework(assessment)
    answers, errors = answers_from_form(framework, section_id, form, require_complete=False)
    merged = merge_section_answers(framework, section_id, assessment.answers or {}, answers, errors)
    try:
        store_uploads(
            uploaded_files(framework, section_id, form),
            merged,
            errors,
            organisation=assessment.organisation,
            uploaded_by=user,
            self_assessment=assessment,
        )
        if merged != assessment.answers:
            assessment.answers = merged
        db.session.commit()
    except StaleDataError:  # another save won the race after the version was checked
        db.session.rollback()
        return SaveOutcome(conflict=True)
    except BaseException:
        db.session.rollback()
        raise
    set_errors(form, errors)
    return SaveOutcome(errors=errors)


# --- results ------------------------------------------------------------------------------------


def score_self_assessment(assessment: SelfAssessment) -> SelfAssessmentResult:
    """The engine's scores for the answers so far, as a one-bid round with no marks."""
    organisation: Organisation = assessment.organisation
    return score_answers(
        self_assessment_framework(assessment), organisation.name, assessment.answers or {}
    )
