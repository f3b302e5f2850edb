"""Self-assessment: a provider scores its own answers against a framework, outside any tender.

The scores are the engine's own: `criteria.engine.score_round` on a round of one bid, with no
marks and the framework's default settings. What a self-assessment cannot score is said
plainly rather than counted as zero: questions marked by evaluators in a tender, price (a
price only means something against a tender's other bids and the council's budget, so the
price section is not asked), and the minimum scores that depend on evaluators' marks.

A self-assessment file lets a provider do this without the web app:

    framework: ethical-care          # a built-in framework id
    framework_version: "2026.1"      # optional: the latest when left out
    organisation: Example Care Co-operative
    answers:                         # criterion id -> answer, as in a round file's bids
      fw_lowest_hourly_pay: 13.60

Its errors name the file, the line and the field, like a round file's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from criteria.answers import AnswerError, parse_answer
from criteria.catalogue import load_builtin
from criteria.engine import score_round
from criteria.improvement import Advice, improvement_advice, points_text
from criteria.inputs import Bid
from criteria.loader import (
    FrameworkError,
    LineMap,
    Problem,
    parse_yaml_with_lines,
    problems_from,
)
from criteria.marking import MARKED_RULES
from criteria.model import Criterion, Framework, Section, Strict, Threshold
from criteria.price import PRICE_RULE
from criteria.result import BidResult, CriterionScore, Exclusion

__all__ = [
    "BID_ID",
    "EVALUATOR_MARKED",
    "GroupOutcome",
    "LoadedSelfAssessment",
    "SelfAssessmentFile",
    "SelfAssessmentResult",
    "assessed_sections",
    "evaluator_marked",
    "load_self_assessment",
    "score_self_assessment",
    "threshold_judged_here",
]

BID_ID = "self-assessment"
EVALUATOR_MARKED = "Marked by evaluators in a tender: not scored here"
_EXCLUDED = "This excluded your bid: "  # how criteria.improvement starts an exclusion


# --- what a self-assessment asks -------------------------------------------------------------


def _is_price(criterion: Criterion) -> bool:
    return criterion.scoring is not None and criterion.scoring.rule == PRICE_RULE


def assessed_sections(framework: Framework) -> list[Section]:
    """The sections a self-assessment asks: all but those that only ask for a price."""
    return [s for s in framework.sections if not all(_is_price(c) for c in s.criteria)]


def evaluator_marked(section: Section) -> list[Criterion]:
    """The section's questions that evaluators mark in a tender (not scored here)."""
    return [c for c in section.criteria if c.scoring is not None and c.scoring.rule in MARKED_RULES]


# --- results ---------------------------------------------------------------------------------


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


def score_self_assessment(
    framework: Framework, name: str, answers: Mapping[str, Any]
) -> SelfAssessmentResult:
    """The engine's scores for the answers so far, as a one-bid round with no marks.

    `name` is the organisation's; `answers` are raw answers by criterion id, as a form, a
    database row or a self-assessment file holds them. Answers to questions the framework
    does not ask (kept from an earlier version of it) are left out.
    """
    asked_answers = {k: v for k, v in answers.items() if k in framework.criteria}
    engine_bid = Bid(id=BID_ID, name=name, answers=asked_answers)
    raw = score_round(framework, [engine_bid]).bid(BID_ID)
    exclusions = [e for e in raw.exclusions if _judgeable(e, framework, raw)]
    result = replace(raw, exclusions=tuple(exclusions))
    sections = assessed_sections(framework)
    advice = [_for_self_assessment(a) for a in improvement_advice(framework, result)]
    return SelfAssessmentResult(
        result=result,
        total=_group("total", "Total", result.criteria),
        pillars=[
            _group(p.id, p.title, [s for s in result.criteria if s.pillar_id == p.id])
            for p in framework.award.pillars
        ],
        sections=[
            _group(s.id, s.title, [result.criterion(c.id) for c in s.criteria]) for s in sections
        ],
        criteria={
            s.id: [
                result.criterion(c.id)
                for c in s.criteria
                if result.criterion(c.id).status != "not_applicable"
            ]
            for s in sections
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


def threshold_judged_here(framework: Framework, result: BidResult, threshold: Threshold) -> bool:
    """Whether a self-assessment can check this published minimum: not when it counts a
    question evaluators mark, or the price."""
    probe = Exclusion("threshold", _threshold_target(threshold.scope, str(threshold.id)), "")
    return _judgeable(probe, framework, result)


def _thresholds_wait(framework: Framework, result: BidResult) -> bool:
    """Whether any published minimum counts a question evaluators mark."""
    return not all(
        threshold_judged_here(framework, result, t) for t in framework.award.minimum_thresholds
    )


def _threshold_target(scope: str, target: str) -> str:
    return "total" if scope == "total" else f"{scope}:{target}"


# --- the self-assessment file ------------------------------------------------------------------


class SelfAssessmentFile(Strict):
    """A self-assessment file: which built-in framework, whose answers, and the answers."""

    framework: str = Field(min_length=1)
    """A built-in framework id."""
    framework_version: str | None = None
    organisation: str = Field(min_length=1)
    """The organisation's name, as the report shows it."""
    answers: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class LoadedSelfAssessment:
    path: Path
    framework: Framework
    organisation: str
    answers: dict[str, Any]


def load_self_assessment(path: str | Path) -> LoadedSelfAssessment:
    """Read and check a self-assessment file and the built-in framework it names.

    Raises `FrameworkError` naming the file, line and field of every problem: an unknown key,
    an unknown framework or version, an answer to a question the framework does not ask (or to
    the price, which a self-assessment does not ask), an answer that cannot be used.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError.single(
            source, 1, "", f"cannot read the self-assessment file: {exc}"
        ) from None
    document, lines = parse_yaml_with_lines(text, source)
    try:
        parsed = SelfAssessmentFile.model_validate(document)
    except ValidationError as exc:
        raise FrameworkError(problems_from(exc, source, lines, SelfAssessmentFile)) from None
    try:
        framework = load_builtin(parsed.framework, parsed.framework_version)
    except KeyError as exc:
        field = "framework_version" if parsed.framework_version else "framework"
        raise FrameworkError.single(
            source, lines.line_of((field,)), field, str(exc.args[0] if exc.args else exc)
        ) from None
    problems = _answer_problems(framework, parsed.answers, source, lines)
    if problems:
        raise FrameworkError(problems)
    return LoadedSelfAssessment(
        path=path,
        framework=framework,
        organisation=parsed.organisation,
        answers=dict(parsed.answers),
    )


def _answer_problems(
    framework: Framework, answers: Mapping[str, Any], source: str, lines: LineMap
) -> list[Problem]:
    problems = []
    for criterion_id, raw in answers.items():
        loc = ("answers", criterion_id)
        message = _answer_problem(framework, criterion_id, raw)
        if message is not None:
            line, column = lines.position_of(loc)
            problems.append(Problem(source, line, column, f"answers.{criterion_id}", message))
    return sorted(problems, key=lambda p: (p.line, p.column))


def _answer_problem(framework: Framework, criterion_id: str, raw: Any) -> str | None:
    criterion = framework.criteria.get(criterion_id)
    if criterion is None:
        return (
            f"framework '{framework.id}' {framework.version} has no question '{criterion_id}'; "
            f"`commonweal frameworks show {framework.id}` lists its question ids"
        )
    if _is_price(criterion):
        return "a self-assessment does not ask for a price: remove this answer"
    try:
        parse_answer(criterion, raw)
    except AnswerError as exc:
        return exc.message
    return None
