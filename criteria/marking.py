"""Criteria marked by evaluators on a published scale, and how their marks become points.

The panel's moderated mark wins. Without one, marks that all agree are used as they stand;
marks that differ are averaged exactly and the reason says they were not moderated. With no
marks yet, an answered question is *awaiting evaluation*: it never scores a silent 0.

`MARKED_SCORERS` maps a rule name to its scorer, made ready once per criterion in a round, the
same way `criteria.rules.RULE_SCORERS` does for rules that need only the answer; `MARKED_RULES`
marks one answer in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from operator import attrgetter
from typing import Any

from criteria.inputs import CriterionMarks
from criteria.model import Criterion, EvaluatorScaleRule, Scale
from criteria.rules import Points, format_points, not_answered, out_of

__all__ = [
    "MARKED_RULES",
    "MARKED_SCORERS",
    "MarkScorer",
    "MarkScorerFactory",
    "Marked",
    "MarkedRuleFn",
    "evaluator_scale",
    "scale_problem",
]

_ZERO = Fraction(0)
_evaluator_then_points = attrgetter("evaluator", "points")


@dataclass(frozen=True, slots=True)
class Marked:
    """Points from evaluators' marks, with the marks and moderation used, ready to report."""

    points: Points
    marks: tuple[dict[str, Any], ...] = ()
    moderated: dict[str, Any] | None = None


MarkedRuleFn = Callable[[Criterion, Any, Mapping[str, Scale], CriterionMarks | None, bool], Marked]
"""(criterion, rule settings, the framework's scales, marks or None, answered?) -> Marked."""

MarkScorer = Callable[[CriterionMarks | None, bool], Marked]
"""A marked rule made ready for one criterion: (marks or None, answered?) -> Marked."""

MarkScorerFactory = Callable[[Criterion, Any, Mapping[str, Scale]], MarkScorer]
"""(criterion, rule settings, the framework's scales) -> the criterion's scorer."""


def scale_problem(scale: Scale, marks: CriterionMarks) -> str | None:
    """Why these marks do not fit the scale (a point the scale does not have), or None."""
    on_scale = {p.points for p in scale.points}
    given = [(m.evaluator, m.points) for m in marks.marks]
    if marks.moderated is not None:
        given.append(("the moderation panel", marks.moderated.points))
    for who, points in given:
        if points not in on_scale:
            allowed = ", ".join(str(p.points) for p in sorted(scale.points, key=lambda p: p.points))
            return (
                f"{who} gave {points}, which is not on the scale '{scale.title}' "
                f"(allowed: {allowed})"
            )
    return None


class _EvaluatorScale:
    """The moderated mark, else the agreed mark, else the exact mean of differing marks."""

    def __init__(
        self, criterion: Criterion, rule: EvaluatorScaleRule, scales: Mapping[str, Scale]
    ) -> None:
        scale = scales[rule.scale]
        self.top = Fraction(scale.maximum)
        self.labels: dict[int, str] = {}  # "3 (Satisfactory)" by points, as the scale names them
        for point in scale.points:
            self.labels.setdefault(point.points, f"{point.points} ({point.label})")
        self.unanswered = Marked(not_answered(self.top))
        waiting = Points(_ZERO, self.top, "Awaiting evaluators' marks", "awaiting_evaluation")
        self.waiting = Marked(waiting)
        self.outcomes: dict[tuple[int | None, tuple[int, ...]], Points] = {}

    def _label(self, points: int) -> str:
        return self.labels.get(points) or str(points)

    def __call__(self, marks: CriterionMarks | None, answered: bool) -> Marked:
        given = sorted((marks.marks if marks else []), key=_evaluator_then_points)
        moderated = marks.moderated if marks else None
        if moderated is None and not given:
            return self.waiting if answered else self.unanswered
        used = tuple(
            {"evaluator": m.evaluator, "points": m.points, "justification": m.justification}
            for m in given
        )
        record = None
        if moderated is not None:
            record = {"points": moderated.points, "rationale": moderated.rationale}
        # The same marks always read the same, so each outcome is worked out once.
        key = (moderated.points if moderated else None, tuple(sorted(m.points for m in given)))
        points = self.outcomes.get(key)
        if points is None:
            points = self.outcomes[key] = self._points(*key)
        return Marked(points, used, record)

    def _points(self, moderated: int | None, points: tuple[int, ...]) -> Points:
        top = self.top
        if moderated is not None:
            raw = Fraction(moderated)
            return Points(raw, top, f"Moderated mark {self._label(moderated)}: {out_of(raw, top)}")
        count = len(points)
        if len(set(points)) == 1:
            raw = Fraction(points[0])
            who = {1: "1 evaluator", 2: "both evaluators"}.get(count, f"all {count} evaluators")
            reason = f"Marked {self._label(points[0])} by {who} (not moderated): {out_of(raw, top)}"
            return Points(raw, top, reason)
        raw = Fraction(sum(points), count)
        listed = ", ".join(str(p) for p in points)
        reason = (
            f"Mean of {count} marks {listed} (not moderated): {format_points(raw)} of "
            f"{format_points(top)}"
        )
        return Points(raw, top, reason)


def evaluator_scale(
    criterion: Criterion,
    rule: EvaluatorScaleRule,
    scales: Mapping[str, Scale],
    marks: CriterionMarks | None,
    answered: bool,
) -> Marked:
    """The moderated mark, else the agreed mark, else the exact mean of differing marks."""
    return _EvaluatorScale(criterion, rule, scales)(marks, answered)


MARKED_SCORERS: dict[str, MarkScorerFactory] = {
    "evaluator_scale": _EvaluatorScale,
}
"""Marked rules by name, each made ready for one criterion in a round."""

MARKED_RULES: dict[str, MarkedRuleFn] = {
    "evaluator_scale": evaluator_scale,
}
"""The same rules marking one answer at a time."""
