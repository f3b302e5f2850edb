"""Criteria marked by evaluators on a published scale, and how their marks become points.

The panel's moderated mark wins. Without one, marks that all agree are used as they stand;
marks that differ are averaged exactly and the reason says they were not moderated. With no
marks yet, an answered question is *awaiting evaluation*: it never scores a silent 0.

`MARKED_RULES` maps a rule name to its marking function, the same way `criteria.rules.RULES`
does for rules that need only the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from criteria.inputs import CriterionMarks
from criteria.model import Criterion, EvaluatorScaleRule, Scale
from criteria.rules import Points, format_points, not_answered, out_of

__all__ = ["MARKED_RULES", "Marked", "MarkedRuleFn", "evaluator_scale", "scale_problem"]


@dataclass(frozen=True, slots=True)
class Marked:
    """Points from evaluators' marks, with the marks and moderation used, ready to report."""

    points: Points
    marks: tuple[dict[str, Any], ...] = ()
    moderated: dict[str, Any] | None = None


MarkedRuleFn = Callable[[Criterion, Any, Mapping[str, Scale], CriterionMarks | None, bool], Marked]
"""(criterion, rule settings, the framework's scales, marks or None, answered?) -> Marked."""


def scale_problem(scale: Scale, marks: CriterionMarks) -> str | None:
    """Why these marks do not fit the scale (a point the scale does not have), or None."""
    allowed = ", ".join(str(p.points) for p in sorted(scale.points, key=lambda p: p.points))
    given = [(m.evaluator, m.points) for m in marks.marks]
    if marks.moderated is not None:
        given.append(("the moderation panel", marks.moderated.points))
    for who, points in given:
        if scale.point(points) is None:
            return (
                f"{who} gave {points}, which is not on the scale '{scale.title}' "
                f"(allowed: {allowed})"
            )
    return None


def _label(scale: Scale, points: int) -> str:
    point = scale.point(points)
    return f"{points} ({point.label})" if point else str(points)


def evaluator_scale(
    criterion: Criterion,
    rule: EvaluatorScaleRule,
    scales: Mapping[str, Scale],
    marks: CriterionMarks | None,
    answered: bool,
) -> Marked:
    """The moderated mark, else the agreed mark, else the exact mean of differing marks."""
    scale = scales[rule.scale]
    top = Fraction(scale.maximum)
    given = sorted((marks.marks if marks else []), key=lambda m: (m.evaluator, m.points))
    used = tuple(
        {"evaluator": m.evaluator, "points": m.points, "justification": m.justification}
        for m in given
    )
    moderated = marks.moderated if marks else None
    record = {"points": moderated.points, "rationale": moderated.rationale} if moderated else None
    if moderated is not None:
        raw = Fraction(moderated.points)
        reason = f"Moderated mark {_label(scale, moderated.points)}: {out_of(raw, top)}"
    elif given:
        points = sorted(m.points for m in given)
        count = len(points)
        if len(set(points)) == 1:
            raw = Fraction(points[0])
            who = {1: "1 evaluator", 2: "both evaluators"}.get(count, f"all {count} evaluators")
            reason = (
                f"Marked {_label(scale, points[0])} by {who} (not moderated): {out_of(raw, top)}"
            )
        else:
            raw = Fraction(sum(points), count)
            listed = ", ".join(str(p) for p in points)
            reason = (
                f"Mean of {count} marks {listed} (not moderated): {format_points(raw)} of "
                f"{format_points(top)}"
            )
    elif answered:
        waiting = Points(Fraction(0), top, "Awaiting evaluators' marks", "awaiting_evaluation")
        return Marked(waiting)
    else:
        return Marked(not_answered(top))
    return Marked(Points(raw, top, reason), used, record)


MARKED_RULES: dict[str, MarkedRuleFn] = {
    "evaluator_scale": evaluator_scale,
}
