"""Self-assessment: a provider scores itself against the latest built-in framework, any time.

One `SelfAssessment` per organisation per framework version, created on the first visit with
the organisation profile's answers filled in. Sections are saved like a bid's (the form
builder reads them; a version number guards against a stale save from a second tab), and the
results are the engine's own: `criteria.engine.score_round` on a round of one bid, with no
marks and the framework's default settings.

What a self-assessment cannot score is said plainly rather than counted as zero: questions
marked by evaluators in a tender, price (a price only means something against a tender's
other bids and the council's budget, so the price section is not asked), and the minimum
scores that depend on evaluators' marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from criteria.engine import score_round
from criteria.improvement import Advice, improvement_advice, points_text
from criteria.inputs import Bid as EngineBid
from criteria.marking import MARKED_RULES
from criteria.model import Criterion, Framework, Section
from criteria.price import PRICE_RULE
from criteria.result import BidResult, CriterionScore, Exclusion
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
]

BID_ID = "self-assessment"
EVALUATOR_MARKED = "Marked by evaluators in a tender: not scored here"
_EXCLUDED = "This excluded your bid: "  # how criteria.improvement starts an exclusion


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


def _is_price(criterion: Criterion) -> bool:
    return criterion.scoring is not None and criterion.scoring.rule == PRICE_RULE


def assessed_sections(framework: Framework) -> list[Section]:
    """The sections a self-assessment asks: all but those that only ask for a price."""
    return [s for s in framework.sections if not all(_is_price(c) for c in s.criteria)]


def evaluator_marked(section: Section) -> list[Criterion]:
    """The section's questions that evaluators mark in a tender (not scored here)."""
    return [c for c in section.criteria if c.scoring is not None and c.scoring.rule in MARKED_RULES]


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


def section_tasks(assessment: SelfAssessment) -> list[SectionTask]:
    framework = self_assessment_framework(assessment)
    attached = attachments_of(assessment)
    answers = assessment.answers or {}
    return [
        SectionTask(s, section_status(framework, s.id, answers, attached))
        for s in assessed_sections(framework)
    ]


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


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """A section's or pillar's score out of the points a self-assessment can award."""

    id: str
    title: str
    earned: Fraction
    available: Fraction
    evaluator_points: Fraction  # marked by evaluators in a tender: not scored here
    price_points: Fraction  # price: not scored here

    @property
    def percent(self) -> Fraction:
        return self.earned / self.available * 100 if self.available else Fraction(0)


@dataclass(frozen=True, slots=True)
class SelfAssessmentResult:
    result: BidResult  # the engine's result, without the exclusions a self-assessment can't judge
    total: GroupOutcome
    pillars: list[GroupOutcome]
    sections: list[GroupOutcome]
    criteria: dict[str, list[CriterionScore]]  # by section id, the questions asked
    exclusions: list[Exclusion]  # what would exclude a tender bid, in plain words
    advice: list[Advice]  # exclusions first, then the auto-scored criteria, most points first
    evaluator_advice: list[Advice]  # questions evaluators mark, most points first
    unjudged_thresholds: bool  # some published minimums wait for evaluators' marks

    def is_evaluator_marked(self, score: CriterionScore) -> bool:
        return _evaluator_marked(score)

    def score_text(self, score: CriterionScore) -> str:
        """A question's score in words: points out of 100, or why it has none here."""
        if _evaluator_marked(score):
            return EVALUATOR_MARKED
        if score.status == "gate_only":
            return "Requirement met" if score.gate_passed else "Requirement not met"
        if score.rule == "none" or not score.weight:
            return "Asked for information: no points"
        return f"{points_text(score.contribution)} of {points_text(score.weight)} points"


def _evaluator_marked(score: CriterionScore) -> bool:
    return score.rule in MARKED_RULES


def _priced(score: CriterionScore) -> bool:
    return score.rule.split(":", 1)[0] == PRICE_RULE


