"""Improvement advice: what would raise a provider's score most, in plain words."""

from __future__ import annotations

import copy
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from criteria.engine import score_round
from criteria.improvement import (
    EVALUATOR_NOTE,
    FALLBACK_ADVICE,
    GENERAL_ADVICE,
    Advice,
    improvement_advice,
    points_text,
)
from criteria.model import Framework
from criteria.result import BidResult, CriterionScore, Exclusion, GroupScore
from tests.criteria.factories import homecare_bid, homecare_framework, marks

F = Fraction

# Pillars fair_work 40, community 20, price 40; one section per pillar at 100% of it.
# Effective weights: sick_pay 40 x 40% = 16, staff_voice 40 x 60% = 24, local_spend 20,
# hourly_rate 40; pays_rlw is a gate and carries nothing.
FRAMEWORK_DATA: dict[str, Any] = {
    "id": "ethical-homecare",
    "version": "1",
    "title": "Ethical homecare",
    "scales": {
        "quality": {
            "title": "0-5",
            "points": [
                {"points": p, "label": f"mark {p}", "descriptor": f"descriptor {p}"}
                for p in range(6)
            ],
        }
    },
    "sections": [
        {
            "id": "workforce",
            "title": "Fair work",
            "pillar": "fair_work",
            "weight": 100,
            "criteria": [
                {
                    "id": "pays_rlw",
                    "prompt": "Do you pay every care worker at least the Real Living Wage?",
                    "type": "yes_no",
                    "scoring": {
                        "rule": "gate",
                        "gate": {"equals": True, "message": "Real Living Wage not paid"},
                    },
                    "improve": "Commit to the Real Living Wage for every care worker.",
                },
                {
                    "id": "sick_pay",
                    "prompt": "Which sick pay do your staff get?",
                    "type": "single_choice",
                    "choices": [
                        {"value": "statutory", "label": "Statutory only"},
                        {"value": "day_one", "label": "Full pay from day one"},
                    ],
                    "weight": 40,
                    "scoring": {
                        "rule": "choice_points",
                        "points": {"statutory": 1, "day_one": 2},
                    },
                    "improve": "Pay sick pay in full from the first day of absence.",
                },
                {
                    "id": "staff_voice",
                    "prompt": "How do care workers raise concerns and shape the service?",
                    "type": "narrative",
                    "weight": 60,
                    "scoring": {"rule": "evaluator_scale", "scale": "quality"},
                },
            ],
        },
        {
            "id": "local",
            "title": "Local wealth",
            "pillar": "community",
            "weight": 100,
            "criteria": [
                {
                    "id": "local_spend",
                    "prompt": "What share of your spending stays with local suppliers?",
                    "type": "percentage",
                    "weight": 100,
                    "scoring": {"rule": "linear", "from": 0, "to": 50, "max_points": 10},
                    "improve": "Buy from local suppliers, and say which.",
                }
            ],
        },
        {
            "id": "cost",
            "title": "Price",
            "pillar": "price",
            "weight": 100,
            "criteria": [
                {
                    "id": "hourly_rate",
                    "prompt": "Your hourly rate",
                    "type": "money",
                    "weight": 100,
                    "scoring": {"rule": "price"},
                    "improve": "A lower price scores more.",
                }
            ],
        },
    ],
    "award": {
        "pillars": [
            {"id": "fair_work", "title": "Fair work", "weight": 40},
            {"id": "community", "title": "Community", "weight": 20},
            {"id": "price", "title": "Price", "weight": 40},
        ],
        "price": {
            "criterion": "hourly_rate",
            "formula": {"name": "fixed_range", "best": 20, "worst": 30},
        },
    },
}
FRAMEWORK = Framework.model_validate(FRAMEWORK_DATA)

PLACES = {
    "pays_rlw": ("workforce", "fair_work"),
    "sick_pay": ("workforce", "fair_work"),
    "staff_voice": ("workforce", "fair_work"),
    "local_spend": ("local", "community"),
    "hourly_rate": ("cost", "price"),
}


def scored(
    criterion_id: str, rule: str, weight: F, normalised: F, **changes: Any
) -> CriterionScore:
    section, pillar = PLACES[criterion_id]
    return CriterionScore(
        criterion_id=criterion_id,
        section_id=section,
        pillar_id=pillar,
        prompt=FRAMEWORK.criteria[criterion_id].prompt,
        answer=None,
        rule=rule,
        raw=normalised,
        max=F(1),
        normalised=normalised,
        weight=weight,
        contribution=normalised * weight,
        reason="as scored",
        **changes,
    )


# Available: sick_pay 16 - 8 = 8, staff_voice 24 - 14.4 = 9.6, local_spend 20 - 4 = 16
CRITERIA = (
    scored("pays_rlw", "gate", F(0), F(0), status="gate_only", gate_passed=True),
    scored("sick_pay", "choice_points", F(16), F(1, 2)),
    scored("staff_voice", "evaluator_scale", F(24), F(3, 5)),
    scored("local_spend", "linear", F(20), F(1, 5)),
    scored("hourly_rate", "price:fixed_range", F(40), F(1, 2)),
)


