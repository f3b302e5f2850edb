"""How far evaluators agreed with each other before moderation.

For every criterion marked by evaluators this gives the spread of the marks on each bid (the
highest mark minus the lowest) and Krippendorff's alpha, ordinal, over bids x evaluators; and
one alpha over every evaluator-marked criterion pooled, where a unit is a (bid, criterion)
pair. Only the independent marks count: a moderated mark is the panel's agreed answer, so it
says nothing about whether the evaluators agreed.

Alpha is 1 for perfect agreement, 0 for agreement no better than chance and negative for
systematic disagreement. It is `None` when it cannot be measured: fewer than two units (bids,
or bid-criterion pairs for the pooled figure) have two or more marks. When there are enough
units but every counted mark has the same value, Krippendorff's formula is 0/0; we report 1.0,
because no evaluator disagreed with another on anything (every spread is 0), and a blank would
read as "not enough marks". The spreads carry the detail in every case.

The result does not depend on the order of bids, criteria, evaluators or marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from criteria.inputs import CriterionMarks
from criteria.model import EvaluatorScaleRule, Framework

__all__ = ["Agreement", "CriterionAgreement", "agreement"]

DEFAULT_SPREAD_THRESHOLD = 2
"""A spread of this many points or more between two evaluators is worth a moderator's look."""


@dataclass(frozen=True, slots=True)
class CriterionAgreement:
    """Agreement on one evaluator-marked criterion across the bids."""

    criterion_id: str
    prompt: str
    spreads: dict[str, int]
    """Bid id -> highest minus lowest independent mark, for bids with two or more marks."""
    max_spread: int | None
    """The largest spread, or None when no bid has two or more marks."""
    alpha: float | None
    """Krippendorff's alpha (ordinal) over bids x evaluators; None when it cannot be measured."""
    n_marks: int
    """Independent marks counted, on every bid."""

    def flagged(self, threshold: int) -> list[str]:
        """Bid ids whose spread is `threshold` points or more, sorted."""
        return sorted(bid for bid, spread in self.spreads.items() if spread >= threshold)

    def to_dict(self, threshold: int) -> dict[str, Any]:
        return {
            "criterion": self.criterion_id,
            "prompt": self.prompt,
            "alpha": self.alpha,
            "max_spread": self.max_spread,
            "marks": self.n_marks,
            "spreads": dict(sorted(self.spreads.items())),
            "flagged": self.flagged(threshold),
        }


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement for a round: per criterion, pooled, and the spreads worth a second look."""

    criteria: tuple[CriterionAgreement, ...]
    """Evaluator-marked criteria, in framework order."""
    overall_alpha: float | None
    """Alpha over all evaluator-marked criteria pooled; units are (bid, criterion) pairs."""
    threshold: int
    """Spreads of this many points or more are flagged."""

    def flagged(self) -> list[tuple[str, str, int]]:
        """(bid id, criterion id, spread) for every spread at or over the threshold.

        Largest spread first, then by bid id and criterion id.
        """
        found = [
            (bid, c.criterion_id, spread)
            for c in self.criteria
            for bid, spread in c.spreads.items()
            if spread >= self.threshold
        ]
        return sorted(found, key=lambda item: (-item[2], item[0], item[1]))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary whose keys and order do not change between runs."""
        return {
            "threshold": self.threshold,
            "overall_alpha": self.overall_alpha,
            "criteria": [c.to_dict(self.threshold) for c in self.criteria],
            "flagged": [
                {"bid": bid, "criterion": criterion, "spread": spread}
                for bid, criterion, spread in self.flagged()
            ],
        }


def agreement(
    framework: Framework,
    marks: Mapping[str, Mapping[str, CriterionMarks]],
    threshold: int = DEFAULT_SPREAD_THRESHOLD,
) -> Agreement:
    """Evaluator agreement for `marks` (by bid id, then criterion id) under `framework`.

    Marks on criteria the framework does not mark by evaluators are ignored, as are moderated
    marks. `threshold` is the spread, in points, from which `flagged` reports a bid.
    """
    per_criterion: list[CriterionAgreement] = []
    pooled_units: list[list[int]] = []
    pooled_domain: set[int] = set()
    for criterion in framework.criteria.values():
        rule = criterion.scoring
        if not isinstance(rule, EvaluatorScaleRule):
            continue
        scale = framework.scales[rule.scale]
        units = {
            bid: [m.points for m in by_criterion[criterion.id].marks]
            for bid, by_criterion in marks.items()
            if criterion.id in by_criterion
        }
        spreads = {bid: max(p) - min(p) for bid, p in units.items() if len(p) >= 2}
        domain = {p.points for p in scale.points}
        pooled_units.extend(units.values())
        pooled_domain |= domain
        per_criterion.append(
            CriterionAgreement(
                criterion_id=criterion.id,
                prompt=criterion.prompt,
                spreads=dict(sorted(spreads.items())),
                max_spread=max(spreads.values()) if spreads else None,
                alpha=ordinal_alpha(units.values(), domain),
                n_marks=sum(len(p) for p in units.values()),
            )
        )
    return Agreement(
        criteria=tuple(per_criterion),
        overall_alpha=ordinal_alpha(pooled_units, pooled_domain),
        threshold=threshold,
    )


def ordinal_alpha(units: Iterable[Iterable[int]], scale_points: Iterable[int]) -> float | None:
    """Krippendorff's alpha, ordinal, for units that each hold the marks given to them.

    Units with fewer than two marks cannot be paired and are left out. Returns None when
    fewer than two units remain, and 1.0 when every remaining mark has the same value.
    """
    # Sorted so the arithmetic runs in one order whatever order the marks arrived in.
    pairable = sorted(unit for unit in (sorted(u) for u in units) if len(unit) >= 2)
    if len(pairable) < 2:
        return None
    values = {point for unit in pairable for point in unit}
    if len(values) == 1:
        return 1.0
    # Alpha depends only on how often each value occurs in each unit, so counts per unit
    # (units x values) give the same figure as evaluators x units data with gaps, without
    # depending on evaluator names or the order of anything.
    # numpy and krippendorff take longer to import than everything else here takes to run, so
    # they are imported only when there is an alpha to compute.
    import krippendorff
    import numpy as np

    domain = sorted(values | set(scale_points))
    column = {point: i for i, point in enumerate(domain)}
    counts = np.zeros((len(pairable), len(domain)), dtype=np.int64)
    for row, unit in enumerate(pairable):
        for point in unit:
            counts[row, column[point]] += 1
    value = float(
        krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement="ordinal")
    )
    return value if np.isfinite(value) else None
