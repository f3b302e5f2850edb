"""The built-in `ethical-care` framework scoring small, hand-made bids.

Each test scores a tiny round with `criteria.engine` and compares with figures worked out by
hand from the framework file.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import criteria
from criteria.inputs import Bid, CriterionMarks, ModeratedMark, RoundSettings
from criteria.model import Framework
from criteria.result import BidResult, RoundResult

FRAMEWORKS = Path(criteria.__file__).parent / "frameworks"
FRAMEWORK_FILE = FRAMEWORKS / "ethical-care.yaml"


@pytest.fixture(scope="module")
def framework() -> Framework:
    """The framework as the model reads it (the loader's cross-checks are tested separately)."""
    return Framework.model_validate(yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8")))


def scored(framework: Framework) -> list[Any]:
    """Every criterion that carries points."""
    return [c for c in framework.criteria.values() if c.weight > 0]


# --- scoring small rounds with the engine ----------------------------------------------------
#
# A "sound" bid answers every question well but not perfectly and passes every gate; each test
# changes one or two answers. Written answers get a moderated mark of 3 (Good) unless a test
# sets another.

SOUND_ANSWERS: dict[str, Any] = {
    "fw_lowest_hourly_pay": "13.45",
    "fw_paid_travel_time": True,
    "fw_mileage_rate": "0.45",
    "fw_zero_hours_share": 10,
    "fw_guaranteed_hours_offer": True,
    "fw_sick_pay": "occupational",
    "fw_no_short_visits": True,
    "fw_training_in_work_time": True,
    "fw_continuity_of_worker": 80,
    "fw_staff_voice": ["staff_forum", "speak_up_guardian"],
    "fw_ethical_care_charter": "stage_2",
    "fw_narrative": "How we recruit, pay and keep care workers.",
    "lo_ownership_form": "independent_sme",
    "lo_registered_office": "WN1 1AA",
    "lo_local_staff_share": 70,
    "lo_local_supply_spend": 30,
    "lo_profit_extraction": 3,
    "lo_narrative": "How we keep wealth local.",
    "sv_local_jobs": 6,
    "sv_apprenticeships": 2,
    "sv_volunteering_hours": 100,
    "sv_carbon_plan": "plan",
    "sv_codesign": "How people who draw on care shape the service.",
    "sv_narrative": "Further social value.",
    "q_cqc_registered": True,
    "q_cqc_provider_id": "1-000000001",
    "q_cqc_rating": "good",
    "q_person_centred": "Person-centred, strengths-based care.",
    "q_safeguarding": "How we keep people safe.",
    "pr_hourly_rate": "36.00",
}

BEST_ANSWERS: dict[str, Any] = {
    **SOUND_ANSWERS,
    "fw_zero_hours_share": 0,
    "fw_sick_pay": "occupational_from_day_one",
    "fw_continuity_of_worker": 90,
    "fw_staff_voice": ["recognised_union", "worker_on_board"],
    "fw_union_name": "UNISON",
    "fw_ethical_care_charter": "stage_3",
    "lo_ownership_form": "cooperative",
    "lo_local_staff_share": 80,
    "lo_local_supply_spend": 60,
    "lo_profit_extraction": 0,
    "sv_local_jobs": 20,
    "sv_apprenticeships": 4,
    "sv_volunteering_hours": 500,
    "sv_carbon_plan": "plan_with_targets",
    "q_cqc_rating": "outstanding",
    "pr_hourly_rate": "32.14",
}

MARKED = ("fw_narrative", "lo_narrative", "sv_codesign", "sv_narrative")
QUALITY_MARKED = ("q_person_centred", "q_safeguarding")


def a_bid(bid_id: str = "bid", base: dict[str, Any] = SOUND_ANSWERS, **changes: Any) -> Bid:
    return Bid(id=bid_id, name=f"Provider {bid_id}", answers={**base, **changes})


def marks_for(bid_id: str, points: int = 3, **overrides: int) -> dict[str, CriterionMarks]:
    """A moderated mark for every written answer of one bid."""
    return {
        criterion_id: CriterionMarks(
            moderated=ModeratedMark(
                points=overrides.get(criterion_id, points), rationale="Agreed at moderation."
            )
        )
        for criterion_id in MARKED + QUALITY_MARKED
    }


@pytest.fixture(scope="module")
def engine() -> ModuleType:
    import criteria.engine

    return criteria.engine


def score_one(
    engine: ModuleType,
    framework: Framework,
    bid: Bid,
    marks: dict[str, CriterionMarks] | None = None,
    settings: RoundSettings | None = None,
) -> BidResult:
    result: RoundResult = engine.score_round(
        framework, [bid], {bid.id: marks if marks is not None else marks_for(bid.id)}, settings
    )
    return result.bid(bid.id)


def test_bid_with_the_best_answer_everywhere_scores_100(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(base=BEST_ANSWERS), marks_for("bid", points=5))
    assert result.status == "ranked"
    assert result.total == 100


def test_best_bid_priced_at_the_ceiling_loses_exactly_the_price_pillar(
    engine: ModuleType, framework: Framework
) -> None:
    bid = a_bid(base=BEST_ANSWERS, pr_hourly_rate="40.00")
    result = score_one(engine, framework, bid, marks_for("bid", points=5))
    assert result.total == 80
    assert result.pillar_score("price") == 0


def test_bid_paying_below_the_national_living_wage_fails_the_pay_gate(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(fw_lowest_hourly_pay="12.70"))
    assert result.status == "excluded"
    gates = [e for e in result.exclusions if e.kind == "gate"]
    assert [e.target for e in gates] == ["fw_lowest_hourly_pay"]
    assert "National Living Wage" in gates[0].reason


def test_bid_paying_exactly_the_national_living_wage_passes_with_four_of_ten_pay_points(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(fw_lowest_hourly_pay="12.71"))
    assert result.status == "ranked"
    pay = result.criterion("fw_lowest_hourly_pay")
    assert (pay.raw, pay.max) == (Fraction(4), Fraction(10))
    # 30 (pillar) x 60% (fair work) x 20% (pay) = 3.6 points available; 4/10 of them earned.
    assert pay.weight == Fraction(18, 5)
    assert pay.contribution == Fraction(36, 25)


def test_bid_paying_the_real_living_wage_earns_full_pay_points(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(fw_lowest_hourly_pay="13.45"))
    pay = result.criterion("fw_lowest_hourly_pay")
    assert pay.normalised == 1
    assert pay.contribution == Fraction(18, 5)


def test_london_round_raises_the_pay_needed_for_full_points(
    engine: ModuleType, framework: Framework
) -> None:
    london = RoundSettings(parameters={"real_living_wage": Decimal("14.80")})
    result = score_one(engine, framework, a_bid(fw_lowest_hourly_pay="13.45"), settings=london)
    assert result.criterion("fw_lowest_hourly_pay").normalised == Fraction(2, 5)


def test_bid_from_a_location_rated_inadequate_is_excluded(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(q_cqc_rating="inadequate"))
    assert result.status == "excluded"
    gates = [e for e in result.exclusions if e.kind == "gate"]
    assert [e.target for e in gates] == ["q_cqc_rating"]
    assert "Inadequate" in gates[0].reason


def test_provider_not_registered_with_the_cqc_is_excluded(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(q_cqc_registered=False))
    assert result.status == "excluded"
    assert [e.target for e in result.exclusions] == ["q_cqc_registered"]
    assert "registered with the CQC" in result.exclusions[0].reason


def test_bid_that_will_not_end_15_minute_visits_is_excluded(
    engine: ModuleType, framework: Framework
) -> None:
    result = score_one(engine, framework, a_bid(fw_no_short_visits=False))
    assert result.status == "excluded"
    assert [e.target for e in result.exclusions] == ["fw_no_short_visits"]


def test_price_below_the_minimum_sustainable_rate_is_flagged_abnormally_low(
    engine: ModuleType, framework: Framework
) -> None:
    low = score_one(engine, framework, a_bid(pr_hourly_rate="32.13"))
    at_minimum = score_one(engine, framework, a_bid(pr_hourly_rate="32.14"))
    low_flags = [f for f in low.flags if f.code == "abnormally_low"]
    assert len(low_flags) == 1
    assert "Minimum Price for Homecare" in low_flags[0].reason
    assert not [f for f in at_minimum.flags if f.code == "abnormally_low"]
    # A flag asks for a decision; it does not exclude the bid.
    assert low.status == "ranked"


def test_price_too_low_for_the_promised_pay_is_flagged_wage_floor_not_funded(
    engine: ModuleType, framework: Framework
) -> None:
    # 13.45 x 2.63 = 35.3735: 35.37 cannot fund the Real Living Wage, 35.38 can.
    short = score_one(engine, framework, a_bid(pr_hourly_rate="35.37"))
    enough = score_one(engine, framework, a_bid(pr_hourly_rate="35.38"))
    assert [f.code for f in short.flags] == ["wage_floor_not_funded"]
    assert enough.flags == ()


def test_price_scores_on_a_fixed_range_from_the_minimum_sustainable_rate_to_the_ceiling(
    engine: ModuleType, framework: Framework
) -> None:
    # Halfway between 32.14 and 40.00 is 36.07; at or below 32.14 earns full price points.
    halfway = score_one(engine, framework, a_bid(pr_hourly_rate="36.07"))
    cheap = score_one(engine, framework, a_bid(pr_hourly_rate="28.00"))
    assert halfway.criterion("pr_hourly_rate").normalised == Fraction(1, 2)
    assert halfway.pillar_score("price") == 10
    assert cheap.pillar_score("price") == 20


def test_one_bid_s_price_does_not_move_another_s_price_score(
    engine: ModuleType, framework: Framework
) -> None:
    alone = score_one(engine, framework, a_bid("a", pr_hourly_rate="36.07"))
    result = engine.score_round(
        framework,
        [a_bid("a", pr_hourly_rate="36.07"), a_bid("b", pr_hourly_rate="33.00")],
        {"a": marks_for("a"), "b": marks_for("b")},
    )
    assert result.bid("a").pillar_score("price") == alone.pillar_score("price")


def test_safeguarding_marked_poor_misses_the_published_minimum(
    engine: ModuleType, framework: Framework
) -> None:
    # Person-centred care marked 4 keeps the quality pillar above half: 40 x (25% x 3/4 +
    # 40% x 4/5 + 35% x 1/5) = 23.1 of 40, so only the safeguarding minimum is missed.
    marks = marks_for("bid", q_safeguarding=1, q_person_centred=4)
    result = score_one(engine, framework, a_bid(), marks)
    assert result.pillar_score("quality") == Fraction("23.1")
    assert result.status == "excluded"
    assert [(e.kind, e.target) for e in result.exclusions] == [
        ("threshold", "criterion:q_safeguarding")
    ]


def test_quality_below_half_the_quality_points_misses_the_pillar_minimum(
    engine: ModuleType, framework: Framework
) -> None:
    # Requires improvement (1 of 4) and two Satisfactory answers (2 of 5):
    # 40 x (25% x 1/4 + 40% x 2/5 + 35% x 2/5) = 40 x 0.3625 = 14.5 of 40, under half.
    bid = a_bid(q_cqc_rating="requires_improvement")
    result = score_one(
        engine, framework, bid, marks_for("bid", q_person_centred=2, q_safeguarding=2)
    )
    assert result.pillar_score("quality") == Fraction(29, 2)
    assert [(e.kind, e.target) for e in result.exclusions] == [("threshold", "pillar:quality")]


def test_private_equity_ownership_and_an_office_outside_the_area_earn_no_local_points(
    engine: ModuleType, framework: Framework
) -> None:
    bid = a_bid(
        lo_ownership_form="private_equity",
        lo_ultimate_owner="A holding company owned by a fund.",
        lo_registered_office="B3 2QT",
    )
    result = score_one(engine, framework, bid)
    assert result.criterion("lo_ownership_form").raw == 0
    assert result.criterion("lo_registered_office").raw == 0


def test_a_round_can_set_its_own_local_postcode_districts(
    engine: ModuleType, framework: Framework
) -> None:
    bid = a_bid(lo_registered_office="M46 0AB")
    default = score_one(engine, framework, bid)
    borough = RoundSettings(parameters={"local_postcode_districts": ["WN1", "WN7", "M46"]})
    widened = score_one(engine, framework, bid, settings=borough)
    assert default.criterion("lo_registered_office").normalised == 0
    assert widened.criterion("lo_registered_office").normalised == 1


def test_less_profit_taken_out_earns_more_points(engine: ModuleType, framework: Framework) -> None:
    none_taken = score_one(engine, framework, a_bid(lo_profit_extraction=0))
    some = score_one(engine, framework, a_bid(lo_profit_extraction="2.5"))
    ceiling = score_one(engine, framework, a_bid(lo_profit_extraction=10))
    assert none_taken.criterion("lo_profit_extraction").normalised == 1
    assert some.criterion("lo_profit_extraction").normalised == Fraction(3, 4)
    assert ceiling.criterion("lo_profit_extraction").normalised == 0


def test_travel_follow_up_is_not_asked_when_travel_time_is_paid(
    engine: ModuleType, framework: Framework
) -> None:
    paid = score_one(engine, framework, a_bid(fw_paid_travel_time=True))
    unpaid = score_one(
        engine,
        framework,
        a_bid(fw_paid_travel_time=False, fw_travel_arrangements="Walking rounds."),
    )
    assert paid.criterion("fw_travel_arrangements").status == "not_applicable"
    assert unpaid.criterion("fw_travel_arrangements").status != "not_applicable"
    assert unpaid.criterion("fw_paid_travel_time").raw == 0


def test_union_recognition_counts_most_and_staff_voice_is_capped_at_five(
    engine: ModuleType, framework: Framework
) -> None:
    union = score_one(
        engine, framework, a_bid(fw_staff_voice=["recognised_union"], fw_union_name="GMB")
    )
    everything = score_one(
        engine,
        framework,
        a_bid(
            fw_staff_voice=[
                "recognised_union",
                "union_access",
                "staff_forum",
                "speak_up_guardian",
                "worker_on_board",
                "paid_team_meetings",
            ],
            fw_union_name="UNISON",
        ),
    )
    voice = union.criterion("fw_staff_voice")
    assert (voice.raw, voice.max) == (Fraction(3), Fraction(5))
    assert everything.criterion("fw_staff_voice").raw == 5
