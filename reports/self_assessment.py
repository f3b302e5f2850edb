"""The self-assessment report's context: a provider's own scores and improvement plan as text.

Built from `criteria.self_assessment.SelfAssessmentResult`, with every number formatted by
`criteria.improvement.points_text`, as the web app's results page shows it, so the PDF and the
page agree to the last digit. Pure: no rendering, no files, no clock (the date is given).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from criteria.improvement import EVALUATOR_NOTE, Advice, points_text
from criteria.model import Framework, Threshold
from criteria.result import CriterionScore
from criteria.self_assessment import (
    GroupOutcome,
    SelfAssessmentResult,
    threshold_judged_here,
)
from reports.wording import framework_facts, long_date, plain

__all__ = ["points_label", "self_assessment_context"]

CHART_WIDTH = 300  # the bar area of the pillar chart, in SVG user units
CHART_ROW = 26  # the height of one pillar's row


def points_label(points: Fraction) -> str:
    """ "1 point", "3.6 points": points for people, with the noun agreeing."""
    text = points_text(points)
    return f"{text} point" if text == "1" else f"{text} points"


def _group(group: GroupOutcome) -> dict[str, Any]:
    return {
        "id": group.id,
        "title": group.title,
        "earned": points_text(group.earned),
        "available": points_text(group.available),
        "percent": points_text(group.percent),
        "evaluator_points": points_text(group.evaluator_points),
        "price_points": points_text(group.price_points),
        "not_scored": points_text(group.evaluator_points + group.price_points),
        "scored_here": group.available > 0,
        "priced": group.price_points > 0,
    }


def _criterion(
    framework: Framework, outcome: SelfAssessmentResult, score: CriterionScore
) -> dict[str, Any]:
    marked = outcome.is_evaluator_marked(score)
    answered = score.status != "unanswered"
    reason = plain(score.reason, framework)
    if marked:
        written = "You have written an answer." if answered else "You have not answered it yet."
        reason = f"Marked by evaluators in a tender. {written}"
    return {
        "id": score.criterion_id,
        "prompt": score.prompt,
        "score": "Not scored here" if marked else outcome.score_text(score),
        "reason": reason,
        "evaluator_marked": marked,
        "answered": answered,
    }


def _sections(framework: Framework, outcome: SelfAssessmentResult) -> list[dict[str, Any]]:
    return [
        {
            **_group(section),
            "criteria": [_criterion(framework, outcome, s) for s in outcome.criteria[section.id]],
        }
        for section in outcome.sections
    ]


def _requirements(framework: Framework, outcome: SelfAssessmentResult) -> list[dict[str, Any]]:
    """Every pass-or-fail requirement the self-assessment asks, met or not."""
    rows = []
    for scores in outcome.criteria.values():
        for score in scores:
            criterion = framework.criteria[score.criterion_id]
            gate = getattr(criterion.scoring, "gate", None)
            if gate is None:
                continue
            rows.append(
                {
                    "prompt": score.prompt,
                    "met": bool(score.gate_passed),
                    "status": "Met" if score.gate_passed else "Not met",
                    "rule": " ".join((gate.message or "").split()),
                }
            )
    return rows


def _threshold_subject(framework: Framework, threshold: Threshold) -> str:
    """What a section, pillar or total minimum applies to, as the start of a sentence."""
    if threshold.scope == "section":
        title = next(s.title for s in framework.sections if s.id == threshold.id)
        return f"The section “{title}”"
    if threshold.scope == "pillar":
        return f"The {framework.pillars[str(threshold.id)].title} pillar"
    return "The total score"


def _threshold_text(framework: Framework, threshold: Threshold) -> str:
    """A published minimum in words: what must score how much."""
    if threshold.scope == "criterion":
        criterion = framework.criteria[str(threshold.id)]
        scale = framework.scales.get(getattr(criterion.scoring, "scale", ""))
        minimum = Fraction(threshold.min_points or 0)
        points = scale.points if scale else []
        label = next((p.label for p in points if p.points == minimum), None)
        mark = f"{points_text(minimum)} ({label})" if label else points_text(minimum)
        return f"“{criterion.prompt}” must be marked at least {mark}."
    subject = _threshold_subject(framework, threshold)
    if threshold.min_percent is not None:
        percent = points_text(Fraction(threshold.min_percent))
        return f"{subject} must reach at least {percent}% of its points."
    return f"{subject} must reach at least {points_label(Fraction(threshold.min_points or 0))}."


def _thresholds(framework: Framework, outcome: SelfAssessmentResult) -> list[dict[str, Any]]:
    return [
        {
            "text": _threshold_text(framework, t),
            "checked_here": threshold_judged_here(framework, outcome.result, t),
        }
        for t in framework.award.minimum_thresholds
    ]


def _advice(framework: Framework, outcome: SelfAssessmentResult, advice: Advice) -> dict[str, Any]:
    """One row of the improvement plan: where the points are and what earns them."""
    criterion_id = advice.criterion_id
    unanswered = (
        criterion_id is not None and outcome.result.criterion(criterion_id).status == "unanswered"
    )
    return {
        "kind": advice.kind,
        "prompt": advice.prompt,
        "section": advice.section_title,
        "message": plain(advice.message, framework),
        "advice": " ".join(advice.advice.split()),
        "now": "Not answered" if unanswered else points_text(advice.current_points),
        "gain": points_text(advice.points_available),
    }


def _evaluator_advice(outcome: SelfAssessmentResult, advice: Advice) -> dict[str, Any]:
    score = outcome.result.criterion(advice.criterion_id or "")
    return {
        "prompt": advice.prompt,
        "section": advice.section_title,
        "worth": points_label(advice.points_available),
        "answered": score.status != "unanswered",
        "advice": " ".join(advice.advice.removeprefix(EVALUATOR_NOTE).split()),
    }


def _scale(framework: Framework, outcome: SelfAssessmentResult) -> dict[str, Any] | None:
    """The marking scale evaluators use for the written answers, if they share one."""
    names = {
        getattr(framework.criteria[a.criterion_id or ""].scoring, "scale", None)
        for a in outcome.evaluator_advice
    }
    names.discard(None)
    if len(names) != 1:
        return None
    scale = framework.scales[str(names.pop())]
    return {
        "title": scale.title,
        "points": [
            {
                "points": str(p.points),
                "label": p.label,
                "descriptor": " ".join(p.descriptor.split()),
            }
            for p in scale.points
        ],
    }


def _chart(outcome: SelfAssessmentResult) -> dict[str, Any]:
    """Bar lengths for the pillar chart: earned, still to gain here, and not scored here."""
    widest = max(
        (p.available + p.evaluator_points + p.price_points for p in outcome.pillars),
        default=Fraction(0),
    )
    unit = Fraction(CHART_WIDTH) / widest if widest else Fraction(0)

    def length(points: Fraction) -> str:
        return f"{float(points * unit):.1f}"

    bars = []
    for index, p in enumerate(outcome.pillars):
        not_scored = p.evaluator_points + p.price_points
        bars.append(
            {
                "title": p.title,
                "y": index * CHART_ROW,
                "earned": length(p.earned),
                "to_gain_x": length(p.earned),
                "to_gain": length(p.available - p.earned),
                "not_scored_x": length(p.available),
                "not_scored": length(not_scored),
                "end_x": length(p.available + not_scored),
                "label": f"{points_text(p.earned)} of {points_text(p.available)}"
                if p.available
                else "Not scored here",
            }
        )
    described = "; ".join(
        f"{p.title}: {points_text(p.earned)} of the {points_label(p.available)} scored here, "
        f"{points_label(p.evaluator_points + p.price_points)} not scored here"
        for p in outcome.pillars
    )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": len(bars) * CHART_ROW,
        "description": f"Points by pillar. {described}.",
    }


def _next_steps(outcome: SelfAssessmentResult) -> list[str]:
    steps = []
    if outcome.exclusions:
        steps.append(
            "First meet every requirement listed as not met: a tender bid that misses one is "
            "excluded, whatever it scores."
        )
    unanswered = sum(
        s.status == "unanswered" for scores in outcome.criteria.values() for s in scores
    )
    if unanswered:
        questions = "question" if unanswered == 1 else "questions"
        steps.append(
            f"Answer the {unanswered} {questions} still blank: an unanswered question scores 0."
        )
    if outcome.advice:
        steps.append(
            "Work down the improvement plan from the top: the first changes are worth the most."
        )
    if outcome.evaluator_advice:
        steps.append(
            "Draft the written answers evaluators mark, with real examples and figures, and "
            "ask a colleague to read them against the marking scale."
        )
    steps.append("Update your answers and run the self-assessment again to see your new score.")
    return steps


def self_assessment_context(
    framework: Framework,
    outcome: SelfAssessmentResult,
    *,
    organisation: str,
    date: dt.date,
) -> dict[str, Any]:
    """Everything the self-assessment report shows, as text, for `organisation` on `date`."""
    return {
        "organisation": organisation,
        "date": long_date(date),
        "framework": framework_facts(framework),
        "total": _group(outcome.total),
        "pillars": [_group(p) for p in outcome.pillars],
        "chart": _chart(outcome),
        "sections": _sections(framework, outcome),
        "requirements": _requirements(framework, outcome),
        "exclusions": [plain(e.reason, framework) for e in outcome.exclusions],
        "thresholds": _thresholds(framework, outcome),
        "unjudged_thresholds": outcome.unjudged_thresholds,
        "exclusions_advice": [
            _advice(framework, outcome, a) for a in outcome.advice if a.kind == "exclusion"
        ],
        "advice": [_advice(framework, outcome, a) for a in outcome.advice if a.kind == "criterion"],
        "evaluator_advice": [_evaluator_advice(outcome, a) for a in outcome.evaluator_advice],
        "scale": _scale(framework, outcome),
        "next_steps": _next_steps(outcome),
    }
