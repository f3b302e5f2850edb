"""Price formulas, each with hand-worked figures, and prices that cannot be scored."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from pydantic import TypeAdapter

from criteria.model import RELATIVE_PRICE_FORMULAS, PriceFormula
from criteria.price import PRICE_FORMULAS, PricedBid, PriceScore, percent, score_price

FORMULA = TypeAdapter(PriceFormula)
PARAMS = {"cap": Decimal("15.00"), "best": Decimal("20"), "worst": Decimal("30")}


def field(*prices: str, quality: tuple[str, ...] = ()) -> list[PricedBid]:
    """Eligible bids b1, b2, ... at these prices (and quality points, if given)."""
    qualities = [Fraction(q) for q in quality] or [Fraction(0)] * len(prices)
    return [
        PricedBid(f"b{i}", Decimal(p), q)
        for i, (p, q) in enumerate(zip(prices, qualities, strict=True), start=1)
    ]


def price_of(
    formula: dict[str, Any],
    price: str | None,
    eligible: list[PricedBid],
    bid_id: str = "b1",
    quality: str = "0",
) -> PriceScore:
    parsed = FORMULA.validate_python(formula)
    amount = None if price is None else Decimal(price)
    return score_price(parsed, bid_id, amount, Fraction(quality), eligible, PARAMS)


def test_every_formula_in_the_model_has_a_function() -> None:
    names = {
        "lowest_over_bid",
        "linear_deduction",
        "fixed_range",
        "price_per_quality_point",
        "fixed_price",
    }
    assert set(PRICE_FORMULAS) == names
    assert names >= RELATIVE_PRICE_FORMULAS


def test_percent_is_written_without_trailing_zeros() -> None:
    assert percent(Fraction(4, 5)) == "80%"
    assert percent(Fraction(2, 3)) == "66.67%"


# --- lowest / bid ---------------------------------------------------------------------------

LOWEST = {"name": "lowest_over_bid"}


def test_lowest_over_bid_divides_the_lowest_price_by_this_price() -> None:
    scored = price_of(LOWEST, "30.00", field("30.00", "24.00"))
    assert scored.normalised == Fraction(4, 5)
    assert scored.reason == "The lowest price £24.00 divided by this price £30.00: 80%"
    assert scored.failure is None


def test_the_lowest_price_scores_in_full() -> None:
    scored = price_of(LOWEST, "24.00", field("24.00", "30.00"))
    assert scored.normalised == 1
    assert scored.reason == "£24.00 is the lowest price: 100%"


def test_a_single_bid_is_the_lowest_price() -> None:
    assert price_of(LOWEST, "27.00", field("27.00")).normalised == 1


def test_a_bid_outside_the_eligible_field_is_still_compared_with_itself() -> None:
    # b9 failed a gate, so it is not in the field, but its own price still counts for it:
    # it scores against the eligible lowest price and never above 1.
    eligible = field("25.00", "30.00")
    assert price_of(LOWEST, "20.00", eligible, bid_id="b9").normalised == 1
    assert price_of(LOWEST, "50.00", eligible, bid_id="b9").normalised == Fraction(1, 2)


# --- linear deduction -----------------------------------------------------------------------


def test_linear_deduction_takes_one_percent_per_percent_above_the_lowest() -> None:
    scored = price_of({"name": "linear_deduction"}, "30.00", field("24.00", "30.00"), "b2")
    assert scored.normalised == Fraction(3, 4)  # 25% above the lowest: 100% - 25%
    assert scored.reason == (
        "£30.00 is 25% above the lowest price £24.00, and each 1% above loses 1%: 75%"
    )


def test_linear_deduction_at_a_steeper_rate() -> None:
    formula = {"name": "linear_deduction", "percent_per_percent": 2}
    scored = price_of(formula, "26.40", field("24.00", "26.40"), "b2")
    assert scored.normalised == Fraction(4, 5)  # 10% above: 100% - 2 x 10%


def test_linear_deduction_floors_at_zero() -> None:
    scored = price_of({"name": "linear_deduction"}, "60.00", field("24.00", "60.00"), "b2")
    assert scored.normalised == 0  # 150% above the lowest


# --- fixed range ----------------------------------------------------------------------------

RANGE = {"name": "fixed_range", "best": "$best", "worst": "$worst"}


@pytest.mark.parametrize(
    ("price", "share"),
    [
        ("18.00", 1),
        ("20.00", 1),
        ("22.50", Fraction(3, 4)),
        ("25.00", Fraction(1, 2)),
        ("30.00", 0),
        ("35.00", 0),
    ],
)
def test_fixed_range_scores_best_in_full_worst_at_zero_linear_between(
    price: str, share: Fraction
) -> None:
    assert price_of(RANGE, price, field(price)).normalised == share


def test_fixed_range_is_absolute_other_bids_do_not_move_it() -> None:
    alone = price_of(RANGE, "25.00", field("25.00"))
    crowded = price_of(RANGE, "25.00", field("25.00", "10.00", "29.00"))
    assert alone.normalised == crowded.normalised == Fraction(1, 2)


def test_fixed_range_reason_quotes_both_ends() -> None:
    assert price_of(RANGE, "25.00", field("25.00")).reason == (
        "£25.00 lies between the best price £20.00 ($best) (100%) and the worst £30.00 "
        "($worst) (0%): 50%"
    )


# --- price per quality point ----------------------------------------------------------------

PPQP = {"name": "price_per_quality_point"}


def test_price_per_quality_point_gives_the_best_ratio_full_points() -> None:
    eligible = field("20.00", "25.00", quality=("40", "60"))
    # b1: 40 / 20 = 2 points per £1; b2: 60 / 25 = 2.4 per £1 (the best).
    first = price_of(PPQP, "20.00", eligible, "b1", quality="40")
    second = price_of(PPQP, "25.00", eligible, "b2", quality="60")
    assert first.normalised == Fraction(5, 6)
    assert second.normalised == 1
    assert first.reason == (
        "40 quality points for £20.00 is 2 points per £1; the best is 2.4 per £1: 83.33%"
    )


def test_price_per_quality_point_with_no_quality_anywhere_gives_everyone_zero() -> None:
    eligible = field("20.00", "25.00", quality=("0", "0"))
    scored = price_of(PPQP, "20.00", eligible, "b1", quality="0")
    assert scored.normalised == 0
    assert "No bid compared has any quality points" in scored.reason


# --- fixed price ----------------------------------------------------------------------------

FIXED = {"name": "fixed_price", "price": "$cap"}


def test_fixed_price_at_or_below_the_price_scores_in_full() -> None:
    scored = price_of(FIXED, "15.00", field("15.00"))
    assert (scored.normalised, scored.failure) == (Fraction(1), None)
    assert scored.reason == "£15.00 is within the fixed price of £15.00 ($cap): 100%"


def test_fixed_price_above_the_price_fails_the_gate() -> None:
    scored = price_of(FIXED, "15.01", field("15.01"))
    assert scored.normalised == 0
    assert scored.failure == "£15.01 is above the fixed price of £15.00 ($cap)"


# --- prices that cannot be scored -----------------------------------------------------------


@pytest.mark.parametrize("formula", [LOWEST, {"name": "linear_deduction"}, RANGE, PPQP, FIXED])
@pytest.mark.parametrize(
    ("price", "why"),
    [
        ("0", "the bid gave £0.00"),
        ("-5", "the bid gave -£5.00"),
        (None, "the bid gave no price that could be used"),
    ],
)
def test_a_zero_negative_or_missing_price_fails_the_gate_without_dividing(
    formula: dict[str, Any], price: str | None, why: str
) -> None:
    scored = price_of(formula, price, field("20.00", "25.00"), bid_id="b9")
    assert scored.normalised == 0
    assert scored.failure == f"A price of more than £0 is needed; {why}"


def test_an_empty_eligible_field_compares_a_valid_price_with_itself() -> None:
    assert price_of(LOWEST, "25.00", []).normalised == 1
    assert price_of({"name": "linear_deduction"}, "25.00", []).normalised == 1
