"""Checks on the award rules: the price formula and its criterion, minimum thresholds,
tie-break keys and the criteria that the abnormally-low and wage-floor flags read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from criteria.checks.registry import (
    PRICE_TYPES,
    CheckProblem,
    Loc,
    check,
    criteria_with_paths,
    listing,
    plain_number,
    suggest,
)
from criteria.model import FixedRange, Framework

__all__ = ["THRESHOLD_MEASURES", "price_award", "price_flags", "thresholds", "tie_break"]

THRESHOLD_MEASURES = {
    "criterion": "min_points",
    "section": "min_percent",
    "pillar": "min_percent",
    "total": "min_percent",
}
"""The measure each threshold scope uses."""

PLURALS = {"criterion": "criteria", "section": "sections", "pillar": "pillars"}


@check
def price_award(framework: Framework) -> Iterator[CheckProblem]:
    """award.price names the one criterion scored by rule 'price', and there is exactly one."""
    priced = [
        (where, criterion.id)
        for where, criterion in criteria_with_paths(framework)
        if criterion.scoring and criterion.scoring.rule == "price"
    ]
    price = framework.award.price
    if price is None:
        for where, _ in priced:
            yield CheckProblem(
                (*where, "scoring", "rule"),
                "rule 'price' needs a price formula: add award.price naming this criterion",
            )
        return
    named = framework.criteria.get(price.criterion)
    path: Loc = ("award", "price", "criterion")
    if named is None:
        yield CheckProblem(
            path,
            f"unknown criterion '{price.criterion}'" + suggest(price.criterion, framework.criteria),
        )
    elif named.scoring is None or named.scoring.rule != "price":
        yield CheckProblem(path, f"criterion '{price.criterion}' must be scored with rule 'price'")
    for where, criterion_id in priced:
        if criterion_id != price.criterion:
            yield CheckProblem(
                (*where, "scoring", "rule"),
                f"only one criterion is scored by price, and award.price names '{price.criterion}'",
            )
    formula = price.formula
    if isinstance(formula, FixedRange):
        best = plain_number(formula.best, framework)
        worst = plain_number(formula.worst, framework)
        if best is not None and worst is not None and best >= worst:
            yield CheckProblem(
                ("award", "price", "formula", "worst"),
                f"the worst price ({worst}) must be above the best price ({best})",
            )


@check
def thresholds(framework: Framework) -> Iterator[CheckProblem]:
    """Each minimum threshold names something of its scope and uses that scope's measure."""
    ids: dict[str, list[str]] = {
        "criterion": list(framework.criteria),
        "section": [s.id for s in framework.sections],
        "pillar": list(framework.pillars),
    }
    for k, threshold in enumerate(framework.award.minimum_thresholds):
        path: Loc = ("award", "minimum_thresholds", k)
        scope = threshold.scope
        if scope == "total" and threshold.id is not None:
            yield CheckProblem((*path, "id"), "a total threshold applies to the whole bid: no id")
        elif scope != "total" and threshold.id is None:
            yield CheckProblem(path, f"a {scope} threshold needs the id of a {scope}")
        elif threshold.id is not None and threshold.id not in ids[scope]:
            yield CheckProblem(
                (*path, "id"),
                f"unknown {scope} '{threshold.id}' ({PLURALS[scope]}: {listing(ids[scope])})"
                + suggest(threshold.id, ids[scope]),
            )
        needed = THRESHOLD_MEASURES[scope]
        if getattr(threshold, needed) is None:
            yield CheckProblem(path, f"a {scope} threshold needs {needed}")
        for other in sorted({"min_points", "min_percent"} - {needed}):
            if getattr(threshold, other) is not None:
                yield CheckProblem(
                    (*path, other), f"a {scope} threshold uses {needed}, not {other}"
                )


@check
def tie_break(framework: Framework) -> Iterator[CheckProblem]:
    """Tie-break keys name existing pillars and sections; lowest_price needs a price."""
    known: dict[str, Iterable[str]] = {
        "pillar": list(framework.pillars),
        "section": [s.id for s in framework.sections],
    }
    for k, key in enumerate(framework.award.tie_break):
        path: Loc = ("award", "tie_break", k)
        if key == "lowest_price":
            if framework.award.price is None:
                yield CheckProblem(path, "lowest_price needs a price: add award.price")
            continue
        kind, _, name = key.partition(":")
        if name not in known[kind]:
            yield CheckProblem(
                path,
                f"unknown {kind} '{name}' ({kind}s: {listing(known[kind])})"
                + suggest(name, known[kind]),
            )


@check
def price_flags(framework: Framework) -> Iterator[CheckProblem]:
    """The abnormally-low and wage-floor flags read existing money or decimal questions."""
    award = framework.award
    needs: list[tuple[Loc, str]] = []
    if award.abnormally_low:
        needs.append((("award", "abnormally_low", "criterion"), award.abnormally_low.criterion))
    if award.wage_floor:
        floor = award.wage_floor
        needs.append((("award", "wage_floor", "pay_criterion"), floor.pay_criterion))
        needs.append((("award", "wage_floor", "price_criterion"), floor.price_criterion))
    for path, criterion_id in needs:
        criterion = framework.criteria.get(criterion_id)
        if criterion is None:
            yield CheckProblem(
                path,
                f"unknown criterion '{criterion_id}'" + suggest(criterion_id, framework.criteria),
            )
        elif criterion.type not in PRICE_TYPES:
            yield CheckProblem(
                path,
                f"criterion '{criterion_id}' must be a money or decimal question, "
                f"not {criterion.type}",
            )
