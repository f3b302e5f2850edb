# ruff: noqa: RUF001  # the formulas use true minus and multiplication signs on purpose

"""How a framework turns answers into points, in words and in symbols, for the board pack.

Each formula is written from the framework itself (its price formula, its abnormally-low and
wage-floor checks, its minimum scores) with the round's parameter values filled in, so the
methodology appendix always describes the rules the result was actually scored by.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from criteria.answers import money
from criteria.model import (
    FixedPrice,
    FixedRange,
    Framework,
    LinearDeduction,
    PriceFormula,
    Threshold,
    resolve_number,
)

__all__ = ["formulas", "price_formula", "thresholds_text"]

Formula = dict[str, str]
"""`name`, `words` (for anyone) and `symbols` (the same rule as a formula)."""


def _price_money(value: Decimal | str, params: dict[str, Any]) -> str:
    return money(resolve_number(value, params))


def _fixed_range(formula: FixedRange, params: dict[str, Any]) -> Formula:
    best = _price_money(formula.best, params)
    worst = _price_money(formula.worst, params)
    return {
        "name": "Price points (fixed range)",
        "words": (
            f"A price of {best} or less earns all the price points; {worst} or more earns none; "
            "in between, points fall in a straight line. One bid's price never changes "
            "another's points."
        ),
        "symbols": (
            f"price points = (worst − price) ÷ (worst − best) × price weight, where best = {best} "
            f"and worst = {worst}, kept between 0 and the price weight"
        ),
    }


def _lowest_over_bid(formula: PriceFormula, params: dict[str, Any]) -> Formula:
    return {
        "name": "Price points (relative price)",
        "words": (
            "The lowest price earns all the price points; every other bid earns the lowest "
            "price's share of its own price."
        ),
        "symbols": "relative price points = lowest price ÷ bid price × price weight",
    }


def _linear_deduction(formula: LinearDeduction, params: dict[str, Any]) -> Formula:
    rate = format(formula.percent_per_percent.normalize(), "f")
    return {
        "name": "Price points (deduction from the lowest price)",
        "words": (
            f"The lowest price earns all the price points; each 1% above it loses {rate}% of "
            "them, down to none."
        ),
        "symbols": (
            f"price points = (1 − {rate} × (price − lowest) ÷ lowest) × price weight, not below 0"
        ),
    }


def _per_quality_point(formula: PriceFormula, params: dict[str, Any]) -> Formula:
    return {
        "name": "Price points (price per quality point)",
        "words": (
            "Quality points bought per pound: the bid giving the most quality points per pound "
            "earns all the price points, the others in proportion."
        ),
        "symbols": (
            "price points = (quality points ÷ price) ÷ best (quality points ÷ price) × price weight"
        ),
    }


def _fixed_price(formula: FixedPrice, params: dict[str, Any]) -> Formula:
    limit = _price_money(formula.price, params)
    return {
        "name": "Price points (fixed price)",
        "words": (
            f"The price is fixed at {limit}: a bid at or below it earns all the price points; "
            "a bid above it is excluded."
        ),
        "symbols": f"price points = price weight if price ≤ {limit}; otherwise excluded",
    }


_PRICE_FORMULAS: dict[str, Callable[[Any, dict[str, Any]], Formula]] = {
    "fixed_range": _fixed_range,
    "lowest_over_bid": _lowest_over_bid,
    "linear_deduction": _linear_deduction,
    "price_per_quality_point": _per_quality_point,
    "fixed_price": _fixed_price,
}


def price_formula(framework: Framework, params: dict[str, Any]) -> Formula | None:
    """The framework's price formula in words and symbols, or None without a price."""
    price = framework.award.price
    if price is None:
        return None
    return _PRICE_FORMULAS[price.formula.name](price.formula, params)


def formulas(framework: Framework, params: dict[str, Any]) -> list[Formula]:
    """Every formula the result was scored by, from a criterion's weight to the price checks."""
    found: list[Formula] = [
        {
            "name": "Criterion weight",
            "words": (
                "A criterion's share of the 100 points is its pillar's weight, times its "
                "section's share of the pillar, times its own share of the section."
            ),
            "symbols": (
                "criterion weight = pillar weight × section weight ÷ (sum of section weights "
                "in the pillar) × criterion weight ÷ (sum of criterion weights in the section)"
            ),
        },
        {
            "name": "Normalised score",
            "words": "The points a criterion awards, as a share of the most it can award.",
            "symbols": "normalised score = points ÷ maximum points (from 0 to 1)",
        },
        {
            "name": "Criterion contribution",
            "words": "What a criterion adds to a bid's total out of 100.",
            "symbols": (
                "contribution = normalised score × pillar weight × section share × criterion share"
            ),
        },
        {
            "name": "Total",
            "words": "The sum of every criterion's contribution.",
            "symbols": "total = Σ contributions (out of 100)",
        },
    ]
    if any(
        c.scoring is not None and c.scoring.rule == "evaluator_scale"
        for c in framework.criteria.values()
    ):
        found.append(
            {
                "name": "Evaluators' marks",
                "words": (
                    "Each written answer is marked on its own by each evaluator on the published "
                    "scale. The moderated mark counts where the panel moderated; otherwise the "
                    "mark the evaluators agreed on, or the exact mean of differing marks."
                ),
                "symbols": "points = moderated mark, else the mean of the evaluators' marks",
            }
        )
    price = price_formula(framework, params)
    if price is not None:
        found.append(price)
    low = framework.award.abnormally_low
    if low is not None:
        below = _price_money(low.below, params)
        found.append(
            {
                "name": "Abnormally low price",
                "words": (
                    f"A price below {below} is flagged. It changes no score: the commissioner "
                    "asks the provider to explain the price, then accepts the bid or "
                    "disregards it."
                ),
                "symbols": f"flag when price < {below}",
            }
        )
    wage = framework.award.wage_floor
    if wage is not None:
        factor = format(resolve_number(wage.factor, params).normalize(), "f")
        found.append(
            {
                "name": "Price that funds the promised pay",
                "words": (
                    f"A price below the bid's own lowest hourly pay times {factor} cannot fund "
                    "that pay once travel time, on-costs and overheads are met, and is flagged."
                ),
                "symbols": f"flag when price < lowest hourly pay × {factor}",
            }
        )
    return found


def thresholds_text(framework: Framework) -> list[tuple[Threshold, str]]:
    """Each published minimum score, in words."""
    found = []
    for threshold in framework.award.minimum_thresholds:
        if threshold.scope == "criterion" and threshold.id in framework.criteria:
            prompt = framework.criteria[threshold.id].prompt
            words = f"At least {threshold.min_points} points on “{prompt}”"
        elif threshold.scope == "section":
            title = next(
                (s.title for s in framework.sections if s.id == threshold.id), threshold.id
            )
            words = f"At least {threshold.min_percent}% of the {title} section's points."
        elif threshold.scope == "pillar" and threshold.id in framework.pillars:
            title = framework.pillars[threshold.id].title
            words = f"At least {threshold.min_percent}% of the {title} pillar's points."
        else:
            words = f"A total of at least {threshold.min_percent}% of the 100 points."
        found.append((threshold, words))
    return found
