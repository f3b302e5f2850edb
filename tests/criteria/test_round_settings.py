"""What a round may set and what it may not: input errors are clear, never silent."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from criteria.engine import RoundInputError, score_round
from criteria.inputs import Bid, RoundSettings
from criteria.model import Framework
from criteria.result import RoundResult
from tests.criteria.factories import homecare_bid, homecare_framework, marks


def score(fw: Framework, *bids: Bid, **kwargs: Any) -> RoundResult:
    kwargs.setdefault("marks", {b.id: {"care_plan": marks(4, 4)} for b in bids})
    return score_round(fw, list(bids), **kwargs)


# --- round input errors -----------------------------------------------------------------------


def test_two_bids_with_the_same_id_are_an_input_error() -> None:
    with pytest.raises(RoundInputError, match="Bid id 'a' is used by more than one bid"):
        score(homecare_framework(), homecare_bid("a"), homecare_bid("a"), marks={})


def test_an_answer_to_a_question_the_framework_does_not_ask_is_an_input_error() -> None:
    with pytest.raises(RoundInputError) as caught:
        score(homecare_framework(), homecare_bid("a", hourly_payy="13.45"))
    assert str(caught.value) == (
        "Bid 'a' (Provider A) answers criterion 'hourly_payy', which framework "
        "'test-framework' 1 does not ask"
    )


def test_pillar_weights_may_move_within_their_bounds() -> None:
    settings = RoundSettings(pillar_weights={"quality": Decimal(70), "price": Decimal(30)})
    result = score(homecare_framework(), homecare_bid("a"), settings=settings)
    assert result.pillar_weights == {"quality": 70, "price": 30}
    assert result.bid("a").criterion("price").weight == 30
    assert result.bid("a").criterion("hourly_pay").weight == Fraction("16.8")  # 70 x .6 x .4


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            {"quality": 85, "price": 15},
            "gives the Quality pillar ('quality') a weight of 85, "
            "outside the range 50 to 80 that the framework allows",
        ),
        ({"quality": 70, "price": 20}, "Pillar weights must add up to 100, but they add up to 90"),
        ({"quality": 70}, "Pillar weights must add up to 100, but they add up to 110"),
        (
            {"social": 10},
            "The round sets a weight for pillar 'social', which framework "
            "'test-framework' does not have",
        ),
    ],
)
def test_pillar_weights_outside_bounds_or_not_summing_to_100_are_input_errors(
    weights: dict[str, int], message: str
) -> None:
    settings = RoundSettings(pillar_weights={k: Decimal(v) for k, v in weights.items()})
    with pytest.raises(RoundInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score(homecare_framework(), homecare_bid("a"), settings=settings)


def test_a_round_may_set_its_own_local_districts() -> None:
    settings = RoundSettings(parameters={"local_districts": ["M1"]})
    result = score(homecare_framework(), homecare_bid("a", postcode="M1 1AE"), settings=settings)
    assert result.bid("a").criterion("office_postcode").raw == 5


def test_a_round_parameter_the_framework_does_not_have_is_an_input_error() -> None:
    settings = RoundSettings(parameters={"local_district": ["M1"]})
    with pytest.raises(RoundInputError, match=r"sets parameter \$local_district, which"):
        score(homecare_framework(), homecare_bid("a"), settings=settings)


def test_a_round_parameter_that_must_be_a_number_is_checked() -> None:
    settings = RoundSettings(parameters={"real_living_wage": "thirteen"})
    with pytest.raises(RoundInputError, match=r"must be a number, like 13\.45"):
        score(homecare_framework(), homecare_bid("a"), settings=settings)