def bid(*criteria: CriterionScore, exclusions: tuple[Exclusion, ...] = ()) -> BidResult:
    total = sum((c.contribution for c in criteria), F(0))
    return BidResult(
        bid_id="b1",
        name="Wigan Care Co-op",
        status="excluded" if exclusions else "ranked",
        total=total,
        pillars=(GroupScore("fair_work", "Fair work", F(40), F(0), F(0)),),
        sections=(),
        criteria=criteria,
        exclusions=exclusions,
        rank=None if exclusions else 1,
    )


def ids(advice: list[Advice]) -> list[str | None]:
    return [a.criterion_id for a in advice]


def test_criteria_with_the_most_points_still_available_come_first() -> None:
    advice = improvement_advice(FRAMEWORK, bid(*CRITERIA))
    assert ids(advice) == ["local_spend", "staff_voice", "sick_pay"]
    assert [a.points_available for a in advice] == [F(16), F(48, 5), F(8)]
    assert [a.current_points for a in advice] == [F(4), F(72, 5), F(8)]


def test_advice_names_the_section_and_question_and_uses_the_frameworks_improve_text() -> None:
    local = improvement_advice(FRAMEWORK, bid(*CRITERIA))[0]
    assert local.kind == "criterion"
    assert local.section_title == "Local wealth"
    assert local.prompt == "What share of your spending stays with local suppliers?"
    assert local.advice == "Buy from local suppliers, and say which."
    assert local.message == "You scored 4 here and could gain up to 16 more points out of 100."


def test_price_is_never_advised_on_however_many_points_it_left() -> None:
    advice = improvement_advice(FRAMEWORK, bid(*CRITERIA))
    assert "hourly_rate" not in ids(advice)
    assert all("price" not in a.advice.lower() for a in advice)


def test_a_criterion_at_full_marks_gets_no_advice() -> None:
    full_local = scored("local_spend", "linear", F(20), F(1))
    advice = improvement_advice(FRAMEWORK, bid(*CRITERIA[:3], full_local, CRITERIA[4]))
    assert ids(advice) == ["staff_voice", "sick_pay"]


def test_equal_points_available_keep_framework_order() -> None:
    # sick_pay and staff_voice both 8 short: sick_pay comes first in the framework
    sick = scored("sick_pay", "choice_points", F(16), F(1, 2))
    voice = scored("staff_voice", "evaluator_scale", F(24), F(2, 3))
    advice = improvement_advice(FRAMEWORK, bid(voice, sick))
    assert ids(advice) == ["sick_pay", "staff_voice"]
    assert advice[0].points_available == advice[1].points_available == F(8)


def test_evaluator_marked_criteria_say_so_and_fall_back_to_advice_for_the_scale() -> None:
    voice = next(a for a in improvement_advice(FRAMEWORK, bid(*CRITERIA)) if a.evaluator_marked)
    assert voice.criterion_id == "staff_voice"
    assert voice.advice == f"{EVALUATOR_NOTE} {FALLBACK_ADVICE['evaluator_scale']}"
    assert "marked by evaluators" not in FALLBACK_ADVICE["evaluator_scale"]
    assert EVALUATOR_NOTE.startswith("Evaluators mark")


def test_a_failed_gate_comes_first_and_says_it_excluded_the_bid() -> None:
    failed_gate = scored("pays_rlw", "gate", F(0), F(0), status="gate_only", gate_passed=False)
    exclusion = Exclusion("gate", "pays_rlw", "Real Living Wage not paid")
    advice = improvement_advice(FRAMEWORK, bid(failed_gate, *CRITERIA[1:], exclusions=(exclusion,)))
    first = advice[0]
    assert first.kind == "exclusion"
    assert first.message == "This excluded your bid: Real Living Wage not paid"
    assert first.advice == "Commit to the Real Living Wage for every care worker."
    assert first.section_title == "Fair work"
    assert first.points_available == 0
    assert ids(advice)[1:] == ["local_spend", "staff_voice", "sick_pay"]


def test_gate_failures_come_before_missed_minimums() -> None:
    exclusions = (
        Exclusion("threshold", "total", "The total of 30 is below the minimum of 50%"),
        Exclusion("gate", "pays_rlw", "Real Living Wage not paid"),
    )
    advice = improvement_advice(FRAMEWORK, bid(*CRITERIA, exclusions=exclusions))
    assert [a.kind for a in advice[:2]] == ["exclusion", "exclusion"]
    assert advice[0].criterion_id == "pays_rlw"
    assert advice[1].criterion_id is None
    assert advice[1].message == (
        "This excluded your bid: The total of 30 is below the minimum of 50%"
    )