def _group(group_id: str, title: str, scores: Sequence[CriterionScore]) -> GroupOutcome:
    asked = [s for s in scores if s.status != "not_applicable"]
    auto = [s for s in asked if not _evaluator_marked(s) and not _priced(s)]
    return GroupOutcome(
        id=group_id,
        title=title,
        earned=sum((s.contribution for s in auto), Fraction(0)),
        available=sum((s.weight for s in auto), Fraction(0)),
        evaluator_points=sum((s.weight for s in asked if _evaluator_marked(s)), Fraction(0)),
        price_points=sum((s.weight for s in scores if _priced(s)), Fraction(0)),
    )


_THRESHOLD_SCOPES = {"criterion": "criterion_id", "section": "section_id", "pillar": "pillar_id"}


def _judgeable(exclusion: Exclusion, framework: Framework, result: BidResult) -> bool:
    """Whether a self-assessment can say this exclusion would happen in a tender: not for
    price (never asked) nor a minimum that counts evaluator-marked questions."""
    kind, _, target = exclusion.target.partition(":")
    if exclusion.kind == "gate":
        criterion = framework.criteria.get(exclusion.target)
        return criterion is None or not _is_price(criterion)
    scope = _THRESHOLD_SCOPES.get(kind)  # None for the total: every criterion counts
    scores = [s for s in result.criteria if scope is None or getattr(s, scope) == target]
    return not any(_evaluator_marked(s) or _priced(s) for s in scores)


def score_self_assessment(assessment: SelfAssessment) -> SelfAssessmentResult:
    """The engine's scores for the answers so far, as a one-bid round with no marks."""
    framework = self_assessment_framework(assessment)
    organisation: Organisation = assessment.organisation
    answers = {k: v for k, v in (assessment.answers or {}).items() if k in framework.criteria}
    engine_bid = EngineBid(id=BID_ID, name=organisation.name, answers=answers)
    raw = score_round(framework, [engine_bid]).bid(BID_ID)
    exclusions = [e for e in raw.exclusions if _judgeable(e, framework, raw)]
    result = replace(raw, exclusions=tuple(exclusions))
    asked_sections = {s.id for s in assessed_sections(framework)}
    advice = [_for_self_assessment(a) for a in improvement_advice(framework, result)]
    return SelfAssessmentResult(
        result=result,
        total=_group("total", "Total", result.criteria),
        pillars=[
            _group(p.id, p.title, [s for s in result.criteria if s.pillar_id == p.id])
            for p in framework.award.pillars
        ],
        sections=[
            _group(s.id, s.title, [result.criterion(c.id) for c in s.criteria])
            for s in framework.sections
            if s.id in asked_sections
        ],
        criteria={
            s.id: [
                result.criterion(c.id)
                for c in s.criteria
                if result.criterion(c.id).status != "not_applicable"
            ]
            for s in framework.sections
            if s.id in asked_sections
        },
        exclusions=exclusions,
        advice=[a for a in advice if not a.evaluator_marked or a.kind == "exclusion"],
        evaluator_advice=[a for a in advice if a.evaluator_marked and a.kind == "criterion"],
        unjudged_thresholds=_thresholds_wait(framework, result),
    )


def _for_self_assessment(advice: Advice) -> Advice:
    """The engine speaks of a bid that was excluded; here no bid was made."""
    if advice.kind != "exclusion":
        return advice
    message = advice.message.replace(_EXCLUDED, "A tender bid would be excluded: ", 1)
    return replace(advice, message=message)


def _thresholds_wait(framework: Framework, result: BidResult) -> bool:
    """Whether any published minimum counts a question evaluators mark."""
    probes = [
        Exclusion("threshold", _threshold_target(t.scope, str(t.id)), "")
        for t in framework.award.minimum_thresholds
    ]
    return any(not _judgeable(p, framework, result) for p in probes)


def _threshold_target(scope: str, target: str) -> str:
    return "total" if scope == "total" else f"{scope}:{target}"
