"""Price formulas: a registry from formula name to a function scoring one bid's price.

Each formula gives a normalised score from 0 to 1 with a reason in plain words, given this bid
and the field it is compared with: every bid that has a valid price and passed all gates, plus
this bid itself (so an excluded bid is still scored, and never above 1). A formula may also
report a gate failure, as `fixed_price` does for a bid above the fixed price.

A missing, zero or negative price is a gate failure with a clear reason, never a division
error. Relative formulas (`criteria.model.RELATIVE_PRICE_FORMULAS`) let one bid's price move
another's score; `fixed_range` and `fixed_price` do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from criteria.answers import money
from criteria.conditions import describe_threshold
from criteria.model import (
    FixedPrice,
    FixedRange,
    LinearDeduction,
    LowestOverBid,
    PriceFormula,
    PricePerQualityPoint,
    resolve_number,
)
from criteria.result import fmt
from criteria.rules import format_points

__all__ = [
    "NO_PRICE",
    "PRICE_FORMULAS",
    "PRICE_RULE",
    "PriceField",
    "PriceFn",
    "PriceScore",
    "PricedBid",
    "percent",
    "score_price",
    "score_price_in",
]

PRICE_RULE = "price"
"""The rule name of the criterion scored by the award's price formula."""

NO_PRICE = "A price of more than £0 is needed"


@dataclass(frozen=True, slots=True)
class PricedBid:
    """A bid as the price formulas see it: a valid price and its quality points."""

    bid_id: str
    price: Decimal
    quality: Fraction = Fraction(0)
    """The sum of the bid's non-price contributions (used by price per quality point)."""


@dataclass(frozen=True, slots=True)
class PriceScore:
    normalised: Fraction
    reason: str
    failure: str | None = None
    """Set when the price fails a gate: the reason the bid is excluded."""


class PriceField:
    """The bids a price is compared with, and what the formulas need to know about them.

    The lowest price and the best quality points per £1 are worked out once, when first asked
    for. `with_bid` adds the bid being scored without copying the rest, so scoring every bid
    in a round against the same field goes through the field once, not once per bid.
    """

    def __init__(self, bids: Iterable[PricedBid], within: PriceField | None = None) -> None:
        self.bids = tuple(bids)
        self.within = within  # the field these bids are added to, if any
        self.size: int = len(self.bids) + (within.size if within else 0)

    def with_bid(self, bid: PricedBid) -> PriceField:
        """This field with one more bid (a bid already in it changes nothing)."""
        return PriceField((bid,), self)

    @cached_property
    def lowest(self) -> Decimal:
        """The lowest price in the field."""
        prices = [b.price for b in self.bids]
        if self.within is not None and self.within.size:
            prices.append(self.within.lowest)
        return min(prices)

    @cached_property
    def best_ratio(self) -> Fraction:
        """The most quality points per £1 in the field."""
        ratios = [_ratio(b) for b in self.bids]
        if self.within is not None and self.within.size:
            ratios.append(self.within.best_ratio)
        return max(ratios)


def _ratio(bid: PricedBid) -> Fraction:
    return Fraction(bid.quality) / Fraction(bid.price)


PriceFn = Callable[[Any, PricedBid, PriceField, Mapping[str, Any]], PriceScore]
"""(formula settings, this bid, the field including this bid, parameters) -> PriceScore."""


def percent(share: Fraction) -> str:
    """A 0..1 share as a percentage to at most two decimal places: 80%, 83.33%."""
    text = fmt(share * 100, 2).rstrip("0").rstrip(".")
    return f"{text}%"


def _clamp(share: Fraction) -> Fraction:
    return min(Fraction(1), max(Fraction(0), share))


def lowest_over_bid(
    formula: LowestOverBid,
    bid: PricedBid,
    field: PriceField,
    params: Mapping[str, Any],
) -> PriceScore:
    """Lowest price divided by this price."""
    lowest = field.lowest
    if bid.price == lowest:
        return PriceScore(Fraction(1), f"{money(bid.price)} is the lowest price: 100%")
    share = Fraction(lowest) / Fraction(bid.price)
    reason = (
        f"The lowest price {money(lowest)} divided by this price {money(bid.price)}: "
        f"{percent(share)}"
    )
    return PriceScore(share, reason)