def test_a_missed_criterion_minimum_points_at_that_criterion() -> None:
    exclusion = Exclusion("threshold", "criterion:staff_voice", "Staff voice scored below 3")
    (first, *_) = improvement_advice(FRAMEWORK, bid(*CRITERIA, exclusions=(exclusion,)))
    assert first.criterion_id == "staff_voice"
    assert first.evaluator_marked
    assert first.points_available == F(48, 5)


def test_limit_caps_the_criteria_but_every_exclusion_is_kept() -> None:
    exclusion = Exclusion("gate", "pays_rlw", "Real Living Wage not paid")
    advice = improvement_advice(FRAMEWORK, bid(*CRITERIA, exclusions=(exclusion,)), limit=1)
    assert ids(advice) == ["pays_rlw", "local_spend"]
    assert improvement_advice(FRAMEWORK, bid(*CRITERIA), limit=0) == []


def test_questions_that_did_not_apply_get_no_advice() -> None:
    hidden = replace(CRITERIA[3], status="not_applicable", normalised=F(0), contribution=F(0))
    assert "local_spend" not in ids(improvement_advice(FRAMEWORK, bid(hidden)))


def test_an_unanswered_question_says_it_was_not_answered() -> None:
    blank = scored("local_spend", "linear", F(20), F(0), status="unanswered")
    (advice,) = improvement_advice(FRAMEWORK, bid(blank))
    assert advice.message == (
        "You did not answer this question, so it scored 0: "
        "you could gain up to 20 more points out of 100."
    )


def test_a_criterion_without_improve_text_or_a_known_rule_gets_general_advice() -> None:
    data = copy.deepcopy(FRAMEWORK_DATA)
    del data["sections"][1]["criteria"][0]["improve"]
    framework = Framework.model_validate(data)
    odd = scored("local_spend", "future_rule", F(20), F(0))
    (advice,) = improvement_advice(framework, bid(odd))
    assert advice.advice == GENERAL_ADVICE
    (advice,) = improvement_advice(framework, bid(CRITERIA[3]))
    assert advice.advice == FALLBACK_ADVICE["linear"]


@pytest.mark.parametrize(
    ("points", "text"),
    [(F(16), "16"), (F(48, 5), "9.6"), (F(1, 3), "0.33"), (F(0), "0"), (F(-1, 1000), "0")],
)
def test_points_are_written_with_at_most_two_decimals(points: F, text: str) -> None:
    assert points_text(points) == text


# --- from a real scored round -------------------------------------------------------------------


def test_advice_for_a_scored_homecare_bid_follows_the_points_left_on_the_table() -> None:
    # Quality 60 = pay and care 36 (pay 14.4, care plan 21.6) + local wealth 24 (ownership 12,
    # office 12). Pay at the National Living Wage earns 2 of 5 (8.64 left), a care plan marked
    # 3 of 5 leaves 8.64, a company earns 1 of 5 (9.6 left), an office outside the area 0 (12).
    fw = homecare_framework()
    bids = [homecare_bid("a", pay="12.80", ownership="company", postcode="M1 1AA")]
    result = score_round(fw, bids, {"a": {"care_plan": marks(3, 3)}})
    advice = improvement_advice(fw, result.bid("a"))
    assert ids(advice) == ["office_postcode", "ownership", "hourly_pay", "care_plan"]
    assert [a.points_available for a in advice] == [F(12), F(48, 5), F(216, 25), F(216, 25)]
    assert advice[3].evaluator_marked
    assert all(a.kind == "criterion" for a in advice)


def test_a_scored_bid_below_the_wage_floor_is_told_first_that_it_was_excluded() -> None:
    fw = homecare_framework()
    bids = [homecare_bid("a", pay="11.00")]
    result = score_round(fw, bids, {"a": {"care_plan": marks(5, 5)}})
    first, *rest = improvement_advice(fw, result.bid("a"))
    assert result.bid("a").status == "excluded"
    assert first.kind == "exclusion"
    assert first.criterion_id == "hourly_pay"
    assert first.message.startswith("This excluded your bid: ")
    assert "price" not in ids(rest)


def test_a_question_asked_only_for_information_gets_no_advice() -> None:
    information = scored("local_spend", "none", F(20), F(0))
    assert improvement_advice(FRAMEWORK, bid(information)) == []


def test_a_price_above_the_fixed_price_is_stated_as_the_exclusion_without_price_advice() -> None:
    fw = homecare_framework({"name": "fixed_price", "price": 30})
    result = score_round(fw, [homecare_bid("a", price="35.00")], {"a": {"care_plan": marks(4)}})
    (first, *_) = improvement_advice(fw, result.bid("a"))
    assert first.kind == "exclusion"
    assert first.criterion_id == "price"
    assert "above the fixed price" in first.message
    assert first.advice == FALLBACK_ADVICE["gate"]
    assert first.points_available == 0
