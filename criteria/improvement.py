"""Improvement advice for one bid: where it can earn the most points next time, in plain words.

Written for a small provider reading its own result. First come the reasons the bid was
excluded (a failed gate or a missed minimum), since nothing else matters until those are
fixed. Then the criteria with the most weighted points still available (the criterion's weight
less what the bid earned, out of 100), largest first, each with the framework's own `improve`
advice or, where the framework gives none, a plain fallback for the kind of rule.

Price gets no advice: telling a provider to cut its price is not the commissioner's place, and
in ethical commissioning a lower price can be a sign that the promised wage will not be paid.
Gates carry no points, so they appear only when they excluded the bid.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from criteria.model import Criterion, Framework
from criteria.result import BidResult, CriterionScore, Exclusion

__all__ = [
    "EVALUATOR_NOTE",
    "FALLBACK_ADVICE",
    "GENERAL_ADVICE",
    "Advice",
    "improvement_advice",
    "points_text",
]

FALLBACK_ADVICE: dict[str, str] = {
    "bands": "Points rise in steps: reaching the next band earns more. The guidance lists them.",
    "linear": "Points rise steadily with your answer, up to full marks at the top of the range.",
    "choice_points": "Some answers earn more points than others: the guidance shows which.",
    "evaluator_scale": (
        "Read the descriptor for each mark on the scale and show, with examples and evidence, "
        "how your service meets the higher ones."
    ),
    "postcode_area": "Points go to providers based in the local area.",
    "gate": "This is a requirement every bid must meet.",
}
"""What to say when a criterion has no `improve` text, by scoring rule."""

GENERAL_ADVICE = "Give a full answer with evidence; the question's guidance says what scores well."

EVALUATOR_NOTE = "Evaluators mark this answer against the published scale."

_NO_ADVICE_RULES = ("gate", "price", "none")  # no points, not ours to advise on, or unscored


@dataclass(frozen=True, slots=True)
class Advice:
    """One piece of advice for one bid.

    `kind` is "exclusion" for a reason the bid was excluded, "criterion" for points to gain.
    Points are out of the 100 available for the whole bid.
    """

    kind: Literal["exclusion", "criterion"]
    message: str  # the headline, in one plain sentence
    advice: str  # what to do: the framework's `improve` text or a fallback
    criterion_id: str | None = None  # None for a section, pillar or total threshold
    section_title: str | None = None
    prompt: str | None = None
    points_available: Fraction = Fraction(0)  # points still to gain here
    current_points: Fraction = Fraction(0)  # points earned here now
    evaluator_marked: bool = False


def points_text(points: Fraction) -> str:
    """Points for people: at most two decimal places, no trailing zeros ("3.5", "12")."""
    text = f"{float(round(points, 2)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _rule_name(score: CriterionScore) -> str:
    return score.rule.split(":", 1)[0]


def _advice_text(criterion: Criterion | None, rule: str) -> str:
    if criterion is not None and criterion.improve:
        return criterion.improve.strip()
    return FALLBACK_ADVICE.get(rule, GENERAL_ADVICE)


def _exclusion_advice(framework: Framework, bid: BidResult, exclusion: Exclusion) -> Advice:
    criterion_id = exclusion.target.removeprefix("criterion:")
    criterion = framework.criteria.get(criterion_id)
    if criterion is None:  # a section, pillar or total threshold
        return Advice(
            kind="exclusion",
            message=f"This excluded your bid: {exclusion.reason}",
            advice="Raise your scores in this part of the framework to reach the minimum.",
        )
    score = next((c for c in bid.criteria if c.criterion_id == criterion_id), None)
    rule = _rule_name(score) if score else "gate"
    priced = rule == "price"  # a price outside the published limit: state it, advise nothing
    scored = score is not None and not priced
    return Advice(
        kind="exclusion",
        message=f"This excluded your bid: {exclusion.reason}",
        advice=FALLBACK_ADVICE["gate"] if priced else _advice_text(criterion, rule),
        criterion_id=criterion_id,
        section_title=framework.section_of[criterion_id].title,
        prompt=criterion.prompt,
        points_available=score.weight - score.contribution if score and scored else Fraction(0),
        current_points=score.contribution if score and scored else Fraction(0),
        evaluator_marked=rule == "evaluator_scale",
    )


def _criterion_message(score: CriterionScore, available: Fraction) -> str:
    gain = f"up to {points_text(available)} more points out of 100"
    if score.status == "unanswered":
        return f"You did not answer this question, so it scored 0: you could gain {gain}."
    if score.status == "awaiting_evaluation":
        return f"Not marked yet: this question is worth {points_text(available)} points out of 100."
    return f"You scored {points_text(score.contribution)} here and could gain {gain}."


def _criterion_advice(framework: Framework, score: CriterionScore) -> Advice | None:
    rule = _rule_name(score)
    available = score.weight - score.contribution
    if rule in _NO_ADVICE_RULES or score.status in ("gate_only", "not_applicable"):
        return None
    if available <= 0:  # full marks, or a criterion that carries no weight
        return None
    criterion = framework.criteria.get(score.criterion_id)
    evaluator_marked = rule == "evaluator_scale"
    text = _advice_text(criterion, rule)
    if evaluator_marked and EVALUATOR_NOTE not in text:
        text = f"{EVALUATOR_NOTE} {text}"
    return Advice(
        kind="criterion",
        message=_criterion_message(score, available),
        advice=text,
        criterion_id=score.criterion_id,
        section_title=framework.section_of[score.criterion_id].title if criterion else None,
        prompt=score.prompt,
        points_available=available,
        current_points=score.contribution,
        evaluator_marked=evaluator_marked,
    )


def improvement_advice(
    framework: Framework, result: BidResult, limit: int | None = None
) -> list[Advice]:
    """What would raise this bid's score most, exclusions first.

    Exclusions come first (gates, then missed minimums, in the order the engine found them),
    always all of them. Then up to `limit` criteria (all when None) with points still to gain,
    most points first and, on equal points, in framework order. Criteria at full marks, gates,
    questions that did not apply, price and criteria without weight are left out.
    """
    exclusions = sorted(result.exclusions, key=lambda e: e.kind != "gate")
    advice = [_exclusion_advice(framework, result, e) for e in exclusions]
    order = {criterion_id: index for index, criterion_id in enumerate(framework.criteria)}
    found = [a for a in (_criterion_advice(framework, c) for c in result.criteria) if a]
    found.sort(key=lambda a: (-a.points_available, order.get(a.criterion_id or "", len(order))))
    return advice + (found if limit is None else found[: max(limit, 0)])