def linear_deduction(
    formula: LinearDeduction,
    bid: PricedBid,
    field: PriceField,
    params: Mapping[str, Any],
) -> PriceScore:
    """The lowest price scores in full; each 1% above it loses `percent_per_percent`%."""
    lowest = field.lowest
    if bid.price == lowest:
        return PriceScore(Fraction(1), f"{money(bid.price)} is the lowest price: 100%")
    above = (Fraction(bid.price) - Fraction(lowest)) / Fraction(lowest) * 100
    rate = Fraction(formula.percent_per_percent)
    share = max(Fraction(0), 1 - rate / 100 * above)
    reason = (
        f"{money(bid.price)} is {format_points(above)}% above the lowest price "
        f"{money(lowest)}, and each 1% above loses {format_points(rate)}%: {percent(share)}"
    )
    return PriceScore(share, reason)


def fixed_range(
    formula: FixedRange,
    bid: PricedBid,
    field: PriceField,
    params: Mapping[str, Any],
) -> PriceScore:
    """Absolute: `best` or lower scores in full, `worst` or higher scores 0, straight between."""
    best = Fraction(resolve_number(formula.best, dict(params)))
    worst = Fraction(resolve_number(formula.worst, dict(params)))
    best_text = describe_threshold(formula.best, params, "money")
    worst_text = describe_threshold(formula.worst, params, "money")
    price = Fraction(bid.price)
    if price <= best:
        return PriceScore(
            Fraction(1), f"{money(bid.price)} is at or below the best price {best_text}: 100%"
        )
    if price >= worst:
        return PriceScore(
            Fraction(0), f"{money(bid.price)} is at or above the worst price {worst_text}: 0%"
        )
    share = _clamp((worst - price) / (worst - best))
    reason = (
        f"{money(bid.price)} lies between the best price {best_text} (100%) and the worst "
        f"{worst_text} (0%): {percent(share)}"
    )
    return PriceScore(share, reason)


def price_per_quality_point(
    formula: PricePerQualityPoint,
    bid: PricedBid,
    field: PriceField,
    params: Mapping[str, Any],
) -> PriceScore:
    """Quality points bought per pound; the best ratio in the field scores in full."""
    best = field.best_ratio
    if best == 0:
        return PriceScore(
            Fraction(0), "No bid compared has any quality points, so none earns price points: 0%"
        )
    ratio = _ratio(bid)
    share = ratio / best
    reason = (
        f"{format_points(bid.quality)} quality points for {money(bid.price)} is "
        f"{format_points(ratio)} points per £1; the best is {format_points(best)} per £1: "
        f"{percent(share)}"
    )
    return PriceScore(share, reason)


def fixed_price(
    formula: FixedPrice,
    bid: PricedBid,
    field: PriceField,
    params: Mapping[str, Any],
) -> PriceScore:
    """At or below the fixed price scores in full; above it fails the gate."""
    limit = resolve_number(formula.price, dict(params))
    limit_text = describe_threshold(formula.price, params, "money")
    if bid.price <= limit:
        return PriceScore(
            Fraction(1), f"{money(bid.price)} is within the fixed price of {limit_text}: 100%"
        )
    failure = f"{money(bid.price)} is above the fixed price of {limit_text}"
    return PriceScore(Fraction(0), f"{failure}: 0%", failure)


PRICE_FORMULAS: dict[str, PriceFn] = {
    "lowest_over_bid": lowest_over_bid,
    "linear_deduction": linear_deduction,
    "fixed_range": fixed_range,
    "price_per_quality_point": price_per_quality_point,
    "fixed_price": fixed_price,
}


def score_price(
    formula: PriceFormula,
    bid_id: str,
    price: Decimal | None,
    quality: Fraction,
    eligible: Sequence[PricedBid],
    params: Mapping[str, Any],
) -> PriceScore:
    """Score one bid's price against the eligible field (this bid is always compared too)."""
    others = PriceField(b for b in eligible if b.bid_id != bid_id)
    return score_price_in(formula, bid_id, price, quality, others, params)


def score_price_in(
    formula: PriceFormula,
    bid_id: str,
    price: Decimal | None,
    quality: Fraction,
    field: PriceField,
    params: Mapping[str, Any],
) -> PriceScore:
    """Score one bid's price against a field built once for the round; the bid is added to it.

    The field may already hold this bid, with the same price and quality: that changes neither
    the lowest price nor the best ratio.
    """
    if price is None:
        failure = f"{NO_PRICE}; the bid gave no price that could be used"
        return PriceScore(Fraction(0), failure, failure)
    if price <= 0:
        failure = f"{NO_PRICE}; the bid gave {money(price)}"
        return PriceScore(Fraction(0), failure, failure)
    own = PricedBid(bid_id, price, quality)
    return PRICE_FORMULAS[formula.name](formula, own, field.with_bid(own), params)
