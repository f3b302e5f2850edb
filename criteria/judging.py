"""After the criteria are scored: section and pillar totals, minimum thresholds and flags.

Minimum thresholds are published in advance and exclude a bid that misses one, with a reason
quoting the figures. A threshold that depends on a criterion still awaiting evaluators' marks
is not judged yet, and one on a question that was not asked (hidden by `show_if`) is not
judged at all.

Flags need a person's decision and never change a score: a price below the abnormally-low
level (Procurement Act 2023 s.19 lets the authority disregard it only after asking the
supplier to explain), and a price that cannot fund the pay the bid itself promises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from criteria.answers import format_number, money
from criteria.conditions import describe_threshold
from criteria.model import AnswerValue, Framework, Threshold, resolve_number
from criteria.result import CriterionScore, Exclusion, Flag, GroupScore
from criteria.rules import format_points

__all__ = ["THRESHOLD_SCOPES", "Measure", "flags_for", "group_scores", "judge_thresholds"]


def _group(group_id: str, title: str, scores: list[CriterionScore]) -> GroupScore:
    weight = sum((s.weight for s in scores), Fraction(0))
    score = sum((s.contribution for s in scores), Fraction(0))
    percent = score / weight * 100 if weight else Fraction(0)
    return GroupScore(group_id, title, weight, score, percent)


def group_scores(
    framework: Framework, scores: Mapping[str, CriterionScore]
) -> tuple[tuple[GroupScore, ...], tuple[GroupScore, ...]]:
    """(pillar totals, section totals), each in framework order."""
    sections = tuple(
        _group(s.id, s.title, [scores[c.id] for c in s.criteria]) for s in framework.sections
    )
    pillars = tuple(
        _group(p.id, p.title, [sc for sc in scores.values() if sc.pillar_id == p.id])
        for p in framework.award.pillars
    )
    return pillars, sections


# --- minimum thresholds -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measure:
    """What a threshold is judged on: points earned of points available."""

    target: str  # "criterion:x", "section:x", "pillar:x" or "total"
    what: str  # how a person names it: 'Section "Quality of care"'
    earned: Fraction
    available: Fraction
    judged: bool  # False while marks are awaited or when the question was not asked


@dataclass(frozen=True, slots=True)
class _Outcome:
    framework: Framework
    scores: Mapping[str, CriterionScore]


def _waiting(outcome: _Outcome, criterion_ids: list[str]) -> bool:
    return any(outcome.scores[c].status == "awaiting_evaluation" for c in criterion_ids)


def _criterion_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    score = outcome.scores[str(threshold.id)]
    judged = score.status not in ("awaiting_evaluation", "not_applicable")
    what = f"The answer to “{score.prompt}”"
    return Measure(f"criterion:{threshold.id}", what, score.raw, score.max, judged)


def _section_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    section = next(s for s in outcome.framework.sections if s.id == threshold.id)
    ids = [c.id for c in section.criteria]
    group = _group(section.id, section.title, [outcome.scores[c] for c in ids])
    what = f"Section “{section.title}”"
    return Measure(
        f"section:{section.id}", what, group.score, group.weight, not _waiting(outcome, ids)
    )


def _pillar_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    pillar = outcome.framework.pillars[str(threshold.id)]
    ids = [c for c, s in outcome.scores.items() if s.pillar_id == pillar.id]
    group = _group(pillar.id, pillar.title, [outcome.scores[c] for c in ids])
    what = f"The {pillar.title} pillar"
    return Measure(
        f"pillar:{pillar.id}", what, group.score, group.weight, not _waiting(outcome, ids)
    )


def _total_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    ids = list(outcome.scores)
    group = _group("total", "total", list(outcome.scores.values()))
    return Measure("total", "The total", group.score, group.weight, not _waiting(outcome, ids))


THRESHOLD_SCOPES: dict[str, Callable[[Threshold, _Outcome], Measure]] = {
    "criterion": _criterion_measure,
    "section": _section_measure,
    "pillar": _pillar_measure,
    "total": _total_measure,
}


def _missed(threshold: Threshold, measure: Measure) -> str | None:
    earned, available = measure.earned, measure.available
    percent = earned / available * 100 if available else Fraction(0)
    if threshold.min_points is not None and earned < threshold.min_points:
        minimum = format_points(Fraction(threshold.min_points))
        return (
            f"{measure.what} scored {format_points(earned)} of {format_points(available)} "
            f"points, below the published minimum of {minimum}"
        )
    if threshold.min_percent is not None and percent < threshold.min_percent:
        return (
            f"{measure.what} scored {format_points(percent)}% ({format_points(earned)} of "
            f"{format_points(available)} points), below the published minimum of "
            f"{format_points(Fraction(threshold.min_percent))}%"
        )
    return None


def judge_thresholds(framework: Framework, scores: Mapping[str, CriterionScore]) -> list[Exclusion]:
    """An exclusion for each published minimum the bid misses, in the framework's order."""
    outcome = _Outcome(framework, scores)
    exclusions: list[Exclusion] = []
    for threshold in framework.award.minimum_thresholds:
        measure = THRESHOLD_SCOPES[threshold.scope](threshold, outcome)
        reason = _missed(threshold, measure) if measure.judged else None
        if reason is not None:
            exclusions.append(Exclusion("threshold", measure.target, reason))
    return exclusions


# --- flags --------------------------------------------------------------------------------


def _amount(value: AnswerValue | None) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def flags_for(
    framework: Framework, values: Mapping[str, AnswerValue | None], params: Mapping[str, Any]
) -> list[Flag]:
    """Warnings on this bid's answers that need a person's decision."""
    flags: list[Flag] = []
    low = framework.award.abnormally_low
    price = _amount(values.get(low.criterion)) if low else None
    if low is not None and price is not None and price > 0:
        below = resolve_number(low.below, dict(params))
        if price < below:
            kind = framework.criteria[low.criterion].type
            limit = describe_threshold(low.below, params, kind)
            reason = f"{format_number(kind, price)} is below {limit}: {low.reason}"
            flags.append(Flag("abnormally_low", low.criterion, reason))
    floor = framework.award.wage_floor
    if floor is not None:
        pay = _amount(values.get(floor.pay_criterion))
        rate = _amount(values.get(floor.price_criterion))
        if pay is not None and rate is not None and rate > 0:
            factor = resolve_number(floor.factor, dict(params))
            needed = pay * factor
            if rate < needed:
                factor_text = describe_threshold(floor.factor, params)
                reason = (
                    f"{money(rate)} is below the {money(needed)} needed to fund the promised "
                    f"pay of {money(pay)} x {factor_text}: {floor.reason}"
                )
                flags.append(Flag("wage_floor_not_funded", floor.price_criterion, reason))
    return flags
