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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import gcd
from typing import Any

from criteria.answers import format_number, money
from criteria.conditions import describe_threshold
from criteria.inputs import FlagCode, PriceDecision
from criteria.model import AnswerValue, Framework, Threshold, resolve_number
from criteria.result import CriterionScore, Exclusion, Flag, GroupScore
from criteria.rules import format_points

__all__ = [
    "FLAG_TITLES",
    "THRESHOLD_SCOPES",
    "Grouping",
    "Measure",
    "Totals",
    "add_up",
    "apply_decisions",
    "flags_for",
    "judge_thresholds",
]


def add_up(values: Iterable[Fraction]) -> Fraction:
    """The exact sum of fractions, reduced once at the end.

    Adding `Fraction`s one at a time reduces by a gcd at every step. Scores in a round share
    few denominators (the weights' and the rules' own), so numerators are kept over a common
    denominator that grows only when a new one turns up.
    """
    numerator, denominator = 0, 1
    for value in values:
        top, bottom = value.as_integer_ratio()
        if denominator % bottom:
            common = denominator // gcd(denominator, bottom) * bottom
            numerator *= common // denominator
            denominator = common
        numerator += top * (denominator // bottom)
    return Fraction(numerator, denominator)


def _group(id_: str, title: str, weight: Fraction, score: Fraction) -> GroupScore:
    # score / weight x 100 in whole numbers, reduced once
    percent = (
        Fraction(score.numerator * 100 * weight.denominator, score.denominator * weight.numerator)
        if weight
        else Fraction(0)
    )
    return GroupScore(id_, title, weight, score, percent)


@dataclass(frozen=True, slots=True)
class Totals:
    """A bid's pillar totals and section totals, each in framework order, and its total."""

    pillars: tuple[GroupScore, ...]
    sections: tuple[GroupScore, ...]
    total: Fraction


@dataclass(frozen=True, slots=True)
class _Part:
    """A section or pillar: the criteria it adds up and the weight it carries in this round."""

    id: str
    title: str
    criterion_ids: tuple[str, ...]
    weight: Fraction

    def score(self, scores: Mapping[str, CriterionScore]) -> GroupScore:
        earned = add_up(scores[c].contribution for c in self.criterion_ids)
        return _group(self.id, self.title, self.weight, earned)


class Grouping:
    """How a round adds criterion scores up into sections, pillars and the total.

    The weights are the same for every bid, so they are added up once per round.
    """

    def __init__(self, framework: Framework, weights: Mapping[str, Fraction]) -> None:
        def part(id_: str, title: str, criterion_ids: Iterable[str]) -> _Part:
            ids = tuple(criterion_ids)
            return _Part(id_, title, ids, add_up(weights[c] for c in ids))

        self.sections = tuple(
            part(s.id, s.title, (c.id for c in s.criteria)) for s in framework.sections
        )
        self.pillars = tuple(
            part(p.id, p.title, (c for c, s in framework.section_of.items() if s.pillar == p.id))
            for p in framework.award.pillars
        )

    def totals(self, scores: Mapping[str, CriterionScore]) -> Totals:
        pillars = tuple(p.score(scores) for p in self.pillars)
        sections = tuple(s.score(scores) for s in self.sections)
        total = add_up(s.contribution for s in scores.values())
        return Totals(pillars, sections, total)


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
    totals: Totals


def _waiting(outcome: _Outcome, criterion_ids: list[str]) -> bool:
    return any(outcome.scores[c].status == "awaiting_evaluation" for c in criterion_ids)


def _criterion_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    score = outcome.scores[str(threshold.id)]
    judged = score.status not in ("awaiting_evaluation", "not_applicable")
    what = f"The answer to “{score.prompt}”"
    return Measure(f"criterion:{threshold.id}", what, score.raw, score.max, judged)


def _section_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    index, section = next(
        (i, s) for i, s in enumerate(outcome.framework.sections) if s.id == threshold.id
    )
    ids = [c.id for c in section.criteria]
    group = outcome.totals.sections[index]
    what = f"Section “{section.title}”"
    return Measure(
        f"section:{section.id}", what, group.score, group.weight, not _waiting(outcome, ids)
    )


def _pillar_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    pillar = outcome.framework.pillars[str(threshold.id)]
    ids = [c for c, s in outcome.scores.items() if s.pillar_id == pillar.id]
    group = next(g for g in outcome.totals.pillars if g.id == pillar.id)
    what = f"The {pillar.title} pillar"
    return Measure(
        f"pillar:{pillar.id}", what, group.score, group.weight, not _waiting(outcome, ids)
    )


def _total_measure(threshold: Threshold, outcome: _Outcome) -> Measure:
    ids = list(outcome.scores)
    available = add_up(s.weight for s in outcome.scores.values())
    waiting = _waiting(outcome, ids)
    return Measure("total", "The total", outcome.totals.total, available, not waiting)


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


def judge_thresholds(
    framework: Framework, scores: Mapping[str, CriterionScore], totals: Totals
) -> list[Exclusion]:
    """An exclusion for each published minimum the bid misses, in the framework's order."""
    outcome = _Outcome(framework, scores, totals)
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


def apply_decisions(
    flags: Sequence[Flag], decisions: Mapping[FlagCode, PriceDecision]
) -> tuple[list[Flag], list[Exclusion]]:
    """Each flag with its decision, if any; and an exclusion for each tender disregarded.

    A decision on a flag the bid does not raise (its price is no longer low) is not used.
    """
    decided: list[Flag] = []
    exclusions: list[Exclusion] = []
    for flag in flags:
        decision = decisions.get(flag.code)
        if decision is None:
            decided.append(flag)
            continue
        decided.append(replace(flag, decision=decision.decision, decision_reason=decision.reason))
        if decision.decision == "disregard":
            what = FLAG_TITLES[flag.code].lower()
            reason = f"Tender disregarded after a price check ({what}): {decision.reason}"
            exclusions.append(Exclusion("disregarded", flag.criterion_id, reason))
    return decided, exclusions


FLAG_TITLES: dict[str, str] = {
    "abnormally_low": "Abnormally low price",
    "wage_floor_not_funded": "Price does not fund the promised pay",
}
"""A short title for each flag code, for people."""
